"""Output folders and run limits, checked before anything runs: refused with a message saying why.

An output folder is refused when it is empty (``--out ""`` would be the current folder), when
it or a folder above it is a dangling symbolic link (resolving it would create the link's
target), when it lies among the sources (``notebooks/``, ``data/``, the ``helpers`` package,
or beside a source notebook), or when it cannot be written. A ``--timeout`` must be at least 1 s.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from helpers.params.rules import shown
from helpers.paths import DATA_DIR, NOTEBOOK_DIR, ROOT

PACKAGE_DIR = ROOT / "helpers"


class OutputPathError(ValueError):
    """An output folder that would land among the sources (notebooks/, data/, helpers/) or cannot be written."""


def check_out_dir(out_dir: str | Path, sources: Iterable[Path] = (), notebook_dir: Path = NOTEBOOK_DIR) -> Path:
    """The absolute output folder, or OutputPathError if it is among the sources.

    Reports must never land inside ``notebooks/`` or ``data/`` (or the folder
    the notebooks are read from), nor replace a source notebook or data file.
    """
    if not str(out_dir).strip():  # Path("") is ".": the current folder, often the repository's root
        raise OutputPathError(
            "refusing to write reports into '' (an empty --out): give a folder, for example --out reports/"
        )
    given = Path(out_dir).expanduser()
    for link in (given, *given.parents):  # resolve() would follow a dangling link and mkdir would create its target
        if link.is_symlink() and not link.exists():
            raise OutputPathError(
                f"refusing to write reports into {out_dir}: {link} is a symbolic link to {os.readlink(link)}, "
                "which does not exist. Create the target folder first, or choose another folder, "
                "for example --out reports/"
            )
    out = given.resolve()
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"refusing to write reports into {out_dir}: it is a file, not a folder")
    protected = {
        Path(notebook_dir).resolve(): "the source notebooks",
        NOTEBOOK_DIR.resolve(): "the source notebooks",
        DATA_DIR.resolve(): "the data tables",
        PACKAGE_DIR: "the helpers package (the suite's code)",
    }
    for folder, holds in protected.items():
        if out == folder or folder in out.parents:
            raise OutputPathError(
                f"refusing to write reports into {out_dir}: it is inside {folder}, which holds {holds}. "
                "Choose another folder, for example --out reports/"
            )
    for source in sources:
        if Path(source).resolve().parent == out:
            raise OutputPathError(
                f"refusing to write reports into {out_dir}: it holds the source notebook {source}. "
                "Choose another folder, for example --out reports/"
            )
    _check_writable(out, out_dir)
    return out


def timeout_message(value: Any) -> str:
    """Why a ``--timeout`` value is refused: the option, the value and the valid range."""
    return (
        f"--timeout must be a whole number of seconds of at least 1, got {shown(value)}; "
        "leave --timeout out for no limit"
    )


def _check_writable(out: Path, given: str | Path) -> None:
    """Create ``out`` and a probe file in it, or raise OutputPathError saying why not.

    Checked by trying, not with ``os.access``: root passes every permission test, but
    not a read-only file system.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or errno.errorcode.get(error.errno or 0, str(error))
        raise OutputPathError(
            f"refusing to write reports into {given}: the folder cannot be written ({reason}). "
            "Choose a folder you can write to, for example --out reports/"
        ) from None
