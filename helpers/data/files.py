"""Read a table's bytes only from a regular file inside the data folder, and only so many.

A table file that is not a regular file used to be read as one: a symbolic link to ``/etc/passwd``
put that file's first line in the error message, a folder raised a bare IsADirectoryError,
``/dev/zero`` ran out of memory and a FIFO hung. Each is now refused by name before a byte is
read: the type is checked with ``stat`` (which never blocks), then the file is opened
non-blocking and checked again on the open descriptor (it cannot be swapped in between).
"""

from __future__ import annotations

import os
from pathlib import Path

from helpers.paths import NotRegularFile, read_regular

# The largest table today is ~60 kB and a 100,000-row generated one ~30 MB; beyond this a file is
# not a table someone wrote, and reading it whole would only exhaust memory.
MAX_TABLE_BYTES = 256 * 1024 * 1024


class Refused(Exception):
    """A data file that is not read: ``rule`` and ``message`` say why (the file's content never)."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule, self.message = rule, message


def _not_regular(path: Path, kind: str) -> Refused:
    return Refused(
        "not-a-file",
        f"{path.name} is {kind}, not a regular file; a table must be a CSV file in the data folder",
    )


def read_data_file(path: Path, data_dir: Path, limit: int = MAX_TABLE_BYTES) -> bytes:
    """The bytes of ``path``, a regular file inside ``data_dir`` (symbolic links are followed only
    when they stay inside it), or :class:`Refused` saying what it is instead."""
    real = Path(os.path.realpath(path))
    folder = Path(os.path.realpath(data_dir))
    if folder not in real.parents:
        # the link's target is named, never read: the message must not show another file's content
        raise Refused(
            "outside-data-folder",
            f"{path.name} is a symbolic link to {real}, outside the data folder {folder}; "
            "a table must be a file inside the data folder (copy it there instead of linking)",
        )
    try:
        content = read_regular(real, limit, follow_links=False)
    except NotRegularFile as error:
        raise _not_regular(path, error.kind) from None
    except FileNotFoundError:
        raise Refused("missing-file", f"no file {path.name} in {folder}") from None
    except PermissionError:
        raise Refused("unreadable", f"{path.name} cannot be read (permission denied)") from None
    if len(content) > limit:
        raise Refused(
            "file-too-large",
            f"{path.name} is larger than {limit:,} bytes, far more than any table; is it the right file?",
        )
    return content
