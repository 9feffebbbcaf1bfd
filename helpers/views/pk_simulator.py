"""PK simulator (08): the teaching model's curves computed in the page. EDUCATIONAL ONLY, NOT MEDICAL ADVICE.

The spec holds a six-row route table (bioavailability low/central/high from the evidence
table, the absorption rate ka, and the model constants, all read from ``helpers.models.pk``, never
retyped) and a static ``sequence`` of route x minute. Vega expressions keep the time grid
``helpers.models.pk.simulate`` uses (one sample a minute up to ``hours``) and evaluate the
closed-form curves on it:

- IV bolus and IV zero-order infusion, one-compartment or Clements two-compartment (a sum of
  two exponentials; one-compartment is the same sum with one term);
- first-order absorption (the Bateman function) for the other routes.

Cmax, Tmax and hours above the threshold are aggregates over that grid, shown as a text
table under the chart, so every control (routes, dose and its unit, weight, infusion time,
hours, threshold, model) redraws without Python, in a saved HTML file too. The line chart
draws a thinned grid that keeps every peak. The grey bands are the documented concentration
ranges (pk-007/8/9, ``helpers.models.simulator.landmark_rows``): they are the view's rows.
"""

from __future__ import annotations

import json

import pandas as pd

from helpers.models import pk, simulator
from helpers.params import spec
from helpers.params.expr import js_string
from helpers.params.filters import listed_signal
from helpers.params.notebooks import MAX_MG_PER_KG
from helpers.views import core, encodings
from helpers.views.layers import keep_name
from helpers.views.lazy import alt

NOTEBOOK = simulator.NOTEBOOK
CURVES = "curves"  # the filter target of the routes control: the route table, not the rows
CURVE_MARK = "curves"  # named units: the browser test reads their data
READOUT_MARK = "readouts"
READOUT_ABOVE_MARK = "readouts_above"  # the hours above the threshold: a sum of their own (readouts_chart)
READOUT_LAYER = "readout_table"  # both units' layer: its x scale is READOUT_LAYER + "_x"
DRAWN_POINTS = 241  # about this many samples per drawn curve (2-3 px apart), peaks kept; read-outs use every minute
TITLE = "Simulated plasma ketamine concentration by route"
SUBTITLE = [
    simulator.SUBTITLE,
    "Lines: central bioavailability; shading: the stated bioavailability range.",
    "Grey bands: documented ranges (click one for its source); dashed: the threshold.",
]
ROUTE_COLORS = dict(zip(pk.SIMULATED_ROUTES, core.OKABE_ITO, strict=False))
READOUT_COLUMNS = {  # folded column -> header (the threshold's header follows its param)
    "show_cmax": "Cmax (ng/mL)",
    "show_cmax_range": "Cmax over F range",
    "show_tmax": "Tmax",
    "show_above": "hours ≥ threshold",
    "show_bio": "bioavailability F",
}

# Derived params: the dose in mg and the grid of pk.simulate (core.RULES_OK holds while the declared rules do).
DOSE_MG = "pk_dose_mg"
DOSE_OK = core.RULES_OK
SAMPLES = "pk_samples"
STEP_H = "pk_step_h"
SCALE = f"({DOSE_MG} / weight_kg)"  # mg per kg: a curve is its shape (1 mg/kg) times this
MINUTES_PER_H = 60  # the grid: one sample a minute (hours come in steps of 0.5, so the grid is pk.simulate's)
# The read-out table is this much wider than the curves' plot, to the right edge of the routes' legend: the
# page moves both widths by the same px (layout.js), so on a phone the table keeps the legend's width too.
READOUTS_WIDER = 95
DELIVERY = (  # a read-out row's label
    "datum.iv ? (datum.iv && infusion_min > 0 ? 'IV infusion over ' + format(infusion_min, '~g') + ' min' : 'IV bolus')"
    " + (model == 'two' ? ' · two-compartment' : '')"
    " : datum.route + ' · absorbed, typical Tmax ' + format(datum.tmax_min, '~g') + ' min'"
)


