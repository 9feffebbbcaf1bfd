"""Marks the views of notebooks 02, 03, 04 and 06 share: intervals with points, fixed domains,
axis titles that follow a param, and the note a chart shows when the controls leave it empty.

Everything here builds spec fragments; nothing runs Python on a control change.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pandas as pd

from helpers.data.dictionary import field_spec
from helpers.data.provenance import column_values
from helpers.views import core, encodings
from helpers.views.lazy import alt


def one() -> Any:
    """A single datum, for marks that draw once per chart (axis titles that follow a param)."""
    return alt.InlineData(values=[{"one": 1}])


NOTE_COLOR = "#444"  # text on white: contrast 9.7:1
# d3 formats for numbers a reader sees: digits with thousands separators, never "2.6e+3" (``g`` switches
# to exponents once a number has more digits than its precision). ``r`` rounds to significant digits
# in plain notation and ``~`` drops trailing zeros, so 2600 is "2,600", 10.937 "10.9" and 0.29 "0.29".
READABLE = ",.3~r"  # three significant digits: no more than the documents state
READABLE_TICK = ",~r"  # an axis tick (a round number) as it is


def can_pick(view: core.View) -> bool:
    """Whether the view's points may carry the click selection: no param's signal is one Vega-Lite declares
    for a selection (``core.signal_name`` renames those, e.g. 04's ``unit``)."""
    return not core.RESERVED_SIGNALS & {c.signal for c in view.controls}


def domain(column: str) -> list[str]:
    """Every value a column may take (dictionary enum, or sources.csv for source_id), not only those shown."""
    if column == "source_id":
        return [str(s) for s in column_values("sources", "source_id")]
    return list(field_spec(column)["enum"])


def lookup(mapping: dict[str, Any], key: str) -> str:
    """A Vega expression for ``mapping[key]`` (an object literal; ``key`` is an expression)."""
    return f"({json.dumps(mapping, ensure_ascii=False)})[{key}]"


def log10_of(param: str, value: str, floor: float = 1e-3) -> str:
    """Like :func:`encodings.log_field`, for any expression (a constant, a computed field)."""
    return f"({param} ? log(max({value}, {floor}))/LN10 : {value})"


def log_axis(param: str, title: str | None) -> alt.Axis:
    """``encodings.log_axis`` with readable labels between whole powers of ten.

    On a short log range Vega puts ticks at half decades too (its ``tickMinStep`` from a param is not
    honoured), and ``~g`` printed 10^-0.5 as "0.316228": two significant digits there, "0.32". No
    exponents: 10^3.5 is "3,200" (``~g`` gave "3.2e+3"), 10^4 "10,000".
    """
    axis = encodings.log_axis(param, title)
    tick, half = json.dumps(READABLE_TICK), json.dumps(",.2~r")
    axis["labelExpr"] = (
        f"{param} ? format(pow(10, datum.value), datum.value % 1 == 0 ? {tick} : {half}) : format(datum.value, {tick})"
    )
    return axis


def intervals(
    base: alt.Chart,
    y: alt.Y,
    color: alt.Color,
    tooltip: list,
    x_axis: alt.Axis | None,
    x_scale: alt.Scale | None = None,
    pick: bool = True,
) -> list[alt.Chart]:
    """Rules for ranges (dashed when hedged) and a point per figure (hollow when hedged, click for source).

    ``base`` has computed ``x_low``, ``x_high`` and ``x_mid``, positions on the axis' scale.
    ``pick``: the points carry the click-to-source selection (see :func:`can_pick`).
    """
    scale = x_scale if x_scale is not None else alt.Undefined
    rule = (
        base.transform_filter("datum.x_high != datum.x_low")
        .mark_rule(strokeWidth=3)
        .encode(
            x=alt.X("x_low:Q", scale=scale, axis=x_axis),
            x2="x_high:Q",
            y=y,
            color=color,
            strokeDash=encodings.hedge_dash(),
            tooltip=tooltip,
        )
    )
    point = base.mark_point(size=80, strokeWidth=2, opacity=1, cursor="pointer").encode(
        x=alt.X("x_mid:Q", scale=scale, axis=x_axis),
        y=y,
        color=color,
        fill=encodings.hedge_fill(color),
        shape=encodings.hedge_shape(),
        tooltip=tooltip,
    )
    return [rule, point.add_params(encodings.pick()) if pick else point]


def kept_counts(rows: pd.DataFrame, view: core.View, drawn: str) -> alt.Chart:
    """One datum holding how many rows the filters keep (``kept``) and how many of them are drawn (``shown``).

    Summed over every row, so it exists even when the filters keep none (an aggregate of no rows
    gives no datum in Vega, and the empty-chart note needs one).
    """
    keep = view.row_filter()
    return (
        alt.Chart(rows)
        .transform_calculate(k=f"({keep}) ? 1 : 0", s=f"(({keep}) && ({drawn})) ? 1 : 0")
        .transform_aggregate(kept="sum(k)", shown="sum(s)")
    )


def empty_note(
    rows: pd.DataFrame, view: core.View, drawn: str, none_kept: str, none_drawn: str, above: bool = False
) -> alt.Chart:
    """A line of text when nothing is drawn, saying why (no rows match, or they are in the table only).

    ``none_drawn`` may use ``datum.kept`` (how many rows the table lists). Top left inside the plot,
    or ``above`` it for charts whose height follows their rows (an empty one has no height: the note
    would sit on the x axis title and the legend).
    """
    y, dy, baseline = (alt.value(0), -4, "bottom") if above else (alt.value(6), 0, "top")
    return (
        kept_counts(rows, view, drawn)
        .transform_filter("datum.shown == 0")
        .transform_calculate(note=f"datum.kept == 0 ? {json.dumps(none_kept)} : ({none_drawn})")
        .mark_text(align="left", baseline=baseline, dy=dy, fontSize=13, color=NOTE_COLOR, aria=False)
        .encode(x=alt.value(6), y=y, text="note:N")
    )


def axis_title(text_expr: str, where: str) -> alt.Chart:
    """An axis title that follows a param (Vega-Lite's axis ``title`` takes no expression: the schema
    rejects ``{"expr": ...}`` there, although the compiler would take it). ``where``: "x" (centred
    under the x axis labels) or "y" (above the y axis, left-aligned, as OWID's grapher does)."""
    # "height" as a value is the unit's own height (in a concat the signal ``height`` is not). With no x,
    # Vega-Lite centres a text mark on the unit's own width signal, so the title follows the plot's width
    # when the page fits the chart to its box (layout.js), as a pixel value would not.
    if where == "x":
        place = {"y": alt.value("height")}
        mark = {"align": "center", "baseline": "top", "dy": 32}
    else:
        place = {"x": alt.value(0), "y": alt.value(-10)}
        mark = {"align": "left", "baseline": "bottom"}
    return alt.Chart(one()).mark_text(text={"expr": text_expr}, fontWeight="bold", fontSize=11, **mark).encode(**place)


def legend_offset(color: alt.Color, offset: int) -> alt.Color:
    """The colour channel with its legend ``offset`` px below the plot (room for a title drawn as a mark)."""
    color = color.copy(deep=True)
    # Item access: Altair's ``color.legend`` is a property setter, and setting an attribute on it was lost
    # (04's legend sat on its axis title, which a narrow plot puts right over the legend's title).
    color["legend"]["offset"] = offset
    return color


def series_colors(groups: dict[str, list[str]], order: list[str]) -> list[str]:
    """A fixed colour per series such that series drawn together (one group) never share one.

    Greedy: each series takes the first palette colour no series of its groups holds yet. Pale
    yellow comes last in the palette, so it is used only when a group has that many series.
    """
    chosen: dict[str, str] = {}
    for series in order:
        taken = {chosen[s] for members in groups.values() if series in members for s in members if s in chosen}
        chosen[series] = next(
            (c for c in core.PALETTE if c not in taken), core.PALETTE[len(chosen) % len(core.PALETTE)]
        )
    return [chosen[s] for s in order]


def stacked(*charts: alt.LayerChart) -> alt.VConcatChart:
    """Charts one above the other, 40 px apart, their points sharing the one click selection.

    Altair merges a selection that several sub-charts add (each adds ``encodings.pick()``) into one
    param with several views, and warns that it did: that merge is the point here.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Automatically deduplicated selection parameter", UserWarning)
        return alt.vconcat(*charts, spacing=40)


def figures_above(view: core.View, top: alt.LayerChart, below: alt.LayerChart, description: str) -> alt.VConcatChart:
    """A view of two charts (a figures chart above a fixed one): independent colours and shapes, the rows
    cell, every control as a param, and the text alternative of the whole."""
    charts = stacked(top, below).resolve_scale(color="independent", fill="independent", shape="independent")
    return encodings.with_params(with_rows(charts, view), view).properties(description=description)


def with_rows(charts: alt.VConcatChart, view: core.View) -> alt.VConcatChart:
    """Charts stacked in a concat, and ``encodings.rows_layer`` as one more, 1 px, invisible cell under them.

    Inside a concat, Altair renames each named unit of a layered sub-chart (even in a nested layer:
    ``rows`` becomes ``rows_0``, and the page looks for ``rows``) and adds it to the views of the
    click selection (two ``pick`` signals: Vega refuses the spec). A unit that is itself a cell of
    the outer concat keeps its name and takes no selection.
    """
    cell = encodings.rows_layer(view.rows, view).properties(width=1, height=1, view=alt.ViewBackground(stroke=None))
    return alt.vconcat(charts, cell, spacing=0)


def percent_chart(view: core.View, label: str, sort: alt.EncodingSortField, x_title: str, step: int) -> alt.LayerChart:
    """Intervals (dashed when hedged) and points (hollow when hedged) on 0–100 %, coloured by ``color_by``."""
    rows = view.rows
    # Fixed colour domains: every value the dictionary (or sources.csv) allows, not what is shown.
    color = encodings.color_by("color_by", {c: domain(c) for c in view.control("color_by").param.choices})
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
    rule, point = intervals(base, y, color, core.tooltip(), alt.Axis(title=x_title), alt.Scale(domain=[0, 100]))
    n_percent = int((rows["unit"] == "%").sum())
    description = (
        f"{view.title}. Intervals and points on a 0-100% axis, one row per figure, {n_percent} percent figures "
        f"from {rows['source_id'].nunique()} source documents before filtering; hollow marks are hedged. "
        f"{len(rows) - n_percent} figures not in percent are in the table only. The table under the chart "
        "lists the figures the controls select, with their source sentences."
    )
    return encodings.with_params(
        alt.layer(rule, point, encodings.rows_layer(rows, view))
        .resolve_scale(shape="independent")
        .properties(
            title=encodings.title(view.title), width=core.WIDTH, height=alt.Step(step), description=description
        ),
        view,
    )
