"""The views of 07 (claims check) and 08 (PK simulator, a teaching model, not medical advice).

In Python: the spec's data, params, colour scales and bindings; what the page computes, drawn
by vl-convert (the same Vega) and read back from the SVG; the widget panel and the report
bundle. In Chromium (``-m browser``): the saved page's values against pandas and ``helpers.models.pk``.
"""

from __future__ import annotations

import html
import json
import math
import random
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc
from notebook_runs import NOTEBOOKS, execute, outputs

from helpers.data.dictionary import family_names
from helpers.data.tables import load
from helpers.explore import REPORT_ENV
from helpers.models import claims, pk, simulator
from helpers.params import ALL, ParameterError, spec, validate
from helpers.params import read as read_verdict
from helpers.render.page import VIEW_MIME
from helpers.views import claims_check as claims_views
from helpers.views import core, pk_model, view
from helpers.views import pk_simulator as pk_views
from helpers.views.lazy import alt

CLAIMS, PK = "07_claims_check", "08_pk_simulator"
VALID_ROUTES = ", ".join(pk.SIMULATED_ROUTES)


def contradiction_table() -> pd.DataFrame:
    return load("contradictions").astype(object)


def spec_rows(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def svg_texts(spec: dict) -> list[str]:
    """Every text the chart draws (marks, axes, titles), as vl-convert's Vega renders it."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", vlc.vegalite_to_svg(spec))]


def walk(node, key: str):
    """Every value of ``key`` anywhere in a spec."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, key)


def pk_values(**overrides) -> dict:
    """Notebook 08's values as the notebook checks them (routes canonical, dose rules applied)."""
    return simulator.check(validate(PK, overrides))


def by_route(frame: pd.DataFrame, column: str) -> dict:
    return dict(zip(frame["route"], frame[column], strict=True))


# --- 07: rows, controls, filters -----------------------------------------------------------------


def test_claims_rows_are_every_figure_with_labels_and_groups():
    rows = view(CLAIMS).rows
    figures = claims.figures_by_evidence()
    assert list(rows["id"]) == list(figures["id"]) and len(rows) == sum(len(load(f)) for f in family_names())
    assert set(rows["evidence_group"]) <= set(claims.GROUP_ORDER)
    assert (rows["stack_order"] // 100 == rows["evidence_group"].map(claims.GROUP_ORDER.index)).all()
    assert rows.loc[rows["source_id"] == "003", "source_short"].iloc[0] == claims.source_names()["003"]
    profiles = claims.source_profiles().set_index("source_id")
    assert (rows["source_contradictions"] == rows["source_id"].map(profiles["contradictions"])).all()
    assert {"source_label", "hedge", "quote"} <= set(rows.columns)


def test_claims_controls_filter_figures_and_contradictions():
    v = view(CLAIMS)
    assert v.names == ["family", "source_id", "kind", "strength", "normalize"]
    values = v.validate({})
    assert len(v.filter(values)) == len(v.rows)
    table = contradiction_table()
    direct = v.filter(values, "contradictions")
    assert list(direct["id"]) == list(table.loc[table["strength"] == "direct", "id"]) and len(direct) > 0
    values["strength"] = "all"
    assert len(v.filter(values, "contradictions")) == len(contradiction_table())
    values["family"] = "response_rates"
    assert set(v.filter(values)["family"]) == {"response_rates"} and len(v.filter(values)) == len(
        load("response_rates")
    )
    assert len(v.filter(values, "contradictions")) == len(contradiction_table()), (
        "family does not filter contradictions"
    )
    values["source_id"] = "001"
    assert set(v.filter(values)["source_id"]) == {"001"}
    table = contradiction_table()
    either = table[(table["source_a"] == "001") | (table["source_b"] == "001")]
    assert set(v.filter(values, "contradictions")["id"]) == set(either["id"])
    values["kind"] = "safety"
    assert set(v.filter(values, "contradictions")["id"]) == {"con-014"}
    assert len(v.filter(values)) == 6, "kind does not filter figures"  # resp-011 to -015 and resp-026 (001)
    values["source_id"] = "002"
    assert v.filter(values).empty and v.filter(values, "contradictions")["source_a"].eq("002").all()
    # the same rules as helpers.models.claims.contradictions
    for kind in ("all", "date", "dosing"):
        for source in ("all", "002", "003"):
            kept = v.filter({**values, "kind": kind, "source_id": source}, "contradictions")
            assert list(kept["id"]) == list(claims.contradictions(kind=kind, source_id=source)["id"])


def test_claims_initial_values_go_into_the_spec_and_the_payload():
    v = view(CLAIMS)
    payload = v.payload({"family": "milestones", "kind": "date", "normalize": False})
    params = {p["name"]: p.get("value") for p in payload["spec"]["params"] if "expr" not in p and "select" not in p}
    expected = {"family": "milestones", "source_id": ALL, "kind": "date", "strength": "direct", "normalize": False}
    assert params == expected
    assert set(v.rows.set_index("id").loc[payload["initial_ids"], "family"]) == {"milestones"}
    (extra,) = payload["extras"]
    shown = {extra["rows"][i]["kind"] for i in extra["initial"]}
    assert shown == {"date"} and extra["filters"][0] == {
        "param": "source_id",
        "op": "any_equal",
        "columns": ["source_a", "source_b"],
    }
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        v.payload({"colour": "red"})
    assert v.validate({"normalize": 0.0})["normalize"] is False  # as JupyterChart hands a bool param back
    with pytest.raises(ParameterError, match="'normalize' must be true or false, got float '0.5'"):
        v.validate({"normalize": 0.5})


def test_claims_both_charts_share_one_fixed_group_colour_scale():
    spec = view(CLAIMS).spec()
    assert len(spec["vconcat"]) == 2 and spec["resolve"]["scale"]["color"] == "shared"
    colours = [enc for enc in walk(spec, "color") if isinstance(enc, dict) and "field" in enc]
    assert len(colours) == 2 and {c["field"] for c in colours} == {"evidence_group"}
    for colour in colours:
        assert colour["scale"]["domain"] == list(claims.GROUP_ORDER)
        assert colour["scale"]["range"] == [claims_views.GROUP_COLORS[g] for g in claims.GROUP_ORDER]
    assert len(set(claims_views.GROUP_COLORS.values())) == len(claims.GROUP_ORDER)
    assert set(claims_views.GROUP_COLORS.values()) <= set(core.PALETTE)
    assert {p["name"] for p in spec["params"]} == {
        "family",
        "source_id",
        "kind",
        "strength",
        "normalize",
        core.RULES_OK,
        # a click on a segment of either chart lists its figures
        f"{claims_views.MIX_MARK}_pick",
        f"{claims_views.PROFILE_MARK}_pick",
    }
    names = set(walk(spec, "name"))
    assert {claims_views.MIX_MARK, claims_views.PROFILE_MARK, core.ROWS_MARK} <= names


def test_claims_panel_moves_params_and_never_resends_the_spec():
    from helpers.render.widget import Panel

    v = view(CLAIMS)
    panel = Panel(v, v.validate({}))
    spec = panel.jchart.spec
    count, table = panel._extras["contradictions"]
    direct = contradiction_table()["strength"].eq("direct").sum()
    assert table.value.count("<tr") == direct + 1, "by default only direct contradictions are listed"
    panel.controls["strength"].value = "all"
    assert table.value.count("<tr") == len(contradiction_table()) + 1
    panel.controls["family"].value = "adverse_effects"
    assert panel.jchart.params.family == "adverse_effects" and panel.jchart.spec is spec
    assert "adverse_effects" in panel._table.value and "response_rates" not in panel._table.value
    panel.controls["kind"].value = "mechanism"
    mechanism = contradiction_table()["kind"].eq("mechanism").sum()
    assert table.value.count("<tr") == mechanism + 1 and "con-029" in table.value and "con-001" not in table.value
    assert re.search(rf"<b>{mechanism}</b> of \d+ contradictions match", count.value)
    # JupyterChart keeps a bool param in a Float traitlet; the view reads it back as the bool
    panel.controls["normalize"].value = False
    assert panel.jchart.params.normalize == 0.0 and panel.values["normalize"] is False and panel.jchart.spec is spec


def test_claims_report_mode_shows_the_view_bundle(monkeypatch):
    import helpers.explore as explore

    shown = []
    monkeypatch.setenv(REPORT_ENV, "1")
    monkeypatch.setattr(explore, "display", lambda obj, **kw: shown.append(obj))
    explore.explore_claims({"kind": "dosing", "strength": "all"})
    (bundle,) = shown
    (extra,) = bundle[VIEW_MIME]["extras"]
    ids = {extra["rows"][i]["id"] for i in extra["initial"]}
    assert {"con-027", "con-028"} <= ids and "con-001" not in ids


def claims_cases():
    for control in view(CLAIMS).controls:
        for value in control.param.choices or (True, False):
            yield {control.name: value}
    yield {"family": "response_rates", "source_id": "002"}
    yield {"family": "milestones", "source_id": "003", "normalize": False}


CLAIMS_CASES = list(claims_cases())


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@pytest.mark.parametrize("values", CLAIMS_CASES, ids=[json.dumps(c) for c in CLAIMS_CASES])
def test_claims_page_totals_follow_every_option(values):
    """vl-convert runs the page's transforms: each bar's label counts the figures pandas keeps."""
    v = view(CLAIMS)
    values = v.validate(values)
    spec = v.spec(values)
    assert spec["description"] and walk(spec, "title")
    texts = svg_texts(spec)
    kept = v.filter(values)
    families = kept["family"].value_counts()
    assert sorted(t for t in texts if re.fullmatch(r"\d+ figures", t)) == sorted(f"{n} figures" for n in families)
    # Each source's bar counts the contradictions of the kind and strength chosen with it on either side.
    pairs = v.filter(values, "contradictions")
    kind, strength = values["kind"], values["strength"]
    words = (
        "any kind or strength"
        if kind == strength == "all"
        else ("" if kind == "all" else f"{kind}, ") + ("any strength" if strength == "all" else strength)
    )
    expected = [
        f"{plural(n, 'figure')} · {plural(c, 'contradiction')} ({words})"
        for sid in claims.source_profiles()["source_id"]
        if (n := int((kept["source_id"] == sid).sum()))
        for c in [int(((pairs["source_a"] == sid) | (pairs["source_b"] == sid)).sum())]
    ]
    assert sorted(t for t in texts if " contradiction" in t and " · " in t) == sorted(expected)
    measure = "share of the figures" if values["normalize"] else "number of figures"
    assert f"What the figures rest on, by family ({measure})" in " ".join(texts)
    assert ("No figures match the current filters." in " ".join(texts)) == kept.empty


def test_claims_description_names_the_source_with_most_unattributed_claims():
    description = view(CLAIMS).spec()["description"]
    assert "Highest share of unattributed claims: 004" in description


# --- 08: rules and model glue ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("routes", "bad"),
    [("IV,nasal", "'nasal'"), ("oral;IV", "'oral;IV'"), ("", "at least one of"), (" , ", "at least one of")],
)
def test_invalid_routes_name_the_parameter_and_list_valid_routes(routes, bad):
    with pytest.raises(ParameterError) as err:
        pk_values(routes=routes)
    message = str(err.value)
    assert "'routes'" in message and bad in message and VALID_ROUTES in message


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
        pk_values(**overrides)
    with pytest.raises(ParameterError, match=name):
        simulator.check(view(PK).validate(overrides))


def test_routes_are_canonical_and_a_dose_in_mg_is_not_capped_per_kg():
    assert pk_values(routes="rectal , im")["routes"] == "IM,rectal"  # the model's order: links stay stable
    assert simulator.dose_mg(pk_values(dose=25, dose_unit="mg")) == 25.0  # an int, as papermill's -p passes it


def test_glue_follows_each_control():
    """What the old explorer's controls did to the curves and read-outs, through the model glue."""
    base = pk_values()
    readouts = simulator.compute_readouts(base)
    assert list(readouts["route"]) == ["IV", "intranasal", "oral"]
    more = pk_values(routes="IV,IM,intranasal,oral")
    assert set(simulator.simulate_curves(more)["route"]) == {"IV", "IM", "intranasal", "oral"}
    doubled = simulator.compute_readouts(pk_values(dose=1.0))
    for route, cmax in by_route(readouts, "cmax_ng_ml").items():
        assert by_route(doubled, "cmax_ng_ml")[route] == pytest.approx(2 * cmax, rel=1e-12)
    one, two = simulator.simulate_curves(base), simulator.simulate_curves(pk_values(model="two"))
    iv = one["route"] == "IV"
    assert not one.loc[iv, "conc_ng_ml"].equals(two.loc[iv, "conc_ng_ml"])
    assert one.loc[~iv, "conc_ng_ml"].equals(two.loc[~iv, "conc_ng_ml"])
    models = by_route(simulator.compute_readouts(pk_values(model="two")), "model")
    assert models == {"IV": "two-compartment", "intranasal": "one-compartment", "oral": "one-compartment"}
    bolus = simulator.compute_readouts(pk_values(infusion_min=0.0)).set_index("route").loc["IV"]
    assert bolus.tmax_h == 0.0 and bolus.delivery == "IV bolus"
    assert bolus.cmax_ng_ml == pytest.approx(35.0 / (3.6 * 70) * 1000)  # D/V in ng/mL
    assert bolus.cmax_ng_ml > by_route(readouts, "cmax_ng_ml")["IV"]
    above = by_route(readouts, "hours_above_threshold")["IV"]
    assert by_route(simulator.compute_readouts(pk_values(threshold_ng_ml=70.0)), "hours_above_threshold")["IV"] > above
    heavy = simulator.compute_readouts(pk_values(dose=35.0, dose_unit="mg", weight_kg=140.0))
    assert by_route(heavy, "cmax_ng_ml")["IV"] == pytest.approx(by_route(readouts, "cmax_ng_ml")["IV"] / 2)
    assert simulator.simulate_curves(pk_values(hours=24.0))["time_h"].max() == pytest.approx(24.0)


def test_curves_are_tidy_and_keep_every_peak():
    values = pk_values(routes=",".join(pk.SIMULATED_ROUTES), hours=48.0)
    curves, readouts = simulator.simulate_curves(values), simulator.compute_readouts(values)
    assert list(curves.columns) == simulator.CURVE_COLUMNS
    assert curves.groupby("route").size().max() <= simulator.CHART_POINTS + 4
    assert (curves["conc_low"] <= curves["conc_ng_ml"] + 1e-9).all()
    assert (curves["conc_ng_ml"] <= curves["conc_high"] + 1e-9).all()
    assert by_route(readouts, "cmax_ng_ml") == pytest.approx(curves.groupby("route")["conc_ng_ml"].max().to_dict())
    oral = readouts.set_index("route").loc["oral"]
    assert (oral.bioavailability_low_pct, oral.bioavailability_high_pct) == pytest.approx((16.0, 20.0))


def test_readouts_match_the_pk_module():
    row = simulator.compute_readouts(pk_values()).set_index("route").loc["intranasal"]
    result = pk.simulate("intranasal", 35.0, 70.0, hours=12.0)
    assert (row.cmax_ng_ml, row.tmax_h) == pytest.approx(pk.cmax_tmax(result))
    assert row.hours_above_threshold == pytest.approx(pk.time_above(result, 100.0))


@pytest.mark.parametrize("model", pk.MODELS)
def test_default_iv_infusion_peaks_inside_the_documented_antidepressant_range(model):
    readouts = simulator.compute_readouts(pk_values(routes="IV", model=model))  # 0.5 mg/kg over 40 min, 70 kg
    cmax = readouts["cmax_ng_ml"].iloc[0]
    peak = simulator.landmark_rows().set_index("landmark").loc["antidepressant peak"]
    assert 70.0 <= cmax <= 200.0 and peak.value_low <= cmax <= peak.value_high
    assert readouts["tmax_h"].iloc[0] == pytest.approx(40 / 60)


def test_notebook_answers_quote_the_models_numbers():
    nb = nbformat.read(NOTEBOOKS / f"{PK}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    cmax = {
        key: simulator.compute_readouts(pk_values(**over))["cmax_ng_ml"].iloc[0]
        for key, over in {
            "one": {"routes": "IV"},
            "two": {"routes": "IV", "model": "two"},
            "oral": {"routes": "oral"},
            "bolus one": {"routes": "IV", "infusion_min": 0.0},
            "bolus two": {"routes": "IV", "infusion_min": 0.0, "model": "two"},
        }.items()
    }
    for value in cmax.values():
        assert f"**{value:.0f} ng/mL**" in text


# --- 08: the view's spec ------------------------------------------------------------------------------


def test_the_page_finds_the_grid_peak_of_a_curve_whose_tmax_falls_between_minutes():
    """The data's Tmax are whole minutes, so the page's peak is always the nearest sample there; a table with
    another Tmax must still get ``numpy.argmax``'s sample (one beside the nearest, when the curve says so)."""
    k = pk.elimination_rate_per_h()
    base = pk_model.route_records()[1]  # an absorbed route: its constants, with other Tmax and their ka
    tmax = (7.3, 17.499, 17.6, 33.49, 59.5, 90.4999)  # x.499: the curve falls slower than it rises
    records = [{**base, "rank": n, "tmax_min": m, "ka": pk.ka_from_tmax(m / 60, k)} for n, m in enumerate(tmax)]
    samples = 12 * 60 + 1
    chart = (
        pk_model.with_peak(pk_model.with_shape_constants(alt.Chart(alt.Data(values=records))))
        .transform_calculate(label="datum.tmax_min + ':' + datum.peak")
        .mark_text()
        .encode(y="rank:O", text="label:N")
        .add_params(
            alt.param(name="infusion_min", value=0),
            alt.param(name="model", value="one"),
            alt.param(name=pk_model.SAMPLES, value=samples),
        )
    )
    got = dict(t.split(":") for t in svg_texts(chart.to_dict()) if ":" in t)
    t = np.arange(samples) / 60
    for r in records:  # numpy's grid maximum of the same Bateman curve (the dose and F only scale it)
        curve = r["ka"] / (r["ka"] - k) * (np.exp(-k * t) - np.exp(-r["ka"] * t))
        assert int(got[f"{r['tmax_min']:g}"]) == int(np.argmax(curve)), (r["tmax_min"], got)
    nearest = {m: math.floor(m + 0.5) for m in tmax}  # as the page rounds
    assert {int(got[f"{m:g}"]) - nearest[m] for m in tmax} == {0, 1}, "the grid's peak is the nearest sample or next"


def test_route_table_reads_every_number_from_helpers_pk():
    table = pk_model.route_table().set_index("route")
    assert list(table.index) == list(pk.SIMULATED_ROUTES)
    for route in pk.SIMULATED_ROUTES:
        assert tuple(table.loc[route, ["f_low", "f_central", "f_high"]]) == pk.bioavailability(route)
        if route != "IV":
            assert table.loc[route, "ka"] == pk.absorption_rate_per_h(route)
            assert table.loc[route, "tmax_min"] == pk.tmax_h(route) * 60
    two = pk.two_compartment_constants()
    assert (table["k"] == pk.elimination_rate_per_h()).all() and (table["alpha"] == two["alpha_per_h"]).all()
    assert (table["v_l_per_kg"] == pk.load_parameters()["V_L_per_kg"]).all() and (table["b"] == two["B"]).all()
    (lookup,) = [t["from"] for t in walk(view(PK).spec(), "transform") for t in t if "lookup" in t][:1]
    shipped = lookup["data"]["values"]
    assert {r["route"]: r["ka"] for r in shipped if r["ka"]} == {
        r: pk.absorption_rate_per_h(r) for r in pk.EXTRAVASCULAR_ROUTES
    }, "the spec carries the exact floats"


def test_pk_controls_are_params_with_usable_inputs():
    v = view(PK)
    declared = spec(PK)
    assert v.names == declared.names
    assert v.control("routes").options == pk.SIMULATED_ROUTES
    (rule,) = v.control("routes").filters
    assert (rule.op, rule.columns, rule.target) == ("one_of", ("route",), pk_views.CURVES)
    table = pk_model.route_table()
    assert list(table[rule.mask(table, "oral, iv")]["route"]) == ["IV", "oral"]
    bound = {p["name"]: p.get("bind") for p in v.spec(bind=True)["params"] if "value" in p}
    # A number box takes no bounds in Vega-Lite's schema: the page sets them from the declaration.
    assert bound["dose"]["input"] == "number" and set(bound["dose"]) == {"input", "name"}
    for name in ("weight_kg", "infusion_min", "hours", "threshold_ng_ml"):
        p = declared.param(name)
        assert (bound[name]["min"], bound[name]["max"], bound[name]["step"]) == (p.minimum, p.maximum, p.step)
        assert (p.default - p.minimum) % p.step == 0, f"{name}: the default sits on the slider's grid"
    assert bound["routes"]["input"] == "text" and bound["model"]["input"] == "radio"
    assert "medical advice" in " ".join(v.page_notes)


@pytest.mark.parametrize("model", pk.MODELS)
@pytest.mark.parametrize("route", pk.SIMULATED_ROUTES)
def test_spec_is_valid_and_says_teaching_model_for_every_route_and_model(route, model):
    values = {"routes": route, "model": model, "infusion_min": 0.0 if model == "two" else 40.0}
    spec = view(PK).spec(values)
    title = spec["title"]  # the whole view's (curves and read-outs)
    assert title["text"] == "Simulated plasma ketamine concentration by route"
    assert title["subtitle"][0] == "Teaching model — educational use only, not medical advice"
    assert "not medical advice" in spec["description"]
    for channel, definition in ((c, d) for enc in walk(spec, "encoding") for c, d in enc.items()):
        if isinstance(definition, dict) and "field" in definition and channel not in ("x2", "y2"):
            assert "type" in definition, f"untyped {channel}: {definition}"
    texts = svg_texts(spec)
    labels = [t for t in texts if " · " in t or t.startswith("IV ")]
    assert len([t for t in labels if t.split(" ")[0] in pk.SIMULATED_ROUTES]) == 1, labels
    expected = simulator.compute_readouts(pk_values(**values)).iloc[0]
    assert f"{expected.cmax_ng_ml:.0f}" in texts and f"{expected.tmax_h * 60:.0f} min" in texts
    assert f"{expected.hours_above_threshold:.2f}" in texts


def test_threshold_is_a_dashed_rule_and_documented_bands_are_drawn():
    spec = view(PK).spec({"threshold_ng_ml": 160.0, "routes": ",".join(pk.SIMULATED_ROUTES)})
    assert {p["name"]: p.get("value") for p in spec["params"]}["threshold_ng_ml"] == 160.0
    marks = {m["type"] if isinstance(m, dict) else m for m in walk(spec, "mark")}
    assert {"rect", "text", "area", "line", "rule"} <= marks
    rules = [m for m in walk(spec, "mark") if isinstance(m, dict) and m["type"] == "rule"]
    assert rules and rules[0]["strokeDash"]
    texts = svg_texts(spec)
    assert "threshold 160 ng/mL" in texts and "hours ≥ 160 ng/mL" in texts
    assert any(t.startswith("antidepressant peak 70–200 ng/mL") for t in texts)


def test_dose_and_routes_the_notebook_rejects_draw_nothing_and_say_why():
    assert any(
        "dose must be greater than 0 and at most 20 mg/kg" in t for t in svg_texts(view(PK).spec({"dose": 25.0}))
    )
    assert any("routes must name at least one of" in t for t in svg_texts(view(PK).spec({"routes": "nasal"})))
    assert not any("Nothing drawn" in t for t in svg_texts(view(PK).spec({"dose": 25.0, "dose_unit": "mg"})))


def test_landmark_bands_are_the_rows_and_follow_the_table():
    from helpers.data.prepared import prepared

    v = view(PK)
    marks = v.rows.set_index("landmark")
    assert dict(marks["id"]) == {"antidepressant peak": "pk-008", "dissociation": "pk-007", "side effects": "pk-009"}
    bands = {r["landmark"]: (r["value_low"], r["value_high"]) for r in spec_rows(v.spec()) if "landmark" in r}
    assert bands == {"antidepressant peak": (70, 200), "dissociation": (100, 250), "side effects": (70, 160)}
    assert "70 to 200 ng/mL" in marks.loc["antidepressant peak", "quote"]
    assert v.payload({})["initial_ids"] == list(v.rows["id"])
    table = prepared("pharmacokinetics").copy()
    table.loc[table["id"] == "pk-008", "value_high"] = 210.0
    moved = core.View(PK, v.title, simulator.landmark_rows(table), v.controls, pk_views.pk_chart)
    assert "antidepressant peak 70-210 ng/mL (pk-008)" in moved.spec()["description"]
    with pytest.raises(ValueError, match="dissociation"):
        simulator.landmark_rows(table[table["id"] != "pk-007"])


def test_pk_panel_moves_params_and_never_resends_the_spec():
    from helpers.render.widget import Panel

    v = view(PK)
    panel = Panel(v, v.validate({}))
    spec = panel.jchart.spec
    panel.controls["dose"].value = 1.0
    panel.controls["routes"].value = ("IV", "oral")
    assert (panel.jchart.params.dose, panel.jchart.params.routes) == (1.0, "IV,oral") and panel.jchart.spec is spec
    assert "251" in svg_texts(v.spec({"dose": 1.0}))  # the IV peak at 1 mg/kg, computed by the page's Vega


def test_pk_report_mode_shows_the_view_bundle(monkeypatch):
    import helpers.explore as explore

    shown = []
    monkeypatch.setenv(REPORT_ENV, "1")
    monkeypatch.setattr(explore, "display", lambda obj, **kw: shown.append(obj))
    explore.explore_pk_simulator({"routes": "IV,oral"})
    payload = shown[0][VIEW_MIME]
    assert {p["name"]: p.get("value") for p in payload["spec"]["params"]}["routes"] == "IV,oral"
    assert "pk-008" in payload["initial_ids"] and payload["params"] == spec(PK).to_json()


# --- notebooks in report mode (papermill) ---------------------------------------------------------


@pytest.mark.notebooks
def test_claims_notebook_report_run_shows_the_view_with_its_parameters(tmp_path):
    params = {"family": "response_rates", "source_id": "003", "kind": "safety", "normalize": False}
    nb = execute(CLAIMS, tmp_path, params, report=True)
    (payload,) = outputs(nb, VIEW_MIME)
    payload = payload if isinstance(payload, dict) else json.loads(payload)
    assert payload["values"] == {**params, "strength": "direct"}, "the defaults fill in what a run leaves out"
    assert {r["family"] for r in payload["rows"] if r["id"] in payload["initial_ids"]} == {"response_rates"}
    (extra,) = payload["extras"]
    shown = {extra["rows"][i]["id"] for i in extra["initial"]}
    kept = claims.contradictions(kind="safety", source_id="003", strength="direct")
    assert shown == set(kept["id"])


@pytest.mark.notebooks
def test_pk_notebook_report_run_shows_the_view_with_its_parameters(tmp_path):
    nb = execute(PK, tmp_path, {"routes": "oral", "dose": 50, "dose_unit": "mg"}, report=True)
    (payload,) = outputs(nb, VIEW_MIME)
    payload = payload if isinstance(payload, dict) else json.loads(payload)
    assert (payload["values"]["routes"], payload["values"]["dose"], payload["values"]["dose_unit"]) == (
        "oral",
        50.0,
        "mg",
    )
    expected = pk.cmax_tmax(pk.simulate("oral", 50.0, 70.0, hours=12.0))[0]
    assert f"{expected:.0f}" in svg_texts(payload["spec"]) and "dose 50 mg for 70 kg" in " ".join(
        svg_texts(payload["spec"])
    )


# --- the saved page in Chromium --------------------------------------------------------------------

# Sets the view's signals, runs the dataflow, lets the page script follow, and reads back the rows
# unit, named units (by their mark name in the compiled Vega; a line's data sits on its path group)
# and the visible rows of the tables beside the chart.
READ_JS = """
async ([nb, values, units]) => {
  const kv = window.keViews[nb];
  for (const [name, value] of Object.entries(values)) kv.view.signal(name, value);
  // A prerun makes runAsync yield before the pulse, so the page's own listeners chain their
  // runAsync after it instead of logging "Dataflow already running"; the second call waits for them.
  await kv.view.runAsync(null, () => null);
  await kv.view.runAsync();
  kv.update();
  function find(node, name) {
    for (const mark of node.marks || []) {
      if (mark.name === name + "_pathgroup" && mark.from && mark.from.facet) return mark.from.facet.data;
      if (mark.name === name + "_marks" && mark.from && mark.from.data) return mark.from.data;
      const inner = find(mark, name);
      if (inner) return inner;
    }
    return null;
  }
  const section = document.querySelector('section[data-notebook="' + nb + '"]');
  const out = {
    rows: kv.rowsData ? kv.view.data(kv.rowsData).map((d) => d.id) : null,
    count: section.querySelector(".ke-count").textContent,
    extra: Array.from(section.querySelectorAll(".ke-extra tr[data-row]")).filter((tr) => !tr.hidden)
      .map((tr) => tr.cells[0].textContent),
  };
  for (const unit of units) {
    const data = find(kv.result.vgSpec, unit);
    out[unit] = data ? kv.view.data(data).map((d) => JSON.parse(JSON.stringify(d))) : null;
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Both views in one saved page each, opened from file in Chromium with the network closed."""
    import browser_support as bs

    with bs.chromium() as browser, bs.view_pages(browser, tmp_path_factory.mktemp("views"), (CLAIMS, PK)) as found:
        yield found


def read(page, notebook: str, values: dict, units: tuple[str, ...]) -> dict:
    return page.evaluate(READ_JS, [notebook, values, list(units)])


def pk_grid(size: int = 24) -> list[dict]:
    """Deterministic combinations of routes, dose and unit, weight, infusion, hours, threshold, model."""
    rng = random.Random(8)
    factors = {
        "routes": ("IV,intranasal,oral", "IV", "IM,sublingual,rectal", "IV,oral", ",".join(pk.SIMULATED_ROUTES)),
        "dose": ((0.5, "mg/kg"), (2.0, "mg/kg"), (10.0, "mg/kg"), (35.0, "mg"), (200.0, "mg")),
        "weight_kg": (45.0, 70.0, 120.0),
        "infusion_min": (0.0, 15.0, 40.0, 100.0),
        "hours": (1.0, 6.0, 12.0, 48.0),
        "threshold_ng_ml": (20.0, 100.0, 250.0),
        "model": ("one", "two"),
    }
    # and one whose IV bolus stays above the threshold from the first sample to the last (no crossing)
    cases = [
        validate(PK),
        validate(PK, {"routes": "IV", "dose": 10.0, "infusion_min": 0.0, "hours": 1.0, "threshold_ng_ml": 20.0}),
    ]
    for i in range(size):
        pick = {name: options[(i + rng.randrange(len(options))) % len(options)] for name, options in factors.items()}
        dose, unit = pick.pop("dose")
        cases.append(validate(PK, {**pick, "dose": dose, "dose_unit": unit}))
    for name, options in factors.items():  # the grid touches every option of every factor
        seen = {(c["dose"], c["dose_unit"]) if name == "dose" else c[name] for c in cases}
        assert set(options) <= seen, (name, set(options) - seen)
    return cases


def relative_error(page_value: float, model_value: float) -> float:
    if model_value == 0:
        return 0.0 if abs(page_value) < 1e-12 else float("inf")
    return abs(page_value - model_value) / abs(model_value)


PARITY: dict[str, float] = {}


@pytest.mark.browser
def test_pk_page_curves_and_readouts_equal_helpers_pk_on_a_grid(pages):
    opened, _guard = pages
    page = opened[PK]
    worst = {"curves": 0.0, "readouts": 0.0}
    samples = 0
    crossings = set()  # the page finds the hours above from the crossings: the grid must meet each case
    for values in pk_grid():
        got = read(page, PK, values, (pk_views.CURVE_MARK, pk_views.READOUT_MARK))
        checked = simulator.check(values)
        bands = dict(simulator.simulate_bands(checked))
        curves = pd.DataFrame(got[pk_views.CURVE_MARK])
        assert set(curves["route"]) == set(simulator.parse_routes(values["routes"])), values
        for route, rows in curves.groupby("route"):
            rows = rows.sort_values("i")  # a filter that lets rows back in may append them
            band = bands[route]
            index = rows["i"].astype(int).to_numpy()
            assert index[0] == 0 and index[-1] == len(band.time_h) - 1, "first and last samples are drawn"
            thinned = simulator._chart_samples(band, pk_views.DRAWN_POINTS)  # the Python side's thinning
            assert list(index) == list(thinned), (route, values, sorted(set(index) ^ set(thinned))[:10])
            assert abs(rows["t"].to_numpy() - band.time_h[index]).max() < 1e-9
            for field, curve in (("c_low", band.low), ("c", band.central), ("c_high", band.high)):
                errors = [relative_error(a, b) for a, b in zip(rows[field], curve.conc_ng_ml[index], strict=True)]
                worst["curves"] = max(worst["curves"], *errors)
                samples += len(errors)
            assert rows["c"].max() == pytest.approx(pk.cmax_tmax(band.central)[0], rel=1e-9), "the peak is drawn"
        readouts = pd.DataFrame(got[pk_views.READOUT_MARK]).drop_duplicates("route").set_index("route")
        expected = simulator.compute_readouts(checked, list(bands.items())).set_index("route")
        assert list(readouts.sort_values("rank").index) == [r for r in pk.SIMULATED_ROUTES if r in expected.index]
        for page_field, model_field in (
            ("cmax", "cmax_ng_ml"),
            ("tmax_h", "tmax_h"),
            ("hours_above", "hours_above_threshold"),
            ("cmax_low", "cmax_low_ng_ml"),
            ("cmax_high", "cmax_high_ng_ml"),
        ):
            for route in expected.index:
                error = relative_error(readouts.loc[route, page_field], expected.loc[route, model_field])
                worst["readouts"] = max(worst["readouts"], error)
        last = round(values["hours"] * 60)
        for row in readouts.itertuples():
            if row.hours_above == 0:
                crossings.add("never above")
            else:
                crossings.add(
                    ("above from the start" if row.rise == 0 else "rises through")
                    + " and "
                    + ("above at the end" if row.fall == last else "falls through")
                )
    assert crossings == {
        "never above",
        "above from the start and falls through",
        "rises through and falls through",
        "rises through and above at the end",
        "above from the start and above at the end",
    }, crossings
    PARITY.update(worst)
    print(f"\n08 parity over {len(pk_grid())} input sets, {samples} curve values: max relative error {worst}")
    assert worst["curves"] < 1e-3 and worst["readouts"] < 1e-3, worst


# Moves one signal as a control would, reads what the view draws before the page's check answers,
# then waits for the page to settle.
REFUSED_JS = """
async ([nb, name, value, units]) => {
  const kv = window.keViews[nb];
  function find(node, unit) {
    for (const mark of node.marks || []) {
      if (mark.name === unit + "_pathgroup" && mark.from && mark.from.facet) return mark.from.facet.data;
      if (mark.name === unit + "_marks" && mark.from && mark.from.data) return mark.from.data;
      const inner = find(mark, unit);
      if (inner) return inner;
    }
    return null;
  }
  kv.view.signal(name, value);
  await kv.view.runAsync();
  const drawn = units.map((u) => kv.view.data(find(kv.result.vgSpec, u)).length);
  const during = {ok: kv.view.signal("params_ok"), drawn};
  await kv.settled();
  const section = document.querySelector('section[data-notebook="' + nb + '"]');
  return {during, after: kv.view.signal(name), values: kv.values(),
          note: Array.from(section.querySelectorAll(".ke-notes li")).map((li) => li.textContent)};
}
"""


@pytest.mark.browser
def test_pk_page_refuses_a_dose_past_the_limit_and_never_draws_it(pages):
    opened, _guard = pages
    page = opened[PK]
    read(page, PK, validate(PK), ())
    units = [pk_views.CURVE_MARK, pk_views.READOUT_MARK]
    got = page.evaluate(REFUSED_JS, [PK, "dose", 25.0, units])
    assert got["during"] == {"ok": False, "drawn": [0, 0]}, "a refused dose is never drawn"
    assert got["after"] == 0.5 and got["values"] == validate(PK), "the dose goes back to the one used"
    assert got["note"] == [read_verdict(PK, [("dose", "25")]).problems[0]]
    # Text, as a number box gives it: parsed with the declared grammar, then used as a number.
    page.evaluate(REFUSED_JS, [PK, "dose_unit", "mg", []])
    got = page.evaluate(REFUSED_JS, [PK, "dose", "35", units])
    assert got["after"] == 35 and got["values"]["dose"] == 35 and got["note"] == []
    drawn = read(page, PK, {}, (pk_views.READOUT_MARK,))
    iv = next(r for r in drawn[pk_views.READOUT_MARK] if r["route"] == "IV")
    assert iv["cmax"] == pytest.approx(
        simulator.compute_readouts(pk_values(dose=35.0, dose_unit="mg"))["cmax_ng_ml"][0]
    )
    read(page, PK, validate(PK), ())


@pytest.mark.browser
def test_claims_page_rows_bars_and_contradictions_equal_pandas_for_every_option(pages):
    opened, _guard = pages
    v = view(CLAIMS)
    units = (claims_views.MIX_MARK, claims_views.PROFILE_MARK)
    for case in CLAIMS_CASES:
        values = v.validate(case)
        got = read(opened[CLAIMS], CLAIMS, values, units)
        kept = v.filter(values)
        assert sorted(got["rows"]) == sorted(kept["id"]), case
        assert got["count"].startswith(f"{len(kept)} of {len(v.rows)} figures match"), (case, got["count"])
        assert got["extra"] == list(v.filter(values, "contradictions")["id"]), case
        for unit, by in zip(units, ("family", "source_short"), strict=True):
            counts = kept.groupby([by, "evidence_kind"]).size()
            shares = counts / counts.groupby(level=0).transform("sum")
            bars = {(r[by], r["evidence_kind"]): r for r in got[unit]}
            assert set(bars) == set(counts.index), (case, unit)
            for key, n in counts.items():
                bar = bars[key]
                assert bar["figures"] == n and bar["share"] == pytest.approx(shares[key], rel=1e-12)
                assert bar["x_value"] == pytest.approx(shares[key] if values["normalize"] else n, rel=1e-12)
                assert bar["evidence_group"] == claims.group_of(key[1])


PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.parametrize(
    ("values", "viewport"),
    [({}, None), ({"dose": 10.0}, None), ({"dose": 20.0}, None), ({}, PHONE), ({"dose": 20.0}, PHONE)],
    ids=["default", "high peak", "highest peak", "phone", "phone highest peak"],
)
def test_pk_page_a_click_on_each_documented_range_shows_its_sentence(pages, values, viewport):
    """The ranges overlap (pk-009 inside pk-008): each has its own bar, and a click on the middle of that bar
    shows that range, never the one drawn over it; the shading under the curves names none. At the highest
    peak the curves cross the lanes: the bars are drawn over them, so a click still reaches each range.
    On a phone the page narrows the plot to its box: the lanes follow the plot's right edge (they were
    placed at the design width's, off the page)."""
    opened, _guard = pages
    page = opened[PK]
    before = page.viewport_size
    try:
        if viewport:
            page.set_viewport_size(viewport)
        read(page, PK, validate(PK, values), ())
        page.evaluate("(nb) => (window.keViews[nb].fitted || window.keViews[nb].settled)()", PK)
        click_each_range(page)
    finally:
        page.set_viewport_size(before)
        page.evaluate("(nb) => (window.keViews[nb].fitted || window.keViews[nb].settled)()", PK)


def click_each_range(page) -> None:
    section = f'section[data-notebook="{PK}"]'
    # On a phone the controls stack above the chart: the curves' panel is scrolled into the window first.
    page.evaluate(
        "(s) => document.querySelector(s + ' .ke-chart g.mark-line path').scrollIntoView({block: 'center'})", section
    )
    # The plot's right edge on the page: every range's bar lies inside it, left of it by its lane.
    plot_right = page.evaluate(
        """(s) => Math.max(...Array.from(document.querySelectorAll(s + ' .ke-chart g.mark-line path'))
          .map((p) => p.closest('g.mark-group').querySelector('path.background').getBoundingClientRect().right))""",
        section,
    )
    # The range bars: the rects of the curves' panel narrower than a lane (the shading spans the plot).
    boxes = page.evaluate(
        """(s) => Array.from(document.querySelectorAll(s + ' .ke-chart g.mark-rect path'))
          .map((p) => p.getBoundingClientRect()).filter((b) => b.width > 0 && b.width < 12)
          .map((b) => ({x: b.left + b.width / 2, y: b.top + b.height / 2}))""",
        section,
    )
    rows = view(PK).rows.set_index("id")
    assert len(boxes) == len(rows) == 3
    width = page.viewport_size["width"]
    assert all(plot_right - 3 * pk_views.LANE_PX <= b["x"] <= plot_right <= width for b in boxes), (boxes, plot_right)
    panel = page.locator(f"{section} .ke-source .ke-source-title")
    seen = set()
    for box in boxes:
        page.evaluate("(s) => { document.querySelector(s + ' .ke-source').textContent = ''; }", section)
        page.mouse.click(box["x"], box["y"])
        title = bs_poll(lambda: panel.inner_text() if panel.count() else "", page)  # noqa: B023 - read at once
        row_id = title.removeprefix("Source of ")
        assert row_id in rows.index, f"a click at {box} selected no range (source panel: {title!r})"
        assert rows.loc[row_id, "quote"] in page.inner_text(f"{section} .ke-source")
        seen.add(row_id)
    assert seen == set(rows.index), "every documented range can be clicked"


def bs_poll(read_text, page, timeout_ms: int = 5000) -> str:
    waited = 0
    last = ""
    while waited < timeout_ms:
        text = read_text()
        if text and text != last and text.startswith("Source of "):
            return text
        page.wait_for_timeout(50)
        waited += 50
    return read_text()


@pytest.mark.browser
def test_pk_page_band_labels_never_overlap(pages):
    opened, _guard = pages
    page = opened[PK]
    for values in ({}, {"dose": 10.0}, {"dose": 20.0, "hours": 1.0}):
        read(page, PK, validate(PK, values), ())
        boxes = page.evaluate(
            """(pk) => Array.from(document.querySelectorAll(`section[data-notebook="${pk}"] .ke-chart text`))
              .filter((t) => /\\(pk-00\\d\\)$/.test(t.textContent)).map((t) => {
                const b = t.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })""",
            PK,
        )
        assert len(boxes) == 3, boxes
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
                assert not overlap, (values, boxes)


@pytest.mark.browser
def test_pk_page_follows_its_bound_inputs(pages):
    """A reader types a dose and a route list into the saved page: the read-outs follow (text inputs give text)."""
    opened, _guard = pages
    page = opened[PK]
    read(page, PK, validate(PK), ())
    controls = f'section[data-notebook="{PK}"] .ke-controls'
    page.locator(f'{controls} input[name="dose"]').fill("1")
    page.locator(f'{controls} input[name="routes"]').fill("oral, iv")
    expected = simulator.compute_readouts(pk_values(dose=1.0, routes="oral,IV")).set_index("route")["cmax_ng_ml"]

    def shown():
        rows = read(page, PK, {}, (pk_views.READOUT_MARK,))[pk_views.READOUT_MARK]
        return {r["route"]: r["cmax"] for r in rows}

    page.wait_for_function(f"window.keViews[{PK!r}].view.signal('routes') === 'IV,oral'")  # canonical
    assert shown() == pytest.approx(expected.to_dict(), rel=1e-9)
    assert "dose 1 mg/kg × 70 kg = 70 mg" in page.inner_text(f'section[data-notebook="{PK}"] .ke-chart')


# --- issue 19: 07's contradiction controls act on the chart, and its bars can be clicked ------------

BAR_CENTRES_JS = """
([nb, unit]) => {
  const out = [];
  (function walk(item) {
    if (item.items) item.items.forEach(walk);
    if (item.mark && item.mark.name === unit + '_marks' && item.datum && item.width > 4) {
      const b = item.bounds;
      out.push({ opacity: item.opacity, datum: JSON.parse(JSON.stringify(item.datum)),
                 x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });
    }
  })(window.keViews[nb].view.scenegraph().root);
  const svg = document.querySelector(`section[data-notebook="${nb}"] .ke-chart svg`).getBoundingClientRect();
  const origin = window.keViews[nb].view.origin();
  return out.map((o) => ({ ...o, x: o.x + svg.left + origin[0], y: o.y + svg.top + origin[1] }));
}
"""


@pytest.mark.browser
def test_claims_page_contradiction_controls_fade_the_source_bars(pages):
    """ "kind" and "strength" changed only the contradictions table, far below: now a source's bar is faded
    when no contradiction of that kind and strength has it on either side, and its label counts them."""
    opened, _guard = pages
    page, v = opened[CLAIMS], view(CLAIMS)
    for case in ({}, {"strength": "all"}, {"kind": "dosing", "strength": "all"}, {"kind": "date"}):
        values = v.validate(case)
        read(page, CLAIMS, values, ())
        pairs = v.filter(values, "contradictions")
        bars = page.evaluate(BAR_CENTRES_JS, [CLAIMS, claims_views.PROFILE_MARK])
        assert bars, case
        for bar in bars:
            sid = bar["datum"]["source_id"]
            has = bool(((pairs["source_a"] == sid) | (pairs["source_b"] == sid)).any())
            assert bar["opacity"] == (1 if has else 0.3), (case, sid)
    read(page, CLAIMS, v.validate({}), ())


NOTE_TEXT_JS = """
([nb, start]) => {
  const out = [];
  const walk = (node) => {
    if (!node) return;
    if (typeof node.text === 'string' && node.text.includes(start)) {
      out.push({text: node.text, tooltip: node.tooltip ?? null});
    }
    for (const child of node.items || []) walk(child);
  };
  walk(window.keViews[nb].view.scenegraph().root);
  return out;
}
"""


@pytest.mark.browser
def test_claims_page_a_click_on_a_bar_names_its_figures(pages):
    """A click on a segment of "what the figures rest on" (it did nothing, under a "click a figure" hint) fades
    the other segments, names its figures under the chart and narrows the rows unit to them, and the page's
    count, table and CSV to them at once; a double-click clears. The source panel's hint says so."""
    opened, _guard = pages
    page, v = opened[CLAIMS], view(CLAIMS)
    section = f'section[data-notebook="{CLAIMS}"]'
    values = v.validate({"family": "response_rates"})
    read(page, CLAIMS, values, ())
    assert page.inner_text(f"{section} .ke-source-hint") == claims_views.SOURCE_HINT
    bars = page.evaluate(BAR_CENTRES_JS, [CLAIMS, claims_views.MIX_MARK])
    bar = max(bars, key=lambda b: b["datum"]["figures"])
    page.mouse.click(bar["x"], bar["y"])
    kept = v.filter(values)
    mine = kept[(kept["family"] == bar["datum"]["family"]) & (kept["evidence_kind"] == bar["datum"]["evidence_kind"])]
    rows_js = "(nb) => { const k = window.keViews[nb]; return k.view.data(k.rowsData).map((d) => d.id); }"
    page.wait_for_function(f"({rows_js})({CLAIMS!r}).length === {len(mine)}", timeout=5000)
    assert sorted(page.evaluate(rows_js, CLAIMS)) == sorted(mine["id"])
    ids = sorted(mine["id"])
    # The note's whole text is the scenegraph item's; the SVG may show it cut to the box (layout.js),
    # with the whole text in its tooltip.
    note = page.evaluate(NOTE_TEXT_JS, [CLAIMS, "Clicked"])
    assert len(note) == 1 and f"Clicked: {len(mine)} figures: " in note[0]["text"], note
    assert note[0]["tooltip"] in (None, note[0]["text"]), note
    shown = [
        html.unescape(t)
        for t in re.findall(r"<text[^>]*>(.*?)</text>", page.inner_html(f"{section} .ke-chart"))
        if "Clicked" in t
    ]
    assert len(shown) == 1 and note[0]["text"].startswith(shown[0].rstrip("…")), (shown, note)
    named = note[0]["text"].split(": ", 2)[2].split(" (")[0].replace(", …", "").split(", ")
    assert set(named) <= set(ids) and len(named) == min(len(ids), claims_views.SHOWN_IDS)
    opacities = [b["opacity"] for b in page.evaluate(BAR_CENTRES_JS, [CLAIMS, claims_views.MIX_MARK])]
    assert opacities.count(1) == 1 and len(opacities) > 1, "the clicked segment stays, the others fade"
    # The count, the table and the CSV follow the click at once (they waited for the next control change).
    assert_page_lists(page, v, values, mine)
    page.mouse.dblclick(bar["x"], bar["y"])
    page.wait_for_function(f"({rows_js})({CLAIMS!r}).length === {len(kept)}", timeout=5000)
    assert_page_lists(page, v, values, kept)
    read(page, CLAIMS, v.validate({}), ())


LISTED_JS = """(nb) => { const s = document.querySelector(`section[data-notebook="${nb}"]`);
  const a = s.querySelector("a.ke-download");
  a.dispatchEvent(new FocusEvent("focus"));  // reached, as a reader reaches it: the file is the rows kept
  return fetch(a.href).then((r) => r.text()).then((csv) => ({
    count: s.querySelector(".ke-count").textContent, link: a.textContent, csv,
    table: Array.from(s.querySelectorAll(".ke-table tr[data-id]")).filter((tr) => !tr.hidden)
      .map((tr) => tr.getAttribute("data-id")) })); }"""


def assert_page_lists(page, v: core.View, values: dict, rows: pd.DataFrame) -> None:
    """The page's count, visible table rows and CSV download hold exactly ``rows`` (Python's truth)."""
    from helpers.render.page import csv_columns, csv_text

    payload = v.payload(values)
    n = len(rows)
    count = f"{n} of {len(v.rows)} figures match."
    page.wait_for_function(
        '([nb, text]) => document.querySelector(`section[data-notebook="${nb}"] .ke-count`).textContent === text',
        arg=[CLAIMS, count],
        timeout=5000,
    )
    got = page.evaluate(LISTED_JS, CLAIMS)
    assert got["count"] == count and got["link"] == f"Download these {n} figures as CSV", got["count"]
    assert sorted(got["table"]) == sorted(rows["id"])
    ids = set(rows["id"])
    assert got["csv"] == csv_text([r for r in payload["rows"] if r["id"] in ids], csv_columns(payload))


def test_claims_notebook_names_the_normalize_box_as_it_reads():
    """The text said "Untick normalize" while the box reads "shares (not counts)"."""
    label = view(CLAIMS).control("normalize").param.label
    text = " ".join(
        "".join(c["source"])
        for c in json.loads((NOTEBOOKS / f"{CLAIMS}.ipynb").read_text())["cells"]
        if c["cell_type"] == "markdown"
    )
    assert f"*{label}*" in text and "*normalize*" not in text