def route_records() -> list[dict]:
    """One row per simulatable route with what the page's formulas need, read from ``helpers.models.pk``.

    Plain Python numbers (None where a route has none), so the spec carries the exact floats.
    """
    params = pk.load_parameters()
    two = pk.two_compartment_constants()
    rows = []
    for rank, route in enumerate(pk.SIMULATED_ROUTES):
        low, central, high = pk.bioavailability(route)
        iv = route == "IV"
        rows.append(
            {
                "route": route,
                "rank": rank,
                "iv": iv,
                "f_low": low,
                "f_central": central,
                "f_high": high,
                "ka": None if iv else pk.absorption_rate_per_h(route),
                "tmax_min": None if iv else pk.tmax_h(route) * 60.0,
                "k": pk.elimination_rate_per_h(),
                "v_l_per_kg": params["V_L_per_kg"],
                "v1_l_per_kg": two["V1_L_per_kg"],
                "a": two["A"],
                "alpha": two["alpha_per_h"],
                "b": two["B"],
                "beta": two["beta_per_h"],
            }
        )
    return rows


def route_table() -> pd.DataFrame:
    """:func:`route_records` as a table (for tests and the pandas side of the routes filter)."""
    return pd.DataFrame(route_records())


def _derived_params() -> list[alt.Parameter]:
    """Params computed from the controls (Vega signals): dose in mg, the dose rule, the time grid."""
    dose = "toNumber(dose)"  # a number box gives text
    mg_per_kg = "dose_unit == 'mg/kg'"
    return [
        alt.param(name=DOSE_MG, expr=f"{mg_per_kg} ? {dose} * weight_kg : {dose}"),
        # pk.simulate: n = round(hours * 60) + 1 samples from 0 to hours (np.linspace)
        alt.param(name=SAMPLES, expr=f"max(2, min(round(hours * 60) + 1, {pk.MAX_DEFAULT_POINTS}))"),
        alt.param(name=STEP_H, expr=f"hours / ({SAMPLES} - 1)"),
    ]


def conc_expr(t: str) -> str:
    """mg/L at time ``t`` (hours) for bioavailability 1, as in ``helpers.models.pk._curve``.

    IV: D/V * sum c_i e^{-l_i t} (bolus) or (D/T)/V * sum c_i/l_i (1 - e^{-l_i tin}) e^{-l_i (t - tin)}
    with tin = min(t, T) (infusion over T hours). Other routes: D ka / (V (ka - k)) (e^{-k t} - e^{-ka t}).
    """
    tin = f"min({t}, datum.T)"
    inf = " + ".join(
        f"datum.{c} / datum.{lam} * (1 - exp(-datum.{lam} * {tin})) * exp(-datum.{lam} * ({t} - {tin}))"
        for c, lam in (("c1", "l1"), ("c2", "l2"))
    )
    bolus = f"datum.c1 * exp(-datum.l1 * {t}) + datum.c2 * exp(-datum.l2 * {t})"
    iv = f"(datum.T > 0 ? datum.D / datum.T / datum.vol * ({inf}) : datum.D / datum.vol * ({bolus}))"
    oral = f"datum.D * datum.ka / (datum.vol * (datum.ka - datum.k)) * (exp(-datum.k * {t}) - exp(-datum.ka * {t}))"
    return f"(datum.iv ? {iv} : {oral})"


def _ng_ml(level: str, base: str) -> str:
    return f"max(datum.{level} * {base}, 0) * {pk.MG_PER_L_TO_NG_PER_ML}"


def _conc(level: str, shape: str) -> str:
    """ng/mL at bioavailability field ``level`` from the dose-free shape field ``shape`` (unit, unit_next,
    or the read-outs' peak umax): one expression, so the read-outs' Cmax is the grid's own value."""
    return _ng_ml(level, f"datum.{shape} * {SCALE}")


def grid_size() -> int:
    """Samples per route at the longest ``hours`` the notebook allows (one a minute, as ``pk.simulate``)."""
    hours = spec(NOTEBOOK).param("hours").maximum
    return int(round(hours * 60)) + 1


