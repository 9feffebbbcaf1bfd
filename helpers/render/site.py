"""The site's front door (``site/index.html``) and the parts of a site page it needs.

A card per notebook (title, one line, a thumbnail of its chart), links to the figure finder,
and a "Documents" section listing the source documents' reader pages when the build has
them (``documents``, one dict per document as ``helpers.render.reader.write_reader_pages``
returns), or how to add them when it has none. Thumbnails are PNGs drawn by vl-convert at
build time, so the page needs no script and fetches nothing.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.render.finder import site_css
from helpers.render.report_page import banner, text

THUMB_SCALE = 0.35  # a card's picture, not a chart to read: about 200 px wide and 15-70 kB


@dataclass(frozen=True)
class Card:
    """One notebook on the front door."""

    notebook: str
    title: str
    description: str
    href: str  # the view page, beside index.html
    thumbnail: str = ""  # assets/<name>.png, or empty (a notebook without a chart)


def description(nb: Any) -> str:
    """A notebook's one line: the first sentence of its first paragraph that is neither heading nor quote."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n", text(cell.source)):
            paragraph = paragraph.strip()
            if not paragraph or paragraph.startswith(("#", ">", "|", "-", "*  ", "```", "<")):
                continue
            plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)  # links -> their text
            plain = re.sub(r"[*_`]+", "", plain)
            plain = " ".join(plain.split())
            match = re.match(r"(.+?[.!?:])(\s|$)", plain)
            return (match.group(1) if match else plain).rstrip(":").strip()
    return ""


def thumbnail_png(spec: Mapping[str, Any]) -> bytes:
    """A small PNG of a chart (its title left out: the card says it), drawn by vl-convert, offline."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec = {k: v for k, v in spec.items() if k != "title"}
    return vlc.vegalite_to_png(json.dumps(spec), vl_version=vl_version_for_vl_convert(), scale=THUMB_SCALE)


def hashed_name(stem: str, content: bytes, suffix: str) -> str:
    """``<stem>-<first 12 hex of SHA-256>.<suffix>``: a new file name whenever the content changes."""
    return f"{stem}-{hashlib.sha256(content).hexdigest()[:12]}.{suffix}"


def _card(card: Card) -> str:
    picture = f'<img src="{html.escape(card.thumbnail)}" alt="" width="200" height="144">' if card.thumbnail else ""
    return (
        f'<li class="ke-card" data-notebook="{html.escape(card.notebook)}">'
        f'<h3><a href="{html.escape(card.href)}">{html.escape(card.title)}</a></h3>'
        f"{picture}<p>{html.escape(card.description)}</p></li>"
    )


def _documents(documents: Sequence[Mapping[str, Any]], help_text: str) -> str:
    if not documents:
        return f'<p class="ke-docs-missing">{html.escape(help_text)}</p>'
    items = []
    for doc in documents:
        marks = int(doc.get("marks", 0))
        items.append(
            f'<li><a href="{html.escape(str(doc["href"]))}">{html.escape(str(doc["document"]))}: '
            f"{html.escape(str(doc['title']))}</a> ({marks} figure{'' if marks == 1 else 's'} marked)</li>"
        )
    return '<ul class="ke-docs">' + "".join(items) + "</ul>"


def index_html(
    cards: Sequence[Card],
    documents: Sequence[Mapping[str, Any]] = (),
    documents_help: str = "The source documents were not found when this site was built.",
    *,
    figures: int | None = None,
) -> str:
    """The front door: notebook cards, the finder and the documents (or ``documents_help`` when none)."""
    found = f" ({figures} rows)" if figures is not None else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ketamine evidence · notebooks, figure finder, documents</title>
<style>{site_css()}</style>
</head>
<body>
<header>
{banner(None)}
</header>
<main>
<h1>Ketamine evidence: what five web articles say, figure by figure</h1>
<p>Each page below is one notebook's view, live from disk with no internet: change its controls, click a figure
to read its sentence. <a class="ke-finder-link" href="finder.html">Find a figure{found}</a>: search every
figure, contradiction and audited number by its words.</p>
<h2>Notebooks</h2>
<ul class="ke-cards">
{"".join(_card(c) for c in cards)}
</ul>
<h2>Documents</h2>
{_documents(documents, documents_help)}
</main>
<footer><p>Built by <code>make site</code>. Educational use only, not medical advice.</p></footer>
</body>
</html>
"""


NAV = (
    '<nav class="ke-site-nav" aria-label="Site">'
    '<a href="index.html">All notebooks</a> · <a href="finder.html">Find a figure</a></nav>'
)


def site_page(page: str) -> str:
    """A notebook's report page as a site page: links to the front door and the finder at the top.

    The footer's "included in this file" becomes where the runtime is (the site's ``assets/``).
    """
    if "<header>" not in page:
        raise ValueError("a report page without <header>: the site's links have nowhere to go")
    page = page.replace("<header>", f"<header>\n{NAV}", 1)
    return page.replace("the Vega library included in this file", "the Vega library in this site's assets/ folder")
