"""The views of notebooks 02, 03, 04 and 06: specs that validate and draw for every option value,
data that say what the documents say, and (in Chromium) page filters that keep the same rows
as the pandas filters.

Run: ``.venv/bin/python -m pytest -q tests/test_views_figures.py`` (``-m "not browser"`` without Chromium).
"""

from __future__ import annotations

import json
import math
import re
import textwrap

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc
from altair.utils.schemapi import validate_jsonschema

from helpers.data.tables import load
from helpers.data.units import CONCENTRATION_UNITS, DISPLAY, HOURS_PER, convert_concentration
from helpers.params import ALL, ParameterError
from helpers.views import core, encodings, view
from helpers.views.bioavailability import unit_factors
from helpers.views.marks import can_pick, domain
from helpers.views.prevalence import y_title
from helpers.views.relapse_timeline import GUIDE_GAP, GUIDES, response_curve_points

NOTEBOOKS = ("02_relapse_timeline", "03_prevalence", "04_bioavailability", "06_history")
# Years a reader would try: both ends of the sliders, the 2000 BC event, the defaults, one recent year.
# Years the rules accept with the other year at its default (1950 to 2025), bounds included; a pair the
# rules refuse is tested in test_params_page.py (the page reverts it and says so).
YEARS = {"year_from": (-2000, -400, 1950, 2019, 2025), "year_to": (1950, 1965, 2000, 2025, 2030)}


def option_values(notebook: str) -> list[tuple[str, object]]:
    """(control, value) for every choice of every control (booleans both ways, sliders at chosen years)."""
    out = []
    for control in view(notebook).controls:
        param = control.param
        if param.type == "choice":
            values = param.choices
        elif param.type == "bool":
            values = (True, False)
        else:
            values = YEARS[param.name]
        out += [(control.name, value) for value in values]
    return out


CASES = [(nb, name, value) for nb in NOTEBOOKS for name, value in option_values(nb)]
IDS = [f"{nb[:2]}-{name}={value}" for nb, name, value in CASES]


def values_with(notebook: str, name: str, value) -> dict:
    """The defaults with one control changed, checked by the notebook's rules (every case here is accepted)."""
    return view(notebook).validate({name: value})


def units(spec: dict):
    """Every unit and layer spec inside a spec, depth first."""
    for key in ("vconcat", "hconcat", "concat", "layer"):
        for child in spec.get(key, []):
            yield child
            yield from units(child)


def panels(spec: dict) -> list[dict]:
    """The charts a reader sees: layered specs with a title (the rows cell is not one)."""
    found = [spec] if "layer" in spec else []
    found += [u for u in units(spec) if "layer" in u and u.get("title")]
    return [p for p in found if p.get("name") != core.ROWS_MARK]


def texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]


@pytest.fixture(scope="module")
def schema() -> dict:
    return alt.vegalite.v6.schema.core.load_schema()


# --- every option value ------------------------------------------------------------------------


@pytest.mark.parametrize(("notebook", "name", "value"), CASES, ids=IDS)
def test_every_option_gives_a_valid_spec_that_draws(notebook, name, value, schema):
    the_view = view(notebook)
    spec = the_view.spec(values_with(notebook, name, value), bind=True)
    validate_jsonschema(spec, schema)  # the Vega-Lite 6 schema, with this value and the page's bindings
    json.dumps(spec, allow_nan=False)  # strict JSON, as the widget protocol requires
    signal = core.signal_name(name)
    assert {p["name"]: p.get("value") for p in spec["params"] if "select" not in p}[signal] == value
    assert the_view.title in spec["description"]
    for panel in panels(spec):
        assert panel.get("title"), "every chart needs a title"
        assert len(panel.get("description", "")) > 80, "every chart needs a text alternative that says what it shows"
    svg = vlc.vegalite_to_svg(spec)
    assert "<svg" in svg and "NaN" not in svg


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_chart_validates_once_with_one_param_per_control(notebook):
    the_view = view(notebook)
    spec = the_view.chart_dict(validate=True)  # validates against the schema
    params = [p["name"] for p in spec["params"] if "select" not in p and "expr" not in p]
    assert params == [c.signal for c in the_view.controls], "every control is a top-level param, in order"
    (rules,) = [p for p in spec["params"] if p["name"] == core.RULES_OK]
    assert rules["expr"] == the_view.rules_expr()
    assert the_view.rows["id"].is_unique and the_view.rows["id"].notna().all()
    rows_units = [u for u in units(spec) if u.get("name") == core.ROWS_MARK]
    assert len(rows_units) == 1 and rows_units[0]["transform"] == [{"filter": the_view.row_filter()}]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_row_can_be_reached_and_every_choice_selects_rows(notebook):
    """Choices follow the data: every value in a filtered column can be chosen (04: every matrix of a
    concentration; urine and feces are "all" only), and each choice keeps rows (regions with their own
    denominator, see below; a source may have no rows in this table)."""
    the_view = view(notebook)
    for control in the_view.controls:
        if not control.filters or control.param.type != "choice":
            continue
        (rule,) = control.filters
        rows = the_view.rows[the_view.rows["is_concentration"]] if control.name == "matrix" else the_view.rows
        assert set(rows[rule.columns[0]].dropna().astype(str)) <= set(control.param.choices), control.name
        if control.name in ("region", "source_id"):
            continue
        for choice in control.param.choices:
            assert len(the_view.filter(values_with(notebook, control.name, choice))) >= 1, (control.name, choice)


