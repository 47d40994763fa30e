"""What the command line prints to a terminal: the one colour decision, located diagnostics, one-line
messages and the build progress bar."""

from __future__ import annotations

import os
import sys

from opgen.diagnostics import ERROR, grouped
from opgen.terminal import escape_controls


def use_colour(stream, choice: str = "auto") -> bool:
    """Whether to colour output to `stream`: `--color always|never`, else only on a terminal that is not
    `TERM=dumb` and without NO_COLOR (https://no-color.org)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def folder_text(path) -> str:
    """A folder as a message names it: with one trailing slash, however it was typed ('out', 'out/')."""
    return os.path.join(str(path), "")


def say(message: str) -> None:
    """One line for the user on stderr, as `opgen: message`."""
    print(f"opgen: {escape_controls(message)}", file=sys.stderr)


def print_diagnostics(diagnostics, stream=None, strict: bool = False) -> None:
    """Print diagnostics as `file:line:col: severity: message` with a fix line, coloured on a terminal;
    many with one cause and one fix as one message with the count and the lines."""
    stream = stream or sys.stdout
    colour = use_colour(stream)
    for d in grouped(diagnostics):
        text = d.as_text()
        if colour:
            code = "31" if d.severity == ERROR or strict else "33"
            text = text.replace(f": {d.severity}: ", f": \033[1;{code}m{d.severity}\033[0m: ", 1)
        print(text, file=stream)


class Progress:
    """A progress bar on a terminal; plain lines elsewhere (CI logs)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.bar = stream.isatty() and not os.environ.get("CI") and total > 0

    def step(self, message: str) -> None:
        self.done += 1
        if self.bar:
            width = 24
            filled = width * self.done // self.total
            line = f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {message}"
            self.stream.write(line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()
        else:
            print(message, file=self.stream, flush=True)

    def note(self, message: str) -> None:
        if self.bar:
            self.stream.write("\r" + " " * 120 + "\r")
        print(message, file=self.stream, flush=True)


def build_callbacks(progress: "Progress"):
    """(on_built, on_failed) for opgen.outputs.run_tasks: one progress step per document built, one
    located line per document that failed (opgen build and opgen pack print the same)."""
    def on_built(job, paths, seconds: float) -> None:
        progress.step(f"built {', '.join(str(p) for p in paths)} ({seconds:.1f}s)")

    def on_failed(job, names, error: BaseException) -> None:
        progress.note(f"{job.path}: error: could not build {', '.join(names)}: {type(error).__name__}: {error}")

    return on_built, on_failed
