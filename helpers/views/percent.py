"""Views of percent figures on a 0–100 % axis: response rates (01) and adverse effects (05).

Every filter and the colour-by switch are Vega-Lite params; the chart is built once
from the whole table. Figures that are not percentages (vote counts, pain scores)
stay in the rows, the count and the table, but are not drawn on a percent axis.
"""

from __future__ import annotations

import altair as alt

from helpers.views import core
from helpers.views.data import prepared
from helpers.views.marks import domain, intervals


def percent_chart(view: core.View, label: str, sort: alt.EncodingSortField, x_title: str, step: int) -> alt.LayerChart:
    """Intervals (dashed when hedged) and points (hollow when hedged) on 0–100 %, coloured by ``color_by``."""
    rows = view.rows
    # Fixed colour domains: every value the dictionary (or sources.csv) allows, not what is shown.
    color = core.color_by("color_by", {c: domain(c) for c in view.control("color_by").param.choices})
    base = (
        alt.Chart(rows)
        .transform_filter(view.row_filter())
        .transform_filter("datum.unit == '%'")
        .transform_calculate(
            colour="datum[color_by]",
            row_label=label,
            x_low="datum.value_low",
            x_high="datum.value_high",
            x_mid="datum.value_mid",
        )
    )
    y = alt.Y("row_label:N", title=None, sort=sort, axis=alt.Axis(labelLimit=320))
    rule, point = intervals(base, y, color, core.TOOLTIP, alt.Axis(title=x_title), alt.Scale(domain=[0, 100]))
    n_percent = int((rows["unit"] == "%").sum())
    description = (
        f"{view.title}. Intervals and points on a 0-100% axis, one row per figure, {n_percent} percent figures "
        f"from {rows['source_id'].nunique()} source documents before filtering; hollow marks are hedged. "
        f"{len(rows) - n_percent} figures not in percent are in the table only. The table under the chart "
        "lists the figures the controls select, with their source sentences."
    )
    return core.with_params(
        alt.layer(rule, point, core.rows_layer(rows, view))
        .resolve_scale(shape="independent")
        .properties(title=core.title(view.title), width=core.WIDTH, height=alt.Step(step), description=description),
        view,
    )


def response_rates_view() -> core.View:
    """01: response, remission, relapse and pain relief; ketamine beside the usual-care comparators."""
    controls = core.controls_for(
        "01_response_rates",
        {
            "condition": {"op": "equal", "columns": ("condition",)},
            "arm": {"op": "equal", "columns": ("arm",)},
            "evidence_kind": {"op": "equal", "columns": ("evidence_kind",), "label": "evidence kind"},
            "source_id": {"op": "equal", "columns": ("source_id",), "label": "source"},
            "color_by": {"label": "colour by"},
        },
    )

    def build(view: core.View) -> alt.LayerChart:
        return percent_chart(
            view,
            "datum.condition + ' · ' + datum.measure + ' · ' + datum.id",
            alt.EncodingSortField("condition"),
            "share of patients or of pain (%)",
            18,
        )

    return core.View(
        "01_response_rates",
        "Response, remission and relapse: what the documents claim",
        prepared("response_rates"),
        controls,
        build,
    )


def safety_view() -> core.View:
    """05: adverse-effect rates by dose context and population."""
    controls = core.controls_for(
        "05_safety",
        {
            "dose_context": {"op": "equal", "columns": ("dose_context",), "label": "dose context"},
            "color_by": {"label": "colour by"},
        },
    )

    def build(view: core.View) -> alt.LayerChart:
        return percent_chart(
            view,
            "datum.effect + ' · ' + slice(datum.population, 0, 40)",
            alt.EncodingSortField("value_high", order="descending"),
            "share of people (%)",
            22,
        )

    return core.View(
        "05_safety",
        "Adverse effects: share of people affected",
        prepared("adverse_effects"),
        controls,
        build,
        table_columns=(
            "id",
            "value_label",
            "effect",
            "population",
            "dose_context",
            "evidence_kind",
            "source_label",
            "quote",
        ),
    )
