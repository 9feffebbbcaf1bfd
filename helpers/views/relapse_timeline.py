"""The view of notebook 02: every time landmark on one hours axis, and a schematic response curve.

Controls (Vega-Lite params): ``context`` and ``source_id`` filter the rows (equal, or all);
``log_scale`` switches the hours axis between log and linear. Vega-Lite cannot take a scale
type from a param, so the axis is always linear and holds either the hours or their log10
(``encodings.log_field``), labelled in hours either way (``marks.log_axis``). The guide lines
(1 min ... 1 year) are positioned the same way, so they move with the toggle.

The schematic curve takes no control; it sits in the same spec, under the landmarks.
"""

from __future__ import annotations

import json

import pandas as pd

from helpers.data.prepared import prepared
from helpers.data.units import HOURS_PER, display_units
from helpers.views import core, encodings
from helpers.views.lazy import alt
from helpers.views.marks import NOTE_COLOR, domain, empty_note, figures_above, intervals, log10_of, log_axis

LOG = "log_scale"
TITLE = "When things happen: onset, peak, waning and relapse"
GUIDES = {"1 min": HOURS_PER["min"], "1 hour": HOURS_PER["h"], "1 day": HOURS_PER["d"]}
GUIDES |= {"1 week": HOURS_PER["wk"], "1 month": HOURS_PER["mo"], "1 year": HOURS_PER["yr"]}
# A guide is labelled only if the next guide on the axis is at least this share of the axis away
# (8% of 560 px = 45 px; "1 month" is about 40 px wide), so labels never collide. On a linear axis
# of two years, minutes to weeks all sit within a few pixels of zero: only "1 month" and "1 year" stay.
GUIDE_GAP = 0.08

# The schematic curve: only the times come from the table; the heights are illustrative.
CURVE_CONTEXT = "depression (single infusion)"
CURVE_LANDMARKS = ("onset", "peak", "waning", "relapse", "durability")
_HEIGHT = {"start": 0.0, "onset": 0.5, "peak": 1.0, "waning": 0.6, "relapse": 0.2, "durability": 0.1}
_BAND = {"start": 0.0, "onset": 0.25, "peak": 0.2, "waning": 0.25, "relapse": 0.2, "durability": 0.1}


def timeline_rows() -> pd.DataFrame:
    """Every row of time_course (counts of sessions too: the table lists them), with a label and a timed flag."""
    rows = prepared("time_course").copy()
    # The landmark is the table's description (not a quote): its units as a reader writes them (µM, not uM).
    rows["landmark"] = rows["landmark"].astype(str).map(display_units)
    rows["note"] = rows["note"].map(lambda n: display_units(n) if isinstance(n, str) else n)
    rows["row_label"] = rows["landmark"].astype(str) + " · " + rows["id"].astype(str)
    rows["timed"] = rows["duration_low_h"].notna()
    return rows


def _timed(view: core.View) -> alt.Chart:
    """The kept rows that have a time, with their positions on the hours axis (hours or log10 hours)."""
    return (
        alt.Chart(view.rows)
        .transform_filter(view.row_filter())
        .transform_filter("datum.timed")
        .transform_calculate(
            x_low=encodings.log_field(LOG, "duration_low_h"), x_high=encodings.log_field(LOG, "duration_high_h")
        )
        # The middle of a range: geometric on the log axis, arithmetic on the linear one.
        .transform_calculate(x_mid="(datum.x_low + datum.x_high) / 2")
    )


