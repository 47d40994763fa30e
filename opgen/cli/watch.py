"""`opgen watch PLAN [--port N] [--out DIR] [-j N]`: rebuild on every save, serve a live preview on
127.0.0.1 (opgen/watch.py) and build the papers in the background into build/<plan>/ as `opgen build`
does. Runs until Ctrl-C or SIGTERM, which exit 0. A missing file, a bad or busy port: one line, exit 2."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
from pathlib import Path

from opgen.cli.output import folder_text, print_diagnostics, say
from opgen.diagnostics import UserError


def port_value(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port: give a number from 1 to 65535, or 0 for a "
                                         f"free one")
    return port


def register(sub) -> None:
    p = sub.add_parser("watch", help="rebuild on every save and serve a live preview on 127.0.0.1")
    p.add_argument("plan", metavar="PLAN", help="the plan file to watch")
    p.add_argument("--port", type=port_value, default=8000,
                   help="port on 127.0.0.1 to serve the preview on (default 8000; 0 picks a free one)")
    p.add_argument("--out", default="build", help="output folder for the papers (default build/)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes for the background build (default 1)")
    p.add_argument("--host", help=argparse.SUPPRESS)  # refused with a reason rather than "unrecognized"
    p.set_defaults(func=run)


class _Stop(Exception):
    """SIGTERM: stop watching as Ctrl-C does."""


def run(args) -> int:
    from opgen import outputs, watch
    from opgen.render import source_date_epoch

    if args.host is not None and args.host != watch.HOST:
        raise UserError(f"opgen watch serves the preview on {watch.HOST} only (this machine); --host "
                        f"{args.host} is refused. To show it elsewhere, build the papers with opgen build")
    plan = Path(args.plan)
    if plan.is_dir():
        raise UserError(f"{plan}: is a folder; opgen watch watches one plan file")
    if not plan.is_file():
        raise UserError(f"{plan}: no such file")
    if args.jobs < 1:
        raise UserError(f"-j {args.jobs}: give at least 1 worker process")
    source_date_epoch()  # a SOURCE_DATE_EPOCH no document can carry stops before anything starts
    names, refused = outputs.output_names([plan])
    if plan in refused:
        raise UserError(f"{plan}: {refused[plan]}")
    out_dir = Path(args.out) / names[plan]

    preview = watch.Preview(str(plan))
    try:
        server = watch.PreviewServer(preview, args.port, on_error=say)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UserError(f"port {args.port} on {watch.HOST} is in use; choose another with --port N "
                            f"(or --port 0 for a free one)") from None
        if e.errno == errno.EACCES:
            raise UserError(f"not allowed to listen on port {args.port}; use a port above 1023, e.g. "
                            f"--port 8000") from None
        raise UserError(f"cannot listen on {watch.HOST}:{args.port}: {e.strerror or e}") from None

    def build_event(event: dict) -> None:
        kind = event.get("event")
        if kind == "built":
            say(f"built {', '.join(event.get('paths', []))} ({event.get('seconds', 0):.1f}s)")
        elif kind == "failed":
            names_ = ", ".join(event.get("outputs", [])) or "the papers"
            say(f"{plan}: error: could not build {names_}: {event.get('error', '')}; the last good files stay")
        elif kind == "started" and event.get("outputs"):
            say(f"building {', '.join(event['outputs'])} in the background")
        elif kind == "done" and event.get("ok"):
            say(f"papers in {out_dir}/ are up to date")
        elif kind == "superseded":
            say("a newer save: the background build starts again")
        elif kind == "stopped":
            say("the background build was stopped; the last good papers stay (save again to rebuild)")

    reporter = watch.Reporter(say=say, diagnostics=lambda ds: print_diagnostics(ds, stream=sys.stdout),
                              build_event=build_event)
    background = watch.BackgroundBuild(plan, out_dir, args.jobs, build_event)
    watcher = watch.Watcher(plan, preview, reporter, background)

    import threading

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               name="opgen-watch-server", daemon=True)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):
        raise _Stop()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops, even if started with it ignored
    serving.start()
    print(f"opgen watch: previewing {plan} at {server.url}  (papers into {folder_text(out_dir)}; Ctrl-C to stop)",
          flush=True)
    try:
        watcher.run()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM while cleaning up changes nothing
        watcher.stop.set()
        preview.close()
        background.close()
        server.shutdown()
        server.server_close()
        signal.signal(signal.SIGTERM, previous)
    say("stopped watching")
    return 0
