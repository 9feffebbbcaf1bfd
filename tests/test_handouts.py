"""Handouts: slide images made for print, the HTML report always, one disclaimer a page, links between reports.

The fast tests draw every view's slide image with vl-convert (SVG) and check the report's text
rewriting on the notebooks' own markdown. The slow ones (marked ``notebooks``) run
``python -m helpers.report 00 01 08 --format png`` into one folder, as a teacher would.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_report import PNG_SIGNATURE
from test_slides import assert_16_9, png_size

from helpers import DISCLAIMER
from helpers.render.printed import print_spec, with_row_sources
from helpers.render.report_text import link_notebooks, split_disclaimer
from helpers.render.slides import slide_images
from helpers.run import execute as run_exec
from helpers.run import plan as run_plan
from helpers.views import BUILDERS, view

ROOT = Path(__file__).resolve().parent.parent
HINT = re.compile(r"hover|click", re.IGNORECASE)


def visible_text(page: str) -> str:
    """The text a reader sees: no <head>, no <script>/<style> contents, no <noscript> (not shown while
    scripts run, and the page's charts need them), no chart's own words (the picture drawn ahead is an
    <svg>, as the live chart that replaces it), no tags; whitespace collapsed."""
    page = re.sub(r"<(head|script|style|noscript|svg)\b[^>]*>.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def svg_text(svg: str) -> str:
    """The words an SVG shows (its <text> elements, lines joined), for checks that ignore wrapping."""
    words = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", " ".join(words))))


def footer(spec: dict) -> str:
    """The printed line under a print spec's chart: its source lines and the note, as one text."""
    title = spec["title"]
    return " ".join([*title["text"], title["subtitle"]])


# --- slide images: no hover or click, the sources in print -------------------------------------


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_a_slide_image_has_no_hover_or_click_and_prints_its_sources(notebook):
    the_view = view(notebook)
    svg = slide_images(the_view.spec(), ["svg"])["svg"]  # as a report run writes it
    assert svg.lstrip().startswith("<svg")
    assert not HINT.search(svg), HINT.search(svg) and svg[HINT.search(svg).start() - 200 :][:300]
    shown = svg_text(svg)
    assert "Source" in shown and DISCLAIMER in shown
    for source_id in sorted(set(the_view.rows["source_id"].dropna().astype(str))):
        assert f"{source_id} · " in shown, f"source {source_id} of the view's rows is not printed"


def test_the_page_spec_keeps_its_hints_and_the_print_spec_drops_them():
    spec = view("01_response_rates").spec(bind=True)
    assert "Click a mark for its source." in json.dumps(spec)  # the live page still tells readers to click
    printed = print_spec(spec)
    assert not HINT.search(json.dumps({k: v for k, v in printed.items() if k != "datasets"}))
    assert printed["vconcat"][0]["title"]["subtitle"] == (
        "Filled circles: stated flatly. Hollow diamonds and dashed intervals: hedged (about, up to, more than...)."
    )
    assert spec["datasets"] == printed["datasets"], "the rows are printed as they are"


def test_print_spec_drops_hints_tooltips_bindings_and_unused_selections():
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "datasets": {"d": [{"id": "a", "x": 1, "source_id": "001", "source_label": "001 · Health Rising"}]},
        "data": {"name": "d"},
        "params": [
            {"name": "pick", "select": {"type": "point", "on": "click"}, "views": ["v"]},
            {"name": "keep", "select": {"type": "point"}, "views": ["v"]},
            {"name": "n", "value": 1, "bind": {"input": "range"}},
        ],
        "name": "v",
        "mark": {"type": "point", "tooltip": True},
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "tooltip": [{"field": "id"}],
            "opacity": {"condition": {"param": "keep", "value": 1}, "value": 0.3},
        },
        "title": {
            "text": "Bands",
            "subtitle": ["Grey bands: ranges (click one for its source); dashed: the threshold.", "Tap a bar."],
        },
    }
    printed = print_spec(spec)
    body = printed["vconcat"][0]
    assert body["title"]["subtitle"] == ["Grey bands: ranges; dashed: the threshold."]
    assert "tooltip" not in body["encoding"] and "tooltip" not in body["mark"]
    assert [p["name"] for p in printed["params"]] == ["keep", "n"], "a selection the chart refers to stays"
    assert "bind" not in printed["params"][1]
    assert footer(printed) == f"Source: 001 · Health Rising. {DISCLAIMER}"
    assert printed["title"]["orient"] == "bottom"


def test_a_slide_names_the_documents_of_the_rows_it_starts_with():
    the_view = view("01_response_rates")
    values = the_view.validate({"condition": "fibromyalgia"})
    rows = the_view.filter(values).to_dict("records")
    expected = {str(r["source_id"]) for r in rows}
    assert expected and expected < set(the_view.rows["source_id"].astype(str)), "the filter must drop a source"
    printed = footer(print_spec(with_row_sources(the_view.spec(values), rows)))
    for source_id in set(the_view.rows["source_id"].astype(str)):
        assert (f"{source_id} · " in printed) == (source_id in expected), (source_id, printed)


# --- the report's text: one disclaimer, no dead links ------------------------------------------


def first_cell(notebook: str) -> str:
    return nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4).cells[0].source


