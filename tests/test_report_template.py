"""The report page's nbconvert template folder: registered, offline, and one route for every report."""

from __future__ import annotations

import json
import re

import nbformat
from nbconvert.exporters import get_exporter

from helpers.render.exporter import TEMPLATES, ReportExporter, notebook_html


def mixed_notebook():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("show()")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.vegalite.v5+json": {"mark": "point"}}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "**bold**", "text/plain": "bold"}),
        nbformat.v4.new_output("display_data", data={"application/json": {"a": 1}, "text/plain": "{'a': 1}"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A title\n\nText."), code]
    return nb


def test_nbconvert_finds_the_exporter_by_its_name():
    assert get_exporter("ketamine_report") is ReportExporter


def test_the_template_folder_builds_on_nbconverts_base_only():
    conf = json.loads((TEMPLATES / "ketamine_report" / "conf.json").read_text(encoding="utf-8"))
    assert conf["base_template"] == "base"  # not lab or classic: their pages load require.js and MathJax from CDNs
    source = (TEMPLATES / "ketamine_report" / "index.html.j2").read_text(encoding="utf-8")
    assert "{%- extends 'display_priority.j2' -%}" in source
    assert "block data_ketamine_view" in source and "block data_vegalite" in source


def test_the_page_loads_nothing_over_the_network():
    page, charts = notebook_html(mixed_notebook(), notebook="x", set_name="s", params={}, runtime="window.vegaEmbed=1")
    assert charts == [{"mark": "point"}]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no remote script, style or image"
    assert "require.js" not in page and "mathjax" not in page.lower()
    assert page.count('<script id="vega-runtime">') == 1
    assert "<strong>bold</strong>" in page and '<pre class="text">{&#x27;a&#x27;: 1}</pre>' in page


def test_the_runner_and_nbconvert_give_the_same_page():
    nb = mixed_notebook()
    nb.metadata["papermill"] = {"parameters": {"dose": 1}}
    runner, _ = notebook_html(nb, notebook="x_run", set_name="nbconvert", params={"dose": 1}, runtime="RT")
    resources = {"metadata": {"name": "x_run"}, "ketamine": {"runtime": "RT"}}  # the name as nbconvert gives it
    exported, _ = ReportExporter().from_notebook_node(nb, resources)
    strip = re.compile(r"run \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    assert strip.sub("run T", runner) == strip.sub("run T", exported)
