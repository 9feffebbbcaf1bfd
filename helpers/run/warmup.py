"""Runs inside a report kernel: the warm-up imports, and the reset between two notebooks.

``helpers.run.kernels`` calls :func:`warm_up` once after a kernel starts and :func:`prepare`
before every notebook. Both run silently (no history, no execution count).
"""

from __future__ import annotations

import contextlib
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
    # pyzmq starts this thread on the first large output it sends without copying (a view's bundle);
    # started now, it is part of the state every notebook is compared with (helpers.run.fingerprint)
    with contextlib.suppress(Exception):
        from zmq.utils.garbage import gc

        if not gc.is_alive():
            gc.start()
    _baseline.update(environ=dict(os.environ), path=list(sys.path))


def prepare(cwd: str, env: dict | None = None) -> None:
    """A clean kernel for the next notebook: environment, sys.path, working folder and random seeds, namespace emptied.

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
    from helpers.run.fingerprint import reseed

    reseed()  # a notebook cannot plant the next one's random numbers
    clear_caches()  # nor edit a cached view's rows in place for the next one to show
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True, aggressive=False)


def clear_caches() -> None:
    """Empty every ``functools`` cache of the ``helpers`` package: views, the dictionary, model inputs.

    They hold data frames and dicts that code can change in place, which no identity check
    sees; rebuilt from the files, they are what a new kernel would build. The imports stay.
    """
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "helpers" or name.startswith("helpers.")):
            continue
        for value in list(vars(module).values()):
            if not callable(value):  # a cache is a function; helpers.views.lazy.alt would import Altair if asked
                continue
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()