def test_the_disclaimer_quote_leaves_the_text_for_the_banner():
    text, rest = split_disclaimer(first_cell("01_response_rates"))
    assert DISCLAIMER not in text and text.startswith("# 01 · Response rates and outcomes")
    assert "How many patients respond" in text
    assert rest.startswith("These are figures as five web articles state them")
    text, rest = split_disclaimer(first_cell("08_pk_simulator"))
    assert DISCLAIMER not in text and "## The model" in text
    assert rest.startswith("**This is not a dosing tool.** The curves come from a textbook model")
    assert split_disclaimer("# Title\n\n> A quote.\n\nText.") == ("# Title\n\n> A quote.\n\nText.", None)


def test_notebook_links_lead_to_reports_or_name_the_notebook():
    fragment = (
        '<a href="01_response_rates.ipynb#Discussion">01</a> <a href="02_relapse_timeline.ipynb">02 relapse</a> '
        '<a href="https://example.org/x.ipynb">elsewhere</a>'
    )
    out = link_notebooks(fragment, {"01_response_rates": "01_response_rates__class.html"}, ROOT / "notebooks", ROOT)
    assert '<a href="01_response_rates__class.html#Discussion">01</a>' in out
    assert "02 relapse (open <code>notebooks/02_relapse_timeline.ipynb</code> in JupyterLab)" in out
    assert 'href="02_relapse_timeline' not in out
    assert '<a href="https://example.org/x.ipynb">elsewhere</a>' in out, "web addresses are not ours to change"


def test_a_link_prefers_the_same_set_then_the_default_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("02_relapse_timeline__default", "02_relapse_timeline__aaa", "03_prevalence__zzz.FAILED"):
        (out / f"{name}.html").write_text("old report", encoding="utf-8")
    sets = {"class": {"00": {}, "01": {"condition": "fibromyalgia"}}, "default": {"01": {}}}
    tasks = run_plan.plan_runs(None, sets, out)
    links = next(t for t in tasks if t.notebook == "00_start_here").report_links()
    assert links["01_response_rates"] == "01_response_rates__class.html"  # this batch, the same set
    assert links["02_relapse_timeline"] == "02_relapse_timeline__default.html"  # in the folder, the default run
    assert "03_prevalence" not in links, "a failed run's page is not a report to link to"


# --- a real run: python -m helpers.report 00 01 08 --format png --------------------------------


@pytest.fixture(scope="module")
def handout_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop(run_exec.REPORT_ENV, None)
    command = [sys.executable, "-m", "helpers.report", "00", "01", "08", "--format", "png", "--out", str(out)]
    done = subprocess.run([*command, "--jobs", "1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done.stdout


@pytest.mark.notebooks
def test_format_png_writes_the_html_report_and_the_slide_images(handout_run):
    out, summary = handout_run
    for notebook in ("01_response_rates", "08_pk_simulator"):
        page = (out / f"{notebook}__default.html").read_text(encoding="utf-8")
        assert f'<section class="ke-view" id="view-1" data-notebook="{notebook}"' in page
        assert f"{notebook}__default.html" in summary
        charts = len(re.findall(r'<div class="ke-chart chart" id="chart-\d+"', page))
        pngs = sorted((out / f"{notebook}__default").glob("chart-*.png"))
        assert charts == len(pngs) == 1
        assert pngs[0].read_bytes().startswith(PNG_SIGNATURE) and pngs[0].stat().st_size > 10_000
        assert_16_9(png_size(pngs[0]), (1920, 1080))  # a projector's slide, by default
    assert (out / "00_start_here__default.html").is_file()
    assert not (out / "00_start_here__default").exists(), "a notebook without charts has no image folder"
    assert not list(out.rglob("*.svg")), "only the formats asked for"


@pytest.mark.notebooks
def test_each_report_says_the_disclaimer_once_in_its_banner(handout_run):
    out, _ = handout_run
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 3
    for path in pages:
        page = path.read_text(encoding="utf-8")
        text = visible_text(page)
        assert text.lower().count(DISCLAIMER.lower().rstrip(".")) == 1, (path.name, text[:600])
        banner = re.search(r'<div class="educational-note" role="note">(.*?)</div>', page, re.S)
        assert banner and DISCLAIMER in banner[1] and page.index(banner[0]) < page.index("<main>")
    banner = visible_text((out / "08_pk_simulator__default.html").read_text(encoding="utf-8"))
    assert "This is not a dosing tool." in banner, "08's own warning stays, in the banner"


@pytest.mark.notebooks
def test_reports_link_to_their_sibling_reports(handout_run):
    out, _ = handout_run
    start = (out / "00_start_here__default.html").read_text(encoding="utf-8")
    assert '<a href="01_response_rates__default.html">01 response rates</a>' in start
    assert (out / "01_response_rates__default.html").is_file()
    assert '<a href="08_pk_simulator__default.html">' in start
    assert "02 relapse timeline (open notebooks/02_relapse_timeline.ipynb in JupyterLab)" in visible_text(start)
    for path in out.glob("*.html"):
        hrefs = re.findall(r'\bhref="([^"]*)"', path.read_text(encoding="utf-8"))
        assert not [h for h in hrefs if h.split("#")[0].endswith(".ipynb")], path.name
