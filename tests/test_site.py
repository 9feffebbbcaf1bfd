"""``make site``: the view pages sharing one Vega runtime, the front door and the figure finder, opened
from disk in Debian's Chromium with the network closed. The site is built once for the module (it runs
every notebook); the finder's hits are held to a pandas search of the same CSV files."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import urlencode

import axe_support
import browser_support as bs
import nbformat
import pandas as pd
import pytest

from helpers.data import load
from helpers.paths import DATA_DIR
from helpers.render.exporter import notebook_html
from helpers.render.finder import NO_VALUE, SEARCH_COLUMNS
from helpers.render.report_page import RUNTIME_MARKER
from helpers.render.site import Card, index_html
from helpers.run.site import MARKER, SiteError, build_site
from helpers.views import BUILDERS

NOTEBOOKS = ["00_start_here", *BUILDERS]
SITE_DRAW = "section.ke-view[data-ready=true]"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site") / "site", progress=False)


@pytest.fixture(scope="module")
def context(browser):
    guard = bs.NetworkGuard()
    ctx = bs.new_context(browser, guard)
    ctx.set_default_timeout(bs.DRAW_TIMEOUT * 1000)
    yield ctx, guard
    ctx.close()
    assert not guard.blocked, guard.summary()
    assert not guard.console_errors, guard.console_errors


@contextlib.contextmanager
def static_host(folder: Path):
    """``folder`` served at http://127.0.0.1:<port>/ by Python's own static server, as any static host would."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def open_page(context, url: str, size: tuple[int, int] = (1280, 800)):
    ctx, guard = context
    page = ctx.new_page()
    guard.watch(page)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    return page


# --- without a browser ----------------------------------------------------------------------------


def chart_notebook():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.vegalite.v5+json": {"mark": "point"}})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A title"), code]
    return nb


def test_runtime_src_loads_the_shared_runtime_and_is_part_of_the_exporter_cache_key():
    args = {"notebook": "x", "set_name": "s", "params": {}}
    shared, _ = notebook_html(chart_notebook(), runtime_src="assets/vega-abc.js", **args)
    inline, _ = notebook_html(chart_notebook(), runtime="RUNTIME-CODE", **args)
    assert '<script id="vega-runtime" src="assets/vega-abc.js"></script>' in shared
    assert "RUNTIME-CODE" not in shared and RUNTIME_MARKER not in shared
    assert '<script id="vega-runtime">RUNTIME-CODE</script>' in inline and "assets/vega-abc.js" not in inline


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(SiteError, match=rf"not a site built by this command \(no {re.escape(MARKER)} in it\)"):
        build_site(folder, progress=False)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(SiteError, match="it is a file, not a folder"):
        build_site(tmp_path / "file", progress=False)


def test_the_front_door_lists_documents_or_says_how_to_add_them():
    cards = [Card("01_response_rates", "01 · Rates", "How many respond.", "01_response_rates.html")]
    docs = [{"document": "000", "title": "Ketamine & pain", "href": "documents/000.html", "marks": 12}]
    page = index_html(cards, docs, "unused")
    assert '<a href="documents/000.html">000: Ketamine &amp; pain</a> (12 figures marked)' in page
    assert "unused" not in page
    empty = index_html(cards, [], "Put the documents in ../shared/seeds/ and run make site again.")
    assert "Put the documents in ../shared/seeds/ and run make site again." in empty


# --- the built site --------------------------------------------------------------------------------


