"""A disk cache of each view's Vega-Lite spec, keyed by everything the spec is built from.

Altair builds a compound chart by copying its subcharts again at every level of layering
and concatenation: 07's spec took 1.6 s to build and 08's 1.4 s, in every report kernel,
for a result that depends only on the suite's code, its data and the library versions.
The key is a hash of all of those (every ``helpers/**/*.py``, every file in ``data/``, and
the versions of altair, pandas, numpy and vl-convert), so any edit builds the spec again;
nothing is ever served from an older build. Files are written, then renamed, so two
kernels filling the cache at once cannot leave half a file.

Entries are kept per code version, in a folder named by that key: two checkouts with different
code share the cache without deleting each other's entries; another version's folder is removed
only when unused for :data:`KEEP_DAYS` days. An entry is served only if it has a view spec's
shape (a dict with ``$schema`` and a view); ``null``, ``{}`` or a list is built again and replaced.
``KETAMINE_SPEC_CACHE`` set to 0, false, off, no or empty turns the cache off
(``helpers.paths.env_flag``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from helpers.paths import cache_dir, env_flag, installed_version, write_atomic
from helpers.views.lazy import alt

ROOT = Path(__file__).resolve().parents[2]
ENV = "KETAMINE_SPEC_CACHE"
PACKAGES = ("altair", "pandas", "numpy", "vl-convert-python")
KEEP_DAYS = 14  # another code version's entries unused this long are removed
SCHEMA_PREFIX = "https://vega.github.io/schema/vega-lite/"
VIEW_KEYS = ("mark", "layer", "vconcat", "hconcat", "concat", "facet", "repeat")


def enabled() -> bool:
    return env_flag(ENV, default=True)


def is_view_spec(entry: object) -> bool:
    """A Vega-Lite spec a notebook can draw: a dict with a Vega-Lite ``$schema`` and a view
    (mark, layer or a composition). ``null``, ``{}`` or a list in the file is not one."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("$schema"), str)
        and entry["$schema"].startswith(SCHEMA_PREFIX)
        and any(k in entry for k in VIEW_KEYS)
    )


def inputs(root: Path = ROOT) -> list[Path]:
    """Every file a spec can depend on: the package's Python sources and the data folder."""
    files = [p for p in (root / "helpers").rglob("*.py") if "__pycache__" not in p.parts]
    files += [p for p in (root / "data").rglob("*") if p.is_file()]
    return sorted(files)


def key(root: Path = ROOT) -> str:
    """A hash of the inputs' paths and bytes and of the library versions."""
    digest = hashlib.sha256()
    for name in PACKAGES:
        found = installed_version(name)
        digest.update((f"{name}=={found}\n" if found else f"{name} missing\n").encode())
    for path in inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


@cache
def _key() -> str:
    return key()


def folder() -> Path:
    """This code version's folder of specs."""
    return cache_dir() / "specs" / _key()


def fingerprint(view) -> str:
    """A hash of what one View object adds to the code and data: its rows, extra tables, controls,
    builder and title. A view built in code from other rows (a test, a user's own table) under a
    notebook's name must not be served that notebook's spec."""
    digest = hashlib.sha256()
    for part in (
        view.notebook,
        view.title,
        f"{view.build.__module__}.{view.build.__qualname__}",
        repr(view.controls),
        view.rows.to_json(orient="split", date_format="iso", default_handler=str),
        *(e.frame.to_json(orient="split", date_format="iso", default_handler=str) for e in view.extras),
    ):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def spec(notebook: str, build: Callable[[], dict], view_key: str = "") -> dict:
    """``notebook``'s spec from the cache, or ``build()`` written to it (a write that fails is only a miss).

    ``view_key`` (see :func:`fingerprint`) tells two views of one notebook apart."""
    if not enabled():
        return build()
    digest = hashlib.sha256(f"{_key()}:{view_key}".encode()).hexdigest()[:24]
    try:
        path = folder() / f"{notebook}-{digest}.json"
    except OSError:  # a cache folder that is not private (helpers.paths.CacheDirError): not used at all
        return build()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if is_view_spec(cached):
            _mark_used(path.parent)
            return cached
    except (OSError, ValueError):
        pass
    built = build()
    if not is_view_spec(built):
        return built  # never store what would not be served
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(built))
        _prune(path)
    except OSError:
        pass
    return built


