"""The cells papermill adds to an executed notebook, told apart from the source notebook's own.

``ERROR_MARKER_TAG`` is papermill's constant (``papermill.execute``). The parameters cell's tag
has no constant in papermill (``papermill.parameterize`` writes the literal), so it is defined
once here, the lowest module that needs it: the report page labels that cell, and the runner
(``helpers.run.kernels``, ``helpers.run.execute``) counts cells as the source notebook does.
"""

from __future__ import annotations

from typing import Any

from papermill.execute import ERROR_MARKER_TAG

INJECTED_PARAMETERS_TAG = "injected-parameters"  # papermill.parameterize.parameterize_notebook's tag

__all__ = ["ERROR_MARKER_TAG", "INJECTED_PARAMETERS_TAG", "is_injected_parameters", "is_papermill_cell"]


def _tags(cell: Any) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def is_injected_parameters(cell: Any) -> bool:
    """The parameters cell papermill inserted (its values for this run)."""
    return INJECTED_PARAMETERS_TAG in _tags(cell)


def is_papermill_cell(cell: Any) -> bool:
    """A cell papermill added: its parameters cell or one of its error markers."""
    tags = _tags(cell)
    return INJECTED_PARAMETERS_TAG in tags or ERROR_MARKER_TAG in tags
