"""Real-browser tests: JupyterLab, the Voilà apps and the HTML reports, drawn offline in Chromium.

Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright for Python; no Playwright
browser download is needed. Every request that leaves localhost / file: is aborted and recorded
(``browser_support.NetworkGuard``); the tests check that the charts draw anyway and that nothing
a chart needs was blocked. Screenshots of every step go to ``artifacts/screenshots/`` and the
blocked-request log of each test to ``artifacts/network/``.

Without Chromium or Playwright these tests skip, saying why; with ``CI=true`` they fail instead.

    .venv/bin/python -m pytest -q -m browser tests/test_browser.py
"""

from __future__ import annotations

import re
import secrets
import time

import browser_support as bs  # tests/ is on sys.path (pytest rootdir conftest)
import pytest
from axe_support import assert_accessible, assert_charts_described

pytestmark = pytest.mark.browser

EXPLORER_NOTEBOOKS = [
    "01_response_rates",
    "02_relapse_timeline",
    "03_prevalence",
    "04_bioavailability",
    "05_safety",
    "06_history",
    "07_claims_check",
    "08_pk_simulator",
]
# One view per notebook, one spec per view: fixed charts (02's schematic curve, 04's routes) are
# concatenated into the same spec, so every app draws exactly one vega-embed.
CHART_COUNT: dict[str, int] = {}

COUNT_TEXT = re.compile(r"(\d+)\s+of\s+(\d+)\s+figures match")
SOURCE_SNIPPETS = ("explore_response_rates", "from helpers", "condition = 'all'", "# Parameters:")


# --- fixtures ----------------------------------------------------------------------------------
# browser, session (a conftest.Session) and voila_app are in conftest.py, shared with
# test_accessibility.py.


def assert_nothing_needed_was_blocked(guard: bs.NetworkGuard) -> None:
    """No request left localhost: Voilà's pages use the project's template, which links nothing from a CDN."""
    needed = guard.needed()
    assert not needed, "the page needed non-local resources:\n" + "\n".join(f"  {k} {u}" for k, u in needed)
    others = guard.blocked
    assert not others, "the page tried to reach the network:\n" + "\n".join(f"  {k} {u}" for k, u in others)


