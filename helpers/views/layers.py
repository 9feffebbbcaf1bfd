"""Local helpers for the 07 and 08 views, until core has them (see the notes on each).

- Altair renames a named unit that is a direct layer of a layer chart combined with others in
  ``alt.layer`` or ``alt.concat`` (``rows`` becomes ``rows_0``), so the page could not find the
  ``rows`` unit, nor a test a named unit: :func:`keep_name` nests it so its name stays.
- ``alt.JupyterChart`` keeps a bool param in a Float traitlet, so the widget panel reads
  ``normalize`` back as 1.0 and the notebook's rule refuses it: :class:`BoolSafeView` reads
  0.0 and 1.0 back as the bool they stand for, for bool parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.views import core
from helpers.views.lazy import alt


def keep_name(chart: alt.Chart) -> alt.LayerChart:
    """``chart`` wrapped so that Altair's concat and layer combination leave its ``name`` as given."""
    return alt.layer(alt.layer(chart))


@dataclass
class BoolSafeView(core.View):
    """A View whose bool parameters accept the 0.0 / 1.0 a JupyterChart param hands back."""

    def validate(self, values: dict[str, Any] | None = None, check_order: bool = True) -> dict[str, Any]:
        kinds = {c.name: c.param.kind for c in self.controls}
        fixed = {
            name: bool(value) if kinds.get(name) is bool and type(value) is float and value in (0.0, 1.0) else value
            for name, value in (values or {}).items()
        }
        return super().validate(fixed, check_order=check_order)
