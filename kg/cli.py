"""The `kg` command: parse arguments, call one function, format its result.

Exit codes: 0 ok, 1 validation findings, 2 usage or input error. Data goes to
stdout, messages to stderr.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kg.budget import Budget, deadline
from kg.budget import options as budget_options
from kg.cliutil import date_option as _date
from kg.cliutil import project as _project
from kg.cliutil import say as _say
from kg.cliutil import text_table as _table
from kg.errors import KgError, UsageError, ValidationFailed
from kg.textsafe import file_name, terminal

FORMATS = ("table", "csv", "tsv", "json")
SHORT_CATEGORY = {  # column headings for the six categories of the article
    "CybersecurityThreatNarrativeRisk": "cyber-threat",
    "TechnologyTheftAllegationRisk": "tech-theft",
    "StateBackingAllegationRisk": "state-backing",
    "OpenSourceModelRegulationRisk": "open-source",
    "PhysicalAIProductRisk": "physical-AI",
    "GeopoliticalUncertaintyRisk": "geopolitics",
    "BaselineLegalRisk": "baseline",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Project directory (default: $KG_ROOT or the current directory).")
@click.version_option(package_name="aigov-kg")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """aigov-kg: governance risks of AI companies going abroad, as a knowledge graph.

    \b
    Example:
      kg build
      kg exposures --actor deepseek
      kg explain deepseek --risk ModelDistillationAllegationRisk
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


# --------------------------------------------------------------------------- build


@cli.command()
@click.option("--reasoner", type=click.Choice(["fast", "owlrl"]), default="fast",
              show_default=True, help="fast: targeted OWL RL + Oxigraph; owlrl: the reference.")
@click.option("--out", "out_dir", type=click.Path(), default=None,
              help="Output directory (default: build/).")
@click.option("--quiet", is_flag=True, help="Print no summary.")
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
    from kg.build import build as run_build
    from kg.exposures import select
    from kg.outputs import check as output

    project = _project(ctx)
    target = output(out_dir, project.root, replaced=True, allow=("build",)) if out_dir \
        else None
    with deadline(budget.timeout, "kg build", hard=True):
        result = run_build(project, reasoner, target, progress=_say, strict=strict,
                           budget=budget)
    total = sum(result.timings.values())
    _say(f"built in {total:.2f}s: {result.counts['asserted_triples']:,} asserted, "
         f"{result.counts['inferred_triples']:,} inferred, {result.counts['exposures']:,} "
         "exposures")
    if quiet:
        return
    current = select(result.exposures, statuses=("current", "upcoming", "pending"))
    click.echo(_summary(current))


def _summary(records: list[dict[str, Any]]) -> str:
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
    columns = ["actor", "current", "upcoming", "pending", *short.values()]
    heading = (f"Exposures as of {dt.date.today().isoformat()} by actor and risk category "
               "(kg exposures --actor ID for the list, kg explain ID for the paths):\n")
    return heading + _table(rows[:12], columns, {"actor": 40}) + (
        f"… and {len(rows) - 12} more actors\n" if len(rows) > 12 else "")


# --------------------------------------------------------------------------- exposures


def _label(node: dict[str, Any], lang: str) -> str:
    return node["label"].get(lang) or node["label"].get("en") or node["id"]


def _built(ctx: click.Context):
    from kg.build import Built

    project = _project(ctx)
    built = Built.open(project)
    if built.is_stale(project):
        _say("warning: the build is older than ontology/ or data/; run `kg build` to refresh")
    return built


def _filters(built, actor: str | None, risk: str | None, jurisdiction: str | None
             ) -> dict[str, str | None]:
    from kg.names import resolve
    from kg.namespaces import short_name

    index = built.index()
    out: dict[str, str | None] = {"actor": None, "risk": None, "jurisdiction": None}
    if actor:
        out["actor"] = short_name(resolve(actor, index, "actor", "--actor", ("Actor",)))
    if risk:
        out["risk"] = short_name(resolve(risk, index, "risk type", "--risk",
                                         ("GovernanceRisk",)))
    if jurisdiction:
        out["jurisdiction"] = short_name(resolve(jurisdiction, index, "jurisdiction",
                                                 "--jurisdiction", ("Jurisdiction",)))
    return out


@cli.command()
@click.option("--actor", help="Actor id, prefixed name, IRI or label (e.g. deepseek).")
@click.option("--risk", help="Risk type or category (e.g. GeopoliticalUncertaintyRisk).")
@click.option("--jurisdiction", help="Jurisdiction, containing ones included (e.g. eu).")
@click.option("--as-of", "as_of", metavar="DATE", help="Status as of YYYY-MM-DD (default today).")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["current", "upcoming", "pending", "ended"]),
              help="Keep only these statuses (default: all but ended).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.pass_context
