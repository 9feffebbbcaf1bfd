"""A reader page per source document: its text with every figure's sentence marked where it stands.

Each page (``site/documents/000.html`` ...) shows one document, escaped, one paragraph per line,
with every figure row's quote marked once (at its first paragraph: the documents repeat their text,
and ``make data`` counts a repeated paragraph once too), coloured by evidence kind on the views'
fixed colour domain, hedged rows dashed, and the row ids shown. Numbers audited in
``data/not_figures.csv`` are marked grey with their reason; contradictions are listed beside the
text with links to both sentences. A click on a mark shows the views' source panel
(``static/source_panel.js``) with a link to the view that highlights the row
(``helpers.views.home.view_link``). Quotes are located with the provenance check's own reading of
the documents (``helpers.data.provenance.unique_lines``), so the page marks what ``make data`` proves.

The documents live outside the repository; without them no page is written (``SEEDS_HELP``).
"""

from __future__ import annotations

import heapq
import html
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from helpers import EDUCATIONAL_NOTE
from helpers.data.dictionary import family_names
from helpers.data.prepared import prepared
from helpers.data.provenance import (
    SEEDS_ENV,
    ledger_covers,
    number_matches,
    seeds_dir,
    source_files,
    source_text,
    unique_lines,
)
from helpers.data.tables import load
from helpers.paths import ROOT, write_atomic
from helpers.views import core, marks
from helpers.views.home import row_homes, showing_link

STATIC = Path(__file__).parent / "static"
FOLDER = "documents"
SEEDS_HELP = (
    f"The source documents are not in this copy: set {SEEDS_ENV} to the folder that holds them "
    f"(000_….txt to 004_….txt, named in data/sources.csv) or put them in ../shared/seeds beside the clone "
    f"({ROOT.parent / 'shared' / 'seeds'}), then build again."
)
PANEL_FIELDS = [*core.SOURCE_FIELDS, "qualifier"]  # the views' source panel, and the hedge the page marks
# Nesting order when two spans start and end together: the contradiction anchor outside, the figure, the number.
_DEPTH = {"contradiction": 0, "figure": 1, "aside": 2}


@cache
def kind_colors() -> dict[str, str]:
    """Evidence kind -> colour: the views' fixed domain (every kind the dictionary allows, in its order,
    on ``core.PALETTE``), as ``marks.color_by`` colours a chart by evidence kind."""
    return dict(zip(marks.domain("evidence_kind"), core.PALETTE, strict=False))


# --- where things stand in a document ---------------------------------------------------------


@dataclass
class Span:
    """A stretch of one paragraph to wrap: a figure's quote (one or more rows), a set-aside number,
    or one side of a contradiction. ``part`` > 0 for the later pieces of a span split at a crossing."""

    line: int
    start: int
    end: int
    kind: str
    key: str  # the figure's first row id, "aside-<n>", or "<con id>-a/b"
    rows: list[dict] = field(default_factory=list)
    part: int = 0
    last: bool = True


def locate(source_id: str, quote: str) -> tuple[int, int] | None:
    """(line number, offset) of a quote's first place in its document, read as the provenance audit
    reads it (distinct paragraphs, ``str.find``); None when no one paragraph holds it."""
    for number, line in unique_lines(source_id):
        at = line.find(quote)
        if at != -1:
            return number, at
    return None


def locate_number(source_id: str, number: str, context: str) -> tuple[int, int, int] | None:
    """(line, start, end) of a not_figures.csv number: the audit's digits or quantity word that equals
    ``number`` and stands inside ``context`` in its paragraph (``provenance.uncovered_numbers``' rule)."""
    for line_no, line in unique_lines(source_id):
        for match in number_matches(line):
            if ledger_covers(line, match, number, context):
                return line_no, match.start(), match.end()
    return None


@dataclass
class Document:
    source_id: str
    title: str
    text: str
    spans: list[Span]
    figures: list[dict]  # the figure rows of this document, marked
    contradictions: list[dict]
    unlocated: list[str]  # what could not be placed, with why