@pytest.mark.notebooks
def test_the_site_has_every_page_and_one_shared_runtime(site):
    runtimes = list((site / "assets").glob("vega-*.js"))
    assert len(runtimes) == 1, runtimes
    src = f"assets/{runtimes[0].name}"
    assert RUNTIME_MARKER in runtimes[0].read_text(encoding="utf-8")
    for name in ("index.html", "finder.html", MARKER, *(f"{nb}.html" for nb in NOTEBOOKS)):
        assert (site / name).is_file(), name
    assert not [p.name for p in site.parent.iterdir() if p.name != "site"], "temporary folders were left behind"
    # The views' page script, once too: its file is view_js() as the single-file reports carry it.
    from helpers.render.page import view_js

    scripts = list((site / "assets").glob("views-*.js"))
    assert len(scripts) == 1 and scripts[0].read_text(encoding="utf-8") == view_js(), scripts
    views_src = f"assets/{scripts[0].name}"
    # The report stylesheet, once: report_css() as a single-file report includes it.
    from helpers.render.exporter import report_css

    sheets = list((site / "assets").glob("styles-*.css"))
    assert len(sheets) == 1 and sheets[0].read_text(encoding="utf-8") == report_css(), sheets
    styles_src = f"assets/{sheets[0].name}"
    for notebook in BUILDERS:
        page = (site / f"{notebook}.html").read_text(encoding="utf-8")
        assert page.count(f'<script id="vega-runtime" src="{src}"></script>') == 1, notebook
        assert RUNTIME_MARKER not in page, f"{notebook} carries its own runtime"
        assert page.count(f'<script id="ke-views" src="{views_src}"></script>') == 1, notebook
        assert "keDrawPathsOnce" not in page, f"{notebook} carries its own copy of the views' script"
        assert page.count(f'<link rel="stylesheet" href="{styles_src}">') == 1, notebook
        assert "<style>" not in page.split("</head>", 1)[0], f"{notebook} carries its own stylesheet"
    # 01 as a single-file report (the runtime included) against its site page.
    from helpers.render.page import view_bundle
    from helpers.views import view

    nb = nbformat.read(bs.NOTEBOOKS / "01_response_rates.ipynb", as_version=4)
    v = view("01_response_rates")
    code = [c for c in nb.cells if c.cell_type == "code"][-1]
    code.outputs = [nbformat.v4.new_output("display_data", data=view_bundle(v.payload(v.validate({}))))]
    single, _ = notebook_html(nb, notebook="01_response_rates", set_name="s", params={})
    site_bytes = (site / "01_response_rates.html").stat().st_size
    shared_bytes = runtimes[0].stat().st_size + scripts[0].stat().st_size
    assert site_bytes < len(single.encode()) - 0.8 * shared_bytes, (site_bytes, len(single.encode()), shared_bytes)


@pytest.mark.notebooks
def test_a_failed_build_leaves_the_previous_site_as_it_was(site):
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}

    def full_disk(folder: Path) -> list[dict]:
        (folder / "documents").mkdir()  # half-written, in the new site's temporary folder
        raise OSError(28, "No space left on device")

    with pytest.raises(SiteError, match=r"could not be written to .*No space left on device"):
        build_site(site, progress=False, documents=full_disk)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in site.parent.iterdir()] == ["site"], "the temporary folder was left behind"


# --- the finder against pandas ----------------------------------------------------------------------


def pandas_hits(words: str, facets: dict[str, str]) -> list[str]:
    """The finder's rule, done independently: every word in the row's searched columns, every facet matching."""
    found = []
    for table, fields in SEARCH_COLUMNS.items():
        frame = pd.read_csv(DATA_DIR / f"{table}.csv", dtype=str, keep_default_na=False)
        columns = [c for name in ("sentence", "label", "population", "note") for c in fields[name]]
        text = frame[columns].agg(" ".join, axis=1).str.lower()
        keep = pd.Series(True, index=frame.index)
        for word in words.lower().split():
            keep &= text.str.contains(word, regex=False)
        docs = (
            frame[["source_a", "source_b"]].agg(list, axis=1)
            if "source_a" in frame
            else frame["source_id"].map(lambda d: [d])
        )
        facet_of = {
            "table": pd.Series([[table]] * len(frame), index=frame.index),
            "document": docs,
            "kind": frame["evidence_kind"].map(lambda k: [k])
            if "evidence_kind" in frame
            else docs.map(lambda _: [NO_VALUE]),
            "hedge": frame["qualifier"].map(lambda k: [k]) if "qualifier" in frame else docs.map(lambda _: [NO_VALUE]),
        }
        for name, value in facets.items():
            keep &= facet_of[name].map(lambda values, v=value: v in values)
        ids = frame["id"] if "id" in frame else pd.Series([f"{table}:{i + 2}" for i in frame.index], index=frame.index)
        found += list(ids[keep])
    return found


QUERIES = [
    ("nasal", {}),
    ("nasal", {"kind": "unattributed claim"}),
    ("relapse", {}),
    ("Relapse  WEEKS", {"table": "time_course"}),
    ("fda approved", {"document": "003"}),
    ("", {"table": "not_figures", "document": "001"}),
    ("", {"hedge": "up to"}),
    ("xylophone", {}),
]


