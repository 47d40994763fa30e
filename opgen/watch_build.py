"""`opgen watch`'s background build, run as its own process (`python -m opgen.watch_build PLAN OUT
[-j N]`): the plan file's content comes on stdin (the version the preview showed, not whatever the
file holds by the time this starts), the documents `opgen build` writes are built with the build
engine (opgen.outputs: same files, same cache, atomic writes) and each event goes to stdout as one
line of JSON for the watcher to report.

Its own process, at a lower priority (nice 10) than the preview, so that a newer save can stop it at once: SIGTERM unwinds it (a temporary file being
written is removed; the last good output stays where it was), and it dies with the watcher."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from opgen.render_pool import die_with_parent
from opgen.stack_room import with_stack_room


def _emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def build(path: Path, out_dir: Path, plan_bytes: bytes, jobs: int) -> int:
    """Build what is out of date for one plan; 0 when everything wanted is (now) up to date."""
    from opgen import outputs

    wanted = outputs.wanted_outputs("all")
    job = outputs.prepare(path, out_dir, wanted, plan_bytes=plan_bytes)
    if job.failed:
        _emit("skipped", reason=job.problem or "the plan has errors")
        return 1
    tasks = outputs.tasks_for([job])
    _emit("started", outputs=list(job.pending))

    def on_built(job, paths, seconds: float) -> None:
        _emit("built", paths=[str(p) for p in paths], seconds=round(seconds, 3))

    def on_failed(job, names, error: BaseException) -> None:
        _emit("failed", outputs=list(names), error=f"{type(error).__name__}: {error}")

    outputs.run_tasks(tasks, jobs, on_built=on_built, on_failed=on_failed)
    outputs.write_cache(job)
    _emit("done", ok=not job.not_built, outputs=sorted(job.built))
    return 1 if job.not_built else 0


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the watcher decides when this stops
    die_with_parent()   # when the watcher dies, even by kill -9
    try:  # the preview is what the author waits for: the papers take the CPU it leaves
        os.nice(10)
    except (AttributeError, OSError):
        pass
    args = list(sys.argv[1:] if argv is None else argv)
    jobs = 1
    if len(args) == 4 and args[2] == "-j":
        jobs = max(1, int(args[3]))
        args = args[:2]
    if len(args) != 2:
        sys.stderr.write("usage: python -m opgen.watch_build PLAN OUT_DIR [-j N] < plan-content\n")
        return 2
    plan_bytes = sys.stdin.buffer.read()
    try:
        return with_stack_room(build, Path(args[0]), Path(args[1]), plan_bytes, jobs)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - reported by the watcher as one line, never a traceback
        _emit("failed", outputs=[], error=f"{type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # the watcher went away
        raise SystemExit(1)
