"""The view of notebook 06: dated events of ketamine's history and regulation, one lane per category.

Controls (Vega-Lite params): ``topic`` filters (equal, or all); ``year_from`` keeps events that
end in or after it and ``year_to`` events that start in or before it (an undated event is
kept by every range: listed in the table, not drawn); ``color_by`` picks what colours the marks
and names the lanes (topic, event kind or source), each choice with a fixed colour domain.
The year axis spans the events kept (whole bars).

Events of one lane and year would hide each other (11 regulation events drew as about 8 dots),
so they are spread a few pixels up and down, by their rank within the year.
"""

from __future__ import annotations

import pandas as pd

from helpers.data.prepared import prepared
from helpers.data.tables import load
from helpers.views import core, encodings
from helpers.views.lazy import alt
from helpers.views.marks import domain, empty_note

TITLE = "History and regulation of ketamine"
SPREAD = 9  # px between events of one lane and year (points are 8 px wide)
STEP = 44  # px per lane
OLIVE = "#999933"  # Paul Tol's olive: dark enough for a hollow mark (3.1:1 on white)
COLOR_CHOICES = ("topic", "event_kind", "source_id")
PAD = 12  # px beyond the first and last event on the year axis
SUBTITLE = core.HEDGE_NOTE.replace("Click a mark for its source.", "Click an event for its source.")
# The source panel's and "cite this view"'s words (page and widget): this chart shows events, not figures.
HINTS = {
    "source": "Click an event in the chart to read its sentence and source here.",
    "cite": "Click an event to cite its sentence; the link cites the view.",
}


def history_rows() -> pd.DataFrame:
    """Every milestone, with its last year (the end year, or the start year of a one-year event) and labels."""
    rows = prepared("milestones").copy()
    start = rows["year_start"].astype("Float64")
    rows["year_start"] = start.astype(float)
    rows["year_last"] = rows["year_end"].astype("Float64").fillna(start).astype(float)
    rows["year_mid"] = (rows["year_start"] + rows["year_last"]) / 2
    rows["year_key"] = rows["year_mid"].round()  # events that share a spot on the axis
    rows["when"] = [
        "no year given" if pd.isna(a) else (_year(a) if a == b else f"{_year(a)}–{_year(b)}")
        for a, b in zip(rows["year_start"], rows["year_last"], strict=True)
    ]
    rows["source_id"] = rows["source_id"].astype(str)
    sources = load("sources")
    publishers = dict(zip(sources["source_id"].astype(str), sources["publisher"].astype(str), strict=True))
    rows["source_short"] = [f"{s} · {publishers[s]}" for s in rows["source_id"]]  # the lane's name
    # Milestones have no numeric value: the figure they state is the event itself.
    rows["value_label"] = rows["when"] + ": " + rows["event"].astype(str)
    return rows


def _year(value: float) -> str:
    return f"{-value:.0f} BC" if value < 0 else f"{value:.0f}"


def _ranked(chart: alt.Chart) -> alt.Chart:
    """Colour, lane and offset of each event.

    Rank within lane and year, centred on the lane: 1 event at 0 px, 2 at ±4.5 px, 3 at -9, 0, +9 px...
    (an offset counts from the top of the lane's band, so half a step is added). One rank per choice
    of lane, each grouped by a column of the table: Vega's window does not regroup rows whose group
    field a param changed (a rank by datum[color_by] kept the old lanes' ranks).
    """
    for column in COLOR_CHOICES:
        groups = [column, "year_key"]
        chart = chart.transform_window(**{f"rank_{column}": "row_number()"}, groupby=groups, sort=[alt.SortField("id")])
        chart = chart.transform_joinaggregate(**{f"n_{column}": "count()"}, groupby=groups)
    return chart.transform_calculate(
        colour="datum[color_by]",
        lane="color_by == 'source_id' ? datum.source_short : datum[color_by]",
        offset=f"{STEP / 2} + (datum['rank_' + color_by] - (datum['n_' + color_by] + 1) / 2) * {SPREAD}",
    )


