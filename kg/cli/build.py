"""The build-side commands: `build`, `validate`, `stats`, `source-check`, `export`, `docs`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kg.cli.util import finished_build
from kg.cli.util import project as _project
from kg.cli.util import say as _say
from kg.core.budget import Budget, BudgetExceeded, deadline
from kg.core.budget import options as budget_options
from kg.core.errors import Finding, KgError, UsageError, ordered
from kg.core.textsafe import file_name, terminal
from kg.views.terminal import text_table as _table

SHORT_CATEGORY = {  # column headings for the six categories of the article
    "CybersecurityThreatNarrativeRisk": "cyber-threat",
    "TechnologyTheftAllegationRisk": "tech-theft",
    "StateBackingAllegationRisk": "state-backing",
    "OpenSourceModelRegulationRisk": "open-source",
    "PhysicalAIProductRisk": "physical-AI",
    "GeopoliticalUncertaintyRisk": "geopolitics",
    "BaselineLegalRisk": "baseline",
}


@click.command()
@click.option("--reasoner", type=click.Choice(["fast", "owlrl"]), default="fast",
              show_default=True, help="fast: targeted OWL RL + Oxigraph; owlrl: the reference.")
@click.option("--out", "out_dir", type=click.Path(), default=None,
              help="Output directory (default: build/).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors: no progress, no summary.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (stale statuses, "
              "unclassified source domains, official links not built from the identifier).")
@budget_options()
@click.pass_context
def build(ctx: click.Context, reasoner: str, out_dir: str | None, quiet: bool,
          strict: bool, budget: Budget) -> None:
    """Load, validate, reason and write the graph and exposures to build/.

    \b
    Example:
      kg build
      kg build --reasoner owlrl --out build-reference
    """
    from kg.core.outputs import check as output
    from kg.pipeline.build import build as run_build
    from kg.pipeline.exposures import select

    project = _project(ctx)
    target = output(out_dir, project.root, replaced=True, allow=("build",)) if out_dir \
        else None
    with deadline(budget.timeout, "kg build", hard=True):
        result = run_build(project, reasoner, target, progress=None if quiet else _say,
                           strict=strict, budget=budget)
    if quiet:
        return
    total = sum(result.timings.values())
    _say(f"built in {total:.2f}s: {result.counts['asserted_triples']:,} asserted, "
         f"{result.counts['inferred_triples']:,} inferred, {result.counts['exposures']:,} "
         "exposures")
    current = select(result.exposures, statuses=("current", "upcoming", "pending"))
    click.echo(_summary(current))


def _summary(records: list[dict[str, Any]]) -> str:
    from kg.views.terminal import screen_width, wrap

    categories = sorted({c for r in records for risk in r["risks"] for c in risk["categories"]})
    per_actor: dict[str, Counter[str]] = {}
    labels: dict[str, str] = {}
    for record in records:
        actor = record["actor"]["id"]
        labels[actor] = record["actor"]["label"].get("en", actor)
        counter = per_actor.setdefault(actor, Counter())
        for category in {c for risk in record["risks"] for c in risk["categories"]}:
            counter[category] += 1
        counter["_status_" + record["status"]] += 1
    short = {c: SHORT_CATEGORY.get(c, c.replace("Risk", "")) for c in categories}
    rows = []
    for actor, counter in sorted(per_actor.items(), key=lambda kv: -sum(
            v for k, v in kv[1].items() if k.startswith("_status_"))):
        row = {"actor": f"{labels[actor]} ({actor})",
               "current": str(counter["_status_current"]),
               "upcoming": str(counter["_status_upcoming"]),
               "pending": str(counter["_status_pending"])}
        row.update({short[c]: str(counter[c]) for c in categories})
        rows.append(row)
    by_use = sorted(short.values(), key=lambda c: -sum(int(r[c]) for r in rows))
    columns = ["actor", "current", "upcoming", "pending", *by_use]
    heading = (f"Exposures as of {dt.date.today().isoformat()} by actor and risk category "
               "(kg exposures --actor ID for the list, kg explain ID for the paths):\n")
    dropped: list[str] = []  # the least used categories give way first on a narrow screen
    table = _table(rows[:12], columns, {"actor": 40}, floors={"actor": 30}, wrapped=("actor",),
                   optional=tuple(reversed(by_use)), dropped=dropped)
    return heading + table + (
        f"… and {len(rows) - 12} more actors\n" if len(rows) > 12 else "") + (
        "\n".join(wrap(f"(left out to fit the screen: {', '.join(dropped)}; a wider "
                       "terminal shows them)", screen_width(), 9)) + "\n" if dropped else "")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one object on stdout, on success and on failure "
              "(ok, files, errors, warnings, findings; docs/adding-a-case.md).")
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1).")
@budget_options()
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str, strict: bool,
             budget: Budget) -> None:
    """Check data/ (plus any case files given) against the shapes and QC queries.

    Every problem of every file comes back in one run, sorted by file and line: what
    could not be read, and what the shapes and QC queries find in all that could. Writes
    nothing. Exit 1 when there are errors (or, with --strict, warnings), 2 when a file
    cannot be read. Warnings (statuses not confirmed for 180 days, source domains the
    source policy does not classify yet) are listed but do not fail.

    \b
    Examples:
      kg validate
      kg validate new-case.yaml
      kg validate --strict --format json
    """
    from kg.pipeline.build import check

    project = _project(ctx)
    files = project.data_files()
    try:
        files += _case_files(paths, files)
        with deadline(budget.timeout, "kg validate", hard=True):
            warnings = check(project, files=files, strict=strict, budget=budget).warnings
    except KgError as exc:
        if fmt != "json":
            raise
        click.echo(_validation_json(exc.findings or [_as_finding(exc)], len(files), False))
        raise KgError(exc.message, [], exc.exit_code) from None  # stderr: the one-line verdict
    if fmt == "json":
        click.echo(_validation_json(warnings, len(files), True))
        return
    for warning in warnings:
        _say(warning.render())
    noted = f", with {len(warnings)} warning(s)" if warnings else ""
    _say(f"ok: {len(files)} case files conform to the shapes and QC queries{noted}")


def _case_files(paths: tuple[str, ...], known: list[Path]) -> list[Path]:
    """The case files named on the command line that are not in data/ already."""
    added: list[Path] = []
    for raw in paths:
        path = Path(raw).resolve()
        if not path.is_file():
            raise UsageError(f"{file_name(raw)}: no such file")
        if path.suffix not in (".yaml", ".yml", ".ttl"):
            raise UsageError(f"{file_name(raw)}: a case file is .yaml, .yml or .ttl")
        if path not in known and path not in added:
            added.append(path)
    return added


def _as_finding(exc: KgError) -> Finding:
    """An error that came with no finding (a usage error, a time limit) as one."""
    code = "usage" if isinstance(exc, UsageError) else (
        "budget" if isinstance(exc, BudgetExceeded) else "input")
    return Finding(rule=code, message=exc.message)


def _validation_json(findings: list[Finding], files: int, ok: bool) -> str:
    """The documented object of `kg validate --format json`, with every control or
    format character (a bidi override, a C1 escape) escaped, so it is inert on a terminal
    and parses back to the same text."""
    import unicodedata

    text = json.dumps({"ok": ok, "files": files,
                       "errors": sum(f.severity == "error" for f in findings),
                       "warnings": sum(f.severity == "warning" for f in findings),
                       "findings": [f.as_dict() for f in ordered(findings)]},
                      ensure_ascii=False, indent=1)
    return "".join(json.dumps(c)[1:-1] if unicodedata.category(c).startswith("C")
                   and c != "\n" else c for c in text)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts: instruments and events per risk category, jurisdictions, actors, sourcing.

    \b
    Example:
      kg stats --format json
    """
    from kg.pipeline.load import load
    from kg.pipeline.sourcepolicy import SourcePolicy
    from kg.views.stats import compute

    project = _project(ctx)
    loaded = load(project)
    figures = compute(loaded.table(), SourcePolicy.from_graph(loaded.ontology))
    if fmt == "json":
        click.echo(json.dumps(figures, indent=1, ensure_ascii=False))
        return
    from rdflib.namespace import RDFS

    from kg.core.namespaces import AIG
    from kg.views.stats import sentences

    def label(name: str) -> str:
        found = [str(o) for o in loaded.ontology.objects(AIG[name], RDFS.label)
                 if getattr(o, "language", None) in (None, "en")]
        return terminal(found[0]) if found else name

    matrix = figures.pop("coverage", {})
    click.echo(sentences(figures, label))
    if matrix:
        from kg.views.terminal import screen_width, wrap

        click.echo("\n".join(wrap(
            "Coverage: what was reviewed in each jurisdiction (x), when, and how many "
            "instruments and events it has itself", screen_width(), 9)))
        scopes = [k for k in next(iter(matrix.values())) if k.endswith("Scope")]
        short = {s: s.removesuffix("Scope").replace("MeasuresAgainstChineseFirms", "measures")
                 .replace("AISpecificRules", "AI rules") for s in scopes}
        table_rows = [{"jurisdiction": name, "reviewed": row["reviewed_on"],
                       **{short[s]: "x" if row[s] else "" for s in scopes},
                       "instruments": str(row["instruments_and_events"])}
                      for name, row in matrix.items()]
        click.echo(_table(table_rows, ["jurisdiction", "reviewed", *short.values(),
                                       "instruments"], {},
                          wrapped=tuple(short.values())), nl=False)