@pytest.mark.notebooks
@pytest.mark.browser
def test_the_finder_finds_what_pandas_finds(site, context):
    page = open_page(context, (site / "finder.html").as_uri())
    try:
        page.wait_for_selector("body[data-ready=true]")
        assert page.locator("li.ke-hit").count() == len(pandas_hits("", {})) > 400  # no query: every row
        for words, facets in QUERIES:
            page.evaluate("h => { location.hash = h; }", urlencode({"q": words, **facets}))
            expected = pandas_hits(words, facets)
            bs.poll(
                lambda e=expected: page.eval_on_selector_all("li.ke-hit", "els => els.map(e => e.dataset.id)") == e,
                10,
                f"the finder's hits for {words!r} {facets}",
                page=page,
            )
            assert page.inner_text("#ke-find-count").startswith(f"{len(expected)} row"), (words, facets)
        assert pandas_hits("xylophone", {}) == [] and pandas_hits("nasal", {})
        # Typed, as a teacher does: the input event runs the same search.
        page.evaluate("() => { location.hash = ''; }")
        page.fill("#ke-find-q", "")
        page.type("#ke-find-q", "ketamine nasal")
        page.select_option("#ke-find-table", "response_rates")
        got = page.eval_on_selector_all("li.ke-hit", "els => els.map(e => e.dataset.id)")
        assert got == pandas_hits("ketamine nasal", {"table": "response_rates"}) and got
        assert "q=ketamine+nasal" in page.evaluate("location.hash") or "q=ketamine%20nasal" in page.evaluate(
            "location.hash"
        )
        axe_support.assert_accessible(page, "site-finder")
    finally:
        page.close()


# --- links into the views ---------------------------------------------------------------------------


def finder_records(site: Path) -> dict[str, dict]:
    from helpers.render.finder import read_finder_data

    return {r["id"]: r for r in read_finder_data((site / "finder.html").read_text(encoding="utf-8"))["records"]}


IN_SIGHT_JS = """() => {
  const r = document.querySelector('.ke-ring:not([hidden])') || document.querySelector('.ke-chart');
  const b = r.getBoundingClientRect(); return b.bottom > 0 && b.top < innerHeight; }"""


def assert_highlighted(page, row_id: str) -> None:
    page.wait_for_selector(SITE_DRAW)
    assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == row_id
    assert page.inner_text(".ke-source .ke-source-title") == f"Source of {row_id}"
    note = page.inner_text(".ke-highlight-note")
    assert "not shown" not in note and "No figure" not in note, note
    assert page.evaluate(IN_SIGHT_JS), f"{row_id} is not scrolled into sight"


# One per table, and 03/06 rows that the view's default settings hide (the link carries the setting).
SAMPLE = ["resp-019", "time-030", "prev-001", "prev-010", "pk-004", "adv-001", "mile-020", "mile-066"]


@pytest.mark.notebooks
@pytest.mark.browser
def test_each_hit_opens_its_view_with_the_figure_highlighted(site, context):
    records = finder_records(site)
    assert all(records[i]["href"].endswith(f"highlight={i}") for i in SAMPLE)
    assert "denominator=" in records["prev-001"]["href"] and "year_from=" in records["mile-066"]["href"]
    for row_id in SAMPLE:
        page = open_page(context, f"{site.as_uri()}/{records[row_id]['href']}")
        try:
            assert_highlighted(page, row_id)
        finally:
            page.close()
    audited = [r for r in records.values() if r["table"] == ["not_figures"]]
    assert len(audited) == len(load("not_figures")) and all(r["reason"] for r in audited)
    # an audited number has no view: it links to its document's reader page, which the site holds
    for r in audited:
        assert r["href"] == f"documents/{r['document'][0]}.html" and (site / r["href"]).is_file(), r


@pytest.mark.notebooks
@pytest.mark.browser
def test_a_contradiction_link_highlights_it_in_07(site, context):
    href = finder_records(site)["con-004"]["href"]
    assert href == "07_claims_check.html#strength=all&highlight=con-004"
    page = open_page(context, f"{site.as_uri()}/{href}")
    try:
        page.wait_for_selector(SITE_DRAW)
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == "con-004"
        assert page.inner_text(".ke-source .ke-source-title") == "Source of con-004"
        assert page.locator(".ke-highlight-note").is_hidden()
        # its row in the contradictions table is marked and scrolled into sight
        row = page.locator("tr.ke-row-highlight")
        assert row.count() == 1 and row.locator("td").first.inner_text() == "con-004"
        assert page.evaluate(
            "(() => { const b = document.querySelector('tr.ke-row-highlight').getBoundingClientRect();"
            " return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight; })()"
        )
    finally:
        page.close()


# --- the front door and the Done-when walk -----------------------------------------------------------


