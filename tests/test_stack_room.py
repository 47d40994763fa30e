"""opgen.stack_room: deep, busy recursion run through `with_stack_room` maps no memory at each call
(CPython's frame-stack chunks, python/cpython#142183), and gives back what the function returns."""

from __future__ import annotations

import subprocess
import sys

import pytest

from opgen.stack_room import with_stack_room

# A loop deep in the stack whose calls cross the edge of a 16 KiB frame-stack chunk at some depth:
# counted by the mmap calls strace sees. Run in a fresh interpreter.
PROBE = r"""
import os, sys
from opgen.stack_room import with_stack_room

def leaf(n):
    return n + 1

def loop(depth):
    if depth:
        return loop(depth - 1)
    total = 0
    for i in range(2_000):
        total = leaf(total)
    return total

def busy():
    return [loop(depth) for depth in range(400)]

os.write(2, b"MARK-START\n")
{call}
os.write(2, b"MARK-END\n")
"""


def _mmaps(call: str) -> int:
    done = subprocess.run(["strace", "-e", "trace=mmap,write", "-o", "/dev/stdout", sys.executable, "-c",
                           PROBE.format(call=call)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "MARK-START" in line)
    end = next(i for i, line in enumerate(lines) if "MARK-END" in line)
    return sum(1 for line in lines[start:end] if line.startswith("mmap("))


def test_it_returns_what_the_function_returns_and_raises_what_it_raises():
    assert with_stack_room(divmod, 7, 2) == (3, 1)
    assert with_stack_room(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ZeroDivisionError):
        with_stack_room(divmod, 1, 0)


@pytest.mark.skipif(sys.version_info >= (3, 14) or sys.implementation.name != "cpython" or
                    subprocess.run(["which", "strace"], capture_output=True).returncode != 0,
                    reason="CPython before 3.14, with strace to count the calls")
def test_deep_calls_map_no_memory_at_each_call():
    plain = _mmaps("busy()")
    roomy = _mmaps("with_stack_room(busy)")
    assert plain > 100            # the probe does cross a chunk's edge in its loop, at some depth
    assert roomy <= 5, roomy      # with room: the one chunk the roomy frame asks for, and no more