def history_chart(view: core.View) -> alt.LayerChart:
    rows = view.rows
    domains = {column: domain(column) for column in COLOR_CHOICES}
    color = encodings.color_by("color_by", domains, "colour and lane")
    color["legend"] = None  # the lanes are named on the y axis, and they are the same categories
    # 13 event kinds would reach the palette's pale yellow, near invisible as a hollow mark on white
    # (the one hedged dated event, Hippocrates' "about 400 BC", is of that kind): olive instead.
    color["scale"]["range"] = [c if c != core.OKABE_ITO[6] else OLIVE for c in color["scale"]["range"]]
    drawn = f"({view.row_filter()}) && isValid(datum.year_start)"  # an undated event is listed, not drawn
    base = _ranked(alt.Chart(rows).transform_filter(drawn))
    # With nothing kept, one stand-in event (transparent, at the middle of the year window) keeps the
    # axis defined: an axis over no data is NaN to NaN.
    stand_in = repr(str(rows.loc[rows["year_start"].notna(), "id"].iloc[0]))
    all_spans = _ranked(
        alt.Chart(rows)
        .transform_calculate(keep=f"({drawn}) ? 1 : 0")
        .transform_joinaggregate(kept="sum(keep)")
        .transform_filter(f"datum.keep == 1 || (datum.kept == 0 && datum.id == {stand_in})")
    ).transform_calculate(
        x_start="datum.keep ? datum.year_start : (year_from + year_to) / 2",
        x_last="datum.keep ? datum.year_last : (year_from + year_to) / 2",
    )
    # The axis spans the kept events, whole bars included (mile-044, 2010-2029, ran off a window
    # that ended at 2025), padded so a mark on the edge is not cut in half: the data's extent, never a
    # fixed window. The spans layer holds every kept event (a one-year event is a bar of no length,
    # drawn transparent), so its data is never empty while anything is kept.
    scale = alt.Scale(nice=False, zero=False, padding=PAD)
    axis = alt.Axis(
        title="year", tickMinStep=1, labelExpr="datum.value < 0 ? -datum.value + ' BC' : toString(datum.value)"
    )
    y = alt.Y("lane:N", title=None, axis=alt.Axis(labelLimit=240), sort=alt.EncodingSortField("year_start", op="min"))
    y_offset = alt.YOffset("offset:Q", scale=None)
    tooltip = [
        alt.Tooltip("when:N", title="year"),
        alt.Tooltip("date:N"),
        alt.Tooltip("event:N"),
        alt.Tooltip("jurisdiction:N"),
        alt.Tooltip("qualifier:N", title="hedge"),
        *core.tooltip()[3:],
    ]
    spans = all_spans.mark_rule(
        strokeWidth=4, clip=True, aria=False
    ).encode(  # the points describe every event to screen readers
        x=alt.X("x_start:Q", scale=scale, axis=axis),
        x2="x_last:Q",
        y=y,
        yOffset=y_offset,
        color=color,
        strokeDash=encodings.hedge_dash(),
        opacity=alt.condition("datum.keep && datum.year_last > datum.year_start", alt.value(0.7), alt.value(0)),
        tooltip=tooltip,
    )
    points = (
        base.mark_point(size=50, strokeWidth=1.5, opacity=1, clip=True, cursor="pointer")
        .encode(
            x=alt.X("year_mid:Q", scale=scale, axis=axis),
            y=y,
            yOffset=y_offset,
            color=color,
            fill=encodings.hedge_fill(color),
            shape=encodings.hedge_shape(),
            tooltip=tooltip,
        )
        .add_params(encodings.pick())
    )
    dated = rows[rows["year_start"].notna()]
    description = (
        f"{TITLE}. {len(dated)} dated events from {dated['source_id'].nunique()} source documents, "
        f"{_year(dated['year_start'].min())} to {_year(dated['year_last'].max())}: a point per event and a bar for "
        "events over several years, on a year axis that spans the events kept, one lane per topic, event kind "
        f"or source (as chosen), coloured the same way. {int(dated['hedged'].sum())} are hedged (hollow marks). "
        f"{len(rows) - len(dated)} events with no year are listed in the table below the chart, not drawn."
    )
    note = empty_note(
        rows, view, "isValid(datum.year_start)", "No dated events match these settings.", "''", above=True
    )
    return alt.layer(spans, points, note, encodings.rows_layer(rows, view)).properties(
        title=encodings.title(TITLE, SUBTITLE), width=core.WIDTH, height=alt.Step(STEP), description=description
    )


def history_view() -> core.View:
    """06: milestones by topic and year window, coloured by topic, event kind or source."""
    controls = core.controls_for("06_history")

    def build(view: core.View) -> alt.LayerChart:
        return encodings.with_params(history_chart(view), view)

    return core.View(
        "06_history",
        TITLE,
        history_rows(),
        controls,
        build,
        table_columns=("id", "when", "date", "event", "event_kind", "topic", "jurisdiction", "source_label", "quote"),
        noun="events",
        hints=HINTS,
    )
