"""Explorer panels: ipywidgets controls wired to Altair charts.

A notebook cell calls ``explore_response_rates(params)``. The explorer builds
its controls from the notebook's parameter spec (``helpers.params``), filters
its table as the controls change, and updates an ``alt.JupyterChart`` in place.
It exposes ``controls`` (name -> widget), ``data`` (the filtered table) and
``chart()``, so tests can drive it without a browser.

In a report run (environment variable ``KETAMINE_REPORT=1``, set by
``helpers.report``) the same call displays static Vega-Lite specs and tables
instead of live widgets, so the saved HTML needs no kernel.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Callable
from functools import cache, cached_property
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd
from altair.utils.schemapi import debug_mode
from IPython.display import HTML, display

from helpers import charts
from helpers.data import load
from helpers.params import ALL, Param, spec, validate
from helpers.renderer import enable_offline

VEGALITE_MIME = "application/vnd.vegalite.v6+json"
REPORT_ENV = "KETAMINE_REPORT"
TABLE_COLUMNS = ["id", "value_label", "population", "evidence_kind", "source_label", "quote"]


def report_mode() -> bool:
    """True inside a headless report run."""
    return os.environ.get(REPORT_ENV) == "1"


@cache
def prepared(table: str) -> pd.DataFrame:
    """A table loaded, validated and given chart columns; once per process."""
    return charts.prepare(load(table), load("sources"))


def _control(param: Param, value: Any) -> widgets.Widget:
    """The widget for one parameter: dropdown or toggle for choices, checkbox, or slider."""
    label = param.name.replace("_", " ")
    style = {"description_width": "initial"}
    if param.choices is not None:
        options = [(str(c), c) for c in param.choices]
        if len(options) <= 4:
            return widgets.ToggleButtons(options=options, value=value, description=label, style=style)
        return widgets.Dropdown(options=options, value=value, description=label, style=style)
    if param.kind is bool:
        return widgets.Checkbox(value=value, description=label, indent=False)
    if param.kind is int:
        return widgets.IntSlider(
            value=value,
            min=int(param.minimum),
            max=int(param.maximum),
            description=label,
            continuous_update=False,
            style=style,
        )
    if param.kind is float:
        return widgets.FloatSlider(
            value=value, min=param.minimum, max=param.maximum, description=label, continuous_update=False, style=style
        )
    return widgets.Text(value=value, description=label, style=style)


def download_link(frame: pd.DataFrame, filename: str) -> str:
    """An offline CSV download: the data travels inside the link, nothing is fetched."""
    payload = base64.b64encode(frame.to_csv(index=False).encode("utf-8")).decode("ascii")
    return (
        f'<a download="{html.escape(filename)}" href="data:text/csv;charset=utf-8;base64,{payload}" '
        f'style="font-weight:600">Download these {len(frame)} rows as CSV</a>'
    )


def table_html(frame: pd.DataFrame) -> str:
    """The filtered figures as an HTML table, quote beside each number."""
    columns = [c for c in TABLE_COLUMNS if c in frame.columns]
    return frame[columns].to_html(index=False, escape=True, classes="evidence-table", border=0, na_rep="")


def filter_equal(frame: pd.DataFrame, values: dict[str, Any], columns: list[str]) -> pd.DataFrame:
    """Rows whose columns equal the chosen values; "all" keeps every row."""
    mask = pd.Series(True, index=frame.index)
    for column in columns:
        chosen = values.get(column, ALL)
        if chosen != ALL:
            mask &= frame[column].astype(str) == str(chosen)
    return frame[mask]


EXPLORERS: dict[str, type[Explorer]] = {}


class Explorer:
    """Controls + chart(s) + table + download for one notebook.

    A subclass that sets ``notebook`` registers itself in EXPLORERS.
    """

    notebook: str = ""
    table: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.notebook:
            EXPLORERS[cls.notebook] = cls

    def __init__(self, params: dict[str, Any] | None = None, **overrides: Any):
        self.initial = validate(self.notebook, {**(params or {}), **overrides})
        enable_offline()
        self.controls: dict[str, widgets.Widget] = {
            p.name: _control(p, self.initial[p.name]) for p in spec(self.notebook)
        }
        self._jcharts: list[alt.JupyterChart] | None = None
        self._download = widgets.HTML()
        self._table = widgets.HTML()
        self._count = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._listeners: list[Callable[[Explorer], None]] = []

    # --- state -------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, validated like parameters."""
        return validate(self.notebook, {name: c.value for name, c in self.controls.items()}, check_order=False)

    @property
    def source(self) -> pd.DataFrame:
        return prepared(self.table)

    @property
    def data(self) -> pd.DataFrame:
        """The rows the current controls select."""
        return self.filter(self.source, self.values)

    def filter(self, frame: pd.DataFrame, values: dict[str, Any]) -> pd.DataFrame:
        raise NotImplementedError

    def charts(self, frame: pd.DataFrame, values: dict[str, Any]) -> list[alt.TopLevelMixin]:
        raise NotImplementedError

    def chart(self) -> alt.TopLevelMixin:
        """The main chart for the current controls."""
        return self.charts(self.data, self.values)[0]

    # --- wiring ------------------------------------------------------------------------------
    def _on_change(self, _change=None) -> None:
        self.refresh()

    def live_specs(self, frame: pd.DataFrame, values: dict[str, Any]) -> list[dict]:
        """The current specs without JSON-schema validation.

        Validation is ~90% of an update's cost; every builder's output for every
        option value is schema-validated in the test suite instead.
        """
        with debug_mode(False):
            return [chart.to_dict(validate=False) for chart in self.charts(frame, values)]

    def refresh(self) -> None:
        """Rebuild the charts, table and download link from the current controls."""
        frame, values = self.data, self.values
        if self._jcharts is not None:
            for jchart, spec_dict in zip(self._jcharts, self.live_specs(frame, values), strict=True):
                if jchart.spec != spec_dict:
                    jchart.spec = spec_dict
        self._count.value = f"<b>{len(frame)}</b> of {len(self.source)} figures match."
        self._download.value = download_link(frame, f"{self.table}_filtered.csv")
        self._table.value = table_html(frame)
        for listener in self._listeners:
            listener(self)

    def on_refresh(self, listener: Callable[[Explorer], None]) -> None:
        """Call ``listener(explorer)`` after every refresh (used by the benchmark)."""
        self._listeners.append(listener)

    def widget(self) -> widgets.Widget:
        """The live panel: controls, charts, count, download and the table of figures."""
        if self._jcharts is None:
            self._jcharts = [alt.JupyterChart(c) for c in self.charts(self.data, self.values)]
            self.refresh()
        controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        table = widgets.Accordion(children=[self._table], titles=("Figures and their source sentences",))
        table.selected_index = None
        return widgets.VBox([controls, *self._jcharts, self._count, self._download, table])

    def show(self) -> None:
        """Display the panel; static specs and tables in a report run."""
        if report_mode():
            frame = self.data
            for chart in self.charts(frame, self.values):
                spec_dict = chart.to_dict()
                display({VEGALITE_MIME: spec_dict, "text/plain": spec_dict.get("description", "chart")}, raw=True)
            display(HTML(f"<p><b>{len(frame)}</b> of {len(self.source)} figures match.</p>" + table_html(frame)))
        else:
            display(self.widget())