def _guides(view: core.View, x: alt.X) -> list[alt.Chart]:
    """Dotted lines and labels at 1 min, 1 hour, 1 day, 1 week, 1 month and 1 year, on either axis.

    Built from the kept rows' extent, so a guide never stretches the axis beyond the data, and
    a guide whose next neighbour is too close is dropped (see GUIDE_GAP).
    """
    keys = {f"g{i}": label for i, label in enumerate(GUIDES)}
    positions = {f"g{i}": log10_of(LOG, repr(hours)) for i, hours in enumerate(GUIDES.values())}
    base = (
        _timed(view)
        .transform_aggregate(low="min(x_low)", high="max(x_high)")
        .transform_calculate(start=f"{LOG} ? datum.low : 0")  # the linear axis starts at zero
        .transform_calculate(span="max(datum.high - datum.start, 1e-9)", **positions)
        .transform_fold(list(keys), as_=["key", "pos"])
        .transform_calculate(label=f"({json.dumps(keys)})[datum.key]")
        .transform_filter("datum.pos >= datum.start - 0.03 * datum.span && datum.pos <= datum.high + 0.03 * datum.span")
        .transform_window(next="lead(pos)", sort=[alt.SortField("pos")])
        .transform_filter(f"!isValid(datum.next) || datum.next - datum.pos >= {GUIDE_GAP} * datum.span")
    )
    rule = base.mark_rule(color="#999", strokeDash=[2, 2], aria=False).encode(x=x)
    text = base.mark_text(align="left", dx=3, dy=-3, baseline="bottom", color=NOTE_COLOR, aria=False).encode(
        x=x, y=alt.value(0), text="label:N"
    )
    return [rule, text]


def landmarks_chart(view: core.View) -> alt.LayerChart:
    """Every kept time landmark: intervals for ranges, points for each figure, coloured by context."""
    rows = view.rows
    axis = log_axis(LOG, "hours after treatment")
    # Whole decades on the log axis; a zero baseline only on the linear one.
    scale = alt.Scale(zero={"expr": f"!{LOG}"}, nice=True)
    y = alt.Y(
        "row_label:N", title=None, sort=alt.EncodingSortField("duration_low_h", op="min"), axis=alt.Axis(labelLimit=340)
    )
    color = encodings.fixed_color("context", domain("context"), "context")
    layers = intervals(_timed(view), y, color, core.tooltip(), axis, scale)
    guides = _guides(view, alt.X("pos:Q", scale=scale, axis=axis))
    note = empty_note(
        rows,
        view,
        "datum.timed",
        "No time landmarks match these settings.",
        "datum.kept + ' figures match, none of them a time (they count sessions): see the table.'",
        above=True,
    )
    title = {"expr": f"'Every time landmark, in hours after treatment (' + ({LOG} ? 'log' : 'linear') + ' axis)'"}
    timed = rows[rows["timed"]]
    description = (
        f"{TITLE}. Intervals and points on one hours axis (log or linear), one row per time landmark: "
        f"{len(timed)} timed figures from {timed['source_id'].nunique()} source documents before filtering, "
        f"{int(timed['hedged'].sum())} of them hedged (hollow marks, dashed intervals). Dotted guides mark "
        f"1 minute, 1 hour, 1 day, 1 week, 1 month and 1 year. {len(rows) - len(timed)} figures that count "
        "sessions are in the table only."
    )
    return alt.layer(*guides, *layers, note).properties(
        title=encodings.title(title), width=core.WIDTH, height=alt.Step(16), description=description
    )


def response_curve_points(frame: pd.DataFrame) -> pd.DataFrame:
    """The curve's anchor points from the single-infusion depression landmarks in the table."""
    rows = frame[(frame["context"] == CURVE_CONTEXT) & frame["landmark"].isin(CURVE_LANDMARKS)]
    anchors = [{"landmark": "start", "hours": 0.05, "id": "", "quote": "infusion"}]
    for landmark in CURVE_LANDMARKS:
        match = rows[rows["landmark"] == landmark]
        if match.empty:
            raise ValueError(
                f"time_course has no {CURVE_CONTEXT!r} row with landmark {landmark!r}; "
                f"the schematic curve needs one for each of {CURVE_LANDMARKS}"
            )
        # "onset by 4 h": where documents disagree, the curve passes through the latest time stated.
        first = match.sort_values(["duration_high_h", "id"], ascending=[False, True]).iloc[0]
        anchors.append(
            {"landmark": landmark, "hours": float(first["duration_low_h"]), "id": first["id"], "quote": first["quote"]}
        )
    points = pd.DataFrame(anchors)
    points["improvement"] = points["landmark"].map(_HEIGHT)
    points["low"] = (points["improvement"] - points["landmark"].map(_BAND)).clip(lower=0)
    points["high"] = (points["improvement"] + points["landmark"].map(_BAND)).clip(upper=1.1)
    points["when"] = [_hours_text(h) for h in points["hours"]]
    return points


