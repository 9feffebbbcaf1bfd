"""The encodings the views share: params on the top level, the click selection, the rows unit, fixed
colour domains, hedge shapes and fills, log/linear axes, titles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from helpers.views import core
from helpers.views.lazy import alt


def params_of(view: core.View, *extra: alt.Parameter) -> list[alt.Parameter]:
    """Every control as a Vega-Lite variable param (defaults; renderers set the rest).

    Controls that only filter a table beside the chart are params too, so the page binds
    them like the others and the widget renderer links them the same way.
    """
    defaults = view.validate({})
    params = [alt.param(name=c.signal, value=defaults[c.name]) for c in view.controls]
    derived = {name: e for c in view.controls for f in c.filters for name, e in f.derived(c.signal).items()}
    params += [alt.param(name=name, expr=e) for name, e in derived.items()]
    return [*params, alt.param(name=core.RULES_OK, expr=view.rules_expr()), *extra]


def with_params(chart: alt.TopLevelMixin, view: core.View, *extra: alt.Parameter) -> alt.TopLevelMixin:
    """``chart`` with every control (and ``extra``) as top-level variable params.

    Set directly rather than through ``add_params``: on a layer or concat chart, Altair pushes each
    param into every subchart and lifts it back, deep-copying the whole chart for each (1.3 s of
    07's and 08's 1.6 s build, in every report kernel). Variable params belong at the top level
    anyway, so the spec is the same.
    """
    out = chart.copy(deep=False)
    existing = [] if out.params is alt.Undefined else list(out.params)
    # alt.param() wraps the schema object Vega-Lite's params list holds; add_params unwraps it too.
    out.params = existing + [p.param if isinstance(p, alt.Parameter) else p for p in params_of(view, *extra)]
    return out


def pick() -> alt.Parameter:
    """The click selection on a figure's id: the renderers show its source when it changes."""
    return alt.selection_point(name=core.PICK, fields=["id"], on="click", clear="dblclick", empty=False)


def rows_layer(data: pd.DataFrame, view: core.View) -> alt.Chart:
    """An invisible unit whose data is exactly the rows the filters keep (the page reads it)."""
    return (
        alt.Chart(data)
        .transform_filter(view.row_filter())
        .mark_point(opacity=0, size=0, aria=False, tooltip=False)
        .properties(name=core.ROWS_MARK)
    )


def choice_expr(param: str, mapping: dict[str, Any]) -> str:
    """A Vega expression that gives ``mapping[param]`` (values are JSON literals)."""
    items = list(mapping.items())
    expr = json.dumps(items[-1][1])
    for key, value in reversed(items[:-1]):
        expr = f"{param} == {json.dumps(key)} ? {json.dumps(value)} : ({expr})"
    return expr


def color_by(param: str, domains: dict[str, list[str]], title: str = "colour") -> alt.Color:
    """Colour by the field the ``param`` names; each choice has a fixed domain, so a category
    keeps its colour whatever the filters remove. Reads the computed field ``colour``."""
    longest = max(len(d) for d in domains.values())
    return alt.Color(
        "colour:N",
        title=title,
        scale=alt.Scale(domain={"expr": choice_expr(param, domains)}, range=core.PALETTE[: max(longest, 1)]),
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=360),
    )


def fixed_color(field: str, domain: Sequence[str], title: str) -> alt.Color:
    """Colour by one field over a fixed domain."""
    return alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=list(domain), range=core.PALETTE[: len(domain)]),
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=360),
    )


def hedge_shape() -> alt.Shape:
    """Circles for figures stated flatly, diamonds for hedged ones: a fixed two-value scale."""
    return alt.Shape(
        "hedge:N",
        title="hedge",
        scale=alt.Scale(domain=core.HEDGE_DOMAIN, range=["circle", "diamond"]),
        # Vega-Lite draws a shape legend's symbols transparent when colour is a field, so the
        # subtitle (core.HEDGE_NOTE) is the legend of this channel.
        legend=None,
    )


def hedge_fill(color: alt.Color) -> alt.FillValue | dict:
    """Solid for flat statements, white (hollow) for hedged ones, on the colour's own scale."""
    spec = color.to_dict(validate=False)
    fill = alt.Fill(field=spec["field"], type=spec["type"], scale=spec.get("scale", alt.Undefined))
    return alt.condition("datum.hedged", alt.value("white"), fill)


def hedge_dash():
    return alt.condition("datum.hedged", alt.value([4, 3]), alt.value([1, 0]))


def log_field(param: str, field_name: str, floor: float = 1e-3) -> str:
    """``field`` on a log10 or linear axis as the ``param`` says (a Vega expression).

    Vega-Lite cannot take a scale type from a param, so the log view is a linear axis over
    log10 of the value, labelled with the real values (:func:`log_axis`). Values at or below
    ``floor`` are drawn at the floor on the log axis.
    """
    return f"{param} ? log(max(datum[{field_name!r}], {floor}))/LN10 : datum[{field_name!r}]"


def log_axis(param: str, title: str) -> alt.Axis:
    """Axis labels in real units whether the axis holds values or their log10; whole powers of ten on log."""
    return alt.Axis(
        title=title,
        labelExpr=f"{param} ? format(pow(10, datum.value), '~g') : format(datum.value, '~g')",
        tickMinStep={"expr": f"{param} ? 1 : 0"},
        labelOverlap=True,
    )


def title(text: str | dict, subtitle: str | list[str] = core.HEDGE_NOTE) -> alt.Title:
    return alt.Title(text, subtitle=subtitle, subtitleColor="#555", anchor="start")


def labelled(values: dict[str, Any]) -> str:
    """'condition = fibromyalgia, arm = all' for descriptions."""
    return ", ".join(f"{k.replace('_', ' ')} = {v}" for k, v in values.items())