def curve_grid(view: core.View) -> alt.Chart:
    """Every route's time grid, filtered by the controls, with its concentrations.

    The rows are static: a ``sequence`` of route x sample index (six routes x one sample a minute
    over the longest ``hours``), each joined once to its route's row. A control change only moves
    filters and recomputes fields, so the page creates no rows (``flatten`` would make thousands).
    Fields: route, i, t (hours), unit (mg/L for 1 mg/kg at bioavailability 1; unit_prev and unit_next at the
    samples beside it), c_low, c (central),
    c_high (ng/mL) and ``above_h``, the part of the interval to the next sample at or above the
    threshold (as ``helpers.models.pk.time_above``).
    """
    routes = route_records()
    size = grid_size()
    thr = "toNumber(threshold_ng_ml)"
    d0, d1 = f"(datum.c - {thr})", f"(datum.c_next - {thr})"
    part = f"(({d0} >= 0) != ({d1} >= 0) ? max({d0}, {d1}) / abs({d1} - {d0}) : 0)"
    fields = [c for c in routes[0] if c != "rank"]
    # The model is linear in the dose per kg of body weight: each route's curve is its shape (a unit
    # dose, 1 mg/kg at bioavailability 1, on the fixed one-minute grid) times dose / weight. The shape
    # reads only the infusion time and the model; the routes and hours only filter samples, so moving
    # them computes nothing new for the samples kept, and the dose, the unit and the weight multiply.
    return (
        alt.Chart(alt.sequence(0, size * len(routes), as_="s"))
        .transform_calculate(rank=f"floor(datum.s / {size})", i=f"datum.s % {size}")
        .transform_lookup(
            lookup="rank",
            from_=alt.LookupData(alt.Data(values=routes), "rank", fields),
        )
        .transform_filter(view.row_filter(CURVES))
        .transform_filter(f"{DOSE_OK} && datum.i < {SAMPLES}")
        .transform_calculate(
            D="1",
            T="datum.iv && infusion_min > 0 ? infusion_min / 60 : 0",
            two="datum.iv && model == 'two'",
            t=f"datum.i / {MINUTES_PER_H}",
        )
        .transform_calculate(
            vol="datum.two ? datum.v1_l_per_kg : datum.v_l_per_kg",
            c1="datum.two ? datum.a : 1",
            l1="datum.two ? datum.alpha : datum.k",
            c2="datum.two ? datum.b : 0",
            l2="datum.two ? datum.beta : datum.k",
        )
        .transform_calculate(
            unit=conc_expr("datum.t"),
            unit_next=conc_expr(f"((datum.i + 1) / {MINUTES_PER_H})"),
            # Here, not in the curves' own transforms: a branch that adds fields makes Vega copy every sample.
            unit_prev=conc_expr(f"((datum.i - 1) / {MINUTES_PER_H})"),
        )
        .transform_calculate(
            c_low=_conc("f_low", "unit"),
            c=_conc("f_central", "unit"),
            c_high=_conc("f_high", "unit"),
            c_next=f"datum.i < {SAMPLES} - 1 ? {_conc('f_central', 'unit_next')} : null",
        )
        .transform_calculate(above_h=f"datum.i >= {SAMPLES} - 1 ? 0 : {STEP_H} * ({d0} >= 0 && {d1} >= 0 ? 1 : {part})")
    )


def curves_layer(view: core.View) -> alt.LayerChart:
    """Shaded bioavailability range and central line per route, on a grid thinned to about
    ``DRAWN_POINTS`` samples that keeps the first, the last and every peak.

    The grid is the figure's (:func:`pk_chart` gives it to both the curves and the read-outs), and the
    thinning is the layer's: the area and the line read one pipeline (as two units, Vega-Lite computed
    the grid three times over for every change)."""
    stride = f"max(1, ceil(({SAMPLES} - 1) / {DRAWN_POINTS - 1}))"
    # The peak: a sample at or above both neighbours. A curve has one peak, and the low, central and high
    # curves are one shape times their bioavailability, so theirs is the same sample. (A joinaggregate of
    # the maxima found it too, but a branch that adds fields makes Vega copy every sample of the grid on
    # every change: 18 of 35 ms.)
    keep = (
        f"datum.i % {stride} == 0 || datum.i == {SAMPLES} - 1"
        " || (datum.unit >= datum.unit_prev && datum.unit >= datum.unit_next)"
    )
    drawn = alt.Chart()
    color = alt.Color(
        "route:N",
        title="route",
        scale=alt.Scale(domain=list(ROUTE_COLORS), range=list(ROUTE_COLORS.values())),
        legend=alt.Legend(orient="right", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1),
    )
    x = alt.X("t:Q", title="hours after the dose starts", scale=alt.Scale(domain={"expr": "[0, hours]"}, nice=False))
    tooltip = [
        alt.Tooltip("route:N"),
        alt.Tooltip("t:Q", title="hours", format=".2f"),
        alt.Tooltip("c:Q", title="ng/mL (central)", format=".1f"),
        alt.Tooltip("c_low:Q", title="ng/mL (low bioavailability)", format=".1f"),
        alt.Tooltip("c_high:Q", title="ng/mL (high bioavailability)", format=".1f"),
    ]
    spread = drawn.mark_area(opacity=0.22).encode(x=x, y="c_low:Q", y2="c_high:Q", color=color, tooltip=tooltip)
    line = (
        drawn.mark_line(strokeWidth=2.2)
        .encode(x=x, y=alt.Y("c:Q", title="plasma ketamine (ng/mL)"), color=color, tooltip=tooltip)
        .properties(name=CURVE_MARK)
    )
    return alt.layer(spread, keep_name(line)).transform_filter(keep)


