"""Files the suite writes for itself: each written whole, then renamed; and its cache folder.

A reader (a browser, another kernel, the next run) never sees half a file: the content goes to
a temporary name beside the target, and ``os.replace`` swaps it in. Standard library only, so
report kernels and workers import it for nothing.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def cache_dir() -> Path:
    """Where the Vega bundle, the JavaScript bundles and the view specs are kept between runs."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ketamine-evidence"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to a temporary file beside ``path``, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
