"""Tests for helpers.models.pk, the teaching ketamine PK model: analytic identities, readouts, input errors.

Bioavailability comes from a small in-test table (TABLE) so these tests do not depend on
the evidence loader; one test uses the real loader and skips when helpers.data.tables is absent.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.models import pk

# Fixture values (percent), shaped like helpers.data.tables.load("pharmacokinetics"); oral has two
# rows to check that rows are pooled into their widest span.
TABLE = pd.DataFrame(
    {
        "measure": ["bioavailability"] * 9 + ["protein binding"],
        "route": ["IV", "IM", "epidural", "subcutaneous", "intranasal", "oral", "oral", "sublingual", "rectal", "n/a"],
        "value_low": [100, 93, 77, np.nan, 25, 16, 17, 24, 25, 53],
        "value_high": [100, 93, 77, np.nan, 50, 20, 24, 30, 30, 53],
        "unit": ["%"] * 10,
        "value_status": ["by definition"] + ["reported"] * 2 + ["never measured"] + ["reported"] * 6,
    }
)
BAND = {  # expected (low, central, high) fractions from TABLE
    "IV": (1.0, 1.0, 1.0),
    "IM": (0.93, 0.93, 0.93),
    "intranasal": (0.25, 0.375, 0.50),
    "oral": (0.16, 0.20, 0.24),
    "sublingual": (0.24, 0.27, 0.30),
    "rectal": (0.25, 0.275, 0.30),
}
P = pk.load_parameters()
K = P["CL_L_per_h_per_kg"] / P["V_L_per_kg"]  # per hour


# ------------------------------------------------------------------------ parameters


def test_parameter_csv_matches_the_brief():
    with open(pk.PARAMETERS_CSV, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert tuple(reader.fieldnames) == pk.PARAMETER_COLUMNS
    assert all(row["param_unit"] in pk.PARAM_UNITS and row["literature_source"].strip() for row in rows)
    assert dict(P) == {
        "V_L_per_kg": 3.6,
        "CL_L_per_h_per_kg": 1.13,
        "tmax_IM_min": 15.0,
        "tmax_intranasal_min": 20.0,
        "tmax_sublingual_min": 45.0,
        "tmax_rectal_min": 45.0,
        "tmax_oral_min": 60.0,
        "V1_L_per_kg": 1.75,
        "k10_per_min": 0.0109,
        "k12_per_min": 0.0186,
        "k21_per_min": 0.0137,
    }


def test_two_compartment_macro_constants():
    tc = pk.two_compartment_constants()
    k10, k12, k21 = 0.0109 * 60, 0.0186 * 60, 0.0137 * 60
    assert tc["alpha_per_h"] + tc["beta_per_h"] == pytest.approx(k10 + k12 + k21, rel=1e-12)
    assert tc["alpha_per_h"] * tc["beta_per_h"] == pytest.approx(k10 * k21, rel=1e-12)
    assert tc["A"] + tc["B"] == pytest.approx(1.0, rel=1e-12)
    assert math.log(2) / tc["beta_per_h"] == pytest.approx(3.049, abs=0.001)  # terminal half-life, h


# ------------------------------------------------------------------- bioavailability


@pytest.mark.parametrize("route", sorted(BAND))
def test_bioavailability_from_table(route):
    assert pk.bioavailability(route, TABLE) == pytest.approx(BAND[route], abs=1e-12)


def test_bioavailability_route_is_case_insensitive():
    assert pk.bioavailability("Intranasal", TABLE) == pytest.approx(BAND["intranasal"])
    assert pk.bioavailability("iv") == (1.0, 1.0, 1.0)  # by definition, no table needed


@pytest.mark.parametrize(
    ("route", "words"),
    [("subcutaneous", "never measured"), ("epidural", "Tmax"), ("inhaled", "not a known route"), (None, "route")],
)
def test_bioavailability_rejects_routes_it_cannot_simulate(route, words):
    with pytest.raises(ValueError) as err:
        pk.bioavailability(route, TABLE)
    message = str(err.value)
    assert "route=" in message and words in message
    assert all(r in message for r in pk.SIMULATED_ROUTES)


def test_bioavailability_missing_row_and_never_measured_row():
    no_rectal = TABLE[TABLE["route"] != "rectal"]
    with pytest.raises(ValueError, match=r"route='rectal'.*has no row"):
        pk.bioavailability("rectal", no_rectal)
    unmeasured = TABLE.assign(value_status=np.where(TABLE["route"] == "IM", "never measured", TABLE["value_status"]))
    with pytest.raises(ValueError, match=r"route='IM'.*never measured"):
        pk.bioavailability("IM", unmeasured)


def test_bioavailability_with_the_real_loader():
    data = pytest.importorskip(
        "helpers.data.tables", reason="helpers.data.tables (the evidence loader) is not written yet"
    )
    table = data.load("pharmacokinetics")
    assert pk.bioavailability("IV") == (1.0, 1.0, 1.0)
    for route in pk.EXTRAVASCULAR_ROUTES:
        low, central, high = pk.bioavailability(route, table)
        assert 0.0 < low <= central <= high <= 1.0
        assert central == pytest.approx((low + high) / 2)
    with pytest.raises(ValueError, match="never measured"):
        pk.bioavailability("subcutaneous", table)


# ------------------------------------------------------------------ analytic checks


def _auc(result):
    c, t = result.conc_ng_ml, result.time_h
    return float(np.sum(np.diff(t) * (c[1:] + c[:-1]) / 2))  # ng*h/mL


@pytest.mark.parametrize(
    ("route", "infusion_min"),
    [
        ("IV", None),
        ("IV", 40),
        ("IM", None),
        ("intranasal", None),
        ("oral", None),
        ("sublingual", None),
        ("rectal", None),
    ],
)
def test_auc_equals_f_dose_over_clearance(route, infusion_min):
    dose, weight = 35.0, 70.0
    result = pk.simulate(route, dose, weight, infusion_min=infusion_min, hours=200, table=TABLE)
    f = BAND[route][1]
    expected = f * dose / (P["CL_L_per_h_per_kg"] * weight) * 1000  # mg*h/L -> ng*h/mL
    assert result.fraction_absorbed == pytest.approx(f)
    assert _auc(result) == pytest.approx(expected, rel=0.01)


def test_iv_bolus_starts_at_dose_over_volume_and_decays_with_k():
    result = pk.simulate("IV", 35.0, 70.0, hours=12)
    c0 = 35.0 / (P["V_L_per_kg"] * 70.0) * 1000
    assert result.conc_ng_ml[0] == pytest.approx(c0, rel=1e-12)  # 138.89 ng/mL
    assert c0 == pytest.approx(138.889, abs=1e-3)
    assert result.conc_ng_ml[-1] == pytest.approx(c0 * math.exp(-K * 12), rel=1e-12)
    assert pk.cmax_tmax(result) == (pytest.approx(c0), 0.0)


@pytest.mark.parametrize("route", pk.EXTRAVASCULAR_ROUTES)
def test_extravascular_tmax_is_the_tables_tmax(route):
    ka = pk.absorption_rate_per_h(route)
    table_tmax_h = P[f"tmax_{route}_min"] / 60
    assert ka > K
    assert math.log(ka / K) / (ka - K) == pytest.approx(table_tmax_h, rel=1e-9)
    result = pk.simulate(route, 100.0, hours=3, n_points=18001, table=TABLE)  # 0.01 min grid
    cmax, tmax = pk.cmax_tmax(result)
    assert tmax == pytest.approx(table_tmax_h, abs=0.01 / 60)
    f = BAND[route][1]
    bateman_peak = f * 100.0 * ka / (P["V_L_per_kg"] * 70 * (ka - K)) * (math.exp(-K * tmax) - math.exp(-ka * tmax))
    assert cmax == pytest.approx(bateman_peak * 1000, rel=1e-12)


def test_ka_from_tmax_round_trip_and_limits():
    for tmax in (0.01, 0.5, 2.0, 3.0):
        assert pk.tmax_from_ka(pk.ka_from_tmax(tmax, K), K) == pytest.approx(tmax, rel=1e-9)
    with pytest.raises(ValueError, match="tmax_hours"):
        pk.ka_from_tmax(1 / K + 0.1, K)


def test_half_mg_per_kg_over_40_min_peaks_in_the_documented_band():
    """0.5 mg/kg IV over 40 min, 70 kg: the documents' 70-160 ng/mL; one-compartment gives 125.3 ng/mL."""
    dose = pk.dose_from_mg_per_kg(0.5, 70)
    result = pk.simulate("IV", dose, 70, infusion_min=40)
    cmax, tmax = pk.cmax_tmax(result)
    print(f"\n0.5 mg/kg IV over 40 min, 70 kg, one-compartment: Cmax = {cmax:.1f} ng/mL at {tmax * 60:.0f} min")
    assert dose == 35.0
    assert 70 < cmax < 200
    rate, cl = 35.0 / (40 / 60), P["CL_L_per_h_per_kg"] * 70
    assert cmax == pytest.approx(rate / cl * (1 - math.exp(-K * 40 / 60)) * 1000, rel=1e-9)
    assert cmax == pytest.approx(125.32, abs=0.01)
    assert tmax * 60 == pytest.approx(40.0)