def exposures(ctx: click.Context, actor: str | None, risk: str | None,
              jurisdiction: str | None, as_of: str | None, statuses: tuple[str, ...],
              fmt: str, lang: str) -> None:
    """List exposures: who is exposed to which risk, through what, where, since when.

    \b
    Examples:
      kg exposures --actor deepseek
      kg exposures --risk OpenSourceModelRegulationRisk --jurisdiction eu --format csv
      kg exposures --actor example-robotics-co --as-of 2027-01-01 --status upcoming
    """
    from kg.exposures import flat_row, select, to_csv, to_json

    built = _built(ctx)
    wanted = _filters(built, actor, risk, jurisdiction)
    records = select(built.exposures(), actor=wanted["actor"], risk=wanted["risk"],
                     jurisdiction=wanted["jurisdiction"], as_of=_date(as_of, "--as-of"),
                     statuses=statuses or ("current", "upcoming", "pending"))
    if fmt == "json":
        click.echo(to_json(records), nl=False)
    elif fmt in ("csv", "tsv"):
        text = to_csv(records, "," if fmt == "csv" else "\t")
        click.echo(terminal(text) if sys.stdout.isatty() else text, nl=False)
    else:
        rows = []
        for record in records:
            flat = flat_row(record)
            flat["source"] = _label(record["source"], lang)
            if record.get("provision"):
                flat["source"] += " › " + _label(record["provision"], lang)
            flat["kind"] = record["kind"].replace("Exposure", "")
            flat["where"] = " < ".join(
                step["id"] for step in record["path"]
                if step and step["role"] in ("jurisdiction", "containing-jurisdiction")) or (
                record.get("source_jurisdiction") or "")
            rows.append(flat)
            flat["via"] = (record.get("activity") or record.get("artefact") or {}).get("id", "")
        columns = ["status", *([] if wanted["actor"] else ["actor"]), "kind", "risks", "source",
                   "via", "where", "valid_from", "valid_until"]
        click.echo(_table(rows, columns, {"risks": 40, "source": 64, "where": 18, "via": 30}),
                   nl=False)
        _say(f"{len(records)} exposure(s)")
    if wanted["jurisdiction"]:
        _say_coverage(built.coverage(), wanted["jurisdiction"], lang, found=bool(records))


def _say_coverage(coverage: dict[str, Any], jurisdiction: str, lang: str, found: bool) -> None:
    """What the graph reviewed in the jurisdiction and those it lies within: an empty
    answer is silence, not clearance, and says so."""
    from kg.coverage import chain, verdict

    if not found:
        _say("no exposures found. That is not a clearance: what the graph has reviewed here is")
    for where in chain(coverage, jurisdiction):
        _say(f"coverage of {where}: {verdict(coverage, where).text(coverage, lang)}")


