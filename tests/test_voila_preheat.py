"""``make app`` with preheated kernels: a link's query still presets the explorer, or is a note.

The preheated kernel has built 08's explorer before anyone asked; ``helpers.explore`` then waits
for the visitor's request (``voila.utils.wait_for_request``) and applies its query. The refused
``?dose=30`` must give the command line's message and the fallback value, as without preheating.
The page shows the chart's picture (drawn by the app when it starts) before voila.js has loaded, and
only when it is the picture of the values the page shows.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest
from browser_support import (
    NOTEBOOKS,
    NetworkGuard,
    chromium,
    new_context,
    poll,
    voila_app,
    wait_for_charts,
)

pytestmark = [pytest.mark.notebooks, pytest.mark.browser]
NOTEBOOK = "08_pk_simulator"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("preheat")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOKS / f"{NOTEBOOK}.ipynb", notebooks)  # one pool, one preheated kernel
    server = voila_app(tmp, notebooks).start()
    yield server
    server.stop()


def test_a_preheated_kernel_applies_the_links_query_after_the_request(app):
    poll(lambda: "Kernel pool of" in app.log(tail=100_000), 120, "the pool to fill")
    with chromium() as browser:
        guard = NetworkGuard()
        page = new_context(browser, guard).new_page()
        page.goto(f"{app.url}voila/render/{NOTEBOOK}.ipynb?dose=30", timeout=120_000)
        wait_for_charts(page, 1)
        assert "Using pre-heated kernel" in app.log(tail=100_000), app.log()
        note = poll(lambda: page.locator(".link-notes").inner_text() or None, 60, "the note", page=page)
        assert "parameter 'dose' must be at most 20 mg/kg, got 30" in note, note
        assert "There was an error" not in page.inner_text("body")
        box = page.locator(".widget-inline-hbox", has_text="dose").locator("input").first
        assert float(box.input_value()) == 0.5, box.input_value()
        assert not guard.needed(), guard.summary()


# At DOMContentLoaded voila.js has not loaded its plugins (its chunks load after): what the page shows then
# is the HTML's. The picture's marks, and whether the picture is on show.
PICTURE_AT_PARSE = (
    "document.addEventListener('DOMContentLoaded', () => {"
    " const picture = document.querySelector('.ke-baked svg');"
    " window.__picture = Array.from(document.querySelectorAll('.ke-baked svg .role-mark'))"
    "   .map((m) => m.getAttribute('class'));"
    " window.__pictureShown = !!picture && picture.checkVisibility();"
    " }, {capture: true});"
)


def _shown(page) -> bool:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.ke-baked')).some((el) => getComputedStyle(el).display !== 'none')"
    )


@contextmanager
def _page_at_parse(app, query: str = ""):
    """A guarded page of 08 whose marks and picture were read at DOMContentLoaded, its live chart drawn."""
    poll(lambda: "Kernel pool of" in app.log(tail=100_000), 120, "the pool to fill")
    with chromium() as browser:
        guard = NetworkGuard()
        page = new_context(browser, guard).new_page()
        page.add_init_script(PICTURE_AT_PARSE)
        page.goto(f"{app.url}voila/render/{NOTEBOOK}.ipynb{query}", timeout=120_000)
        wait_for_charts(page, 1)
        yield page
        assert not guard.needed(), guard.summary()


def test_a_page_shows_the_charts_picture_with_its_html_until_the_live_chart_is_drawn(app):
    from helpers.render.baked import voila_picture
    from helpers.views import view

    the_view = view(NOTEBOOK)
    defaults = the_view.payload(the_view.validate({}))
    poll(lambda: voila_picture(defaults) or None, 120, "the app to draw the defaults' picture")
    with _page_at_parse(app) as page:
        pictured = page.evaluate("window.__picture")
        assert page.evaluate("window.__pictureShown"), "the picture is on show before voila.js has loaded"
        poll(lambda: not _shown(page), 30, "the picture to give way to the live chart", page=page)
        # The picture is the live chart's first frame: as many marks, each role for role.
        live = page.evaluate(
            "() => Array.from(document.querySelectorAll('.vega-embed svg .role-mark'))"
            "  .map((m) => m.getAttribute('class'))"
        )
        assert pictured == live and len(live) > 0, (pictured, live)


def test_a_link_with_values_never_drawn_shows_no_picture_of_the_defaults(app):
    with _page_at_parse(app, "?dose=1.25") as page:
        assert page.evaluate("window.__picture") == []
        box = page.locator(".widget-inline-hbox", has_text="dose").locator("input").first
        assert float(box.input_value()) == 1.25, box.input_value()
