"""Adding a parameter is one declaration: a control planted in 05's declaration reaches every surface.

The test adds an ``evidence_kind`` filter to notebook 05 (safety) in ``helpers.params.notebooks``
only, and finds it, with its label, choices and filter, in the command line's check and
``--list``, the widget (its control and Voilà's query), the saved page's binding, and a saved
page opened at a hash in Chromium: nothing else is edited. (A real change also adds the name to
the notebook's parameters cell, which tests/test_notebooks.py keeps equal to the defaults.)
"""

from __future__ import annotations

import json

import browser_support as bs
import ipywidgets as widgets
import pytest

from helpers.params import ALL, Param, ParameterError, declared
from helpers.params import notebooks as declarations
from helpers.params.filters import Filter
from helpers.render.widget import Panel, query_values
from helpers.run.cli import describe_parameters
from helpers.run.plan import plan_runs

NOTEBOOK = "05_safety"
KINDS = ("all", "randomized trial", "unattributed claim", "case report or patient anecdote")


@pytest.fixture
def planted(monkeypatch):
    """05 with one more declared parameter; every cache that holds a declaration is cleared around it."""
    from helpers import views

    build, rules = declarations._BUILDERS[NOTEBOOK]
    extra = Param(
        "evidence_kind",
        "choice",
        ALL,
        "what it rests on",
        "what the document says the figure rests on",
        KINDS,
        filters=(Filter("equal", ("evidence_kind",)),),
    )
    monkeypatch.setitem(declarations._BUILDERS, NOTEBOOK, (lambda: (*build(), extra), rules))
    monkeypatch.setenv("KETAMINE_SPEC_CACHE", "0")
    declarations.declared.cache_clear()
    views.view.cache_clear()
    yield views.view(NOTEBOOK)
    monkeypatch.undo()
    declarations.declared.cache_clear()
    views.view.cache_clear()


def test_the_command_line_checks_and_lists_it(planted, tmp_path):
    (task,) = plan_runs([NOTEBOOK], None, tmp_path / "out", overrides=[("evidence_kind", "randomized trial")])
    assert task.params["evidence_kind"] == "randomized trial"
    with pytest.raises(ParameterError) as error:
        plan_runs([NOTEBOOK], None, tmp_path / "out", overrides=[("evidence_kind", "rumour")])
    assert str(error.value) == (
        f"notebook {NOTEBOOK}: parameter 'evidence_kind' cannot be 'rumour'; choose one of: {', '.join(KINDS)}"
    )
    assert "evidence_kind (default 'all'): what the document says the figure rests on; one of: all, randomized" in (
        describe_parameters([NOTEBOOK])
    )


def test_the_widget_and_voila_query_take_it(planted):
    panel = Panel(planted, planted.validate({}))
    control = panel.controls["evidence_kind"]
    assert isinstance(control, widgets.ToggleButtons) and control.description == "what it rests on"  # 4 choices
    assert [value for _, value in control.options] == list(KINDS)
    control.value = "unattributed claim"
    expected = planted.rows[planted.rows["evidence_kind"] == "unattributed claim"]
    assert len(panel.data) == len(expected) > 0
    values, notes = query_values(planted, "evidence_kind=rumour&dose_context=all")
    assert values == {"dose_context": "all"}
    assert notes == [
        f"notebook {NOTEBOOK}: parameter 'evidence_kind' cannot be 'rumour'; choose one of: {', '.join(KINDS)}"
    ]


def test_the_page_binds_it_and_filters_by_it(planted):
    spec = planted.spec(planted.validate({}), bind=True)
    (param,) = [p for p in spec["params"] if p["name"] == "evidence_kind"]
    assert param["bind"] == {
        "input": "radio",
        "options": list(KINDS),
        "labels": list(KINDS),
        "name": "what it rests on ",
    }
    assert "evidence_kind" in planted.row_filter()
    assert [p["name"] for p in planted.payload({})["params"]["params"]] == declared(NOTEBOOK).names


@pytest.mark.browser
def test_a_saved_page_reads_it_from_the_hash(planted, tmp_path):
    from helpers.render.offline import vega_runtime_js
    from helpers.render.page import standalone_page

    path = tmp_path / "05.html"
    path.write_text(standalone_page([planted.payload(planted.validate({}))], vega_runtime_js()), encoding="utf-8")
    expected = planted.filter(planted.validate({"evidence_kind": "unattributed claim"}))
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard)
        page = context.new_page()
        guard.watch(page)
        page.goto(path.as_uri() + "#evidence_kind=unattributed%20claim")
        page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
        assert json.loads(page.get_attribute("section.ke-view", "data-state"))["evidence_kind"] == "unattributed claim"
        count = page.text_content(".ke-count")
        context.close()
    assert count.startswith(f"{len(expected)} of {len(planted.rows)} ") and len(expected) > 0
    assert not guard.blocked, guard.summary()
