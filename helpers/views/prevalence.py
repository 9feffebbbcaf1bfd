"""The view of notebook 03: survey and registry figures by year, one denominator at a time.

Controls (Vega-Lite params): ``denominator`` keeps the rows of one denominator (never all:
shares of different populations, and counts, must not share an axis); ``region`` filters
(equal, or all); ``log_scale`` puts log10 of the values on a linear axis labelled in real
units (Vega-Lite cannot take a scale type from a param, see ``encodings.log_field``).

Lines join two figures of a series only when their years are consecutive (Taiwan 2004, 2005,
2006). A line is a claim that the values in between lie on it; the documents give nothing
between 2000 and 2009 (Hong Kong) or 2004, 2007 and 2010 (Australia), so those stay points.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.data.prepared import prepared
from helpers.views import core, encodings
from helpers.views.lazy import alt
from helpers.views.marks import axis_title, empty_note, log_axis, lookup, series_colors

LOG = "log_scale"
TITLE = "Ketamine use and related figures by year"
FLOOR = 1e-3  # the log axis draws values at or below it at it (encodings.log_field)


def y_title(denominator: str, unit: str) -> str:
    """What the value axis holds, naming the denominator: 'share of students (%)'."""
    if unit == "count":
        return "number of people, deaths or visits (count)" if denominator == "count" else f"{denominator} (count)"
    if unit == "%":
        return "change in the rate (%)" if denominator == "rate change" else f"share of {denominator} (%)"
    return f"{denominator} ({unit})"


def prevalence_rows() -> pd.DataFrame:
    """Every prevalence row with its series (region · survey · age group), years and whether it can be drawn."""
    rows = prepared("prevalence").copy()
    age = rows["age_group"].map(lambda a: f" · {a}" if isinstance(a, str) and a else "")
    rows["series"] = rows["region"].astype(str) + " · " + rows["survey"].astype(str) + age
    start = rows["year_start"].astype("Float64")
    last = rows["year_end"].astype("Float64").fillna(start)
    rows["year_start"] = start.astype(float)
    rows["year_last"] = last.astype(float)
    rows["year_mid"] = (rows["year_start"] + rows["year_last"]) / 2
    rows["years"] = [
        "" if pd.isna(a) else (f"{a:.0f}" if a == b else f"{a:.0f}–{b:.0f}")
        for a, b in zip(rows["year_start"], rows["year_last"], strict=True)
    ]
    # Drawn: a year and a value. Undated figures (and the 16 million with no value) are in the table only.
    rows["drawn"] = rows["year_start"].notna() & rows["value_low"].notna()
    return rows


def _series_scale(rows: pd.DataFrame, regions: tuple[str, ...]) -> tuple[alt.Color, dict[str, list[str]]]:
    """Colour by series over every series in the table (fixed), and the legend entries per denominator|region."""
    order = list(rows.sort_values(["denominator", "series"])["series"].drop_duplicates())
    groups = {d: list(g["series"].unique()) for d, g in rows.groupby("denominator")}
    drawn = rows[rows["drawn"]]
    legend_values = {
        f"{d}|{r}": sorted(
            drawn.loc[(drawn["denominator"] == d) & ((drawn["region"] == r) | (r == "all")), "series"].unique()
        )
        for d in rows["denominator"].unique()
        for r in regions
    }
    shown = lookup(legend_values, "denominator + '|' + region")
    legend = alt.Legend(
        orient="bottom",
        columns=1,
        labelLimit=520,
        values={"expr": shown},  # only the series drawn, and no title over an empty legend
        titleOpacity={"expr": f"length({shown}) > 0 ? 1 : 0"},
    )
    color = alt.Color(
        "series:N",
        title="survey series",
        scale=alt.Scale(domain=order, range=series_colors(groups, order)),
        legend=legend,
    )
    return color, legend_values


def _log10(value: float) -> float:
    return math.log10(max(value, FLOOR))


def axis_domains(rows: pd.DataFrame, regions: tuple[str, ...]) -> tuple[dict, dict]:
    """The x (years) and y (values) domains of what each denominator, region and axis type draws.

    Written into the spec, so no scale is taken from a data set: a layer that draws nothing
    (no multi-year figure, no range) gave Vega's "Infinite extent" warning on every load, and an
    empty chart an axis from NaN to NaN. With nothing drawn, the denominator's domains (then the
    table's) hold the axes; the note says why the chart is empty.
    """
    drawn = rows[rows["drawn"]]
    years: dict[str, list[float]] = {}
    values: dict[str, list[float]] = {}

    def spans(part: pd.DataFrame) -> tuple[list[float], list[float], list[float]]:
        start, last = float(part["year_start"].min()), float(part["year_last"].max())
        low, high = float(part["value_low"].min()), float(part["value_high"].max())
        log = [_log10(low), _log10(high)]
        if log[0] == log[1]:
            log = [log[0] - 0.5, log[1] + 0.5]
        linear = [min(0.0, low), high if high > min(0.0, low) else 1.0]
        return ([start - 1, last + 1] if start == last else [start, last]), linear, log

    fallback = spans(drawn)
    for denominator in rows["denominator"].unique():
        mine = drawn[drawn["denominator"] == denominator]
        own = spans(mine) if len(mine) else fallback
        for region in regions:
            part = mine if region == "all" else mine[mine["region"] == region]
            x, linear, log = spans(part) if len(part) else own
            key = f"{denominator}|{region}"
            years[key] = x
            values[f"{key}|linear"], values[f"{key}|log"] = linear, log
    return years, values


def prevalence_chart(view: core.View) -> alt.LayerChart:
    rows = view.rows
    regions = view.control("region").param.choices
    color, _ = _series_scale(rows, regions)
    years, values = axis_domains(rows, regions)
    key = "denominator + '|' + region"
    base = (
        alt.Chart(rows)
        .transform_filter(view.row_filter())
        .transform_filter("datum.drawn")
        .transform_calculate(y_low=encodings.log_field(LOG, "value_low"), y_high=encodings.log_field(LOG, "value_high"))
        .transform_calculate(y_mid="(datum.y_low + datum.y_high) / 2")  # geometric middle on the log axis
    )
    x_scale = alt.Scale(domain={"expr": lookup(years, key)}, zero=False, nice=False, padding=24)
    x = alt.X("year_mid:Q", title="year", scale=x_scale, axis=alt.Axis(format="d"))
    axis_kind = f"{key} + '|' + ({LOG} ? 'log' : 'linear')"
    y_scale = alt.Scale(domain={"expr": lookup(values, axis_kind)}, zero=False, nice=True)
    titles = {d: y_title(d, str(g["unit"].iloc[0])) for d, g in rows.groupby("denominator")}
    axis = log_axis(LOG, None)  # titled by a text mark (axis_title): the axis title takes no expression
    y = alt.Y("y_mid:Q", scale=y_scale, axis=axis)
    tooltip = [alt.Tooltip("years:N", title="year"), alt.Tooltip("measure:N"), *core.tooltip()]
    hedged = {"color": color, "strokeDash": encodings.hedge_dash(), "tooltip": tooltip}
    spans = (
        base.transform_filter("datum.year_last > datum.year_start")
        .mark_rule(strokeWidth=2)
        .encode(x=alt.X("year_start:Q", scale=x_scale), x2="year_last:Q", y=y, **hedged)
    )
    ranges = (
        base.transform_filter("datum.y_high != datum.y_low")
        .mark_rule(strokeWidth=3)
        .encode(x=x, y=alt.Y("y_low:Q", scale=y_scale), y2="y_high:Q", **hedged)
    )
    # A segment to the next year of the same series and measure, only when that year comes next.
    steps = (
        base.transform_filter("datum.year_last == datum.year_start")
        .transform_window(
            next_year="lead(year_start)",
            next_y="lead(y_mid)",
            groupby=["series", "measure"],
            sort=[alt.SortField("year_start")],
        )
        .transform_filter("datum.next_year == datum.year_start + 1")
        .mark_rule(strokeWidth=1.5)
        .encode(x=x, y=y, x2="next_year:Q", y2="next_y:Q", color=color, tooltip=tooltip)
    )
    points = (
        base.mark_point(size=80, strokeWidth=2, opacity=1, cursor="pointer")
        .encode(x=x, y=y, color=color, fill=encodings.hedge_fill(color), shape=encodings.hedge_shape(), tooltip=tooltip)
        .add_params(encodings.pick())
    )
    note = empty_note(
        rows,
        view,
        "datum.drawn",
        "No figures match these settings.",
        "'The documents give no year for the ' + datum.kept + ' figure(s) that match: see the table.'",
    )
    drawn = rows[rows["drawn"]]
    description = (
        f"{TITLE}, one denominator at a time (what a share is a share of). Points by year, coloured by survey "
        f"series; vertical intervals for ranges, horizontal ones for figures over several years; lines only "
        f"between consecutive years of a series. {len(drawn)} dated figures from {drawn['source_id'].nunique()} "
        f"source document(s) before filtering, on a linear or log axis; {len(rows) - len(drawn)} undated figures "
        "are in the table only. The table under the chart lists the figures the controls select."
    )
    return alt.layer(
        spans,
        ranges,
        steps,
        points,
        axis_title(lookup(titles, "denominator"), "y"),
        note,
        encodings.rows_layer(rows, view),
    ).properties(
        title=encodings.title({"expr": f"'{TITLE}: ' + denominator"}),
        width=core.WIDTH,
        height=300,
        description=description,
    )


def prevalence_view() -> core.View:
    """03: prevalence, counts and prices by year for one denominator, any region, linear or log."""
    controls = core.controls_for("03_prevalence")

    def build(view: core.View) -> alt.LayerChart:
        return encodings.with_params(prevalence_chart(view), view)

    return core.View(
        "03_prevalence",
        TITLE,
        prevalence_rows(),
        controls,
        build,
        table_columns=(
            "id",
            "years",
            "value_label",
            "measure",
            "region",
            "survey",
            "denominator",
            "source_label",
            "quote",
        ),
    )
