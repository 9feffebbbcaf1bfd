"""A saved page's chart as it first looks, drawn when the page is written (OWID bakes its charts too).

The Vega runtime takes about 115 ms in Chromium to start and draw even a one-bar chart
(``benchmarks/bench_browser.py`` prints that floor), and a view's own chart 250-550 ms. So the page
also holds the chart as an SVG, drawn by vl-convert from the same compiled spec with the same initial
values: the reader sees the chart as soon as the HTML is parsed, and ``static/view.js`` swaps in the
live view once it has drawn and fitted its box. The picture is hidden from screen readers (the live
chart is the one described), so Vega's ARIA attributes, half its bytes, are left out. A page opened
with settings in its link (``#...``) removes the picture at once: it shows the defaults.

SVGs are kept in the user's cache folder (``helpers.paths.cache_dir()/vega-svgs``), named by the
hash of what was drawn, so a report run starts vl-convert (about 1 s) only when a chart changed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import warnings
from typing import Any

from helpers.paths import cache_dir, installed_version, write_atomic
from helpers.render.compiled import NotCached, view_vega

FOLDER = "vega-svgs"
CSS = ".ke-baked svg { max-width: 100%; height: auto; }"  # the picture fits its box (a phone's too)
# ARIA and event attributes of the live chart: the picture is aria-hidden and takes no pointer.
_DROPPED = re.compile(r'\s(?:aria-[a-z]+|role|pointer-events)="[^"]*"')
# Bytes that draw nothing: opacity's default, and a group's empty background and hidden foreground.
_NOTHING = re.compile(
    r' opacity="1"|<path class="background" d="M0,0h0v0h0Z"/>|<path class="foreground" d="" display="none"/>'
)
_TAG = re.compile(r"<[^<>]+>")  # a label's "<" is written "&lt;": text is never inside a tag
_SHAPE = re.compile(r"<(?:path|line|rect)\s")
_ATTRIBUTE = re.compile(r'(\s[\w:-]+=")([^"]*)(")')
_LONG_NUMBER = re.compile(r"-?\d*\.\d{3,}(?:e-?\d+)?")
FORM = 2  # what _smaller does; part of the cache key, so a picture cached in an older form is drawn again


def _rounded(match: re.Match) -> str:
    text = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _smaller(svg: str) -> str:
    """The picture in fewer bytes, drawn the same: the marks' coordinates to 0.01 px (Vega writes them to
    16 digits, "294.6849315068493"), and what draws nothing left out. Numbers change in the attributes of
    shapes only (paths, lines, rectangles): a label's text ("0.125 mg/kg") and its position stay as written."""
    svg = _DROPPED.sub("", svg)

    def attributes(value: re.Match) -> str:
        return value.group(1) + _LONG_NUMBER.sub(_rounded, value.group(2)) + value.group(3)

    def tag(found: re.Match) -> str:
        # Shapes only: Chromium places glyphs at sub-pixel steps, so a label moved by 0.003 px (its own
        # position or its group's) can cross one and redraw, up to 62 of 255 in a channel at twice the size.
        return _ATTRIBUTE.sub(attributes, found.group(0)) if _SHAPE.match(found.group(0)) else found.group(0)

    svg = _TAG.sub(tag, svg)
    return _NOTHING.sub("", svg)


def _filled(page_payload: dict) -> dict:
    """The compiled spec with the rows the page fills in (``rows_data``) put back."""
    vega = copy.deepcopy(page_payload["vega"])
    for data in vega.get("data", []):
        if data.get("name") in page_payload.get("rows_data", []):
            data["values"] = page_payload["rows"]
    return vega


def _draw(vega: dict[str, Any], draw: bool = True) -> str:
    text = json.dumps(
        [installed_version("vl-convert-python"), FORM, vega], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    path = cache_dir() / FOLDER / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.svg"
    try:
        cached = path.read_text(encoding="utf-8")
        if cached.startswith("<svg") and cached.rstrip().endswith("</svg>"):
            return cached
    except (OSError, ValueError):
        pass  # absent or unreadable: draw it
    if not draw:
        return ""
    import vl_convert as vlc

    svg = _smaller(vlc.vega_to_svg(vega))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, svg)
    except OSError:
        pass  # a read-only cache costs time, not correctness
    return svg


def baked_svg(page_payload: dict, *, draw: bool = True) -> str:
    """The chart of ``page_payload`` (``helpers.render.page.page_payload``) as an SVG, or "" when
    vl-convert cannot draw it: the page then draws the live chart alone, as before, and says why.
    ``draw=False``: only a picture already in the cache, else ""."""
    try:
        svg = _draw(_filled(page_payload), draw)
    except Exception as error:  # vl-convert raises plain ValueErrors and RuntimeErrors; the live chart still draws
        said = " ".join(str(error).split())[:200]
        warnings.warn(
            f"{page_payload.get('notebook', 'a view')}: the chart's first frame could not be drawn ahead "
            f"({type(error).__name__}: {said}); the page draws it live, about 0.3 s later",
            stacklevel=2,
        )
        return ""
    if not svg.startswith("<svg"):
        return ""
    return '<svg aria-hidden="true" focusable="false"' + svg[len("<svg") :]


# Voilà and JupyterLab show a cell's outputs in one .jp-OutputArea: the picture goes once the widget's
# chart beside it holds a mark (CSS only: the kernel's part is over by then, and no script is needed).
VOILA_STYLE = f"<style>.jp-OutputArea:has(.vega-embed svg .role-mark) .ke-baked {{ display: none; }} {CSS}</style>"


def voila_picture(payload: dict) -> str:
    """A Voilà page's picture of the view ``payload`` (``View.payload``), as HTML, when both the compiled
    spec and the SVG are in the cache; else "" (a visitor never waits for vl-convert: ``make app`` draws
    the defaults' pictures when it starts, :func:`bake`)."""
    try:
        svg = baked_svg(view_vega(payload, cached_only=True), draw=False)
    except NotCached:
        return ""
    return f'<div class="ke-baked">{svg}</div>{VOILA_STYLE}' if svg else ""


def bake(payload: dict) -> bool:
    """Compile and draw the view ``payload``'s picture into the cache; True when there is one."""
    return bool(baked_svg(view_vega(payload)))
