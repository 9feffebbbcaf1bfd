"""Notebook 08: the PK simulator's model glue on top of the teaching model in ``helpers.models.pk``.

EDUCATIONAL ONLY, NOT MEDICAL ADVICE. The curves are drawn from average literature
parameters (``data/pk_parameters.csv``) and the bioavailability ranges the documents
state (``data/pharmacokinetics.csv``); real people differ several-fold, and nothing
here is a dose or a route to use.

Here: the routes and dose rules (``parse_routes``, ``check``), the curves and read-outs
in Python (``simulate_bands``, ``simulate_curves``, ``compute_readouts``) and the documented
concentration ranges from the evidence table (``landmark_rows``: pk-007, pk-008, pk-009).
The chart and its controls are the declarative view in ``helpers.views.pk_simulator``, which computes
the same curves in the page; a browser test holds the two to 0.1 %.

The notebook's parameters are declared in ``helpers.params.notebooks``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from helpers.data.prepared import prepared
from helpers.models import pk
from helpers.params import ParameterError, declared, validate
from helpers.params.notebooks import MAX_MG_PER_KG  # noqa: F401 - the dose limit belongs with the model too
from helpers.params.verdict import parse_list

NOTEBOOK = "08_pk_simulator"
DOSE_UNITS = ("mg/kg", "mg")
CHART_POINTS = 481  # about this many samples per curve in the chart; the model runs once a minute
SUBTITLE = "Teaching model — educational use only, not medical advice"
CURVE_COLUMNS = ["route", "time_h", "conc_ng_ml", "conc_low", "conc_high"]

# The documented concentration ranges drawn behind the curves: a label, and how to find the
# row in the evidence table (measure, and a phrase of its population). The numbers are read
# from the table, never written here.
LANDMARKS = (
    ("antidepressant peak", "plasma concentration", "typical intravenous antidepressant dose"),
    ("dissociation", "plasma concentration", "dissociation"),
    ("side effects", "plasma concentration", "showing unwanted effects"),
)


def check(values: dict[str, Any]) -> dict[str, Any]:
    """Notebook 08's values, every declared rule checked (routes in canonical form); ParameterError otherwise."""
    return validate(NOTEBOOK, values)


def parse_routes(routes: Any) -> tuple[str, ...]:
    """The routes named in 'IV, oral' (or a list), in the model's order, without repeats; ParameterError
    naming every unknown route and the valid ones."""
    items = routes.split(",") if isinstance(routes, str) else routes
    if not isinstance(items, (list, tuple)):
        raise ParameterError(f"routes must be text such as 'IV,oral', got {routes!r}")
    ok, value, message = parse_list(declared(NOTEBOOK).param("routes"), [str(i) for i in items])
    if not ok:
        raise ParameterError(message)
    return tuple(value.split(","))


# --------------------------------------------------------------------------- parameters


def dose_mg(values: dict[str, Any]) -> float:
    """The total dose in mg."""
    if values["dose_unit"] == "mg/kg":
        return pk.dose_from_mg_per_kg(values["dose"], values["weight_kg"])
    return float(values["dose"])


def _route_args(route: str, values: dict[str, Any]) -> tuple[float | None, str]:
    """(infusion_min, model) for one route: infusions and the two-compartment model are IV only."""
    if route != "IV":
        return None, "one"
    infusion = values["infusion_min"] if values["infusion_min"] > 0 else None
    return infusion, values["model"]


def delivery(route: str, values: dict[str, Any]) -> str:
    """How the dose enters the blood, in words."""
    if route == "IV":
        infusion, _ = _route_args(route, values)
        return "IV bolus" if infusion is None else f"IV infusion over {infusion:g} min"
    return f"first-order absorption (typical Tmax {pk.tmax_h(route) * 60:g} min)"


# ------------------------------------------------------------------------------- curves


def simulate_bands(values: dict[str, Any]) -> list[tuple[str, pk.PKBand]]:
    """(route, low/central/high curves) for each chosen route, one sample a minute."""
    mg = dose_mg(values)
    out = []
    for route in parse_routes(values["routes"]):
        infusion, model = _route_args(route, values)
        band = pk.simulate_range(
            route, mg, values["weight_kg"], infusion_min=infusion, hours=values["hours"], model=model
        )
        out.append((route, band))
    return out


def _chart_samples(band: pk.PKBand, max_points: int = CHART_POINTS) -> np.ndarray:
    """Indices of an evenly thinned grid that keeps the first and last samples and every peak."""
    n = len(band.time_h)
    step = max(1, math.ceil((n - 1) / (max_points - 1)))
    keep = set(range(0, n, step)) | {n - 1}
    keep |= {int(np.argmax(curve.conc_ng_ml)) for curve in (band.low, band.central, band.high)}
    return np.array(sorted(keep))