LANE_PX = 13  # a documented range's lane at the plot's right edge, and its label's line


def bands_layer(view: core.View) -> tuple[alt.LayerChart, alt.LayerChart]:
    """The documented ranges (grey shading, and a clickable bar each in its own lane at the right edge) and the
    threshold as a dashed rule: what goes under the curves, and what goes over them (the bars and labels).

    The ranges overlap (pk-009 lies inside pk-008), so full-width bands would hide one another from the
    pointer: the shading takes no clicks, and each range's bar has a lane of its own, so a click reaches
    the range a reader points at. Lanes go by the top of the range, highest first, and each label sits
    one line lower than the one before, so the labels never overlap, whatever the peak. The bars and labels
    are drawn over the curves: at a high peak the curves cross the lanes (at 20 mg/kg a click on the middle
    of pk-007's bar reached the IV line and showed nothing).
    """
    marks = view.rows
    order = list(marks.sort_values("value_high", ascending=False, kind="stable")["id"])
    lane = f"indexof({json.dumps(order)}, datum.id)"
    band_tooltip = [
        alt.Tooltip("band_label:N", title="documented range"),
        alt.Tooltip("source_label:N", title="source"),
        alt.Tooltip("quote:N", title="quote"),
    ]
    y = alt.Y("value_low:Q", title="plasma ketamine (ng/mL)")
    laned = alt.Chart(marks).transform_calculate(lane=lane)
    # Lanes are placed from the plot's right edge (alt.value("width") is the unit's own width), never at a
    # pixel x: the page narrows the plot to its box (layout.js) and the lanes and labels follow that edge.
    right = alt.value("width")
    # The shading carries no row id, so a click on it shows no range (view.js shows the source of a clicked id).
    spans = [{"value_low": float(r.value_low), "value_high": float(r.value_high)} for r in marks.itertuples()]
    shading = alt.Chart(alt.Data(values=spans)).mark_rect(color="#999999", opacity=0.12).encode(y=y, y2="value_high:Q")
    bars = (
        laned.mark_rect(
            color="#777777",
            opacity=0.55,
            cursor="pointer",
            width=LANE_PX - 4,
            xOffset={"expr": f"-({len(order)} - datum.lane) * {LANE_PX}"},
        )
        .encode(x=right, y=y, y2="value_high:Q", tooltip=band_tooltip)
        .add_params(encodings.pick())
    )
    # One text mark per lane: a mark's dy is a constant. Each label sits above its range's top, lane k one
    # line below lane k - 1 (whose top is higher), so they keep a line apart and stay inside the plot.
    band_text = alt.layer(
        *(
            laned.transform_filter(f"datum.lane == {k}")
            .mark_text(
                align="right",
                baseline="bottom",
                dx=-(len(order) * LANE_PX + 3),
                dy=-(2 + LANE_PX * (len(order) - 1 - k)),
                fontSize=10,
                color="#444",
            )
            .encode(x=right, y="value_high:Q", text="band_label:N")
            for k in range(len(order))
        )
    )
    rule_data = alt.Chart(alt.Data(values=[{"what": "threshold"}])).transform_calculate(
        threshold="toNumber(threshold_ng_ml)", label="'threshold ' + format(toNumber(threshold_ng_ml), '~g') + ' ng/mL'"
    )
    rule = rule_data.mark_rule(strokeDash=[6, 4], color="#000000", strokeWidth=1.5).encode(
        y="threshold:Q", tooltip=[alt.Tooltip("label:N", title="threshold")]
    )
    rule_text = rule_data.mark_text(
        align="left", baseline="bottom", dx=4, dy=-2, fontSize=10, fontWeight="bold"
    ).encode(x=alt.value(0), y="threshold:Q", text="label:N")
    return alt.layer(shading, rule, rule_text), alt.layer(bars, band_text)


