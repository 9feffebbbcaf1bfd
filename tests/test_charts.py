"""Every chart builder gives a valid Vega-Lite spec that draws, for every option value, and the
marks carry the data they claim to."""

from __future__ import annotations

import pandas as pd
import pytest
import vl_convert as vlc

from helpers import charts
from helpers.data import load
from helpers.explore import EXPLORERS, prepared
from helpers.params import ParameterError, spec


def option_values(notebook):
    """Each parameter's every choice (booleans both ways, sliders at both ends)."""
    for param in spec(notebook):
        if param.choices:
            values = param.choices
        elif param.kind is bool:
            values = (True, False)
        elif param.kind is str:
            values = (param.default,)
        else:
            values = (param.minimum, param.default, param.maximum)
        for value in values:
            yield param.name, value


CASES = [(nb, name, value) for nb in EXPLORERS for name, value in option_values(nb)]


@pytest.mark.parametrize(("notebook", "name", "value"), CASES, ids=[f"{n}-{k}={v}" for n, k, v in CASES])
def test_every_option_gives_a_spec_that_draws(notebook, name, value):
    explorer = EXPLORERS[notebook]()
    if name == "year_from":
        explorer.controls["year_to"].value = 2030
    try:
        if value != explorer.initial[name]:  # a multi-select holds a tuple, its parameter a string
            explorer.controls[name].value = value
        values = explorer.values
    except ParameterError as error:  # a bound that only holds with another unit, e.g. 1000 mg/kg
        assert f"'{name}'" in str(error)
        return
    for chart in explorer.charts(explorer.data, values):
        spec_dict = chart.to_dict()  # validates against the Vega-Lite 6 schema
        assert spec_dict["$schema"].endswith("v6.json") or "v6" in spec_dict["$schema"]
        assert spec_dict.get("description"), "every chart needs a text description for screen readers"
        assert spec_dict.get("title"), "every chart needs a title"
        svg = vlc.vegalite_to_svg(spec_dict)
        assert "<svg" in svg


def chart_rows(chart) -> list[dict]:
    """The data rows a chart spec carries (all datasets)."""
    spec_dict = chart.to_dict()
    return [row for rows in spec_dict.get("datasets", {}).values() for row in rows]


def test_ranges_are_intervals_and_singles_are_points():
    frame = prepared("adverse_effects")
    spec_dict = charts.adverse_effects_chart(frame).to_dict()
    marks = [layer["mark"]["type"] for layer in spec_dict["layer"]]
    assert marks == ["rule", "point"]
    rule_filter = spec_dict["layer"][0]["transform"][0]["filter"]
    assert rule_filter == "datum.is_range"
    rows = chart_rows(charts.adverse_effects_chart(frame))
    by_id = {r["id"]: r for r in rows}
    assert by_id["adv-001"]["is_range"] and (by_id["adv-001"]["value_low"], by_id["adv-001"]["value_high"]) == (20, 30)


def test_hedged_figures_are_hollow_and_dashed():
    spec_dict = charts.response_rates_chart(prepared("response_rates")).to_dict()
    rule, point = spec_dict["layer"]
    assert point["encoding"]["fill"]["condition"] == {"test": "datum.hedged", "value": "white"}
    assert rule["encoding"]["strokeDash"]["condition"]["test"] == "datum.hedged"
    rows = {r["id"]: r for r in chart_rows(charts.response_rates_chart(prepared("response_rates")))}
    assert rows["resp-019"]["hedged"] and rows["resp-019"]["value_label"] == "up to 70%"
    assert not rows["resp-025"]["hedged"] and rows["resp-025"]["value_label"] == "60–70%"


def test_tooltips_carry_value_qualifier_source_and_quote():
    spec_dict = charts.timeline_chart(prepared("time_course")).to_dict()
    fields = {t["field"] for t in spec_dict["layer"][1]["layer"][1]["encoding"]["tooltip"]}
    assert {"value_label", "qualifier", "source_label", "quote", "evidence_kind"} <= fields
    rows = chart_rows(charts.timeline_chart(prepared("time_course")))
    titles = dict(zip(load("sources")["source_id"], load("sources")["title"], strict=True))
    assert all(r["quote"] and r["source_label"].startswith(r["source_id"]) for r in rows if "quote" in r)
    assert all(titles[r["source_id"]] in r["source_label"] for r in rows if "quote" in r)


def test_typed_encodings():
    spec_dict = charts.bioavailability_chart(prepared("pharmacokinetics")).to_dict()
    for layer in spec_dict["layer"][0]["layer"]:
        for channel in ("x", "y"):
            assert layer["encoding"][channel].get("type") in {"quantitative", "nominal"}, (channel, layer["encoding"])


