"""Accessibility in a real browser: axe-core on every page we make, and the saved report by keyboard.

axe-core comes with axe-playwright-python and is injected from the installed package (no network).
It checks every HTML report (opened from file:) and the Voilà tree here. The start notebook's and
explorer 01's outputs in JupyterLab and every Voilà app are checked in tests/test_browser.py, on
the pages it already opens (one JupyterLab run and one load of each app, not two). A page fails on
any violation of impact "serious" or "critical"; the message lists each one's id, impact, help and
first targets. Every violation, whatever its impact, is written to ``artifacts/accessibility/``.

The keyboard tests Tab through each saved report: every control is reached and changes the chart's
param when used with the keys a person would use (arrows, Space, typing); in 01 the count follows
and equals what ``helpers.views`` computes in Python.

    .venv/bin/python -m pytest -q -m browser tests/test_accessibility.py
"""

from __future__ import annotations

import json
from pathlib import Path

import browser_support as bs  # tests/ is on sys.path (pytest rootdir conftest)
import pytest
from axe_support import assert_accessible, assert_charts_described
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import EXPLORER_NOTEBOOKS, figures_matching

pytestmark = pytest.mark.browser


def test_axe_reports_a_seeded_violation(session):
    """The check itself can fail: a page with an unlabelled input and an image without alt fails it."""
    page = session.page
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>seeded</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt"><input id="no-label" type="text">'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "seeded")
    message = str(failure.value)
    assert "image-alt [critical]" in message and "#no-alt" in message, message
    assert "label [critical]" in message and "#no-label" in message, message


# --- the HTML reports --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(default_reports) -> dict[str, Path]:
    """Every notebook's report at its default parameters, made like ``make report`` (conftest)."""
    assert sorted(default_reports) == sorted(["00_start_here", *EXPLORER_NOTEBOOKS]), default_reports
    return default_reports


def open_report(page, path: Path) -> None:
    page.goto(path.as_uri())
    if page.locator("section.ke-view").count():
        page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)


@pytest.mark.parametrize("notebook", ["00_start_here", *EXPLORER_NOTEBOOKS])
def test_report_has_no_serious_violations(session, reports, notebook):
    page = session.page
    open_report(page, reports[notebook])
    assert_accessible(page, f"report-{notebook}")
    if notebook != "00_start_here":
        assert_charts_described(page, notebook)
    assert not session.guard.blocked, session.guard.summary()


# Controls of a saved report: one entry per Tab stop (a radio group is one stop, at its checked radio).
CONTROLS_JS = """() => {
  const seen = new Set();
  return Array.from(document.querySelectorAll('.ke-controls input, .ke-controls select')).filter((el) => {
    if (el.type !== 'radio') return true;
    if (seen.has(el.name)) return false;
    seen.add(el.name);
    return true;
  }).map((el, i) => {
    el.setAttribute('data-ke-control', String(i));
    return {index: i, tag: el.tagName.toLowerCase(), type: el.type, name: el.name || '',
            label: el.closest('.vega-bind').querySelector('.vega-bind-name').textContent.trim()};
  });
}"""
FOCUSED_JS = """() => { const el = document.activeElement;
  if (!el || el === document.body) return null;
  const group = el.type === 'radio' && document.querySelector(`.ke-controls input[name="${el.name}"][data-ke-control]`);
  return {control: (group || el).getAttribute('data-ke-control'), tag: el.tagName.toLowerCase(),
          text: (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 40)}; }"""
STATE_JS = (
    "() => { const s = document.querySelector('section.ke-view'); return [s.dataset.state, +s.dataset.updates]; }"
)
# What a person presses to change each kind of control once it has focus.
KEYS = {"select": ["ArrowDown"], "checkbox": ["Space"], "radio": ["ArrowRight"], "range": ["ArrowRight"]}
# A text box (08's routes) is read as the declaration says: "IV,intranasal,ora" is refused (and said) while
# typing, "IV,intranasal" is used.
KEYS.update({"number": ["ArrowUp"], "text": ["End", *["Backspace"] * 5]})


