"""Unit conversions for ketamine concentrations and for durations.

Concentrations: ng/mL (= µg/L), mg/L, µM (micromolar, written ``uM`` in the
tables) and nM, using ketamine's molar mass. Durations: to and from hours.
All functions accept scalars or NumPy arrays.
"""

from __future__ import annotations

import re

import numpy as np

KETAMINE_MOLAR_MASS_G_PER_MOL = 237.73

# ng/mL in one of each unit.
_NG_PER_ML = {
    "ng/mL": 1.0,
    "mg/L": 1000.0,
    "uM": KETAMINE_MOLAR_MASS_G_PER_MOL,  # 1 µmol/L × 237.73 g/mol = 237.73 µg/L
    "nM": KETAMINE_MOLAR_MASS_G_PER_MOL / 1000.0,
}
CONCENTRATION_UNITS = tuple(_NG_PER_ML)

HOURS_PER = {
    "min": 1 / 60,
    "h": 1.0,
    "d": 24.0,
    "wk": 168.0,
    "mo": 730.5,  # 365.25 d / 12
    "yr": 8766.0,  # 365.25 d
}
TIME_UNITS = tuple(HOURS_PER)

DISPLAY = {"uM": "µM", "nM": "nM", "ng/mL": "ng/mL", "mg/L": "mg/L"}
# A unit as the tables type it (ASCII), standing alone in a description: "reaches 60-110 uM".
_TYPED_UNIT = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(u) for u in DISPLAY if DISPLAY[u] != u) + r")(?![A-Za-z])"
)


def display_units(text: str) -> str:
    """A description with each unit as a reader writes it ("60-110 uM" → "60-110 µM").

    For words the tables write (landmarks, measures), never for a quote: quotes stay verbatim.
    """
    return _TYPED_UNIT.sub(lambda m: DISPLAY[m.group(1)], text)


def _check(unit: str, allowed: tuple[str, ...], what: str) -> None:
    if unit not in allowed:
        raise ValueError(f"unknown {what} unit {unit!r}; choose one of: {', '.join(allowed)}")


def _scale(value, factor: float):
    return np.asarray(value, dtype=float) * factor if np.ndim(value) else float(value) * factor


def convert_concentration(value, from_unit: str, to_unit: str):
    """Convert a ketamine concentration between ng/mL, mg/L, uM and nM."""
    _check(from_unit, CONCENTRATION_UNITS, "concentration")
    _check(to_unit, CONCENTRATION_UNITS, "concentration")
    return _scale(value, _NG_PER_ML[from_unit] / _NG_PER_ML[to_unit])


def ng_ml_to_um(value):
    """ng/mL → µM for ketamine (divide by the molar mass)."""
    return convert_concentration(value, "ng/mL", "uM")


def um_to_ng_ml(value):
    """µM → ng/mL for ketamine."""
    return convert_concentration(value, "uM", "ng/mL")


def mg_l_to_ng_ml(value):
    """mg/L → ng/mL (× 1000)."""
    return convert_concentration(value, "mg/L", "ng/mL")


def ng_ml_to_mg_l(value):
    """ng/mL → mg/L (÷ 1000)."""
    return convert_concentration(value, "ng/mL", "mg/L")


def to_hours(value, unit: str):
    """A duration in ``unit`` (min, h, d, wk, mo, yr) → hours."""
    _check(unit, TIME_UNITS, "time")
    return _scale(value, HOURS_PER[unit])


def from_hours(value, unit: str):
    """A duration in hours → ``unit`` (min, h, d, wk, mo, yr)."""
    _check(unit, TIME_UNITS, "time")
    return _scale(value, 1 / HOURS_PER[unit])


def rounding_tolerance(stated: str) -> float:
    """Half a unit in the last decimal place a document wrote: "1.1" → 0.05, "11" → 0.5."""
    text = stated.strip().replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def agrees_within_rounding(computed: float, stated: str) -> bool:
    """Whether a document's stated conversion is ``computed`` rounded as the document rounds."""
    return abs(computed - float(stated.replace(",", ""))) <= rounding_tolerance(stated) + 1e-9