@click.command("source-check")
@click.argument("texts", nargs=-1, required=True)
@click.pass_context
def source_check(ctx: click.Context, texts: tuple[str, ...]) -> None:
    """Say what a URL is under the source policy, or which official-text link a legal
    reference gives by a public identifier pattern (ontology/source-policy.ttl).

    \b
    Examples:
      kg source-check "Regulation (EU) 2016/679"
      kg source-check https://www.reuters.com/technology/ "31 CFR part 850"
    """
    from kg.pipeline.load import load_ontology
    from kg.pipeline.sourcepolicy import UNCLASSIFIED, SourcePolicy

    policy = SourcePolicy.from_graph(load_ontology(_project(ctx)))
    unknown = False
    for text in texts:
        if text.startswith(("http://", "https://")):
            tier = policy.tier(text)
            unknown |= tier == UNCLASSIFIED
            click.echo(terminal(f"{text}\t{tier}"))
            continue
        links = policy.official_links(text)
        for pattern, link in links:
            click.echo(terminal(f"{text}\t{link}\t({pattern.label})"))
        if not links:
            unknown = True
            click.echo(terminal(f"{text}\tno identifier pattern applies: cite an official page "
                                "you read, or say why in `noOfficialText`"))
    if unknown:
        sys.exit(1)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "graphml"]),
              required=True)