def tab_to(page, control: str | None, limit: int = 120) -> list[dict]:
    """Press Tab from the top of the page until ``control`` (a data-ke-control index) has focus, or,
    with None, until focus leaves the page; returns every element focused on the way."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.focus("body")
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None or (path and focused == path[0] and control is None):
            break
        path.append(focused)
        if control is not None and focused["control"] == control:
            return path
    if control is not None:
        raise AssertionError(f"Tab never reached control {control}; focus went through {path}")
    return path


@pytest.mark.parametrize("notebook", EXPLORER_NOTEBOOKS)
def test_report_controls_work_by_keyboard(session, reports, notebook):
    """Every control is a Tab stop, and its keys (arrows, Space, typing) move the chart's param."""
    page = session.page
    open_report(page, reports[notebook])
    controls = page.evaluate(CONTROLS_JS)
    assert controls, f"{notebook}: the report has no controls"
    reached = {f["control"] for f in tab_to(page, None) if f["control"] is not None}
    missing = [c for c in controls if str(c["index"]) not in reached]
    assert not missing, f"{notebook}: controls not reached by Tab: {missing}"
    for control in controls:
        tab_to(page, str(control["index"]))
        state, updates = page.evaluate(STATE_JS)
        kind = control["tag"] if control["tag"] == "select" else control["type"]
        for key in KEYS[kind]:
            page.keyboard.press(key)
        bs.poll(
            lambda n=updates, s=state: page.evaluate(STATE_JS)[1] > n and page.evaluate(STATE_JS)[0] != s,
            10,
            f"{notebook}: {control} pressed {KEYS[kind]} to move a param and update the view",
            page=page,
        )
    assert not session.guard.console_errors, session.guard.console_errors


def test_report_01_condition_by_keyboard_updates_the_count(session, reports):
    """The condition select, reached by Tab and changed by an arrow key, filters the chart, the count
    and the table to exactly the rows ``helpers.views`` keeps in Python; the page stays accessible."""
    from helpers.views import view

    page = session.page
    open_report(page, reports["01_response_rates"])
    controls = page.evaluate(CONTROLS_JS)
    condition = next(c for c in controls if c["name"] == "condition" and c["tag"] == "select")
    path = tab_to(page, str(condition["index"]))
    assert all(step["control"] is None for step in path[:-1]), f"controls before condition: {path}"
    select = page.locator(f'[data-ke-control="{condition["index"]}"]')
    before_value, before = select.input_value(), figures_matching(page)
    assert before_value == "all" and before is not None and before[0] == before[1], (before_value, before)

    the_view = view("01_response_rates")
    page.keyboard.press("ArrowDown")
    value = select.input_value()
    expected = len(the_view.filter(the_view.validate({"condition": value})))
    assert value != before_value and 0 < expected < before[1], (value, expected, before)
    shown = bs.poll(
        lambda: (m := figures_matching(page)) and m[0] == expected and m,
        bs.DRAW_TIMEOUT,
        f"the count to say {expected} of {before[1]} figures match for condition={value}",
        page=page,
    )
    assert shown == (expected, before[1])
    assert page.locator(".ke-table tr[data-id]:not([hidden])").count() == expected
    assert page.evaluate("() => document.activeElement.getAttribute('data-ke-control')") == str(condition["index"])
    assert_charts_described(page, "01_response_rates")
    assert_accessible(page, f"report-01_response_rates-condition-{value}")
    session.shot("report-01-keyboard")


# --- Voilà -------------------------------------------------------------------------------------


def test_voila_tree_has_no_serious_violations(session, voila_app):
    page = session.page
    # Voilà's tree is drawn by its script (about 30 files) from /voila/api/contents: under a full test
    # run on two cores that took over 60 s once (CI, stop 25), so it gets a cold server's time, and a
    # failure says what the page asked for and what went wrong instead of a bare timeout.
    wait = bs.SERVER_START_TIMEOUT * 1000
    try:
        with page.expect_response(lambda r: "/api/contents" in r.url, timeout=wait) as listing:
            page.goto(f"{voila_app.url}voila/tree")
        assert listing.value.ok, (listing.value.status, listing.value.url)
        for name in EXPLORER_NOTEBOOKS:
            page.get_by_text(f"{name}.ipynb", exact=True).first.wait_for(timeout=wait)
    except PlaywrightTimeout as error:
        failed = [f"{kind} {url} {why}" for kind, url, why in session.guard.failed]
        raise AssertionError(
            f"Voilà's tree did not list the notebooks: {error}\nfailed requests: {failed}\n"
            f"console errors: {session.guard.console_errors}\nserver log:\n{voila_app.log(3000)}"
        ) from None
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert_accessible(page, "voila-tree")
    assert not session.guard.blocked, session.guard.summary()


def test_voila_slider_handles_are_named(session, voila_app):
    """ipywidgets' slider handle (a div with role=slider) gets its label's text as its name (08: four sliders;
    06's years are number boxes now)."""
    page = session.page
    page.goto(f"{voila_app.url}voila/render/08_pk_simulator.ipynb")
    bs.wait_for_charts(page, 1)
    page.wait_for_function("() => document.querySelectorAll('.ke-panel [role=slider][aria-label]').length >= 4")
    names = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ke-panel .widget-slider')).map((box) =>
             [box.querySelector('.widget-label').textContent.trim(),
              box.querySelector('[role=slider]').getAttribute('aria-label')])"""
    )
    assert len(names) == 4 and all(label and label == name for label, name in names), json.dumps(names)
