"""Explorers: one call per notebook shows its view, live or saved.

``explore_response_rates(params)`` builds the notebook's declarative view
(``helpers.views``) and hands it to a renderer:

- in JupyterLab and Voilà, ``helpers.render.widget.Panel``: ipywidgets linked to the
  chart's params, so a control moves a signal in the page and no spec is re-sent;
  in Voilà, the URL's query (``?condition=fibromyalgia``) presets the controls. A preheated
  Voilà kernel (``make app``) builds the panel first, then waits for its visitor's query; the
  page also gets the chart's picture, drawn ahead, to show until the live chart is drawn;
- in a report run (``KETAMINE_REPORT=1``, set by ``helpers.run.cli``), one MIME bundle
  that ``helpers.render.page`` turns into an interactive block of the offline HTML report.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
from IPython.display import display

from helpers.data.tables import load
from helpers.views import BUILDERS, view

REPORT_ENV = "KETAMINE_REPORT"
EXPLORERS = tuple(BUILDERS)


def report_mode() -> bool:
    """True inside a headless report run."""
    return os.environ.get(REPORT_ENV) == "1"


def explore(notebook: str, params: dict[str, Any] | None = None):
    """Show the notebook's view with ``params`` as its initial values; returns the live panel, or the
    view in a report run. Parameters are checked first: a bad one raises ParameterError naming it."""
    the_view = view(notebook)
    values = the_view.validate(params)
    if report_mode():
        from helpers.render.page import view_bundle

        display(view_bundle(the_view.payload(values)), raw=True)
        return the_view
    from helpers.render.widget import Panel, query_values

    built = _widgets()
    panel = Panel(the_view, values)  # in a preheated kernel: the costly first build, before anyone asks
    query = voila_query()
    if query:  # a link's presets or notes: a new panel (cheap once warm), the first one closed unseen
        preset, notes = query_values(the_view, query, base=values)
        for widget in _widgets() - built:
            widget.close()
        panel = Panel(the_view, the_view.validate({**values, **preset}), notes)
    if voila_page():
        # The chart as it will first look, drawn ahead into the cache (helpers.render.baked): shown with
        # the page's text, while voila.js, the widgets and Vega load (2-3 s); the live chart replaces it.
        # Looked up after the visitor's query (voila_query waits for it): the picture of the values shown.
        from IPython.display import HTML

        from helpers.render.baked import voila_picture

        picture = voila_picture(the_view.payload(panel.values))
        if picture:
            display(HTML(picture))
    display(panel.widget())
    return panel


def voila_page() -> bool:
    """True in a kernel that Voilà runs for a page (Voilà sets ``SERVER_SOFTWARE=voila/<version>``)."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def voila_query() -> str:
    """Voilà's URL query for this page. A preheated kernel (``VOILA_PREHEAT=True``) has run the
    notebook before any request: it waits here for its visitor's (``voila.utils.wait_for_request``
    sets ``QUERY_STRING``), once per kernel."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
        os.environ["VOILA_PREHEAT"] = "False"  # the request is known: a second explorer must not wait again
    return os.environ.get("QUERY_STRING", "")


def _widgets() -> set:
    from ipywidgets.widgets.widget import _instances

    return set(_instances.values())


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


def explore_claims(params=None):
    return explore("07_claims_check", params)


def explore_pk_simulator(params=None):
    return explore("08_pk_simulator", params)


def tour() -> pd.DataFrame:
    """The start notebook's overview: each family, its figures, sources and share hedged."""
    from helpers.data.dictionary import dictionary, family_names

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
