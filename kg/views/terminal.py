"""Plain-text tables for the terminal: every cell escaped, the table fitted to the screen.

Widths are display columns, not characters: a CJK character takes two
(``unicodedata.east_asian_width`` W or F), a combining mark none. A table wider than the
screen (``COLUMNS``, else the terminal's width, else ``FALLBACK``) gives up room from its
widest columns first; a cell too long for its column is wrapped (in the columns asked to
wrap, on up to ``MAX_LINES`` lines) or abbreviated with an ellipsis.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable

from kg.core.textsafe import terminal

FALLBACK = 100  # columns when neither COLUMNS nor a terminal says (a pipe, a file)
MIN_COLUMN = 6  # no column is squeezed below this (or its natural width, if less)
MAX_LINES = 3  # lines a wrapped cell may take before it is abbreviated
GAP = "  "
ELLIPSIS = "…"
# (column, the cell's value, or None for the heading, and its padded text) -> text to print
Paint = Callable[[str, "str | None", str], str]


def screen_width(fallback: int = FALLBACK) -> int:
    """``COLUMNS`` when set to a number, else the terminal's width, else ``fallback``."""
    size = shutil.get_terminal_size((fallback, 24)).columns
    return size if size > 0 else fallback


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal."""
    return sum(char_width(c) for c in text)


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, ending in an ellipsis when shortened."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = char_width(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ELLIPSIS if width > 0 else ""


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


_PIECE = re.compile(r"[^\s;,/-]+[;,/-]?\s*|\s+|[;,/-]\s*")


def wrap(text: str, width: int, lines: int = MAX_LINES) -> list[str]:
    """``text`` broken into at most ``lines`` lines of ``width`` columns: at spaces and
    after ``; , / -`` where it can, anywhere in a word too long for a line (CJK text has no
    spaces); the last line ends in an ellipsis when text is left over."""
    raw: list[str] = []  # the lines as cut from the text, spaces kept
    line = ""
    for piece in _PIECE.findall(text):
        while piece:
            if display_width(line + piece.rstrip()) <= width:
                line += piece
                piece = ""
            elif line.strip():
                raw.append(line)
                line = "" if piece.strip() else line
                piece = piece.lstrip()
            else:  # one word wider than the line: break it
                head = cut(piece, width + 1)[:-1] if width > 0 else ""
                head = head or piece[:1]
                raw.append(head)
                piece = piece[len(head):]
    if line.strip():
        raw.append(line)
    out = [part.rstrip() for part in raw]
    if len(out) > lines:
        out = [*out[: lines - 1], cut("".join(raw[lines - 1:]).rstrip(), width)]
    return out or [""]


def fit_widths(natural: dict[str, int], floors: dict[str, int], total: int) -> dict[str, int]:
    """Column widths that fit ``total`` columns (gaps included) if they can: the widest
    column gives up a column at a time, down to its floor."""
    sizes = dict(natural)
    excess = sum(sizes.values()) + len(GAP) * (len(sizes) - 1) - total
    while excess > 0:
        shrinkable = [c for c in sizes if sizes[c] > floors[c]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda c: sizes[c])
        sizes[widest] -= 1
        excess -= 1
    return sizes


def text_table(rows: list[dict[str, str]], columns: list[str], widths: dict[str, int],
               empty: str = "(no rows)\n", *, headings: dict[str, str] | None = None,
               width: int | None = None, wrapped: tuple[str, ...] = (),
               paint: Paint | None = None, floors: dict[str, int] | None = None,
               optional: tuple[str, ...] = (), dropped: list[str] | None = None) -> str:
    """A plain-text table; every cell escaped for the terminal. ``widths`` caps columns
    (40 unless given); the table fits ``width`` columns (the screen's by default); the
    ``wrapped`` columns wrap, the others are abbreviated. No column is squeezed below its
    ``floors`` width (a few columns unless given); when the floors do not fit, the
    ``optional`` columns are left out, in their order, until they do (and named in
    ``dropped``). ``headings`` names the columns (their keys by default); ``paint`` may
    colour a padded cell (after escaping)."""
    if not rows:
        return empty
    total = width or screen_width()
    heads = {c: terminal((headings or {}).get(c, c)).replace("\n", " ") for c in columns}
    cells = [{c: terminal(r.get(c, "")).replace("\n", " ").replace("\t", " ") for c in columns}
             for r in rows]
    natural = {c: min(widths.get(c, 40), max(display_width(heads[c]),
                                               *(display_width(r[c]) for r in cells)))
               for c in columns}
    floors = {c: min(natural[c], (floors or {}).get(c, max(
        MIN_COLUMN, min(display_width(heads[c]), 12)))) for c in columns}
    for column in optional:
        if sum(floors[c] for c in columns) + len(GAP) * (len(columns) - 1) <= total:
            break
        if column in columns:
            columns = [c for c in columns if c != column]
            if dropped is not None:
                dropped.append(column)
    sizes = fit_widths({c: natural[c] for c in columns}, floors, total)
    if sum(sizes.values()) + len(GAP) * (len(columns) - 1) > total:  # floors are wishes
        sizes = fit_widths(sizes, {c: min(natural[c], MIN_COLUMN) for c in columns}, total)

    def line(parts: dict[str, str], raw: dict[str, str] | None, rule: bool = False) -> str:
        texts = []
        for c in columns:
            text = pad(parts[c], sizes[c])
            if paint is not None and not rule:
                text = paint(c, None if raw is None else raw.get(c, ""), text)
            texts.append(text)
        return GAP.join(texts).rstrip()

    lines = [line({c: cut(heads[c], sizes[c]) for c in columns}, None),
             line({c: "-" * sizes[c] for c in columns}, None, rule=True)]
    for raw, row in zip(rows, cells, strict=True):
        stacked = {c: wrap(row[c], sizes[c]) if c in wrapped else [cut(row[c], sizes[c])]
                   for c in columns}
        for number in range(max(len(v) for v in stacked.values())):
            lines.append(line({c: v[number] if number < len(v) else "" for c, v in
                               stacked.items()}, raw if number == 0 else {}))
    return "\n".join(lines) + "\n"
