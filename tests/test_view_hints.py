"""One hint per view, declared once (``View.hints`` over ``core.HINTS``): the saved page's source panel, the
widget's source panel and "cite this view" (cite.js, in tests/test_page_highlight.py) say the view's word for
what a click picks: "figure" in 01, "event" in 06, a bar's segment in 07."""

from __future__ import annotations

import html
import re

import pytest

from helpers.views import core, view

SAID = {
    "01_response_rates": "Click a figure in the chart to read its sentence and source here.",
    "06_history": "Click an event in the chart to read its sentence and source here.",
    "07_claims_check": "Click a bar's segment to name its figures under the first chart; double-click a bar to clear.",
}

CITED = {
    "01_response_rates": "Click a figure to cite its sentence; the link cites the view.",
    "06_history": "Click an event to cite its sentence; the link cites the view.",
    "07_claims_check": "The link cites the view; add #highlight=<row id> to it to cite one figure or contradiction.",
}


def hint_text(markup: str, cls: str) -> str:
    found = re.findall(rf'<p class="{cls}">(.*?)</p>', markup, re.S)
    assert len(found) == 1, markup[:300]
    return html.unescape(found[0])


@pytest.mark.parametrize("notebook", list(SAID))
def test_the_saved_page_and_the_widget_say_the_views_own_hint(notebook):
    from helpers.render.page import view_html
    from helpers.render.widget import Panel

    v = view(notebook)
    values = v.validate({})
    assert hint_text(view_html(v.payload(values), 1), "ke-source-hint") == SAID[notebook]
    panel = Panel(v, values)
    assert hint_text(panel._source.value, "source-hint") == SAID[notebook]
    panel.show_source(str(v.rows["id"].iloc[0]))
    panel.show_source(None)  # back to the hint: the view's, not the global one
    assert hint_text(panel._source.value, "source-hint") == SAID[notebook]
    assert v.payload(values)["hints"]["cite"] == CITED[notebook]


def test_a_hint_the_suite_does_not_know_is_refused_by_name():
    v = view("01_response_rates")
    with pytest.raises(ValueError, match=r"01_response_rates: unknown hint\(s\) \['sauce'\]; valid hints: .*'source'"):
        core.View(v.notebook, v.title, v.rows, v.controls, v.build, hints={"sauce": "Click!"})
