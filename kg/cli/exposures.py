"""The exposure commands: `exposures` (filtered tables) and `explain` (paths with sources)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from kg.cli.util import date_option as _date
from kg.cli.util import finished_build
from kg.cli.util import say as _say
from kg.core.textsafe import terminal
from kg.views.terminal import text_table as _table

if TYPE_CHECKING:
    from kg.store.built import Built

FORMATS = ("table", "csv", "tsv", "json")


def _label(node: dict[str, Any], lang: str) -> str:
    label: str = node["label"].get(lang) or node["label"].get("en") or node["id"]
    return label




def _filters(built: Built, actor: str | None, risk: str | None, jurisdiction: str | None
             ) -> dict[str, str | None]:
    from kg.core.namespaces import short_name
    from kg.query.names import resolve

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


@click.command()
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
    from kg.pipeline.exposures import flat_row, select, to_csv, to_json

    built = finished_build(ctx)
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
    from kg.pipeline.coverage import chain, verdict

    if not found:
        _say("no exposures found. That is not a clearance: what the graph has reviewed here is")
    for where in chain(coverage, jurisdiction):
        _say(f"coverage of {where}: {verdict(coverage, where).text(coverage, lang)}")


@click.command()
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
    from kg.core.namespaces import short_name
    from kg.pipeline.exposures import STATUSES, select
    from kg.query.names import resolve
    from kg.views.explain import render

    built = finished_build(ctx)
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
        from kg.cases import precedents as found
        from kg.store.oxigraph import open_build
        from kg.views.explain import render_precedents

        markets = sorted({(kind.strip(), r["jurisdiction"]) for r in records
                          if r.get("activity") and r.get("jurisdiction")
                          for kind in r["activity"]["type"].split(",") if kind.strip()})
        groups = found.find(open_build(built.out_dir), markets, other_than=wanted["actor"])
        click.echo(render_precedents(groups, built.coverage(), lang), nl=False)
