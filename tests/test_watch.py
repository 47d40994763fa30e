"""`opgen watch` as an author meets it: a real process serving on a free port of 127.0.0.1, the page
fetched over HTTP, the Server-Sent Events stream read, the plan file edited (as an editor saves: a
temporary file renamed over it), broken, fixed, and the process stopped with Ctrl-C or SIGTERM."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from opgen.watch import NotLoopback, Preview, PreviewServer, asset_path, banner
from watch_cdp import Browser, chromium_path
from test_installed import installed  # noqa: F401 - the fixture: the wheel in a fresh environment

ROOT = Path(__file__).resolve().parent.parent
THANET = ROOT / "plans" / "thanet-2015-16.yaml"
MISSION = "To transform the health of people living and working in Thanet"


def save(path: Path, text: str) -> None:
    """Save as most editors do: write a temporary file beside it, then rename it over the plan."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Watch:
    """`opgen watch` in a subprocess: its URL from the first line it prints, its stderr in a file."""

    def __init__(self, workdir: Path, plan: Path, *extra: str, opgen=(sys.executable, "-m", "opgen"),
                 env: dict | None = None):
        self.workdir = workdir
        self.stderr_path = workdir / "watch.stderr"
        self._stderr = self.stderr_path.open("wb")
        env = {**(env or os.environ), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
        env.pop("OPGEN_DEBUG", None)
        self.process = subprocess.Popen(
            [*map(str, opgen), "watch", str(plan), "--port", "0", "--out", str(workdir / "out"), *extra],
            cwd=workdir, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        self.first_line = self._readline(timeout=60)
        assert "http://127.0.0.1:" in self.first_line, (self.first_line, self.stderr())
        self.port = int(self.first_line.split("http://127.0.0.1:")[1].split("/")[0])
        self.stdout_lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _readline(self, timeout: float) -> str:
        box: list[bytes] = []
        reader = threading.Thread(target=lambda: box.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return box[0].decode() if box else ""

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.stdout_lines.append(line.decode())

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": host} if host else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, dict(response.getheaders())

    def page(self) -> str:
        status, body, _ = self.get("/")
        assert status == 200
        return body.decode("utf-8")

    def wait_stderr(self, text: str, timeout: float = 240, *, times: int = 1) -> None:
        """Wait until `text` has been printed `times` times in all."""
        deadline = time.monotonic() + timeout
        while self.stderr().count(text) < times:
            assert self.process.poll() is None, self.stderr()
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.stderr()}"
            time.sleep(0.2)

    def stop(self, sig=signal.SIGINT, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self._stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


class Events:
    """A Server-Sent Events client: the `version` events of /events, one at a time."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        assert b"text/event-stream" in head

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        part, self.buffer = self.buffer.split(marker, 1)
        return part

    def next_version(self) -> int:
        while True:
            fields = dict(line.split(": ", 1) for line in self._until(b"\n\n").decode().splitlines()
                          if ": " in line and not line.startswith(":"))
            if fields.get("event") == "version":
                return int(fields["data"])

    def wait_past(self, version: int) -> int:
        while True:
            newer = self.next_version()
            if newer > version:
                return newer

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    plan = tmp_path / "thanet.yaml"
    shutil.copy(THANET, plan)
    return plan


@pytest.fixture
def watching(plan_copy):
    watch = Watch(plan_copy.parent, plan_copy)
    yield watch
    watch.kill()


def first_good_version(watch: Watch, events: Events, text: str = MISSION) -> int:
    version = events.next_version()
    while text not in watch.page():
        version = events.wait_past(version)
    return version


def test_edit_reloads_the_preview_and_a_broken_save_keeps_the_last_good_page_and_papers(watching, plan_copy):
    events = Events(watching.port)
    version = first_good_version(watching, events)
    page = watching.page()
    assert 'new EventSource("/events")' in page and "location.reload()" in page
    assert "Thanet" in page and 'id="opgen-watch-banner" class="errors"' not in page

    # a one-field edit: the stream announces a new version and the page carries the new text
    text = plan_copy.read_text(encoding="utf-8")
    builds = watching.stderr().count("are up to date")   # the first version's build may be done already
    save(plan_copy, text.replace(MISSION, "To transform the wellbeing of everyone in Thanet"))
    version = events.wait_past(version)
    page = watching.page()
    assert "To transform the wellbeing of everyone in Thanet" in page and MISSION not in page

    # the papers are built in the background, as opgen build writes them: wait for the edit's build
    # (a build of the first version that ends after the save is announced too, and is not the one)
    out = plan_copy.parent / "out" / "thanet"
    while True:
        builds += 1
        watching.wait_stderr("are up to date", times=builds)
        if b"everyone in Thanet" in (out / "operational-plan.html").read_bytes():
            break
    papers = {name: (out / name).read_bytes() for name in
              ("operational-plan.pdf", "operational-plan.html", "plan-on-a-page.pdf", "annex.docx")}
    assert papers["operational-plan.pdf"].startswith(b"%PDF")
    assert b"everyone in Thanet" in papers["operational-plan.html"]
    assert b"EventSource" not in papers["operational-plan.html"]  # the reload script is only ever served
    # the very files opgen build makes: it finds them up to date and writes nothing
    built = subprocess.run([sys.executable, "-m", "opgen", "build", str(plan_copy), "--out", str(out.parent)],
                           cwd=plan_copy.parent, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0 and "(0 outputs written, 1 plan already up to date)" in built.stdout, built.stdout

    # a comment: nothing shown changes, so no new version and no rebuild
    status, _, headers = watching.get("/")
    save(plan_copy, text.replace(MISSION, "To transform the wellbeing of everyone in Thanet") + "# a comment\n")
    watching.wait_stderr("nothing the papers show changed")
    assert watching.get("/")[2]["X-Opgen-Version"] == headers["X-Opgen-Version"]

    # an invalid plan: the problems, located, over the last good preview; the papers stay as they were
    broken = text.replace("  title: Plan on a Page 2015/16", "  titel: Plan on a Page 2015/16")
    save(plan_copy, broken)
    version = events.wait_past(version)
    page = watching.page()
    assert 'id="opgen-watch-banner" class="errors"' in page
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "titel:" in row)
    assert f"thanet.yaml:{line}:3: error: unknown key &#x27;titel&#x27;" in page
    assert "fix: did you mean &#x27;title&#x27;?" in page
    assert "everyone in Thanet" in page   # the last good preview, under the banner
    time.sleep(0.3)
    assert any(f"thanet.yaml:{line}:3: error: unknown key 'titel'" in row for row in watching.stdout_lines)

    # broken YAML: same, and the watcher goes on
    save(plan_copy, text.replace("  title: Plan on a Page 2015/16", "  title: [Plan on a Page"))
    version = events.wait_past(version)
    page = watching.page()
    assert 'class="errors"' in page and "everyone in Thanet" in page
    time.sleep(1.0)
    assert {name: (out / name).read_bytes() for name in papers} == papers
    assert not list(out.glob(".*.tmp"))   # no half-written file left by a stopped build
    assert watching.process.poll() is None

    # the file gone for a moment (moved away): said in the page, and the watcher waits for it
    plan_copy.rename(plan_copy.with_suffix(".moved"))
    version = events.wait_past(version)
    assert "thanet.yaml: it no longer exists; waiting for it to be saved again." in watching.page()

    # fixed: the banner goes and the new text shows
    save(plan_copy, text.replace(MISSION, "Fixed and saved again, Thanet"))
    events.wait_past(version)
    page = watching.page()
    assert "Fixed and saved again, Thanet" in page and 'class="errors"' not in page
    events.close()
    assert watching.stop() == 0
    assert "Traceback" not in watching.stderr()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_exit_cleanly_and_release_the_port(watching, sig):
    events = Events(watching.port)
    first_good_version(watching, events)
    watching.wait_stderr("in the background")   # the background build is running: it must stop too
    assert watching.stop(sig) == 0
    stderr = watching.stderr()
    assert "Traceback" not in stderr and "stopped watching" in stderr
    events.close()
    with socket.socket() as s:   # the port is free again (SO_REUSEADDR, as servers do: only a listener blocks it)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", watching.port))
        s.listen()
    time.sleep(0.5)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"opgen.watch_build {watching.workdir}" not in ps and "opgen.watch_build thanet" not in ps


def test_only_the_previews_own_assets_are_served(watching):
    assert watching.get("/base.css")[0] == 200
    assert watching.get("/operational-plan.css")[0] == 200
    status, body, headers = watching.get("/fonts/Inter-Regular.otf")
    assert status == 200 and headers["Content-Type"] == "font/otf" and len(body) > 10_000
    for path in ("/../plan.schema.json", "/%2e%2e/plan.schema.json", "/fonts/../templates/base.css",
                 "/fonts/..%2f..%2fwatch.py", "/..%2fresources%2fplan.schema.json", "/operational-plan.html.j2",
                 "/fonts/LICENSE-Inter.txt", "/etc/passwd", "//etc/passwd", "/fonts/", "/%00base.css",
                 "/base.css%00.css", f"/{'..%2f' * 8}etc%2fpasswd", "/watch.stderr", "/thanet.yaml"):
        status, body, _ = watching.get(path)
        assert status == 404, path
        assert b"root:" not in body and b"$schema" not in body
    # a browser that goes away mid-answer is nothing to report
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", watching.port)) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.sendall(f"GET /fonts/Inter-Bold.otf HTTP/1.1\r\nHost: 127.0.0.1:{watching.port}\r\n\r\n".encode())
    time.sleep(0.5)
    assert watching.process.poll() is None and "Traceback" not in watching.stderr()
    # a page elsewhere that rebinds its domain to 127.0.0.1 gets nothing
    assert watching.get("/", host="evil.example:80")[0] == 403
    assert watching.get("/", host=f"localhost:{watching.port}")[0] == 200


def test_asset_paths_stay_inside_templates_and_fonts():
    assert asset_path("/base.css")[0].name == "base.css"
    assert asset_path("/fonts/Inter-Bold.otf")[0].name == "Inter-Bold.otf"
    for bad in ("/../resources/plan.schema.json", "/..%2fplan.schema.json", "/fonts/%2e%2e%2fbase.css",
                "/sub/base.css", "/_macros.html.j2", "/.css", "/fonts/.otf", "/%5c..%5cbase.css"):
        assert asset_path(bad) is None, bad


def test_the_server_refuses_non_loopback_addresses():
    preview = Preview("plan.yaml")
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
        with pytest.raises(NotLoopback):
            PreviewServer(preview, 0, host=host)
    server = PreviewServer(preview, 0)
    try:
        assert server.server_address[0] == "127.0.0.1" and server.url.startswith("http://127.0.0.1:")
    finally:
        server.server_close()


def _opgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opgen", "watch", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_bad_use_is_one_line_and_exit_2(plan_copy):
    cwd = plan_copy.parent
    for args, expected in [
        (["missing.yaml", "--port", "0"], "missing.yaml: no such file"),
        ([".", "--port", "0"], "is a folder"),
        ([str(plan_copy), "--host", "0.0.0.0"], "127.0.0.1 only"),
        ([str(plan_copy), "--port", "70000"], "is not a port"),
        ([str(plan_copy), "--port", "http"], "is not a port"),
    ]:
        result = _opgen(*args, cwd=cwd)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _opgen(str(plan_copy), "--port", str(port), cwd=cwd)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_banner_lists_errors_and_folds_warnings():
    from opgen.diagnostics import Diagnostic

    err = Diagnostic("p.yaml", 3, 5, "error", "schema", "unknown key 'x' <b>", hint="remove it")
    warn = Diagnostic("p.yaml", 9, 1, "warning", "tbc", "value is still TBC")
    text = banner([err, warn], ok=False, plan_name="p.yaml", has_preview=True)
    assert "p.yaml has 1 error; below is the last version that built" in text
    assert "p.yaml:3:5: error: unknown key &#x27;x&#x27; &lt;b&gt;" in text and "fix: remove it" in text
    assert "<details><summary>1 warning" in text
    assert banner([], ok=True, plan_name="p.yaml", has_preview=True) == ""


def test_watch_from_a_normal_install_serves_its_packaged_assets_and_builds(installed):
    """The wheel, installed non-editably, run outside the checkout: the assets come from the package."""
    work = installed.work / "watching"
    work.mkdir()
    assert installed("new", "mine.yaml", cwd=work).returncode == 0
    watch = Watch(work, work / "mine.yaml", opgen=[installed.opgen], env=installed.env)
    try:
        events = Events(watch.port)
        first_good_version(watch, events, text='<main id="main"')  # the plan's web edition, not the placeholder
        assert 'class="errors"' not in watch.page()
        assert watch.get("/base.css")[0] == 200 and watch.get("/fonts/Inter-Regular.otf")[0] == 200
        watch.wait_stderr("are up to date")
        assert (work / "out" / "mine" / "operational-plan.pdf").read_bytes().startswith(b"%PDF-")
        events.close()
        assert watch.stop() == 0 and "Traceback" not in watch.stderr()
    finally:
        watch.kill()


@pytest.mark.skipif(chromium_path() is None, reason="needs Chromium (Debian package chromium)")
def test_a_browser_reloads_on_save_where_the_reader_was_and_shows_problems_on_top(watching, plan_copy, tmp_path):
    events = Events(watching.port)
    first_good_version(watching, events)
    browser = Browser()
    try:
        browser.call("Page.navigate", url=f"http://127.0.0.1:{watching.port}/")
        browser.wait_for(f"document.readyState === 'complete' && document.body.innerText.includes({MISSION!r})")
        # the web edition's own Inter (inline, subset), loaded: nothing fetched from anywhere
        assert browser.wait_for("document.fonts.status === 'loaded' && [...document.fonts].some("
                                "f => f.family.replace(/\"/g, '') === 'Inter' && f.status === 'loaded')")
        browser.evaluate("window.scrollTo(0, 1500); window.beforeSave = true")
        assert browser.evaluate("window.scrollY") == 1500

        text = plan_copy.read_text(encoding="utf-8")
        save(plan_copy, text.replace(MISSION, "To transform the wellbeing of everyone in Thanet"))
        browser.wait_for("!window.beforeSave && document.readyState === 'complete' && "
                         "document.body.innerText.includes('the wellbeing of everyone in Thanet')")
        assert browser.wait_for("window.scrollY === 1500")   # the reader's place, kept

        save(plan_copy, text.replace("  title: Plan on a Page 2015/16", "  titel: Plan on a Page 2015/16"))
        banner_text = browser.wait_for("(document.querySelector('#opgen-watch-banner.errors') || {}).innerText")
        assert "error: unknown key 'titel'" in banner_text and "fix: did you mean 'title'?" in banner_text
        # on top of the page where the reader is, over the last good preview
        assert browser.evaluate("document.getElementById('opgen-watch-banner').getBoundingClientRect().top") == 0
        assert browser.evaluate("document.body.innerText.includes('the wellbeing of everyone in Thanet')")
        browser.wait_for("document.readyState === 'complete' && document.fonts.status === 'loaded'")
        shot = browser.call("Page.captureScreenshot", format="png")["data"]  # to look at, in the test's tmp_path
        (tmp_path / "broken-save.png").write_bytes(__import__("base64").b64decode(shot))
    finally:
        browser.close()
        events.close()
