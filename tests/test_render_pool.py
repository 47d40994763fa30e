"""The worker processes of `opgen build -j N` (opgen.render_pool): each task in a fresh process forked
from a warm render server; results and errors come back, a worker that dies is reported, never waited
for forever."""

from __future__ import annotations

import gc
import os
import signal
import time

import pytest

from opgen.render_pool import RenderPool, WorkerDied


def _pid_and_collector(_):
    return os.getpid(), gc.isenabled()


def _square(n):
    return n * n


def _fail(message):
    raise ValueError(message)


def _die(_):
    os.kill(os.getpid(), signal.SIGKILL)


def _environ(name):
    return os.environ.get(name)


def _sleep(seconds):
    time.sleep(seconds)
    return seconds


def test_results_come_back_in_order_each_task_in_its_own_process():
    with RenderPool(2) as pool:
        assert pool.map(_square, range(7)) == [n * n for n in range(7)]
        seen = pool.map(_pid_and_collector, range(4))
    pids = [pid for pid, _ in seen]
    assert len(set(pids)) == 4 and os.getpid() not in pids   # nothing a task leaves behind reaches the next
    assert not any(collecting for _, collecting in seen)      # a worker's memory goes back whole when it ends


def test_an_error_comes_back_as_itself():
    with RenderPool(2) as pool:
        future = pool.submit(_fail, "the plan's part could not be laid out")
        with pytest.raises(ValueError, match="could not be laid out"):
            future.result(timeout=60)
        assert pool.submit(_square, 3).result(timeout=60) == 9   # the pool goes on


def test_a_worker_that_dies_is_reported_not_waited_for():
    with RenderPool(1) as pool:
        future = pool.submit(_die, None)
        with pytest.raises(WorkerDied, match="out of memory"):
            future.result(timeout=60)
        assert pool.call(_square, 4) == 16


def test_call_runs_at_once_beside_busy_workers():
    """The merge waits for its contents: that layout does not queue behind the documents."""
    with RenderPool(1) as pool:
        busy = pool.submit(_sleep, 3)
        started = time.monotonic()
        assert pool.call(_square, 5) == 25
        assert time.monotonic() - started < 2.5 and not busy.done()
        assert busy.result(timeout=60) == 3


def test_shutdown_with_kill_ends_the_running_tasks():
    pool = RenderPool(2)
    futures = [pool.submit(_sleep, 30) for _ in range(4)]
    time.sleep(1.5)
    started = time.monotonic()
    pool.shutdown(kill=True)
    assert time.monotonic() - started < 10
    assert all(f.done() for f in futures)
    assert sum(f.cancelled() for f in futures) >= 2   # the queued ones never started


def test_a_task_sees_the_environment_as_it_is_now(monkeypatch):
    """The server may have started long before (a test suite, a watch session): SOURCE_DATE_EPOCH
    and the like are the build's, not the server's."""
    with RenderPool(1) as pool:
        pool.call(_square, 1)    # the server is running
        monkeypatch.setenv("OPGEN_TEST_SETTING", "now")
        assert pool.call(_environ, "OPGEN_TEST_SETTING") == "now"
        monkeypatch.delenv("OPGEN_TEST_SETTING")
        assert pool.submit(_environ, "OPGEN_TEST_SETTING").result(timeout=60) is None