def simulate_curves(values: dict[str, Any], bands: list[tuple[str, pk.PKBand]] | None = None) -> pd.DataFrame:
    """Tidy curves for the chosen routes: route, time_h, conc_ng_ml (central), conc_low, conc_high.

    Simulated once a minute, then thinned to about CHART_POINTS samples per curve; the
    peaks are always kept, so each curve's maximum equals the read-out's Cmax.
    """
    frames = []
    for route, band in simulate_bands(values) if bands is None else bands:
        i = _chart_samples(band)
        frames.append(
            pd.DataFrame(
                {
                    "route": route,
                    "time_h": band.time_h[i],
                    "conc_ng_ml": band.central.conc_ng_ml[i],
                    "conc_low": band.low.conc_ng_ml[i],
                    "conc_high": band.high.conc_ng_ml[i],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]


def compute_readouts(values: dict[str, Any], bands: list[tuple[str, pk.PKBand]] | None = None) -> pd.DataFrame:
    """One row per route: Cmax, Tmax and hours above the threshold (central bioavailability,
    one sample a minute), the Cmax range over the bioavailability range, and the range itself (%).
    """
    rows = []
    for route, band in simulate_bands(values) if bands is None else bands:
        cmax, tmax = pk.cmax_tmax(band.central)
        rows.append(
            {
                "route": route,
                "delivery": delivery(route, values),
                "model": "two-compartment" if band.central.model == "two" else "one-compartment",
                "dose_mg": band.central.dose_mg,
                "cmax_ng_ml": cmax,
                "tmax_h": tmax,
                "hours_above_threshold": pk.time_above(band.central, values["threshold_ng_ml"]),
                "cmax_low_ng_ml": pk.cmax_tmax(band.low)[0],
                "cmax_high_ng_ml": pk.cmax_tmax(band.high)[0],
                "bioavailability_low_pct": 100.0 * band.low.fraction_absorbed,
                "bioavailability_central_pct": 100.0 * band.central.fraction_absorbed,
                "bioavailability_high_pct": 100.0 * band.high.fraction_absorbed,
            }
        )
    return pd.DataFrame(rows)


def readouts_html(readouts: pd.DataFrame, threshold: float) -> str:
    """The read-outs as an HTML table with readable headers and rounded numbers."""

    def pct(row) -> str:
        lo, mid, hi = (row[f"bioavailability_{k}_pct"] for k in ("low", "central", "high"))
        return f"{lo:.0f} %" if lo == hi else f"{lo:.0f}–{hi:.0f} % (curve: {mid:.1f} %)"

    def cmax_range(row) -> str:
        lo, hi = row["cmax_low_ng_ml"], row["cmax_high_ng_ml"]
        return f"{lo:.0f}" if math.isclose(lo, hi) else f"{lo:.0f}–{hi:.0f}"

    shown = pd.DataFrame(
        {
            "route": readouts["route"],
            "delivery": readouts["delivery"],
            "model": readouts["model"],
            "dose (mg)": [f"{v:.4g}" for v in readouts["dose_mg"]],
            "Cmax (ng/mL)": [f"{v:.0f}" for v in readouts["cmax_ng_ml"]],
            "Cmax over the bioavailability range": [cmax_range(r) for _, r in readouts.iterrows()],
            "Tmax": [f"{v * 60:.0f} min" for v in readouts["tmax_h"]],
            f"hours ≥ {threshold:g} ng/mL": [f"{v:.2f}" for v in readouts["hours_above_threshold"]],
            "bioavailability": [pct(r) for _, r in readouts.iterrows()],
        }
    )
    note = (
        '<p style="color:#555;margin:4px 0"><b>Teaching model, not medical advice.</b> Cmax, Tmax and hours above '
        "the threshold are for the central bioavailability, sampled once a minute.</p>"
    )
    return note + shown.to_html(index=False, escape=True, classes="pk-readouts", border=0)


# ---------------------------------------------------------------------------- landmarks


def landmark_rows(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The documented concentration ranges (pk-007/8/9) from the evidence table, in ng/mL.

    One row per entry of LANDMARKS with columns landmark, id, value_low, value_high and
    whatever of unit, population, quote, source_id, source_label, value_label the table has.
    ``table`` defaults to the prepared pharmacokinetics table.
    """
    table = prepared("pharmacokinetics") if table is None else table
    rows = []
    for label, measure, phrase in LANDMARKS:
        hits = table[
            (table["measure"].astype(str) == measure)
            & table["population"].astype(str).str.contains(phrase, regex=False)
            & (table["unit"].astype(str) == "ng/mL")
        ]
        if len(hits) != 1:
            raise ValueError(
                f"pharmacokinetics: expected one {measure!r} row in ng/mL whose population mentions {phrase!r} "
                f"(for the {label!r} band), found {len(hits)}"
            )
        row = hits.iloc[0].to_dict()
        row["landmark"] = label
        rows.append(row)
    columns = ["landmark", "id", "value_low", "value_high", "unit", "population", "quote", "source_id"]
    columns += [c for c in ("evidence_kind", "source_label", "value_label") if c in rows[0]]
    out = pd.DataFrame(rows)[[c for c in columns if c in rows[0]]]
    out["value_low"] = out["value_low"].astype(float)
    out["value_high"] = out["value_high"].astype(float)
    out["band_label"] = [
        f"{name} {lo:g}–{hi:g} ng/mL ({rid})"
        for name, lo, hi, rid in zip(out["landmark"], out["value_low"], out["value_high"], out["id"], strict=True)
    ]
    return out


__all__ = [
    "LANDMARKS",
    "NOTEBOOK",
    "check",
    "compute_readouts",
    "dose_mg",
    "landmark_rows",
    "parse_routes",
    "readouts_html",
    "simulate_bands",
    "simulate_curves",
]
