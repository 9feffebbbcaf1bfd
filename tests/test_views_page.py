"""The views in the page, in Debian's Chromium with the network closed.

Parity: for every control and every option value, the rows the page's Vega filter keeps
(the data of the chart's "rows" unit, read with ``view.data``) are the rows pandas keeps
(``View.filter``). Then the page's own behaviour: inputs, count, table, CSV download,
click-to-source and the shareable URL hash.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse

import browser_support as bs
import pytest
from test_views import valid_cases

from helpers.params import read
from helpers.views import BUILDERS, view

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with bs.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def runtime() -> str:
    from helpers.render.offline import vega_runtime_js

    return vega_runtime_js()


def write_page(tmp_path, notebook: str, runtime: str, values: dict | None = None):
    from helpers.render.page import standalone_page

    the_view = view(notebook)
    path = tmp_path / f"{notebook}.html"
    path.write_text(standalone_page([the_view.payload(the_view.validate(values or {}))], runtime), encoding="utf-8")
    return the_view, path


def open_page(browser, url: str):
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    page = context.new_page()
    guard.watch(page)
    page.goto(url)
    page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    return context, page, guard


KEPT_JS = """
async ([notebook, values]) => {
  const v = window.keViews[notebook];
  for (const [name, value] of Object.entries(values)) v.view.signal(v.signals[name], value);
  await v.view.runAsync();
  v.update();
  return v.view.data(v.rowsData).map((d) => d.id);
}
"""


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_page_filter_keeps_the_rows_pandas_keeps(browser, runtime, tmp_path, notebook):
    the_view, path = write_page(tmp_path, notebook, runtime)
    context, page, guard = open_page(browser, path.as_uri())
    try:
        checked = 0
        for control, value, values in valid_cases(the_view):
            kept = page.evaluate(KEPT_JS, [notebook, values])
            expected = list(the_view.filter(values)["id"])
            assert sorted(kept) == sorted(expected), f"{control.name}={value!r}"
            assert len(kept) == len(set(kept)), f"{control.name}={value!r}: a row drawn twice in 'rows'"
            checked += 1
        print(f"{notebook}: {checked} control values, page rows == pandas rows")
        assert not guard.blocked, guard.summary()
        assert not guard.console_errors, guard.console_errors
    finally:
        context.close()


def test_saved_report_view_follows_its_controls_click_and_hash(browser, runtime, tmp_path):
    """01 as a teacher uses it: change the condition with the real input, read the count, the table and the
    CSV, click a point to read its sentence, then share the URL and see the same view restored."""
    notebook = "01_response_rates"
    the_view, path = write_page(tmp_path, notebook, runtime)
    context, page, guard = open_page(browser, path.as_uri())
    try:
        rows = the_view.rows
        page.locator(".ke-controls select").first.select_option("fibromyalgia")
        expected = the_view.filter(the_view.validate({"condition": "fibromyalgia"}))
        bs.poll(
            lambda: page.inner_text(".ke-count") == f"{len(expected)} of {len(rows)} figures match.",
            10,
            "the count to follow the condition",
            page=page,
        )
        shown = page.eval_on_selector_all(".ke-table tr[data-id]:not([hidden])", "els => els.map(e => e.dataset.id)")
        assert shown == [rid for rid in rows["id"] if rid in set(expected["id"])]
        href = page.eval_on_selector("a.ke-download", bs.READ_HREF_JS)
        assert href.startswith("blob:")
        text = page.evaluate("async (u) => await (await fetch(u)).text()", href)
        downloaded = list(csv.DictReader(io.StringIO(text)))
        assert [r["id"] for r in downloaded] == list(expected["id"])
        assert [r["quote"] for r in downloaded] == list(expected["quote"])

        # Click the first point: the panel shows that figure's sentence, evidence kind and document.
        point = page.locator(".ke-chart svg .mark-symbol path").first
        point.click(force=True)
        clicked = bs.poll(lambda: page.inner_text(".ke-source"), 10, "the source panel", page=page)
        row_id = clicked.split("Source of ", 1)[1].split()[0]
        row = rows[rows["id"] == row_id].iloc[0]
        assert row["quote"] in clicked and row["evidence_kind"] in clicked and row["source_label"] in clicked

        # Share: the hash holds the view; a colleague opening it sees the same rows.
        link = page.evaluate("location.href")
        state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).fragment))
        assert state["condition"] == "fibromyalgia"
        other = context.new_page()
        other.goto(link)
        other.wait_for_selector("section.ke-view[data-ready=true]")
        assert other.inner_text(".ke-count") == f"{len(expected)} of {len(rows)} figures match."
        assert other.locator(".ke-controls select").first.input_value() == "fibromyalgia"
        assert other.locator(".ke-notes").is_hidden()

        # A link with an unknown name and a bad value: both ignored, and said, with the valid choices,
        # in Python's words and order (helpers.params.read).
        bad = context.new_page()
        bad.goto(path.as_uri() + "#arm=ketamine&condition=migraine&colour=arm")
        bad.wait_for_selector("section.ke-view[data-ready=true]")
        notes = bad.eval_on_selector_all(".ke-notes li", "els => els.map((e) => e.textContent)")
        verdict = read(notebook, [("arm", "ketamine"), ("condition", "migraine"), ("colour", "arm")])
        assert notes == verdict.problems and len(notes) == 2
        assert "unknown parameter 'colour'" in notes[0] and "color_by" in notes[0]
        assert "cannot be 'migraine'" in notes[1] and "fibromyalgia" in notes[1]
        assert "arm=ketamine" in bad.evaluate("location.hash") and "migraine" not in bad.evaluate("location.hash")
        kept = the_view.filter(the_view.validate({"arm": "ketamine"}))
        assert bad.inner_text(".ke-count").startswith(f"{len(kept)} of")
        assert not guard.blocked, guard.summary()
    finally:
        context.close()


def test_report_payload_is_strict_json(runtime, tmp_path):
    """NaN is not JSON: every payload must load with a strict parser (the page uses JSON.parse)."""
    for notebook in BUILDERS:
        the_view = view(notebook)
        text = json.dumps(the_view.payload(the_view.validate({})), allow_nan=False)
        assert json.loads(text)["notebook"] == notebook
