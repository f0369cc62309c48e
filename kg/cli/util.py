"""What every command module shares: the project, date options and messages."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

import click

from kg.core.errors import UsageError
from kg.core.project import Project
from kg.core.textsafe import terminal

if TYPE_CHECKING:
    from kg.store.built import Built


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


def finished_build(ctx: click.Context) -> Built:
    """The project's finished build, with a warning when its inputs changed since."""
    from kg.store.built import Built

    project_ = project(ctx)
    built = Built.open(project_)
    if built.is_stale(project_):
        say("warning: the build is older than ontology/ or data/; run `kg build` to refresh")
    return built
