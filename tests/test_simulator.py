"""Notebook 08's PK simulator: controls drive the curves and read-outs, the documented bands come
from the evidence table, bad parameters are named, the chart is valid and renders, the notebook runs."""

from __future__ import annotations

import ast
import html
import json
import math
from pathlib import Path

import altair as alt
import nbformat
import numpy as np
import pytest
from notebook_runs import execute, outputs

from helpers import pk, simulator
from helpers.explore import EXPLORERS, REPORT_ENV, VEGALITE_MIME, prepared
from helpers.params import ParameterError, defaults, spec, validate
from helpers.simulator import SimulatorExplorer

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "08_pk_simulator.ipynb"
VALID_ROUTES = ", ".join(pk.SIMULATED_ROUTES)


@pytest.fixture
def explorer() -> SimulatorExplorer:
    return SimulatorExplorer()


def by_route(frame, column):
    return dict(zip(frame["route"], frame[column], strict=True))


def records(chart: alt.TopLevelMixin) -> list[dict]:
    return [row for rows in chart.to_dict()["datasets"].values() for row in rows]


# --- parameter spec ---------------------------------------------------------------------------


def test_spec_is_registered_with_the_documented_defaults():
    assert spec("08_pk_simulator") is simulator.PARAMS
    assert EXPLORERS["08_pk_simulator"] is SimulatorExplorer
    assert defaults("08_pk_simulator") == {
        "routes": "IV,intranasal,oral",
        "dose": 0.5,
        "dose_unit": "mg/kg",
        "weight_kg": 70.0,
        "infusion_min": 40.0,
        "hours": 12.0,
        "threshold_ng_ml": 100.0,
        "model": "one",
    }
    bounds = {p.name: (p.minimum, p.maximum) for p in simulator.PARAMS}
    assert bounds["weight_kg"] == (20.0, 150.0) and bounds["infusion_min"] == (0.0, 240.0)
    assert bounds["hours"] == (1.0, 48.0)


def test_notebook_parameters_cell_matches_the_spec():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == [f"08-cell-{i:02d}" for i in range(len(nb.cells))]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    (tagged,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(tagged.source).body
        if isinstance(node, ast.Assign)
    }
    assert assigned == defaults("08_pk_simulator")
    assert "from helpers.simulator import explore_pk_simulator" in code[-1].source
    assert "not medical advice" in nb.cells[0].source and nb.cells[0].source.startswith("# 08")


@pytest.mark.parametrize(
    ("routes", "bad"),
    [("IV,nasal", "'nasal'"), ("oral;IV", "'oral;IV'"), ("", "at least one route"), (" , ", "at least one route")],
)
def test_invalid_routes_name_the_parameter_and_list_valid_routes(routes, bad):
    with pytest.raises(ParameterError) as err:
        SimulatorExplorer(routes=routes)
    message = str(err.value)
    assert "'routes'" in message and bad in message and VALID_ROUTES in message


@pytest.mark.parametrize(("route", "why"), [("epidural", "no absorption Tmax"), ("subcutaneous", "never measured")])
def test_routes_the_model_cannot_draw_say_why(route, why):
    with pytest.raises(ParameterError, match="'routes'") as err:
        simulator.parse_routes(f"IV,{route}")
    assert why in str(err.value) and VALID_ROUTES in str(err.value)


def test_routes_are_read_case_insensitively_in_order_without_repeats():
    assert simulator.parse_routes(" oral, iv ,ORAL,Intranasal") == ("oral", "IV", "intranasal")
    assert SimulatorExplorer(routes="rectal , im").values["routes"] == "rectal,IM"


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"dose": 0.0}, "'dose'"),
        ({"dose": -1.0}, "'dose'"),
        ({"dose": 25.0}, "'dose'"),  # 25 mg/kg
        ({"weight_kg": 10.0}, "'weight_kg'"),
        ({"hours": 60.0}, "'hours'"),
        ({"infusion_min": -5.0}, "'infusion_min'"),
        ({"model": "three"}, "'model'"),
        ({"dose_unit": "g"}, "'dose_unit'"),
        ({"route": "IV"}, "'route'"),  # unknown name
    ],
)
def test_bad_parameters_are_named(overrides, name):
    with pytest.raises(ParameterError, match=name):
        SimulatorExplorer(overrides)


def test_dose_in_mg_is_not_capped_per_kg():
    explorer = SimulatorExplorer(dose=25, dose_unit="mg")  # an int, as papermill's -p passes it
    assert explorer.dose_mg == 25.0


# --- controls drive the data ------------------------------------------------------------------