def figures_matching(page, root: str | None = None) -> tuple[int, int] | None:
    text = page.evaluate("(sel) => (sel ? document.querySelector(sel) : document.body)?.innerText || ''", root)
    found = COUNT_TEXT.search(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def expected_fibromyalgia_rows() -> int:
    from helpers.views import view

    the_view = view("01_response_rates")
    return len(the_view.filter(the_view.validate({"condition": "fibromyalgia"})))


# Tags the drawn SVG of the first chart under ``root``; if the chart is re-embedded (a new spec
# sent and drawn from scratch), the tagged element is gone. A param change keeps it.
TAG_JS = """(root) => { const svg = (root ? document.querySelector(root) : document).querySelector('.vega-embed svg');
  svg.setAttribute('data-ke-tag', 'first-embed'); return true; }"""
TAGGED_JS = (
    """(root) => !!(root ? document.querySelector(root) : document).querySelector('.vega-embed svg[data-ke-tag]')"""
)


def choose_condition(page, scope: str, value: str = "fibromyalgia") -> None:
    """Pick ``value`` in the explorer's condition dropdown (an ipywidgets <select>)."""
    select = page.locator(f"{scope} .widget-dropdown", has_text="condition").locator("select").first
    select.select_option(label=value)


def check_fibromyalgia_redraw(session, scope: str, before: dict, root: str | None = None) -> dict:
    """After choosing fibromyalgia: the chart redraws with fewer marks and only fibromyalgia rows."""
    page = session.page
    total_before = figures_matching(page, root)
    page.evaluate(TAG_JS, root)
    choose_condition(page, scope)
    after = bs.wait_for_change(page, bs.marker(before), root=root)
    assert page.evaluate(TAGGED_JS, root), "the chart was re-embedded: a new spec was sent instead of a param"
    assert after["marks"] < before["marks"], (before, after)
    assert "fibromyalgia" in after["axis_labels"] and "depression" not in after["axis_labels"], after
    expected = expected_fibromyalgia_rows()
    shown = bs.poll(
        lambda: (m := figures_matching(page, root)) and m[0] == expected and m,
        bs.DRAW_TIMEOUT,
        f"the count line to say {expected} figures match",
        page=page,
    )
    assert total_before is not None and shown[1] == total_before[1] and shown[0] < total_before[0]
    return after


# --- JupyterLab --------------------------------------------------------------------------------


def lab_active_panel(page, title: str) -> str:
    """A CSS selector for the notebook panel of the current tab, once it is ``title``."""

    def current():
        return page.evaluate(
            """(title) => {
              const tab = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
              if (!tab || tab.querySelector('.lm-TabBar-tabLabel').textContent.trim() !== title) return null;
              const id = tab.getAttribute('data-id');
              const panel = id && document.getElementById(id);
              return panel && panel.querySelector('.jp-Notebook') ? id : null;
            }""",
            title,
        )

    panel_id = bs.poll(current, bs.SERVER_START_TIMEOUT, f"the notebook tab {title}", page=page)
    return f"[id='{panel_id}']"


def lab_kernel_idle(page, timeout: float = bs.SERVER_START_TIMEOUT) -> None:
    """The status bar's kernel item reads '... | Idle' (the kernel has started and connected)."""

    def idle():
        texts = page.evaluate("Array.from(document.querySelectorAll('.jp-StatusBar-TextItem')).map(e => e.innerText)")
        return any(re.search(r"\|\s*Idle\b", t) for t in texts)

    bs.poll(idle, timeout, "the kernel to be idle", page=page)


def lab_run_all(page, panel: str) -> list[str]:
    """Run > Run All Cells, then wait until every code cell has an execution count.

    Repeats the menu command once if nothing was queued (a click that landed while the kernel
    was still connecting), so a slow kernel start does not fail the test. Returns the texts of
    the notebook's stderr outputs (tracebacks and warnings), which the caller judges.
    """
    prompts = f"{panel} .jp-CodeCell .jp-InputPrompt"

    def counts():
        return [t.strip() for t in page.locator(prompts).all_inner_texts()]

    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click()
        try:
            bs.poll(lambda: any(t not in ("", "[ ]:") for t in counts()), 30, "cells to be queued", page=page)
            break
        except AssertionError:
            if attempt:
                raise
            page.keyboard.press("Escape")
            lab_kernel_idle(page)
    bs.poll(
        lambda: (c := counts()) and all(re.fullmatch(r"\[\d+\]:", t) for t in c),
        bs.DRAW_TIMEOUT * 2,
        f"every code cell to finish (prompts now {counts()})",
        page=page,
    )
    stderr = page.locator(f"{panel} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    return stderr.all_inner_texts()


def test_jupyterlab_start_notebook_and_response_rates_explorer(session, tmp_path):
    from helpers import load

    token = secrets.token_hex(24)
    server = bs.jupyter_lab(tmp_path / "lab", token)
    page = session.page
    timings: dict[str, float] = {}
    started = time.monotonic()
    server.start()
    try:
        timings["server start"] = time.monotonic() - started
        # 00: open, run all, the two overview tables render.
        page.goto(f"{server.url}lab/tree/00_start_here.ipynb?token={token}")
        panel = lab_active_panel(page, "00_start_here.ipynb")
        lab_kernel_idle(page)
        session.shot("start-notebook-open", full_page=False)
        stderr = lab_run_all(page, panel)
        tables = page.locator(f"{panel} .jp-OutputArea-output table")
        bs.poll(lambda: tables.count() >= 2, bs.DRAW_TIMEOUT, "the two overview tables", page=page)
        # axe only inside our outputs: JupyterLab's own interface has violations this project cannot fix
        # (unnamed heading-collapse buttons, an unnamed code editor, a role=feed with other children).
        assert_accessible(page, "lab-00_start_here", {"include": [[f"{panel} .jp-OutputArea"]]})
        rows = tables.first.locator("tbody tr").count()
        assert rows == len(load("sources")), f"sources table shows {rows} rows"
        assert "response_rates" in tables.nth(1).inner_text()
        tables.first.scroll_into_view_if_needed()
        session.shot("start-notebook-tables", full_page=False)
        timings["00 run"] = time.monotonic() - started

        # 01: open from the file browser, run all, the JupyterChart draws; then filter.
        page.locator(".jp-DirListing-item", has_text="01_response_rates.ipynb").first.dblclick()
        panel = lab_active_panel(page, "01_response_rates.ipynb")
        lab_kernel_idle(page)
        stderr += lab_run_all(page, panel)
        before = bs.wait_for_charts(page, 1, root=panel)[0]
        assert before["svg"] and before["marks"] > 0 and before["symbols"] > 0, before
        assert page.locator(f"{panel} .ke-panel").count() == 1
        assert_accessible(page, "lab-01_response_rates", {"include": [[f"{panel} .jp-OutputArea"]]})
        assert_charts_described(page, "01_response_rates", root=panel)
        page.locator(f"{panel} .vega-embed").first.scroll_into_view_if_needed()
        session.shot("response-rates-drawn", full_page=False)
        timings["01 chart drawn"] = time.monotonic() - started

        after = check_fibromyalgia_redraw(session, panel, before, root=panel)
        page.locator(f"{panel} .vega-embed").first.scroll_into_view_if_needed()
        session.shot("response-rates-fibromyalgia", full_page=False)
        timings["01 redrawn"] = time.monotonic() - started
        print(f"lab: {before['marks']} marks -> {after['marks']} after fibromyalgia; timings {timings}")
        assert_nothing_needed_was_blocked(session.guard)
    finally:
        server.stop()
    assert server.process is None
    judge_stderr(stderr)


def judge_stderr(stderr: list[str]) -> None:
    """No tracebacks or warnings under any cell (e.g. NaN in a chart spec, which is not JSON)."""
    assert not stderr, "stderr output in the notebooks:\n" + "\n---\n".join(stderr)


# --- Voilà -------------------------------------------------------------------------------------


def assert_no_code_shown(page) -> None:
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    html_source = page.content()
    shown = [s for s in SOURCE_SNIPPETS if s in html_source]
    assert not shown, f"code visible in the app: {shown}"


def test_voila_response_rates_app_hides_code_and_redraws(session, voila_app):
    page = session.page
    started = time.monotonic()
    page.goto(f"{voila_app.url}voila/render/01_response_rates.ipynb")
    before = bs.wait_for_charts(page, 1)[0]
    load_seconds = time.monotonic() - started
    assert before["svg"] and before["marks"] > 0, before
    assert_no_code_shown(page)
    session.shot("drawn")
    after = check_fibromyalgia_redraw(session, "body", before)
    session.shot("fibromyalgia")
    print(f"voila 01: drawn in {load_seconds:.1f}s; {before['marks']} -> {after['marks']} marks")
    assert_nothing_needed_was_blocked(session.guard)


def test_voila_query_parameters_preset_the_controls(session, voila_app):
    """A shared app link: ?condition=fibromyalgia presets the control; an unknown name is ignored, and said."""
    page = session.page
    page.goto(f"{voila_app.url}voila/render/01_response_rates.ipynb?condition=fibromyalgia&colour=arm")
    drawn = bs.wait_for_charts(page, 1)[0]
    expected = expected_fibromyalgia_rows()
    shown = bs.poll(lambda: figures_matching(page), bs.DRAW_TIMEOUT, "the count line", page=page)
    assert shown[0] == expected, shown
    assert "fibromyalgia" in drawn["axis_labels"] and "depression" not in drawn["axis_labels"], drawn
    select = page.locator(".widget-dropdown", has_text="condition").locator("select").first
    assert select.input_value() == "fibromyalgia" or "fibromyalgia" in select.inner_text()
    note = page.locator(".link-notes").inner_text()
    # The same message the command line prints for -p colour arm (helpers.params.read).
    assert "unknown parameter 'colour'; valid: condition, arm, evidence_kind, source_id, color_by" in note, note
    session.shot("preset")
    assert_nothing_needed_was_blocked(session.guard)


@pytest.mark.parametrize(
    ("app", "query", "refused", "fallback"),
    [
        ("08_pk_simulator", "dose=30", "parameter 'dose' must be at most 20 mg/kg, got 30", ("dose", "0.5")),
        ("08_pk_simulator", "dose=0", "parameter 'dose' must be from 0.01 to 3000", ("dose", "0.5")),
        (
            "06_history",
            "year_from=2020&year_to=1990",
            "'year_from' (2020) is after 'year_to' (1990)",
            ("from year", "1950"),
        ),
    ],
)
def test_voila_refused_query_values_are_a_note_never_an_error(session, voila_app, app, query, refused, fallback):
    """A link the rules refuse opens the app with the values used and the command line's message, not an error page."""
    page = session.page
    page.goto(f"{voila_app.url}voila/render/{app}.ipynb?{query}")
    bs.wait_for_charts(page, 1)
    note = bs.poll(lambda: page.locator(".link-notes").inner_text() or None, bs.DRAW_TIMEOUT, "the note", page=page)
    assert f"notebook {app}: {refused}" in note or refused in note, note
    assert "There was an error" not in page.inner_text("body")
    label, value = fallback
    box = page.locator(".widget-inline-hbox", has_text=label).locator("input").first
    assert float(box.input_value()) == float(value), (label, box.input_value())
    assert_nothing_needed_was_blocked(session.guard)


@pytest.mark.parametrize("name", EXPLORER_NOTEBOOKS)
def test_voila_app_draws_its_charts(session, voila_app, name):
    page = session.page
    started = time.monotonic()
    page.goto(f"{voila_app.url}voila/render/{name}.ipynb")
    found = bs.wait_for_charts(page, CHART_COUNT.get(name, 1))
    seconds = time.monotonic() - started
    print(f"voila {name}: {len(found)} chart(s) drawn in {seconds:.1f}s, marks {[c['marks'] for c in found]}")
    assert len(found) == CHART_COUNT.get(name, 1)
    assert page.locator(".widget-dropdown, .widget-toggle-buttons, .widget-checkbox, .widget-slider").count() > 0
    assert_no_code_shown(page)
    # The page's own helper names the slider handles once the widgets are drawn.
    page.wait_for_function("() => !document.querySelector('.ke-panel [role=slider]:not([aria-label])')")
    assert_accessible(page, f"voila-{name}")
    assert_charts_described(page, name)
    session.shot("drawn")
    session.shot_charts("drawn")
    assert_nothing_needed_was_blocked(session.guard)


def test_voila_tree_lists_the_apps(session, voila_app):
    page = session.page
    page.goto(f"{voila_app.url}voila/tree")
    for name in EXPLORER_NOTEBOOKS:
        page.get_by_text(f"{name}.ipynb", exact=True).first.wait_for()
    session.shot("tree")
    assert_nothing_needed_was_blocked(session.guard)


# --- HTML report -------------------------------------------------------------------------------


def test_html_report_draws_every_chart_from_file_with_network_blocked(session, default_reports):
    reports = [default_reports["01_response_rates"]]  # made by the report CLI, once per test run (conftest)
    page = session.page
    for report in reports:
        page.goto(report.as_uri())
        containers = page.locator("div.chart").count()
        assert containers >= 1, f"{report.name} has no chart containers"
        found = bs.wait_for_charts(page, containers)
        assert len(found) == containers, found
        assert all(c["svg"] and c["marks"] > 0 for c in found), found
        assert "could not be drawn" not in page.inner_text("body")
        session.shot(report.stem)
        session.shot_charts(report.stem)
    assert not session.guard.blocked, session.guard.summary()
    left_file = [url for _kind, url, _err in session.guard.failed if not url.startswith(("file:", "data:", "blob:"))]
    assert not left_file, left_file


def test_saved_report_is_live_from_disk(session, default_reports):
    """The teacher's path: make a report, open it from disk with the network closed, change the condition;
    the chart, count and table follow with no kernel. The report is the CLI's, made once per run (conftest)."""
    page = session.page
    page.goto(default_reports["01_response_rates"].as_uri())
    page.wait_for_selector("section.ke-view[data-ready=true]")
    before = bs.wait_for_charts(page, 1)[0]
    page.evaluate(TAG_JS, None)
    page.locator(".ke-controls select").first.select_option("fibromyalgia")
    after = bs.wait_for_change(page, bs.marker(before))
    assert page.evaluate(TAGGED_JS, None), "the chart was re-drawn from scratch instead of by its param"
    assert after["marks"] < before["marks"] and "depression" not in after["axis_labels"], (before, after)
    expected = expected_fibromyalgia_rows()
    assert figures_matching(page)[0] == expected
    visible = page.locator(".ke-table tr[data-id]:not([hidden])").count()
    assert visible == expected
    session.shot("report-fibromyalgia")
    assert not session.guard.blocked, session.guard.summary()
