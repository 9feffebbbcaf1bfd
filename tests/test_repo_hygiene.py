"""Following the README leaves nothing untracked: every output folder and class file it names is ignored."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def tracked(path: str) -> bool:
    done = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True)
    return done.returncode == 0


def ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT).returncode == 0


def test_every_output_and_params_file_the_readme_names_is_ignored_by_git():
    # an upper-case word (--out DIR) is a placeholder, not a folder the guide writes
    outs = {m.rstrip("/") + "/x.html" for m in re.findall(r"--out\s+([\w./-]+)", README) if not m.isupper()}
    params = {m for m in re.findall(r"--params-file\s+([\w./-]+\.ya?ml)", README) if not tracked(m)}
    named = outs | params | {"site/index.html", "reports/01_response_rates__default.html"}
    assert {"handouts/x.html", "my_class.yaml"} <= named, named  # the teacher's guide is still read
    assert [p for p in sorted(named) if not ignored(p)] == []


def test_the_readme_calls_the_nbconvert_exporter_from_the_venv():
    calls = re.findall(r"([^\s`]*jupyter) nbconvert --to ketamine_report", README)
    assert calls and all(c == ".venv/bin/jupyter" for c in calls), calls


def test_the_readme_nbconvert_command_writes_the_offline_page(tmp_path):
    """The command exactly as the README gives it, run from the venv, on a small notebook."""
    import sys

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A title\n\nText.")]
    nbformat.write(nb, tmp_path / "run.ipynb")
    jupyter = Path(sys.executable).parent / "jupyter"
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "ketamine_report", "run.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "run.html").read_text(encoding="utf-8")
    assert "Educational use only, not medical advice." in page and "<h1" in page and "A title" in page