def _two_compartment_ode(dose, weight, infusion_h, t_end, dt):
    """RK4 on the Clements micro-constants: amounts (central, peripheral, eliminated) in mg."""
    tc = pk.two_compartment_constants()
    k10, k12, k21 = tc["k10_per_h"], tc["k12_per_h"], tc["k21_per_h"]
    rate = 0.0 if infusion_h is None else dose / infusion_h
    y = np.array([dose if infusion_h is None else 0.0, 0.0, 0.0])
    out = [y.copy()]

    def deriv(inflow, y):
        return np.array([inflow - (k10 + k12) * y[0] + k21 * y[1], k12 * y[0] - k21 * y[1], k10 * y[0]])

    n = int(round(t_end / dt))
    n_infusing = 0 if infusion_h is None else int(round(infusion_h / dt))  # infusion ends on a step boundary
    for i in range(n):
        inflow = rate if i < n_infusing else 0.0
        a = deriv(inflow, y)
        b = deriv(inflow, y + dt / 2 * a)
        c = deriv(inflow, y + dt / 2 * b)
        d = deriv(inflow, y + dt * c)
        y = y + dt / 6 * (a + 2 * b + 2 * c + d)
        out.append(y.copy())
    return np.arange(n + 1) * dt, np.array(out), tc["V1_L_per_kg"] * weight


