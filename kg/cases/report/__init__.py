"""The `kg screen` report: :mod:`.model` turns a screening into a brief (summary, deadline
timeline, exposures by instrument × activity, coverage, precedents, mitigations) in the
report's language (:mod:`.words`); the writers show it as text or Markdown (:mod:`.text`),
HTML (:mod:`.html`), or JSON, CSV and iCalendar (:mod:`.data`, the JSON checked by
``schema/screening.schema.json``)."""

from __future__ import annotations

from kg.cases.screen import Screening

FORMATS = ("text", "md", "html", "json", "csv", "ics")


def render(screening: Screening, fmt: str, lang: str = "en", full: bool = False) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`); ``full`` lists every source and
    precedent in the text report too (the other formats always carry them)."""
    from kg.cases.report import data, html, text
    from kg.cases.report.model import brief

    made = brief(screening, lang)
    if fmt == "text":
        return text.to_text(made, full)
    writers = {"md": text.to_markdown, "html": html.to_html, "json": data.to_json,
               "csv": data.to_csv, "ics": data.to_ics}
    return writers[fmt](made)
