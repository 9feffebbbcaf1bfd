"""Runs inside a report kernel: the warm-up imports, and the reset between two notebooks.

``helpers.kernels`` calls :func:`warm_up` once after a kernel starts and :func:`prepare`
before every notebook. Both run silently (no history, no execution count).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys

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


def cache_javascript_bundles() -> None:
    """In this kernel, ``vl_convert.javascript_bundle`` answers from a file once it has bundled the same input.

    Every explorer calls altair's ``JupyterChart.enable_offline()``, which bundles the same
    JavaScript with vl-convert: about 2 s of CPU in every new kernel, for a result that
    depends only on its arguments and the vl-convert version. The file is kept where
    ``helpers.report.runtime_file`` keeps the Vega bundle, written then renamed. Installed in
    report and test kernels at warm-up, and by ``helpers.renderer.enable_offline`` in every
    JupyterLab and Voilà kernel.
    """
    try:
        from importlib.metadata import version

        import vl_convert
    except ImportError:
        return
    original = vl_convert.javascript_bundle
    if getattr(original, "cached_on_disk", False):
        return
    tag = version("vl-convert-python")
    from helpers.files import cache_dir, write_atomic

    folder = cache_dir()

    def javascript_bundle(*args, **kwargs):
        key = json.dumps([tag, args, sorted(kwargs.items())], default=str)
        path = folder / f"js-bundle-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}.js"
        try:
            text = path.read_text(encoding="utf-8")
            if text:
                return text
        except OSError:
            pass
        text = original(*args, **kwargs)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except OSError:
            pass
        return text

    javascript_bundle.cached_on_disk = True
    vl_convert.javascript_bundle = javascript_bundle
