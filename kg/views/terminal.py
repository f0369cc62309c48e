"""Plain-text tables for the terminal: every cell escaped, cut to its column."""

from __future__ import annotations

from kg.core.textsafe import terminal


def text_table(rows: list[dict[str, str]], columns: list[str], widths: dict[str, int],
               empty: str = "(no rows)\n") -> str:
    """A plain-text table; every cell escaped for the terminal and cut to its width."""
    if not rows:
        return empty

    def cut(text: str, width: int) -> str:
        text = terminal(text).replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    sizes = {c: min(widths.get(c, 40), max(len(c), *(len(r.get(c, "")) for r in rows)))
             for c in columns}
    lines = ["  ".join(c.ljust(sizes[c]) for c in columns).rstrip(),
             "  ".join("-" * sizes[c] for c in columns)]
    lines += ["  ".join(cut(r.get(c, ""), sizes[c]).ljust(sizes[c]) for c in columns).rstrip()
              for r in rows]
    return "\n".join(lines) + "\n"
