"""A saved view's tools, in Debian's Chromium with the network closed: ``#highlight=<row id>`` (the
figure's panel, a ring on its mark, the hash), the chart as PNG and SVG, and "cite this view"."""

from __future__ import annotations

import browser_support as bs
import pytest
from test_view_hints import CITED, SAID

from helpers.views import BUILDERS, view

pytestmark = pytest.mark.browser
RATES = "01_response_rates"
NO_MARK_PER_ROW = {"07_claims_check"}  # its charts draw aggregated bars: the panel, no ring


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from helpers.render.offline import vega_runtime_js
    from helpers.render.page import standalone_page

    folder = tmp_path_factory.mktemp("highlight")
    runtime = vega_runtime_js()
    for notebook in BUILDERS:
        the_view = view(notebook)
        page = standalone_page([the_view.payload(the_view.validate({}))], runtime)
        (folder / f"{notebook}.html").write_text(page, encoding="utf-8")
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard, accept_downloads=True)
        yield context, folder, guard
        assert not guard.blocked, guard.summary()
        assert not guard.console_errors, guard.console_errors
        context.close()


def open_view(site, notebook: str, hash_: str = ""):
    context, folder, guard = site
    page = context.new_page()
    guard.watch(page)
    page.goto((folder / f"{notebook}.html").as_uri() + hash_)
    page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    return page


RING_JS = """() => { const r = document.querySelector('.ke-ring');
  if (!r || r.hidden) return null; const b = r.getBoundingClientRect();
  return {x: b.left + b.width / 2, y: b.top + b.height / 2}; }"""


def test_highlight_in_the_link_shows_the_panel_and_rings_that_figure(site):
    page = open_view(site, RATES, "#highlight=resp-019")
    try:
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == "resp-019"
        assert page.inner_text(".ke-source").startswith("Source of resp-019")
        quote = view(RATES).rows.set_index("id").loc["resp-019", "quote"]
        assert quote in page.inner_text(".ke-source")
        assert page.locator(".ke-notes").is_hidden(), "highlight is the page's key, never an unknown parameter"
        assert "highlight=resp-019" in page.evaluate("location.hash")
        # The ring sits on resp-019's mark: a click at its centre (the ring lets clicks through) picks resp-019.
        page.locator(".ke-chart svg .mark-symbol path").first.click(force=True)
        assert "resp-019" not in page.inner_text(".ke-source .ke-source-title")
        centre = page.evaluate(RING_JS)
        assert centre, "a ring is drawn"
        page.mouse.click(centre["x"], centre["y"])
        bs.poll(lambda: page.inner_text(".ke-source .ke-source-title") == "Source of resp-019", 10, "the ringed figure")
        # A control that filters it out: the ring goes and a note says why; back, and it returns.
        page.locator(".ke-controls select").first.select_option("fibromyalgia")
        bs.poll(lambda: page.evaluate(RING_JS) is None, 10, "the ring to clear", page=page)
        assert "not shown with the current settings" in page.inner_text(".ke-highlight-note")
        page.locator(".ke-controls select").first.select_option("all")
        bs.poll(lambda: page.evaluate(RING_JS), 10, "the ring to return", page=page)
    finally:
        page.close()


def test_an_unknown_highlight_is_said_and_nothing_else_refused(site):
    page = open_view(site, RATES, "#arm=ketamine&highlight=resp-999")
    try:
        assert "No figure 'resp-999'" in page.inner_text(".ke-highlight-note")
        assert page.locator(".ke-notes").is_hidden()
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") is None
        assert page.evaluate("location.hash") == "#arm=ketamine"
        got = page.evaluate(f"window.keViews[{RATES!r}].highlight('resp-019')")
        assert got["ok"] is True and page.evaluate(RING_JS)
    finally:
        page.close()


# The first row shown at the defaults that the chart draws as a mark of its own (some rows, such as
# usual-care comparators, are in the table only), asked of the page's own highlight().
DRAWN_JS = """([nb, ids, ringed]) => { const k = window.keViews[nb];
  for (const id of ids) { k.highlight(id); if (!ringed || document.querySelector('.ke-ring:not([hidden])')) return id; }
  return null; }"""


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_every_view_highlights_one_of_its_figures(site, notebook):
    the_view = view(notebook)
    ids = the_view.payload(the_view.validate({}))["initial_ids"]
    probe = open_view(site, notebook)
    if notebook in SAID:  # the view's own words (View.hints): the source panel's and "cite this view"'s
        assert probe.inner_text(".ke-source-hint") == SAID[notebook]
        assert probe.text_content(".ke-cite-figure .ke-cite-hint") == CITED[notebook]
    row_id = probe.evaluate(DRAWN_JS, [notebook, ids, notebook not in NO_MARK_PER_ROW])
    probe.close()
    assert row_id, f"{notebook}: no row of the default view gets a ring"
    page = open_view(site, notebook, f"#highlight={row_id}")
    try:
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == row_id
        assert page.inner_text(".ke-source .ke-source-title") == f"Source of {row_id}"
        if notebook not in NO_MARK_PER_ROW:
            assert page.evaluate(RING_JS), f"{notebook}: a ring on {row_id}"
    finally:
        page.close()