@pytest.mark.parametrize("notebook", [nb for nb in NOTEBOOKS if nb != "04_bioavailability"])
def test_points_carry_the_click_selection_and_hedges(notebook):
    spec = view(notebook).base_spec
    pick = [p for p in spec["params"] if p["name"] == core.PICK]
    assert len(pick) == 1 and pick[0]["select"]["fields"] == ["id"]
    points = [u for u in units(spec) if u.get("name") in pick[0]["views"]]
    assert points and all(u["mark"]["type"] == "point" for u in points), "clicks select figures' points only"
    assert all("id" in json.dumps(u["encoding"]["tooltip"]) or "quote" in json.dumps(u["encoding"]) for u in points)
    (point,) = [u for u in points if "fill" in u["encoding"]]  # the figures (02's curve anchors are fixed marks)
    assert point["encoding"]["fill"]["condition"] == {"test": "datum.hedged", "value": "white"}
    assert point["encoding"]["shape"]["scale"] == {"domain": core.HEDGE_DOMAIN, "range": ["circle", "diamond"]}
    tooltip = {t["field"] for t in point["encoding"]["tooltip"]}
    assert {"source_label", "quote", "evidence_kind"} <= tooltip
    assert point["encoding"]["color"]["scale"]["domain"], "colour scales have fixed domains"


def test_a_param_named_like_a_vega_lite_signal_gets_its_own_signal():
    """04's ``unit``: Vega-Lite declares a signal "unit" for any selection, so the param's signal is
    ``unit_value`` and 04's points take the click selection like every other view's."""
    assert core.signal_name("unit") == "unit_value"
    assert all(can_pick(view(nb)) for nb in NOTEBOOKS)
    spec = view("04_bioavailability").spec({"unit": "uM"})
    names = [p["name"] for p in spec["params"]]
    assert "unit_value" in names and "unit" not in names and core.PICK in names
    assert "<svg" in vlc.vegalite_to_svg(spec)


# --- 02: time course ---------------------------------------------------------------------------


def test_timeline_context_and_source_filter_rows():
    the_view = view("02_relapse_timeline")
    rows = the_view.filter(values_with("02_relapse_timeline", "context", "suicidality"))
    assert set(rows["context"]) == {"suicidality"} and sorted(rows["id"]) == ["time-032", "time-050"]
    assert the_view.filter(values_with("02_relapse_timeline", "source_id", "002")).empty
    assert len(the_view.filter(the_view.validate({}))) == len(load("time_course"))


def test_timeline_log_toggle_is_a_param_on_a_linear_axis():
    spec = view("02_relapse_timeline").base_spec
    calculated = {t["as"]: t["calculate"] for u in units(spec) for t in u.get("transform", []) if "calculate" in t}
    assert calculated["x_low"] == encodings.log_field("log_scale", "duration_low_h")
    assert calculated["x_high"] == encodings.log_field("log_scale", "duration_high_h")
    scales = [u["encoding"]["x"].get("scale", {}) for u in units(spec) if "x_low" in json.dumps(u.get("encoding", {}))]
    assert scales and all("type" not in s for s in scales), "a linear axis over log10 values, never a log scale"
    assert all(s["zero"] == {"expr": "!log_scale"} for s in scales)


def test_timeline_tooltips_name_the_source_and_quote():
    rows = view("02_relapse_timeline").rows
    titles = dict(zip(load("sources")["source_id"], load("sources")["title"], strict=True))
    assert all(q for q in rows["quote"])
    assert all(
        label.startswith(sid) and titles[sid] in label
        for sid, label in zip(rows["source_id"], rows["source_label"], strict=True)
    )


def test_guides_are_the_units_of_time():
    assert GUIDES == {
        "1 min": HOURS_PER["min"],
        "1 hour": HOURS_PER["h"],
        "1 day": HOURS_PER["d"],
        "1 week": HOURS_PER["wk"],
        "1 month": HOURS_PER["mo"],
        "1 year": HOURS_PER["yr"],
    }


def test_schematic_curve_passes_through_documented_times():
    points = response_curve_points(view("02_relapse_timeline").rows)
    hours = dict(zip(points["landmark"], points["hours"], strict=True))
    assert hours["onset"] == 4 and hours["peak"] == 24 and hours["waning"] == 7 * 24
    assert hours["relapse"] == 10 * 24 and hours["durability"] == 30 * 24
    assert (points["low"] <= points["improvement"]).all() and (points["improvement"] <= points["high"]).all()


def test_schematic_curve_needs_every_landmark():
    rows = view("02_relapse_timeline").rows
    with pytest.raises(ValueError, match="landmark 'peak'"):
        response_curve_points(rows[rows["landmark"] != "peak"])


