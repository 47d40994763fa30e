"""`opgen watch`: rebuild a plan's papers on every save and serve a live preview on 127.0.0.1.

- `Watcher` polls the plan file (size, mtime, inode, then a hash, every 150 ms: an editor's atomic
  rename is a new inode), and on a change runs the fast path (load, validate, model, HTML) in the
  calling thread, publishes the new preview, and hands the same bytes to `BackgroundBuild`.
- `Preview` holds what is served: the last good preview, the problems of the latest save, a version
  number that Server-Sent Events announce.
- `PreviewServer` (standard library http.server) serves the page, `/events`, and the page's relative
  assets from opgen's own templates and fonts folders; nothing else. It binds to loopback only.
- `BackgroundBuild` runs opgen.watch_build in a process of its own: the PDFs and the Word annex with
  the build engine (opgen.outputs), held while a save is previewed, superseded (stopped, then
  restarted) by a newer good save.

Prints nothing itself: the command line (opgen/cli/watch.py) passes in how to report.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from opgen.diagnostics import ERROR, WARNING, Diagnostic, grouped
from opgen.resources import FONTS_DIR, TEMPLATES_DIR

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
POLL_SECONDS = 0.15
HEARTBEAT_SECONDS = 15.0
# What the preview's relative URLs may reach: (URL prefix, folder, file suffixes). Nothing else on disk.
ASSET_ROUTES = (("/fonts/", FONTS_DIR, {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff",
                                        ".woff2": "font/woff2"}),
                ("/", TEMPLATES_DIR, {".css": "text/css; charset=utf-8"}))
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def preview_document(plan, diagnostics: list[Diagnostic]) -> str:
    """The preview of a plan: the full operational plan's web edition (self-contained: its CSS and
    fonts inside the page), the page `opgen build` writes as operational-plan.html."""
    from opgen.render.web import operational_plan_web

    return operational_plan_web(plan, diagnostics)


# --- what is served ---------------------------------------------------------------------------------

@dataclass
class Snapshot:
    """One version of the preview as served."""

    version: int
    page: bytes
    nonce: str
    ok: bool                      # the latest save built (else the page shows the last good one, or none)
    problems: list[Diagnostic] = field(default_factory=list)


class Preview:
    """The served state, shared by the watcher (writer) and the server's threads (readers)."""

    def __init__(self, plan_name: str):
        self.plan_name = plan_name
        self.good_html: str | None = None
        self._cond = threading.Condition()
        self._closed = False
        self.snapshot = self._make(0, None, [], ok=True, note="Building the preview…")

    def _make(self, version: int, body: str | None, problems: list[Diagnostic], ok: bool,
              note: str = "") -> Snapshot:
        nonce = secrets.token_urlsafe(12)
        page = served_page(body, problems, version, nonce, self.plan_name, ok=ok, note=note)
        return Snapshot(version, page.encode("utf-8"), nonce, ok, list(problems))

    def publish_good(self, document: str, diagnostics: list[Diagnostic]) -> int:
        """A save that built: its preview (warnings in the banner), from now on the last good one."""
        with self._cond:
            self.good_html = document
            return self._publish(document, [d for d in diagnostics], ok=True)

    def publish_problems(self, diagnostics: list[Diagnostic], note: str = "") -> int:
        """A save that did not build: its problems over the last good preview (if any)."""
        with self._cond:
            return self._publish(self.good_html, diagnostics, ok=False, note=note)

    def _publish(self, body, diagnostics, ok: bool, note: str = "") -> int:
        self.snapshot = self._make(self.snapshot.version + 1, body, diagnostics, ok=ok, note=note)
        self._cond.notify_all()
        return self.snapshot.version

    def wait_newer(self, version: int, timeout: float) -> Snapshot | None:
        """The snapshot once it is newer than `version` (None on timeout or when closing)."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self.snapshot.version != version, timeout)
            return None if self._closed or self.snapshot.version == version else self.snapshot

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


_BANNER_CSS = """
#opgen-watch-banner { position: relative; top: 0; z-index: 1000; margin: 0; padding: 10px 16px;
  font: 14px/1.45 "Inter", system-ui, sans-serif; color: #212B32; background: #FFF9EB;
  border-bottom: 4px solid #FFB81C; box-shadow: 0 2px 6px rgba(0,0,0,.15); max-height: 45vh; overflow: auto; }
