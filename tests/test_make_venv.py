"""Two `make venv` at once in a fresh clone both succeed, and the venv is built once (issue 21, item 16).

The Makefile's real recipe runs in a scratch folder, with PYTHON naming a stand-in for python3 whose
`-m venv` makes a venv python at once and its pip a second later, as the real one does (that gap is
where the second make found python and failed with "No module named pip"). Nothing is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PYTHON = """#!/bin/sh
# stand-in for python3: `-m venv DIR` makes DIR/bin/python at once, its pip one second later
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$(dirname "$0")/venv-python" "$3/bin/python" && sleep 1 && touch "$3/pip-installed"
fi
"""
VENV_PYTHON = """#!/bin/sh
# stand-in for .venv/bin/python: pip exists only once `-m venv` has finished
venv="$(dirname "$(dirname "$0")")"
if [ "$1 $2" = "-m pip" ]; then
  [ -f "$venv/pip-installed" ] || { echo "No module named pip" >&2; exit 1; }
  echo "pip $*" >> "$venv/calls.log"; sleep 0.3
fi
"""


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("flock") is None, reason="needs make and flock")
def test_two_make_venv_at_once_build_one_venv(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, clone / name)
    tools = tmp_path / "tools"
    tools.mkdir()
    for name, text in (("python3", PYTHON), ("venv-python", VENV_PYTHON)):
        (tools / name).write_text(text)
        (tools / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    makes = [
        subprocess.Popen(
            ["make", "--no-print-directory", "venv", f"PYTHON={tools / 'python3'}"],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [make.communicate(timeout=60)[0] for make in makes]
    assert [make.returncode for make in makes] == [0, 0], outputs
    assert not any("No module named pip" in out for out in outputs), outputs
    assert sum(".venv is ready (built by another make)" in out.splitlines() for out in outputs) == 1, outputs
    calls = (clone / ".venv" / "calls.log").read_text().splitlines()
    assert [c for c in calls if "install" in c] == [
        "pip -m pip install --quiet --upgrade pip",
        "pip -m pip install --quiet -e .[test]",
    ]
    assert (clone / ".venv" / ".installed").exists()
