"""Frictionless's verdict on a table, kept by the content it validated: in this process, and on disk once valid.

Frictionless checks the types, enums, patterns, unique ids and source ids (:mod:`helpers.data.tables`).
It costs about 0.26 s to import and 15-30 ms a table, and every kernel (a report's, a Voilà visitor's)
validated the same unchanged files again. A verdict depends only on the bytes Frictionless reads (the
table's, and sources.csv's for the source ids), the descriptor and Frictionless's version: that is its key.

- In this process, every verdict (a tuple of frozen Problems) is kept by its key and data folder (its
  messages name the file). The report kernels' reset between notebooks (``helpers.run.warmup``) leaves
  it: nothing in it can be changed in place.
- On disk, ``cache_dir()/table-verdicts/<key>`` marks a key that Frictionless found valid. Only valid
  ones: a broken table's messages name its path, and it is validated again until it is mended. The
  folder is the user's private cache (:func:`helpers.paths.cache_dir`), trusted as the view specs kept
  there are; a mark unused for :data:`KEEP_DAYS` days goes when a new one is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from helpers.paths import cache_dir, installed_version, write_atomic

FOLDER = "table-verdicts"
KEEP_DAYS = 30
KEPT_IN_MEMORY = 64
FORM = 1  # what a key is made of; a new form makes every earlier mark unused
_KEPT: dict[tuple[str, str], tuple[Any, ...]] = {}


def key(table: str, descriptor: dict, contents: Sequence[bytes]) -> str:
    """The verdict's key: the table, the descriptor, Frictionless's version and every byte it reads."""
    digest = hashlib.sha256()
    tool = installed_version("frictionless") or "unknown"
    for part in (str(FORM), tool, table, json.dumps(descriptor, sort_keys=True)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for content in contents:
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def schema_verdict(
    table: str, data_dir: os.PathLike | str, descriptor: dict, contents: Sequence[bytes], validate: Callable[[], list]
) -> tuple[Any, ...]:
    """``validate()`` as a tuple, or the verdict kept for the same key (see the module's docstring)."""
    found_key = key(table, descriptor, contents)
    where = (found_key, os.path.realpath(data_dir))
    found = _KEPT.get(where)
    if found is not None:
        return found
    found = () if _marked(found_key) else tuple(validate())
    if not found:
        _mark(found_key)
    if len(_KEPT) >= KEPT_IN_MEMORY:
        _KEPT.pop(next(iter(_KEPT)))
    _KEPT[where] = found
    return found


def _marked(found_key: str) -> bool:
    try:
        path = cache_dir() / FOLDER / found_key
        os.utime(path)  # used now: kept another KEEP_DAYS days
        return True
    except OSError:  # no mark, or no private cache folder (helpers.paths.CacheDirError): validated
        return False


def _mark(found_key: str) -> None:
    try:
        folder = cache_dir() / FOLDER
        folder.mkdir(exist_ok=True)
        path = folder / found_key
        if path.exists():
            return
        write_atomic(path, b"")
        cutoff = time.time() - KEEP_DAYS * 86400
        for old in folder.iterdir():
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
    except OSError:  # a cache that cannot be written costs time, not correctness
        pass
