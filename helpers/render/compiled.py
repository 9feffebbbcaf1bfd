"""Vega-Lite compiled to Vega when a page is written, so the page ships the Vega runtime alone.

vl-convert compiles with the Vega-Lite version Altair writes for. A compiled spec is kept in the
user's cache folder (``helpers.paths.cache_dir()/vega-specs``), named by the hash of what was
compiled (the spec, the vl-convert and Vega-Lite versions), so a report run pays for the compiler
(about 1 s to start it) only the first time a view's spec changes. A view's parameter values do
not enter the hash: they are compiled as null and set in the compiled spec's signals afterwards,
so every run of a notebook shares one entry. An entry that is not a Vega spec is compiled again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from helpers.paths import cache_dir, installed_version, write_atomic
from helpers.render.offline import LEFT_OUT_TRANSFORMS

FOLDER = "vega-specs"
VEGA_SCHEMA = "https://vega.github.io/schema/vega/"


class CompileError(ValueError):
    """A chart the saved page's Vega runtime cannot draw."""


def _vl_version(vl_spec: dict) -> str:
    """``v6_4`` for a spec whose ``$schema`` is ``.../vega-lite/v6.4.0.json``: the Vega-Lite it was written for,
    in vl-convert's form, as Altair derives it from the same version. Read from the spec, a report worker
    never imports Altair for it (0.36 s of its start); a spec without a schema asks Altair."""
    found = re.search(r"/vega-lite/(v\d+)\.(\d+)\.", str(vl_spec.get("$schema", "")))
    if found:
        return f"{found.group(1)}_{found.group(2)}"
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


def _versions(vl_spec: dict) -> tuple[str, str]:
    return installed_version("vl-convert-python"), _vl_version(vl_spec)


def is_vega_spec(value: Any) -> bool:
    """The shape of a compiled spec: a dict whose ``$schema`` is Vega's, with marks or data."""
    return (
        isinstance(value, dict)
        and str(value.get("$schema", "")).startswith(VEGA_SCHEMA)
        and isinstance(value.get("marks", value.get("data", [])), list)
    )


def _transforms(node: Any):
    if isinstance(node, dict):
        for item in node.get("transform", []) if isinstance(node.get("transform"), list) else []:
            if isinstance(item, dict) and "type" in item:
                yield item["type"]
        for value in node.values():
            yield from _transforms(value)
    elif isinstance(node, list):
        for item in node:
            yield from _transforms(item)


def check_runtime(vega: dict) -> dict:
    """``vega``, if the saved page's Vega runtime has every transform it uses; else a CompileError naming them."""
    missing = sorted({t for t in _transforms(vega) if t in LEFT_OUT_TRANSFORMS})
    if missing:
        raise CompileError(
            f"the chart uses the Vega transform(s) {', '.join(missing)}, which the saved page's runtime leaves out "
            "(helpers.render.offline.SUBSET_MODULES): add their module there"
        )
    return vega


class NotCached(LookupError):
    """Asked for what is in the cache only, and it is not there."""


def vega_spec(vl_spec: dict, *, cached_only: bool = False) -> dict:
    """``vl_spec`` (Vega-Lite) compiled to Vega, from the cache when it was compiled before.
    ``cached_only``: never start the compiler (a Voilà page must not wait ~1 s for it); NotCached instead."""
    tool, vl_version = _versions(vl_spec)
    text = json.dumps([tool, vl_version, vl_spec], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    folder = cache_dir() / FOLDER
    path = folder / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if is_vega_spec(cached):
            return check_runtime(cached)
    except (OSError, ValueError):
        pass  # absent or unreadable: compile it
    if cached_only:
        raise NotCached(f"no compiled spec in {path}")
    import vl_convert as vlc

    compiled = vlc.vegalite_to_vega(vl_spec, vl_version=vl_version)
    if not is_vega_spec(compiled):
        raise CompileError(f"vl-convert gave no Vega spec for the chart (got {type(compiled).__name__})")
    check_runtime(compiled)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, json.dumps(compiled, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        pass  # a read-only cache costs time, not correctness
    return compiled


def bound_values(vl_spec: dict) -> dict[str, Any]:
    """The initial value of each top-level param that is not a selection, by name."""
    return {p["name"]: p.get("value") for p in vl_spec.get("params", []) if "select" not in p}


def view_vega(payload: dict, *, cached_only: bool = False) -> dict:
    """A view's payload as the saved page reads it: ``vega`` (the compiled spec, its params' values
    set) instead of ``spec``, and ``rows_data`` naming the data sets that hold exactly the payload's
    rows, whose values the page fills in from ``rows`` (one copy of the table in the file, not two)."""
    spec = payload["spec"]
    values = bound_values(spec)
    neutral = copy.deepcopy(spec)
    for param in neutral.get("params", []):
        if param.get("name") in values:
            param["value"] = None
    vega = copy.deepcopy(vega_spec(neutral, cached_only=cached_only))
    for signal in vega.get("signals", []):
        if signal.get("name") in values:
            signal["value"] = values[signal["name"]]
    rows_data = []
    for data in vega.get("data", []):
        if "values" in data and data["values"] == payload["rows"]:
            del data["values"]
            rows_data.append(data["name"])
    out = {k: v for k, v in payload.items() if k != "spec"}
    return {**out, "vega": vega, "rows_data": rows_data}
