"""PK simulator (08): the teaching model's curves computed in the page. EDUCATIONAL ONLY, NOT MEDICAL ADVICE.

The spec holds a six-row route table (bioavailability low/central/high from the evidence table, the
absorption rate ka, and the model constants, all read from ``helpers.models.pk``, never retyped) and a
static ``sequence`` of route x drawn sample. Vega expressions (``helpers.views.pk_model``) evaluate the
closed-form curves on the samples ``helpers.models.simulator`` draws from ``pk.simulate``'s
one-a-minute grid (evenly thinned, the last and the peak kept):

- IV bolus and IV zero-order infusion, one-compartment or Clements two-compartment (a sum of
  two exponentials; one-compartment is the same sum with one term);
- first-order absorption (the Bateman function) for the other routes.

Cmax, Tmax and hours above the threshold on that one-minute grid are computed from each route's row,
shown as a text table under the chart, so every control (routes, dose and its unit, weight, infusion
time, hours, threshold, model) redraws without Python, in a saved HTML file too. The grey bands are
the documented concentration ranges (pk-007/8/9, ``helpers.models.simulator.landmark_rows``): they
are the view's rows.
"""

from __future__ import annotations

import json

from helpers.models import pk, simulator
from helpers.params.expr import js_string
from helpers.params.filters import listed_signal
from helpers.params.notebooks import MAX_MG_PER_KG
from helpers.views import core, encodings
from helpers.views.layers import keep_name
from helpers.views.lazy import alt
from helpers.views.pk_model import (
    DOSE_MG,
    DOSE_OK,
    KEPT,
    LAST,
    MINUTES_PER_H,
    SAMPLES,
    STEP_H,
    conc_expr,
    conc_ng_ml,
    route_records,
    with_hours_above,
    with_peak,
    with_shape_constants,
)

NOTEBOOK = simulator.NOTEBOOK
CURVES = "curves"  # the filter target of the routes control: the route table, not the rows
CURVE_MARK = "curves"  # named units: the browser test reads their data
READOUT_MARK = "readouts"
DRAWN_POINTS = 241  # at most this many evenly spaced samples per drawn curve (2-3 px apart); read-outs use every minute
SLOTS = DRAWN_POINTS + 2  # a route's drawn samples: the evenly spaced ones, the last and the peak (curve_grid)
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

# The read-out table is this much wider than the curves' plot, to the right edge of the routes' legend: the
# page moves both widths by the same px (layout.js), so on a phone the table keeps the legend's width too.
READOUTS_WIDER = 95
DELIVERY = (  # a read-out row's label
    "datum.iv ? (datum.iv && infusion_min > 0 ? 'IV infusion over ' + format(infusion_min, '~g') + ' min' : 'IV bolus')"
    " + (model == 'two' ? ' · two-compartment' : '')"
    " : datum.route + ' · absorbed, typical Tmax ' + format(datum.tmax_min, '~g') + ' min'"
)


def _derived_params(view: core.View) -> list[alt.Parameter]:
    """Params computed from the controls (Vega signals): dose in mg, the time grid, and which routes the
    filters keep (once per change for six routes, where each sample tested its route's name)."""
    dose = "toNumber(dose)"  # a number box gives text
    mg_per_kg = "dose_unit == 'mg/kg'"
    # The controls' filters alone: with the rules' verdict in it, the array would be new on every change of
    # any control, and Vega would test every sample again (the rules are the grid filter's own term).
    kept = ", ".join(
        " && ".join(f.expr(c.signal, row) for c, f in view.rules(CURVES)) or "true" for row in route_records()
    )
    return [
        alt.param(name=KEPT, expr=f"[{kept}]"),
        alt.param(name=DOSE_MG, expr=f"{mg_per_kg} ? {dose} * weight_kg : {dose}"),
        # pk.simulate: n = round(hours * 60) + 1 samples from 0 to hours (np.linspace)
        alt.param(name=SAMPLES, expr=f"max(2, min(round(hours * 60) + 1, {pk.MAX_DEFAULT_POINTS}))"),
        alt.param(name=STEP_H, expr=f"hours / ({SAMPLES} - 1)"),
    ]


