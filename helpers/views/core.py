"""One declarative view per notebook: the whole table, its controls as Vega-Lite params, its encodings.

A :class:`View` is built once from the whole table. Every control is a Vega-Lite
param, and what it does lives in the spec (filters, computed fields, conditions), so
the page redraws without Python. Three renderers read the same View:

- ``helpers.render.widget``: ipywidgets linked to ``alt.JupyterChart.params`` (JupyterLab, Voilà);
- ``helpers.render.page``: the same params bound to HTML inputs in an offline report;
- static export (PNG/SVG) of the spec with the run's initial values.

The filters are declared once (:class:`Control`) and compiled twice: to a Vega
expression for the page and to a pandas mask for the table under the chart, the
count and the CSV download. A browser test checks that both keep the same rows.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from helpers.data.prepared import HEDGE_DOMAIN, fmt, plain, prepare, value_label  # noqa: F401 - views use them from core
from helpers.params import Filter, Param, spec, validate
from helpers.params.declare import RESERVED_SIGNALS, signal_name  # noqa: F401 - views read them from core
from helpers.views.lazy import alt

# Okabe & Ito (2008), the palette of Nature Methods' colour-blind guide. Its yellow is nearly
# invisible as a hollow mark on white, so it comes last; grey and Tol's muted colours fill in
# before it, so no two categories of one scale share a hue.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PALETTE = [*OKABE_ITO[:6], "#000000", "#999999", "#882255", "#44AA99", "#117733", "#332288", "#AA4499", "#661100"]
PALETTE.append(OKABE_ITO[6])
WIDTH = 560
ROWS_MARK = "rows"  # the unit that holds every row the filters keep; the page reads its data
PICK = "pick"  # the click selection: a click on a figure shows its source
HEDGE_NOTE = (
    "Filled circles: stated flatly. Hollow diamonds and dashed intervals: hedged (about, up to, more than...). "
    "Click a mark for its source."
)


def tooltip() -> list:
    """A figure's tooltip: its value, hedge, population, evidence and source (a function: Altair loads on use)."""
    return [
        alt.Tooltip("value_label:N", title="figure"),
        alt.Tooltip("qualifier:N", title="hedge"),
        alt.Tooltip("population:N", title="about"),
        alt.Tooltip("evidence_kind:N", title="evidence"),
        alt.Tooltip("evidence_cue:N", title="evidence words"),
        alt.Tooltip("source_label:N", title="source"),
        alt.Tooltip("quote:N", title="quote"),
    ]


# What the click-to-source panel shows, in order, when the table has it, and its words for each field.
# The page (static/view.js) and the widget read them from the view's payload: written once, here.
SOURCE_LABELS = {
    "id": "row id",
    "value_label": "figure",
    "quote": "sentence",
    "evidence_kind": "evidence kind (as the document states it)",
    "evidence_cue": "words that support the evidence kind",
    "section": "section",
    "source_label": "document",
}
SOURCE_FIELDS = tuple(SOURCE_LABELS)
# The page's and the widget's words; a view replaces some with its own (:attr:`View.hints`: 06 shows
# events, 07's clicks select bars), and every surface reads :meth:`View.all_hints`.
HINTS = {
    "source": "Click a figure in the chart to read its sentence and source here.",
    "cite": "Click a figure to cite its sentence; the link cites the view.",
    "source_title": "Source of {id}",
    "notes": "Some settings were ignored:",
    "count": "{n} of {total} {noun} match.",
    "download": "Download these {n} {noun} as CSV",
    "table": "The {noun} and their source sentences",
}
JSON_SAFE = "json_safe"


