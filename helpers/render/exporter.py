"""An nbconvert exporter for the offline report: ``jupyter nbconvert --to ketamine_report run.ipynb``.

It renders an executed notebook exactly as ``python -m helpers.run.cli`` does (views live in the
page, the Vega runtime included once, code hidden unless ``--ReportExporter.show_code=True``), so
a notebook executed elsewhere (papermill, JupyterLab) becomes the same single offline file.
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import Exporter
from traitlets import Bool


class ReportExporter(Exporter):
    """Executed notebook -> one self-contained, offline HTML report."""

    export_from_notebook = "Ketamine evidence report (offline HTML)"
    output_mimetype = "text/html"
    show_code = Bool(False, help="include the code cells").tag(config=True)

    def _file_extension_default(self) -> str:
        return ".html"

    def from_notebook_node(self, nb, resources=None, **kw):
        from helpers.render.report_page import notebook_html

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        name = (resources or {}).get("metadata", {}).get("name") or "notebook"
        papermill = nb_copy.metadata.get("papermill", {})
        params = dict(papermill.get("parameters", {}))
        page, _ = notebook_html(
            nb_copy, notebook=Path(name).stem, set_name="nbconvert", params=params, show_code=self.show_code
        )
        return page, resources
