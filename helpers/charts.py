"""Chart builders: one pure function per chart, from a DataFrame and options to
an Altair chart.

Conventions shared by every builder:
- ranges are drawn as intervals (a rule from low to high), single figures as points;
- hedged figures ("up to", "more than", "about", ...) are hollow, and their
  intervals dashed, so a reader can tell them from flat statements at a glance;
- tooltips carry the value, unit, qualifier, evidence kind, source and quote;
- colours come from the Okabe-Ito palette (safe for colour-blind readers);
- every chart has a title and a text description for screen readers.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.renderer import use_json_safe_data
from helpers.units import DISPLAY, HOURS_PER, convert_concentration

use_json_safe_data()

# Okabe & Ito (2008), the palette used by Nature Methods' colour-blind guide.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Okabe-Ito has eight colours; a ninth group gets grey rather than a repeated hue.
PALETTE = OKABE_ITO + ["#999999"]
WIDTH = 560
TOOLTIP = [
    alt.Tooltip("value_label:N", title="figure"),
    alt.Tooltip("qualifier:N", title="hedge"),
    alt.Tooltip("population:N", title="about"),
    alt.Tooltip("evidence_kind:N", title="evidence"),
    alt.Tooltip("source_label:N", title="source"),
    alt.Tooltip("quote:N", title="quote"),
]
UNIT_WORDS = {"%": "%", "uM": " µM", "count": "", "sessions": " sessions", "per wk": " per week"}


def _fmt(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def value_label(low, high, unit, qualifier) -> str:
    """'about 20–30 %' style label that keeps the document's hedge."""
    if pd.isna(low):
        return "never measured"
    unit_text = UNIT_WORDS.get(unit, f" {unit}")
    number = _fmt(low) if low == high else f"{_fmt(low)}–{_fmt(high)}"
    hedge = "" if qualifier in (None, "none") or pd.isna(qualifier) else f"{qualifier} "
    return f"{hedge}{number}{unit_text}".strip()


