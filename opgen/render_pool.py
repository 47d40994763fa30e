"""The worker processes of a build with -j N: each task (a part of the full plan to lay out, a document
to render) runs in a fresh process, forked from a render server that has already imported the renderers,
parsed the board papers' stylesheets and set up the fonts, and the process ends with its task.

Why a fresh process a task: WeasyPrint's boxes and styles reference each other in cycles, so a
long-lived worker pays Python's cycle collector to scan them while it lays out and to free them after
(about 15% of a long part's time, measured in bench/bench_scale.py). A process that ends with its task
runs with the collector off and leaves its memory to the operating system. Forked from the warm server,
it starts in milliseconds with the stylesheets parsed (0.4-0.7 s a process otherwise).

The server is multiprocessing's "forkserver" (started by `start_server`, early, so it warms up while
the build process loads the plans); where a platform has none (Windows), tasks run in spawned
processes, each importing the renderers itself. A worker asks the kernel to end it when its parent
dies (Linux), and the server ends when the build process does, so a cancelled build leaves no renderer
running.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable

from opgen.stack_room import with_stack_room

# Imported by the server before it forks a worker: see opgen/render/preload.py.
PRELOAD = ["opgen.render.preload"]


class WorkerDied(RuntimeError):
    """A worker process ended (killed, out of memory, crashed) before it returned its task's result."""


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def start_server() -> None:
    """Start the render server now (it imports and warms up in the background), so the first task
    does not wait for it. Does nothing where there is no server."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def die_with_parent() -> None:
    """On Linux, ask the kernel to end this process when its parent dies, even by kill -9."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _run_task(conn, fn: Callable, args: tuple, environ: dict[str, str]) -> None:
    """A worker: run one task, send ("ok", result) or ("error", exception) back, and end at once
    (no cycle collection while it runs, no clean-up after: the process's memory goes back whole).
    `environ`: the build process's environment as it is now (SOURCE_DATE_EPOCH...), not as it was
    when the server started."""
    gc.disable()
    die_with_parent()
    if environ != os.environ:
        os.environ.clear()
        os.environ.update(environ)
    try:
        outcome = ("ok", with_stack_room(fn, *args))   # a layout's deep calls: no memory mapped at each
    except BaseException as e:  # noqa: BLE001 - every failure goes back to the build as its error
        outcome = ("error", e)
    try:
        conn.send(outcome)
    except Exception as e:  # noqa: BLE001 - an exception that cannot be pickled: send its text
        conn.send(("error", RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}" if outcome[0] == "error"
                                         else f"the result could not be sent back: {e}")))
    conn.close()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class RenderPool:
    """At most `workers` tasks at once, each in a fresh process. `submit` returns a
    concurrent.futures.Future; `map` the results in order; `call` runs one at once and waits for it;
    `shutdown(kill=True)` ends the running processes and drops the queued tasks (an interrupted build)."""

    def __init__(self, workers: int):
        self._context = _context()
        self._threads = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="opgen-render")
        self._running: set = set()
        self._lock = threading.Lock()
        self._killed = False

    def submit(self, fn: Callable, *args: Any) -> Future:
        return self._threads.submit(self._in_process, fn, args)

    def call(self, fn: Callable, *args: Any):
        """fn(*args) in a fresh process started now, beside the running tasks, waited for: for a caller
        that has nothing else to do meanwhile (the merge waiting for its contents), so the processes
        busy at once stay one per worker."""
        return self._in_process(fn, args)

    def map(self, fn: Callable, items: Iterable) -> list:
        return [future.result() for future in [self.submit(fn, item) for item in items]]

    def _in_process(self, fn: Callable, args: tuple):
        receive, send = self._context.Pipe(duplex=False)
        try:
            process = self._context.Process(target=_run_task, args=(send, fn, args, dict(os.environ)), daemon=True)
            with self._lock:
                if self._killed:
                    raise CancelledError()
                process.start()
                self._running.add(process)
        except BaseException:   # not started (the build cancelled, the server gone): no pipe left open
            receive.close()
            send.close()
            raise
        send.close()
        try:
            try:
                status, value = receive.recv()
            except EOFError:
                process.join()
                raise WorkerDied(f"a worker process ended (exit code {process.exitcode}) before it finished "
                                 f"its task; the machine may be out of memory") from None
            finally:
                receive.close()
            process.join()
        finally:
            self._running.discard(process)
        if status == "error":
            raise value
        return value

    def shutdown(self, *, kill: bool = False) -> None:
        if kill:
            self._threads.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self._killed = True
                for process in list(self._running):
                    process.kill()
        self._threads.shutdown(wait=True)

    def __enter__(self) -> "RenderPool":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.shutdown(kill=kind is not None)
