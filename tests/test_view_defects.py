"""Issue 19's per-notebook wording defects, on the declarations every surface reads.

- "colour by" offered raw names (``evidence_kind``, ``source_id``): each choice reads in words, the same in
  the saved page's binding and the JupyterLab/Voilà widget, while the value stays as declared.
- 04's "uM" is shown as "µM" wherever a choice is shown, and "uM" is still the value the command line takes.
- 06's years are number boxes (a slider over 4,030 years in 256 px cannot pick one).
- The notebooks' text promises a click only where the view's marks answer one.

The browser checks of the same items are in test_views_figures.py and test_views_claims_pk.py.
"""

from __future__ import annotations

import json
import re

import pytest
from notebook_runs import NOTEBOOKS

from helpers.params import read
from helpers.views import BUILDERS, core, view

CHOICE_CASES = [
    (notebook, control.name)
    for notebook in BUILDERS
    for control in view(notebook).controls
    if control.param.type == "choice"
]


@pytest.mark.parametrize(("notebook", "name"), CHOICE_CASES, ids=[f"{n[:2]}-{c}" for n, c in CHOICE_CASES])
def test_choices_read_in_words_in_the_page_and_the_widget(notebook, name):
    from helpers.render.widget import control_widget

    the_view = view(notebook)
    param = the_view.control(name).param
    binding = the_view.control(name).binding()
    labels = [param.choice_label(c) for c in param.choices]
    assert binding["options"] == list(param.choices), "the values stay as declared"
    assert binding["labels"] == labels
    widget = control_widget(the_view, name, param.default)
    assert [(str(label), value) for label, value in widget.options] == list(zip(labels, param.choices, strict=True))
    for value, label in zip(param.choices, labels, strict=True):
        assert "_" not in label, f"{notebook} {name}: {value!r} is shown as {label!r}"
        assert label != "uM", f"{notebook} {name}: µM is written uM"


def test_colour_by_names_its_choices_in_words():
    words = {"evidence_kind": "evidence kind", "source_id": "source", "dose_context": "dose context"}
    for notebook in ("01_response_rates", "05_safety", "06_history"):
        param = view(notebook).control("color_by").param
        for value in param.choices:
            assert param.choice_label(value) == words.get(value, value.replace("_", " ")), (notebook, value)


def test_micromolar_is_shown_as_µM_and_typed_as_uM():
    param = view("04_bioavailability").control("unit").param
    assert param.choice_label("uM") == "µM" and "uM" in param.choices
    assert read("04_bioavailability", [("unit", "uM")]).values == {**param_defaults("04_bioavailability"), "unit": "uM"}
    assert read("04_bioavailability", [("unit", "µM")]).problems, "the declared value is 'uM'; µM is its label"


def param_defaults(notebook: str) -> dict:
    return view(notebook).validate({})


def test_years_are_number_boxes_in_the_page_and_the_widget():
    import ipywidgets as widgets

    from helpers.render.widget import control_widget

    the_view = view("06_history")
    for name in ("year_from", "year_to"):
        assert the_view.control(name).binding()["input"] == "number"
        assert isinstance(control_widget(the_view, name, the_view.control(name).param.default), widgets.BoundedIntText)


def _markdown(notebook: str) -> str:
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _picks(notebook: str) -> bool:
    """Whether a click on the view's marks shows a figure's sentence (the ``pick`` selection)."""
    return any(p.get("name") == core.PICK for p in view(notebook).base_spec.get("params", []))


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_notebook_text_promises_a_click_only_where_marks_answer_it(notebook):
    text = _markdown(notebook)
    promises = re.search(r"click (it|a mark|a figure|a point)\b[^.]*sentence", text, flags=re.I)
    assert not promises or _picks(notebook), f"{notebook}: {promises.group(0)!r}, but its marks take no click"


def test_start_page_names_what_a_click_does_in_each_explorer():
    text = _markdown("00_start_here")
    assert "(01 to 08), hover a mark" not in text
    assert not _picks("07_claims_check") and "In 07, click a bar's segment" in text


@pytest.mark.parametrize("notebook", ["04_bioavailability", "06_history", "07_claims_check"])
def test_changed_views_print_as_slides(notebook):
    """A slide drops the selections nothing names: 07's bar clicks are Vega-Lite predicates, never an expression
    over a selection's store (which then named no data set: "Undefined data set name")."""
    import vl_convert as vlc

    from helpers.render.printed import print_spec

    svg = vlc.vegalite_to_svg(print_spec(view(notebook).spec({})))
    shown = " ".join(re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S))
    assert shown and not re.search(r"\bclick", shown, flags=re.I)