def test_controls_are_built_from_the_spec(explorer):
    assert list(explorer.controls) == [p.name for p in simulator.PARAMS]
    assert explorer.controls["routes"].value == ("IV", "intranasal", "oral")
    assert explorer.values == validate("08_pk_simulator")


def test_adding_a_route_adds_its_curve(explorer):
    assert set(explorer.data["route"]) == {"IV", "intranasal", "oral"}
    explorer.controls["routes"].value = ("IV", "IM", "intranasal", "oral")
    assert set(explorer.data["route"]) == {"IV", "IM", "intranasal", "oral"}
    assert list(explorer.readouts["route"]) == ["IV", "IM", "intranasal", "oral"]
    assert explorer.values["routes"] == "IV,IM,intranasal,oral"


def test_doubling_the_dose_doubles_cmax(explorer):
    before = by_route(explorer.readouts, "cmax_ng_ml")
    explorer.controls["dose"].value = 1.0
    after = by_route(explorer.readouts, "cmax_ng_ml")
    for route, cmax in before.items():
        assert after[route] == pytest.approx(2 * cmax, rel=1e-12)


def test_flipping_the_dose_unit_keeps_the_total_dose(explorer):
    before = by_route(explorer.readouts, "cmax_ng_ml")
    explorer.controls["dose_unit"].value = "mg"
    assert explorer.controls["dose"].value == pytest.approx(35.0)
    assert by_route(explorer.readouts, "cmax_ng_ml") == pytest.approx(before)
    explorer.controls["dose_unit"].value = "mg/kg"
    assert explorer.controls["dose"].value == pytest.approx(0.5)


def test_switching_the_model_changes_the_iv_curve_only(explorer):
    one = explorer.data
    explorer.controls["model"].value = "two"
    two = explorer.data
    iv = one["route"] == "IV"
    assert not np.allclose(one.loc[iv, "conc_ng_ml"], two.loc[iv, "conc_ng_ml"])
    assert np.array_equal(one.loc[~iv, "conc_ng_ml"], two.loc[~iv, "conc_ng_ml"])
    models = by_route(explorer.readouts, "model")
    assert models == {"IV": "two-compartment", "intranasal": "one-compartment", "oral": "one-compartment"}


def test_infusion_zero_is_a_bolus_and_infusions_lower_the_peak(explorer):
    infused = by_route(explorer.readouts, "cmax_ng_ml")["IV"]
    explorer.controls["infusion_min"].value = 0.0
    readouts = explorer.readouts.set_index("route")
    assert readouts.loc["IV", "tmax_h"] == 0.0 and readouts.loc["IV", "delivery"] == "IV bolus"
    assert readouts.loc["IV", "cmax_ng_ml"] == pytest.approx(35.0 / (3.6 * 70) * 1000)  # D/V in ng/mL
    assert readouts.loc["IV", "cmax_ng_ml"] > infused


def test_hours_and_weight_and_threshold_move_the_readouts(explorer):
    explorer.controls["hours"].value = 24.0
    assert explorer.data["time_h"].max() == pytest.approx(24.0)
    above = by_route(explorer.readouts, "hours_above_threshold")["IV"]
    explorer.controls["threshold_ng_ml"].value = 70.0
    assert by_route(explorer.readouts, "hours_above_threshold")["IV"] > above
    cmax = by_route(explorer.readouts, "cmax_ng_ml")["IV"]
    explorer.controls["dose_unit"].value = "mg"  # 35 mg fixed from here on
    explorer.controls["weight_kg"].value = 140.0  # twice the volume, half the concentration
    assert by_route(explorer.readouts, "cmax_ng_ml")["IV"] == pytest.approx(cmax / 2)


def test_curves_are_tidy_and_keep_every_peak(explorer):
    explorer.controls["routes"].value = pk.SIMULATED_ROUTES
    explorer.controls["hours"].value = 48.0
    curves = explorer.data
    assert list(curves.columns) == simulator.CURVE_COLUMNS
    assert curves.groupby("route").size().max() <= simulator.CHART_POINTS + 4
    assert (curves["conc_low"] <= curves["conc_ng_ml"] + 1e-9).all()
    assert (curves["conc_ng_ml"] <= curves["conc_high"] + 1e-9).all()
    readouts = explorer.readouts
    assert by_route(readouts, "cmax_ng_ml") == pytest.approx(curves.groupby("route")["conc_ng_ml"].max().to_dict())
    oral = readouts.set_index("route").loc["oral"]
    assert (oral.bioavailability_low_pct, oral.bioavailability_high_pct) == pytest.approx((16.0, 20.0))


