"""The `kg viz` command: write an interactive (or static) graph view of the built graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.util import date_option as _date
from kg.cli.util import say as _say
from kg.core.errors import UsageError
from kg.core.project import Project
from kg.core.textsafe import file_name

EXAMPLES = {"actor": "deepseek", "risk": "ProductLiabilityRisk", "jurisdiction": "eu"}
SUBJECT_TYPES = {"actor": ("actor", ("Actor",)), "risk": ("risk type", ("GovernanceRisk",)),
                 "jurisdiction": ("jurisdiction", ("Jurisdiction",))}


def resolve_subject(view: str, name: str | None, index: dict[str, dict[str, Any]]
                    ) -> str | None:
    """The short id that ``name`` stands for in this view (UsageError if unknown)."""
    from kg.core.namespaces import short_name
    from kg.query.names import resolve

    if view in ("all", "ontology"):
        if name:
            raise UsageError(f"the {view} view takes no name (got '{name}')")
        return None
    if not name:
        raise UsageError(f"the {view} view needs a name, e.g. `kg viz {view} {EXAMPLES[view]}`")
    kind, types = SUBJECT_TYPES[view]
    return short_name(resolve(name, index, kind, "NAME", types))


def output_path(out: str | None, view: str, subject: str | None, fmt: str, root: Path,
                force: bool = False) -> Path:
    """Where to write: ``--out`` or ``viz-VIEW[-NAME].FMT`` here, checked by the write guard
    (an existing file is replaced only if it is an earlier view, or with ``force``)."""
    from kg.core.outputs import VIEW, check

    if out is None:
        stem = f"viz-{view}" + (f"-{subject}" if subject else "")
        out = f"{stem}.{fmt}"
    return check(out, root, kind=VIEW, force=force)


def _format(fmt: str | None, out: str | None) -> str:
    suffix = Path(out).suffix.lower().lstrip(".") if out else ""
    suffix = "html" if suffix == "htm" else suffix
    if fmt is None:
        return suffix if suffix in ("html", "png", "svg") else "html"
    if suffix in ("html", "png", "svg") and suffix != fmt:
        raise UsageError(f"--out ends in .{suffix} but --format is {fmt}")
    return fmt


@click.command("viz")
@click.argument("view", type=click.Choice(["actor", "risk", "jurisdiction", "all", "ontology"]))
@click.argument("name", required=False)
@click.option("--as-of", "as_of", metavar="DATE",
              help="Exposure status as of YYYY-MM-DD (default today).")
@click.option("--include-ended", is_flag=True, help="Also show exposures that have ended.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Label language.")
@click.option("--format", "fmt", type=click.Choice(["html", "png", "svg"]), default=None,
              help="html (interactive, default), png (the figure, rasterised) or svg "
                   "(vector, drawn from the same layout); default from --out's suffix.")
@click.option("--out", "out", type=click.Path(), default=None,
              help="Output file (default: viz-VIEW[-NAME].FORMAT here); written atomically.")
@click.option("--force", is_flag=True,
              help="Replace an existing --out file even if it is not an earlier view.")
@click.pass_context
def viz(ctx: click.Context, view: str, name: str | None, as_of: str | None,
        include_ended: bool, lang: str, fmt: str | None, out: str | None,
        force: bool) -> None:
    """Draw a graph view as one self-contained HTML page (or PNG/SVG).

    VIEW is actor, risk or jurisdiction (each needs a NAME), all, or ontology. The page
    works offline: click a node to highlight its exposure paths, filter by status, risk
    category and jurisdiction, follow a path step by step in the side panel.

    \b
    Examples:
      kg viz actor deepseek --as-of 2026-12-01 --lang zh --out deepseek.html
      kg viz risk OpenSourceModelRegulationRisk
      kg viz jurisdiction eu --include-ended
      kg viz all --format svg --out exposures.svg
      kg viz ontology --out ontology.png
    """
    from kg.core import atomic
    from kg.store.built import Built
    from kg.views.graph import viz as views
    from kg.views.graph.ontology import ontology_view

    project = Project.locate((ctx.obj or {}).get("root"))
    fmt = _format(fmt, out)
    if out is not None:  # checked before any work; the default name once NAME is resolved
        output_path(out, view, None, fmt, project.root, force)
    date = _date(as_of, "--as-of")
    if view == "ontology" and (as_of or include_ended):
        _say("note: --as-of and --include-ended do not apply to the ontology view")
    if view == "ontology":
        build_dir = project.build_dir if Built.has_graph(project.build_dir) else None
        subject = resolve_subject(view, name, {})
        target = output_path(out, view, subject, fmt, project.root, force)
        result = ontology_view(project.root, build_dir, lang=lang)
    else:
        built = Built.open(project)
        if built.is_stale(project):
            _say("warning: the build is older than ontology/ or data/; run `kg build` to "
                 "refresh")
        subject = resolve_subject(view, name, built.index())
        target = output_path(out, view, subject, fmt, project.root, force)
        result = views.view_of_build(built, view, subject, as_of=date, lang=lang,
                                     include_ended=include_ended)
    drawn_from = built if view != "ontology" else (
        Built.open(project) if build_dir is not None else None)
    data = views.render(result, fmt, drawn_from)
    atomic.write_bytes(target, data)
    graph = result.graph
    _say(f"wrote {file_name(str(target))} ({fmt}): {graph.number_of_nodes()} nodes, "
         f"{graph.number_of_edges()} edges, {len(result.paths)} paths")
