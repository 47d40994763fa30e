"""Text bound for a terminal (or a log, or git's pager): plan text may carry escape sequences and
other control characters that would move the cursor, retitle the window or hide what follows. Every
such character is shown as a visible escape instead (ESC as `\\x1b`), so what is printed is exactly
what is in the plan, and nothing in it can act on the terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
# (which can make text read in a different order than it is written).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character written out visibly."""
    return _CONTROL.sub(_visible, text)


_PAINT = re.compile("\ue000([0-9;]+)\ue001")


def paint(text: str, sgr: str, colour: bool) -> str:
    """`text` marked for the colour `sgr` (an ANSI SGR code such as "1;31") when `colour`; the marks
    become escape sequences only in `finish`, after the text has been escaped."""
    return f"\ue000{sgr}\ue001{text}\ue002" if colour and text else text


def finish(text: str) -> str:
    """Escape the text, then turn `paint` marks into colour sequences (marks forged inside plan text
    can only ever produce a colour)."""
    text = escape_controls(text)
    return _PAINT.sub(lambda m: f"\033[{m.group(1)}m", text).replace("\ue002", "\033[0m")
