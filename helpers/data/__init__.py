"""The data layer: the tables, their dictionary, validation, labels, provenance and units.

``from helpers.data import load`` loads a validated table; the names of ``helpers.data.tables``
are imported on first use, so ``python -m helpers.data.provenance`` needs the standard library alone.
"""

from __future__ import annotations

__all__ = ["EvidenceValidationError", "load", "load_all", "where", "with_sources"]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    from helpers.data import tables

    return getattr(tables, name)