def figure_rows() -> list[dict]:
    """Every figure row of the six families, with the columns the source panel shows."""
    return [row for family in family_names() for row in prepared(family).to_dict("records")]


def collect(
    source_id: str, title: str, figures: list[dict], ledger: list[dict], contradictions: list[dict]
) -> Document:
    """Every span of one document: figures grouped by sentence, set-aside numbers, contradiction sides."""
    spans: dict[tuple, Span] = {}
    unlocated = []
    mine = [r for r in figures if str(r["source_id"]) == source_id]
    for row in mine:
        place = locate(source_id, row["quote"])
        if place is None:
            unlocated.append(f"{row['id']}: its quote is in no one paragraph of document {source_id}")
            continue
        line, at = place
        key = (line, at, at + len(row["quote"]), "figure")
        if key not in spans:
            spans[key] = Span(line, at, at + len(row["quote"]), "figure", str(row["id"]))
        spans[key].rows.append(row)
    asides = [r for r in ledger if r["source_id"] == source_id]
    for n, row in enumerate(asides):
        place = locate_number(source_id, row["number"], row["context_text"])
        if place is None:
            unlocated.append(
                f"not_figures {row['number']!r} in {row['context_text'][:50]!r}: not in document {source_id}"
            )
            continue
        spans[(*place, f"aside-{n}")] = Span(*place, "aside", f"aside-{n}", [row])
    cons = [c for c in contradictions if source_id in (c["source_a"], c["source_b"])]
    for con in cons:
        for side in ("a", "b"):
            if con[f"source_{side}"] != source_id:
                continue
            place = locate(source_id, con[f"quote_{side}"])
            if place is None:
                unlocated.append(f"{con['id']} quote_{side}: in no one paragraph of document {source_id}")
                continue
            line, at = place
            key = f"{con['id']}-{side}"
            spans[(line, at, key)] = Span(line, at, at + len(con[f"quote_{side}"]), "contradiction", key, [con])
    placed = {r["id"] for s in spans.values() if s.kind == "figure" for r in s.rows}
    return Document(
        source_id,
        title,
        source_text(source_id),
        list(spans.values()),
        [r for r in mine if r["id"] in placed],
        cons,
        unlocated,
    )


# --- nesting ---------------------------------------------------------------------------------


@dataclass
class Node:
    span: Span | None
    start: int
    end: int
    children: list[Node] = field(default_factory=list)


def nest(spans: list[Span], length: int) -> Node:
    """The spans of one paragraph as a tree; a span that crosses another's end is split there
    (its pieces keep its key, ``part`` counts them), so nothing overlapping is lost."""
    root = Node(None, 0, length)
    spans = [piece for s in spans for piece in _cut_contradiction(s, spans)]
    heap = [(s.start, -s.end, _DEPTH[s.kind], i, s) for i, s in enumerate(spans)]
    heapq.heapify(heap)
    counter = len(spans)
    stack = [root]
    while heap:
        start, neg_end, depth, _, span = heapq.heappop(heap)
        end = -neg_end
        while stack[-1] is not root and stack[-1].end <= start:
            stack.pop()
        parent = stack[-1]
        if end > parent.end:  # crosses the open span's end: keep the inside part, queue the rest
            rest = Span(span.line, parent.end, end, span.kind, span.key, span.rows, span.part + 1, span.last)
            counter += 1
            heapq.heappush(heap, (parent.end, -end, depth, counter, rest))
            span = Span(span.line, start, parent.end, span.kind, span.key, span.rows, span.part, False)
            end = parent.end
        node = Node(span, start, end)
        parent.children.append(node)
        stack.append(node)
    return root


def _cut_contradiction(span: Span, spans: list[Span]) -> list[Span]:
    """A contradiction's side in pieces at the edges of the marks that cross it, so the marks stay whole."""
    if span.kind != "contradiction":
        return [span]
    cuts = sorted(
        {
            edge
            for other in spans
            if other.kind != "contradiction" and not (span.start <= other.start and other.end <= span.end)
            for edge in (other.start, other.end)
            if span.start < edge < span.end
        }
    )
    edges = [span.start, *cuts, span.end]
    return [
        Span(span.line, a, b, span.kind, span.key, span.rows, i, i == len(edges) - 2)
        for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False))
    ]


