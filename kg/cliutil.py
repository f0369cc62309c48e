"""What every command module shares: the project, date options, messages and tables."""

from __future__ import annotations

import datetime as dt
import sys

import click

from kg.errors import UsageError
from kg.project import Project
from kg.textsafe import terminal


def say(message: str) -> None:
    """A message for the user on stderr, after any pending data on stdout."""
    sys.stdout.flush()
    click.echo(terminal(message), err=True)


def project(ctx: click.Context) -> Project:
    return Project.locate((ctx.obj or {}).get("root"))


def date_option(value: str | None, option: str = "--as-of") -> dt.date:
    """The date an option names (today when not given); a UsageError naming the option."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: '{value}' is not a date; write YYYY-MM-DD") from None


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