def test_schematic_curve_is_fixed_and_labels_its_axis_in_words():
    the_view = view("02_relapse_timeline")
    spec = the_view.base_spec
    (curve,) = [p for p in panels(spec) if "Schematic" in json.dumps(p.get("title"))]
    assert "log_scale" not in json.dumps(curve), "the curve takes no control"
    svg = vlc.vegalite_to_svg(the_view.spec({"log_scale": False}))
    labels = texts(svg)
    assert {"1 hour", "1 day", "1 week", "1 month"} <= set(labels)
    assert not any(re.fullmatch(r"0\.0\d+", t) for t in labels), "no crowded decimal ticks (0.010.02)"


# --- 03: prevalence ----------------------------------------------------------------------------


def test_one_denominator_per_chart():
    the_view = view("03_prevalence")
    control = the_view.control("denominator")
    assert ALL not in control.param.choices and [f.op for f in control.filters] == ["equal"]
    with pytest.raises(ParameterError):
        the_view.validate({"denominator": ALL})
    for denominator in control.param.choices:
        rows = the_view.filter(values_with("03_prevalence", "denominator", denominator))
        assert set(rows["denominator"]) == {denominator}


def test_prevalence_denominator_and_region():
    the_view = view("03_prevalence")
    values = values_with("03_prevalence", "denominator", "young drug users")
    assert sorted(the_view.filter(values)["value_low"]) == [36.9, 84.3]
    assert the_view.filter({**values, "region": "Taiwan"}).empty


def test_every_region_can_be_chosen_with_its_denominator():
    the_view = view("03_prevalence")
    table = load("prevalence")
    regions = set(the_view.control("region").param.choices)
    assert set(table["region"].astype(str)) | {ALL} == regions
    for region in regions - {ALL}:
        denominator = str(table.loc[table["region"] == region, "denominator"].iloc[0])
        rows = the_view.filter({**the_view.validate({}), "denominator": denominator, "region": region})
        assert len(rows) >= 1, region


def test_y_title_names_every_denominator():
    the_view = view("03_prevalence")
    for denominator in the_view.control("denominator").param.choices:
        unit = str(the_view.rows.loc[the_view.rows["denominator"] == denominator, "unit"].iloc[0])
        title = y_title(denominator, unit)
        svg = vlc.vegalite_to_svg(the_view.spec(values_with("03_prevalence", "denominator", denominator)))
        assert title in texts(svg), denominator
        assert unit == "count" or denominator in title or denominator == "rate change"


def test_series_colours_are_fixed_and_distinct_within_a_denominator():
    the_view = view("03_prevalence")
    rows = the_view.rows
    spec = the_view.base_spec
    colors = [u["encoding"]["color"] for u in units(spec) if "series" in json.dumps(u.get("encoding", {}).get("color"))]
    assert colors and all(c["scale"] == colors[0]["scale"] for c in colors)
    scale = colors[0]["scale"]
    assert sorted(scale["domain"]) == sorted(rows["series"].unique()), "every series in the table, drawn or not"
    by_series = dict(zip(scale["domain"], scale["range"], strict=True))
    for denominator, group in rows.groupby("denominator"):
        series = group["series"].unique()
        assert len({by_series[s] for s in series}) == len(series), denominator
        assert core.OKABE_ITO[6] not in {by_series[s] for s in series} or len(series) > 12


def test_lines_join_consecutive_years_only():
    spec = view("03_prevalence").base_spec
    windows = [t for u in units(spec) for t in u.get("transform", []) if "window" in t]
    assert len(windows) == 1 and windows[0]["groupby"] == ["series", "measure"]
    filters = [
        t["filter"]
        for u in units(spec)
        if any("window" in t for t in u.get("transform", []))
        for t in u["transform"]
        if "filter" in t
    ]
    assert "datum.next_year == datum.year_start + 1" in filters
    assert not [u for u in units(spec) if u.get("mark", {}).get("type") == "line"], "no line mark across gaps"


# --- 04: bioavailability -----------------------------------------------------------------------


def test_unit_factors_come_from_helpers_units():
    factors = unit_factors()
    assert set(factors) == set(CONCENTRATION_UNITS)
    for a in CONCENTRATION_UNITS:
        for b in CONCENTRATION_UNITS:
            assert factors[a] / factors[b] == pytest.approx(convert_concentration(1.0, a, b), rel=1e-12)
    calculated = {
        t["as"]: t["calculate"]
        for u in units(view("04_bioavailability").base_spec)
        for t in u.get("transform", [])
        if "calculate" in t
    }
    assert json.dumps(factors) in calculated["low_shown"], "the factors are written into the spec, not retyped"


def test_micromolar_is_written_as_µM():
    the_view = view("04_bioavailability")
    binding = the_view.spec({}, bind=True)["params"]
    (unit,) = [p for p in binding if p["name"] == core.signal_name("unit")]
    assert unit["bind"]["options"] == ["ng/mL", "uM", "mg/L", "nM"] and "µM" in unit["bind"]["labels"]
    svg_text = texts(vlc.vegalite_to_svg(the_view.spec({"unit": "uM"})))
    assert "concentration (µM)" in svg_text and "Concentration landmarks, in µM" in svg_text
    assert not [t for t in svg_text if "uM" in t]
    assert DISPLAY["uM"] == "µM"


