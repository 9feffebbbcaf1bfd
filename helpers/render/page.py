"""The page renderer: a View as an interactive block of a saved, offline HTML report.

The kernel displays a View as one MIME bundle (:data:`VIEW_MIME`, made by
:func:`view_bundle`). This module turns that bundle into HTML: the chart's params bound
to HTML inputs by Vega, the count, the source panel, the CSV download and the tables,
all filled in for the initial values so the page reads well before (or without) its
script. ``static/view.js``, included once per page after the Vega runtime, makes the
block follow its controls, shows a figure's source on click and keeps the URL hash.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from helpers.render.baked import CSS as BAKED_CSS
from helpers.render.baked import baked_svg
from helpers.render.offline import gunzip_base64, gzip_base64

VIEW_MIME = "application/vnd.ketamine.view.v1+json"
STATIC = Path(__file__).parent / "static"

CSS = (
    """
.ke-view { margin: 1rem 0 2rem; }
/* Controls wrap, and each is a finger's size (44 px, WCAG 2.5.5); a slider takes the whole line on a phone. */
.ke-controls { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin-bottom: .5rem; }
.ke-controls .vega-bind { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .1rem .4rem;
  min-height: 44px; max-width: 100%; }
.ke-controls .vega-bind-name { font-weight: 600; }
.ke-controls .vega-bind-radio { display: inline-flex; flex-wrap: wrap; }
.ke-controls .vega-bind-radio label { display: inline-flex; align-items: center; min-height: 44px;
  margin-right: .6rem; }
