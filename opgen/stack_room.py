"""Room on the interpreter's frame stack for deep, busy recursion (WeasyPrint laying out and drawing a
document), so that calls there do not map and unmap memory.

CPython (3.11 to 3.13) keeps its frames in chunks of 16 KiB, mapped with mmap when a call does not fit
in the current one and unmapped when that call returns (python/cpython#142183, fixed in 3.14): a loop
deep in the call stack whose calls cross a chunk's edge maps and unmaps a chunk, and faults its pages
in afresh, at every call. WeasyPrint's layout does: a 20-page part of the full plan made 13,285
mmap/munmap pairs; laid out through `with_stack_room`, 36 (the 42-page part's page faults 60,100 ->
27,700, its system time 0.27 -> 0.07 s).

`with_stack_room(fn, *args)` calls fn from a frame whose code declares an evaluation stack of 1 MiB that
it never uses: the interpreter gives that frame a chunk of its own, twice that size, and fn and all it
calls run in the room after it. The room is address space: only the pages frames are written to are
ever touched."""

from __future__ import annotations

from typing import Any, Callable

ROOM_SLOTS = 128 * 1024   # stack slots (8 bytes each): 1 MiB


def _call(fn: Callable, args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


try:  # the frame's size comes from its code's declared stack depth
    _call.__code__ = _call.__code__.replace(co_stacksize=ROOM_SLOTS)
except (AttributeError, TypeError, ValueError):   # an interpreter without CPython's code objects
    pass


def with_stack_room(fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs), from a frame with room after it (see the module's docstring)."""
    return _call(fn, args, kwargs)