def test_the_chart_downloads_as_png_and_svg_and_the_view_can_be_cited(site, tmp_path):
    page = open_view(site, RATES, "#condition=fibromyalgia")
    try:
        for fmt, magic in (("png", b"\x89PNG"), ("svg", b"<svg")):
            with page.expect_download() as info:
                page.click(f".ke-tools button[data-format={fmt}]")
            path = tmp_path / f"chart.{fmt}"
            info.value.save_as(path)
            assert info.value.suggested_filename == f"{RATES}.{fmt}"
            assert path.read_bytes().lstrip()[: len(magic)] == magic
        page.locator(".ke-chart svg .mark-symbol path").first.click(force=True)
        title = bs.poll(lambda: page.inner_text(".ke-source .ke-source-title"), 10, "a panel", page=page)
        row = view(RATES).rows.set_index("id").loc[title.removeprefix("Source of ")]
        page.click(".ke-cite summary")
        cited = page.inner_text(".ke-cite")
        assert row["quote"] in cited and row["source_label"] in cited and row.name in cited
        assert page.input_value(".ke-cite-url") == page.evaluate("location.href")
        assert "condition=fibromyalgia" in page.input_value(".ke-cite-url")
    finally:
        page.close()


CLAIMS = "07_claims_check"
HIDDEN = "con-004"  # strength "not a contradiction": the default strength (direct) hides it
MARKED_JS = """(id) => { const tr = document.querySelector('tr.ke-row-highlight');
  if (!tr) return null; const b = tr.getBoundingClientRect();
  return {id: tr.cells[0].textContent, hidden: tr.hidden, current: tr.getAttribute('aria-current'),
          inSight: b.height > 0 && b.top >= 0 && b.bottom <= window.innerHeight,
          marked: document.querySelectorAll('tr.ke-row-highlight').length}; }"""


def test_a_contradiction_id_highlights_its_row_in_07s_contradictions_table(site):
    """07's contradictions live in a table beside the chart: #highlight=con-004 marks its row, scrolls to
    it and shows both quotes in the panel; while the settings hide it, the note names the setting."""
    row = view(CLAIMS).extra("contradictions").frame.set_index("id").loc[HIDDEN]
    page = open_view(site, CLAIMS, f"#strength=all&highlight={HIDDEN}")
    try:
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == HIDDEN
        marked = page.evaluate(MARKED_JS)
        assert marked == {"id": HIDDEN, "hidden": False, "current": "true", "inSight": True, "marked": 1}, marked
        panel = page.inner_text(".ke-source")
        assert panel.startswith(f"Source of {HIDDEN}") and row["quote_a"] in panel and row["quote_b"] in panel
        assert page.locator(".ke-highlight-note").is_hidden() and page.locator(".ke-notes").is_hidden()
        assert page.evaluate("location.hash") == f"#strength=all&highlight={HIDDEN}"
        assert row["quote_a"] in page.text_content(".ke-cite-figure")
    finally:
        page.close()
    page = open_view(site, CLAIMS, f"#highlight={HIDDEN}")
    try:
        assert page.evaluate("document.querySelector('section.ke-view').dataset.highlight") == HIDDEN
        assert page.evaluate(MARKED_JS)["hidden"] is True
        assert page.inner_text(".ke-highlight-note") == (
            f"{HIDDEN} is in the contradictions table, hidden by the current settings: set contradiction strength "
            "to “not a contradiction” or “all” to show it."
        )
        # The setting it names shows it: the row appears, marked, and the note goes.
        page.check(".ke-controls input[name=strength][value='not a contradiction']")
        bs.poll(lambda: page.evaluate(MARKED_JS)["hidden"] is False, 10, "the row to show", page=page)
        assert page.locator(".ke-highlight-note").is_hidden()
        assert "highlight=con-004" in page.evaluate("location.hash")
    finally:
        page.close()