def prepare(frame: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the columns every chart reads: labels, hedge flag, range flag, source label.

    Categoricals become plain strings so the spec holds values, not codes.
    """
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype) or out[column].dtype == "string":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    if "value_low" in out:
        out["value_label"] = [
            value_label(lo, hi, u, q)
            for lo, hi, u, q in zip(out["value_low"], out["value_high"], out["unit"], out["qualifier"], strict=False)
        ]
        out["is_range"] = out["value_low"] != out["value_high"]
        out["value_mid"] = (out["value_low"] + out["value_high"]) / 2
    if "qualifier" in out:
        out["hedged"] = out["qualifier"] != "none"
        out["hedge"] = np.where(out["hedged"], "hedged (" + out["qualifier"].astype(str) + ")", "stated flatly")
    if sources is not None and "source_id" in out:
        labels = {
            str(row.source_id): f"{row.source_id} · {row.publisher}, “{row.title}” ({row.publisher_kind})"
            for row in sources.itertuples()
        }
        out["source_label"] = [labels[str(sid)] for sid in out["source_id"]]
    elif "source_id" in out:
        out["source_label"] = out["source_id"]
    return out


HEDGE_NOTE = "Hollow marks and dashed intervals are hedged figures (about, up to, more than...). Hover for the source."


def _title(text: str, subtitle: str = HEDGE_NOTE) -> alt.Title:
    return alt.Title(text, subtitle=subtitle, subtitleColor="#555", anchor="start")


def _description(title: str, frame: pd.DataFrame, what: str) -> str:
    """Screen-reader text: what is drawn, how many figures, from how many sources."""
    n_sources = frame["source_id"].nunique() if "source_id" in frame else 0
    hedged = int(frame["hedged"].sum()) if "hedged" in frame else 0
    return (
        f"{title}. {what} {len(frame)} figure(s) from {n_sources} source document(s); "
        f"{hedged} are hedged (hollow marks). Hover a mark for its source sentence."
    )


def _empty(title: str, message: str) -> alt.Chart:
    """A chart that says there is nothing to draw, instead of an empty frame."""
    frame = pd.DataFrame({"message": [message]})
    return (
        alt.Chart(frame)
        .mark_text(size=14, color="#555")
        .encode(text="message:N")
        .properties(title=title, width=WIDTH, height=60, description=f"{title}. {message}")
    )


def _interval_layers(base: alt.Chart, x: str, x2: str, y: alt.Y, color: alt.Color, x_scale: alt.Scale, x_title: str):
    """Rules for ranges (dashed when hedged) and points for every figure (hollow when hedged)."""
    rule = (
        base.transform_filter("datum.is_range")
        .mark_rule(strokeWidth=3)
        .encode(
            x=alt.X(x, scale=x_scale, title=x_title),
            x2=x2,
            y=y,
            color=color,
            strokeDash=alt.condition("datum.hedged", alt.value([4, 3]), alt.value([1, 0])),
            tooltip=TOOLTIP,
        )
    )
    point = base.mark_point(size=90, strokeWidth=2).encode(
        x=alt.X(x.replace("value_low", "value_mid").replace("duration_low_h", "duration_mid_h"), scale=x_scale),
        y=y,
        color=color,
        fill=_fill(color),
        shape=alt.Shape("hedge:N", title="hedge", scale=alt.Scale(range=["circle", "diamond"]), legend=None),
        tooltip=TOOLTIP,
    )
    return rule + point


def _color(field: str, title: str) -> alt.Color:
    legend = alt.Legend(orient="bottom", columns=3, labelLimit=360)
    return alt.Color(field, title=title, scale=alt.Scale(range=PALETTE), legend=legend)


def _fill(color: alt.Color):
    """Solid for flat statements, white (hollow) for hedged ones; same colour scale, no second legend."""
    return alt.condition(
        "datum.hedged", alt.value("white"), alt.Fill(color.shorthand, scale=alt.Scale(range=PALETTE), legend=None)
    )


# --- response rates ---------------------------------------------------------------------------


def _percent_chart(
    frame: pd.DataFrame,
    title: str,
    label: pd.Series,
    sort: alt.EncodingSortField,
    color_by: str,
    x_title: str,
    empty: str,
    step: int,
) -> alt.Chart:
    """Percent figures as intervals and points on 0-100%; other units are counted in the description."""
    shares = frame[frame["unit"] == "%"].copy()
    if shares.empty:
        return _empty(title, empty)
    shares["row_label"] = label[shares.index]
    y = alt.Y("row_label:N", title=None, sort=sort, axis=alt.Axis(labelLimit=320))
    color = _color(f"{color_by}:N", color_by.replace("_", " "))
    chart = _interval_layers(
        alt.Chart(shares), "value_low:Q", "value_high:Q", y, color, alt.Scale(domain=[0, 100]), x_title
    )
    left_out = len(frame) - len(shares)
    description = _description(title, shares, "Intervals and points on a 0-100% axis;") + (
        f" {left_out} figure(s) not in percent are listed in the table only." if left_out else ""
    )
    return chart.properties(title=_title(title), width=WIDTH, height=alt.Step(step), description=description)


def response_rates_chart(frame: pd.DataFrame, color_by: str = "arm") -> alt.Chart:
    """Shares of patients (%) by condition, ketamine beside the usual-care comparators.

    Figures not in percent (vote counts, pain scores) are left out and counted in the description.
    """
    label = frame["condition"].astype(str) + " · " + frame["measure"].astype(str) + " · " + frame["id"].astype(str)
    return _percent_chart(
        frame,
        "Response, remission and relapse: what the documents claim",
        label,
        alt.EncodingSortField("condition"),
        color_by,
        "share of patients or of pain (%)",
        "No percentage figures match the current filters.",
        18,
    )


# --- time course ------------------------------------------------------------------------------


def timeline_chart(frame: pd.DataFrame, log_scale: bool = True, group_by: str = "context") -> alt.Chart:
    """Every time landmark on one time axis in hours (log by default), minutes to months."""
    title = "When things happen: onset, peak, waning and relapse"
    timed = frame[frame["duration_low_h"].notna()].copy()
    if timed.empty:
        return _empty(title, "No time landmarks match the current filters.")
    timed["duration_mid_h"] = np.sqrt(
        timed["duration_low_h"].clip(lower=1e-3) * timed["duration_high_h"].clip(lower=1e-3)
    )
    timed["row_label"] = timed["landmark"].astype(str) + " · " + timed["id"].astype(str)
    scale = alt.Scale(type="log") if log_scale else alt.Scale(type="linear", zero=True)
    y = alt.Y("row_label:N", title=None, sort=alt.EncodingSortField("duration_low_h"), axis=alt.Axis(labelLimit=260))
    layers = _interval_layers(
        alt.Chart(timed),
        "duration_low_h:Q",
        "duration_high_h:Q",
        y,
        _color(f"{group_by}:N", group_by),
        scale,
        "hours after treatment (log scale)" if log_scale else "hours after treatment",
    )
    ticks = pd.DataFrame(
        {"hours": [1 / 60, 1, 24, 168, 730.5], "label": ["1 min", "1 hour", "1 day", "1 week", "1 month"]}
    )
    guides = alt.Chart(ticks).mark_rule(color="#bbb", strokeDash=[2, 2]).encode(x="hours:Q") + alt.Chart(
        ticks
    ).mark_text(align="left", dx=3, dy=-4, color="#777", baseline="bottom").encode(
        x="hours:Q", y=alt.value(0), text="label:N"
    )
    chart = alt.layer(guides, layers).resolve_scale(color="independent")
    description = _description(title, timed, f"Intervals on a {'log' if log_scale else 'linear'} hours axis;")
    return chart.properties(title=_title(title), width=WIDTH, height=alt.Step(16), description=description)


# The schematic curve: only the times come from the table; the heights are illustrative.
CURVE_LANDMARKS = ("onset", "peak", "waning", "relapse", "durability")
_HEIGHT = {"start": 0.0, "onset": 0.5, "peak": 1.0, "waning": 0.6, "relapse": 0.2, "durability": 0.1}
_BAND = {"start": 0.0, "onset": 0.25, "peak": 0.2, "waning": 0.25, "relapse": 0.2, "durability": 0.1}


def response_curve_points(frame: pd.DataFrame) -> pd.DataFrame:
    """The curve's anchor points from the single-infusion depression landmarks in the table."""
    rows = frame[(frame["context"] == "depression (single infusion)") & frame["landmark"].isin(CURVE_LANDMARKS)]
    anchors = [{"landmark": "start", "hours": 0.05, "id": "", "quote": "infusion"}]
    for landmark in CURVE_LANDMARKS:
        match = rows[rows["landmark"] == landmark]
        if match.empty:
            raise ValueError(
                f"time_course has no 'depression (single infusion)' row with landmark {landmark!r}; "
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
    return points


def response_curve_chart(frame: pd.DataFrame) -> alt.Chart:
    """A schematic depression-response curve through the documented milestones, with a band."""
    title = "Schematic response after one infusion (times from 003; heights illustrative)"
    points = response_curve_points(frame)
    base = alt.Chart(points)
    x = alt.X("hours:Q", scale=alt.Scale(type="log"), title="hours after one infusion (log scale)")
    band = base.mark_area(opacity=0.25, color=OKABE_ITO[0], interpolate="monotone").encode(x=x, y="low:Q", y2="high:Q")
    line = base.mark_line(color=OKABE_ITO[0], interpolate="monotone").encode(
        x=x, y=alt.Y("improvement:Q", title="improvement (schematic, peak = 1)", scale=alt.Scale(domain=[0, 1.1]))
    )
    marks = (
        base.transform_filter("datum.id != ''")
        .mark_point(filled=True, size=70, color=OKABE_ITO[5])
        .encode(x=x, y="improvement:Q", tooltip=["landmark:N", "hours:Q", "id:N", "quote:N"])
    )
    labels = base.transform_filter("datum.id != ''").mark_text(dy=-12).encode(x=x, y="improvement:Q", text="landmark:N")
    description = (
        f"{title}. A line through {len(points) - 1} documented time landmarks (onset, peak, waning, relapse, "
        "durability) with a shaded uncertainty band. Only the times are data; the curve's heights are a sketch."
    )
    return alt.layer(band, line, marks, labels).properties(
        title=title, width=WIDTH, height=260, description=description
    )


# --- prevalence -------------------------------------------------------------------------------


def prevalence_chart(frame: pd.DataFrame, log_scale: bool = False) -> alt.Chart:
    """Trends per survey and group. All rows must share one denominator: shares of different
    populations, and counts, never share an axis."""
    denominators = sorted(frame["denominator"].astype(str).unique())
    if len(denominators) > 1:
        raise ValueError(
            f"prevalence_chart draws one denominator at a time, got {denominators}; filter on 'denominator' first"
        )
    title = "Ketamine use and related figures by year"
    if frame.empty:
        return _empty(title, "No survey figures match the current filters.")
    data = frame[frame["value_low"].notna()].copy()
    data["series"] = (
        data["region"].astype(str)
        + " · "
        + data["survey"].astype(str)
        + data["age_group"].fillna("").map(lambda a: f" · {a}" if a else "")
    )
    data["year"] = data["year_start"].astype("float")
    unit = str(data["unit"].iloc[0]) if len(data) else ""
    y_title = f"{denominators[0]} ({UNIT_WORDS.get(unit, unit).strip() or 'count'})"
    scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=True)
    color = _color("series:N", "survey")
    base = alt.Chart(data)
    dated = base.transform_filter("isValid(datum.year)")
    lines = dated.mark_line(strokeWidth=1.5).encode(
        x=alt.X("year:Q", title="year", axis=alt.Axis(format="d")),
        y=alt.Y("value_mid:Q", scale=scale, title=y_title),
        color=color,
    )
    rules = (
        dated.transform_filter("datum.is_range")
        .mark_rule(strokeWidth=3)
        .encode(x="year:Q", y=alt.Y("value_low:Q", scale=scale), y2="value_high:Q", color=color, tooltip=TOOLTIP)
    )
    points = dated.mark_point(size=80, strokeWidth=2).encode(
        x="year:Q",
        y=alt.Y("value_mid:Q", scale=scale),
        color=color,
        fill=_fill(color),
        tooltip=TOOLTIP,
    )
    undated = len(data) - int(data["year"].notna().sum())
    description = _description(
        title, data, f"Share or count on a {'log' if log_scale else 'linear'} axis, denominator '{denominators[0]}';"
    ) + (f" {undated} undated figure(s) are in the table only." if undated else "")
    return alt.layer(lines, rules, points).properties(
        title=_title(f"{title}: {denominators[0]}"), width=WIDTH, height=300, description=description
    )


# --- pharmacokinetics -------------------------------------------------------------------------


def bioavailability_chart(frame: pd.DataFrame) -> alt.Chart:
    """Bioavailability by route as intervals; a route never measured is shown as such, not as zero."""
    title = "Bioavailability by route (% of the dose reaching the blood)"
    data = frame[frame["measure"] == "bioavailability"].copy()
    if data.empty:
        return _empty(title, "No bioavailability figures match the current filters.")
    data["status_label"] = np.where(data["value_status"] == "never measured", "never measured", "")
    y = alt.Y("route:N", title="route", sort=alt.EncodingSortField("value_mid", order="descending"))
    color = _color("value_status:N", "status")
    measured = alt.Chart(data).transform_filter("isValid(datum.value_low)")
    layers = _interval_layers(
        measured, "value_low:Q", "value_high:Q", y, color, alt.Scale(domain=[0, 100]), "bioavailability (%)"
    )
    never = (
        alt.Chart(data)
        .transform_filter("!isValid(datum.value_low)")
        .mark_text(align="left", x=4, fontStyle="italic", color="#555")
        .encode(y=y, text="status_label:N", tooltip=TOOLTIP)
    )
    description = _description(
        title, data, "Intervals on a 0-100% axis; 'never measured' routes are labelled, not plotted;"
    )
    return alt.layer(layers, never).properties(
        title=_title(title), width=WIDTH, height=alt.Step(26), description=description
    )


def concentrations_chart(frame: pd.DataFrame, unit: str = "ng/mL", log_scale: bool = True) -> alt.Chart:
    """Concentration landmarks on one axis, converted to ``unit`` (ng/mL, uM, mg/L or nM)."""
    data = frame[
        frame["unit"].isin(["ng/mL", "uM", "nM", "mg/L"]) & frame["measure"].str.contains("concentration")
    ].copy()
    shown = DISPLAY.get(unit, unit)
    title = f"Ketamine concentration landmarks ({shown})"
    if data.empty:
        return _empty(title, "No concentration figures match the current filters.")
    for column in ("value_low", "value_high"):
        data[f"{column}_shown"] = [
            convert_concentration(v, u, unit) for v, u in zip(data[column], data["unit"], strict=False)
        ]
    data["value_mid_shown"] = np.sqrt(data["value_low_shown"] * data["value_high_shown"])
    data["row_label"] = data["population"].astype(str).str.slice(0, 60) + " · " + data["id"].astype(str)
    data["converted"] = [
        f"{_fmt(lo)}–{_fmt(hi)} {shown}"
        for lo, hi in zip(data["value_low_shown"], data["value_high_shown"], strict=False)
    ]
    scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=True)
    y = alt.Y("row_label:N", title=None, sort=alt.EncodingSortField("value_low_shown"), axis=alt.Axis(labelLimit=320))
    color = _color("matrix:N", "measured in")
    tooltip = [alt.Tooltip("converted:N", title=f"in {shown}")] + TOOLTIP
    base = alt.Chart(data)
    rule = (
        base.transform_filter("datum.is_range")
        .mark_rule(strokeWidth=3)
        .encode(
            x=alt.X("value_low_shown:Q", scale=scale, title=f"concentration ({shown})"),
            x2="value_high_shown:Q",
            y=y,
            color=color,
            strokeDash=alt.condition("datum.hedged", alt.value([4, 3]), alt.value([1, 0])),
            tooltip=tooltip,
        )
    )
    point = base.mark_point(size=90, strokeWidth=2).encode(
        x=alt.X("value_mid_shown:Q", scale=scale),
        y=y,
        color=color,
        fill=_fill(color),
        tooltip=tooltip,
    )
    description = _description(title, data, f"Intervals on a {'log' if log_scale else 'linear'} axis in {shown};")
    return (rule + point).properties(title=_title(title), width=WIDTH, height=alt.Step(20), description=description)