def _header_expr() -> str:
    """Column headers; the threshold's names its current value."""
    expr = json.dumps(READOUT_COLUMNS["show_bio"])
    for key in ("show_tmax", "show_cmax_range", "show_cmax"):
        expr = f"datum.value == {json.dumps(key)} ? {json.dumps(READOUT_COLUMNS[key])} : {expr}"
    above = "'hours ≥ ' + format(toNumber(threshold_ng_ml), '~g') + ' ng/mL'"
    return f"datum.value == 'show_above' ? {above} : ({expr})"


def _readouts_title() -> str:
    """The dose in words, or why nothing is drawn (the declared rules of ``helpers.params``)."""
    listed = listed_signal("routes")  # the routes filter's parsed list (a derived signal, helpers.params.filters)
    any_route = " || ".join(f"indexof({listed}, {json.dumps(r.lower())}) >= 0" for r in pk.SIMULATED_ROUTES)
    weight = "format(weight_kg, '~g') + ' kg'"
    dose = (
        f"(dose_unit == 'mg/kg' ? format(toNumber(dose), '~g') + ' mg/kg × ' + {weight} + ' = '"
        f" + format({DOSE_MG}, '.4~g') + ' mg' : format({DOSE_MG}, '.4~g') + ' mg for ' + {weight})"
    )
    bad_dose = (
        f"Nothing drawn: dose must be greater than 0 and at most {js_string(MAX_MG_PER_KG)} mg/kg "
        "(for a total dose in mg, choose dose unit mg)."
    )
    no_route = f"Nothing drawn: routes must name at least one of {', '.join(pk.SIMULATED_ROUTES)}."
    return (
        f"!{DOSE_OK} ? {json.dumps(bad_dose)} : !({any_route}) ? {json.dumps(no_route)} : "
        f"'Read-outs at the central bioavailability, one sample a minute · dose ' + {dose}"
    )


def readouts_chart(view: core.View) -> alt.LayerChart:
    """Cmax, Tmax and hours above the threshold per route, aggregated in the page from the full grid
    (the figure's, :func:`pk_chart`), as two text units on one table's scales.

    The maxima are taken over ``unit``, the curve's shape, which no dose, unit, weight or threshold
    changes: Cmax is the peak's ``unit`` times the dose per kg, computed as the grid computes ``c``.
    A max or argmax over values that changed makes Vega rescan its group (4 ms of every dose change
    when it ran over ``c``). The hours above the threshold do follow the dose: their sum is a unit of its
    own (:data:`READOUT_ABOVE_MARK`), which Vega updates in place.

    Each unit's data keeps the numbers (cmax, tmax_h, cmax_low, cmax_high; hours_above) beside the text
    it shows, so a test can hold them to ``simulator.compute_readouts``.
    """
    whole = "format(datum.{0}, '.0f')"
    pct = "format(100 * datum.{0}, '.0f')"
    x = alt.X(
        "column:N",
        sort=list(READOUT_COLUMNS),
        title=None,
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            labelExpr=_header_expr(),
            # A header as wide as its column: the page narrows the table on a phone (a cut header
            # shows whole in its tooltip, layout.js); 118 px is a column at the design width.
            # (the x scale's range: the unit's width signal takes another name when a slide lays it out)
            labelLimit={"expr": f"min(118, max(30, span(range('{READOUT_LAYER}_x')) / {len(READOUT_COLUMNS)} - 6))"},
            ticks=False,
            domain=False,
        ),
    )
    y = alt.Y(
        "row_label:N",
        title=None,
        sort=alt.EncodingSortField("rank", op="min"),
        axis=alt.Axis(ticks=False, domain=False, labelLimit=300),
    )
    text = {"text": "text:N", "tooltip": [alt.Tooltip("route:N")]}
    peaks = (
        alt.Chart()
        .transform_aggregate(
            umax="max(unit)",
            peak="argmax(unit)",
            groupby=["route", "rank", "iv", "tmax_min", "f_low", "f_central", "f_high"],
        )
        .transform_calculate(
            cmax=_conc("f_central", "umax"),
            cmax_low=_conc("f_low", "umax"),
            cmax_high=_conc("f_high", "umax"),
            row_label=DELIVERY,
            tmax_h="datum.peak.t",
            show_cmax=whole.format("cmax"),
            show_cmax_range=f"datum.cmax_low == datum.cmax_high ? {whole.format('cmax_low')} : "
            f"{whole.format('cmax_low')} + '–' + {whole.format('cmax_high')}",
            show_tmax="format(datum.peak.t * 60, '.0f') + ' min'",
            show_bio=f"datum.f_low == datum.f_high ? {pct.format('f_low')} + ' %' : "
            f"{pct.format('f_low')} + '–' + {pct.format('f_high')} + ' %'",
        )
        .transform_fold([c for c in READOUT_COLUMNS if c != "show_above"], as_=["column", "text"])
        .mark_text(fontSize=12)
        .encode(x=x, y=y, **text)
        .properties(name=READOUT_MARK)
    )
    above = (
        alt.Chart()
        .transform_aggregate(hours_above="sum(above_h)", groupby=["route", "rank", "iv", "tmax_min"])
        .transform_calculate(row_label=DELIVERY, column="'show_above'", text="format(datum.hours_above, '.2f')")
        .mark_text(fontSize=12)
        .encode(x=x, y=y, **text)
        .properties(name=READOUT_ABOVE_MARK)
    )
    return alt.layer(keep_name(peaks), keep_name(above)).properties(
        name=READOUT_LAYER,
        title=alt.Title({"expr": _readouts_title()}, anchor="start", fontSize=12),
        width=core.WIDTH + READOUTS_WIDER,
        height=alt.Step(22),
        view=alt.ViewBackground(stroke=None),
    )