def test_concentration_rows_keep_the_landmark_type():
    rows = view("04_bioavailability").rows
    conc = rows[rows["is_concentration"]]
    # Not pk-005: "the highest concentration tested" in vitro (matrix n/a) is no body-fluid landmark.
    assert sorted(conc["id"]) == [f"pk-{i:03d}" for i in (7, 8, 9, 10, 11, 12, 13, 14, 33, 34, 35)]
    for label, measure, row_id, population in zip(
        conc["row_label"], conc["measure"], conc["id"], conc["population"], strict=True
    ):
        first, *rest = label.split("\n")
        assert first == f"{measure} · {row_id}"
        assert " ".join(rest) == population or " ".join(rest).endswith("…"), row_id
        assert all(len(line) <= 52 for line in rest)
    assert "dissociation" in conc.set_index("id").loc["pk-007", "row_label"]
    assert textwrap.shorten(conc.set_index("id").loc["pk-008", "population"], 200) in " ".join(
        conc.set_index("id").loc["pk-008", "row_label"].split("\n")[1:]
    )


def test_never_measured_route_is_labelled_not_drawn_as_zero():
    the_view = view("04_bioavailability")
    rows = the_view.rows.set_index("route")[the_view.rows.set_index("route")["is_bioavailability"]]
    assert (
        pd.isna(rows.loc["subcutaneous", "value_low"]) and rows.loc["subcutaneous", "status_label"] == "never measured"
    )
    assert (rows.loc["oral", "value_low"], rows.loc["oral", "value_high"]) == (16, 20)
    spec = the_view.base_spec
    texts_layers = [
        u
        for u in units(spec)
        if u.get("mark", {}).get("type") == "text"
        and u.get("encoding", {}).get("text", {}).get("field") == "status_label"
    ]
    # The controls' filter first (the routes follow "measured in" as the table does), then the unmeasured.
    assert len(texts_layers) == 1 and texts_layers[0]["transform"] == [
        {"filter": the_view.row_filter()},
        {"filter": "!isValid(datum.value_low)"},
    ]
    svg = texts(vlc.vegalite_to_svg(the_view.spec({})))
    assert "never measured" in svg and "subcutaneous" in svg


def test_matrix_filter():
    the_view = view("04_bioavailability")
    assert set(the_view.filter(values_with("04_bioavailability", "matrix", "CSF"))["id"]) == {"pk-014", "pk-015"}
    plasma = the_view.filter(values_with("04_bioavailability", "matrix", "plasma"))
    assert set(plasma["matrix"]) == {"plasma"} and {"pk-007", "pk-013"} <= set(plasma["id"])


# --- 06: history -------------------------------------------------------------------------------


def test_undated_milestones_are_kept_by_every_year_range():
    """An undated event cannot be drawn on a year axis, but every window lists it in the table:
    when no window kept them, 17 of 78 events could be seen nowhere in 06."""
    the_view = view("06_history")
    undated = set(the_view.rows.loc[the_view.rows["year_start"].isna(), "id"])
    # 070-076 are the undated regulatory facts (Schedule III, Class C to B, CANMAT...); 035 names no year; 054
    # dates only the standard it cites; 077 is "now, in the 21st century"; 078 "the close of the century".
    assert undated == {
        "mile-001",
        "mile-008",
        "mile-029",
        "mile-035",
        "mile-054",
        "mile-064",
        "mile-065",
        "mile-068",
    } | {
        "mile-077",
        "mile-078",
    } | {f"mile-{i:03d}" for i in range(70, 77)}
    for year_from in YEARS["year_from"]:
        for year_to in YEARS["year_to"]:
            kept = set(the_view.filter({**the_view.validate({}), "year_from": year_from, "year_to": year_to})["id"])
            assert undated <= kept, (year_from, year_to, sorted(undated - kept))


def test_history_year_window():
    the_view = view("06_history")
    undated = set(the_view.rows.loc[the_view.rows["year_start"].isna(), "id"])
    assert undated, "06 has undated events: the window keeps them (listed in the table, not drawn)"

    def dated(window):
        rows = the_view.filter({**the_view.validate({}), **window})
        assert undated <= set(rows["id"]), f"{window} dropped undated events"
        return rows[rows["year_start"].notna()]

    rows = dated({"year_from": 2015, "year_to": 2020})
    assert (rows["year_start"] <= 2020).all() and (rows["year_last"] >= 2015).all()
    assert "mile-044" in set(rows["id"]), "2010-2020 overlaps the window"
    rows = dated({"year_from": 1965, "year_to": 1965})
    assert set(rows["id"]) == {"mile-016"}, "the 1960s match 1965; nothing else happened that year"
    rows = dated({"year_from": -2000, "year_to": -1999})
    assert set(rows["year_start"]) == {-2000}


