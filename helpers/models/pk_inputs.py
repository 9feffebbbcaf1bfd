"""Where the teaching PK model's numbers come from: the parameter file and the evidence table.

EDUCATIONAL ONLY. This is NOT MEDICAL ADVICE and not a dosing tool.

* Bioavailability by route comes from the evidence table built from the five source
  documents (``helpers.data.tables.load("pharmacokinetics")``, rows with
  ``measure == "bioavailability"``), or from a DataFrame passed as ``table=``.
  IV is 100 % by definition and needs no table.
* Everything else (volume, clearance, typical Tmax per route, the Clements
  two-compartment constants) is NOT in the five documents; it is in
  ``data/pk_parameters.csv`` with its published source.

The curves themselves are drawn by :mod:`helpers.models.pk`, which re-exports these names.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from functools import cache, lru_cache
from numbers import Real
from types import MappingProxyType
from typing import Any

import numpy as np

from helpers.data.routes import EXTRAVASCULAR_ROUTES, KNOWN_ROUTES, NOT_SIMULATED, SIMULATED_ROUTES
from helpers.paths import DATA_DIR

PARAMETERS_CSV = DATA_DIR / "pk_parameters.csv"
PARAMETER_COLUMNS = ("parameter", "value", "param_unit", "applies_to", "literature_source", "note")
PARAM_UNITS = ("L/kg", "L/h/kg", "1/min", "min")


# ------------------------------------------------------------------------- checks


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _check_positive(name: str, value: Any, unit: str = "") -> float:
    """float(value), or ValueError: the parameter must be a finite number > 0."""
    if not _is_number(value) or float(value) <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0{unit} (got {value!r})")
    return float(value)


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
        for known in KNOWN_ROUTES:
            if known.lower() == wanted:
                return known
    raise ValueError(f"route={route!r} is not a known route; simulatable routes: {', '.join(SIMULATED_ROUTES)}")


def _simulatable_route(route: Any) -> str:
    """Canonical route, or ValueError naming why it cannot be simulated and what can."""
    canon = _canonical_route(route)
    if canon in NOT_SIMULATED:
        raise ValueError(
            f"route={route!r} cannot be simulated: {NOT_SIMULATED[canon]}; "
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
