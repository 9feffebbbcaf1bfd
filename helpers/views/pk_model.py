"""The teaching PK model as Vega expressions, for 08's page. EDUCATIONAL ONLY, NOT MEDICAL ADVICE.

Written from ``helpers.models.pk`` (the route constants are read from it, never retyped) and held to it
by the page parity test: the closed-form curves (:func:`conc_expr`), a route's peak on the one-minute
grid (:func:`with_peak`) and its hours above a threshold (:func:`with_hours_above`), each computed
from a route's row, so the page needs no grid of every minute. ``pk_simulator`` draws them.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.models import pk, simulator
from helpers.params import spec
from helpers.views import core
from helpers.views.lazy import alt

NOTEBOOK = simulator.NOTEBOOK
# Derived params: the dose in mg and the grid of pk.simulate (core.RULES_OK holds while the declared rules do).
DOSE_MG = "pk_dose_mg"
DOSE_OK = core.RULES_OK
KEPT = "pk_route_kept"  # each route's verdict under the routes control, by rank (pk_simulator._derived_params)
SAMPLES = "pk_samples"
STEP_H = "pk_step_h"
LAST = f"({SAMPLES} - 1)"  # the last sample's index (its minute)
SCALE = f"({DOSE_MG} / weight_kg)"  # mg per kg: a curve is its shape (1 mg/kg) times this
MINUTES_PER_H = 60  # the grid: one sample a minute (hours come in steps of 0.5, so the grid is pk.simulate's)


def route_records() -> list[dict]:
    """One row per simulatable route with what the page's formulas need, read from ``helpers.models.pk``.

    Plain Python numbers (None where a route has none), so the spec carries the exact floats.
    """
    params = pk.load_parameters()
    two = pk.two_compartment_constants()
    rows = []
    for rank, route in enumerate(pk.SIMULATED_ROUTES):
        low, central, high = pk.bioavailability(route)
        iv = route == "IV"
        rows.append(
            {
                "route": route,
                "rank": rank,
                "iv": iv,
                "f_low": low,
                "f_central": central,
                "f_high": high,
                "ka": None if iv else pk.absorption_rate_per_h(route),
                "tmax_min": None if iv else pk.tmax_h(route) * 60.0,
                "k": pk.elimination_rate_per_h(),
                "v_l_per_kg": params["V_L_per_kg"],
                "v1_l_per_kg": two["V1_L_per_kg"],
                "a": two["A"],
                "alpha": two["alpha_per_h"],
                "b": two["B"],
                "beta": two["beta_per_h"],
            }
        )
    return rows


def route_table() -> pd.DataFrame:
    """:func:`route_records` as a table (for tests and the pandas side of the routes filter)."""
    return pd.DataFrame(route_records())


def conc_expr(t: str) -> str:
    """mg/L at time ``t`` (hours) for bioavailability 1, as in ``helpers.models.pk._curve``.

    IV: D/V * sum c_i e^{-l_i t} (bolus) or (D/T)/V * sum c_i/l_i (1 - e^{-l_i tin}) e^{-l_i (t - tin)}
    with tin = min(t, T) (infusion over T hours). Other routes: D ka / (V (ka - k)) (e^{-k t} - e^{-ka t}).
    """
    tin = f"min({t}, datum.T)"
    inf = " + ".join(
        f"datum.{c} / datum.{lam} * (1 - exp(-datum.{lam} * {tin})) * exp(-datum.{lam} * ({t} - {tin}))"
        for c, lam in (("c1", "l1"), ("c2", "l2"))
    )
    bolus = f"datum.c1 * exp(-datum.l1 * {t}) + datum.c2 * exp(-datum.l2 * {t})"
    iv = f"(datum.T > 0 ? datum.D / datum.T / datum.vol * ({inf}) : datum.D / datum.vol * ({bolus}))"
    oral = f"datum.D * datum.ka / (datum.vol * (datum.ka - datum.k)) * (exp(-datum.k * {t}) - exp(-datum.ka * {t}))"
    return f"(datum.iv ? {iv} : {oral})"


def ng_ml(level: str, base: str) -> str:
    return f"max(datum.{level} * {base}, 0) * {pk.MG_PER_L_TO_NG_PER_ML}"


def conc_ng_ml(level: str, shape: str) -> str:
    """ng/mL at bioavailability field ``level`` from the dose-free shape field ``shape`` (the grid's unit or
    the read-outs' peak umax): one expression, so the read-outs' Cmax is the grid's own value."""
    return ng_ml(level, f"datum.{shape} * {SCALE}")


def with_shape_constants(chart: alt.Chart) -> alt.Chart:
    """The route rows' constants that :func:`conc_expr` reads, as the infusion time and the model set them
    (a unit dose: D = 1). The grid and the read-outs' peaks both take them from here."""
    return chart.transform_calculate(
        D="1",
        T="datum.iv && infusion_min > 0 ? infusion_min / 60 : 0",
        two="datum.iv && model == 'two'",
    ).transform_calculate(
        vol="datum.two ? datum.v1_l_per_kg : datum.v_l_per_kg",
        c1="datum.two ? datum.a : 1",
        l1="datum.two ? datum.alpha : datum.k",
        c2="datum.two ? datum.b : 0",
        l2="datum.two ? datum.beta : datum.k",
    )


def with_peak(chart: alt.Chart) -> alt.Chart:
    """Each row's peak on the one-minute grid, from its route's constants alone: ``peak`` (the sample's
    index, which is its minute), ``tmax_h`` and ``umax`` (the shape there, as the grid computes ``unit``).

    Every curve here has one peak, rising before it and falling after: at 0 for an IV bolus, at the end of
    an infusion, and at the route's Tmax for first-order absorption (ka is solved from that Tmax,
    ``helpers.models.pk.ka_from_tmax``). So the grid's highest sample among those kept (``hours``) is the
    one nearest that time or one beside it, or the last when the peak is past it: three samples per
    route, where a max over every sample was rescanned on each routes or hours change. The first of equal
    values wins, as ``numpy.argmax`` does in ``helpers.models.pk.cmax_tmax``.
    """
    near = "round(datum.iv ? (infusion_min > 0 ? infusion_min : 0) : datum.tmax_min)"
    picks = chart.transform_calculate(**{f"i{k}": f"clamp({near} + {k - 1}, 0, {LAST})" for k in range(3)})
    first = "datum.u0 >= datum.u1 && datum.u0 >= datum.u2 ? 0 : datum.u1 >= datum.u2 ? 1 : 2"
    return (
        picks.transform_calculate(**{f"u{k}": unit_at(f"datum.i{k}") for k in range(3)})
        .transform_calculate(best=first)
        .transform_calculate(
            umax="[datum.u0, datum.u1, datum.u2][datum.best]",
            peak="[datum.i0, datum.i1, datum.i2][datum.best]",
        )
        .transform_calculate(tmax_h=f"datum.peak / {MINUTES_PER_H}")
    )


def unit_at(i: str) -> str:
    """The shape at sample ``i``: the grid's own ``t`` (i / 60) in :func:`conc_expr`, so the same float."""
    return conc_expr(f"(({i}) / {MINUTES_PER_H})")


def grid_size() -> int:
    """Samples per route at the longest ``hours`` the notebook allows (one a minute, as ``pk.simulate``)."""
    hours = spec(NOTEBOOK).param("hours").maximum
    return int(round(hours * 60)) + 1


def with_hours_above(chart: alt.Chart) -> alt.Chart:
    """``hours_above``: the hours the central curve spends at or above the threshold, as
    ``helpers.models.pk.time_above`` counts them on the one-minute grid (whole intervals, and the crossed
    ones in part, by linear interpolation), from each route's row and its ``peak`` and ``cmax``.

    One peak means at most two crossings: the curve rises through the threshold before the peak and falls
    through it after. Each is found by halving its side of the grid (12 samples for 48 hours), so a
    change of the dose, the threshold or the hours computes some 30 samples per route, not every sample.
    """
    thr = "toNumber(threshold_ng_ml)"

    def conc(i: str) -> str:
        return ng_ml("f_central", f"{unit_at(i)} * {SCALE}")

    # up = [lo, hi]: conc(hi) >= threshold and conc(lo) below it (or lo == hi == 0); down = [lo, hi]: the
    # same after the peak, with conc(lo) at or above it and conc(hi) below (or lo == hi == the last sample).
    out = chart.transform_calculate(
        up0=f"{conc('0')} >= {thr} ? [0, 0] : [0, datum.peak]",
        down0=f"{conc(LAST)} >= {thr} ? [{LAST}, {LAST}] : [datum.peak, {LAST}]",
    )
    steps = math.ceil(math.log2(grid_size()))
    for k in range(steps):
        up, down = f"datum.up{k}", f"datum.down{k}"
        mid_up, mid_down = f"floor(({up}[0] + {up}[1]) / 2)", f"floor(({down}[0] + {down}[1]) / 2)"
        out = out.transform_calculate(
            **{
                f"up{k + 1}": f"{up}[1] - {up}[0] <= 1 ? {up} : {conc(mid_up)} >= {thr} ? [{up}[0], {mid_up}]"
                f" : [{mid_up}, {up}[1]]",
                f"down{k + 1}": f"{down}[1] - {down}[0] <= 1 ? {down} : {conc(mid_down)} >= {thr}"
                f" ? [{mid_down}, {down}[1]] : [{down}[0], {mid_down}]",
            }
        )
    rise, fall = f"datum.up{steps}[1]", f"datum.down{steps}[0]"  # the first and last samples at or above it
    out = out.transform_calculate(rise=rise, fall=fall).transform_calculate(
        d_before=f"{conc('datum.rise - 1')} - {thr}",
        d_rise=f"{conc('datum.rise')} - {thr}",
        d_fall=f"{conc('datum.fall')} - {thr}",
        d_after=f"{conc('datum.fall + 1')} - {thr}",
    )
    return out.transform_calculate(
        hours_above=f"datum.cmax < {thr} ? 0 : {STEP_H} * (datum.fall - datum.rise"
        " + (datum.rise > 0 ? datum.d_rise / (datum.d_rise - datum.d_before) : 0)"
        f" + (datum.fall < {LAST} ? datum.d_fall / (datum.d_fall - datum.d_after) : 0))"
    )
