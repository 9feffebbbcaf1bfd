"""The site's figure finder: every figure, contradiction and audited number, searchable offline.

Python builds the records once (:func:`finder_records`): for each row its sentence, label,
population, note, facets and link, and one lower-cased ``text`` field that is all the search
looks at. The page's script (``static/finder.js``) only lower-cases the query, splits it into
words and keeps the records whose ``text`` holds every word and whose facets match, so the
matching rule lives in one place and tests can hold it to a pandas search of the same tables.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers.render.offline import gunzip_base64, gzip_base64
from helpers.render.report_page import banner, script_js, script_json

STATIC = Path(__file__).with_name("static")

# Every table with an ``id`` column, in notebook order, and its label columns (what the row is about).
FIGURE_TABLES: dict[str, tuple[str, ...]] = {
    "response_rates": ("condition", "arm", "measure"),
    "time_course": ("context", "landmark"),
    "prevalence": ("region", "survey", "measure"),
    "pharmacokinetics": ("measure", "route", "matrix"),
    "adverse_effects": ("effect", "dose_context"),
    "milestones": ("event", "jurisdiction", "topic"),
}
CONTRADICTIONS = "contradictions"
NOT_FIGURES = "not_figures"
# The searched fields of each table, as columns: the sentence (quote), the label, the population, the note.
SEARCH_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    **{
        table: {
            "sentence": ("quote",),
            "label": labels,
            "population": () if table == "milestones" else ("population",),  # events have no population
            "note": ("note",),
        }
        for table, labels in FIGURE_TABLES.items()
    },
    CONTRADICTIONS: {
        "sentence": ("quote_a", "quote_b"),
        "label": ("topic_label", "kind", "strength"),
        "population": (),
        "note": ("difference", "strength_reason"),
    },
    NOT_FIGURES: {"sentence": ("context_text",), "label": ("number",), "population": (), "note": ("reason",)},
}
# The facets, in the order the page shows them: record key -> the control's label.
FACETS: dict[str, str] = {"table": "Table", "document": "Document", "kind": "Evidence kind", "hedge": "Hedge"}
NO_VALUE = "not applicable"  # the kind or hedge of a row that has none (contradictions, audited numbers)


def _cells(row: Mapping[str, Any], columns: Iterable[str]) -> list[str]:
    """The row's non-empty values of ``columns`` as text (a missing column is an error naming it)."""
    out = []
    for column in columns:
        value = row[column]
        if value is None or (isinstance(value, float) and value != value) or str(value) in ("", "<NA>", "nan"):
            continue
        out.append(str(value))
    return out


def _figure(low: Any, high: Any, unit: Any, qualifier: Any) -> str:
    """A figure as the page shows it: ``about 70–80 %`` (empty when the row has no value)."""
    try:
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        return ""
    if lo != lo:  # NaN: a route never measured
        return ""
    number = f"{lo:g}" if lo == hi or hi != hi else f"{lo:g}–{hi:g}"
    hedge = "" if str(qualifier) in ("none", "", "nan") else f"{qualifier} "
    return f"{hedge}{number} {unit}".strip()


def search_text(row: Mapping[str, Any], table: str) -> str:
    """The one lower-cased text a row is found by: its sentence, label, population and note."""
    fields = SEARCH_COLUMNS[table]
    return " ".join(" ".join(_cells(row, fields[name])) for name in ("sentence", "label", "population", "note")).lower()


