"""A teaching pharmacokinetic (PK) model for ketamine: plasma concentration over time.

EDUCATIONAL ONLY. This is NOT MEDICAL ADVICE and not a dosing tool. It draws smooth
textbook curves from average literature parameters so readers can see what "route",
"bioavailability" and "infusion" mean; real people differ by several-fold, and the
model ignores metabolites (norketamine), enantiomers, arterial vs venous sampling,
repeated doses and everything else a clinician would weigh.

Where the numbers come from:

* Bioavailability by route comes from the evidence table built from the five source
  documents (``helpers.data.tables.load("pharmacokinetics")``, rows with
  ``measure == "bioavailability"``), or from a DataFrame passed as ``table=``.
  IV is 100 % by definition and needs no table.
* Everything else (volume, clearance, typical Tmax per route, the Clements
  two-compartment constants) is NOT in the five documents; it is in
  ``data/pk_parameters.csv`` with its published source.

Models: one-compartment (IV bolus, IV zero-order infusion, first-order absorption for
the other routes, i.e. the Bateman function) and the Clements & Nimmo (1981)
two-compartment model for IV bolus or infusion. All curves are closed-form and
vectorised over the time grid.

The inputs (the parameter file and the evidence table's bioavailability) are read by
:mod:`helpers.models.pk_inputs`; their public names are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.data.routes import EXTRAVASCULAR_ROUTES, SIMULATED_ROUTES
from helpers.models.pk_inputs import (
    PARAM_UNITS,
    PARAMETER_COLUMNS,
    PARAMETERS_CSV,
    _check_positive,
    _evidence_table,  # noqa: F401 - benchmarks/bench_pk.py times the default table
    _simulatable_route,
    absorption_rate_per_h,
    bioavailability,
    elimination_rate_per_h,
    ka_from_tmax,
    load_parameters,
    parameter_rows,
    tmax_from_ka,
    tmax_h,
    two_compartment_constants,
)

BIOAVAILABILITY_LEVELS = ("low", "central", "high")
MODELS = ("one", "two")
MAX_DEFAULT_POINTS = 100_001  # the default one-a-minute grid stops growing here (about 69 days)
MG_PER_L_TO_NG_PER_ML = 1000.0  # 1 mg/L = 1 µg/mL = 1000 ng/mL


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class PKResult:
    """One simulated curve: time_h and conc_ng_ml (read-only arrays) plus what produced them."""

    route: str
    model: str
    dose_mg: float
    weight_kg: float
    infusion_min: float | None
    bioavailability_level: str
    fraction_absorbed: float
    ka_per_h: float | None
    time_h: np.ndarray
    conc_ng_ml: np.ndarray

    def to_frame(self) -> Any:
        """The curve as a pandas DataFrame (time_h, conc_ng_ml)."""
        import pandas as pd

        return pd.DataFrame({"time_h": self.time_h, "conc_ng_ml": self.conc_ng_ml})


@dataclass(frozen=True, eq=False)
class PKBand:
    """The curves for the low, central and high bioavailability of a route, on one time grid."""

    low: PKResult
    central: PKResult
    high: PKResult

    @property
    def time_h(self) -> np.ndarray:
        """The shared time grid, in hours."""
        return self.central.time_h

    def to_frame(self) -> Any:
        """The band as a pandas DataFrame (time_h, low, central, high in ng/mL)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "time_h": self.time_h,
                "low": self.low.conc_ng_ml,
                "central": self.central.conc_ng_ml,
                "high": self.high.conc_ng_ml,
            }
        )


# ------------------------------------------------------------------------- validation


def dose_from_mg_per_kg(mg_per_kg: float, weight_kg: float = 70.0) -> float:
    """Total dose in mg from a weight-based dose in mg/kg (e.g. 0.5 mg/kg x 70 kg = 35 mg)."""
    return _check_positive("mg_per_kg", mg_per_kg, " mg/kg") * _check_positive("weight_kg", weight_kg, " kg")


