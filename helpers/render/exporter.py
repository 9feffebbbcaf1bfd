"""The report page's exporter: an executed notebook -> one self-contained, offline HTML file.

The page comes from the nbconvert template folder ``helpers/render/templates/ketamine_report``
(``conf.json``, ``index.html.j2``, ``report.css``), which this exporter owns. Both routes to a
report use it: the report runner (``helpers.run.execute`` calls :func:`notebook_html`) and
``jupyter nbconvert --to ketamine_report run.ipynb`` (the ``nbconvert.exporters`` entry point),
so a notebook executed elsewhere (papermill, JupyterLab) becomes the same single offline file.

Markdown is rendered, code hidden unless ``show_code`` (``--ReportExporter.show_code=True``),
every view and Vega-Lite chart compiled to Vega as the page is written and drawn by the Vega
runtime included once (only when there is a chart), and nothing is fetched over the network.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbconvert.exporters import TemplateExporter
from nbconvert.filters import DataTypeFilter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode, default

from helpers.paths import NOTEBOOK_DIR, ROOT
from helpers.render.compiled import CompileError, vega_spec
from helpers.render.page import CSS as PAGE_CSS
from helpers.render.page import VIEW_CSS, VIEW_MIME, view_html, view_js
from helpers.render.papermill_cells import is_injected_parameters
from helpers.render.printed import with_row_sources
from helpers.render.report_page import banner, runtime_file, script_js, script_json, text, title
from helpers.render.report_text import link_notebooks, split_disclaimer

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_NAME = "ketamine_report"
VEGALITE_MIMES = tuple(f"application/vnd.vegalite.v{n}+json" for n in range(9, 0, -1))
# What an output shows, first found wins: our view, a Vega-Lite chart, HTML, images, markdown, text.
DISPLAY_PRIORITY = (
    VIEW_MIME,
    *VEGALITE_MIMES,
    "text/html",
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "text/markdown",
    "text/plain",
)
CHART_MIMES = (VIEW_MIME, *VEGALITE_MIMES)


def shown_mime(data: Mapping[str, Any]) -> str | None:
    """The MIME type of ``data`` the page shows (the template's ``filter_data_type`` picks the same)."""
    return next((mime for mime in DISPLAY_PRIORITY if mime in data), None)


class ReportPreprocessor(Preprocessor):
    """Prepares an executed notebook for the report template (named in its conf.json).

    The notebook's disclaimer quote leaves its markdown (the page says it once, in the
    banner); every view and Vega-Lite chart gets its number (``chart-N``) in the output's
    metadata, and its spec goes to ``resources["ketamine"]["charts"]`` for slide images.
    """

    def preprocess(self, nb, resources):
        report = resources.setdefault("ketamine", {})
        charts: list[dict] = []
        note: str | None = None  # the notebook's disclaimer quote, after its first sentence
        report["title"] = title(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source, quoted = split_disclaimer(text(cell.source))
                note = quoted if note is None else note
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    mime = shown_mime(output.get("data", {}))
                    if mime not in CHART_MIMES:
                        continue
                    payload = json.loads(json.dumps(output["data"][mime]))  # plain dicts, not NotebookNodes
                    if mime == VIEW_MIME:
                        output["data"][mime] = payload  # the page's copy of the notebook: view_html reads it as is
                        keep = set(payload["initial_ids"])  # a slide names the documents of the rows it starts with
                        payload = with_row_sources(payload["spec"], (r for r in payload["rows"] if r.get("id") in keep))
                    charts.append(payload)
                    output.setdefault("metadata", {})["ketamine_report"] = {"chart": len(charts)}
        report.update(charts=charts, note=note)
        return nb, resources


def _link_notebooks(fragment: str, reports: Mapping[str, str], notebook_dir: str | Path) -> str:
    return link_notebooks(fragment, reports, Path(notebook_dir), ROOT)


class ReportExporter(TemplateExporter):
    """Executed notebook -> one self-contained, offline HTML report (template ``ketamine_report``).

    Page details come from ``resources["ketamine"]`` (see :func:`notebook_html`); from
    ``jupyter nbconvert`` they default to the notebook's file name, its papermill parameters,
    the parameter set ``nbconvert`` and the current time.
    """

    export_from_notebook = "Ketamine evidence report (offline HTML)"
    output_mimetype = "text/html"
    show_code = Bool(False, help="include the code cells").tag(config=True)
    runtime_src = Unicode(
        "",
        help="the address, relative to the page, of a shared Vega runtime file loaded with <script src> "
        "(a site's pages share one copy); empty: the runtime is included in the page",
    ).tag(config=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self) -> list[str]:
        return [str(TEMPLATES)]  # ours only: not the working directory, where any folder could shadow it

    def default_filters(self):
        yield from super().default_filters()
        yield "filter_data_type", DataTypeFilter(display_data_priority=list(DISPLAY_PRIORITY))
        yield "html_escape", html.escape
        yield "text", text
        yield "pyrepr", repr
        yield "script_js", script_js
        yield "script_json", script_json
        yield "report_banner", banner
        yield "view_html", view_html
        yield "vega_compiled", _vega_compiled
        yield "injected_parameters", is_injected_parameters
        yield "link_notebooks", _link_notebooks

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        name = resources.get("metadata", {}).get("name") or "notebook"
        given = dict(resources.get("ketamine", {}))
        params = given.get("params")
        if params is None:
            params = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
        resources["ketamine"] = {
            "notebook": Path(name).stem,
            "set_name": "nbconvert",
            "show_code": self.show_code,
            "runtime_src": self.runtime_src,
            "failed": None,
            "reports": {},
            "notebook_dir": NOTEBOOK_DIR,
            **given,
            "params": params,
            "when": (given.get("run_date") or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
            "view_mime": VIEW_MIME,
            "vegalite_mimes": VEGALITE_MIMES,
            "styles": report_css(),
        }
        page, resources = super().from_notebook_node(nb, resources, **kw)
        return page, resources

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        report = resources["ketamine"]
        report.setdefault("view_js", _Lazy(view_js))
        if report.get("runtime") is None and not report.get("runtime_src"):
            report["runtime"] = _Lazy(lambda: runtime_file().read_text(encoding="utf-8"))
        return resources


def _vega_compiled(spec: dict) -> dict:
    """A Vega-Lite output compiled to Vega for the page, or ``{"ke_error": why}`` when its runtime cannot draw it."""
    try:
        return vega_spec(spec)
    except CompileError as exc:
        return {"ke_error": str(exc)}


class _Lazy:
    """A string computed when the template first prints it (the Vega runtime only when there is a chart)."""

    def __init__(self, make):
        self.make = make

    def __str__(self) -> str:
        return self.make()


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report page's stylesheet: the template's ``report.css``, then the page's and the views' rules.
    A page includes it, or links to one shared copy (``styles_src``: a site's ``assets/styles-<hash>.css``)."""
    return (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8") + "\n" + PAGE_CSS + VIEW_CSS


@lru_cache(maxsize=4)
def _exporter(show_code: bool, runtime_src: str = "") -> ReportExporter:
    return ReportExporter(show_code=show_code, runtime_src=runtime_src)


def notebook_html(
    nb: Any,
    *,
    notebook: str,
    set_name: str,
    params: Mapping[str, Any],
    show_code: bool = False,
    run_date: datetime | None = None,
    failed: str | None = None,
    runtime: str | None = None,
    runtime_src: str = "",
    views_src: str = "",
    styles_src: str = "",
    reports: Mapping[str, str] | None = None,
    notebook_dir: Path = NOTEBOOK_DIR,
) -> tuple[str, list[dict]]:
    """The report page of an executed notebook, and its chart specs in order (for slide images).

    ``runtime`` is the Vega bundle's code (default: read from
    :func:`helpers.render.report_page.runtime_file`, only when there is a chart);
    ``runtime_src`` instead names a shared runtime file that the page loads (a site's
    ``assets/vega-<hash>.js``), so the page does not carry its own copy; ``views_src`` does the
    same for the views' page script (:func:`helpers.render.page.view_js`) and ``styles_src`` for the
    stylesheet (:func:`report_css`). The
    disclaimer is said once, in the banner. Links to notebooks lead to ``reports[name]`` (a
    report file beside this one) or become text naming the notebook in ``notebook_dir``
    (``helpers.render.report_text``). ``failed`` adds the FAILED banner.
    """
    resources = {
        "metadata": {"name": notebook},
        "ketamine": {
            "notebook": notebook,
            "set_name": set_name,
            "params": dict(params),
            "show_code": show_code,
            "run_date": run_date,
            "failed": failed,
            "runtime": runtime,
            "views_src": views_src,
            "styles_src": styles_src,
            "reports": dict(reports or {}),
            "notebook_dir": notebook_dir,
        },
    }
    page, resources = _exporter(show_code, runtime_src).from_notebook_node(nb, resources)
    return page, resources["ketamine"]["charts"]