def pk_chart(view: core.View) -> alt.VConcatChart:
    """Curves over the documented bands, then the read-outs, with every control as a param."""
    bands = ", ".join(
        f"{r.landmark} {r.value_low:g}-{r.value_high:g} ng/mL ({r.id})" for r in view.rows.itertuples(index=False)
    )
    description = (
        f"{TITLE}. {simulator.SUBTITLE}. Line chart of plasma concentration (ng/mL) against hours for the routes "
        "chosen, computed in the page from a one-compartment model (IV bolus, IV infusion, first-order absorption) "
        "or the Clements two-compartment model for IV, with the stated bioavailability range shaded around each "
        f"line. Grey bands are documented ranges from the evidence table: {bands}. A dashed line marks the "
        "threshold. A table of read-outs follows: Cmax, Tmax and hours above the threshold per route."
    )
    under, over = bands_layer(view)
    curves = alt.layer(under, curves_layer(view), over, keep_name(encodings.rows_layer(view.rows, view))).properties(
        width=core.WIDTH, height=320
    )
    # The grid belongs to the whole figure: the curves and the read-outs branch from one computation of
    # it (the bands and the rows bring data of their own).
    grid = curve_grid(view)
    return encodings.with_params(
        # The title is the whole view's: it starts at the figure's left edge, past the read-outs' row labels.
        # On the curves it started after their narrower axis, so wrapped to the page's box it ran over it.
        alt.vconcat(
            curves,
            readouts_chart(view),
            data=grid.data,
            transform=grid.transform,
            spacing=24,
            title=encodings.title(TITLE, SUBTITLE),
        )
        .resolve_scale(x="independent", y="independent")
        # The routes' legend belongs to the curves, right of their plot: a shared one goes right of the whole
        # concat, past the read-outs' title, which the page wraps to the box (on a phone it was off the page).
        .resolve_legend(color="independent")
        .properties(description=description),
        view,
        *_derived_params(),
    )


def pk_view() -> core.View:
    """08: the teaching model's curves and read-outs, every control in the page. Not medical advice."""
    controls = core.controls_for(NOTEBOOK)
    return core.View(
        NOTEBOOK,
        "PK simulator (teaching model, not medical advice)",
        simulator.landmark_rows(),
        controls,
        pk_chart,
        table_columns=("id", "landmark", "value_label", "population", "evidence_kind", "source_label", "quote"),
        noun="documented ranges",
        page_notes=(
            # The page's banner says "Educational use only, not medical advice." once; next to the dose
            # controls the note still says what the numbers are not.
            "Teaching model, not a dosing tool and not medical advice: no dose, route, infusion time or "
            "concentration here is a recommendation. The curves and read-outs, the two-compartment model "
            "included, are computed in this page from average literature parameters.",
        ),
    )