def _attr(value: str) -> str:
    return html.escape(str(value), quote=True)


def _open(span: Span) -> tuple[str, str]:
    """The opening tag of a span's element and what goes before its closing tag (the id label)."""
    anchor = span.part == 0
    if span.kind == "figure":
        ids = [str(r["id"]) for r in span.rows]
        kind = str(span.rows[0]["evidence_kind"])
        hedges = sorted({str(r["qualifier"]) for r in span.rows if r["qualifier"] != "none"})
        classes = "ke-fig" + (" ke-hedged" if hedges else "")
        extra = "".join(f'<span class="ke-anchor" id="row-{_attr(i)}"></span>' for i in ids[1:]) if anchor else ""
        opening = (
            f'<mark class="{classes}" data-ids="{_attr(" ".join(ids))}" data-kind="{_attr(kind)}" '
            f'data-hedge="{_attr(", ".join(hedges))}" style="--kind: {kind_colors()[kind]}"'
            + (f' id="row-{_attr(ids[0])}">' if anchor else ">")
            + extra
        )
        label = " ".join(ids) + (f" · {', '.join(hedges)}" if hedges else "")
        tag = f'<button type="button" class="ke-rid" data-ids="{_attr(" ".join(ids))}">{html.escape(label)}</button>'
        return opening, tag if span.last else ""
    if span.kind == "aside":
        row = span.rows[0]
        reason = str(row["reason"])
        opening = (
            f'<mark class="ke-aside" data-aside="{_attr(span.key)}" data-number="{_attr(row["number"])}" '
            f'data-reason="{_attr(reason)}" title="set aside: {_attr(reason)}"'
            + (f' id="{_attr(span.key)}">' if anchor else ">")
        )
        tag = f'<span class="ke-why">{html.escape(reason)}</span>'
        return opening, tag if span.last else ""
    con = span.rows[0]
    title = f"one side of contradiction {con['id']} ({con['topic_label']}): see the list beside the text"
    opening = (
        f'<span class="ke-con" data-con="{_attr(con["id"])}" data-anchor="{_attr(span.key)}" title="{_attr(title)}"'
        + (f' id="{_attr(span.key)}">' if anchor else ">")
    )
    return opening, ""


def render_line(line: str, spans: list[Span]) -> str:
    """One paragraph's HTML: its text escaped, its spans wrapped (nested, split where they cross)."""

    def emit(node: Node) -> str:
        out, at = [], node.start
        for child in node.children:
            out.append(html.escape(line[at : child.start]))
            opening, label = _open(child.span)
            closing = "</mark>" if child.span.kind != "contradiction" else "</span>"
            out.append(opening + emit(child) + label + closing)
            at = child.end
        out.append(html.escape(line[at : node.end]))
        return "".join(out)

    return emit(nest(spans, len(line)))


# --- the page --------------------------------------------------------------------------------


def panel_rows(doc: Document) -> dict[str, dict]:
    """Row id -> the fields the views' source panel shows, and the link to the view that highlights it."""
    out = {}
    for row in doc.figures:
        rid = str(row["id"])
        fields = {k: row.get(k) for k in PANEL_FIELDS}
        fields = {k: None if isinstance(v, float) and v != v else v for k, v in fields.items()}  # NaN is not JSON
        out[rid] = {**fields, "href": showing_link(rid, page="../{notebook}.html"), "notebook": row_homes()[rid]}
    return out