#opgen-watch-banner.errors { position: sticky; background: #FDF1F1; border-bottom-color: #D5281B; }
#opgen-watch-banner h2 { font-size: 15px; margin: 0 0 6px; }
#opgen-watch-banner ol { margin: 0; padding-left: 20px; }
#opgen-watch-banner li { margin: 4px 0; }
#opgen-watch-banner code { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
  word-break: break-word; }
#opgen-watch-banner .fix { display: block; color: #4C6272; }
#opgen-watch-banner details summary { cursor: pointer; font-weight: 600; }
@media print { #opgen-watch-banner { display: none; } }
"""

_RELOAD_SCRIPT = """(function () {
  var version = "%(version)d", key = "opgen-watch-scroll:" + location.pathname;
  window.addEventListener("load", function () {
    try {
      var saved = sessionStorage.getItem(key);
      if (saved) { sessionStorage.removeItem(key); var at = JSON.parse(saved); window.scrollTo(at[0], at[1]); }
    } catch (e) {}
  });
  if (!window.EventSource) return;
  var events = new EventSource("/events");
  events.addEventListener("version", function (e) {
    if (e.data === version) return;
    try { sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY])); } catch (x) {}
    events.close();
    location.reload();
  });
})();"""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def banner(problems: list[Diagnostic], ok: bool, plan_name: str, has_preview: bool, note: str = "") -> str:
    """The problems of the latest save as a banner: errors listed in full (with what shows instead),
    warnings folded away under their count. Empty when there is nothing to say."""
    shown = list(grouped(problems))
    errors = [d for d in shown if d.severity == ERROR]
    warnings = [d for d in shown if d.severity == WARNING]
    if ok and not warnings and not note:
        return ""

    def items(ds: list[Diagnostic]) -> str:
        out = []
        for d in ds:
            where = f"{d.file}:{d.line}:{d.column}" if d.line else d.file
            text = f"{where}: {d.severity}: {d.message}" + (f" (at {d.yaml_path})" if d.yaml_path else "")
            fix = f'<span class="fix">fix: {html.escape(d.hint)}</span>' if d.hint else ""
            out.append(f"<li><code>{html.escape(text)}</code>{fix}</li>")
        return "<ol>" + "".join(out) + "</ol>"

    parts = []
    if not ok:
        count = _plural(len(errors), "error") if errors else "a problem"
        shows = "below is the last version that built" if has_preview else "nothing has built yet"
        head = note or f"{plan_name} has {count}; {shows}. Save a fix and this page updates."
        if note and has_preview:
            head = f"{note} Below is the last version that built."
        parts.append(f"<h2>{html.escape(head)}</h2>")
        if errors:
            parts.append(items(errors))
    elif note:
        parts.append(f"<h2>{html.escape(note)}</h2>")
    if warnings:
        parts.append(f"<details><summary>{_plural(len(warnings), 'warning')} (the papers still build)"
                     f"</summary>{items(warnings)}</details>")
    role = ' role="alert"' if not ok else ' role="status"'
    css_class = ' class="errors"' if not ok else ""
    return (f'<section id="opgen-watch-banner"{css_class}{role} aria-label="opgen watch: problems in the plan">'
            + "".join(parts) + "</section>")


def served_page(document: str | None, problems: list[Diagnostic], version: int, nonce: str, plan_name: str,
                *, ok: bool, note: str = "") -> str:
    """The preview as served: the document (or a placeholder page), the problems banner on top and the
    reload script; none of this is ever written to a built file."""
    bar = banner(problems, ok, plan_name, document is not None, note)
    style = f'<style id="opgen-watch-style">{_BANNER_CSS}</style>'
    script = f'<script id="opgen-watch-reload" nonce="{nonce}">{_RELOAD_SCRIPT % {"version": version}}</script>'
    if document is None:
        title = html.escape(f"{plan_name}: opgen watch")
        return (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>{style}'
                f'</head><body style="margin:0;font-family:system-ui,sans-serif">{bar}'
                f'<main style="padding:16px"><p>{html.escape(plan_name)}</p></main>{script}</body></html>')
    head_end = document.find("</head>")
    if head_end >= 0:
        document = document[:head_end] + style + document[head_end:]
    body = re.search(r"<body\b[^>]*>", document)
    if body:
        document = document[:body.end()] + bar + document[body.end():]
    else:
        document = bar + document
    end = document.rfind("</body>")
    return document[:end] + script + document[end:] if end >= 0 else document + script


# --- the server -----------------------------------------------------------------------------------

class NotLoopback(ValueError):
    """opgen watch serves on the loopback interface only."""


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def asset_path(url_path: str) -> tuple[Path, str] | None:
    """The file a preview asset URL names and its content type, or None: only a plain file name (no
    folders, no '..', no encoded slashes) with an allowed suffix, directly inside templates/ or fonts/."""
    path = unquote(url_path)
    for prefix, folder, types in ASSET_ROUTES:
        if not path.startswith(prefix):
            continue
        name = path[len(prefix):]
        if not _SAFE_NAME.fullmatch(name) or ".." in name:
            return None
        suffix = os.path.splitext(name)[1].lower()
        if suffix not in types:
            return None
        candidate = (folder / name).resolve()
        if candidate.parent != folder.resolve() or not candidate.is_file():
            return None
        return candidate, types[suffix]
    return None


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, preview: Preview, port: int = DEFAULT_PORT, host: str = HOST,
                 on_error: Callable[[str], None] | None = None):
        if not is_loopback(host):
            raise NotLoopback(f"opgen watch serves on 127.0.0.1 only, never on {host}")
        self.preview = preview
        self.on_error = on_error
        super().__init__((host, port), _Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that goes away mid-answer (a reload, a closed tab) is normal and says nothing;
        anything else is one line, never socketserver's traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or error is None:
            return
        if self.on_error:
            self.on_error(f"internal error serving the preview: {type(error).__name__}: {error} (a bug in opgen; "
                          f"the watcher goes on)")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "opgen-watch"
    timeout = 60  # an idle kept-alive connection is let go (the event stream writes, so is unaffected)
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal is for the plan's problems
        pass

    def _host_ok(self) -> bool:
        """Only requests addressed to this server by a loopback name (a page elsewhere cannot rebind a
        domain name to 127.0.0.1 and read the preview)."""
        host = (self.headers.get("Host") or "").strip()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        return name in ("127.0.0.1", "localhost", "[::1]")

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self._send(status, f"{status.value} {status.phrase}: {why}\n".encode(), "text/plain; charset=utf-8")

    def do_HEAD(self):  # noqa: N802
        self.do_GET()

    def do_GET(self):  # noqa: N802
        if not self._host_ok():
            return self._refuse(HTTPStatus.FORBIDDEN, "opgen watch answers only requests for 127.0.0.1")
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            snap = self.server.preview.snapshot
            csp = (f"default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
                   f"script-src 'nonce-{snap.nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'")
            return self._send(HTTPStatus.OK, snap.page, "text/html; charset=utf-8",
                              {"Content-Security-Policy": csp, "X-Opgen-Version": str(snap.version)})
        if path == "/events":
            return self._events()
        found = asset_path(path)
        if found is None:
            return self._refuse(HTTPStatus.NOT_FOUND, "not part of the preview")
        file, content_type = found
        return self._send(HTTPStatus.OK, file.read_bytes(), content_type)

    def _events(self) -> None:
        """Server-Sent Events: the current version at once, then each new one; a comment line now and
        then so a closed tab is noticed."""
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        snap = preview.snapshot
        try:
            self.wfile.write(f"retry: 500\nevent: version\ndata: {snap.version}\n\n".encode())
            self.wfile.flush()
            version, quiet = snap.version, 0.0
            while not preview.closed:
                newer = preview.wait_newer(version, timeout=0.5)
                if newer is not None:
                    version, quiet = newer.version, 0.0
                    self.wfile.write(f"event: version\ndata: {version}\n\n".encode())
                    self.wfile.flush()
                else:
                    quiet += 0.5
                    if quiet >= HEARTBEAT_SECONDS:
                        quiet = 0.0
                        self.wfile.write(b": still watching\n\n")
                        self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


# --- the background build ----------------------------------------------------------------------------

class BackgroundBuild:
    """The PDFs and the annex of the latest good save, built by one child process at a time; a newer
    request stops the running one (its outputs are written atomically, so the last good files stay)
    and starts over with the newest content."""

    def __init__(self, plan: Path, out_dir: Path, jobs: int, report: Callable[[dict], None]):
        self.plan, self.out_dir, self.jobs, self.report = plan, out_dir, jobs, report
        self._cond = threading.Condition()
        self._wanted: bytes | None = None
        self._process: subprocess.Popen | None = None
        self._paused = False
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="opgen-watch-build", daemon=True)
        self._thread.start()

    def submit(self, plan_bytes: bytes) -> None:
        """Build this content: at once when idle; else stop the running build and start this one."""
        with self._cond:
            self._wanted = plan_bytes
            if self._process is not None and self._process.poll() is None:
                self._stop(self._process)
            self._cond.notify_all()

    def pause(self) -> None:
        """Hold the running build (and its workers) while the preview is made: the author waits for the
        preview, and the build is probably about to be superseded anyway. `resume` lets it go on."""
        with self._cond:
            self._signal_group(getattr(signal, "SIGSTOP", None))
            self._paused = self._process is not None and hasattr(signal, "SIGSTOP")

    def resume(self) -> None:
        with self._cond:
            if self._paused:
                self._signal_group(signal.SIGCONT)
                self._paused = False

    def _signal_group(self, sig) -> None:
        process = self._process
        if sig is None or process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)   # its own session: the build and any workers it started
        except (OSError, AttributeError):
            pass

    def _stop(self, process: subprocess.Popen) -> None:
        try:
            process.terminate()
        except OSError:
            pass
        if self._paused and process is self._process:  # a held process must run to act on SIGTERM
            self._signal_group(signal.SIGCONT)
            self._paused = False

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closing or self._wanted is not None)
                if self._closing:
                    return
                content, self._wanted = self._wanted, None
                self._process = self._start(content)
                process = self._process
            if process is None:
                continue
            self._follow(process)

    def _start(self, content: bytes) -> subprocess.Popen | None:
        command = [sys.executable, "-m", "opgen.watch_build", str(self.plan), str(self.out_dir), "-j", str(self.jobs)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            self.report({"event": "failed", "outputs": [], "error": f"could not start the build: {e}"})
            return None
        try:
            process.stdin.write(content)
            process.stdin.close()
        except OSError:
            pass
        return process

    def _follow(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self.report(event)
        process.stdout.close()
        code = process.wait()
        with self._cond:
            superseded, closing = self._wanted is not None, self._closing
        if (code < 0 or code >= 128) and not closing:  # stopped by a newer save, or by someone else
            self.report({"event": "superseded" if superseded else "stopped"})

    def close(self, timeout: float = 5.0) -> None:
        """Stop any running build and wait for it (killed if it does not stop in `timeout`)."""
        with self._cond:
            self._closing = True
            self._wanted = None
            process = self._process
            if process is not None and process.poll() is None:
                self._stop(process)
            self._cond.notify_all()
        if process is not None:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout)


# --- the watcher ----------------------------------------------------------------------------------

@dataclass
class Reporter:
    """How the watcher tells the terminal what happened (the command line supplies these)."""

    say: Callable[[str], None]
    diagnostics: Callable[[list[Diagnostic]], None]
    build_event: Callable[[dict], None]


def _signature(path: Path):
    try:
        st = path.stat()
    except OSError as e:
        return ("missing", e.errno)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class Watcher:
    """Watch one plan file: on each change, rebuild the preview (fast path) and start the background
    build of the papers; a bad save shows its problems and changes nothing else."""

    def __init__(self, plan: Path, preview: Preview, reporter: Reporter, background: BackgroundBuild | None):
        self.plan, self.preview, self.reporter, self.background = plan, preview, reporter, background
        self._signature = None
        self._content_hash: str | None = None
        self._printed: list[str] | None = None
        self._good_key: str | None = None   # the model key of the last good preview
        self.stop = threading.Event()

    def check(self) -> bool:
        """Rebuild if the file changed since last looked at; True when a new version was published."""
        signature = _signature(self.plan)
        if signature == self._signature:
            return False
        self._signature = signature
        return self.rebuild()

    def rebuild(self) -> bool:
        started = time.perf_counter()
        try:
            raw = self.plan.read_bytes()
        except OSError as e:
            digest = f"unreadable:{e.errno}"
            if digest == self._content_hash:
                return False
            self._content_hash = digest
            why = "it no longer exists" if isinstance(e, FileNotFoundError) else f"cannot read it: {e.strerror}"
            note = f"{self.plan}: {why}; waiting for it to be saved again."
            self.reporter.say(note)
            self.preview.publish_problems([], note=note)
            return True
        digest = hashlib.sha256(raw).hexdigest()
        if digest == self._content_hash:
            return False  # touched, or saved unchanged
        self._content_hash = digest
        if self.background is not None:
            self.background.pause()
        try:
            return self._preview(raw, started)
        finally:
            if self.background is not None:
                self.background.resume()

    def _preview(self, raw: bytes, started: float) -> bool:
        try:
            version, ok, diagnostics, model_changed = self._fast_path(raw)
        except Exception as e:  # noqa: BLE001 - a bug must not stop the watcher; it is shown like a problem
            note = (f"internal error while previewing: {type(e).__name__}: {e} (a bug in opgen, not in your "
                    f"plan; please report it with the plan file)")
            self.reporter.say(note)
            self.preview.publish_problems([], note=note)
            return True
        seconds = time.perf_counter() - started
        texts = [d.as_text() for d in diagnostics]
        if texts != self._printed:  # the same warnings on every save would bury what changed
            self._printed = texts
            self.reporter.diagnostics(diagnostics)
        elif diagnostics and version is not None:
            self.reporter.say(f"{_plural(len(grouped(diagnostics)), 'problem')} as before (listed above)")
        if ok and model_changed and self.background is not None:
            self.background.submit(raw)
        if version is None:
            self.reporter.say("saved; the preview is unchanged" + ("" if model_changed else
                              " and nothing the papers show changed (a comment or the layout), so no rebuild"))
            return False
        if ok:
            self.reporter.say(f"preview updated in {seconds:.2f}s (version {version})")
        else:
            errors = sum(d.severity == ERROR for d in diagnostics)
            self.reporter.say(f"{self.plan} has {_plural(errors, 'error')}: the preview shows them over the last "
                              f"good version; the built papers are unchanged")
        return True

    def _fast_path(self, raw: bytes) -> tuple[int | None, bool, list[Diagnostic], bool]:
        """(the version published, or None when the page would not change; whether the plan built; its
        diagnostics; whether its model differs from the last good one's, i.e. the papers need a build).
        The preview is published first; the model's key (for the papers) is worked out after."""
        from opgen.outputs import model_key
        from opgen.pipeline import plan_from_bytes

        result = plan_from_bytes(raw, str(self.plan))
        diagnostics = list(result.report.diagnostics)
        if not result.ok:
            return self.preview.publish_problems(diagnostics), False, diagnostics, False
        document = preview_document(result.plan, diagnostics)
        if document == self.preview.good_html and self.preview.snapshot.ok:
            version = None   # a comment or a re-indent: the page stays as it is
        else:
            version = self.preview.publish_good(document, diagnostics)
        key = model_key(result.plan, diagnostics)
        changed, self._good_key = key != self._good_key, key
        return version, True, diagnostics, changed

    def run(self) -> None:
        """Poll until stopped (Ctrl-C reaches the caller as KeyboardInterrupt)."""
        self.check()
        while not self.stop.wait(POLL_SECONDS):
            self.check()
