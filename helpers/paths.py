"""Where things are: the project's folders, the cache folder, and files written whole, then renamed.

A reader (a browser, another kernel, the next run) never sees half a file: the content goes to
a temporary name beside the target, and ``os.replace`` swaps it in. Standard library only, so
report kernels and workers import it for nothing.
"""

from __future__ import annotations

import os
import stat
import uuid
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
NOTEBOOK_DIR = ROOT / "notebooks"


class CacheDirError(PermissionError):
    """The cache folder exists but is not private to this user, so nothing in it can be trusted.

    A PermissionError (an OSError): code that treats a cache it cannot write as a miss goes on
    without the cache; anything else stops with this message."""


def cache_dir() -> Path:
    """Where the Vega bundle, the JavaScript bundles, the view specs and the tables' verdicts are kept:
    ``$XDG_CACHE_HOME/ketamine-evidence`` (or ``~/.cache/...``), created with mode 0700.

    The cache holds code that reports embed and run, so it must be private. A folder that is a
    symbolic link, belongs to another user, or that the group or others may write is refused with
    :class:`CacheDirError` rather than used or silently replaced: its files may have been planted.
    There is no fallback to a shared temporary folder.
    """
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ketamine-evidence"
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)  # mode is applied under the umask, which can only remove bits
    except FileExistsError:
        pass
    info = os.lstat(folder)
    problem = (
        "is a symbolic link"
        if stat.S_ISLNK(info.st_mode)
        else "is not a folder"
        if not stat.S_ISDIR(info.st_mode)
        else f"belongs to user id {info.st_uid}, not to you ({os.getuid()})"
        if info.st_uid != os.getuid()
        else f"can be written by {'others' if info.st_mode & 0o002 else 'its group'} (mode {info.st_mode & 0o777:o})"
        if info.st_mode & 0o022
        else None
    )
    if problem:
        raise CacheDirError(
            f"cache folder {folder} {problem}; its files could have been planted, so it is not used. "
            f"Remove it (rm -r {folder}) to have a private one made, or set XDG_CACHE_HOME to a folder of your own"
        )
    return folder


FALSE_WORDS = frozenset({"0", "false", "off", "no", ""})
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})


@cache
def installed_version(package: str) -> str | None:
    """The installed version of ``package`` (its distribution name), None when it is not installed.

    Part of every cache key (specs, compiled and drawn charts, bundles, table verdicts). Read from the
    metadata once per process: a lookup scans the installed distributions (a few ms), and importing
    the package instead would cost far more (Altair: 0.4 s)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def env_flag(name: str, default: bool) -> bool:
    """An on/off environment variable: unset is ``default``; 0/false/off/no or empty is off and
    1/true/on/yes on (any case, spaces around ignored); anything else is a ValueError naming them."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in FALSE_WORDS or word in TRUE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(
        f"environment variable {name}={value[:40]!r} is not on or off; "
        "use 1, true, on or yes to turn it on, 0, false, off, no or empty to turn it off"
    )


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


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words (for messages that name it)."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


class NotRegularFile(Exception):
    """A path that names a folder, a FIFO, a device or a socket; ``kind`` says which, in words."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def read_regular(path: str | Path, limit: int, *, follow_links: bool = True) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, so the caller can tell "too large" apart.

    Checked before opening (``stat`` never opens, so a FIFO or a device is refused untouched) and
    again on the open file, which is the file read. Raises FileNotFoundError, PermissionError or
    :class:`NotRegularFile`; the callers (tables, parameter files) word these for their users.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(file_kind(mode))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow_links else os.O_NOFOLLOW)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(file_kind(mode))
        return handle.read(limit + 1)
