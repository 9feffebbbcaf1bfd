"""The chart drawn ahead into a saved page (helpers.render.baked): the same marks as the live chart
at its first values, gone once the live chart is drawn, never shown for a link with other settings."""

from __future__ import annotations

import browser_support as bs
import pytest

from helpers.render import baked

# Each view's rows unit draws one item per row kept at the defaults.
ROWS_ITEMS = "g.rows_marks > *"
NOTEBOOKS = ["01_response_rates", "04_bioavailability", "06_history", "08_pk_simulator"]


def test_a_chart_vl_convert_cannot_draw_leaves_the_live_chart_and_says_why():
    broken = {"notebook": "99_x", "vega": {"marks": [{"type": "no-such-mark"}]}, "rows": [], "rows_data": []}
    with pytest.warns(UserWarning, match=r"99_x: the chart's first frame could not be drawn ahead .*draws it live"):
        assert baked.baked_svg(broken) == ""


def test_the_picture_is_hidden_from_screen_readers_and_carries_no_aria_of_its_own(default_reports):
    text = default_reports["05_safety"].read_text(encoding="utf-8")
    start = text.index('<div class="ke-baked"><svg aria-hidden="true" focusable="false"')
    svg = text[start : text.index("</svg>", start)]
    assert "aria-roledescription" not in svg and 'role="' not in svg
    assert "role-mark" in svg, "the mark classes stay: styles and the first-chart timing find marks by them"


@pytest.fixture(scope="module")
def browser():
    with bs.chromium() as the_browser:
        yield the_browser


def _items(browser, path, *, script: bool, hash_: str = "") -> dict:
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard, java_script_enabled=script)
    tab = context.new_page()
    guard.watch(tab)
    tab.goto(path.as_uri() + hash_)
    if script:
        tab.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    out = tab.evaluate(
        """(sel) => ({
          baked: document.querySelectorAll('.ke-baked').length,
          bakedItems: document.querySelectorAll('.ke-baked svg ' + sel).length,
          liveItems: document.querySelectorAll('.ke-chart svg ' + sel).length,
          drawing: document.querySelectorAll('.ke-drawing').length,
          initial: window.keViews ? window.keViews[document.querySelector('section.ke-view').dataset.notebook]
            .view.data(window.keViews[document.querySelector('section.ke-view').dataset.notebook].rowsData).length
            : null,
        })""",
        ROWS_ITEMS,
    )
    assert not guard.blocked, guard.summary()
    context.close()
    return out


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_picture_has_the_live_charts_marks_and_goes_when_the_live_chart_is_drawn(
    browser, default_reports, notebook
):
    path = default_reports[notebook]
    before = _items(browser, path, script=False)
    after = _items(browser, path, script=True)
    assert before["baked"] == 1 and before["bakedItems"] > 0, before
    assert before["bakedItems"] == after["liveItems"] == after["initial"], (before, after)
    assert after["baked"] == 0 and after["drawing"] == 0, after


@pytest.mark.browser
def test_a_link_with_settings_never_shows_the_picture_of_the_defaults(browser, default_reports):
    path = default_reports["01_response_rates"]
    assert _items(browser, path, script=False)["baked"] == 1
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    tab = context.new_page()
    # Whether the picture is in the page when the parser is done, before view.js has run.
    tab.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => {"
        " window.__bakedAtParse = document.querySelectorAll('.ke-baked').length; }, {capture: true});"
    )
    tab.goto(path.as_uri() + "#condition=fibromyalgia")
    tab.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    assert tab.evaluate("window.__bakedAtParse") == 0
    assert tab.evaluate("window.keViews['01_response_rates'].values().condition") == "fibromyalgia"
    context.close()