_used: set[Path] = set()


def _mark_used(version_folder: Path) -> None:
    """Touch this version's folder once per process, so a checkout served only from the cache
    still counts as in use for the age-based pruning of other versions."""
    if version_folder not in _used:
        _used.add(version_folder)
        try:
            os.utime(version_folder)
        except OSError:
            pass


def _prune(kept: Path, now: float | None = None) -> None:
    """Drop this notebook's other specs of the same code version, and every other version's entries
    unused for KEEP_DAYS days (another checkout in use keeps its own), so the cache does not grow
    with every edit."""
    stem = kept.name.rsplit("-", 1)[0]
    for old in kept.parent.glob(f"{stem}-*.json"):
        if old != kept and old.name.rsplit("-", 1)[0] == stem:
            old.unlink(missing_ok=True)
    cutoff = (time.time() if now is None else now) - KEEP_DAYS * 86400
    for other in kept.parent.parent.iterdir():
        if other == kept.parent or other.is_symlink():
            continue
        try:
            if other.stat().st_mtime >= cutoff:
                continue
            if other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
            elif other.suffix == ".json":  # the flat layout before versions had folders
                other.unlink(missing_ok=True)
        except OSError:
            continue


_HASHED_VIEW = re.compile(r"\bview_[0-9a-f]{16}(?![0-9a-f])")


def stable_names(spec_dict: dict) -> dict:
    """``spec_dict`` with Altair's hashed unit names (``view_<16 hex>``) renumbered in order of appearance.

    Altair names a unit that holds a selection after a hash of ``str()`` of its data, which for a
    DataFrame depends on pandas' display options and the terminal: the same chart got another name
    in another process, so a cached spec would differ from a fresh build and from its snapshot.
    """
    names: dict[str, str] = {}
    text = _HASHED_VIEW.sub(lambda m: names.setdefault(m.group(0), f"view_{len(names) + 1}"), json.dumps(spec_dict))
    return json.loads(text)


@cache
def _spec_chart_class() -> type:
    """:class:`SpecChart` made when first asked for: it subclasses ``alt.Chart``, and a report kernel,
    which never draws a widget, does not import Altair (:mod:`helpers.views.lazy`)."""
    from altair.utils.schemapi import debug_mode

    class SpecChart(alt.Chart):
        """An ``alt.Chart`` that is a finished Vega-Lite dict, for ``alt.JupyterChart``: no rebuild, no re-validation.

        JupyterChart reads a chart's top-level ``params`` (to make its param and selection traits) and
        sends ``to_dict()``; building the Altair objects again for that cost 07 and 08 over a second in
        every JupyterLab and Voilà kernel, and JupyterChart's validating ``to_dict`` up to 1.8 s more.
        The spec was validated by the tests (every view, every option value).
        """

        def __init__(self, spec: dict):
            super().__init__()
            object.__setattr__(self, "_spec_dict", spec)
            with debug_mode(False):  # the objects only carry names, selections and values to JupyterChart
                self.params = [
                    (alt.TopLevelSelectionParameter if "select" in p else alt.VariableParameter)(**p)
                    for p in spec.get("params", [])
                ]

        def to_dict(self, *args, **kwargs) -> dict:
            return copy.deepcopy(self._spec_dict)

    return SpecChart


def spec_chart(spec_dict: dict) -> Any:
    """The chart object JupyterChart wants, made from ``spec_dict`` (see ``_spec_chart_class``)."""
    return _spec_chart_class()(spec_dict)


__all__ = ["enabled", "folder", "inputs", "key", "spec", "spec_chart", "stable_names"]
