"""A run's .ipynb and .html are replaced together or not at all: a real full disk (a small tmpfs).

Mounting needs root; elsewhere the test is skipped, saying why. The second run's notebook
fits on the disk and its report does not, which left a new .ipynb beside the old .html.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from test_report import write_notebook

from helpers.run import execute as run_exec

pytestmark = pytest.mark.notebooks
# '<' is 1 byte in the notebook's JSON and 4 in the page's HTML (&lt;): the report is the larger file
PRINTS = "print({version!r} + '<' * 150_000)"


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs (a disk that fills up) needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def run(source: Path, out: Path):
    [result] = run_exec.run_reports([str(source)], out_dir=out, jobs=1, progress=False)
    return result


def test_a_full_disk_leaves_the_previous_pair_and_says_why(tmp_path, small_disk):
    src, out = tmp_path / "src", small_disk / "out"
    src.mkdir()
    source = write_notebook(src / "lesson.ipynb", PRINTS.format(version="first"))
    first = run(source, out)
    assert first.ok, first.error
    notebook, page = out / "lesson__default.ipynb", out / "lesson__default.html"
    before = {p: p.read_bytes() for p in (notebook, page)}
    assert len(before[page]) > len(before[notebook]) * 2

    write_notebook(src / "lesson.ipynb", PRINTS.format(version="second"))
    # leave room for the new notebook and half of the new report
    stat = os.statvfs(out)
    free = stat.f_bavail * stat.f_frsize
    room = len(before[notebook]) + (len(before[page]) - len(before[notebook])) // 2
    (small_disk / f"filler-{uuid.uuid4().hex}").write_bytes(b"\0" * max(0, free - room))
    second = run(source, out)

    assert not second.ok
    assert second.error.startswith("the report could not be written (OSError: [Errno 28] No space left on device")
    assert "the previous .ipynb, .html and images were left as they were" in second.error
    assert {p: p.read_bytes() for p in before} == before  # both old: never a new notebook beside an old page
    assert (out / "lesson__default.FAILED.ipynb").is_file()  # the executed notebook is kept, as for any failure
    assert b"second" in (out / "lesson__default.FAILED.ipynb").read_bytes()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