def legend_html(doc: Document) -> str:
    """Figures by evidence kind (the kind's colour), hedged figures, and numbers set aside, with their counts."""
    counts = Counter(str(r["evidence_kind"]) for r in doc.figures)
    items = []
    for kind, color in kind_colors().items():
        if counts[kind]:
            items.append(
                f'<li data-kind="{_attr(kind)}" data-count="{counts[kind]}"><span class="ke-swatch" '
                f'style="--kind: {color}"></span>{html.escape(kind)}: {counts[kind]}</li>'
            )
    hedged = sum(r["qualifier"] != "none" for r in doc.figures)
    sentences = len({s.key for s in doc.spans if s.kind == "figure"})
    placed_asides = len({s.key for s in doc.spans if s.kind == "aside"})
    return (
        f'<section class="ke-legend" aria-labelledby="legend-h"><h2 id="legend-h">Marks</h2>'
        f"<p>{len(doc.figures)} figure{'s' if len(doc.figures) != 1 else ''} in {sentences} marked sentence"
        f"{'s' if sentences != 1 else ''}, coloured by what the document says they rest on:</p>"
        f'<ul class="ke-kinds">{"".join(items)}</ul>'
        f'<p data-hedged="{hedged}"><span class="ke-swatch ke-hedged-swatch"></span>hedged (dashed): {hedged}</p>'
        f'<p data-aside-count="{placed_asides}"><span class="ke-swatch ke-aside-swatch"></span>'
        f"numbers audited and set aside (grey, with the reason): {placed_asides}</p>"
        f'<p><label><input type="checkbox" id="ke-show-why" checked> show the reasons in the text</label></p>'
        "</section>"
    )


def contradictions_html(doc: Document, written: set[str]) -> str:
    """The document's contradictions, each linking to both sentences (here or on the other document's page)."""
    if not doc.contradictions:
        return (
            '<section class="ke-contradictions" aria-labelledby="con-h"><h2 id="con-h">Contradictions</h2>'
            "<p>None recorded for this document.</p></section>"
        )
    items = []
    for con in doc.contradictions:
        links = []
        for side in ("a", "b"):
            sid, anchor = con[f"source_{side}"], f"{con['id']}-{side}"
            href = f"#{anchor}" if sid == doc.source_id else f"{sid}.html#{anchor}"
            words = (
                f"“{html.escape(_short(con[f'quote_{side}']))}” ({'this document' if sid == doc.source_id else sid})"
            )
            if sid == doc.source_id or sid in written:
                links.append(f'<a href="{_attr(href)}">{words}</a>')
            else:
                links.append(words)
        items.append(
            f'<li data-con="{_attr(con["id"])}"><strong>{html.escape(con["id"])}</strong> '
            f"{html.escape(con['topic_label'])} ({html.escape(con['strength'])}): {links[0]} vs {links[1]}</li>"
        )
    return (
        f'<section class="ke-contradictions" aria-labelledby="con-h"><h2 id="con-h">Contradictions '
        f"({len(doc.contradictions)})</h2><ul>{''.join(items)}</ul></section>"
    )


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_html(doc: Document) -> str:
    """The document, one <p> per non-blank line (its line number kept), spans marked where they stand."""
    by_line: dict[int, list[Span]] = {}
    for span in doc.spans:
        by_line.setdefault(span.line, []).append(span)
    first = {n for n, _ in unique_lines(doc.source_id)}
    out = []
    for number, line in enumerate(doc.text.split("\n"), start=1):
        if not line.strip():
            continue
        repeat = "" if number in first else ' class="ke-repeat"'
        out.append(f'<p id="L{number}" data-line="{number}"{repeat}>{render_line(line, by_line.get(number, []))}</p>')
    return "\n".join(out)


def _script_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def page_html(doc: Document, documents: list[tuple[str, str]], written: set[str], in_site: bool = False) -> str:
    """One document's reader page, complete and offline (styles and scripts inline).

    ``in_site``: the page sits in a built site, so it links to the front door and the finder.
    """
    data = {
        "fields": PANEL_FIELDS,
        "labels": {**core.SOURCE_LABELS, "qualifier": "hedge"},
        "hints": {"title": core.HINTS["source_title"], "link": "Show {id} in its view ({notebook})"},
        "rows": panel_rows(doc),
    }
    nav = " · ".join(
        f'<a href="{sid}.html"{" aria-current=page" if sid == doc.source_id else ""}>{sid}</a>'
        for sid, _ in documents
        if sid in written
    )
    if in_site:
        nav = (
            f'<a href="../index.html">All notebooks</a> · <a href="../finder.html">Find a figure</a> · Documents: {nav}'
        )
    else:
        nav = f"Documents: {nav}"
    script = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in ("source_panel.js", "reader.js"))
    css = (STATIC / "reader.css").read_text(encoding="utf-8")
    script = script.replace("</script", "<\\/script")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(doc.source_id)} · {html.escape(doc.title)}</title><style>{css}</style></head>