@pytest.mark.notebooks
@pytest.mark.browser
def test_the_front_door_opens_offline_and_its_cards_lead_to_drawn_pages(site, context):
    page = open_page(context, (site / "index.html").as_uri())
    try:
        cards = page.eval_on_selector_all(
            "li.ke-card",
            "els => els.map(e => { const img = e.querySelector('img'); return {nb: e.dataset.notebook, "
            "href: e.querySelector('h3 a').getAttribute('href'), "
            "img: img && [img.getAttribute('src'), img.naturalWidth]}; })",
        )
        assert [c["nb"] for c in cards] == NOTEBOOKS
        for card in cards:
            assert (site / card["href"]).is_file(), card
            if card["nb"] in BUILDERS:
                src, width = card["img"]
                assert (site / src).is_file() and width > 0, card
        assert (site / page.get_attribute("a.ke-finder-link", "href")).is_file()
        assert "Documents" in page.inner_text("main")
        # the reader pages are part of the site (the documents are beside the clone in CI and here)
        docs = page.eval_on_selector_all("a[href^='documents/']", "els => els.map(e => e.getAttribute('href'))")
        assert docs == [f"documents/{sid}.html" for sid in load("sources")["source_id"]], docs
        assert all((site / d).is_file() for d in docs)
        reader = (site / docs[0]).read_text(encoding="utf-8")
        assert '<a href="../index.html">All notebooks</a>' in reader and 'href="../finder.html"' in reader
        axe_support.assert_accessible(page, "site-index")
        page.click("li.ke-card[data-notebook='08_pk_simulator'] h3 a")
        page.wait_for_selector(SITE_DRAW)  # drawn by the shared runtime, loaded from assets/ over file://
        assert bs.wait_for_charts(page, 1)
        assert page.get_attribute("nav.ke-site-nav a[href='finder.html']", "href")  # the site's links on a view
        assert page.evaluate("getComputedStyle(document.querySelector('.ke-chart')).overflowX") == "auto", (
            "the shared stylesheet (assets/styles-*.css) applies over file://"
        )
        # axe reads a linked stylesheet with an XMLHttpRequest, which Chromium refuses on file:// (the <link>
        # itself loads): axe checks the view page as a static host serves the same folder.
        with static_host(site) as base:
            page.goto(f"{base}08_pk_simulator.html")
            page.wait_for_selector(SITE_DRAW)
            axe_support.assert_accessible(page, "site-08_pk_simulator")
    finally:
        page.close()


@pytest.mark.notebooks
@pytest.mark.browser
def test_done_when_a_phone_finds_nasal_and_opens_it_highlighted(site, context):
    page = open_page(context, (site / "index.html").as_uri(), size=(390, 844))
    try:
        page.click("a.ke-finder-link")
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#ke-find-q", "nasal")
        first = page.locator("li.ke-hit a.ke-hit-id").first
        row_id = first.inner_text()
        assert row_id in pandas_hits("nasal", {})
        first.click()
        assert_highlighted(page, row_id)
        # ... in a chart that fits the screen: no sideways scroll, every chart inside the window
        fit = page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: innerWidth, charts: [...document"
            ".querySelectorAll('.ke-chart svg')].map((s) => s.getBoundingClientRect().right)})"
        )
        assert fit["charts"] and fit["scroll"] <= fit["inner"], fit
        assert all(right <= fit["inner"] + 1 for right in fit["charts"]), fit
        bs.screenshot(page, "site-done-when-phone", full_page=False)
    finally:
        page.close()


def test_audited_numbers_link_to_their_document_page_when_the_site_has_one():
    from helpers.render.finder import finder_records, load_tables

    records = finder_records(
        load_tables(), lambda row_id: f"view.html#highlight={row_id}", {"000": "documents/000.html"}
    )
    audited = [r for r in records if r["table"] == ["not_figures"]]
    assert {r["href"] for r in audited if r["document"] == ["000"]} == {"documents/000.html"}
    assert {r["href"] for r in audited if r["document"] != ["000"]} == {""}
    assert all(r["reason"] and r["kind"] == [NO_VALUE] for r in audited)
    contradiction = next(r for r in records if r["id"] == "con-001")
    assert contradiction["document"] == ["002", "003"] and contradiction["href"] == "view.html#highlight=con-001"


@pytest.mark.notebooks
@pytest.mark.browser
def test_the_site_s_own_pages_fit_a_phone_and_a_projector(site, context):
    """The front door, the finder (with a search's hits shown) and a document page, from 390 to 1920 px:
    nothing makes the page scroll sideways (the view pages are held to this in tests/test_layout.py)."""
    pages = [
        "index.html",
        "finder.html#q=nasal",
        *(f"documents/{p.name}" for p in sorted((site / "documents").glob("*.html"))[:2]),
    ]
    for name in pages:
        page = open_page(context, f"{site.as_uri()}/{name}")
        try:
            for width, height in ((390, 844), (768, 1024), (1280, 800), (1920, 1080)):
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(50)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name} at {width}x{height}: the page is {scroll} px wide"
        finally:
            page.close()
