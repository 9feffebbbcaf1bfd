"""``make app`` with preheated kernels: a link's query still presets the explorer, or is a note.

The preheated kernel has built 08's explorer before anyone asked; ``helpers.explore`` then waits
for the visitor's request (``voila.utils.wait_for_request``) and applies its query. The refused
``?dose=30`` must give the command line's message and the fallback value, as without preheating.
"""

from __future__ import annotations

import shutil

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
