"""vl-convert's JavaScript bundles kept on disk, so a kernel pays for bundling once per version."""

from __future__ import annotations

import hashlib
import json

from helpers.paths import cache_dir, write_atomic


def cache_javascript_bundles() -> None:
    """In this kernel, ``vl_convert.javascript_bundle`` answers from a file once it has bundled the same input.

    Every explorer calls altair's ``JupyterChart.enable_offline()``, which bundles the same
    JavaScript with vl-convert: about 2 s of CPU in every new kernel, for a result that
    depends only on its arguments and the vl-convert version. The file is kept where
    ``helpers.render.report_page.runtime_file`` keeps the Vega bundle, written then renamed. Installed in
    report and test kernels at warm-up, and by ``helpers.render.offline.enable_offline`` in every
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