@click.option("--graph", "which", type=click.Choice(["all", "asserted", "inferred", "derived"]),
              default="all", show_default=True)
@click.option("--out", "out_file", type=click.Path(), default=None,
              help="Write to this file (atomically) instead of stdout.")
@click.option("--force", is_flag=True,
              help="Replace an existing --out file even if it is not an export in --format.")
@click.pass_context
def export(ctx: click.Context, fmt: str, which: str, out_file: str | None,
           force: bool) -> None:
    """Export the built graph as Turtle, N-Triples, JSON-LD or GraphML.

    \b
    Example:
      kg export --format graphml --out kg.graphml
    """
    from kg.core import atomic
    from kg.core.namespaces import GRAPH
    from kg.core.outputs import EXPORTS
    from kg.core.outputs import check as output
    from kg.store.export import serialise_lines

    target = None
    if out_file is not None:
        target = output(out_file, _project(ctx).root, kind=EXPORTS[fmt], force=force)
    built = finished_build(ctx)
    wanted = None if which == "all" else f"<{GRAPH[which]}> .\n"
    with open(built.graph, encoding="utf-8") as handle:
        lines = sorted({line.rsplit(" ", 2)[0] + " .\n" for line in handle
                        if wanted is None or line.endswith(wanted)})
    data = serialise_lines(lines, fmt)
    if target is not None:
        atomic.write_bytes(target, data)
        _say(f"wrote {len(lines):,} triples to {file_name(str(target))}")
    elif sys.stdout.isatty():  # a terminal gets inert text; a pipe gets the exact bytes
        click.echo(terminal(data.decode("utf-8")), nl=False)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)


@click.command()
@click.option("--out", "out_dir", type=click.Path(), default="docs",
              show_default=True, help="The folder to write ontology.html into (relative to "
              "the project).")
@click.option("--dictionary", type=click.Path(), default="docs/data-dictionary.md",
              show_default=True, help="Where to write the Markdown data dictionary (relative "
              "to the project).")
@click.option("--force", is_flag=True,
              help="Replace existing files even if kg docs did not write them.")
@click.pass_context
def docs(ctx: click.Context, out_dir: str, dictionary: str, force: bool) -> None:
    """Generate the ontology's HTML page and the data dictionary from ontology/aigov.ttl.

    \b
    Example:
      kg docs && xdg-open docs/ontology.html
    """
    from kg.core import atomic
    from kg.core.outputs import DICTIONARY, DOCS_PAGE
    from kg.core.outputs import check as output
    from kg.pipeline.load import load_ontology
    from kg.views import docs as documentation

    project = _project(ctx)
    root = project.root
    folder = output(out_dir, root, folder=True, base=root)
    page = output(str(folder / "ontology.html"), root, kind=DOCS_PAGE, force=force, base=root)
    words = output(dictionary, root, option="--dictionary", kind=DICTIONARY, force=force,
                   base=root)
    graph = load_ontology(project)
    atomic.write_text(root / page, documentation.html(graph))
    atomic.write_text(root / words, documentation.markdown(graph))
    _say(f"wrote {project.relative(root / page)} and {project.relative(root / words)}")
