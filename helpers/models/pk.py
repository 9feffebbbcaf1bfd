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
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from numbers import Real
from types import MappingProxyType
from typing import Any

import numpy as np

from helpers.data.routes import EXTRAVASCULAR_ROUTES, SIMULATED_ROUTES  # noqa: F401 - part of the model's API
from helpers.data.routes import KNOWN_ROUTES as _KNOWN_ROUTES
from helpers.data.routes import NOT_SIMULATED as _NOT_SIMULATED
from helpers.paths import DATA_DIR

PARAMETERS_CSV = DATA_DIR / "pk_parameters.csv"
PARAMETER_COLUMNS = ("parameter", "value", "param_unit", "applies_to", "literature_source", "note")
PARAM_UNITS = ("L/kg", "L/h/kg", "1/min", "min")

BIOAVAILABILITY_LEVELS = ("low", "central", "high")
MODELS = ("one", "two")
MAX_DEFAULT_POINTS = 100_001  # the default one-a-minute grid stops growing here (about 69 days)
MG_PER_L_TO_NG_PER_ML = 1000.0  # 1 mg/L = 1 µg/mL = 1000 ng/mL


# --------------------------------------------------------------------------- parameters


@cache
def parameter_rows() -> tuple[Mapping[str, str], ...]:
    """The rows of data/pk_parameters.csv (read once, checked, read-only)."""
    with open(PARAMETERS_CSV, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != PARAMETER_COLUMNS:
            raise ValueError(f"{PARAMETERS_CSV.name}: header must be {','.join(PARAMETER_COLUMNS)}")
        rows = tuple(MappingProxyType(dict(row)) for row in reader)
    names = [row["parameter"] for row in rows]
    if len(set(names)) != len(names):
        raise ValueError(f"{PARAMETERS_CSV.name}: parameter names must be unique")
    for row in rows:
        if row["param_unit"] not in PARAM_UNITS:
            raise ValueError(
                f"{PARAMETERS_CSV.name}: {row['parameter']} has param_unit {row['param_unit']!r}; "
                f"allowed: {', '.join(PARAM_UNITS)}"
            )
        if not row["literature_source"].strip():
            raise ValueError(f"{PARAMETERS_CSV.name}: {row['parameter']} needs a literature_source")
    return rows


@cache
def load_parameters() -> Mapping[str, float]:
    """parameter name -> value from data/pk_parameters.csv (cached, read-only)."""
    return MappingProxyType({row["parameter"]: float(row["value"]) for row in parameter_rows()})


def elimination_rate_per_h() -> float:
    """One-compartment elimination rate constant k = CL / V (per hour; weight cancels)."""
    p = load_parameters()
    return p["CL_L_per_h_per_kg"] / p["V_L_per_kg"]


def tmax_h(route: str) -> float:
    """The table's typical Tmax for an extravascular route, in hours."""
    canon = _canonical_route(route)
    if canon not in EXTRAVASCULAR_ROUTES:
        raise ValueError(f"route={route!r} has no absorption Tmax; routes with one: {', '.join(EXTRAVASCULAR_ROUTES)}")
    return load_parameters()[f"tmax_{canon}_min"] / 60.0


def tmax_from_ka(ka_per_h: float, k_per_h: float) -> float:
    """Time of the peak of the Bateman curve, ln(ka/k)/(ka-k), in hours (1/k when ka == k)."""
    _check_positive("ka_per_h", ka_per_h)
    _check_positive("k_per_h", k_per_h)
    if ka_per_h == k_per_h:
        return 1.0 / k_per_h
    return math.log(ka_per_h / k_per_h) / (ka_per_h - k_per_h)


def ka_from_tmax(tmax_hours: float, k_per_h: float) -> float:
    """Absorption rate ka (per hour) whose Bateman peak falls at tmax_hours, taking the root ka > k.

    Tmax = ln(ka/k)/(ka-k) is symmetric in ka and k; the root with ka > k is the usual
    (non flip-flop) reading. With r = ka/k it is ln(r)/(r-1) = k*Tmax, which falls from 1
    to 0 as r grows, so bisection on r is safe; Tmax must be shorter than 1/k.
    """
    _check_positive("tmax_hours", tmax_hours)
    _check_positive("k_per_h", k_per_h)
    target = k_per_h * tmax_hours
    if target >= 1.0:
        raise ValueError(
            f"tmax_hours must be shorter than 1/k = {1.0 / k_per_h:.3f} h for an absorption rate ka > k "
            f"(got {tmax_hours})"
        )

    def peak(r: float) -> float:  # k*Tmax as a function of r = ka/k
        return math.log1p(r - 1.0) / (r - 1.0)

    lo, hi = 1.0, 2.0
    while peak(hi) > target:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if peak(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi) * k_per_h


@cache
def absorption_rate_per_h(route: str) -> float:
    """First-order absorption rate ka (per hour) that reproduces the table's Tmax for a route."""
    return ka_from_tmax(tmax_h(route), elimination_rate_per_h())


@cache
def two_compartment_constants() -> Mapping[str, float]:
    """Clements & Nimmo (1981) micro-constants (per hour) and the macro-constants alpha, beta, A, B.

    C(t) after a bolus D is D/V1 * (A e^{-alpha t} + B e^{-beta t}); alpha + beta = k10 + k12 + k21
    and alpha * beta = k10 * k21.
    """
    p = load_parameters()
    k10, k12, k21 = (60.0 * p[name] for name in ("k10_per_min", "k12_per_min", "k21_per_min"))
    total, product = k10 + k12 + k21, k10 * k21
    root = math.sqrt(total * total - 4.0 * product)
    alpha, beta = 0.5 * (total + root), 0.5 * (total - root)
    return MappingProxyType(
        {
            "V1_L_per_kg": p["V1_L_per_kg"],
            "k10_per_h": k10,
            "k12_per_h": k12,
            "k21_per_h": k21,
            "alpha_per_h": alpha,
            "beta_per_h": beta,
            "A": (alpha - k21) / (alpha - beta),
            "B": (k21 - beta) / (alpha - beta),
        }
    )


# ----------------------------------------------------------------------- bioavailability


def _canonical_route(route: Any) -> str:
    """The table's spelling of a route (case-insensitive), or ValueError listing the simulatable routes."""
    if isinstance(route, str):
        wanted = route.strip().lower()
        for known in _KNOWN_ROUTES:
            if known.lower() == wanted:
                return known
    raise ValueError(f"route={route!r} is not a known route; simulatable routes: {', '.join(SIMULATED_ROUTES)}")


def _simulatable_route(route: Any) -> str:
    """Canonical route, or ValueError naming why it cannot be simulated and what can."""
    canon = _canonical_route(route)
    if canon in _NOT_SIMULATED:
        raise ValueError(
            f"route={route!r} cannot be simulated: {_NOT_SIMULATED[canon]}; "
            f"simulatable routes: {', '.join(SIMULATED_ROUTES)}"
        )
    return canon


def _band_from_table(table: Any, route: str) -> tuple[float, float, float]:
    """(low, central, high) fractions for one route from an evidence DataFrame.

    Several rows for a route (several documents) are pooled into their widest span:
    low = smallest value_low, high = largest value_high, central = their midpoint.
    Rows marked 'never measured' or without numbers are skipped.
    """
    required = {"measure", "route", "value_low", "value_high", "value_status"}
    missing = required - set(table.columns)
    if missing:
        raise ValueError(f"table is missing column(s) {sorted(missing)}; it needs {sorted(required)}")
    # plain object arrays: comparing pandas categoricals row-wise is ~50x slower
    keep = (np.asarray(table["measure"], dtype=object) == "bioavailability") & (
        np.asarray(table["route"], dtype=object) == route
    )
    columns = [c for c in ("value_low", "value_high", "value_status", "unit") if c in table.columns]
    picked = {c: np.asarray(table[c], dtype=object)[keep] for c in columns}
    lows, highs, never = [], [], False
    for i in range(int(keep.sum())):
        rec = {c: picked[c][i] for c in columns}
        if "unit" in rec and isinstance(rec["unit"], str) and rec["unit"] != "%":
            raise ValueError(f"table: bioavailability for {route} must be in unit '%' (got {rec['unit']!r})")
        low, high = _as_float(rec["value_low"]), _as_float(rec["value_high"])
        if str(rec["value_status"]) == "never measured" or (low is None and high is None):
            never = True
            continue
        low = high if low is None else low
        high = low if high is None else high
        if not 0.0 < low <= high <= 100.0:
            raise ValueError(
                f"table: bioavailability for {route} must satisfy 0 < low <= high <= 100 % (got {low}, {high})"
            )
        lows.append(low)
        highs.append(high)
    if not lows:
        why = "is marked never measured" if never else "has no row"
        raise ValueError(
            f"route={route!r} cannot be simulated: its bioavailability {why} in the evidence table; "
            f"simulatable routes: {', '.join(SIMULATED_ROUTES)}"
        )
    low, high = min(lows) / 100.0, max(highs) / 100.0
    return (low, 0.5 * (low + high), high)


def _as_float(value: Any) -> float | None:
    """A finite float, or None for missing/NaN."""
    if value is None or isinstance(value, str) and not value.strip():
        return None
    try:
        out = float(value)
    except TypeError:  # pd.NA in nullable columns
        return None
    return None if math.isnan(out) else out


@lru_cache(maxsize=1)
def _evidence_table() -> Any:
    """The pharmacokinetics evidence table from helpers.data.tables (imported lazily, loaded once)."""
    try:
        from helpers.data import tables as data
    except ImportError as exc:  # the loader is written separately; say what to do instead
        raise ImportError("helpers.data.tables is not available; pass table= (the pharmacokinetics DataFrame)") from exc
    return data.load("pharmacokinetics")


@cache
def _default_band(route: str) -> tuple[float, float, float]:
    """Band for a route from the default evidence table (cached per route)."""
    return _band_from_table(_evidence_table(), route)


def bioavailability(route: str, table: Any = None) -> tuple[float, float, float]:
    """Bioavailability of a route as fractions (low, central, high); central is the midpoint.

    Read from the evidence table (``helpers.data.tables.load("pharmacokinetics")`` when table is
    None); IV is 1.0 by definition. Routes that cannot be simulated (subcutaneous: never
    measured; epidural: no Tmax) and unknown routes raise ValueError.
    """
    canon = _simulatable_route(route)
    if canon == "IV":
        return (1.0, 1.0, 1.0)
    if table is None:
        return _default_band(canon)
    return _band_from_table(table, canon)


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


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _check_positive(name: str, value: Any, unit: str = "") -> float:
    """float(value), or ValueError: the parameter must be a finite number > 0."""
    if not _is_number(value) or float(value) <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0{unit} (got {value!r})")
    return float(value)


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
