"""The view of notebook 04: concentration landmarks in a unit of the reader's choice, and bioavailability by route.

Controls (Vega-Lite params): ``unit`` converts every concentration in the page, with the
factors of ``helpers.data.units`` written into the spec (no number retyped); ``matrix`` filters
(equal, or all); ``log_scale`` puts log10 of the values on a linear axis labelled in real
units (Vega-Lite cannot take a scale type from a param, see ``encodings.log_field``).

Bioavailability by route sits in the same spec, under the landmarks; ``matrix`` filters it as it filters
the table (its rows name no body fluid: any "measured in" but all keeps none, and a note says so).
"""

from __future__ import annotations

import json
import textwrap

import pandas as pd

from helpers.data.prepared import prepared
from helpers.data.units import CONCENTRATION_UNITS, DISPLAY, convert_concentration
from helpers.views import core, encodings
from helpers.views.lazy import alt
from helpers.views.marks import (
    READABLE,
    axis_title,
    can_pick,
    empty_note,
    figures_above,
    intervals,
    legend_offset,
    log_axis,
    lookup,
)

LOG = "log_scale"
TITLE = "Bioavailability and concentration landmarks"
POINTS = "concentration_points"  # the landmarks' point layer (tests read its data in the browser)


def unit_factors() -> dict[str, float]:
    """ng/mL in one of each unit, from ``helpers.data.units`` (a value × factor[from] / factor[to] converts it)."""
    return {unit: float(convert_concentration(1.0, unit, "ng/mL")) for unit in CONCENTRATION_UNITS}


def _label(measure: str, row_id: str, population: str) -> str:
    """Three lines: what is measured and the row, then who (wrapped, not cut: it says what the landmark is)."""
    lines = textwrap.wrap(population, 52)
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), 52, placeholder=" …")]
    return "\n".join([f"{measure} · {row_id}", *lines])


def bioavailability_rows() -> pd.DataFrame:
    """Every pharmacokinetics row; concentration landmarks flagged and labelled, sorted by their ng/mL value."""
    rows = prepared("pharmacokinetics").copy()
    # Concentrations measured in a body fluid; an in-vitro figure (pk-005's IC50, matrix n/a) is no landmark.
    rows["is_concentration"] = (
        rows["measure"].str.contains("concentration")
        & rows["unit"].isin(CONCENTRATION_UNITS)
        & rows["matrix"].ne("n/a")
    )
    rows["is_bioavailability"] = rows["measure"] == "bioavailability"
    rows["row_label"] = [
        _label(m, i, p) for m, i, p in zip(rows["measure"], rows["id"], rows["population"].astype(str), strict=True)
    ]
    factors = unit_factors()
    # The order of the rows does not change with the unit: by the low value in ng/mL.
    rows["order_ng_ml"] = [
        lo * factors[u] if c else None
        for lo, u, c in zip(rows["value_low"], rows["unit"], rows["is_concentration"], strict=True)
    ]
    rows["status_label"] = rows["value_status"].where(rows["value_status"] == "never measured", "")
    return rows