def test_readouts_match_the_pk_module(explorer):
    values = explorer.values
    result = pk.simulate("intranasal", 35.0, 70.0, hours=12.0)
    cmax, tmax = pk.cmax_tmax(result)
    row = explorer.readouts.set_index("route").loc["intranasal"]
    assert (row.cmax_ng_ml, row.tmax_h) == pytest.approx((cmax, tmax))
    assert row.hours_above_threshold == pytest.approx(pk.time_above(result, values["threshold_ng_ml"]))


@pytest.mark.parametrize("model", pk.MODELS)
def test_default_iv_infusion_peaks_inside_the_documented_antidepressant_range(model):
    readouts = SimulatorExplorer(routes="IV", model=model).readouts  # 0.5 mg/kg over 40 min, 70 kg
    cmax = readouts["cmax_ng_ml"].iloc[0]
    assert 70.0 <= cmax <= 200.0
    peak = simulator.landmark_rows().set_index("landmark").loc["antidepressant peak"]
    assert peak.value_low <= cmax <= peak.value_high
    assert readouts["tmax_h"].iloc[0] == pytest.approx(40 / 60)


def test_notebook_answers_quote_the_models_numbers():
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    for model in pk.MODELS:
        cmax = SimulatorExplorer(routes="IV", model=model).readouts["cmax_ng_ml"].iloc[0]
        assert f"**{cmax:.0f} ng/mL**" in text
    oral = SimulatorExplorer(routes="oral").readouts["cmax_ng_ml"].iloc[0]
    assert f"**{oral:.0f} ng/mL**" in text
    for model in pk.MODELS:
        bolus = SimulatorExplorer(routes="IV", model=model, infusion_min=0.0).readouts["cmax_ng_ml"].iloc[0]
        assert f"**{bolus:.0f} ng/mL**" in text


# --- landmarks --------------------------------------------------------------------------------


def test_landmark_bands_come_from_the_evidence_table(explorer):
    marks = explorer.landmarks.set_index("landmark")
    assert dict(marks["id"]) == {"antidepressant peak": "pk-008", "dissociation": "pk-007", "side effects": "pk-009"}
    rows = [r for r in records(explorer.chart()) if r.get("landmark") == "antidepressant peak"]
    assert rows and (rows[0]["value_low"], rows[0]["value_high"]) == (70, 200)
    assert rows[0]["id"] == "pk-008" and "70 to 200 ng/mL" in rows[0]["quote"]
    bands = {r["landmark"]: (r["value_low"], r["value_high"]) for r in records(explorer.chart()) if "landmark" in r}
    assert bands == {"antidepressant peak": (70, 200), "dissociation": (100, 250), "side effects": (70, 160)}


def test_landmark_bands_follow_the_table_not_constants():
    table = prepared("pharmacokinetics").copy()
    table.loc[table["id"] == "pk-008", "value_high"] = 210.0
    marks = simulator.landmark_rows(table)
    chart = simulator.pk_curves_chart(simulator.simulate_curves(validate("08_pk_simulator")), marks, 100.0)
    rows = [r for r in records(chart) if r.get("landmark") == "antidepressant peak"]
    assert rows[0]["value_high"] == 210
    assert "antidepressant peak 70-210 ng/mL (pk-008)" in chart.to_dict()["description"]


def test_a_missing_landmark_row_is_an_error():
    table = prepared("pharmacokinetics")
    with pytest.raises(ValueError, match="dissociation"):
        simulator.landmark_rows(table[table["id"] != "pk-007"])


# --- chart ------------------------------------------------------------------------------------