# --- the explorers -----------------------------------------------------------------------------


class ResponseRatesExplorer(Explorer):
    notebook, table = "01_response_rates", "response_rates"

    def filter(self, frame, values):
        return filter_equal(frame, values, ["condition", "arm", "evidence_kind", "source_id"])

    def charts(self, frame, values):
        return [charts.response_rates_chart(frame, color_by=values["color_by"])]


class TimelineExplorer(Explorer):
    notebook, table = "02_relapse_timeline", "time_course"

    def filter(self, frame, values):
        return filter_equal(frame, values, ["context", "source_id"])

    def charts(self, frame, values):
        return [charts.timeline_chart(frame, log_scale=values["log_scale"]), *self.fixed_charts]

    @cached_property
    def fixed_charts(self):
        """The schematic curve does not depend on any control: built once."""
        return [charts.response_curve_chart(self.source)]


class PrevalenceExplorer(Explorer):
    notebook, table = "03_prevalence", "prevalence"

    def filter(self, frame, values):
        return filter_equal(frame, values, ["denominator", "region"])

    def charts(self, frame, values):
        return [charts.prevalence_chart(frame, log_scale=values["log_scale"])]


class PharmacokineticsExplorer(Explorer):
    notebook, table = "04_bioavailability", "pharmacokinetics"

    def filter(self, frame, values):
        return filter_equal(frame, values, ["matrix"])

    def charts(self, frame, values):
        return [
            charts.concentrations_chart(frame, unit=values["unit"], log_scale=values["log_scale"]),
            *self.fixed_charts,
        ]

    @cached_property
    def fixed_charts(self):
        """Bioavailability by route does not depend on any control: built once."""
        return [charts.bioavailability_chart(self.source)]