def concentrations_chart(view: core.View) -> alt.LayerChart:
    rows = view.rows
    factors = unit_factors()
    unit = core.signal_name("unit")  # "unit" itself is a signal Vega-Lite declares for selections
    shown = lookup(DISPLAY, unit)
    convert = f"{lookup(factors, 'datum.unit')} / {lookup(factors, unit)}"
    base = (
        alt.Chart(rows)
        .transform_filter(view.row_filter())
        .transform_filter("datum.is_concentration")
        .transform_calculate(low_shown=f"datum.value_low * {convert}", high_shown=f"datum.value_high * {convert}")
        .transform_calculate(x_low=encodings.log_field(LOG, "low_shown"), x_high=encodings.log_field(LOG, "high_shown"))
        .transform_calculate(
            x_mid="(datum.x_low + datum.x_high) / 2",
            converted=f"format(datum.low_shown, '{READABLE}') + (datum.high_shown != datum.low_shown ? '–' + "
            f"format(datum.high_shown, '{READABLE}') : '') + ' ' + {shown}",
        )
    )
    y = alt.Y(
        "row_label:N",
        title=None,
        sort=alt.EncodingSortField("order_ng_ml", op="min"),
        axis=alt.Axis(labelExpr="split(datum.value, '\\n')", labelLimit=360, labelPadding=6),
    )
    matrices = [m for m in view.control("matrix").param.choices if m != "all"]
    color = legend_offset(encodings.fixed_color("matrix", matrices, "measured in"), 50)  # under the unit's axis title
    tooltip = [alt.Tooltip("converted:N", title="in the chosen unit"), *core.tooltip()]
    scale = alt.Scale(zero={"expr": f"!{LOG}"}, nice=True)
    axis = log_axis(LOG, None)  # titled by a text mark (axis_title): the axis title takes no expression
    rule, point = intervals(base, y, color, tooltip, axis, scale, pick=can_pick(view))
    note = empty_note(
        rows, view, "datum.is_concentration", "No concentration landmarks match these settings.", "''", above=True
    )
    conc = rows[rows["is_concentration"]]
    description = (
        f"Ketamine concentration landmarks: {len(conc)} figures from {conc['source_id'].nunique()} source "
        "document(s), each an interval or point on one axis in the chosen unit (ng/mL, µM, mg/L or nM, converted "
        "with ketamine's molar mass), linear or log, coloured by where it was measured (plasma, blood or plasma, "
        f"CSF). {int(conc['hedged'].sum())} are hedged (hollow marks, dashed intervals)."
    )
    return alt.layer(
        rule,
        point.properties(name=POINTS),
        axis_title(f"'concentration (' + {shown} + ')'", "x"),
        note,
    ).properties(
        title=encodings.title({"expr": f"'Concentration landmarks, in ' + {shown}"}),
        width=core.WIDTH,
        height=alt.Step(44),
        description=description,
    )


def routes_chart(view: core.View, pick: bool) -> alt.LayerChart:
    """Bioavailability by route as intervals on 0–100 %; a route never measured is labelled, not drawn as zero.

    The controls' filters apply here as in the table ("measured in = CSF" keeps no route), and a
    note says so when they keep none.
    """
    rows = view.rows
    data = rows[rows["is_bioavailability"]]
    title = "Bioavailability by route (% of the dose reaching the blood)"
    y = alt.Y("route:N", title="route", sort=alt.EncodingSortField("value_mid", order="descending"))
    color = encodings.fixed_color("value_status", ["reported", "by definition"], "status")
    kept = alt.Chart(data).transform_filter(view.row_filter())
    measured = kept.transform_filter("isValid(datum.value_low)").transform_calculate(
        x_low="datum.value_low", x_high="datum.value_high", x_mid="datum.value_mid"
    )
    axis = alt.Axis(title="bioavailability (%)")
    rule, point = intervals(measured, y, color, core.tooltip(), axis, alt.Scale(domain=[0, 100]), pick=pick)
    never = (
        kept.transform_filter("!isValid(datum.value_low)")
        .mark_text(align="left", x=6, fontStyle="italic", color="#444", cursor="pointer")
        .encode(y=y, text="status_label:N", tooltip=core.tooltip())
    )
    none = "No bioavailability figures match these settings."  # the kept rows may be concentrations only
    note = empty_note(rows, view, "datum.is_bioavailability", none, json.dumps(none), above=True)
    unmeasured = ", ".join(data.loc[data["value_low"].isna(), "route"])
    description = (
        f"{title}. {int(data['value_low'].notna().sum())} routes as intervals or points on a 0-100% axis, from "
        f"source 003; {unmeasured or 'no route'}: never measured, labelled as such and not drawn as zero. "
        "The controls filter it as they filter the table."
    )
    return alt.layer(rule, point, never, note).properties(
        title=encodings.title(title), width=core.WIDTH, height=alt.Step(26), description=description
    )


def bioavailability_view() -> core.View:
    """04: concentrations (unit, matrix, log) above bioavailability by route."""
    controls = core.controls_for("04_bioavailability")

    def build(view: core.View) -> alt.VConcatChart:
        landmarks = concentrations_chart(view)
        routes = routes_chart(view, can_pick(view))
        below = "Below: bioavailability by route."
        return figures_above(view, landmarks, routes, f"{TITLE}. {landmarks.description} {below}")

    return core.View(
        "04_bioavailability",
        TITLE,
        bioavailability_rows(),
        controls,
        build,
        table_columns=("id", "measure", "route", "matrix", "value_label", "population", "source_label", "quote"),
    )