<body>
<header>
<p class="ke-disclaimer" role="note">{html.escape(EDUCATIONAL_NOTE)}</p>
<nav aria-label="documents">{nav}</nav>
<h1><span class="ke-docid">{html.escape(doc.source_id)}</span> {html.escape(doc.title)}</h1>
<p class="ke-intro">Every figure the notebooks take from this document is marked in its sentence, with its row id;
click a mark (or its id) for its row and a link to the view that shows it. A paragraph the document repeats is
marked where it first appears only.</p>
</header>
<div class="ke-layout">
<main class="ke-text" data-document="{_attr(doc.source_id)}">
{text_html(doc)}
</main>
<aside class="ke-side" aria-label="marks, selected row and contradictions">
{legend_html(doc)}
<section class="ke-panel" aria-labelledby="panel-h"><h2 id="panel-h">Selected</h2>
<div class="ke-source" aria-live="polite"><p class="ke-source-hint">Click a mark to read its row here.</p></div>
</section>
{contradictions_html(doc, written)}
</aside>
</div>
<script type="application/json" id="ke-reader-data">{_script_json(data)}</script>
<script>{script}</script>
</body></html>
"""


def documents_present() -> list[str]:
    """The source ids whose document file is in the seeds folder (none when the folder is absent)."""
    folder = seeds_dir()
    if folder is None:
        return []
    return [sid for sid, name in source_files().items() if (folder / name).is_file()]


def build_documents(present: list[str]) -> list[Document]:
    sources = load("sources")
    titles = {str(s): str(t) for s, t in zip(sources["source_id"], sources["title"], strict=True)}
    ledger = [{k: str(v) for k, v in r.items()} for r in load("not_figures").to_dict("records")]
    cons = [{k: str(v) for k, v in r.items()} for r in load("contradictions").to_dict("records")]
    figures = figure_rows()
    return [collect(sid, titles[sid], figures, ledger, cons) for sid in present]


def write_reader_pages(site_dir: Path, in_site: bool = False) -> list[dict]:
    """Write ``site_dir/documents/<id>.html`` for each document present (each written, then renamed).

    Returns one dict per page written: document, title, href (relative to ``site_dir``) and marks
    (the figure rows marked); ``in_site`` adds links to the site's front door and finder.
    Returns [] when the documents are absent (``SEEDS_HELP`` says how to add them).
    """
    present = documents_present()
    if not present:
        return []
    docs = build_documents(present)
    folder = Path(site_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    listing = [(d.source_id, d.title) for d in docs]
    written = {d.source_id for d in docs}
    out = []
    for doc in docs:
        write_atomic(folder / f"{doc.source_id}.html", page_html(doc, listing, written, in_site))
        out.append(
            {
                "document": doc.source_id,
                "title": doc.title,
                "href": f"{FOLDER}/{doc.source_id}.html",
                "marks": len(doc.figures),
            }
        )
    return out


def unlocated() -> list[str]:
    """Everything of the tables that no reader page can mark, with why (empty when all is placed)."""
    return [problem for doc in build_documents(documents_present()) for problem in doc.unlocated]


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.render.reader --out DIR``: write the reader pages under DIR/documents."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.render.reader", description=main.__doc__)
    parser.add_argument("--out", type=Path, required=True, help="the site folder (pages go to OUT/documents/)")
    args = parser.parse_args(argv)
    pages = write_reader_pages(args.out)
    if not pages:
        print(SEEDS_HELP, file=sys.stderr)
        return 1
    for page in pages:
        print(f"{args.out / page['href']}: {page['marks']} figure(s) marked")
    for problem in unlocated():
        print(f"not marked: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
