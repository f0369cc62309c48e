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


def _words(built: Built) -> dict[str, dict[str, str]]:
    """The labels of everything in the build, by id: the ontology's words (kinds,
    categories, statuses, types) in every language it has them."""
    return {entry["id"]: entry["label"] for entry in built.index().values()}


def _row(record: dict[str, Any], lang: str, words: dict[str, dict[str, str]]
         ) -> dict[str, str]:
    from kg.views.explain import STATUS_SHORT, kind_words

    instrument = _label(record["source"], lang)
    if record.get("provision"):
        instrument += " › " + _label(record["provision"], lang)
    where = " < ".join(step["id"] for step in record["path"]
                       if step and step["role"] in ("jurisdiction", "containing-jurisdiction"))
    return {
        "status": STATUS_SHORT[record["status"]][1 if lang == "zh" else 0],
        "actor": record["actor"]["id"],
        "kind": kind_words(record["kind"], words, lang),
        "risks": "; ".join(_label(risk, lang) for risk in record["risks"]),
        "instrument": instrument,
        "via": (record.get("activity") or record.get("artefact") or {}).get("id", ""),
        "where": where or record.get("source_jurisdiction") or "",
        "valid_from": record.get("valid_from") or "",
        "valid_until": record.get("valid_until") or "",
    }


def _print_table(records: list[dict[str, Any]], lang: str, words: dict[str, dict[str, str]],
                 with_actor: bool) -> None:
    from kg.views import colour
    from kg.views.explain import STATUS_SHORT, word

    rows = [_row(record, lang, words) for record in records]
    columns = ["status", *(["actor"] if with_actor else []), "kind", "risks", "instrument",
               "via", "where", "valid_from",
               *(["valid_until"] if any(r["valid_until"] for r in rows) else [])]
    on = colour.enabled()
    styles = {STATUS_SHORT[s][1 if lang == "zh" else 0]: style
              for s, style in colour.STATUS_STYLE.items()}

    def paint(column: str, value: str | None, text: str) -> str:
        if value is None:
            return colour.paint(text, "bold", on)
        return colour.paint(text, styles.get(value, ""), on) if column == "status" else text

    dropped: list[str] = []
    click.echo(_table(rows, columns, {"risks": 60, "instrument": 90, "via": 30, "where": 18},
                      headings={c: word(c, lang) for c in columns},
                      wrapped=("risks", "instrument", "via", "kind", "where"), paint=paint,
                      floors={"kind": 16, "risks": 18, "instrument": 24, "via": 16,
                              "status": 99, "valid_from": 99, "valid_until": 99},
                      optional=("via", "actor", "where"), dropped=dropped), nl=False)
    _say(word("exposures", lang).format(n=len(records)))
    if dropped:
        _say(word("dropped", lang).format(columns=", ".join(word(c, lang) for c in dropped)))


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
    from kg.pipeline.exposures import select, to_csv, to_json

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
        _print_table(records, lang, _words(built), with_actor=not wanted["actor"])
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
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Show at most N paths.")
@click.option("--full", is_flag=True,
              help="Show every path step by step (by default only when there are at most 5).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.pass_context
def explain(ctx: click.Context, actor: str, risk: str | None, source: str | None,
            as_of: str | None, show_all: bool, precedents: bool, limit: int | None,
            full: bool, lang: str) -> None:
    """Show why an actor is exposed: a summary (paths by status, jurisdiction and
    instrument), then the paths grouped by jurisdiction and instrument (step by step with
    --full, or when there are few), every source once, numbered; then the precedents:
    measures already taken against other actors for the same kind of activity in the same
    markets.

    \b
    Examples:
      kg explain deepseek
      kg explain deepseek --risk ModelDistillationAllegationRisk --full
      kg explain example-sensor-maker --lang zh --limit 10
    """
    from kg.core.namespaces import short_name
    from kg.pipeline.exposures import STATUSES, select
    from kg.query.names import resolve
    from kg.views import colour
    from kg.views.explain import explanation

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
    on = colour.enabled()
    styles = {"heading": "bold", "jurisdiction": "bold+blue", "instrument": "bold", "path": "cyan"}
    words = _words(built)
    click.echo(explanation(records, lang, words, limit=limit, full=full,
                           paint=lambda style, text: colour.paint(text, styles.get(style, ""),
                                                                  on)), nl=False)
    if precedents:
        from kg.cases import precedents as found
        from kg.store.oxigraph import open_build
        from kg.views.explain import render_precedents

        markets = sorted({(kind.strip(), r["jurisdiction"]) for r in records
                          if r.get("activity") and r.get("jurisdiction")
                          for kind in r["activity"]["type"].split(",") if kind.strip()})
        groups = found.find(open_build(built.out_dir), markets, other_than=wanted["actor"])
        click.echo("\n" + render_precedents(groups, built.coverage(), lang, words), nl=False)
