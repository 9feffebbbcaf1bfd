"""Temporary files of report runs that were killed: found by their owner's pid, removed at the next run.

A run writes two kinds of temporary files: its pool's folder ``<tmp>/ketamine-run-<pid>-*``
(the workers' and kernels' scratch space) and, beside its outputs, hidden
``.<run>.<pid>-<hex>.tmp.*`` files that are renamed over the reports once complete. A
SIGKILL (or a machine that lost power) leaves them behind. Each name carries the pid of
the process that writes it, so the next run removes exactly those whose owner is dead
and never a concurrent run's. Names from before the pid was recorded are removed only
when no other report run is alive on this machine.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

POOL_PREFIX = "ketamine-run-"
_POOL_NAME = re.compile(rf"{POOL_PREFIX}(?:(\d+)-)?[A-Za-z0-9_]+")
_TMP_NAME = re.compile(r"\.(?:.+\.)?(?:(\d+)-)?[0-9a-f]{8}\.tmp(?:\.[A-Za-z]+)?")


def temp_tag() -> str:
    """``<pid>-<8 hex>``: the part of a temporary name that says who writes it."""
    return f"{os.getpid()}-{os.urandom(4).hex()}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _orphaned(pid_text: str | None, others_alive: bool) -> bool:
    if pid_text is None:  # an older runner's name without a pid
        return not others_alive
    pid = int(pid_text)
    return pid != os.getpid() and not pid_alive(pid)


def other_runners_alive(marker_env: str, own_marker: str | None = None) -> bool:
    """True when a process other than ours carries a report run's marker (a worker or kernel of another run)."""
    import psutil

    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        with contextlib.suppress(psutil.Error, OSError):
            value = proc.environ().get(marker_env)
            if value and value != own_marker:
                return True
    return False


def remove_orphans(out_dirs: Iterable[str | Path], marker_env: str, own_marker: str | None = None) -> list[Path]:
    """Remove the pool folders and hidden output temporaries of dead runs; returns what was removed."""
    removed: list[Path] = []
    others: bool | None = None

    def orphaned(pid_text: str | None) -> bool:
        nonlocal others
        if pid_text is None and others is None:
            others = other_runners_alive(marker_env, own_marker)
        return _orphaned(pid_text, bool(others))

    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for folder in root.glob(f"{POOL_PREFIX}*"):
            match = _POOL_NAME.fullmatch(folder.name)
            if match and folder.is_dir() and not folder.is_symlink() and orphaned(match[1]):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    for out in dict.fromkeys(Path(d) for d in out_dirs):
        with contextlib.suppress(OSError):
            folders = [out, *(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())] if out.is_dir() else []
            for folder in folders:
                for path in folder.glob(".*.tmp*"):
                    match = _TMP_NAME.fullmatch(path.name)
                    if match and path.is_file() and orphaned(match[1]):
                        path.unlink(missing_ok=True)
                        removed.append(path)
    return removed
