"""Slide images for a projector: a view's print spec laid out to fill a landscape frame, as PNG or SVG.

A report run's charts are made for a scrolling page: 560 px wide and as tall as their rows need
(02 is a portrait 872 x 1267 px). A projector shows 16:9. So :func:`export_slide` lays the print
spec (:func:`helpers.render.printed.print_spec`) out for the frame, measuring each try with
vl-convert (its SVG gives the chart's size and each plot's size; no browser):

1. rows on a band axis get at least ``MIN_STEP`` px and plots at least ``MIN_PLOT`` px; panels
   stacked in a column are put side by side when that needs a smaller frame, legends go to the
   right (a slide has room across, not down), and the sources wrap to the frame's width;
2. the frame is the smallest of the slide's shape that holds that, and at least ``FRAME_WIDTH`` px
   wide, so text keeps about the size it has on the page relative to the slide;
3. the plots grow to fill the frame, and shrink back if a longer axis label pushed them over;
4. the chart is centred on a white frame of exactly the requested pixels (the SVG's viewBox is
   the frame, its width and height the pixels; the PNG is that SVG drawn at those pixels).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from helpers.render.printed import LINE_CHARS, print_spec

DEFAULT_SIZE = (1920, 1080)  # a 16:9 projector
FRAME_WIDTH = 960  # CSS px a slide is laid out in at least: 10 px text is then 1/54 of its height
MIN_STEP = 12  # px per row of a band axis: its 10 px labels do not overlap
MAX_STEP = 48  # px per row at most: two rows do not each take half the slide
MIN_PLOT = 300  # px a plot keeps, each way, when the frame is worked out
CHAR_PX = 5.6  # average width of a character of the 10 px footer text
_CONCAT = ("vconcat", "hconcat", "concat")
_SCOPE = re.compile(
    r'<g class="mark-group role-scope (\w+_group)"[^>]*><g[^>]*?transform="translate\([^)]*\)"[^>]*>'
    r'<path class="background"[^>]*? d="M[\d.]+,[\d.]+h([\d.]+)v([\d.]+)'
)
_HEAD = re.compile(r'^<svg ([^>]*?)width="([\d.]+)" height="([\d.]+)" viewBox="[^"]*"(.*?)>(<rect [^>]*/>)?', re.S)


_LAST: dict[str, str] = {}  # the last spec drawn and its SVG: the final slide is the last layout measured


def _render_svg(spec: dict) -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    text = json.dumps(spec)
    if _LAST.get("spec") != text:
        _LAST.update(spec=text, svg=vlc.vegalite_to_svg(text, vl_version=vl_version_for_vl_convert()))
    return _LAST["svg"]


def measure(svg: str) -> tuple[float, float, list[tuple[float, float]]]:
    """The chart's width and height, and each plot's (width, height) in order, read from its SVG."""
    head = _HEAD.match(svg)
    if not head:
        raise ValueError("vl-convert's SVG does not start with <svg ... width height viewBox>: cannot lay out a slide")
    # container groups of a concatenation have an empty background; 1 x 1 px ones are hidden helper views
    plots = [(float(w), float(h)) for _, w, h in _SCOPE.findall(svg) if float(w) > 1 and float(h) > 1]
    return float(head[2]), float(head[3]), plots


def _is_hidden(node: dict) -> bool:
    """A 1 x 1 px helper view (the rows a page's reader clicks): not a plot to size."""
    return node.get("width") == 1 and node.get("height") == 1


def _leaves(node: dict) -> list[dict]:
    """The views that draw (units and layers), in the order their plots appear in the SVG."""
    key = next((k for k in _CONCAT if k in node), None)
    if key is None:
        return [node]
    return [leaf for child in node[key] for leaf in _leaves(child)]


def _panels(node: dict) -> tuple[dict, str] | None:
    """The concatenation whose panels a slide may put side by side: the first with two visible views."""
    key = next((k for k in _CONCAT if k in node), None)
    if key is None:
        return None
    shown = [child for child in node[key] if not _is_hidden(child)]
    if len(shown) == 1:
        return _panels(shown[0])
    return node, key


def _legends_right(node: Any) -> Any:
    """Legends beside the chart, one column: a slide has room across, not down."""
    if isinstance(node, list):
        return [_legends_right(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "legend" and isinstance(value, dict) and value.get("orient") in ("bottom", "top"):
            value = {k: v for k, v in value.items() if k not in ("direction", "columns")}
            out[key] = {**value, "orient": "right", "columns": 1}
        else:
            out[key] = _legends_right(value)
    return out


def _offsets_in_px(cell: dict) -> bool:
    """Whether a view shifts marks by pixels within a row (``yOffset`` without a scale, as 06 does)."""
    return bool(re.search(r'"yOffset": \{[^{}]*"scale": null', json.dumps(cell)))


class _Layout:
    """One arrangement of a print spec's body, with plot sizes that can be set and measured."""

    def __init__(self, spec: dict, shows: str | None, across: bool):
        self.spec, self.shows = spec, shows
        self.body = _legends_right(copy.deepcopy(spec))
        panels = _panels(self.body)
        self.across = bool(across and panels and panels[1] != "hconcat")
        if self.across:
            node, key = panels
            node["hconcat"] = node.pop(key)
        self.direction = "hconcat" if self.across or (panels and panels[1] == "hconcat") else "vconcat"
        self.cells = [leaf for leaf in _leaves(self.body) if not _is_hidden(leaf)]
        self.line_chars = LINE_CHARS
        self.rows: dict[int, int] = {}  # id of a view -> the rows of its band axis (0: not a band axis)

    def printed(self, stand_in: bool = False) -> dict:
        """The print spec; ``stand_in``: its sources as lines of one dot, as tall but not as wide, so the
        size measured is the chart's (sources wrap to any width, so they never decide it)."""
        printed = print_spec(self.body, shows=self.shows, line_chars=self.line_chars)
        if stand_in:
            printed["title"] = {**printed["title"], "text": ["."] * len(printed["title"]["text"])}
        return printed

    def size(self) -> tuple[float, float, list[tuple[float, float]]]:
        width, height, plots = measure(_render_svg(self.printed(stand_in=True)))
        if len(plots) != len(self.cells):
            raise ValueError(f"the slide's SVG has {len(plots)} plots for {len(self.cells)} views: cannot size them")
        return width, height, plots

    def set_minimum(self, natural: list[tuple[float, float]]) -> None:
        """Each plot at its smallest: ``MIN_STEP`` px a row, ``MIN_PLOT`` px otherwise (never larger than now)."""
        for cell, (width, height) in zip(self.cells, natural, strict=True):
            cell["width"] = min(width, MIN_PLOT)
            if _offsets_in_px(cell):
                continue  # marks are offset by pixels within a row: the row keeps its step
            step = cell["height"].get("step") if isinstance(cell.get("height"), dict) else None
            rows = round(height / step) if step else 0
            self.rows[id(cell)] = rows
            cell["height"] = max(rows * MIN_STEP, min(height, MIN_PLOT)) if step else min(height, MIN_PLOT)

    def grow(self, dx: float, dy: float) -> None:
        """Add ``dx``/``dy`` px to the chart's width/height, shared by the plots along the panels' row or column."""
        n = len(self.cells)
        total_h = sum(c["height"] for c in self.cells if not _offsets_in_px(c)) or 1
        for cell in self.cells:
            cell["width"] = max(MIN_STEP, int(cell["width"] + (dx / n if self.direction == "hconcat" else dx)))
            if not _offsets_in_px(cell):
                share_y = dy * cell["height"] / total_h if self.direction == "vconcat" else dy
                most = self.rows.get(id(cell), 0) * MAX_STEP or float("inf")
                cell["height"] = int(min(most, max(MIN_STEP, cell["height"] + share_y)))
        sized = [cell for cell in self.cells if not _offsets_in_px(cell)]
        if self.direction == "hconcat" and sized:  # side by side: every panel as tall as the row
            tallest = max(cell["height"] for cell in sized)
            for cell in sized:
                most = self.rows.get(id(cell), 0) * MAX_STEP or float("inf")
                cell["height"] = int(min(most, tallest))
        if self.direction == "vconcat":  # stacked: every panel as wide as the column
            widest = max(cell["width"] for cell in self.cells)
            for cell in self.cells:
                cell["width"] = widest


def _can_grow(layout: _Layout, dx: float, dy: float) -> bool:
    """Whether growing the plots would still change the chart: some room, and a plot that takes it."""
    tall = any(not _offsets_in_px(cell) for cell in layout.cells)
    return dx >= 2 or (dy >= 2 and tall)


def lay_out(spec: dict, ratio: float, shows: str | None = None) -> tuple[dict, tuple[float, float]]:
    """The print spec laid out for a frame of ``ratio`` (width / height), and that frame's size in CSS px."""
    natural = _Layout(spec, shows, across=False)
    _, _, plots = natural.size()
    tries = [natural]
    if _panels(natural.body) and _panels(natural.body)[1] == "vconcat":
        tries.append(_Layout(spec, shows, across=True))
    best = None
    for layout in tries:
        layout.set_minimum(plots)
        width, height, _ = layout.size()
        frame = max(FRAME_WIDTH, width, height * ratio)
        if best is None or frame < best[0]:
            best = (frame, layout)
    frame_w, layout = best
    frame_h = frame_w / ratio
    layout.line_chars = max(LINE_CHARS, int((frame_w - 20) / CHAR_PX))  # the sources across the slide
    width, height, _ = layout.size()
    # Grow to the frame, measuring again: a title or legend wider than the plots takes the first
    # pixels, and a label that got longer can push the chart over (then it shrinks by that).
    for _ in range(4):
        dx, dy = frame_w - width, frame_h - height
        if abs(dx) < 2 and abs(dy) < 2 or (dx >= 0 and dy >= 0 and not _can_grow(layout, dx, dy)):
            break
        layout.grow(dx, dy)
        width, height, _ = layout.size()
    return layout.printed(), (frame_w, frame_h)


def _px(value: float) -> str:
    """A length for SVG text: at most 2 decimals, no trailing zeros, never "-0"."""
    return f"{round(value, 2) + 0.0:.2f}".rstrip("0").rstrip(".")


def framed(svg: str, frame: tuple[float, float], size: tuple[int, int]) -> str:
    """``svg`` centred on a white frame of ``frame`` CSS px, drawn at ``size`` pixels."""
    head = _HEAD.match(svg)
    if not head:
        raise ValueError("vl-convert's SVG does not start with <svg ... width height viewBox>: cannot frame it")
    width, height = float(head[2]), float(head[3])
    fw, fh = max(frame[0], width), max(frame[1], height)  # never crop: a chart larger than the frame is shrunk
    fw, fh = max(fw, fh * size[0] / size[1]), max(fh, fw * size[1] / size[0])
    x, y = _px(-(fw - width) / 2), _px(-(fh - height) / 2)
    box = f"{x} {y} {_px(fw)} {_px(fh)}"
    background = f'<rect x="{x}" y="{y}" width="{_px(fw)}" height="{_px(fh)}" fill="white"/>'
    return (
        f'<svg {head[1]}width="{size[0]}" height="{size[1]}" viewBox="{box}"{head[4]}>{background}' + svg[head.end() :]
    )


def slide_images(
    spec: dict, formats: Sequence[str], size: tuple[int, int] = DEFAULT_SIZE, shows: str | None = None
) -> dict[str, str | bytes]:
    """One view's spec as slides of exactly ``size`` pixels, by format: "png" bytes, "svg" text.

    Laid out once for all formats (no browser, no network). ``shows`` names the run's filter
    (:func:`helpers.render.printed.filter_text`) in the slide's title.
    """
    if not formats:
        return {}
    import vl_convert as vlc

    printed, frame = lay_out(spec, size[0] / size[1], shows)
    svg = framed(_render_svg(printed), frame, size)
    return {fmt: svg if fmt == "svg" else vlc.svg_to_png(svg, scale=1.0) for fmt in formats}


def export_slide(spec: dict, fmt: str, size: tuple[int, int] = DEFAULT_SIZE, shows: str | None = None) -> str | bytes:
    """One slide: PNG bytes or SVG text (:func:`slide_images` for one format)."""
    return slide_images(spec, [fmt], size, shows)[fmt]
