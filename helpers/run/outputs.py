"""A run's files replaced together or not at all: its .ipynb, its .html and its slide images.

Everything is first written to hidden temporary names beside the targets (a full disk
fails here, with nothing replaced). Then each target is swapped in with ``os.replace``,
after a hard link keeps the previous file; if any swap fails, the swaps already done are
undone from those links, so the folder never holds a new notebook beside an old report.
The temporary names carry the writer's pid (:func:`helpers.run.leftovers.temp_tag`), so a
run killed half-way leaves files the next run can tell are orphaned.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from helpers.run.leftovers import temp_tag


def temp_name(target: Path, tag: str, suffix: str = "") -> Path:
    """``.<name>.<pid>-<hex>.tmp<suffix>`` beside ``target``."""
    return target.with_name(f".{target.name}.{tag}.tmp{suffix}")


def _write(path: Path, content: str | bytes) -> None:
    with open(path, "wb") as sink:
        sink.write(content.encode("utf-8") if isinstance(content, str) else content)
        sink.flush()
        os.fsync(sink.fileno())  # a full disk may only say so here, not at write()


def replace_together(ready: Mapping[Path, Path], contents: Mapping[Path, str | bytes]) -> None:
    """Put every target in place, or none: ``ready`` maps a written temporary file to its target,
    ``contents`` maps further targets to what they must hold (written to temporaries first).

    Raises OSError (the first failure) after undoing what was done; the temporaries are removed
    and every target holds what it held before.
    """
    tag = temp_tag()
    pending = dict(ready)
    try:
        for target, content in contents.items():
            target.parent.mkdir(exist_ok=True)
            tmp = temp_name(target, tag)
            pending[tmp] = target
            _write(tmp, content)
        done: list[tuple[Path, Path, Path | None]] = []  # (temporary, target, the previous file kept) swapped
        try:
            for tmp, target in pending.items():
                kept = None
                if target.exists():
                    kept = temp_name(target, tag, ".old")
                    try:
                        os.link(target, kept)
                    except OSError:  # no hard links here: move it aside (a moment without the file)
                        os.replace(target, kept)
                done.append((tmp, target, kept))
                os.replace(tmp, target)
        except OSError:
            for tmp, target, kept in reversed(done):  # undo: the new file back to its temporary name
                with contextlib.suppress(OSError):
                    if not tmp.exists() and target.exists():
                        os.replace(target, tmp)
                    if kept is not None:
                        os.replace(kept, target)
            raise
        finally:
            for _tmp, _target, kept in done:
                if kept is not None:
                    with contextlib.suppress(OSError):
                        kept.unlink()
    finally:
        for tmp, target in pending.items():
            if tmp not in ready:  # the caller's own temporaries (the executed notebook) stay theirs
                with contextlib.suppress(OSError):
                    tmp.unlink()
            with contextlib.suppress(OSError):
                temp_name(target, tag, ".old").unlink()
