"""Commands for extending the graph with new cases: `new-case`, `diff` and `screen`.

Registered on the `kg` group in kg/cli/main.py (``cli.add_command``). Like the other
commands they are thin: parse options, call one function, print its result — data to
stdout, messages to stderr; exit 0 ok, 1 validation findings, 2 usage or input error.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.util import date_option as _date
from kg.cli.util import project as _project
from kg.cli.util import say as _say
from kg.core.budget import Budget, deadline
from kg.core.budget import options as budget_options
from kg.core.errors import UsageError
from kg.core.project import DATA_SUFFIXES
from kg.core.textsafe import file_name


def _case_files(paths: tuple[str, ...]) -> list[Path]:
    files = []
    for raw in paths:
        path = Path(raw).resolve()
        if not path.is_file():
            raise UsageError(f"{file_name(raw)}: no such file")
        if path.suffix not in DATA_SUFFIXES:
            raise UsageError(f"{file_name(raw)}: a case file is .yaml, .yml or .ttl")
        files.append(path)
    return files


# --------------------------------------------------------------------------- new-case


@click.command("new-case")
@click.argument("kind", type=click.Choice(["instrument", "measure", "allegation", "activity",
                                           "risk-type"]))
@click.option("--id", "record_id", metavar="ID",
              help="The record's id: kebab-case (UpperCamelCase for a risk-type).")
@click.option("--out", "out_file", metavar="FILE",
              help="Where to write, inside data/ or the current directory; - for stdout "
                   "(default: data/jurisdictions/CODE/ID.yaml when the id starts "
                   "with a jurisdiction code that has a folder, else data/cases/ID.yaml).")
@click.pass_context
def new_case(ctx: click.Context, kind: str, record_id: str | None, out_file: str | None) -> None:
    """Write a commented case template for KIND, to fill in and validate.

    The template has exactly the keys validation requires for KIND, with the optional
    ones commented out and the allowed values (status values, risk types, classes) read
    from the ontology. Every value to fill in contains FILL-IN and fails validation as
    written. An existing file is never overwritten.

    \b
    Examples:
      kg new-case measure --id edpb-chatgpt-task-force-2023
      kg new-case instrument --id eu-data-act --out data/jurisdictions/eu/eu-data-act.yaml
      kg new-case risk-type --id DeepfakeContentRisk --out -
    """
    from kg.cases.scaffold import new_case as scaffold

    project = _project(ctx)
    path, text = scaffold(project, kind, record_id, out_file)
    if path is None:
        click.echo(text, nl=False)
        return
    shown = project.relative(path)
    _say(f"wrote {shown}: replace every FILL-IN (grep -n FILL-IN {shown}), then run "
         f"`kg validate {shown}` and `kg diff`")


# --------------------------------------------------------------------------- diff


@click.command("diff")
@click.argument("cases", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--against", "against", type=click.Path(file_okay=False), default=None,
              help="The earlier build to compare with (default: build/).")
@click.option("--as-of", "as_of", metavar="DATE", help="Status as of YYYY-MM-DD (default today).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.pass_context
def diff(ctx: click.Context, cases: tuple[str, ...], against: str | None, as_of: str | None,
         fmt: str) -> None:
    """Show what a change to data/ (or the ontology) does to the exposures.

    Computes the exposures of the current inputs in memory (plus any CASES given, as
    for `kg validate`) and compares them with the last build: new, removed and changed
    exposures (same path, other dates, risks, status or sources), counted by actor and
    risk category. Writes nothing. Invalid inputs print the findings and exit 1.

    \b
    Examples:
      kg diff
      kg diff data/cases/edpb-chatgpt-task-force.yaml --format json
      kg diff --against build-2026-06 --as-of 2027-01-01 --format csv
    """
    from kg.cases import diff as diffing

    project = _project(ctx)
    result = diffing.run(project, Path(against) if against else None, _case_files(cases),
                         _date(as_of, "--as-of"))
    if fmt == "json":
        click.echo(diffing.to_json(result), nl=False)
    elif fmt == "csv":
        click.echo(diffing.to_csv(result), nl=False)
    else:
        click.echo(diffing.to_table(result), nl=False)
    _say(diffing.headline(result))


# --------------------------------------------------------------------------- screen


@click.command("screen")
@click.argument("profile", type=click.Path(dir_okay=False))
@click.option("--as-of", "as_of", metavar="DATE", help="Status as of YYYY-MM-DD (default today).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html", "json", "csv", "ics"]),
              default="text", show_default=True,
              help="text, md and html: the report; json: the same as data (schema in "
                   "kg/cases/report/schema/); csv: one row per exposure; ics: the deadlines "
                   "as calendar events.")
@click.option("--full", is_flag=True,
              help="In the text report, list every source and path source (the other "
                   "formats always do).")
@click.option("--out", "out_file", type=click.Path(), default=None,
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True,
              help="Replace an existing --out file even if it is not an earlier report.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@budget_options(profile=True)
@click.pass_context
def screen(ctx: click.Context, profile: str, as_of: str | None, fmt: str, full: bool,
           out_file: str | None, force: bool, lang: str, budget: Budget) -> None:
    """Screen a company profile: its exposures and its suppliers', with mitigations.

    PROFILE is a small YAML description of a company (docs/screening.md): what it
    builds, who supplies it, where it sells and what it does there. It is checked and
    reasoned with the curated data in memory; nothing is written to data/ or build/.
    The report opens with a summary per jurisdiction and the deadlines from --as-of,
    then lists one entry per instrument × activity with its paths.

    \b
    Examples:
      kg screen examples/profiles/open-weights-robot-maker.yaml
      kg screen my-company.yaml --as-of 2027-01-01 --format html --out report.html
      kg screen my-company.yaml --format md --lang zh
      kg screen my-company.yaml --format json | jq '.summary'
      kg screen my-company.yaml --format ics --out deadlines.ics
    """
    from kg.cases.report import render
    from kg.cases.screen import screen as run_screen
    from kg.core import atomic
    from kg.core.outputs import REPORT
    from kg.core.outputs import check as output

    project = _project(ctx)
    path = Path(profile)
    if not path.is_file():
        raise UsageError(f"{file_name(profile)}: no such file")
    target = None
    if out_file is not None:
        target = output(out_file, project.root, kind=REPORT, force=force)
    with deadline(budget.timeout, "kg screen", hard=True):
        result = run_screen(project, path, file_name(profile), _date(as_of, "--as-of"),
                            budget)
    for warning in result.warnings:
        _say(warning.render())
    text = render(result, fmt, lang, full)
    if target is None:
        click.echo(text, nl=False)
    else:
        atomic.write_text(target, text)
        _say(f"wrote {file_name(str(target))}")
    _say(f"screened {result.count()} exposure(s) of {len(result.actors)} actor(s) in "
         f"{result.seconds:.2f}s")
