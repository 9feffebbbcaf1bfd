"""Running a committed notebook under papermill, for the notebook tests of every family."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import papermill as pm

from helpers.explore import REPORT_ENV

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def execute(name: str, tmp_path: Path, params: dict | None = None, report: bool = False) -> nbformat.NotebookNode:
    """Execute notebooks/<name>.ipynb with papermill; report=True runs it as a report does.

    Fails the test if any cell raised.
    """
    out = tmp_path / f"{name}.ipynb"
    saved = os.environ.get(REPORT_ENV)
    os.environ[REPORT_ENV] = "1" if report else ""
    try:
        pm.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"),
            str(out),
            parameters=params or {},
            cwd=str(NOTEBOOKS),
            kernel_name="python3",
            progress_bar=False,
        )
    finally:
        if saved is None:
            os.environ.pop(REPORT_ENV, None)
        else:
            os.environ[REPORT_ENV] = saved
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    return nb


def outputs(nb: nbformat.NotebookNode, mime: str) -> list:
    """Every output of one MIME type, in cell order."""
    return [o["data"][mime] for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})]