class SafetyExplorer(Explorer):
    notebook, table = "05_safety", "adverse_effects"

    def filter(self, frame, values):
        return filter_equal(frame, values, ["dose_context"])

    def charts(self, frame, values):
        return [charts.adverse_effects_chart(frame, color_by=values["color_by"])]


class HistoryExplorer(Explorer):
    notebook, table = "06_history", "milestones"

    def filter(self, frame, values):
        dated = frame[frame["year_start"].notna()]
        end = dated["year_end"].fillna(dated["year_start"])
        dated = dated[(end >= values["year_from"]) & (dated["year_start"] <= values["year_to"])]
        return filter_equal(dated, values, ["topic"])

    def charts(self, frame, values):
        return [charts.milestones_chart(frame, color_by=values["color_by"])]


def explorer_class(notebook: str) -> type[Explorer]:
    """The explorer class of a notebook, importing the modules that define the later ones."""
    if notebook not in EXPLORERS:
        import helpers.claims  # noqa: F401  (registers 07_claims_check)
        import helpers.simulator  # noqa: F401  (registers 08_pk_simulator)
    try:
        return EXPLORERS[notebook]
    except KeyError:
        raise KeyError(f"no explorer for notebook {notebook!r}; choose one of: {', '.join(EXPLORERS)}") from None


def explore(notebook: str, params: dict[str, Any] | None = None) -> Explorer:
    """Build and display the explorer for a notebook; returns it for further use."""
    explorer = explorer_class(notebook)(params)
    explorer.show()
    return explorer


def explore_response_rates(params=None):
    return explore("01_response_rates", params)


def explore_relapse_timeline(params=None):
    return explore("02_relapse_timeline", params)


def explore_prevalence(params=None):
    return explore("03_prevalence", params)


def explore_bioavailability(params=None):
    return explore("04_bioavailability", params)


def explore_safety(params=None):
    return explore("05_safety", params)


def explore_history(params=None):
    return explore("06_history", params)


def tour() -> pd.DataFrame:
    """The start notebook's overview: each family, its figures, sources and share hedged."""
    from helpers.dictionary import dictionary, family_names

    rows = []
    for name in family_names():
        frame = load(name)
        rows.append(
            {
                "table": name,
                "what it holds": dictionary()["tables"][name]["title"],
                "figures": len(frame),
                "sources": ", ".join(sorted(frame["source_id"].astype(str).unique())),
                "hedged (%)": round(100 * (frame["qualifier"] != "none").mean()),
                "randomized trial (%)": round(100 * (frame["evidence_kind"] == "randomized trial").mean()),
            }
        )
    return pd.DataFrame(rows)


def sources_table() -> pd.DataFrame:
    """The five documents: who published them and how clean their text is."""
    columns = ["source_id", "title", "publisher", "publisher_kind", "cites_primary_studies", "text_quality_flags"]
    return load("sources")[columns]