def test_years_are_number_boxes_that_step_by_one_year():
    """A year is typed or stepped one at a time (a slider over 4,000 years cannot pick one by mouse)."""
    the_view = view("06_history")
    for name in ("year_from", "year_to"):
        binding = the_view.control(name).binding()
        param = the_view.control(name).param
        assert binding["input"] == "number" and param.type == "int" and param.step == 1
        assert param.minimum <= the_view.rows["year_start"].min() and param.maximum >= the_view.rows["year_last"].max()


def test_colour_choices_read_in_words():
    binding = view("06_history").spec({}, bind=True)["params"]
    (color_by,) = [p for p in binding if p["name"] == "color_by"]
    assert color_by["bind"]["options"] == ["topic", "event_kind", "source_id"]
    assert color_by["bind"]["labels"] == ["topic", "event kind", "source"]


def test_history_colour_domains_are_fixed_per_choice():
    spec = view("06_history").base_spec
    (pick,) = [p for p in spec["params"] if p["name"] == core.PICK]
    (point,) = [u for u in units(spec) if u.get("name") in pick["views"]]
    color = point["encoding"]["color"]
    expr = color["scale"]["domain"]["expr"]
    for choice in ("topic", "event_kind", "source_id"):
        assert json.dumps(domain(choice)) in expr
    assert "#F0E442" not in color["scale"]["range"], "no pale yellow: a hollow mark in it is near invisible"
    assert len(color["scale"]["range"]) >= max(len(domain(c)) for c in ("topic", "event_kind", "source_id"))


# --- in the browser ----------------------------------------------------------------------------

MARKS_JS = """
(nb) => {
  const k = window.keViews[nb];
  const out = [];
  (function walk(m) {
    (m.marks || []).forEach((x) => {
      if (x.from && x.from.data) out.push({ name: x.name, type: x.type, data: x.from.data });
      walk(x);
    });
  })(k.result.vgSpec);
  return out.map((m) => ({ ...m, values: k.view.data(m.data).map((d) => ({ ...d })) }));
}
"""

# The page's own signal listeners call view.runAsync() during the pulse; a no-op prerun makes this run
# register first, so theirs chain after it (as after an input event) instead of logging "Dataflow
# already running".
SET_JS = """
async ([nb, name, value]) => {
  const k = window.keViews[nb];
  name = k.signals[name] || name;  // the parameter's signal (04's unit is unit_value)
  await k.view.signal(name, value).runAsync(null, () => {});
  await k.view.runAsync();
  k.update();
  return k.view.data(k.rowsData).map((d) => d.id);
}
"""

SVG_JS = "(nb) => document.querySelector(`section[data-notebook='${nb}'] .ke-chart svg`).outerHTML"