def _checked_inputs(route, dose_mg, weight_kg, infusion_min, hours, model, n_points):
    """Validate simulate()'s arguments; return (route, dose, weight, infusion_h, time grid)."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(repr(m) for m in MODELS)} (got {model!r})")
    canon = _simulatable_route(route)
    if model == "two" and canon != "IV":
        raise ValueError(
            f"model='two' (Clements two-compartment) is for route='IV' only (got route={route!r}); "
            f"use model='one' for {canon}"
        )
    dose = _check_positive("dose_mg", dose_mg, " mg")
    weight = _check_positive("weight_kg", weight_kg, " kg")
    infusion_h = None
    if infusion_min is not None:
        if canon != "IV":
            raise ValueError(
                f"infusion_min is only valid for route='IV' (got route={route!r}); leave infusion_min=None for {canon}"
            )
        infusion_h = _check_positive("infusion_min", infusion_min, " minutes, or None for an IV bolus") / 60.0
    span = _check_positive("hours", hours, " h")
    if n_points is None:
        n_points = min(max(2, int(round(span * 60.0)) + 1), MAX_DEFAULT_POINTS)  # one sample a minute
    elif not isinstance(n_points, (int, np.integer)) or isinstance(n_points, bool) or n_points < 2:
        raise ValueError(f"n_points must be an integer >= 2, or None for one point a minute (got {n_points!r})")
    return canon, dose, weight, infusion_h, np.linspace(0.0, span, int(n_points))


# ------------------------------------------------------------------------- simulation


def _exponentials(t: np.ndarray, dose_mg: float, volume_l: float, coefs, rates, infusion_h: float | None) -> np.ndarray:
    """mg/L for a unit-coefficient sum of exponentials, after a bolus or a zero-order infusion.

    Bolus: D/V * sum(c_i e^{-l_i t}). Infusion of D over T: (D/T)/V * sum(c_i/l_i (1 - e^{-l_i min(t,T)})
    e^{-l_i max(t-T, 0)}), which covers both the rising and the falling limb in one expression.
    """
    c = np.asarray(coefs, dtype=float)[:, None]
    lam = np.asarray(rates, dtype=float)[:, None]
    if infusion_h is None:
        return dose_mg / volume_l * (c * np.exp(-lam * t)).sum(axis=0)
    t_in = np.minimum(t, infusion_h)
    rising = -np.expm1(-lam * t_in)
    falling = np.exp(-lam * (t - t_in))
    return (dose_mg / infusion_h) / volume_l * (c / lam * rising * falling).sum(axis=0)


def _curve(route, dose, weight, infusion_h, t, model, fraction, ka) -> np.ndarray:
    """Concentration in ng/mL on grid t (validated inputs)."""
    if model == "two":
        tc = two_compartment_constants()
        conc = _exponentials(
            t, dose, tc["V1_L_per_kg"] * weight, (tc["A"], tc["B"]), (tc["alpha_per_h"], tc["beta_per_h"]), infusion_h
        )
    else:
        p = load_parameters()
        volume = p["V_L_per_kg"] * weight
        k = elimination_rate_per_h()
        if route == "IV":
            conc = _exponentials(t, dose, volume, (1.0,), (k,), infusion_h)
        else:  # Bateman: F D ka / (V (ka - k)) (e^{-kt} - e^{-ka t})
            conc = fraction * dose * ka / (volume * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))
    conc = np.maximum(conc, 0.0) * MG_PER_L_TO_NG_PER_ML  # clip -0.0/rounding below zero
    conc.setflags(write=False)
    return conc


def _simulate_band(route, dose_mg, weight_kg, infusion_min, hours, model, n_points, table, levels):
    """Shared body of simulate() and simulate_range(): one PKResult per requested level."""
    canon, dose, weight, infusion_h, t = _checked_inputs(
        route, dose_mg, weight_kg, infusion_min, hours, model, n_points
    )
    t.setflags(write=False)
    band = bioavailability(canon, table)
    ka = None if canon == "IV" else absorption_rate_per_h(canon)
    out = {}
    for level in levels:
        fraction = band[BIOAVAILABILITY_LEVELS.index(level)]
        out[level] = PKResult(
            route=canon,
            model=model,
            dose_mg=dose,
            weight_kg=weight,
            infusion_min=None if infusion_h is None else infusion_h * 60.0,
            bioavailability_level=level,
            fraction_absorbed=fraction,
            ka_per_h=ka,
            time_h=t,
            conc_ng_ml=_curve(canon, dose, weight, infusion_h, t, model, fraction, ka),
        )
    return out


def simulate(
    route: str,
    dose_mg: float,
    weight_kg: float = 70.0,
    infusion_min: float | None = None,
    hours: float = 24.0,
    bioavailability: str = "central",
    model: str = "one",
    n_points: int | None = None,
    table: Any = None,
) -> PKResult:
    """Plasma ketamine concentration (ng/mL) over `hours` after one dose. Teaching model, not advice.

    route: IV, IM, intranasal, oral, sublingual or rectal. IV with infusion_min is a
    zero-order infusion, without it a bolus; other routes absorb first-order with the ka
    that reproduces the route's typical Tmax. bioavailability picks the 'low', 'central'
    or 'high' end of the evidence table's range (table=None loads it via helpers.data.tables).
    model='two' uses the Clements two-compartment model (IV only). n_points=None samples
    once a minute (capped at MAX_DEFAULT_POINTS).
    """
    if bioavailability not in BIOAVAILABILITY_LEVELS:
        raise ValueError(
            f"bioavailability must be one of {', '.join(repr(b) for b in BIOAVAILABILITY_LEVELS)} "
            f"(got {bioavailability!r})"
        )
    band = _simulate_band(route, dose_mg, weight_kg, infusion_min, hours, model, n_points, table, (bioavailability,))
    return band[bioavailability]


def simulate_range(
    route: str,
    dose_mg: float,
    weight_kg: float = 70.0,
    infusion_min: float | None = None,
    hours: float = 24.0,
    model: str = "one",
    n_points: int | None = None,
    table: Any = None,
) -> PKBand:
    """The low, central and high bioavailability curves of simulate() on one grid (identical for IV)."""
    band = _simulate_band(
        route, dose_mg, weight_kg, infusion_min, hours, model, n_points, table, BIOAVAILABILITY_LEVELS
    )
    return PKBand(**band)


# --------------------------------------------------------------------------- readouts


def cmax_tmax(result: PKResult) -> tuple[float, float]:
    """(Cmax in ng/mL, Tmax in hours) of a curve, at its highest grid sample."""
    i = int(np.argmax(result.conc_ng_ml))
    return float(result.conc_ng_ml[i]), float(result.time_h[i])


def time_above(result: PKResult, threshold_ng_ml: float) -> float:
    """Hours the curve spends at or above a threshold, with crossings placed by linear interpolation.

    Each grid interval contributes its full length when both ends are at or above the
    threshold, nothing when both are below, and the interpolated part otherwise.
    """
    threshold = _check_positive("threshold_ng_ml", threshold_ng_ml, " ng/mL")
    d = np.asarray(result.conc_ng_ml, dtype=float) - threshold
    t = np.asarray(result.time_h, dtype=float)
    d0, d1, dt = d[:-1], d[1:], np.diff(t)
    both_above = (d0 >= 0.0) & (d1 >= 0.0)
    crossing = (d0 >= 0.0) != (d1 >= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(crossing, np.maximum(d0, d1) / np.abs(d1 - d0), 0.0)
    return float(np.sum(dt * np.where(both_above, 1.0, part)))


__all__ = [
    "BIOAVAILABILITY_LEVELS",
    "EXTRAVASCULAR_ROUTES",
    "MAX_DEFAULT_POINTS",
    "MODELS",
    "PARAMETERS_CSV",
    "PARAMETER_COLUMNS",
    "PARAM_UNITS",
    "PKBand",
    "PKResult",
    "SIMULATED_ROUTES",
    "absorption_rate_per_h",
    "bioavailability",
    "cmax_tmax",
    "dose_from_mg_per_kg",
    "elimination_rate_per_h",
    "ka_from_tmax",
    "load_parameters",
    "parameter_rows",
    "simulate",
    "simulate_range",
    "time_above",
    "tmax_from_ka",
    "tmax_h",
    "two_compartment_constants",
]