# --- adverse effects --------------------------------------------------------------------------


def adverse_effects_chart(frame: pd.DataFrame, color_by: str = "dose_context") -> alt.Chart:
    """Adverse-effect rates (%) by dose context and population."""
    label = frame["effect"].astype(str) + " · " + frame["population"].astype(str).str.slice(0, 40)
    return _percent_chart(
        frame,
        "Adverse effects: share of people affected",
        label,
        alt.EncodingSortField("value_high", order="descending"),
        color_by,
        "share of people (%)",
        "No adverse-effect rates match the current filters.",
        22,
    )


# --- milestones -------------------------------------------------------------------------------


def milestones_chart(frame: pd.DataFrame, color_by: str = "topic") -> alt.Chart:
    """Dated events on a year axis, one lane per topic; spans (decades) as intervals."""
    title = "History and regulation of ketamine"
    if frame.empty:
        return _empty(title, "No events match the current filters.")
    data = frame[frame["year_start"].notna()].copy()
    data["year_end"] = data["year_end"].fillna(data["year_start"])
    data["year_mid"] = (data["year_start"].astype(float) + data["year_end"].astype(float)) / 2
    data["is_range"] = data["year_start"] != data["year_end"]
    data["when"] = [
        str(a) if a == b else f"{a}–{b}" for a, b in zip(data["year_start"], data["year_end"], strict=False)
    ]
    y = alt.Y(f"{color_by}:N", title=None)
    color = _color(f"{color_by}:N", color_by)
    tooltip = [
        alt.Tooltip("when:N", title="year"),
        alt.Tooltip("date:N"),
        alt.Tooltip("event:N"),
        alt.Tooltip("jurisdiction:N"),
    ] + TOOLTIP[3:]
    base = alt.Chart(data)
    x = alt.X("year_start:Q", title="year", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False))
    rule = (
        base.transform_filter("datum.is_range")
        .mark_rule(strokeWidth=4, opacity=0.6)
        .encode(x=x, x2="year_end:Q", y=y, color=color, tooltip=tooltip)
    )
    point = base.mark_point(size=80, strokeWidth=2, filled=True, opacity=0.7).encode(
        x=alt.X("year_mid:Q"), y=y, color=color, tooltip=tooltip
    )
    description = (
        f"{title}. {len(data)} dated event(s) from {data['source_id'].nunique()} source document(s), "
        f"{int(data['year_start'].min())} to {int(data['year_end'].max())}, one lane per {color_by}."
    )
    return (rule + point).properties(title=title, width=WIDTH, height=alt.Step(40), description=description)


