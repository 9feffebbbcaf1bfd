"""``alt``: Altair, imported when a view first uses it, not when a view module is imported.

A report kernel builds every view from the spec cache (:mod:`helpers.views.speccache`) and only
needs the rows, the declaration and the cached spec: importing Altair (with anywidget and
ipywidgets, which it brings) was about 0.4 s of every report kernel's start for nothing. A
builder (on a cache miss), the widget and the tests use ``alt.Chart`` and the rest as before;
the first of them imports Altair.
"""

from __future__ import annotations

import importlib
from typing import Any


class _Altair:
    """Attribute access on the ``altair`` module, which is imported on the first one."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):  # introspection (inspect, copy, pickle) asks for these
            raise AttributeError(name)
        return getattr(importlib.import_module("altair"), name)

    def __repr__(self) -> str:
        return "<altair, imported on first use (helpers.views.lazy)>"


alt: Any = _Altair()
