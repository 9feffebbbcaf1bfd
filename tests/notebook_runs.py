"""Running a committed notebook under papermill, for the notebook tests of every family.

The notebooks run on one warm kernel per test process (``helpers.run.kernels``, as report
batches do): the suite's imports are paid once, and each notebook still starts from an
empty namespace in its own folder, through papermill. ``KETAMINE_FRESH_KERNELS=1`` runs
every notebook on a new kernel instead.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

import nbformat

from helpers.explore import REPORT_ENV
from helpers.run.kernels import Kernel, run_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
_kernel: Kernel | None = None


def kernel() -> Kernel:
    """This test process's kernel, started on first use and shut down at exit."""
    global _kernel
    if _kernel is None:
        _kernel = Kernel(warm=os.environ.get("KETAMINE_FRESH_KERNELS") != "1")
        atexit.register(_kernel.shutdown)
    return _kernel


def execute(name: str, tmp_path: Path, params: dict | None = None, report: bool = False) -> nbformat.NotebookNode:
    """Execute notebooks/<name>.ipynb with papermill; report=True runs it as a report does.

    Fails the test if any cell raised.
    """
    out = tmp_path / f"{name}.ipynb"
    run_notebook(
        kernel(),
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        params or {},
        timeout=None,
        env={REPORT_ENV: "1" if report else ""},
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    return nb


def outputs(nb: nbformat.NotebookNode, mime: str) -> list:
    """Every output of one MIME type, in cell order."""
    return [o["data"][mime] for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})]