def _hours_text(hours: float) -> str:
    """'4 h', '7 d': the time in the unit a reader would say."""
    for unit, size in (("d", HOURS_PER["d"]), ("h", 1.0), ("min", HOURS_PER["min"])):
        if hours >= size:
            return f"{hours / size:g} {unit}"
    return f"{hours:g} h"


def curve_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """A schematic depression-response curve through the documented milestones, with a band (no params)."""
    title = "Schematic response after one infusion (times from 003; heights illustrative)"
    points = response_curve_points(frame)
    ticks = {hours: label for label, hours in GUIDES.items() if label not in ("1 min", "1 year")}
    # Labels only at 1 hour, 1 day, 1 week and 1 month: the default log ticks crowd ("0.010.02").
    axis = alt.Axis(
        title="time after one infusion (log axis)",
        values=list(ticks),
        labelExpr=f"({json.dumps({f'{k:g}': v for k, v in ticks.items()})})[toString(datum.value)]",
        grid=True,
    )
    x = alt.X("hours:Q", scale=alt.Scale(type="log", domain=[0.05, 2000]), axis=axis)
    base = alt.Chart(points)
    band = base.mark_area(opacity=0.25, color=core.OKABE_ITO[0], interpolate="monotone").encode(
        x=x, y="low:Q", y2="high:Q"
    )
    line = base.mark_line(color=core.OKABE_ITO[0], interpolate="monotone").encode(
        x=x, y=alt.Y("improvement:Q", title="improvement (schematic, peak = 1)", scale=alt.Scale(domain=[0, 1.1]))
    )
    documented = base.transform_filter("datum.id != ''")
    tooltip = [alt.Tooltip("landmark:N"), alt.Tooltip("when:N", title="time"), alt.Tooltip("id:N"), "quote:N"]
    marks = (
        documented.mark_point(filled=True, size=70, color=core.OKABE_ITO[5], cursor="pointer")
        .encode(x=x, y="improvement:Q", tooltip=tooltip)
        .add_params(encodings.pick())  # each anchor is a row of the table: a click shows its source
    )
    labels = (
        documented.mark_text(dy=-12, aria=False)
        .encode(x=x, y="improvement:Q", text=alt.Text("label:N"))
        .transform_calculate(label="datum.landmark + ' (' + datum.when + ')'")
    )
    description = (
        f"{title}. A line through {len(points) - 1} documented time landmarks of 003 (onset, peak, waning, relapse, "
        "durability) on a log time axis, with a shaded band. Only the times are data; the heights are a sketch."
    )
    return alt.layer(band, line, marks, labels).properties(
        title=encodings.title(title, "Only the times are figures from the document; the curve's shape is a sketch."),
        width=core.WIDTH,
        height=220,
        description=description,
    )


def timeline_view() -> core.View:
    """02: the time landmarks (filtered by context and source, log or linear) above the schematic curve."""
    controls = core.controls_for("02_relapse_timeline")

    def build(view: core.View) -> alt.VConcatChart:
        landmarks = landmarks_chart(view)
        below = "Below: a schematic response curve after one infusion."
        return figures_above(view, landmarks, curve_chart(view.rows), f"{landmarks.description} {below}")

    return core.View(
        "02_relapse_timeline",
        TITLE,
        timeline_rows(),
        controls,
        build,
        table_columns=(
            "id",
            "landmark",
            "value_label",
            "context",
            "population",
            "evidence_kind",
            "source_label",
            "quote",
        ),
    )