POSITIONS_JS = """
(nb) => {
  const k = window.keViews[nb];
  const found = {};
  (function walk(item) {
    if (item.items) item.items.forEach(walk);
    if (item.mark && item.mark.name && item.mark.marktype === 'symbol' && item.datum && item.datum.id !== undefined) {
      (found[item.mark.name] = found[item.mark.name] || []).push([item.datum.id, item.x, item.y]);
    }
  })(k.view.scenegraph().root);
  return found;
}
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """One Chromium page per view, each an offline standalone page at the default values."""
    import browser_support as bs  # tests/ is on sys.path

    with bs.chromium() as browser, bs.view_pages(browser, tmp_path_factory.mktemp("views"), NOTEBOOKS) as (opened, _):
        yield opened


def _reset(page, notebook):
    for name, value in view(notebook).validate({}).items():
        page.evaluate(SET_JS, [notebook, name, value])


def _marks(page, notebook, keep) -> list[dict]:
    return [m for m in page.evaluate(MARKS_JS, notebook) if keep(m)]


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_page_filters_keep_the_pandas_rows(pages, notebook):
    """Every control, every option value: the page's rows unit holds View.filter's ids, and the chart redraws."""
    page, the_view = pages[notebook], view(notebook)
    checked = 0
    for name, value in option_values(notebook):
        _reset(page, notebook)
        before = page.evaluate(SVG_JS, notebook)
        ids = page.evaluate(SET_JS, [notebook, name, value])
        expected = list(the_view.filter(values_with(notebook, name, value))["id"])
        assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)), (name, value)
        count = page.locator(f"section[data-notebook='{notebook}'] .ke-count").inner_text()
        assert count.startswith(f"{len(expected)} of {len(the_view.rows)} "), (name, value, count)
        # A value that keeps other rows, or sets no filter (log, unit, colour), redraws the chart. (06's axis
        # spans the events kept, not the year window: "to 2030" keeps what "to 2025" keeps, and draws the same.)
        same_rows = sorted(expected) == sorted(the_view.filter(the_view.validate({}))["id"])
        if value != the_view.validate({})[name] and not (same_rows and the_view.control(name).filters):
            assert page.evaluate(SVG_JS, notebook) != before, f"the chart did not change for {name}={value}"
        checked += 1
    assert checked == len(option_values(notebook))
    print(f"{notebook}: {checked} option values checked in Chromium")


@pytest.mark.browser
def test_page_guides_move_with_the_log_toggle_and_never_collide(pages):
    notebook = "02_relapse_timeline"
    page = pages[notebook]
    seen = {}
    for log_scale in (True, False):
        for context in ("all", "side effects", "usual-care antidepressants"):
            _reset(page, notebook)
            page.evaluate(SET_JS, [notebook, "log_scale", log_scale])
            page.evaluate(SET_JS, [notebook, "context", context])
            (guides,) = _marks(
                page, notebook, lambda m: m["type"] == "text" and m["values"] and "pos" in m["values"][0]
            )
            labels = [g["label"] for g in sorted(guides["values"], key=lambda g: g["pos"])]
            span = guides["values"][0]["span"]
            positions = sorted(g["pos"] for g in guides["values"])
            assert all(b - a >= GUIDE_GAP * span for a, b in zip(positions, positions[1:], strict=False)), (
                log_scale,
                context,
            )
            for g in guides["values"]:
                hours = GUIDES[g["label"]]
                assert g["pos"] == pytest.approx(math.log10(hours) if log_scale else hours)
            seen[(log_scale, context)] = labels
    assert seen[(True, "all")] == list(GUIDES), "on the log axis every unit of time is labelled"
    assert seen[(False, "all")] == ["1 month", "1 year"], "on a linear axis of two years, minutes to weeks sit at 0"
    assert seen[(False, "side effects")] == ["1 min", "1 hour"]


@pytest.mark.browser
def test_page_prevalence_lines_join_consecutive_years_only(pages):
    notebook = "03_prevalence"
    page = pages[notebook]
    rows = view(notebook).rows
    for denominator in view(notebook).control("denominator").param.choices:
        _reset(page, notebook)
        page.evaluate(SET_JS, [notebook, "denominator", denominator])
        steps = _marks(page, notebook, lambda m: m["type"] == "rule" and m["values"] and "next_year" in m["values"][0])
        drawn = {(d["series"], d["year_start"], d["next_year"]) for m in steps for d in m["values"]}
        expected = set()
        single = rows[(rows["denominator"] == denominator) & rows["drawn"] & (rows["year_start"] == rows["year_last"])]
        for (series, _), group in single.groupby(["series", "measure"]):
            years = sorted(group["year_start"])
            expected |= {(series, a, b) for a, b in zip(years, years[1:], strict=False) if b == a + 1}
        assert drawn == expected, denominator
        svg = texts(page.evaluate(SVG_JS, notebook))
        unit = str(rows.loc[rows["denominator"] == denominator, "unit"].iloc[0])
        assert y_title(denominator, unit) in svg
    _reset(page, notebook)  # students: Taiwan's two school series, 2004-2005-2006
    steps = _marks(page, notebook, lambda m: m["type"] == "rule" and m["values"] and "next_year" in m["values"][0])
    assert (
        sorted((d["year_start"], d["next_year"]) for m in steps for d in m["values"])
        == [(2004, 2005)] * 2 + [(2005, 2006)] * 2
    )


@pytest.mark.browser
def test_page_units_convert_as_helpers_units(pages):
    notebook = "04_bioavailability"
    page = pages[notebook]
    rows = view(notebook).rows.set_index("id")
    for unit in CONCENTRATION_UNITS:
        _reset(page, notebook)
        page.evaluate(SET_JS, [notebook, "unit", unit])
        (points,) = _marks(page, notebook, lambda m: m["name"].startswith("concentration_points"))
        assert len(points["values"]) == int(rows["is_concentration"].sum())
        for d in points["values"]:
            row = rows.loc[d["id"]]
            assert d["low_shown"] == pytest.approx(convert_concentration(row["value_low"], row["unit"], unit), rel=1e-9)
            assert d["high_shown"] == pytest.approx(
                convert_concentration(row["value_high"], row["unit"], unit), rel=1e-9
            )
            assert d["converted"].endswith(" " + DISPLAY[unit])
        svg = page.evaluate(SVG_JS, notebook)
        assert f"concentration ({DISPLAY[unit]})" in texts(svg)
        if unit == "uM":
            by_id = {d["id"]: d for d in points["values"]}
            assert by_id["pk-012"]["high_shown"] == pytest.approx(10.937, abs=1e-3)
            assert "uM" not in " ".join(texts(svg))
    (never,) = _marks(
        page, notebook, lambda m: m["type"] == "text" and m["values"] and "status_label" in m["values"][0]
    )
    assert [d["route"] for d in never["values"]] == ["subcutaneous"]


@pytest.mark.browser
def test_page_history_points_do_not_hide_each_other(pages):
    notebook = "06_history"
    page = pages[notebook]
    for topic in ("all", "regulation", "ketamine"):
        for color_by in ("topic", "event_kind", "source_id"):
            _reset(page, notebook)
            page.evaluate(SET_JS, [notebook, "topic", topic])
            page.evaluate(SET_JS, [notebook, "color_by", color_by])
            found = page.evaluate(POSITIONS_JS, notebook)
            (points,) = [v for name, v in found.items() if not name.startswith(core.ROWS_MARK)]
            expected = view(notebook).filter({**view(notebook).validate({}), "topic": topic})
            expected = expected[expected["year_start"].notna()]  # an undated event is listed, not drawn
            assert sorted(p[0] for p in points) == sorted(expected["id"])
            spots = {(round(x), round(y)) for _, x, y in points}
            assert len(spots) == len(points), f"{len(points)} events drawn as {len(spots)} spots ({topic}, {color_by})"


# --- issue 19's defects: numbers, filters and warnings as a reader meets them in Chromium ---------

# A fresh Vega view of the page's own compiled spec, with Vega's warnings on (the page's view logs none):
# what a reader with the console open sees on load, and after each change of the controls.
WARNINGS_JS = """
async ([nb, states]) => {
  const k = window.keViews[nb];
  const out = [];
  const logger = {
    level() { return this; },
    warn(...a) { out.push(a.join(' ')); },
    error(...a) { out.push(a.join(' ')); },
    info() {}, debug() {},
  };
  const el = document.createElement('div');
  document.body.appendChild(el);
  const options = { logger, logLevel: vega.Warn, container: el, renderer: 'svg' };
  const view = new vega.View(vega.parse(k.result.vgSpec), options);
  await view.runAsync();
  const loaded = out.length;
  for (const state of states) {
    for (const [name, value] of Object.entries(state)) view.signal(k.signals[name] || name, value);
    await view.runAsync();
  }
  view.finalize();
  el.remove();
  return { loaded: out.slice(0, loaded), later: out.slice(loaded) };
}
"""


@pytest.mark.browser
def test_page_prevalence_loads_and_redraws_with_no_infinite_extent(pages):
    """03 logged "Infinite extent for field year_start" (and year_last, year_mid, y_mid) on every load: layers
    that drew nothing (no multi-year span, no range) set the scales' domains. Now the axes' domains are the
    data's, written into the spec, and no state of the controls gives the warning."""
    notebook = "03_prevalence"
    the_view = view(notebook)
    states = [
        {"denominator": d, "region": r, "log_scale": log}
        for d in the_view.control("denominator").param.choices
        for r in the_view.control("region").param.choices
        for log in (False, True)
    ]
    logged = pages[notebook].evaluate(WARNINGS_JS, [notebook, states])
    assert logged["loaded"] == [], logged["loaded"]
    assert not [w for w in logged["later"] if "Infinite extent" in w], logged["later"][:5]


