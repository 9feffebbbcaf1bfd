"""Where things are: the project's folders, the cache folder, and files written whole, then renamed.

A reader (a browser, another kernel, the next run) never sees half a file: the content goes to
a temporary name beside the target, and ``os.replace`` swaps it in. Standard library only, so
report kernels and workers import it for nothing.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
NOTEBOOK_DIR = ROOT / "notebooks"


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
