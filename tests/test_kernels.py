"""Warm kernels for report batches: one kernel reused, a clean namespace per notebook, papermill's semantics kept."""

from __future__ import annotations

import json

import nbformat
import pytest
from test_report import write_notebook

from helpers.run import execute as run_exec
from helpers.run import plan as run_plan

pytestmark = pytest.mark.notebooks


def batch(tmp_path, *extra):
    """Three notebooks on one worker: the first leaves state behind, the next two look for it."""
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    leaves = write_notebook(
        src / "a_leaves.ipynb",
        "import os\nsecret = 42\nos.environ['KETAMINE_LEFTOVER'] = '1'\nos.chdir('/')\nimport sys\n"
        "sys.path.insert(0, '/nowhere')",
        "import json\nprint(json.dumps({'pid': os.getpid()}))",
    )
    looks = [
        write_notebook(
            src / f"{name}.ipynb",
            "import os, sys, json\n"
            "state = {'pid': os.getpid(), 'leaked': [n for n in ('secret',) if n in globals()],\n"
            "         'env': os.environ.get('KETAMINE_LEFTOVER'), 'cwd': os.getcwd(), 'path': '/nowhere' in sys.path,\n"
            "         'report': os.environ.get('KETAMINE_REPORT')}\n"
            "print(json.dumps(state))",
        )
        for name in ("b_looks", "c_looks")
    ]
    results = run_exec.run_reports([str(leaves), *map(str, looks)], out_dir=out, jobs=1, progress=False, **extra[0])
    assert all(r.ok for r in results), [r.error for r in results]
    states = []
    for name in ("a_leaves", "b_looks", "c_looks"):
        nb = nbformat.read(out / f"{name}__default.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
        states.append((json.loads(text.strip().splitlines()[-1]), nb))
    return src, states


def test_a_variable_set_in_one_notebook_is_not_visible_in_the_next(tmp_path):
    src, states = batch(tmp_path, {})
    (first, _), *rest = states
    for state, nb in rest:
        assert state["leaked"] == []
        assert state["env"] is None and state["path"] is False  # environment and sys.path restored
        assert state["cwd"] == str(src)  # each notebook runs in its own folder
        assert state["report"] == "1"
        assert state["pid"] == first["pid"]  # the same warm kernel ran all three
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == [1], counts  # the execution count starts again as in a new kernel


def test_fresh_kernels_give_every_notebook_its_own_kernel(tmp_path):
    src, states = batch(tmp_path, {"fresh_kernels": True})
    pids = {state["pid"] for state, _ in states}
    assert len(pids) == 3
    assert all(state["leaked"] == [] and state["cwd"] == str(src) for state, _ in states[1:])


def test_warm_runs_keep_papermills_parameters_and_error_cells(tmp_path):
    out = tmp_path / "out"
    src = tmp_path / "src"
    src.mkdir()
    bad = write_notebook(src / "bad.ipynb", "x = 1", "raise ValueError('on a warm kernel')")
    ok, failed = run_exec.run_tasks(
        run_plan.plan_runs(["06"], out_dir=out, overrides={"year_from": 1990})
        + run_plan.plan_runs([str(bad)], out_dir=out),
        jobs=1,
        progress=False,
    )
    assert ok.ok, ok.error
    nb = nbformat.read(out / f"{ok.run_name}.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "year_from = 1990" in injected[0].source
    assert nb.metadata["papermill"]["parameters"] == ok.params
    assert failed.error.startswith("cell 2: ValueError: on a warm kernel")
    partial = nbformat.read(out / "bad__default.FAILED.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in partial.cells)