def finder_records(
    tables: Mapping[str, Any], link: Any, document_pages: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One record per figure row, contradiction and audited number, in table order.

    ``tables`` maps table name -> DataFrame (every name of ``SEARCH_COLUMNS``); ``link(row_id)``
    gives a row's view link (``helpers.views.home.view_link``). An audited number has no view:
    it links to its document's page when ``document_pages`` (document -> href) has one.
    """
    document_pages = dict(document_pages or {})
    missing = [t for t in SEARCH_COLUMNS if t not in tables]
    if missing:
        raise KeyError(f"the finder needs the tables {missing}; it was given {sorted(tables)}")
    records: list[dict[str, Any]] = []
    for table, fields in SEARCH_COLUMNS.items():
        for line, row in enumerate(tables[table].to_dict("records"), start=2):  # file line: header is line 1
            sentence = _cells(row, fields["sentence"])
            record: dict[str, Any] = {
                "table": [table],
                "sentence": sentence,
                "label": " · ".join(_cells(row, fields["label"])),
                "population": " ".join(_cells(row, fields["population"])),
                "note": " ".join(_cells(row, fields["note"])),
                "text": search_text(row, table),
            }
            if table == NOT_FIGURES:
                doc = str(row["source_id"])
                record.update(
                    id=f"{table}:{line}",
                    document=[doc],
                    kind=[NO_VALUE],
                    hedge=[NO_VALUE],
                    href=document_pages.get(doc, ""),
                )
                record["reason"] = str(row["reason"])
            elif table == CONTRADICTIONS:
                docs = list(dict.fromkeys([str(row["source_a"]), str(row["source_b"])]))
                record.update(id=str(row["id"]), document=docs, kind=[NO_VALUE], hedge=[NO_VALUE], href=link(row["id"]))
            else:
                record.update(
                    id=str(row["id"]),
                    document=[str(row["source_id"])],
                    kind=[str(row["evidence_kind"])],
                    hedge=[str(row["qualifier"])],
                    href=link(row["id"]),
                    figure=_figure(row.get("value_low"), row.get("value_high"), row.get("unit"), row.get("qualifier")),
                )
            records.append(record)
    return records


def facet_values(records: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each facet's values in first-seen order (tables in table order), with how the page lists them."""
    values: dict[str, dict[str, None]] = {name: {} for name in FACETS}
    for record in records:
        for name in FACETS:
            for value in record[name]:
                values[name].setdefault(value, None)
    out = {name: list(found) for name, found in values.items()}
    out["document"].sort()
    return out


def site_css() -> str:
    """The stylesheet of the site's own pages (front door and finder), embedded in each."""
    return (STATIC / "finder.css").read_text(encoding="utf-8")


def document_names() -> dict[str, str]:
    """Document id -> "000 · publisher", from ``sources.csv`` (validated)."""
    from helpers.data import load

    sources = load("sources")
    return {str(r.source_id): f"{r.source_id} · {r.publisher}" for r in sources.itertuples()}


def load_tables() -> dict[str, Any]:
    """The finder's tables, validated by ``helpers.data.load`` (a broken file stops the build, naming it)."""
    from helpers.data import load

    return {table: load(table) for table in SEARCH_COLUMNS}


def finder_html(
    records: Sequence[Mapping[str, Any]], *, names: Mapping[str, str] | None = None, documents_note: str = ""
) -> str:
    """The finder page: the records as JSON (gzipped and base64: 335 kB of JSON is 66 kB so), the search
    form, and ``static/finder.js``; nothing fetched. :func:`read_finder_data` reads the records back.

    ``names`` maps a document id to how the page names it ("000 · ProHealth"); ids it lacks show as they are.
    """
    data = {
        "records": list(records),
        "facets": FACETS,
        "values": facet_values(records),
        "names": dict(names or {}),
        "none": NO_VALUE,
    }
    js = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("unzip.js", "finder.js"))
    controls = "\n".join(
        f'<label for="ke-find-{name}">{html.escape(label)}<select id="ke-find-{name}" data-facet="{name}">'
        f'<option value="">any</option></select></label>'
        for name, label in FACETS.items()
    )
    note = f"<p>{html.escape(documents_note)}</p>" if documents_note else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Figure finder · Ketamine evidence</title>
<style>{site_css()}</style>
</head>
<body>
<header>
{banner(None)}
<p><a href="index.html">← All notebooks</a></p>
</header>
<main>
<h1>Figure finder</h1>
<p>Every figure in the tables, every contradiction between the documents, and every number of the documents
that is not a figure (with why). Type words: a row is found when its sentence, label, population or note holds
all of them. A link opens the figure's view with the figure highlighted.</p>
{note}
<form class="ke-find-form" role="search" onsubmit="return false">
<label class="ke-find-query" for="ke-find-q">Search words<input id="ke-find-q" type="search" autocomplete="off"></label>
{controls}
</form>
<p id="ke-find-count" role="status" aria-live="polite"></p>
<ol class="ke-hits" id="ke-find-hits"></ol>
</main>
<script type="application/json" id="ke-find-data" data-encoding="gzip+base64">{gzip_base64(script_json(data))}</script>
<script>{script_js(js)}</script>
</body>
</html>
"""


def read_finder_data(page: str) -> dict[str, Any]:
    """The data a finder page (:func:`finder_html`) carries: records, facets, values, names."""
    found = re.search(
        r'<script type="application/json" id="ke-find-data" data-encoding="gzip\+base64">(.*?)</script>', page, re.S
    )
    if found is None:
        raise ValueError("not a finder page: no ke-find-data script")
    return json.loads(gunzip_base64(found.group(1)))
