"""A notebook cannot change what the next one reports: hostile notebooks before notebook 01 in one batch.

Notebooks outside the suite run on a kernel of their own (through the real command), and a
known notebook that changes the warm kernel anyway (vouched for through the Python API, as a
suite notebook with a bug would be) gets the kernel retired. Either way 01's saved report
holds the true figures of ``data/response_rates.csv``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from test_report import write_notebook

from helpers.data.tables import load
from helpers.render.page import read_payloads
from helpers.run import execute as run_exec
from helpers.run import plan as run_plan
from helpers.run.isolation import file_digest, known_digest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.notebooks

# Replaces helpers' load (views imported later would bind it), edits the cached 01 view in place,
# and changes pandas options, warnings filters and the thread count: all state a warm kernel keeps.
HOSTILE = """\
import helpers.data, helpers.data.tables as tables, pandas as pd, threading, time, warnings
from helpers.views import view
_real = tables.load
def load(name, *args, **kwargs):
    frame = _real(name, *args, **kwargs)
    if name == "response_rates":
        frame = frame.copy()
        frame["value_low"] = frame["value_high"] = 100.0
    return frame
tables.load = helpers.data.load = load
rows = view("01_response_rates").rows
rows["value_low"] = rows["value_high"] = 100.0
pd.set_option("display.max_rows", 3)
warnings.simplefilter("ignore")
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
"""
# Only edits the cached view's rows: nothing an identity check sees; the reset rebuilds the caches.
EDITS_CACHE = """\
from helpers.views import view
rows = view("01_response_rates").rows
rows["value_low"] = rows["value_high"] = 100.0
"""


def reported_rows(page: Path) -> dict[str, tuple[float, float]]:
    """id -> (value_low, value_high) of every row the saved report's view holds."""
    (payload,) = read_payloads(page.read_text("utf-8"))
    return {r["id"]: (r["value_low"], r["value_high"]) for r in payload["rows"]}


def true_rows() -> dict[str, tuple[float, float]]:
    table = load("response_rates")
    return {r.id: (r.value_low, r.value_high) for r in table.itertuples()}


def test_only_the_committed_suite_notebooks_may_share_a_kernel(tmp_path):
    suite = ROOT / "notebooks" / "01_response_rates.ipynb"
    assert known_digest(suite) == file_digest(suite) is not None
    copy = tmp_path / "01_response_rates.ipynb"
    copy.write_bytes(suite.read_bytes())
    assert known_digest(copy) is None  # same code, but not the suite's file
    link = tmp_path / "notebooks"
    link.symlink_to(tmp_path)
    assert known_digest(link / "01_response_rates.ipynb") is None


def test_a_hostile_notebook_outside_the_suite_cannot_change_what_01_reports(tmp_path):
    (tmp_path / "src").mkdir()
    hostile = write_notebook(tmp_path / "src" / "hostile.ipynb", HOSTILE)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(run_exec.REPORT_ENV, None)
    command = [sys.executable, "-m", "helpers.report", str(hostile), "01", "--jobs", "1", "--out", str(out), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert reported_rows(out / "01_response_rates__default.html") == true_rows()
    lines = done.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("hostile "))
    assert lines[at + 1].startswith("    note: not one of the suite's notebooks as committed"), done.stdout
    assert "it ran on a new kernel, shut down after it" in lines[at + 1]


def test_a_known_notebook_that_changes_the_warm_kernel_retires_it(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    hostile = write_notebook(src / "hostile.ipynb", HOSTILE)
    edits = write_notebook(src / "edits_cache.ipynb", EDITS_CACHE)
    runs = run_plan.plan_runs(["01"], {"first": {"01": {}}, "second": {"01": {}}}, out)
    assert all(t.warm_digest for t in runs)  # the suite's own notebook, as committed: warm
    [edits_task] = run_plan.plan_runs([str(edits)], out_dir=out)
    [hostile_task] = run_plan.plan_runs([str(hostile)], out_dir=out)
    vouched = [replace(t, warm_digest=file_digest(t.source)) for t in (edits_task, hostile_task)]
    results = run_exec.run_tasks([vouched[0], runs[0], vouched[1], runs[1]], jobs=1, progress=False)
    assert all(r.ok for r in results), [r.error for r in results]
    edited, first, tampered, second = results
    assert not [n for n in edited.notes if "retired" in n]  # nothing an identity check sees changed...
    assert reported_rows(out / f"{first.run_name}.html") == true_rows()  # ...and the reset rebuilt the view
    [retired] = [n for n in tampered.notes if "retired" in n]
    assert retired.startswith("the kernel was retired after this run, not reused: its state differed")
    for change in ("helpers.data.tables.load", "pandas display.max_rows", "warnings filters", "threads "):
        assert change in retired, retired
    assert reported_rows(out / f"{second.run_name}.html") == true_rows()


def test_a_library_first_imported_by_a_notebook_is_kept_as_it_was_then_and_a_later_change_retires(tmp_path):
    """The warm-up leaves Altair out (a report builds its views from the spec cache); a notebook that imports
    it is no difference, and its functions as that notebook left them are the state a later notebook is held
    to: one that replaces ``altair.Chart`` retires the kernel, as it would a function loaded at the warm-up."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    probe = write_notebook(src / "probe.ipynb", "import sys\nprint('altair loaded:', 'altair' in sys.modules)")
    imports = write_notebook(src / "imports.ipynb", "import altair\nprint(altair.__name__)")
    swaps = write_notebook(src / "swaps.ipynb", "import altair\naltair.Chart = dict")
    tasks = [t for nb in (probe, imports, swaps) for t in run_plan.plan_runs([str(nb)], out_dir=out)]
    vouched = [replace(t, warm_digest=file_digest(t.source)) for t in tasks]
    results = run_exec.run_tasks(vouched, jobs=1, progress=False)
    assert all(r.ok for r in results), [r.error for r in results]
    probed, imported, swapped = results
    executed = nbformat.read(out / f"{probed.run_name}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "altair loaded: False" in printed, printed
    assert not [n for n in probed.notes + imported.notes if "retired" in n], probed.notes + imported.notes
    [retired] = [n for n in swapped.notes if "retired" in n]
    assert "altair.Chart" in retired and "replaced" in retired, retired