.ke-controls input[type=radio], .ke-controls input[type=checkbox] { width: 1.2rem; height: 1.2rem; }
.ke-controls select, .ke-controls input { font: inherit; min-height: 44px; box-sizing: border-box; max-width: 100%; }
.ke-controls input[type=range] { width: 16rem; }  /* a year slider over 4000 years needs room */
@media (max-width: 40rem) {
  .ke-controls .vega-bind:has(input[type=range]) { width: 100%; }
  .ke-controls input[type=range] { flex: 1 1 100%; width: 100%; }
}
.ke-chart { overflow-x: auto; max-width: 100%; }
.ke-chart svg { display: block; }
/* The chart drawn when the page was written (helpers.render.baked) stays until the live one is drawn. */
.ke-chart.ke-drawing { height: 0; overflow: hidden; }
/* A wide table scrolls in its own box, never the page. */
.ke-scroll-box { overflow-x: auto; max-width: 100%; }
.ke-notes { border-left: 4px solid #D55E00; background: #fff4ec; padding: .4rem .8rem; overflow-wrap: anywhere; }
.ke-source { border: 1px solid #ccc; border-radius: 4px; padding: .4rem .8rem; margin: .5rem 0; background: #fafafa;
  overflow-wrap: anywhere; }
.ke-source dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
@media (max-width: 40rem) { .ke-source dl { grid-template-columns: 1fr; } .ke-source dd { margin-bottom: .3rem; } }
.ke-source dt { font-weight: 600; color: #333; }
.ke-source dd { margin: 0; min-width: 0; }
.ke-source-title { font-weight: 600; margin: 0 0 .3rem; }
.ke-page-note { color: #444; font-size: .9rem; }
tr[hidden] { display: none; }
@media print { .ke-controls { display: none; } }
"""
    + BAKED_CSS
    + "\n"
)


VIEW_CSS = (STATIC / "cite.css").read_text(encoding="utf-8")  # the tooltip, downloads, citation, highlight


@cache
def view_js() -> str:
    """The page script that makes every view block follow its controls."""
    # params.js: the declaration's verdict; source_panel.js: a row's panel; tooltip.js: the tooltip box;
    # cite.js: downloads, "cite this view" and the highlighted figure; layout.js: the chart fits its box;
    # svg_paths.js: a line's path drawn once per redraw; unzip.js: the packed payload's text.
    # view.js uses them all.
    names = (
        "unzip.js",
        "empty_marks.js",
        "source_panel.js",
        "params.js",
        "tooltip.js",
        "cite.js",
        "layout.js",
        "svg_paths.js",
        "view.js",
    )
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in names)


def view_bundle(payload: dict) -> dict:
    """The MIME bundle a kernel displays for a View in a report run (plain text for other front ends)."""
    return {VIEW_MIME: payload, "text/plain": payload.get("description", payload["title"])}


def _rows_table(rows: list[dict], columns: list[str], keep: set[str], label: str) -> str:
    head = "".join(f"<th scope='col'>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = []
    for row in rows:
        hidden = "" if row.get("id") in keep else " hidden"
        cells = "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in columns)
        body.append(f'<tr data-id="{html.escape(str(row.get("id")), quote=True)}"{hidden}>{cells}</tr>')
    return _scroll_box(
        f'<table class="evidence-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>', label
    )


def _scroll_box(table: str, label: str = "table") -> str:
    """A table in a box that scrolls sideways when the table is wider than the page; the box takes the
    keyboard's focus so its scrolling is reachable without a mouse (axe: scrollable-region-focusable)."""
    name = html.escape(label, quote=True)
    return f'<div class="ke-scroll-box" role="region" aria-label="{name}" tabindex="0">{table}</div>'


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet may run as a formula


def _js_text(value: Any) -> str:
    """A JSON value as JavaScript's String() writes it (true, 20, 1e-7), so both CSVs are the same bytes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(value))
    return str(value)


def csv_cell(value: Any) -> str:
    """A CSV cell's text, a formula neutralized the OWASP way (a leading quote); view.js's csvText does the same."""
    text = _js_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[dict], columns: list[str]) -> str:
    """The rows as CSV, columns in the table's order, every cell through :func:`csv_cell`, quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in columns])
    writer.writerows([csv_cell(row.get(c)) for c in columns] for row in rows)
    return out.getvalue()


def csv_columns(payload: dict) -> list[str]:
    """The CSV's columns: the table's own order (``columns``), else the first row's keys."""
    rows = payload["rows"]
    return list(payload.get("columns") or (list(rows[0]) if rows else payload["table_columns"]))


def _extra_html(index: int, extra: dict) -> str:
    keep = set(extra["initial"])
    head = "".join(f"<th scope='col'>{html.escape(c.replace('_', ' '))}</th>" for c in extra["columns"])
    body = []
    for i, row in enumerate(extra["rows"]):
        cells = "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in extra["columns"])
        body.append(f'<tr data-row="{i}"{"" if i in keep else " hidden"}>{cells}</tr>')
    return (
        f'<div class="ke-extra" data-extra="{index}"><h2>{html.escape(extra["title"])}</h2>'
        f'<p class="ke-extra-count" aria-live="polite">{len(keep)} of {len(extra["rows"])} '
        f"{html.escape(extra['noun'])} match.</p>"
        + _scroll_box(
            f'<table class="evidence-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>',
            extra["title"],
        )
        + "</div>"
    )


def _fill(template: str, **values: Any) -> str:
    """A hint's template ('{n} of {total} {noun} match.') filled in, as view.js fills it."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def page_payload(payload: dict) -> dict:
    """The payload the page reads: the chart compiled to Vega (``helpers.render.compiled.view_vega``)."""
    from helpers.render.compiled import view_vega

    return view_vega(payload)


def payload_script(page: dict) -> str:
    """A page payload (:func:`page_payload`) as a script element: JSON, gzipped and base64 (a sixth of its
    size), which ``view.js`` unzips with the browser's DecompressionStream. :func:`read_payloads` reads it back."""
    text = json.dumps(page, ensure_ascii=False, separators=(",", ":"))
    return (
        f'<script type="application/json" class="ke-view-data" data-encoding="gzip+base64">{gzip_base64(text)}</script>'
    )


def read_payloads(page: str) -> list[dict]:
    """Every view payload of a saved page, as ``view.js`` reads it (tests, tools)."""
    found = re.findall(
        r'<script type="application/json" class="ke-view-data"( data-encoding="gzip\+base64")?>(.*?)</script>',
        page,
        re.S,
    )
    return [json.loads(gunzip_base64(text) if packed else text) for packed, text in found]


def view_html(payload: dict, number: int) -> str:
    """One view as an HTML block, complete for its initial values; ``view.js`` makes it live.

    The chart is there as a picture from the start (:func:`helpers.render.baked.baked_svg`). The CSV
    download gets its rows from ``view.js``, which makes them from the payload: the file holds the
    rows once (a data: link held them a second time, 112 kB of 07's 525 kB)."""
    page = page_payload(payload)
    keep = set(payload["initial_ids"])
    hints = payload["hints"]  # the page's words, from the view (View.all_hints: core.HINTS and its own)
    noun = payload["noun"]
    count = html.escape(_fill(hints["count"], n=len(keep), total=len(payload["rows"]), noun=noun))
    download_text = html.escape(_fill(hints["download"], n=len(keep), noun=noun))
    table = html.escape(_fill(hints["table"], noun=noun))
    label = html.escape(payload.get("description", payload["title"]), quote=True)
    notes = "".join(f'<p class="ke-page-note">{html.escape(n)}</p>' for n in payload.get("notes", []))
    extras = "".join(_extra_html(i, e) for i, e in enumerate(payload.get("extras", [])))
    name = html.escape(payload["notebook"], quote=True)
    aria = html.escape(payload["title"], quote=True)
    download = f'<a class="ke-download" download="{name}_filtered.csv" hidden>'
    chart = f'<div class="ke-chart chart" id="chart-{number}" role="figure" aria-label="{label}">'
    baked = baked_svg(page)
    if baked:
        # A link with settings (#...) opens another chart than the picture: the picture goes at once.
        baked = (
            f'<div class="ke-baked">{baked}</div><script>if (location.hash.length > 1) '
            f'document.querySelector("#chart-{number} .ke-baked").remove();</script>'
        )
    return f"""<section class="ke-view" id="view-{number}" data-notebook="{name}" aria-label="{aria}">
<div class="ke-notes" role="note" hidden></div>
<div class="ke-controls" role="group" aria-label="controls of the chart"></div>
{chart}{baked}<noscript>{label} (the interactive chart needs JavaScript)</noscript></div>
<p class="ke-count" aria-live="polite">{count}</p>
<div class="ke-source" aria-live="polite"><p class="ke-source-hint">{html.escape(hints["source"])}</p></div>
<p>{download}{download_text}</a></p>
<details class="ke-table"><summary>{table}</summary>
{_rows_table(payload["rows"], payload["table_columns"], keep, _fill(hints["table"], noun=noun))}
</details>
{extras}{notes}
{payload_script(page)}
</section>"""


def standalone_page(payloads: list[dict], runtime_js: str, title: str = "Ketamine evidence views") -> str:
    """A minimal offline page holding ``payloads`` (tests, benchmarks, one-off exports)."""
    blocks = "\n".join(view_html(p, i) for i, p in enumerate(payloads, start=1))
    safe = runtime_js.replace("</script", "<\\/script")
    script = view_js().replace("</script", "<\\/script")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{CSS}{VIEW_CSS}</style></head>
<body><main>{blocks}</main>
<script id="vega-runtime">{safe}</script>
<script id="ke-views">{script}</script>
</body></html>
"""
