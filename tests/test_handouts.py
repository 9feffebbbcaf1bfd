"""Handouts: the HTML report always, with slide images when asked for.

The slow tests (marked ``notebooks``) run ``python -m helpers.report 00 01 08 --format png``
into one folder, as a teacher would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_report import PNG_SIGNATURE

from helpers import report

ROOT = Path(__file__).resolve().parent.parent


# --- a real run: python -m helpers.report 00 01 08 --format png --------------------------------


@pytest.fixture(scope="module")
def handout_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop(report.REPORT_ENV, None)
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
    assert (out / "00_start_here__default.html").is_file()
    assert not (out / "00_start_here__default").exists(), "a notebook without charts has no image folder"
    assert not list(out.rglob("*.svg")), "only the formats asked for"
