"""The widget renderer: a View in JupyterLab and Voilà.

The chart is one ``alt.JupyterChart`` whose spec is sent once. Each ipywidgets control
is linked to the chart's param of the same name (``JupyterChart.params``), so a change
moves a signal in the page and no spec is rebuilt or re-sent. The count, the table of
figures and the CSV download follow the params in Python, with the same rules the page
applies (``View.filter``). A click on a figure sets the chart's ``pick`` selection, and
the panel under the chart shows that figure's sentence and source.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import altair as alt
import anywidget
import ipywidgets as widgets
import pandas as pd
import traitlets

from helpers.params import bounded, read
from helpers.render.offline import enable_offline
from helpers.views.core import PICK, SOURCE_FIELDS, SOURCE_LABELS, View


class ParamLink(anywidget.AnyWidget):
    """Moves a chart param from its control in the page itself (``static/link.js``), like
    ``widgets.jslink`` but into one key of ``JupyterChart._params``; no kernel round trip."""

    _esm = (Path(__file__).parent / "static" / "link.js").read_text(encoding="utf-8")
    control = traitlets.Instance(widgets.Widget).tag(sync=True, **widgets.widget_serialization)
    chart = traitlets.Instance(widgets.Widget).tag(sync=True, **widgets.widget_serialization)
    name = traitlets.Unicode().tag(sync=True)


class PanelA11y(anywidget.AnyWidget):
    """Names slider handles, hides empty chart layers from screen readers and lifts the accordion
    title's contrast, in the page itself (``static/a11y.js``, ``static/panel.css``); shows nothing."""

    _esm = "\n".join(
        (Path(__file__).parent / "static" / n).read_text(encoding="utf-8") for n in ("empty_marks.js", "a11y.js")
    )
    _css = (Path(__file__).parent / "static" / "panel.css").read_text(encoding="utf-8")


def control_widget(view: View, name: str, value: Any) -> widgets.Widget:
    """The widget for one declared parameter: toggles or a dropdown for choices, a checkbox, a
    multiple choice for a list, a number box or a slider with the declared bounds and step."""
    param = view.control(name).param
    label = param.label
    style = {"description_width": "initial"}
    if param.type == "list":
        chosen = tuple(o for o in param.choices if o.lower() in {v.strip().lower() for v in str(value).split(",")})
        return widgets.SelectMultiple(
            options=list(param.choices), value=chosen, rows=len(param.choices), description=label, style=style
        )
    if param.type == "choice":
        options = [(param.choice_label(c), c) for c in param.choices]
        if len(options) <= 4:
            return widgets.ToggleButtons(options=options, value=value, description=label, style=style)
        return widgets.Dropdown(options=options, value=value, description=label, style=style)
    if param.type == "bool":
        return widgets.Checkbox(value=value, description=label, indent=False)
    bounds = {"min": param.minimum, "max": param.maximum, "step": param.step}
    if param.control == "box":
        cls = widgets.BoundedIntText if param.type == "int" else widgets.BoundedFloatText
        return cls(value=value, description=label, style=style, **bounds)
    cls = widgets.IntSlider if param.type == "int" else widgets.FloatSlider
    # Room to move a slider over a wide range by single steps; the whole line on a phone (panel.css: 44 px tall).
    layout = widgets.Layout(width="100%", max_width="28rem")
    return cls(value=value, description=label, style=style, layout=layout, **bounds)


def download_link(frame: pd.DataFrame, filename: str, noun: str = "rows") -> str:
    """An offline CSV download: the data travels inside the link, nothing is fetched."""
    payload = base64.b64encode(frame.to_csv(index=False).encode("utf-8")).decode("ascii")
    return (
        f'<a download="{html.escape(filename)}" href="data:text/csv;charset=utf-8;base64,{payload}" '
        f'style="font-weight:600">Download these {len(frame)} {noun} as CSV</a>'
    )