# --- evidence strength (claims check) -------------------------------------------------------


def evidence_mix_chart(frame: pd.DataFrame, normalize: bool = True) -> alt.Chart:
    """How much of each family rests on trials, anecdotes or unattributed claims.

    ``frame`` has one row per figure with columns family and evidence_kind.
    """
    title = "What the figures rest on, by family"
    if frame.empty:
        return _empty(title, "No figures match the current filters.")
    counts = frame.groupby(["family", "evidence_kind"], observed=True).size().reset_index(name="figures")
    counts["share"] = counts["figures"] / counts.groupby("family")["figures"].transform("sum")
    x = (
        alt.X("share:Q", title="share of the family's figures", axis=alt.Axis(format="%"))
        if normalize
        else alt.X("figures:Q", title="figures")
    )
    palette = PALETTE + ["#882255", "#44AA99", "#117733", "#332288"]
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("family:N", title=None),
            color=alt.Color(
                "evidence_kind:N",
                title="evidence kind",
                scale=alt.Scale(range=palette),
                legend=alt.Legend(orient="bottom", columns=3),
            ),
            order=alt.Order("evidence_kind:N"),
            tooltip=["family:N", "evidence_kind:N", "figures:Q", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    description = (
        f"{title}. Stacked bars of {int(counts['figures'].sum())} figures over "
        f"{counts['family'].nunique()} families, split by evidence kind."
    )
    return chart.properties(title=title, width=WIDTH, height=alt.Step(28), description=description)


def time_units_ticks() -> dict[str, float]:
    """Reference hours for readers: one of each time unit."""
    return dict(HOURS_PER)
