"""Slides for a projector: ``--format png|svg`` images are landscape frames of the requested pixels
(1920 x 1080 unless ``--size WxH``), name the run's filter in their title, and draw no mark past
the plot's edge. One real run of the command line serves the slow checks:
``python -m helpers.report 01 06 -p condition fibromyalgia --format png --format svg --size 1280x720``.
The default 1920 x 1080 is checked on the run of tests/test_handouts.py.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_report import PNG_SIGNATURE

from helpers.run import execute as run_exec
from helpers.views import view

ROOT = Path(__file__).resolve().parent.parent
SVG_NS = "{http://www.w3.org/2000/svg}"
_TRANSLATE = re.compile(r"translate\(([-\d.e]+),\s*([-\d.e]+)\)")
_BOX = re.compile(r"M([-\d.]+),[-\d.]+h([\d.]+)v")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, right after the signature)."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def assert_16_9(size: tuple[int, int], expected: tuple[int, int]) -> None:
    width, height = size
    assert abs(width / height - 16 / 9) <= 0.01 * 16 / 9, f"{width}x{height} is not 16:9 within 1%"
    assert (width, height) == expected


def marks_past_the_plot(svg: str) -> tuple[int, list[str]]:
    """How many rules and symbols an SVG from vl-convert draws, and those whose x lies outside their plot.

    Walks the groups adding up their ``translate``; a view's plot is the background box of its
    ``role-scope`` group; a rule's x runs from its start to ``x2``, a symbol's from its centre
    plus and minus its radius (the largest number of its path, drawn around the centre).
    """
    checked, outside = 0, []

    def offset(element) -> tuple[float, float]:
        match = _TRANSLATE.search(element.get("transform", ""))
        return (float(match[1]), float(match[2])) if match else (0.0, 0.0)

    def walk(element, x0: float, plot: tuple[float, float] | None, in_marks: bool) -> None:
        nonlocal checked
        dx, _ = offset(element)
        x = x0 + dx
        classes = element.get("class", "")
        if "role-scope" in classes:
            inner = element.find(f"{SVG_NS}g")
            background = inner.find(f"{SVG_NS}path") if inner is not None else None
            box = _BOX.match(background.get("d", "")) if background is not None else None
            if box and float(box[2]) > 1:
                left = x + offset(inner)[0] + float(box[1])
                plot = (left, left + float(box[2]))
        in_marks = in_marks or ("role-mark" in classes and "role-mark-text" not in classes)
        tag = element.tag.removeprefix(SVG_NS)
        if in_marks and plot and tag in ("line", "path") and element.get("transform"):
            if tag == "line":
                span = sorted((x, x + float(element.get("x2", 0))))
            else:
                radius = max(abs(float(n)) for n in _NUMBER.findall(element.get("d", "0")))
                span = [x - radius, x + radius]
            checked += 1
            if span[0] < plot[0] - 0.5 or span[1] > plot[1] + 0.5:
                outside.append(f"{tag} from x={span[0]:.1f} to {span[1]:.1f}, plot {plot[0]:.1f} to {plot[1]:.1f}")
        for child in element:
            walk(child, x, plot, in_marks)

    walk(ET.fromstring(svg), 0.0, None, False)
    return checked, outside


def report(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop(run_exec.REPORT_ENV, None)
    command = [sys.executable, "-m", "helpers.report", *args, "--jobs", "1", "--quiet"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


# --- a bad --size stops the command before anything runs ----------------------------------------


def test_a_bad_size_is_refused_naming_the_option_the_rule_and_an_example(tmp_path):
    out = tmp_path / "out"
    for bad in ("0x10", "big", "1920x100"):
        done = report("06", "--format", "png", "--size", bad, "--out", str(out))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "--size must be WIDTHxHEIGHT in whole pixels, each from 320 to 7680" in done.stderr
        assert "width / height from 1 to 2.4 (e.g. --size 1920x1080 for 16:9" in done.stderr
        assert f"got '{bad}'" in done.stderr
    done = report("06", "--size", "1280x720", "--out", str(out))
    assert done.returncode == 2 and "--size sets the size of slide images" in done.stderr, done.stderr
    assert not out.exists(), "nothing ran"


# --- a real run at 1280 x 720 --------------------------------------------------------------------


@pytest.fixture(scope="module")
def slides_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    done = report(
        "01", "06", "-p", "condition", "fibromyalgia", "--format", "png", "--format", "svg",
        "--size", "1280x720", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.notebooks
def test_size_gives_16_9_slides_of_exactly_those_pixels(slides_run):
    for run in ("01_response_rates__condition-fibromyalgia", "06_history__default"):
        assert_16_9(png_size(slides_run / run / "chart-1.png"), (1280, 720))
        svg = (slides_run / run / "chart-1.svg").read_text(encoding="utf-8")
        root = ET.fromstring(svg)
        assert (root.get("width"), root.get("height")) == ("1280", "720")
        box = [float(v) for v in root.get("viewBox").split()]
        assert abs(box[2] / box[3] - 16 / 9) <= 0.01 * 16 / 9, "the SVG's frame is 16:9 too"


@pytest.mark.notebooks
def test_no_mark_of_06_lies_past_the_plot(slides_run):
    svg = (slides_run / "06_history__default" / "chart-1.svg").read_text(encoding="utf-8")
    checked, outside = marks_past_the_plot(svg)
    assert checked > 40, f"only {checked} rules and symbols found: the SVG's layout changed"
    assert not outside, outside


@pytest.mark.notebooks
def test_the_slide_title_names_the_filter(slides_run):
    svg = (slides_run / "01_response_rates__condition-fibromyalgia" / "chart-1.svg").read_text(encoding="utf-8")
    title = re.search(r'<g class="mark-text role-title-text".*?<text\b[^>]*>(.*?)</text>', svg, re.S)
    assert title, "the slide has a title"
    assert title[1] == "Response, remission and relapse: what the documents claim — condition: fibromyalgia"
    assert "Educational use only, not medical advice." in svg
    default = (slides_run / "06_history__default" / "chart-1.svg").read_text(encoding="utf-8")
    assert ">History and regulation of ketamine</text>" in default, "a run of the defaults names no filter"


def test_the_print_spec_bounds_an_axis_a_parameter_sets_and_widens_a_fixed_one():
    from helpers.render.printed import filter_text, print_spec

    def x_scales(spec: dict) -> list[dict]:
        return [layer["encoding"]["x"]["scale"] for layer in print_spec(spec)["vconcat"][0]["layer"][:2]]

    # 06's axis spans the data drawn (no domain set by a parameter), padded so an end point shows whole
    for scale in x_scales(view("06_history").spec()):
        assert "domain" not in scale and not scale["nice"] and not scale["zero"] and scale["padding"] >= 8, scale
    assert x_scales(view("01_response_rates").spec()) == [{"domain": {"unionWith": [0, 100]}}] * 2
    assert filter_text("06_history", {"year_from": 1990, "color_by": "event_kind", "topic": "all"}) == (
        "from year: 1990; colour by: event kind"
    )
    assert filter_text("06_history", {}) is None