def curve_grid(view: core.View) -> alt.Chart:
    """The drawn samples of every route kept by the controls, with their concentrations.

    The grid is ``helpers.models.simulator``'s thinned one: every ``stride``-th sample of the one-a-minute
    grid (about ``DRAWN_POINTS``), the last, and the peak (:func:`with_peak`), as ``_chart_samples`` keeps
    them. The rows are static: a ``sequence`` of route x slot (``SLOTS`` each), joined once to its route's
    row; a control change moves filters and recomputes fields, so the page creates no rows, and it
    computes about 1,500 samples where the one-a-minute grid had 17,000.
    Fields: route, slot, i (the sample's minute), t (hours), unit (mg/L for 1 mg/kg at bioavailability 1),
    c_low, c (central) and c_high (ng/mL).
    """
    routes = route_records()
    fields = [c for c in routes[0] if c != "rank"]
    stride = f"max(1, ceil({LAST} / {DRAWN_POINTS - 1}))"
    index = f"datum.slot < {DRAWN_POINTS} ? datum.slot * {stride} : datum.slot == {DRAWN_POINTS} ? {LAST} : datum.peak"
    # An evenly spaced sample past the end, or a peak already among the samples, is left out.
    drawn = (
        f"datum.slot < {DRAWN_POINTS} ? datum.i < {LAST} : datum.slot == {DRAWN_POINTS}"
        f" || (datum.i % {stride} != 0 && datum.i < {LAST})"
    )
    # The model is linear in the dose per kg of body weight: each route's curve is its shape (a unit
    # dose, 1 mg/kg at bioavailability 1, on the one-minute grid) times dose / weight. The shape reads
    # only the infusion time and the model, and which samples are drawn only the hours: the dose, the
    # unit and the weight multiply, and the routes only filter.
    kept = (
        alt.Chart(alt.sequence(0, SLOTS * len(routes), as_="s"))
        .transform_calculate(rank=f"floor(datum.s / {SLOTS})", slot=f"datum.s % {SLOTS}")
        .transform_lookup(
            lookup="rank",
            from_=alt.LookupData(alt.Data(values=routes), "rank", fields),
        )
        .transform_filter(f"{DOSE_OK} && {KEPT}[datum.rank]")
    )
    return (
        with_peak(with_shape_constants(kept))
        .transform_calculate(i=index)
        .transform_filter(drawn)
        .transform_calculate(t=f"datum.i / {MINUTES_PER_H}")
        .transform_calculate(unit=conc_expr("datum.t"))
        .transform_calculate(
            c_low=conc_ng_ml("f_low", "unit"),
            c=conc_ng_ml("f_central", "unit"),
            c_high=conc_ng_ml("f_high", "unit"),
        )
    )


def curves_layer(view: core.View) -> alt.LayerChart:
    """Shaded bioavailability range and central line per route, on the grid of :func:`curve_grid`."""
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
    return alt.layer(spread, keep_name(line))


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


def readouts_chart(view: core.View) -> alt.Chart:
    """Cmax, Tmax and hours above the threshold per route, computed in the page from each kept route's
    row (:func:`with_peak`, :func:`with_hours_above`), not from the drawn grid, which has every minute no more.

    Cmax is the peak's ``unit`` times the dose per kg, computed as the grid computes ``c``. The unit's data
    keeps the numbers (cmax, tmax_h, cmax_low, cmax_high, hours_above) beside the text it shows, so a test
    can hold them to ``simulator.compute_readouts``.
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
            labelLimit={"expr": f"min(118, max(30, span(range('{READOUT_MARK}_x')) / {len(READOUT_COLUMNS)} - 6))"},
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
    rows = alt.Chart(alt.Data(values=route_records())).transform_filter(f"{DOSE_OK} && {KEPT}[datum.rank]")
    peaks = with_peak(with_shape_constants(rows)).transform_calculate(
        cmax=conc_ng_ml("f_central", "umax"),
        cmax_low=conc_ng_ml("f_low", "umax"),
        cmax_high=conc_ng_ml("f_high", "umax"),
    )
    return (
        with_hours_above(peaks)
        .transform_calculate(
            row_label=DELIVERY,
            show_cmax=whole.format("cmax"),
            show_cmax_range=f"datum.cmax_low == datum.cmax_high ? {whole.format('cmax_low')} : "
            f"{whole.format('cmax_low')} + '–' + {whole.format('cmax_high')}",
            show_tmax="format(datum.peak, '.0f') + ' min'",
            show_above="format(datum.hours_above, '.2f')",
            show_bio=f"datum.f_low == datum.f_high ? {pct.format('f_low')} + ' %' : "
            f"{pct.format('f_low')} + '–' + {pct.format('f_high')} + ' %'",
        )
        .transform_fold(list(READOUT_COLUMNS), as_=["column", "text"])
        .mark_text(fontSize=12)
        .encode(x=x, y=y, text="text:N", tooltip=[alt.Tooltip("route:N")])
        .properties(
            name=READOUT_MARK,
            title=alt.Title({"expr": _readouts_title()}, anchor="start", fontSize=12),
            width=core.WIDTH + READOUTS_WIDER,
            height=alt.Step(22),
            view=alt.ViewBackground(stroke=None),
        )
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
    grid = curve_grid(view)  # the area and the line read one pipeline (as two units, each computed it)
    drawn = curves_layer(view).properties(data=grid.data, transform=grid.transform)
    curves = alt.layer(under, drawn, over, keep_name(encodings.rows_layer(view.rows, view))).properties(
        width=core.WIDTH, height=320
    )
    return encodings.with_params(
        # The title is the whole view's: it starts at the figure's left edge, past the read-outs' row labels.
        # On the curves it started after their narrower axis, so wrapped to the page's box it ran over it.
        alt.vconcat(
            curves,
            readouts_chart(view),
            spacing=24,
            title=encodings.title(TITLE, SUBTITLE),
        )
        .resolve_scale(x="independent", y="independent")
        # The routes' legend belongs to the curves, right of their plot: a shared one goes right of the whole
        # concat, past the read-outs' title, which the page wraps to the box (on a phone it was off the page).
        .resolve_legend(color="independent")
        .properties(description=description),
        view,
        *_derived_params(view),
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
