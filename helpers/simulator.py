"""Notebook 08: a PK simulator panel on top of the teaching model in ``helpers.pk``.

EDUCATIONAL ONLY, NOT MEDICAL ADVICE. The curves are drawn from average literature
parameters (``data/pk_parameters.csv``) and the bioavailability ranges the documents
state (``data/pharmacokinetics.csv``); real people differ several-fold, and nothing
here is a dose or a route to use.

``explore_pk_simulator(params)`` shows the panel: route, dose, weight, infusion time,
model and a concentration threshold as controls; the concentration curves (central
bioavailability as a line, the stated bioavailability range as a shaded band) over the
documented concentration ranges from the evidence table (pk-007, pk-008, pk-009); and
read-outs (Cmax, Tmax, hours above the threshold) as a table under the chart.

The notebook's parameter spec is ``PARAMS``; importing this module registers it as
``helpers.params.NOTEBOOKS["08_pk_simulator"]`` (and the explorer in
``helpers.explore.EXPLORERS``) unless it is already there.
"""

from __future__ import annotations

import html
import math
from typing import Any

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from helpers import pk
from helpers.charts import OKABE_ITO, WIDTH, _title
from helpers.explore import VEGALITE_MIME, Explorer, download_link, prepared, report_mode, table_html
from helpers.params import NOTEBOOKS, Param, ParameterError, validate
from helpers.rules import MAX_MG_PER_KG, check, parse_routes  # here too: the report runner checks them

NOTEBOOK = "08_pk_simulator"
DOSE_UNITS = ("mg/kg", "mg")
CHART_POINTS = 481  # about this many samples per curve in the chart; the model runs once a minute
SUBTITLE = "Teaching model — educational use only, not medical advice"
ROUTE_COLORS = dict(zip(pk.SIMULATED_ROUTES, OKABE_ITO, strict=False))
CURVE_COLUMNS = ["route", "time_h", "conc_ng_ml", "conc_low", "conc_high"]

# The documented concentration ranges drawn behind the curves: a label, and how to find the
# row in the evidence table (measure, and a phrase of its population). The numbers are read
# from the table, never written here.
LANDMARKS = (
    ("antidepressant peak", "plasma concentration", "typical intravenous antidepressant dose"),
    ("dissociation", "plasma concentration", "dissociation"),
    ("side effects", "plasma concentration", "showing unwanted effects"),
)

PARAMS: tuple[Param, ...] = NOTEBOOKS[NOTEBOOK]


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


# -------------------------------------------------------------------------------- chart