def table_html(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> str:
    """The rows as an HTML table, escaped, quote beside each number."""
    keep = [c for c in columns if c in frame.columns]
    table = frame[keep].to_html(index=False, escape=True, classes="evidence-table", border=0, na_rep="")
    # A wide table scrolls in its own box, not the page; the box takes focus so a keyboard can scroll it.
    return f'<div class="ke-scroll-box" role="region" aria-label="table" tabindex="0">{table}</div>'


def source_panel_html(row: dict[str, Any]) -> str:
    """The click-to-source panel: the full sentence, document, section, evidence kind and row id."""
    items = "".join(
        f"<dt>{html.escape(SOURCE_LABELS[key])}</dt><dd>{html.escape(str(row[key]))}</dd>"
        for key in SOURCE_FIELDS
        if row.get(key) not in (None, "")
    )
    return f'<div class="source-panel" role="region" aria-label="source of the figure"><dl>{items}</dl></div>'


VOILA_NAMES = re.compile(r"^(voila|token$)")  # Voilà's own query names


def query_values(view: View, query: str, base: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Parameter values from a URL query (Voilà's ``?condition=fibromyalgia``), and notes for what was ignored.

    The same verdict as the command line and the saved page (``helpers.params.read``): a refused
    value is ignored, never fatal, and its note is the message the command line would print.
    """
    pairs = [(n, v) for n, v in parse_qsl(query or "", keep_blank_values=True) if not VOILA_NAMES.match(n)]
    verdict = read(view.notebook, pairs, base)
    accepted = {k: verdict.values[k] for k, _ in pairs if k in verdict.values and k not in verdict.refused}
    return accepted, bounded(verdict.problems)


def _listed(text: str, options) -> tuple[str, ...]:
    wanted = {part.strip().lower() for part in str(text).split(",")}
    return tuple(o for o in options if o.lower() in wanted)


class Panel:
    """Controls, the live chart, the count, the CSV download, the source panel and the tables."""

    def __init__(self, view: View, values: dict[str, Any], notes: list[str] | None = None):
        enable_offline()
        self.view = view
        self.initial = dict(values)
        self._accepted = dict(values)  # the last values every declared rule accepted
        self.controls: dict[str, widgets.Widget] = {
            c.name: control_widget(view, c.name, values[c.name]) for c in view.controls
        }
        self.jchart = alt.JupyterChart(view.to_chart(values), embed_options={"actions": False})
        self._chart_params = set(view.chart_params())
        # Page-side links make a change show in one frame; the Python links keep both sides equal
        # when Python moves a control or a param (tests, presets) and carry page changes to the table.
        self._links: list[ParamLink] = []
        for name, control in self.controls.items():
            if name in self._chart_params:
                # A multiple choice holds a tuple; the param (like the notebook parameter) a comma list.
                listed = isinstance(control, widgets.SelectMultiple)
                options = tuple(getattr(control, "options", ()))
                transform = (",".join, partial(_listed, options=options)) if listed else None
                if control.value is True or control.value is False:  # JupyterChart keeps booleans as floats
                    transform = (bool, bool)
                signal = view.control(name).signal
                traitlets.link((control, "value"), (self.jchart.params, signal), transform=transform)
                self._links.append(ParamLink(control=control, chart=self.jchart, name=signal))
                self.jchart.params.observe(self._on_change, names=[signal])
            else:  # acts on a table beside the chart only
                control.observe(self._on_change, names="value")
        self.jchart.selections.observe(self._on_pick, names=[PICK])
        self._count = widgets.HTML()
        self._download = widgets.HTML()
        self._table = widgets.HTML()
        self._source = widgets.HTML(self._hint())
        self._notes = widgets.HTML(self._notes_html(notes or []))
        self._extras = {e.name: (widgets.HTML(), widgets.HTML()) for e in view.extras}
        self._listeners: list[Callable[[Panel], None]] = []
        self.refresh()

    # --- state --------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The values in use: the last set of control values that every declared rule accepted."""
        return dict(self._accepted)

    def _raw(self) -> dict[str, Any]:
        """The controls as they stand: chart params as the page holds them, table-only controls from their widgets."""
        raw = {}
        for name, control in self.controls.items():
            value = (
                getattr(self.jchart.params, self.view.control(name).signal)
                if name in self._chart_params
                else control.value
            )
            # JupyterChart keeps every number as a float trait: booleans come back as 1.0 / 0.0.
            raw[name] = bool(value) if self.view.control(name).param.kind is bool else value
        return raw

    @property
    def data(self) -> pd.DataFrame:
        """The rows the current params keep (the same rows the chart draws)."""
        return self.view.filter(self.values)

    # --- wiring -------------------------------------------------------------------------------
    def _on_change(self, _change=None) -> None:
        """A control moved: the same verdict as every other surface. A refused value goes back to the last
        accepted one at once, with the message as a note (the chart's params_ok draws nothing meanwhile)."""
        verdict = read(self.view.notebook, self._raw().items(), base=self._accepted, typed=True)
        if verdict.problems:
            self._notes.value = self._notes_html(bounded(verdict.problems))
            for name in verdict.refused:
                self._set_control(name, self._accepted[name])
            return
        if verdict.values != self._accepted:
            self._accepted = verdict.values
            self.refresh()

    def _set_control(self, name: str, value: Any) -> None:
        control = self.controls[name]
        if isinstance(control, widgets.SelectMultiple):
            value = _listed(value, control.options)
        control.value = value

    def _on_pick(self, change) -> None:
        value = getattr(change["new"], "value", None) or []
        ids = [v.get("id") for v in value if isinstance(v, dict)]
        self.show_source(ids[0] if ids else None)

    def show_source(self, row_id: str | None) -> None:
        """Show one figure's source under the chart (None: the hint)."""
        match = self.view.rows[self.view.rows["id"] == row_id] if row_id else self.view.rows.iloc[0:0]
        if match.empty:
            self._source.value = self._hint()
            return
        self._source.value = source_panel_html(match.iloc[0].to_dict())

    def refresh(self) -> None:
        """Count, download and tables from the current params (cheap: hundreds of rows)."""
        values = self.values
        frame = self.view.filter(values)
        noun = self.view.noun
        self._count.value = (
            f'<p class="count" aria-live="polite"><b>{len(frame)}</b> of {len(self.view.rows)} {noun} match.</p>'
        )
        self._download.value = download_link(frame, f"{self.view.notebook}_filtered.csv", noun)
        self._table.value = table_html(frame, self.view.table_columns)
        for extra in self.view.extras:
            kept = self.view.filter(values, extra.name)
            count, table = self._extras[extra.name]
            count.value = f'<p class="count"><b>{len(kept)}</b> of {len(extra.frame)} {extra.noun} match.</p>'
            table.value = table_html(kept, extra.columns)
        for listener in self._listeners:
            listener(self)

    def on_refresh(self, listener: Callable[[Panel], None]) -> None:
        """Call ``listener(panel)`` after every refresh (used by tests and the benchmark)."""
        self._listeners.append(listener)

    def _hint(self) -> str:
        """The source panel's hint, in this view's words (``View.all_hints``: "click an event" in 06)."""
        return f'<p class="source-hint">{html.escape(self.view.all_hints["source"])}</p>'

    def _notes_html(self, notes: list[str]) -> str:
        if not notes:
            return ""
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        title = html.escape(self.view.all_hints["notes"])
        return f'<div role="note" class="link-notes"><b>{title}</b><ul>{items}</ul></div>'

    def widget(self) -> widgets.Widget:
        controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        title = self.view.all_hints["table"].format(noun=self.view.noun)
        table = widgets.Accordion(children=[self._table], titles=(title,))
        table.selected_index = None
        parts: list[widgets.Widget] = [
            self._notes,
            controls,
            self.jchart,
            self._count,
            self._source,
            self._download,
            table,
        ]
        for extra in self.view.extras:
            count, body = self._extras[extra.name]
            # h2: the extra follows the notebook's h1 (axe: heading-order).
            parts += [widgets.HTML(f"<h2>{html.escape(extra.title)}</h2>"), count, body]
        box = widgets.VBox([*parts, PanelA11y()])
        box.add_class("ke-panel")  # the scope of a11y.js and panel.css
        return box