def test_response_chart_leaves_counts_out_and_says_so():
    frame = prepared("response_rates")
    chart = charts.response_rates_chart(frame)
    ids = {r["id"] for r in chart_rows(chart)}
    assert "resp-001" not in ids and "resp-019" in ids  # the panel vote is a count, not a share
    n_counts = int((frame["unit"] != "%").sum())
    assert f"{n_counts} figure(s) not in percent" in chart.to_dict()["description"]


def test_never_measured_route_is_labelled_not_plotted_as_zero():
    frame = prepared("pharmacokinetics")
    spec_dict = charts.bioavailability_chart(frame).to_dict()
    rows = {r["route"]: r for r in chart_rows(charts.bioavailability_chart(frame))}
    assert rows["subcutaneous"]["value_low"] is None and rows["subcutaneous"]["status_label"] == "never measured"
    assert rows["oral"]["value_low"] == 16 and rows["oral"]["value_high"] == 20
    text_layer = spec_dict["layer"][1]
    assert text_layer["mark"]["type"] == "text" and "!isValid(datum.value_low)" in text_layer["transform"][0]["filter"]


def test_concentration_units_convert_the_data():
    frame = prepared("pharmacokinetics")
    ng = {r["id"]: r for r in chart_rows(charts.concentrations_chart(frame, unit="ng/mL"))}
    um = {r["id"]: r for r in chart_rows(charts.concentrations_chart(frame, unit="uM"))}
    mg = {r["id"]: r for r in chart_rows(charts.concentrations_chart(frame, unit="mg/L"))}
    assert ng["pk-007"]["value_low_shown"] == 100 and ng["pk-007"]["value_high_shown"] == 250
    assert um["pk-007"]["value_low_shown"] == pytest.approx(100 / 237.73)
    assert mg["pk-007"]["value_high_shown"] == pytest.approx(0.25)
    assert um["pk-010"]["value_low_shown"] == 60  # stated in µM, shown in µM unchanged


def test_prevalence_refuses_mixed_denominators():
    frame = prepared("prevalence")
    with pytest.raises(ValueError, match="one denominator at a time"):
        charts.prevalence_chart(frame)


def test_prevalence_log_toggle_changes_the_scale():
    frame = prepared("prevalence")
    students = frame[frame["denominator"] == "students"]
    lin = charts.prevalence_chart(students, log_scale=False).to_dict()
    log = charts.prevalence_chart(students, log_scale=True).to_dict()
    assert lin["layer"][0]["encoding"]["y"]["scale"] == {"zero": True}
    assert log["layer"][0]["encoding"]["y"]["scale"] == {"type": "log"}


def test_schematic_curve_passes_through_documented_times():
    points = charts.response_curve_points(prepared("time_course"))
    hours = dict(zip(points["landmark"], points["hours"], strict=True))
    assert hours["onset"] == 4 and hours["peak"] == 24 and hours["waning"] == 7 * 24
    assert hours["relapse"] == 10 * 24 and hours["durability"] == 30 * 24
    assert (points["low"] <= points["improvement"]).all() and (points["improvement"] <= points["high"]).all()


def test_schematic_curve_needs_every_landmark():
    frame = prepared("time_course")
    with pytest.raises(ValueError, match="landmark 'peak'"):
        charts.response_curve_points(frame[frame["landmark"] != "peak"])


def test_empty_selection_says_so():
    frame = prepared("adverse_effects").iloc[0:0]
    spec_dict = charts.adverse_effects_chart(frame).to_dict()
    assert spec_dict["mark"]["type"] == "text" and "No adverse-effect rates" in spec_dict["description"]


def test_palette_is_okabe_ito():
    assert charts.PALETTE[:8] == charts.OKABE_ITO
    spec_dict = charts.adverse_effects_chart(prepared("adverse_effects")).to_dict()
    assert spec_dict["layer"][0]["encoding"]["color"]["scale"]["range"][:8] == charts.OKABE_ITO


def test_value_label_keeps_hedges():
    assert charts.value_label(20, 30, "%", "up to") == "up to 20–30%"
    assert charts.value_label(2600, 2600, "ng/mL", "about") == "about 2,600 ng/mL"
    assert charts.value_label(float("nan"), float("nan"), "%", "none") == "never measured"
    assert charts.value_label(11, 11, "uM", "none") == "11 µM"


def test_milestones_without_a_year_are_not_plotted_and_lanes_are_topics():
    frame = prepared("milestones")
    rows = chart_rows(charts.milestones_chart(frame))
    assert len(rows) == int(frame["year_start"].notna().sum())
    assert {r["topic"] for r in rows} <= set(pd.unique(frame["topic"]))
