"""The declarative views and their widget renderer, without a browser.

The page-side behaviour (filters in Vega, hash, click-to-source) is tested in Chromium in
``test_views_page.py``; here: the specs, the pandas side of every filter, the links between
ipywidgets and ``JupyterChart.params``, and the Voilà query presets.
"""

from __future__ import annotations

import json

import pytest
import vl_convert as vlc

from helpers.params import ALL, ParameterError, spec
from helpers.render.page import VIEW_MIME, view_bundle, view_html
from helpers.render.report_page import RUNTIME_MARKER
from helpers.render.widget import Panel, query_values
from helpers.views import BUILDERS, view
from helpers.views.core import PICK, ROWS_MARK


def valid_cases(the_view, base: dict | None = None):
    """(control, value, values) for every option value that passes the notebook's rules with the others at
    ``base`` (a bound like dose 0 or 1000 mg/kg is refused by a cross-parameter rule, tested in test_report)."""
    base = the_view.validate(base or {})
    for control in the_view.controls:
        for value in option_values(control):
            try:
                yield control, value, the_view.validate({**base, control.name: value}, check_order=False)
            except ParameterError:
                continue


def option_values(control) -> list:
    """Every value a control can take that a test should try: choices, both booleans, or a few numbers."""
    p = control.param
    if p.type == "list":
        return [*p.choices, ",".join(p.choices)]
    if p.type == "choice":
        return list(p.choices)
    if p.type == "bool":
        return [True, False]
    low, high, step = p.minimum, p.maximum, p.step
    third = low + round((high - low) / 3 / step) * step  # on the declared step, like every accepted value
    return sorted({p.kind(low), p.kind(high), p.default, p.kind(round(third, 9))})


def units(spec: dict) -> list[dict]:
    """Every unit spec (layer members, concat members) of a Vega-Lite dict."""
    out = []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            out += units(child)
    if "mark" in spec:
        out.append(spec)
    return out


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_view_spec_has_every_control_as_a_param_and_a_rows_unit(notebook):
    the_view = view(notebook)
    spec = the_view.spec()
    # Params the page derives from the controls ("expr", e.g. 08's dose in mg) may follow them.
    names = [p["name"] for p in spec["params"] if "select" not in p and "expr" not in p]
    assert names == [c.signal for c in the_view.controls], "every control is a top-level param, in the notebook's order"
    assert [u for u in units(spec) if u.get("name") == ROWS_MARK], "no unit named 'rows' for the page to read"
    assert spec.get("description"), "the view needs a text alternative"
    ids = the_view.rows["id"]
    assert ids.is_unique and ids.notna().all()


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_view_spec_is_valid_vega_lite_with_its_page_inputs(notebook):
    """The renderers skip schema validation (it cost up to 1.8 s per view in every kernel): it is done here."""
    import altair as alt
    from altair.utils.schemapi import validate_jsonschema

    from helpers.views.speccache import stable_names

    the_view = view(notebook)
    assert stable_names(the_view.chart_dict(validate=True)) == the_view.base_spec
    validate_jsonschema(the_view.spec(the_view.validate({}), bind=True), alt.vegalite.v6.schema.core.load_schema())


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_every_option_value_renders(notebook):
    """vl-convert draws the spec with each value of each control (the page would too)."""
    the_view = view(notebook)
    for control, value, values in valid_cases(the_view):
        svg = vlc.vegalite_to_svg(json.dumps(the_view.spec(values)))
        assert "<svg" in svg and "Error" not in svg[:500], (control.name, value)


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_bound_spec_has_one_input_per_control(notebook):
    the_view = view(notebook)
    values = the_view.validate({})
    bound = the_view.spec(values, bind=True)
    names = {c.signal: c.name for c in the_view.controls}
    for param in bound["params"]:
        if "select" in param or "expr" in param:
            continue
        assert param["value"] == values[names[param["name"]]]
        declared = the_view.control(names[param["name"]]).param
        assert param["bind"]["name"].strip().startswith(declared.label), param
    assert all("bind" not in p for p in the_view.spec(values)["params"]), "the widget spec must not draw inputs"


def test_colour_domains_are_fixed_per_choice():
    """01: each colour-by choice colours over every value the dictionary allows, not what the filter keeps."""
    from helpers.data.dictionary import field_spec

    spec = view("01_response_rates").spec({"condition": "fibromyalgia"})
    domains = [
        u["encoding"]["color"]["scale"]["domain"]["expr"] for u in units(spec) if "color" in u.get("encoding", {})
    ]
    assert domains and len(set(domains)) == 1
    for column in ("arm", "evidence_kind", "condition"):
        assert json.dumps(field_spec(column)["enum"]) in domains[0], column


def test_filters_match_the_documented_rules():
    """01: the pandas side of the filters (the page side is checked against it in Chromium)."""
    the_view = view("01_response_rates")
    rows = the_view.rows
    values = the_view.validate({"condition": "depression", "arm": "usual care"})
    kept = the_view.filter(values)
    expected = rows[(rows["condition"] == "depression") & (rows["arm"] == "usual care")]
    assert list(kept["id"]) == list(expected["id"]) and len(kept) > 0
    assert len(the_view.filter(the_view.validate({}))) == len(rows)


