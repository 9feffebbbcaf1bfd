"""vl-convert's JavaScript bundles kept on disk, so a kernel pays for bundling once per version.

Every file kept here is checked before use: its SHA-256 is recorded beside it (``NAME.sha256``) when
it is written, and a file whose content does not match (planted, truncated, edited) is built again.
Only the user's cache folder is used (``helpers.paths.cache_dir()``), never a shared temp folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.paths import cache_dir, installed_version, write_atomic


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_checked(path: Path) -> str | None:
    """The text of ``path`` if it matches the hash recorded beside it; None otherwise (absent or altered)."""
    try:
        text = path.read_text(encoding="utf-8")
        recorded = path.with_name(path.name + ".sha256").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text and recorded == digest(text) else None


def write_checked(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (the folder made private if new), then its hash beside it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, text)
    write_atomic(path.with_name(path.name + ".sha256"), digest(text) + "\n")
    return path


def cache_javascript_bundles() -> None:
    """In this kernel, ``vl_convert.javascript_bundle`` answers from a file once it has bundled the same input.

    Every explorer calls altair's ``JupyterChart.enable_offline()``, which bundles the same
    JavaScript with vl-convert: about 2 s of CPU in every new kernel, for a result that
    depends only on its arguments and the vl-convert version. The file is kept where
    ``helpers.render.report_page.runtime_file`` keeps the Vega bundle, written then renamed, with
    its hash (:func:`read_checked`). Installed in report and test kernels at warm-up, and by
    ``helpers.render.offline.enable_offline`` in every JupyterLab and Voilà kernel.
    """
    try:
        import vl_convert
    except ImportError:
        return
    original = vl_convert.javascript_bundle
    if getattr(original, "cached_on_disk", False):
        return
    tag = installed_version("vl-convert-python")

    def javascript_bundle(*args, **kwargs):
        key = json.dumps([tag, args, sorted(kwargs.items())], default=str)
        # Looked up per call: the cache folder follows XDG_CACHE_HOME as it is now.
        path = cache_dir() / f"js-bundle-{digest(key)[:20]}.js"
        text = read_checked(path)
        if text is not None:
            return text
        text = original(*args, **kwargs)
        try:
            write_checked(path, text)
        except OSError:
            pass
        return text

    javascript_bundle.cached_on_disk = True
    vl_convert.javascript_bundle = javascript_bundle
