"""`opgen watch` speed (issue 13, deliverable 1): from a save to the new preview being ready to serve.

A real `opgen watch` process on a copy of the plan (default South Kent Coast), read as a browser does:
the Server-Sent Events stream announces each new version the moment it can be served.

1. Cold preview: from starting `opgen watch` to the first preview announced (Python start-up, imports,
   first render with cold template caches), and the fast path's own time as the watcher reports it.
2. Edit -> preview: five one-field edits (the plan's title), each saved as an editor does (temporary
   file renamed over the plan), timed from the rename to the version event; the median. The
   background build of the papers starts after each good save and competes for the CPU, as it does
   for an author. Target: median <= 0.5 s.
3. Where the fast path's time goes, in this process: load, validate + rules + model, HTML (median of 5,
   warm), as shares of the whole.

Ratios are of the same run (edit against cold preview). Run: .venv/bin/python bench/bench_watch.py
[--plan PLAN] [--edits 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import SKC  # noqa: E402

ENV = dict(os.environ, SOURCE_DATE_EPOCH="1420070400", CI="1", NO_COLOR="1", PYTHONUNBUFFERED="1")


class Events:
    """The version events of /events."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.buffer = b""
        self._until(b"\r\n\r\n")

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("opgen watch closed the event stream")
            self.buffer += chunk
        part, self.buffer = self.buffer.split(marker, 1)
        return part

    def next_version(self) -> int:
        while True:
            block = self._until(b"\n\n").decode()
            if "event: version" in block:
                return int(re.search(r"^data: (\d+)$", block, re.M)[1])


def fast_path_profile(plan: Path, runs: int = 5) -> dict[str, float]:
    from opgen.load import load_bytes
    from opgen.validate import validate_and_build
    from opgen.watch import preview_document

    raw = plan.read_bytes()
    times: dict[str, list[float]] = {"load": [], "validate, rules, model": [], "HTML": []}
    for i in range(runs + 1):
        t0 = time.perf_counter()
        doc = load_bytes(raw, str(plan))
        t1 = time.perf_counter()
        diagnostics, model = validate_and_build(doc)
        t2 = time.perf_counter()
        preview_document(model, diagnostics)
        t3 = time.perf_counter()
        if i:  # the first run warms caches (templates, schema), as the watcher's first version does
            times["load"].append(t1 - t0)
            times["validate, rules, model"].append(t2 - t1)
            times["HTML"].append(t3 - t2)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", type=Path, default=SKC)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plan = tmp / args.plan.name
        shutil.copy(args.plan, plan)
        text = plan.read_text(encoding="utf-8")
        title = re.search(r"^  title: (.+)$", text, re.M)
        assert title, "the plan has no plan.title line to edit"

        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "opgen", "watch", str(plan), "--port", "0",
                                    "--out", str(tmp / "out")], cwd=tmp, env=ENV, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            first = process.stdout.readline()
            port = int(re.search(r"127\.0\.0\.1:(\d+)", first)[1])
            events = Events(port)
            version = events.next_version()
            while version < 1:
                version = events.next_version()
            cold = time.perf_counter() - started

            edits = []
            for i in range(args.edits):
                time.sleep(1.0)  # an author's pause; the background build keeps running meanwhile
                new = text.replace(title[0], f"  title: {title[1]} (edit {i + 1})", 1)
                tmp_file = plan.with_name(f".{plan.name}.swp")
                tmp_file.write_text(new, encoding="utf-8")
                t0 = time.perf_counter()
                os.replace(tmp_file, plan)
                version = events.next_version()
                edits.append(time.perf_counter() - t0)
        finally:
            process.terminate()
            try:
                _, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
        reported = [float(x) for x in re.findall(r"preview updated in ([0-9.]+)s", stderr)]

    median = statistics.median(edits)
    print(f"plan: {args.plan.name}; {os.cpu_count()} CPUs, load average at start {load_before:.1f}, "
          f"at end {os.getloadavg()[0]:.1f} (others' work on the machine slows every figure)")
    print(f"cold preview (start opgen watch -> first preview served): {cold:.2f} s"
          + (f"; its fast path {reported[0]:.2f} s" if reported else ""))
    print(f"edit -> preview ready (median of {len(edits)}): {median:.3f} s  "
          f"[{', '.join(f'{e:.3f}' for e in edits)}]  target <= 0.5 s: {'met' if median <= 0.5 else 'NOT met'}")
    if len(reported) > 1:
        print(f"  of which the fast path (as the watcher reports it, median): {statistics.median(reported[1:]):.3f} s")
    print(f"ratio edit / cold preview: {median / cold:.3f}")
    profile = fast_path_profile(args.plan)
    total = sum(profile.values())
    print(f"fast path in this process, warm (median of 5): {total:.3f} s = "
          + ", ".join(f"{k} {v:.3f} s ({v / total:.0%})" for k, v in profile.items()))


if __name__ == "__main__":
    main()
