"""`opgen COMMAND ...`: the parser, the exit codes and the one error boundary. Each command lives in
its own module with `register(subparsers)` and `run(args)`; this module only dispatches to it and turns
a UserError into one line and exit 2, and any other failure into one line naming it a bug; never a
traceback."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from opgen import __version__
from opgen.cli import build, diff, history, init, migrate, new, pack, return_, schema, validate, watch
from opgen.cli.output import say
from opgen.diagnostics import UserError
from opgen.stack_room import with_stack_room

EXIT_OK, EXIT_TROUBLE = 0, 2
COMMANDS = (validate, build, watch, pack, diff, history, new, init, migrate, return_, schema)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a hint, as argparse does, minus the noise
        self.print_usage(sys.stderr)
        sys.stderr.write(f"opgen: {message}\n  try: {self.prog} --help\n")
        raise SystemExit(EXIT_TROUBLE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="opgen", description="NHS operational plans as code: validate plans, build board "
                                               "papers, and show what changed between versions.")
    parser.add_argument("--version", action="version", version=f"opgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _terminate_cleanly() -> None:
    """SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so temporary files and worker processes are
    cleaned up on the way out; the exit code is the conventional 128 + 15."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (opgen called from a thread): leave signals alone
        pass


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_TROUBLE
    _terminate_cleanly()
    try:
        return with_stack_room(args.func, args)   # room for deep calls (a -j 1 build's layouts)
    except UserError as e:
        say(str(e))
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        say(f"internal error: {type(e).__name__}: {e}\n  this is a bug in opgen, not in your plan; "
            f"please report it with the plan file (set OPGEN_DEBUG=1 for details)")
        if os.environ.get("OPGEN_DEBUG"):
            import traceback
            traceback.print_exc()
        return EXIT_TROUBLE