def pk_curves_chart(
    curves: pd.DataFrame, landmarks: pd.DataFrame, threshold: float, note: str | None = None
) -> alt.LayerChart:
    """Concentration curves per route over the documented concentration ranges.

    curves: route, time_h, conc_ng_ml, conc_low, conc_high (``simulate_curves``); landmarks:
    landmark, id, value_low, value_high, band_label (``landmark_rows``); threshold in ng/mL
    drawn as a dashed rule; note: an optional second subtitle line (e.g. the dose).
    """
    missing = set(CURVE_COLUMNS) - set(curves.columns)
    if missing:
        raise ValueError(f"curves is missing column(s) {sorted(missing)}; it needs {CURVE_COLUMNS}")
    title = "Simulated plasma ketamine concentration by route"
    data = curves[CURVE_COLUMNS].copy()
    data["route"] = data["route"].astype(str)
    for column in ("time_h", "conc_ng_ml", "conc_low", "conc_high"):
        data[column] = data[column].astype(float).round(3)
    routes = list(dict.fromkeys(data["route"]))
    domain = [r for r in pk.SIMULATED_ROUTES if r in routes] + [r for r in routes if r not in ROUTE_COLORS]
    color = alt.Color(
        "route:N",
        title="route",
        scale=alt.Scale(domain=domain, range=[ROUTE_COLORS.get(r, "#999999") for r in domain]),
        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1),
    )
    x = alt.X("time_h:Q", title="hours after the dose starts", scale=alt.Scale(nice=False))
    y_title = "plasma ketamine (ng/mL)"
    tooltip = [
        alt.Tooltip("route:N"),
        alt.Tooltip("time_h:Q", title="hours", format=".2f"),
        alt.Tooltip("conc_ng_ml:Q", title="ng/mL (central)", format=".1f"),
        alt.Tooltip("conc_low:Q", title="ng/mL (low bioavailability)", format=".1f"),
        alt.Tooltip("conc_high:Q", title="ng/mL (high bioavailability)", format=".1f"),
    ]

    marks = landmarks[["landmark", "id", "value_low", "value_high", "band_label"]].copy()
    for column in ("quote", "source_label"):
        marks[column] = landmarks[column].astype(str) if column in landmarks else ""
    band_tooltip = [
        alt.Tooltip("band_label:N", title="documented range"),
        alt.Tooltip("source_label:N", title="source"),
        alt.Tooltip("quote:N", title="quote"),
    ]
    bands = (
        alt.Chart(marks)
        .mark_rect(color="#999999", opacity=0.14)
        .encode(y=alt.Y("value_low:Q", title=y_title), y2="value_high:Q", tooltip=band_tooltip)
    )
    band_text = (
        alt.Chart(marks)
        .mark_text(align="right", baseline="top", dx=-4, dy=2, fontSize=10, color="#444")
        .encode(x=alt.value(WIDTH), y="value_high:Q", text="band_label:N")
    )

    base = alt.Chart(data)
    spread = base.mark_area(opacity=0.22).encode(x=x, y="conc_low:Q", y2="conc_high:Q", color=color, tooltip=tooltip)
    lines = base.mark_line(strokeWidth=2.2).encode(
        x=x, y=alt.Y("conc_ng_ml:Q", title=y_title), color=color, tooltip=tooltip
    )

    limit = pd.DataFrame({"threshold": [float(threshold)], "label": [f"threshold {threshold:g} ng/mL"]})
    rule = (
        alt.Chart(limit)
        .mark_rule(strokeDash=[6, 4], color="#000000", strokeWidth=1.5)
        .encode(y="threshold:Q", tooltip=[alt.Tooltip("label:N", title="threshold")])
    )
    rule_text = (
        alt.Chart(limit)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontSize=10, fontWeight="bold")
        .encode(x=alt.value(0), y="threshold:Q", text="label:N")
    )

    peaks = []
    for route in routes:
        one = data[data["route"] == route]
        i = one["conc_ng_ml"].idxmax()
        peaks.append(f"{route} peaks at {one.at[i, 'conc_ng_ml']:.0f} ng/mL after {one.at[i, 'time_h'] * 60:.0f} min")
    same = [
        f"{a} and {b} coincide (same stated bioavailability and typical Tmax)"
        for i, a in enumerate(routes)
        for b in routes[i + 1 :]
        if np.array_equal(data.loc[data["route"] == a, "conc_ng_ml"], data.loc[data["route"] == b, "conc_ng_ml"])
    ]
    documented = "; ".join(
        f"{n} {lo:g}-{hi:g} ng/mL ({rid})"
        for n, lo, hi, rid in zip(marks["landmark"], marks["value_low"], marks["value_high"], marks["id"], strict=True)
    )
    description = (
        f"{title}. {SUBTITLE}. Line chart of concentration (ng/mL) against hours for {len(routes)} route(s), "
        f"{', '.join(routes)}, with the stated bioavailability range shaded around each line. "
        f"{'. '.join(peaks + same)}. Grey bands are documented ranges from the evidence table: {documented}. "
        f"A dashed line marks the {threshold:g} ng/mL threshold."
    )
    subtitle = [SUBTITLE] + ([note] if note else [])
    return alt.layer(bands, band_text, spread, lines, rule, rule_text).properties(
        title=_title(title, subtitle=subtitle), width=WIDTH, height=320, description=description
    )


# ----------------------------------------------------------------------------- explorer


def _note(values: dict[str, Any]) -> str:
    """Second subtitle line: the dose, and what the shading means."""
    mg = dose_mg(values)
    if values["dose_unit"] == "mg/kg":
        dose = f"{values['dose']:g} mg/kg × {values['weight_kg']:g} kg = {mg:.4g} mg"
    else:
        dose = f"{mg:.4g} mg for {values['weight_kg']:g} kg"
    return f"{dose} · shading: stated bioavailability range · grey bands: documented ranges"


