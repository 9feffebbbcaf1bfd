"""The data layer: the tables, their dictionary, validation, labels, provenance and units.

``from helpers.data import load`` loads a validated table; the names of ``helpers.data.tables``
are imported on first use, so ``python -m helpers.data.provenance`` needs the standard library alone.
"""

from __future__ import annotations

import importlib

__all__ = ["EvidenceValidationError", "load", "load_all", "where", "with_sources"]
# The layer's own modules: the import system asks for them by attribute before importing them, so
# they must not be forwarded to ``tables`` (which would import ``tables`` by asking again, forever).
SUBMODULES = frozenset({"check", "dictionary", "labels", "prepared", "provenance", "routes", "tables", "units"})


def __getattr__(name):
    if name.startswith("__") or name in SUBMODULES:
        raise AttributeError(f"module 'helpers.data' has no attribute {name!r}")
    return getattr(importlib.import_module("helpers.data.tables"), name)