def json_safe_values(data, max_rows: int = 5000) -> dict:
    """Altair's default data transformer, with NaN and infinities turned into null.

    Under pandas 3, Altair's sanitizer turns the missing values of text columns (note, date, ...)
    back into NaN, which is not JSON: jupyter_client then warns under every explorer cell.
    Used only while a view builds its chart (:attr:`View.chart`), never switched on at import.
    """
    from altair.utils.data import limit_rows, to_values

    values = to_values(limit_rows(data, max_rows=max_rows))
    if isinstance(values, dict) and "values" in values:
        rows = [
            {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
            if isinstance(row, dict)
            else row
            for row in values["values"]
        ]
        values = {**values, "values": rows}
    return values


# --- controls ------------------------------------------------------------------------------------

RULES_OK = "params_ok"  # a derived param: every declared rule holds; what the page draws needs it


@dataclass(frozen=True)
class Control:
    """A notebook parameter as a view reads it: its declaration (``helpers.params``), its signal,
    the filters it drives (none: a setting the encodings read) and the HTML input it binds to."""

    param: Param

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def signal(self) -> str:
        """The Vega-Lite param (signal) name; see ``helpers.params.declare.signal_name``."""
        return self.param.signal

    @property
    def filters(self) -> tuple[Filter, ...]:
        return self.param.filters

    @property
    def text(self) -> str:
        return self.param.label

    label = text

    @property
    def options(self) -> tuple[str, ...] | None:
        return self.param.options

    def binding(self) -> dict:
        """The HTML input this param binds to in a saved page (Vega binding), from the declaration.

        A number box takes its bounds and step from the declaration in the page (``static/params.js``):
        Vega-Lite's schema gives a number input no min, max or step.
        """
        p = self.param
        name = p.label + " "
        if p.type == "list":
            return {"input": "text", "name": f"{p.label} (any of {', '.join(p.choices)}) "}
        if p.type == "choice":
            options = list(p.choices)
            kind = "radio" if len(options) <= 4 else "select"
            return {"input": kind, "options": options, "labels": [p.choice_label(o) for o in options], "name": name}
        if p.type == "bool":
            return {"input": "checkbox", "name": name}
        if p.control == "box":
            return {"input": "number", "name": name}
        return {"input": "range", "min": p.minimum, "max": p.maximum, "step": p.step, "name": name}


def controls_for(notebook: str) -> tuple[Control, ...]:
    """One Control per declared parameter of the notebook, in declaration order."""
    return tuple(Control(param) for param in spec(notebook))


@dataclass(frozen=True)
class ExtraTable:
    """A table beside the chart (07's contradictions) that some controls filter."""

    name: str
    title: str
    frame: pd.DataFrame
    columns: tuple[str, ...]
    noun: str


# --- the view ------------------------------------------------------------------------------------


@dataclass
class View:
    """Data + params + encodings for one notebook; renderers never rebuild it on a control change."""

    notebook: str
    title: str
    rows: pd.DataFrame
    controls: tuple[Control, ...]
    build: Callable[[View], alt.TopLevelMixin]
    table_columns: tuple[str, ...] = ("id", "value_label", "population", "evidence_kind", "source_label", "quote")
    noun: str = "figures"
    extras: tuple[ExtraTable, ...] = ()
    page_notes: tuple[str, ...] = ()  # said in the saved page only
    meta: dict = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # this view's words over HINTS (e.g. "click an event")

    def __post_init__(self):
        unknown = sorted(set(self.hints) - set(HINTS))
        if unknown:
            raise ValueError(f"{self.notebook}: unknown hint(s) {unknown}; valid hints: {sorted(HINTS)}")

    @property
    def all_hints(self) -> dict[str, str]:
        """HINTS with this view's own words over them: what the page, the widget and cite.js say."""
        return {**HINTS, **self.hints}

    # -- rules -------------------------------------------------------------------------------
    def control(self, name: str) -> Control:
        return next(c for c in self.controls if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.controls]

    def rules(self, target: str = "rows") -> list[tuple[Control, Filter]]:
        """Every (control, filter) pair that acts on ``target``."""
        return [(c, f) for c in self.controls for f in c.filters if f.target == target]

    def row_filter(self, target: str = "rows") -> str:
        """Every filter of ``target`` as one Vega expression; nothing passes while a declared rule fails."""
        return " && ".join([RULES_OK, *(f.expr(c.signal) for c, f in self.rules(target))])

    def rules_expr(self) -> str:
        """Every declared rule (each parameter's range and step, and the rules across them) as one
        Vega expression over the signals, so a refused combination is never drawn."""
        declared = spec(self.notebook)
        checks = [r.ok for p in declared.params for r in p.rules()] + [r.ok for r in declared.rules]
        by_signal = {c.name: c.signal for c in self.controls}
        out = " && ".join(f"({c})" for c in checks) or "true"
        for name, signal in by_signal.items():
            if name != signal:
                out = re.sub(rf"\b{re.escape(name)}\b", signal, out)
        return out

    def validate(self, values: dict[str, Any] | None = None, check_order: bool = True) -> dict[str, Any]:
        return validate(self.notebook, values, check_order=check_order)

    def filter(self, values: dict[str, Any], target: str = "rows") -> pd.DataFrame:
        """The rows (or an extra table's rows) that the controls keep, as the page keeps them."""
        frame = self.rows if target == "rows" else self.extra(target).frame
        mask = pd.Series(True, index=frame.index)
        for control, rule in self.rules(target):
            mask &= rule.mask(frame, values[control.name])
        return frame[mask]

    def extra(self, name: str) -> ExtraTable:
        return next(e for e in self.extras if e.name == name)

    # -- spec --------------------------------------------------------------------------------
    @cached_property
    def chart(self) -> alt.TopLevelMixin:
        """The chart, built once from the whole table, with every control as a top-level param."""
        return self.build(self)

    def chart_dict(self, validate: bool = False) -> dict:
        """The chart as a Vega-Lite dict, its data made JSON-safe (see :func:`json_safe_values`)."""
        if JSON_SAFE not in alt.data_transformers.names():
            alt.data_transformers.register(JSON_SAFE, json_safe_values)
        with alt.data_transformers.enable(JSON_SAFE):
            return self.chart.to_dict(validate=validate)

    @cached_property
    def base_spec(self) -> dict:
        """The chart as a Vega-Lite dict.

        Not schema-validated here: validation took 0.1-1.8 s per view, in every report kernel. The tests
        validate every view's chart, and its spec with every option value, against the Vega-Lite schema.
        Kept on disk by ``speccache``, keyed by the suite's code, data and library versions.
        """
        from helpers.views import speccache

        return speccache.spec(
            self.notebook,
            lambda: speccache.stable_names(self.chart_dict()),
            speccache.fingerprint(self),
        )

    def chart_params(self) -> list[str]:
        """The control names whose params the spec declares (every control, in practice)."""
        declared = {p["name"] for p in self.base_spec.get("params", []) if "select" not in p}
        return [c.name for c in self.controls if c.signal in declared]

    def by_signal(self, values: dict[str, Any]) -> dict[str, Any]:
        """Parameter values keyed by their signal names."""
        return {c.signal: values[c.name] for c in self.controls if c.name in values}

    def spec(self, values: dict[str, Any] | None = None, bind: bool = False) -> dict:
        """The spec with ``values`` as the params' initial values, and HTML bindings when ``bind``."""
        values = {**self.validate({}), **(values or {})}
        signals = {c.signal: c for c in self.controls}
        out = copy.deepcopy(self.base_spec)
        for param in out.get("params", []):
            control = signals.get(param["name"])
            if "select" in param or control is None:
                continue
            param["value"] = values[control.name]
            if bind:
                param["bind"] = control.binding()
        return out

    def to_chart(self, values: dict[str, Any] | None = None) -> alt.TopLevelMixin:
        """The spec with ``values`` as initial param values, as the chart object JupyterChart wants
        (made from the cached spec: see ``speccache.spec_chart``)."""
        from helpers.views import speccache

        return speccache.spec_chart(self.spec(values))

    def payload(self, values: dict[str, Any]) -> dict:
        """Everything a saved page needs: the bound spec, the controls, every row, the initial selection."""
        values = self.validate(values)
        return {
            "notebook": self.notebook,
            "title": self.title,
            "noun": self.noun,
            "description": self.base_spec.get("description", self.title),
            "spec": self.spec(values, bind=True),
            "values": values,
            "params": spec(self.notebook).to_json(),
            "labels": {f: SOURCE_LABELS[f] for f in SOURCE_FIELDS},
            "hints": self.all_hints,
            "rows_mark": ROWS_MARK,
            "table_columns": list(self.table_columns),
            "source_fields": [f for f in SOURCE_FIELDS if f in self.rows.columns],
            "rows": table_records(self.rows, list(self.rows.columns)),
            "columns": list(self.rows.columns),  # the CSV's order: a saved notebook's JSON sorts the rows' keys
            "initial_ids": list(self.filter(values)["id"]),
            "extras": [
                {
                    "name": e.name,
                    "title": e.title,
                    "noun": e.noun,
                    "columns": list(e.columns),
                    "filters": [
                        {"param": c.signal, "op": f.op, "columns": list(f.columns)} for c, f in self.rules(e.name)
                    ],
                    "rows": table_records(e.frame, list(e.frame.columns)),
                    "initial": [int(i) for i in e.frame.index.get_indexer(self.filter(values, e.name).index)],
                }
                for e in self.extras
            ],
            "notes": list(self.page_notes),
        }


def table_records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Rows as JSON-safe dicts of the given columns that exist (NaN becomes null)."""
    keep = [c for c in dict.fromkeys(columns) if c in frame.columns]
    records = json.loads(frame[keep].to_json(orient="records", force_ascii=False))
    return records
