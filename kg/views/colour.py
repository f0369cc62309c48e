"""Colour for the terminal: only on a terminal, never in a pipe or a file, and never when
``NO_COLOR`` is set to anything (https://no-color.org) or ``TERM`` is ``dumb``.

Colour is added after the text is escaped (kg/core/textsafe.py ``terminal``), so no
escape sequence in the data can reach the screen, and none of ours is counted as width.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

STYLES = {
    "bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34",
    "magenta": "35", "cyan": "36",
}
# what each exposure status looks like: in force now, coming, undecided, over
STATUS_STYLE = {"current": "red", "upcoming": "yellow", "pending": "cyan", "ended": "dim"}


def enabled(stream: TextIO | None = None) -> bool:
    """Whether to colour what goes to ``stream`` (stdout by default)."""
    stream = stream if stream is not None else sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, on: bool = True) -> str:
    """``text`` in ``style`` (a name of STYLES, or several joined by '+'), when ``on``."""
    codes = ";".join(STYLES[s] for s in style.split("+") if s in STYLES)
    if not on or not codes or not text:
        return text
    return f"\x1b[{codes}m{text}\x1b[0m"