def test_prevalence_axes_span_the_drawn_figures():
    """The x and y domains written into 03's spec hold every drawn figure of their denominator and region."""
    from helpers.views.prevalence import axis_domains

    the_view = view("03_prevalence")
    rows = the_view.rows[the_view.rows["drawn"]]
    years, values = axis_domains(the_view.rows, the_view.control("region").param.choices)
    for denominator, group in rows.groupby("denominator"):
        for region in ("all", *group["region"].unique()):
            part = group if region == "all" else group[group["region"] == region]
            key = f"{denominator}|{region}"
            assert years[key][0] <= part["year_start"].min() and years[key][1] >= part["year_last"].max(), key
            low, high = values[f"{key}|linear"]
            assert low <= min(0, part["value_low"].min()) and high >= part["value_high"].max(), key
            log_low, log_high = values[f"{key}|log"]
            assert 10**log_low <= max(part["value_low"].min(), 1e-3) * (1 + 1e-9), key
            assert 10**log_high >= part["value_high"].max() * (1 - 1e-9), key


@pytest.mark.browser
def test_page_concentrations_read_without_exponents(pages):
    """04's tooltip said "2.6e+3 ng/mL" for pk-012's "about 2,600 ng/mL": three significant digits, in plain
    digits with thousands separators, in every unit; the log axis' labels too."""
    notebook = "04_bioavailability"
    page = pages[notebook]
    expected = {"ng/mL": "2,600 ng/mL", "uM": "10.9 µM", "mg/L": "2.6 mg/L", "nM": "10,900 nM"}
    for unit, text in expected.items():
        for log_scale in (True, False):
            _reset(page, notebook)
            page.evaluate(SET_JS, [notebook, "unit", unit])
            page.evaluate(SET_JS, [notebook, "log_scale", log_scale])
            (points,) = _marks(page, notebook, lambda m: m["name"].startswith("concentration_points"))
            by_id = {d["id"]: d["converted"] for d in points["values"]}
            assert by_id["pk-012"] == text, (unit, by_id["pk-012"])
            assert not [c for c in by_id.values() if "e+" in c or "e-" in c], by_id
            labels = texts(page.evaluate(SVG_JS, notebook))
            assert not [t for t in labels if re.search(r"\de[+-]\d", t)], (unit, log_scale, labels)
    _reset(page, notebook)


