"""The print variant of a view's Vega-Lite spec, for slide images (PNG/SVG) of a report run.

On a page a reader hovers and clicks a mark to read its source; on a slide nobody can. So
:func:`print_spec` takes the interactive spec and gives one for static export:

- sentences and parentheses in titles that say hover, click or tap are removed;
- tooltips, click selections and HTML bindings are dropped (nothing can use them in an image);
- the sources are printed under the chart, with the educational-use note;
- the title names the run's filter (``shows``, from :func:`filter_text`): a slide is seen alone;
- a position scale whose domain follows a parameter (06's "from"/"to" years) is bounded to the
  data drawn, so no bar runs off the plot's edge; a fixed domain (0 to 100 %) is widened to the
  data only if the data runs past it.

The sources are the documents of the rows the chart starts with when the report put them in
``usermeta`` (:func:`with_row_sources`), else of every row the spec's datasets hold.
"""

from __future__ import annotations

import copy
import json
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from helpers import DISCLAIMER
from helpers.params import NOTEBOOKS

SOURCES_KEY = "ketamineSources"  # in the spec's usermeta: the source labels of the run's rows
NO_SOURCES = "Sources: the five web articles of this suite (data/sources.csv)."
LINE_CHARS = 110  # a 560 px chart holds about this many characters of 10 px text
INTERACTION = re.compile(r"\b(hover|click|tap|double-click)\w*", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
# Whole-spec keys of Vega-Lite: they stay at the top when the chart is wrapped with its footer.
_TOP_LEVEL = ("$schema", "datasets", "config", "params", "description", "usermeta", "background", "padding")


def with_row_sources(spec: dict, rows: Iterable[dict]) -> dict:
    """A copy of ``spec`` that names the documents of ``rows`` (the rows a report's chart starts with)."""
    labels = sorted({str(r["source_label"]) for r in rows if r.get("source_label")})
    out = dict(spec)
    out["usermeta"] = {**spec.get("usermeta", {}), SOURCES_KEY: labels}
    return out


def source_lines(spec: dict, line_chars: int = LINE_CHARS) -> list[str]:
    """'Sources: ...' wrapped into lines, from ``usermeta`` or from every row of the spec's datasets."""
    labels = spec.get("usermeta", {}).get(SOURCES_KEY)
    if labels is None:
        rows = [row for values in spec.get("datasets", {}).values() for row in values if isinstance(row, dict)]
        labels = sorted({str(r.get("source_label") or r["source_id"]) for r in rows if r.get("source_id")})
    if not labels:
        return [NO_SOURCES]
    lines = []  # one document per line (wrapped when long), so a reader finds each one
    for i, label in enumerate(labels):
        lead = ("Source: " if len(labels) == 1 else "Sources: ") if i == 0 else ""
        lines += textwrap.wrap(lead + label + (";" if i < len(labels) - 1 else "."), line_chars)
    return lines


def without_hints(text: str) -> str:
    """``text`` without the sentences and parentheses that tell a reader to hover, click or tap."""
    text = _PARENTHESIS.sub(lambda m: "" if INTERACTION.search(m[0]) else m[0], text)
    return " ".join(s for s in _SENTENCE.split(text) if not INTERACTION.search(s)).strip()


def _clean_title(title: Any) -> Any:
    if isinstance(title, str):
        return without_hints(title)
    if isinstance(title, list):
        return [line for line in (_clean_title(t) for t in title) if line != ""]
    if isinstance(title, dict) and "expr" not in title:
        return {k: _clean_title(v) if k in ("text", "subtitle") else v for k, v in title.items()}
    return title


def _strip(node: Any) -> Any:
    """Titles without interaction hints; no tooltip channels or mark tooltips, anywhere in the spec."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "tooltip":
            continue  # an encoding channel or a mark property: nothing shows it in an image
        out[key] = _clean_title(value) if key == "title" else _strip(value)
    return out


def _static_params(params: list[dict], body: dict) -> list[dict]:
    """Variable params without HTML bindings; selections only when something still refers to them."""
    text = json.dumps(body)
    kept = []
    for param in params:
        if "select" in param and f'"{param["name"]}"' not in text:
            continue
        kept.append({k: v for k, v in param.items() if k != "bind"})
    return kept


def filter_text(notebook: str, params: dict[str, Any]) -> str | None:
    """The run's parameters that differ from their defaults, in the declaration's words:
    ``condition: fibromyalgia; colour by: evidence kind`` (None when every value is the default)."""
    parts = []
    for param in NOTEBOOKS.get(notebook, ()):
        value = params.get(param.name, param.default)
        if value == param.default:
            continue
        if param.type == "bool":
            shown = "on" if value else "off"
        elif param.type == "list":
            shown = ", ".join(param.choice_label(v.strip()) for v in str(value).split(",") if v.strip()) or "none"
        elif param.type in ("int", "number"):
            shown = f"{value:g}{param.unit_text()}"
        else:
            shown = param.choice_label(value)
        parts.append(f"{param.label}: {shown}")
    return "; ".join(parts) or None


def _with_filter(title: Any, shows: str) -> Any:
    """``title`` with the filter after its first line: "Response ... claim — condition: fibromyalgia"."""
    if isinstance(title, dict) and "expr" not in title:
        return {**title, "text": _with_filter(title.get("text", ""), shows)}
    if isinstance(title, list) and title:
        return [_with_filter(title[0], shows), *title[1:]]
    if isinstance(title, str) and title:
        return f"{title} — {shows}"
    return {"text": shows, "anchor": "start"} if not title else title


def _bounded(node: Any) -> Any:
    """Continuous x/y scales whose domain a parameter sets bounded to the data drawn; fixed ones widened to it."""
    if isinstance(node, list):
        return [_bounded(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _bounded(v) for k, v in node.items()}
    encoding = out.get("encoding")
    for channel in ("x", "y"):
        field = encoding.get(channel) if isinstance(encoding, dict) else None
        scale = field.get("scale") if isinstance(field, dict) else None
        if (
            not isinstance(scale, dict)
            or "domain" not in scale
            or field.get("type") not in ("quantitative", "temporal")
        ):
            continue
        domain = scale["domain"]
        if isinstance(domain, list) and all(isinstance(v, (int, float)) for v in domain):
            scale = {**scale, "domain": {"unionWith": domain}}  # 0-100 % stays, a value past it is drawn
        elif "expr" in json.dumps(domain) or "param" in json.dumps(domain):
            # the data's extent, and room for an end point's symbol (px); a year window on a page becomes
            # the years drawn on a slide, where nobody can widen it
            scale = {k: v for k, v in scale.items() if k != "domain"} | {"zero": False, "nice": False, "padding": 8}
        encoding[channel] = {**field, "scale": scale}
    return out


def print_spec(spec: dict, *, shows: str | None = None, line_chars: int = LINE_CHARS) -> dict:
    """The spec as printed: no hover/click hints or tooltips, and the sources and note under the chart.

    ``shows`` (the run's filter, :func:`filter_text`) goes into the chart's title; ``line_chars`` is
    how many characters a line of sources holds (more on a wide slide).
    """
    spec = copy.deepcopy(spec)
    datasets = spec.pop("datasets", {})  # rows are data, not text to clean (a quote may say anything)
    top = {k: spec.pop(k) for k in _TOP_LEVEL if k in spec}
    body = _bounded(_strip(spec))
    if shows:
        body["title"] = _with_filter(body.get("title"), shows)
    if "params" in top:
        top["params"] = _static_params(top["params"], body)
    if "description" in top:
        top["description"] = without_hints(top["description"])
    footer = {
        "text": source_lines({**top, "datasets": datasets}, line_chars),
        "subtitle": DISCLAIMER,
        "orient": "bottom",
        "anchor": "start",
        "offset": 14,
        "fontSize": 10,
        "fontWeight": "normal",
        "color": "#333",
        "subtitleFontSize": 10,
        "subtitleFontWeight": "bold",
        "subtitleColor": "#333",
    }
    # A composition of one: the chart keeps its own title and the footer goes under all of it.
    return {**top, "datasets": datasets, "vconcat": [body], "title": footer}