def test_two_compartment_bolus_c0_auc_and_mass_balance():
    dose, weight = 35.0, 70.0
    tc = pk.two_compartment_constants()
    v1 = tc["V1_L_per_kg"] * weight
    result = pk.simulate("IV", dose, weight, model="two", hours=200, n_points=200 * 600 + 1)
    assert result.conc_ng_ml[0] == pytest.approx(dose / v1 * 1000, rel=1e-12)  # 285.7 ng/mL
    assert _auc(result) == pytest.approx(dose / (v1 * tc["k10_per_h"]) * 1000, rel=0.01)
    # mass balance: central + peripheral + eliminated == dose at every time
    t = result.time_h
    central = result.conc_ng_ml / 1000 * v1
    a, b = tc["alpha_per_h"], tc["beta_per_h"]
    peripheral = dose * tc["k12_per_h"] / (a - b) * (np.exp(-b * t) - np.exp(-a * t))
    eliminated = tc["k10_per_h"] * np.concatenate(([0.0], np.cumsum(np.diff(t) * (central[1:] + central[:-1]) / 2)))
    assert np.max(np.abs(central + peripheral + eliminated - dose)) < 1e-4 * dose


@pytest.mark.parametrize("infusion_min", [None, 40])
def test_two_compartment_closed_form_matches_the_ode(infusion_min):
    infusion_h = None if infusion_min is None else infusion_min / 60
    t_ode, amounts, v1 = _two_compartment_ode(35.0, 70.0, infusion_h, t_end=6.0, dt=1 / 600)
    result = pk.simulate("IV", 35.0, 70.0, infusion_min=infusion_min, model="two", hours=6.0, n_points=len(t_ode))
    ode_conc = amounts[:, 0] / v1 * 1000
    assert np.max(np.abs(result.conc_ng_ml - ode_conc)) < 1e-3  # ng/mL
    assert amounts[-1].sum() == pytest.approx(35.0, rel=1e-9)
    if infusion_min is not None:
        assert _auc(pk.simulate("IV", 35.0, 70.0, infusion_min=40, model="two", hours=200)) == pytest.approx(
            35.0 / (v1 * pk.two_compartment_constants()["k10_per_h"]) * 1000, rel=0.01
        )


def test_simulate_range_orders_the_band():
    band = pk.simulate_range("intranasal", 50.0, table=TABLE)
    assert band.low.fraction_absorbed == 0.25 and band.high.fraction_absorbed == 0.5
    assert np.all(band.low.conc_ng_ml <= band.central.conc_ng_ml)
    assert np.all(band.central.conc_ng_ml <= band.high.conc_ng_ml)
    np.testing.assert_allclose(band.high.conc_ng_ml, 2 * band.low.conc_ng_ml, rtol=1e-12)
    assert list(band.to_frame().columns) == ["time_h", "low", "central", "high"]
    iv = pk.simulate_range("IV", 35.0)
    np.testing.assert_array_equal(iv.low.conc_ng_ml, iv.high.conc_ng_ml)