@cli.command()
@click.argument("actor")
@click.option("--risk", help="Only paths to this risk type or category.")
@click.option("--source", "source", help="Only paths through this instrument or event.")
@click.option("--as-of", "as_of", metavar="DATE", help="Status as of YYYY-MM-DD (default today).")
@click.option("--all", "show_all", is_flag=True, help="Include ended exposures.")
@click.option("--precedents/--no-precedents", default=True, show_default=True,
              help="Also list measures taken against other actors for the same activities "
                   "in the same markets.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.pass_context
def explain(ctx: click.Context, actor: str, risk: str | None, source: str | None,
            as_of: str | None, show_all: bool, precedents: bool, lang: str) -> None:
    """Show why an actor is exposed: each path, step by step, with rule and sources; then
    the precedents: measures already taken against other actors for the same kind of
    activity in the same markets.

    \b
    Examples:
      kg explain deepseek --risk ModelDistillationAllegationRisk
      kg explain example-sensor-maker --lang zh
    """
    from kg.explain import render
    from kg.exposures import STATUSES, select
    from kg.names import resolve
    from kg.namespaces import short_name

    built = _built(ctx)
    wanted = _filters(built, actor, risk, None)
    source_id = None
    if source:
        source_id = short_name(resolve(source, built.index(), "instrument or event", "--source",
                                       ("RiskSource", "Provision")))
    records = select(built.exposures(), actor=wanted["actor"], risk=wanted["risk"],
                     source=source_id, as_of=_date(as_of, "--as-of"),
                     statuses=STATUSES if show_all else ("current", "upcoming", "pending"))
    if not records:
        _say("no exposure paths match")
        return
    click.echo(render(records, lang), nl=False)
    if precedents:
        from kg import precedents as found
        from kg.explain import render_precedents
        from kg.store import open_build

        markets = sorted({(kind.strip(), r["jurisdiction"]) for r in records
                          if r.get("activity") and r.get("jurisdiction")
                          for kind in r["activity"]["type"].split(",") if kind.strip()})
        groups = found.find(open_build(built.out_dir), markets, other_than=wanted["actor"])
        click.echo(render_precedents(groups, built.coverage(), lang), nl=False)


# ----------------------------------------------------------------- validate, stats, export


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Warnings are errors (exit 1).")
@budget_options()
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str, strict: bool,
             budget: Budget) -> None:
    """Check data/ (plus any case files given) against the shapes and QC queries.

    Writes nothing. Exit 1 when there are errors (or, with --strict, warnings), 2 when a
    file cannot be read. Warnings (statuses not confirmed for 180 days, source domains
    the source policy does not classify yet) are listed but do not fail.

    \b
    Examples:
      kg validate
      kg validate new-case.yaml
      kg validate --strict
    """
    from kg.build import check

    project = _project(ctx)
    files = project.data_files()
    for raw in paths:
        path = Path(raw).resolve()
        if not path.is_file():
            raise UsageError(f"{file_name(raw)}: no such file")
        if path.suffix not in (".yaml", ".yml", ".ttl"):
            raise UsageError(f"{file_name(raw)}: a case file is .yaml, .yml or .ttl")
        if path not in files:
            files.append(path)
    with deadline(budget.timeout, "kg validate", hard=True):
        warnings = check(project, files=files, strict=strict, budget=budget).warnings
    if fmt == "json":
        click.echo(json.dumps({"conforms": True,
                               "findings": [w.as_dict() for w in warnings]}))
        return
    for warning in warnings:
        _say(warning.render())
    noted = f", with {len(warnings)} warning(s)" if warnings else ""
    _say(f"ok: {len(files)} case files conform to the shapes and QC queries{noted}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts: instruments and events per risk category, jurisdictions, actors, sourcing.

    \b
    Example:
      kg stats --format json
    """
    from kg.load import load
    from kg.sourcepolicy import SourcePolicy
    from kg.stats import compute

    project = _project(ctx)
    loaded = load(project)
    figures = compute(loaded.table(), SourcePolicy.from_graph(loaded.ontology))
    if fmt == "json":
        click.echo(json.dumps(figures, indent=1, ensure_ascii=False))
        return
    rows = []

    def add(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, inner in value.items():
                add(f"{key}: {sub}", inner)
        else:
            rows.append({"measure": key, "value": str(value)})

    matrix = figures.pop("coverage", {})
    for key, value in figures.items():
        add(key, value)
    click.echo(_table(rows, ["measure", "value"], {"measure": 70}), nl=False)
    if matrix:
        click.echo("\nCoverage: what was reviewed in each jurisdiction (x), when, and how many "
                   "instruments and events it has itself:")
        scopes = [k for k in next(iter(matrix.values())) if k.endswith("Scope")]
        short = {s: s.removesuffix("Scope").replace("MeasuresAgainstChineseFirms", "measures")
                 .replace("AISpecificRules", "AI rules") for s in scopes}
        table_rows = [{"jurisdiction": name, "reviewed": row["reviewed_on"],
                       **{short[s]: "x" if row[s] else "" for s in scopes},
                       "instruments": str(row["instruments_and_events"])}
                      for name, row in matrix.items()]
        click.echo(_table(table_rows, ["jurisdiction", "reviewed", *short.values(),
                                       "instruments"], {}), nl=False)


@cli.command("source-check")
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
    from kg.load import load_ontology
    from kg.sourcepolicy import UNCLASSIFIED, SourcePolicy

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


@cli.command()
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
    from kg import atomic
    from kg.export import serialise_lines
    from kg.namespaces import GRAPH
    from kg.outputs import EXPORTS
    from kg.outputs import check as output

    target = None
    if out_file is not None:
        target = output(out_file, _project(ctx).root, kind=EXPORTS[fmt], force=force)
    built = _built(ctx)
    wanted = None if which == "all" else f"<{GRAPH[which]}> .\n"
    with open(built.out_dir / "graph.nq", encoding="utf-8") as handle:
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


@cli.command()
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
    from kg import atomic
    from kg import docs as documentation
    from kg.load import load_ontology
    from kg.outputs import DICTIONARY, DOCS_PAGE
    from kg.outputs import check as output

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


def _register() -> None:
    """Commands that live in their own modules (each imports its dependencies lazily)."""
    from kg.cli_cases import diff, new_case, screen
    from kg.cli_query import publish, query, serve
    from kg.cli_viz import viz

    for command in (query, publish, serve, viz, new_case, diff, screen):
        cli.add_command(command)


_register()


# --------------------------------------------------------------------------- entry point


def main() -> None:
    try:
        code = cli.main(standalone_mode=False, prog_name="kg")
    except click.exceptions.Abort:
        _say("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)  # click repeats the user's words: escape them too
        sys.stdout.flush()
        sys.stderr.write(terminal(shown.getvalue()))
        sys.exit(exc.exit_code)
    except KgError as exc:
        for finding in exc.findings:
            _say(finding.render())
        if not exc.findings or isinstance(exc, ValidationFailed):
            _say(f"error: {exc.message}")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("KG_DEBUG"):
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for a traceback)")
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
