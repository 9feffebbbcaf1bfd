"""Driving each explorer's controls changes its data and its chart, without a browser."""

from __future__ import annotations

import base64

import pytest

from helpers.data import load
from helpers.explore import (
    EXPLORERS,
    HistoryExplorer,
    PharmacokineticsExplorer,
    PrevalenceExplorer,
    ResponseRatesExplorer,
    SafetyExplorer,
    TimelineExplorer,
    download_link,
)
from helpers.params import ParameterError


def spec_ids(explorer, index=0):
    spec_dict = explorer.charts(explorer.data, explorer.values)[index].to_dict()
    return {row.get("id") for rows in spec_dict.get("datasets", {}).values() for row in rows}


def test_condition_control_filters_data_and_chart():
    explorer = ResponseRatesExplorer()
    everything = set(explorer.data["id"])
    explorer.controls["condition"].value = "fibromyalgia"
    assert set(explorer.data["condition"]) == {"fibromyalgia"}
    assert spec_ids(explorer) <= set(explorer.data["id"]) < everything
    explorer.controls["arm"].value = "usual care"
    assert explorer.data.empty
    assert "No percentage figures" in explorer.chart().to_dict()["description"]


def test_params_set_initial_state():
    explorer = ResponseRatesExplorer({"condition": "depression", "arm": "usual care"})
    assert explorer.controls["condition"].value == "depression"
    table = load("response_rates")
    expected = table[(table["condition"] == "depression") & (table["arm"] == "usual care")]
    assert set(explorer.data["arm"]) == {"usual care"} and list(explorer.data["id"]) == list(expected["id"])
    assert len(expected) == 6  # resp-003, -004, -017, -022, -023, -024


def test_bad_parameter_names_the_choices():
    with pytest.raises(ParameterError, match="parameter 'condition' cannot be 'migraine'; choose one of: 'all'"):
        ResponseRatesExplorer({"condition": "migraine"})
    with pytest.raises(ParameterError, match="unknown parameter\\(s\\) 'colour_by'; valid: condition, arm"):
        ResponseRatesExplorer({"colour_by": "arm"})


def test_timeline_log_toggle_and_context():
    explorer = TimelineExplorer()
    assert explorer.chart().to_dict()["layer"][1]["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    explorer.controls["log_scale"].value = False
    assert explorer.chart().to_dict()["layer"][1]["layer"][0]["encoding"]["x"]["scale"]["type"] == "linear"
    explorer.controls["context"].value = "suicidality"
    assert set(explorer.data["context"]) == {"suicidality"} and len(explorer.data) == 2


def test_prevalence_denominator_switch():
    explorer = PrevalenceExplorer()
    assert set(explorer.data["denominator"]) == {"students"}
    explorer.controls["denominator"].value = "young drug users"
    values = sorted(explorer.data["value_low"])
    assert values == [36.9, 84.3]
    explorer.controls["region"].value = "Taiwan"
    assert explorer.data.empty


def test_unit_switch_converts_chart_values():
    explorer = PharmacokineticsExplorer()

    def shown(explorer):
        spec_dict = explorer.chart().to_dict()
        rows = [r for rows in spec_dict["datasets"].values() for r in rows]
        return {r["id"]: r["value_high_shown"] for r in rows}

    assert shown(explorer)["pk-012"] == 2600
    explorer.controls["unit"].value = "uM"
    assert shown(explorer)["pk-012"] == pytest.approx(10.937, abs=1e-3)
    explorer.controls["unit"].value = "mg/L"
    assert shown(explorer)["pk-012"] == pytest.approx(2.6)


def test_safety_dose_context():
    explorer = SafetyExplorer({"dose_context": "anesthetic dose"})
    assert set(explorer.data["dose_context"]) == {"anesthetic dose"}
    assert spec_ids(explorer) == set(explorer.data["id"])


def test_history_year_window():
    explorer = HistoryExplorer({"year_from": 2015, "year_to": 2020})
    years = explorer.data["year_start"]
    assert (years <= 2020).all() and (explorer.data["year_end"].fillna(years) >= 2015).all()
    explorer.controls["year_from"].value = -2000
    assert explorer.data["year_start"].min() == -2000
    explorer.controls["year_to"].value = -1999
    assert set(explorer.data["year_start"]) == {-2000}


@pytest.mark.parametrize("notebook", list(EXPLORERS))
def test_widget_updates_jupyter_chart_in_place(notebook):
    explorer = EXPLORERS[notebook]()
    panel = explorer.widget()
    jchart = explorer._jcharts[0]
    before = jchart.spec
    first_param = next(iter(explorer.controls.values()))
    options = [o[1] if isinstance(o, tuple) else o for o in getattr(first_param, "options", [])]
    new = next((o for o in options if o != first_param.value), None)
    if isinstance(first_param.value, tuple):  # a multi-select: choose one option only
        first_param.value = (options[-1],) if first_param.value != (options[-1],) else (options[0],)
    elif new is None:
        first_param.value = not first_param.value if isinstance(first_param.value, bool) else first_param.value
    else:
        first_param.value = new
    assert jchart.spec != before, "changing a control must update the chart in place"
    assert panel.children[0].children[0] is first_param


def test_download_link_holds_the_filtered_rows():
    explorer = ResponseRatesExplorer({"condition": "fibromyalgia"})
    html = download_link(explorer.data, "x.csv")
    payload = html.split("base64,")[1].split('"')[0]
    csv_text = base64.b64decode(payload).decode("utf-8")
    assert csv_text.count("\n") == len(explorer.data) + 1
    assert "resp-007" in csv_text and "resp-019" not in csv_text


@pytest.mark.parametrize("notebook", list(EXPLORERS))
def test_chart_data_is_valid_json(notebook):
    """No NaN or infinity in any spec: strict JSON, as the widget protocol requires."""
    import json

    explorer = EXPLORERS[notebook]()
    for spec_dict in explorer.live_specs(explorer.data, explorer.values):
        json.dumps(spec_dict, allow_nan=False)
    for chart in explorer.charts(explorer.data, explorer.values):
        json.dumps(chart.to_dict(), allow_nan=False)


def test_every_region_and_source_in_the_data_can_be_chosen():
    """Choices follow the data: no row is unreachable through a filter (Taipei, Taiwan once was)."""
    from helpers.params import spec

    choices = {p.name: set(p.choices) for p in spec("03_prevalence") if p.choices}
    prevalence = load("prevalence")
    assert set(prevalence["region"].astype(str)) <= choices["region"]
    explorer = PrevalenceExplorer()
    for region in choices["region"] - {"all"}:
        denominator = prevalence.loc[prevalence["region"] == region, "denominator"].astype(str).iloc[0]
        explorer.controls["denominator"].value = denominator
        explorer.controls["region"].value = region
        assert len(explorer.data) >= 1, region
    sources = {p.name: set(p.choices) for p in spec("01_response_rates") if p.choices}["source_id"]
    assert set(load("sources")["source_id"]) | {"all"} == sources