def test_result_is_read_only_and_on_the_default_grid():
    result = pk.simulate("oral", 100.0, table=TABLE)
    assert len(result.time_h) == 24 * 60 + 1 and result.time_h[1] == pytest.approx(1 / 60)
    assert not result.conc_ng_ml.flags.writeable and not result.time_h.flags.writeable
    assert result.ka_per_h == pytest.approx(pk.absorption_rate_per_h("oral"))
    assert list(result.to_frame().columns) == ["time_h", "conc_ng_ml"]


# -------------------------------------------------------------------------- readouts


def test_time_above_interpolates_crossings():
    tri = pk.PKResult(
        "IV", "one", 1.0, 70.0, None, "central", 1.0, None, np.array([0.0, 1.0, 2.0]), np.array([0.0, 10.0, 0.0])
    )
    assert pk.time_above(tri, 5.0) == pytest.approx(1.0)  # 0.5..1.5 h
    assert pk.time_above(tri, 2.5) == pytest.approx(1.5)
    assert pk.time_above(tri, 10.0) == pytest.approx(0.0)
    assert pk.time_above(tri, 11.0) == 0.0


def test_time_above_matches_the_bolus_closed_form_on_a_coarse_grid():
    result = pk.simulate("IV", 35.0, hours=24, n_points=97)  # 15-min grid
    c0 = 35.0 / (P["V_L_per_kg"] * 70) * 1000
    exact = math.log(c0 / 50.0) / K  # 3.254 h
    assert pk.time_above(result, 50.0) == pytest.approx(exact, abs=0.005)
    assert exact == pytest.approx(3.254, abs=0.001)
    sample_count = np.sum(result.conc_ng_ml >= 50.0) * 0.25
    assert abs(sample_count - exact) > abs(pk.time_above(result, 50.0) - exact)


# --------------------------------------------------------------------- nonsense input


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"dose_mg": 0}, "dose_mg"),
        ({"dose_mg": -5}, "dose_mg"),
        ({"dose_mg": float("nan")}, "dose_mg"),
        ({"dose_mg": "35"}, "dose_mg"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"weight_kg": -70}, "weight_kg"),
        ({"route": "inhaled"}, "route"),
        ({"route": "subcutaneous"}, "route"),
        ({"route": "epidural"}, "route"),
        ({"route": "oral", "infusion_min": 40}, "infusion_min"),
        ({"infusion_min": -10}, "infusion_min"),
        ({"infusion_min": 0}, "infusion_min"),
        ({"hours": 0}, "hours"),
        ({"hours": -1}, "hours"),
        ({"route": "oral", "model": "two"}, "model"),
        ({"model": "three"}, "model"),
        ({"bioavailability": "median"}, "bioavailability"),
        ({"n_points": 1}, "n_points"),
    ],
)
def test_nonsense_input_names_the_parameter(kwargs, names):
    args = {"route": "IV", "dose_mg": 35.0, "table": TABLE} | kwargs
    with pytest.raises(ValueError, match=names):
        pk.simulate(**args)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: pk.dose_from_mg_per_kg(-0.5, 70), "mg_per_kg"),
        (lambda: pk.dose_from_mg_per_kg(0.5, 0), "weight_kg"),
        (lambda: pk.simulate_range("IV", 0), "dose_mg"),
        (lambda: pk.time_above(pk.simulate("IV", 35.0), -1), "threshold_ng_ml"),
        (lambda: pk.tmax_h("IV"), "route"),
    ],
)
def test_helpers_reject_nonsense(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_error_messages_list_the_valid_choices():
    with pytest.raises(ValueError) as err:
        pk.simulate("IV", 35.0, bioavailability="median")
    assert "'low', 'central', 'high'" in str(err.value)
    with pytest.raises(ValueError) as err:
        pk.simulate("oral", 35.0, model="two", table=TABLE)
    assert "route='IV' only" in str(err.value) and "model='one'" in str(err.value)


# ------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    route=st.sampled_from(pk.SIMULATED_ROUTES),
    dose=st.floats(0.1, 1000.0),
    scale=st.floats(0.01, 100.0),
    weight=st.floats(3.0, 200.0),
    infusion=st.one_of(st.none(), st.floats(1.0, 600.0)),
    model=st.sampled_from(pk.MODELS),
)
def test_concentration_is_non_negative_and_linear_in_dose(route, dose, scale, weight, infusion, model):
    if route != "IV":
        infusion, model = None, "one"
    kw = {"weight_kg": weight, "infusion_min": infusion, "model": model, "hours": 48, "n_points": 301, "table": TABLE}
    base = pk.simulate(route, dose, **kw).conc_ng_ml
    scaled = pk.simulate(route, dose * scale, **kw).conc_ng_ml
    assert np.all(base >= 0) and np.all(np.isfinite(base))
    np.testing.assert_allclose(scaled, scale * base, rtol=1e-9, atol=1e-12)