@pytest.mark.browser
def test_page_bioavailability_chart_follows_the_matrix_filter(pages):
    """ "measured in = CSF" hid the bioavailability rows in the table while the chart still drew all 8 routes:
    the routes drawn (points, and the never-measured label) are View.filter's bioavailability rows."""
    notebook = "04_bioavailability"
    page, the_view = pages[notebook], view(notebook)
    for matrix in the_view.control("matrix").param.choices:
        _reset(page, notebook)
        page.evaluate(SET_JS, [notebook, "matrix", matrix])
        kept = the_view.filter(values_with(notebook, "matrix", matrix))
        expected = sorted(kept.loc[kept["is_bioavailability"], "id"])
        # The routes' points and their "never measured" labels (the rows unit holds no symbol values with a route).
        routes = _marks(
            page,
            notebook,
            lambda m: m["type"] in ("symbol", "text") and not m["name"].startswith(core.ROWS_MARK),
        )
        drawn = sorted(d["id"] for m in routes for d in m["values"] if d.get("is_bioavailability"))
        assert drawn == expected, matrix
        svg = texts(page.evaluate(SVG_JS, notebook))
        assert ("No bioavailability figures match these settings." in svg) == (not expected), matrix
    _reset(page, notebook)


EXTENTS_JS = """
(nb) => {
  const k = window.keViews[nb];
  const out = { width: k.view.width(), marks: [] };
  (function walk(item) {
    if (item.items) item.items.forEach(walk);
    const m = item.mark;
    if (m && item.datum && item.datum.id !== undefined && (m.marktype === 'rule' || m.marktype === 'symbol')
        && !(m.name || '').startsWith('rows')) {
      out.marks.push({ id: item.datum.id, type: m.marktype, x: item.x, x2: item.x2 === undefined ? item.x : item.x2 });
    }
  })(k.view.scenegraph().root);
  return out;
}
"""


@pytest.mark.browser
def test_page_history_axis_holds_every_kept_event_whole(pages):
    """06's axis ran to the "to year" plus a little (2026.5), so mile-044 (2010-2029) ran off the edge and was cut:
    the axis now spans the events kept. Every bar and point of a kept event lies inside the plot."""
    notebook = "06_history"
    page, the_view = pages[notebook], view(notebook)
    windows = [(1950, 2025), (2015, 2020), (-2000, 2030), (1965, 1965), (2000, 2010)]
    for year_from, year_to in windows:
        _reset(page, notebook)
        page.evaluate(SET_JS, [notebook, "year_from", year_from])
        page.evaluate(SET_JS, [notebook, "year_to", year_to])
        found = page.evaluate(EXTENTS_JS, notebook)
        kept = the_view.filter({**the_view.validate({}), "year_from": year_from, "year_to": year_to})
        kept = set(kept.loc[kept["year_start"].notna(), "id"])  # an undated event is listed, not drawn
        assert {m["id"] for m in found["marks"] if m["type"] == "symbol"} == kept, (year_from, year_to)
        for m in found["marks"]:
            low, high = sorted((m["x"], m["x2"]))
            assert -0.5 <= low and high <= found["width"] + 0.5, (year_from, year_to, m, found["width"])
    _reset(page, notebook)
    spans = [m for m in page.evaluate(EXTENTS_JS, notebook)["marks"] if m["id"] == "mile-044" and m["type"] == "rule"]
    assert spans and spans[0]["x2"] - spans[0]["x"] > 20, "the 2010-2029 bar is drawn whole"


@pytest.mark.browser
def test_page_history_says_click_an_event(pages):
    page = pages["06_history"]
    hint = page.inner_text("section[data-notebook='06_history'] .ke-source-hint")
    assert hint == "Click an event in the chart to read its sentence and source here."
    assert "Click an event for its source." in " ".join(texts(page.evaluate(SVG_JS, "06_history")))


def test_timeline_writes_micromolar_as_a_reader_does():
    """02 said "reaches 60-110 uM" (time-049's landmark, in the chart's labels and the table): µM wherever a
    reader sees it; the quote stays verbatim, and 04's unit parameter still takes "uM" as typed."""
    from helpers.data.units import display_units
    from helpers.params import read

    rows = view("02_relapse_timeline").rows.set_index("id")
    assert rows.loc["time-049", "landmark"] == "time at which plasma concentration reaches 60-110 µM"
    shown = rows.drop(columns=["quote", "unit"]).astype(str)
    assert not shown.apply(lambda c: c.str.contains(r"(?<![A-Za-z])uM(?![A-Za-z])", regex=True)).any().any()
    svg = " ".join(texts(vlc.vegalite_to_svg(view("02_relapse_timeline").spec({}))))
    assert "60-110 µM" in svg and "uM" not in svg
    assert display_units("2.8 uM and 60 nM") == "2.8 µM and 60 nM" and display_units("uMol") == "uMol"
    assert read("04_bioavailability", [("unit", "uM")]).values["unit"] == "uM"


@pytest.mark.browser
def test_page_timeline_table_writes_micromolar(pages):
    page = pages["02_relapse_timeline"]
    row = page.text_content("section[data-notebook='02_relapse_timeline'] .ke-table tr[data-id='time-049']")
    assert "60-110 µM" in row and "uM" not in row.replace("μM", "")  # the quote's own μ (Greek mu) stays