class SimulatorExplorer(Explorer):
    """Controls for routes, dose, weight, infusion, hours, threshold and model; curves + read-outs."""

    notebook, table = NOTEBOOK, "pharmacokinetics"
    title = "PK simulator (teaching model)"

    def __init__(self, params: dict[str, Any] | None = None, **overrides: Any):
        check(validate(self.notebook, {**(params or {}), **overrides}))  # routes and dose, before any widget
        self._holding = False
        super().__init__(params, **overrides)
        self.initial = check(self.initial)
        style = {"description_width": "initial"}
        self._replace(
            "routes",
            widgets.SelectMultiple(
                options=list(pk.SIMULATED_ROUTES),
                value=parse_routes(self.initial["routes"]),
                rows=len(pk.SIMULATED_ROUTES),
                description="routes",
                style=style,
            ),
        )
        self._replace(
            "dose",
            widgets.BoundedFloatText(
                value=self.initial["dose"], min=0.0, max=1000.0, step=0.05, description="dose", style=style
            ),
        )
        self._readouts = widgets.HTML()
        self._status = widgets.HTML()
        self.landmarks = landmark_rows(self.source)

    def _replace(self, name: str, control: widgets.Widget) -> None:
        """Swap the spec-built widget for ``control`` (same name, same change handler)."""
        self.controls[name].unobserve(self._on_change, names="value")
        self.controls[name] = control
        control.observe(self._on_change, names="value")

    # --- state -------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, validated (routes as 'IV,oral')."""
        raw = {name: c.value for name, c in self.controls.items()}
        if not isinstance(raw["routes"], str):
            raw["routes"] = ",".join(raw["routes"])
        return check(validate(self.notebook, raw, check_order=False))

    @property
    def routes(self) -> tuple[str, ...]:
        return parse_routes(self.values["routes"])

    @property
    def dose_mg(self) -> float:
        return dose_mg(self.values)

    @property
    def data(self) -> pd.DataFrame:
        """The curves for the current controls (route, time_h, conc_ng_ml, conc_low, conc_high)."""
        return simulate_curves(self.values)

    @property
    def readouts(self) -> pd.DataFrame:
        """Cmax, Tmax, hours above the threshold and bioavailability per route."""
        return compute_readouts(self.values)

    def filter(self, frame, values):
        return frame

    def charts(self, frame: pd.DataFrame | None = None, values: dict[str, Any] | None = None) -> list[alt.LayerChart]:
        values = self.values if values is None else values
        frame = simulate_curves(values) if frame is None else frame
        return [pk_curves_chart(frame, self.landmarks, values["threshold_ng_ml"], note=_note(values))]

    # --- wiring ------------------------------------------------------------------------------
    def _on_change(self, change=None) -> None:
        if self._holding:
            return
        if change is not None and change["owner"] is self.controls.get("dose_unit"):
            self._convert_dose(change["old"], change["new"])
        self.refresh()

    def _convert_dose(self, old: str, new: str) -> None:
        """Keep the total dose when the unit flips (0.5 mg/kg at 70 kg <-> 35 mg)."""
        control, weight = self.controls["dose"], self.controls["weight_kg"].value
        if old == "mg/kg" and new == "mg":
            value = control.value * weight
        elif old == "mg" and new == "mg/kg":
            value = min(control.value / weight, MAX_MG_PER_KG)
        else:
            return
        self._holding = True
        try:
            control.value = round(min(value, control.max), 4)
        finally:
            self._holding = False

    def refresh(self) -> None:
        """Rebuild the chart and read-outs; an invalid control shows a message instead."""
        try:
            values = self.values
        except ParameterError as exc:
            self._status.value = (
                f'<p role="alert" style="color:#D55E00"><b>Nothing redrawn:</b> {html.escape(str(exc))}</p>'
            )
            return
        self._status.value = ""
        bands = simulate_bands(values)
        frame = simulate_curves(values, bands)
        built = self.charts(frame, values)
        if self._jcharts is not None:
            for jchart, chart in zip(self._jcharts, built, strict=True):
                jchart.chart = chart
        self._readouts.value = readouts_html(compute_readouts(values, bands), values["threshold_ng_ml"])
        self._download.value = download_link(frame, "pk_simulator_curves.csv")
        self._table.value = table_html(self.landmarks)
        for listener in self._listeners:
            listener(self)

    def widget(self) -> widgets.Widget:
        """Controls, the chart, the read-outs table, a CSV download and the documented ranges."""
        if self._jcharts is None:
            self._jcharts = [alt.JupyterChart(c) for c in self.charts()]
            self.refresh()
        controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        table = widgets.Accordion(children=[self._table], titles=("Documented ranges and their source sentences",))
        table.selected_index = None
        return widgets.VBox([controls, self._status, *self._jcharts, self._readouts, self._download, table])

    def show(self) -> None:
        """Display the panel; a static spec and tables in a report run (KETAMINE_REPORT=1)."""
        if not report_mode():
            display(self.widget())
            return
        values = self.values
        bands = simulate_bands(values)
        for chart in self.charts(simulate_curves(values, bands), values):
            spec_dict = chart.to_dict()
            display({VEGALITE_MIME: spec_dict, "text/plain": spec_dict.get("description", "chart")}, raw=True)
        display(
            HTML(
                readouts_html(compute_readouts(values, bands), values["threshold_ng_ml"])
                + "<p><b>Documented ranges</b> (grey bands) and their source sentences:</p>"
                + table_html(self.landmarks)
            )
        )


def explore_pk_simulator(params: dict[str, Any] | None = None) -> SimulatorExplorer:
    """Build and display the PK simulator panel; returns it for further use."""
    explorer = SimulatorExplorer(params)
    explorer.show()
    return explorer


__all__ = [
    "LANDMARKS",
    "NOTEBOOK",
    "PARAMS",
    "SimulatorExplorer",
    "check",
    "compute_readouts",
    "dose_mg",
    "explore_pk_simulator",
    "landmark_rows",
    "parse_routes",
    "pk_curves_chart",
    "readouts_html",
    "simulate_bands",
    "simulate_curves",
]