def test_bad_parameters_name_the_choices():
    the_view = view("01_response_rates")
    with pytest.raises(
        ParameterError, match="parameter 'condition' cannot be 'migraine'; choose one of: all, depression"
    ):
        the_view.validate({"condition": "migraine"})
    with pytest.raises(ParameterError, match="unknown parameter 'colour_by'; valid: condition, arm"):
        the_view.validate({"colour_by": "arm"})


# --- the widget renderer --------------------------------------------------------------------------


def test_control_moves_the_param_and_never_resends_the_spec():
    the_view = view("01_response_rates")
    panel = Panel(the_view, the_view.validate({}))
    sent = []
    panel.jchart.observe(lambda change: sent.append(change), names=["spec"])
    spec_before = panel.jchart.spec
    panel.controls["condition"].value = "fibromyalgia"
    assert panel.jchart.params.condition == "fibromyalgia"
    assert panel.jchart._params["condition"] == "fibromyalgia", "the synced dict the page reads"
    assert sent == [] and panel.jchart.spec is spec_before
    expected = the_view.rows[the_view.rows["condition"] == "fibromyalgia"]
    assert f"<b>{len(expected)}</b> of {len(the_view.rows)} figures match" in panel._count.value
    assert all(rid in panel._table.value for rid in expected["id"])
    assert not any(rid in panel._table.value for rid in the_view.rows["id"] if rid not in set(expected["id"]))


def test_param_moved_in_the_page_updates_the_table_and_control():
    """A change that comes from the page (the param) reaches the widget and the table too."""
    the_view = view("05_safety")
    panel = Panel(the_view, the_view.validate({}))
    choice = next(c for c in the_view.control("dose_context").param.choices if c != ALL)
    panel.jchart.params.dose_context = choice
    assert panel.controls["dose_context"].value == choice
    assert panel.data["dose_context"].eq(choice).all()
    assert f"<b>{len(panel.data)}</b> of" in panel._count.value


def test_click_on_a_figure_shows_its_source():
    from altair.jupyter.jupyter_chart import PointSelection

    the_view = view("01_response_rates")
    panel = Panel(the_view, the_view.validate({}))
    row = the_view.rows.iloc[3]
    panel.jchart.selections._set_value(PICK, PointSelection(name=PICK, value=[{"id": row["id"]}], store=[]))
    shown = panel._source.value
    assert row["quote"].replace("'", "&#x27;").replace('"', "&quot;")[:60] in shown
    assert row["id"] in shown and str(row["evidence_kind"]) in shown


def test_voila_query_presets_and_notes():
    the_view = view("01_response_rates")
    values, notes = query_values(the_view, "condition=fibromyalgia&arm=bogus&colour=arm&voila-template=lab")
    assert values == {"condition": "fibromyalgia"}
    arm = ", ".join(spec("01_response_rates").param("arm").choices)
    assert notes == [
        "notebook 01_response_rates: unknown parameter 'colour'; "
        "valid: condition, arm, evidence_kind, source_id, color_by",
        f"notebook 01_response_rates: parameter 'arm' cannot be 'bogus'; choose one of: {arm}",
    ]


def test_report_bundle_renders_the_initial_state_without_script():
    the_view = view("01_response_rates")
    values = the_view.validate({"condition": "fibromyalgia"})
    bundle = view_bundle(the_view.payload(values))
    html = view_html(bundle[VIEW_MIME], 1)
    kept = set(the_view.filter(values)["id"])
    assert f"{len(kept)} of {len(the_view.rows)} figures match." in html
    for rid in the_view.rows["id"]:
        marker = f'data-id="{rid}" hidden' if rid not in kept else f'data-id="{rid}">'
        assert marker in html, rid
    assert "</script><" not in bundle[VIEW_MIME]["rows"][0]["quote"]


def test_nbconvert_exporter_writes_the_offline_report(tmp_path):
    """`jupyter nbconvert --to ketamine_report` turns an executed notebook into the same live page."""
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    the_view = view("05_safety")
    values = the_view.validate({"dose_context": the_view.control("dose_context").param.choices[1]})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("explore_safety(params)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=view_bundle(the_view.payload(values)))]
    nb.cells = [nbformat.v4.new_markdown_cell("# 05 · Safety"), cell]
    nb.metadata["papermill"] = {"parameters": values}
    source = tmp_path / "05_safety_run.ipynb"
    nbformat.write(nb, source)
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "ketamine_report", str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "05_safety_run.html").read_text(encoding="utf-8")
    assert page.count(RUNTIME_MARKER) == 1, "the Vega runtime is included once"
    assert page.count('<section class="ke-view" id=') == 1 and 'id="ke-views"' in page
    kept = the_view.filter(values)
    assert f"{len(kept)} of {len(the_view.rows)} figures match." in page
    assert "explore_safety(params)" not in page, "code is hidden by default"
    assert "https://" not in page.split("<script", 1)[0].split("<style", 1)[0], "no remote stylesheet or script"
