"""Runs inside a report kernel: the warm-up imports, and the reset between two notebooks.

``helpers.run.kernels`` calls :func:`warm_up` once after a kernel starts and :func:`prepare`
before every notebook. Both run silently (no history, no execution count).
"""

from __future__ import annotations

import importlib
import os
import sys

from helpers.render.jsbundle import cache_javascript_bundles

_baseline: dict = {}


def warm_up(modules: list[str]) -> None:
    """Import the suite's heavy modules once, and remember the clean state to come back to."""
    cache_javascript_bundles()
    for name in modules:
        importlib.import_module(name)
    _baseline.update(environ=dict(os.environ), path=list(sys.path))


def prepare(cwd: str, env: dict | None = None) -> None:
    """A clean kernel for the next notebook: environment, sys.path and working folder restored, namespace emptied.

    ``env`` is set on top of the restored environment, for this notebook.

    ``reset(new_session=True)`` deletes every user variable (and ``In``/``Out``/``_``) and
    starts the execution count at 1 again, as in a new kernel; imported modules stay.
    """
    if _baseline:
        os.environ.clear()
        os.environ.update(_baseline["environ"])
        sys.path[:] = _baseline["path"]
    os.environ.update(env or {})
    os.chdir(cwd)
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True, aggressive=False)