def _encodings(node):
    """Every encoding channel definition in a spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "encoding":
                yield from value.items()
            else:
                yield from _encodings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _encodings(item)


@pytest.mark.parametrize("model", pk.MODELS)
@pytest.mark.parametrize("route", pk.SIMULATED_ROUTES)
def test_chart_is_valid_for_every_route_and_model(route, model):
    explorer = SimulatorExplorer(routes=route, model=model, infusion_min=0.0 if model == "two" else 40.0)
    spec_dict = explorer.chart().to_dict()  # validates against the Vega-Lite schema
    assert spec_dict["title"]["text"] == "Simulated plasma ketamine concentration by route"
    assert spec_dict["title"]["subtitle"][0] == "Teaching model — educational use only, not medical advice"
    assert route in spec_dict["description"] and "not medical advice" in spec_dict["description"]
    for channel, definition in _encodings(spec_dict):
        if "field" in definition and channel not in ("x2", "y2"):  # secondary channels share the primary's type
            assert "type" in definition, f"untyped {channel}: {definition}"
    curves = {r["route"] for r in records(explorer.chart()) if "route" in r}
    assert curves == {route}


def test_chart_layers_threshold_as_a_dashed_rule(explorer):
    explorer.controls["threshold_ng_ml"].value = 160.0
    spec_dict = explorer.chart().to_dict()
    rules = [layer for layer in spec_dict["layer"] if layer["mark"]["type"] == "rule"]
    assert rules and rules[0]["mark"]["strokeDash"]
    assert any(r.get("threshold") == 160.0 for r in records(explorer.chart()))
    marks = {layer["mark"]["type"] for layer in spec_dict["layer"]}
    assert {"rect", "text", "area", "line", "rule"} <= marks


def test_chart_rejects_curves_without_the_tidy_columns(explorer):
    with pytest.raises(ValueError, match="conc_low"):
        simulator.pk_curves_chart(explorer.data.drop(columns="conc_low"), explorer.landmarks, 100.0)


def test_chart_renders_to_svg(explorer):
    import vl_convert as vlc

    explorer.controls["routes"].value = pk.SIMULATED_ROUTES
    svg = vlc.vegalite_to_svg(explorer.chart().to_dict())
    assert svg.lstrip().startswith("<svg") and "antidepressant peak" in svg and "threshold 100 ng/mL" in svg


# --- panel and report mode --------------------------------------------------------------------


def test_widget_updates_chart_and_readouts_on_each_change(explorer):
    panel = explorer.widget()
    calls = []
    explorer.on_refresh(calls.append)
    jchart = explorer._jcharts[0]
    assert "Cmax (ng/mL)" in explorer._readouts.value and "<td>125</td>" in explorer._readouts.value
    explorer.controls["dose"].value = 1.0
    assert "<td>251</td>" in explorer._readouts.value and len(calls) == 1
    assert "1 mg/kg" in jchart.chart.to_dict()["title"]["subtitle"][1]
    assert explorer._readouts in panel.children and jchart in panel.children


def test_an_invalid_control_shows_a_message_instead_of_raising(explorer):
    explorer.widget()
    before = explorer._readouts.value
    explorer.controls["routes"].value = ()
    assert "'routes'" in html.unescape(explorer._status.value) and 'role="alert"' in explorer._status.value
    assert explorer._readouts.value == before
    explorer.controls["routes"].value = ("oral",)
    assert explorer._status.value == "" and "<td>oral</td>" in explorer._readouts.value


def test_report_mode_displays_a_static_spec_and_tables(monkeypatch):
    shown = []
    monkeypatch.setenv(REPORT_ENV, "1")
    monkeypatch.setattr(simulator, "display", lambda obj, **kw: shown.append(obj))
    explorer = simulator.explore_pk_simulator({"routes": "IV,oral"})
    assert isinstance(explorer, SimulatorExplorer) and explorer._jcharts is None
    spec_dict = shown[0][VEGALITE_MIME]
    assert {r["route"] for rows in spec_dict["datasets"].values() for r in rows if "route" in r} == {"IV", "oral"}
    assert "Cmax (ng/mL)" in shown[1].data and "pk-008" in shown[1].data


# --- notebook runs ----------------------------------------------------------------------------


@pytest.mark.notebooks
def test_notebook_runs_with_defaults(tmp_path):
    nb = execute("08_pk_simulator", tmp_path)
    assert outputs(nb, "application/vnd.jupyter.widget-view+json"), "the simulator panel is displayed"


@pytest.mark.notebooks
def test_notebook_runs_with_other_parameters_in_report_mode(tmp_path):
    nb = execute("08_pk_simulator", tmp_path, {"routes": "oral", "dose": 50, "dose_unit": "mg"}, report=True)
    (spec_dict,) = outputs(nb, VEGALITE_MIME)
    spec_dict = spec_dict if isinstance(spec_dict, dict) else json.loads(spec_dict)
    rows = [r for rows in spec_dict["datasets"].values() for r in rows if "route" in r]
    assert {r["route"] for r in rows} == {"oral"}
    peak = max(r["conc_ng_ml"] for r in rows)
    expected = pk.cmax_tmax(pk.simulate("oral", 50.0, 70.0, hours=12.0))[0]
    assert math.isclose(peak, expected, abs_tol=1e-3)
    (table,) = outputs(nb, "text/html")
    assert f"<td>{expected:.0f}</td>" in table and "50 mg for 70 kg" in spec_dict["title"]["subtitle"][1]
