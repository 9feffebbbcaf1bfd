"""Warm kernels for report batches: one kernel reused, a clean namespace per notebook, papermill's semantics kept."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from test_report import write_notebook

from helpers.run import execute as run_exec
from helpers.run import plan as run_plan
from helpers.run.isolation import file_digest

pytestmark = pytest.mark.notebooks


def vouched(*notebooks: Path, out: Path, timeout: int | None = None) -> list:
    """Tasks for these notebooks that may run on a warm kernel, as the suite's committed notebooks do
    (through the Python API only: the command line gives any other notebook a kernel of its own)."""
    tasks = run_plan.plan_runs([str(n) for n in notebooks], out_dir=out, timeout=timeout)
    return [replace(t, warm_digest=file_digest(t.source)) for t in tasks]


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
    results = run_exec.run_tasks(vouched(leaves, *looks, out=out), jobs=1, progress=False, **extra[0])
    assert all(r.ok for r in results), [r.error for r in results]
    states = []
    for name in ("a_leaves", "b_looks", "c_looks"):
        nb = nbformat.read(out / f"{name}__default.ipynb", as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
        states.append((json.loads(text.strip().splitlines()[-1]), nb))
    return src, states, results


def test_a_variable_set_in_one_notebook_is_not_visible_in_the_next(tmp_path):
    src, states, results = batch(tmp_path, {})
    (first, _), *rest = states
    # the first notebook changed the folder and the environment: its kernel is not reused
    [retired] = results[0].notes
    assert retired.startswith("the kernel was retired after this run, not reused: its state differed")
    assert "cwd " in retired and "environment variables added: KETAMINE_LEFTOVER" in retired
    for state, nb in rest:
        assert state["leaked"] == []
        assert state["env"] is None and state["path"] is False  # environment and sys.path restored
        assert state["cwd"] == str(src)  # each notebook runs in its own folder
        assert state["report"] == "1"
        assert state["pid"] != first["pid"]
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == [1], counts  # the execution count starts again as in a new kernel
    assert rest[0][0]["pid"] == rest[1][0]["pid"]  # one warm kernel ran both, reset between them
    assert results[1].notes == results[2].notes == []


def test_fresh_kernels_give_every_notebook_its_own_kernel(tmp_path):
    src, states, _ = batch(tmp_path, {"fresh_kernels": True})
    pids = {state["pid"] for state, _ in states}
    assert len(pids) == 3
    assert all(state["leaked"] == [] and state["cwd"] == str(src) for state, _ in states[1:])


def test_a_notebook_the_suite_does_not_know_gets_a_kernel_of_its_own(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    pids = [
        write_notebook(src / f"{name}.ipynb", "import os, json\nprint(json.dumps({'pid': os.getpid()}))")
        for name in ("one", "two")
    ]
    results = run_exec.run_reports([str(p) for p in pids], out_dir=out, jobs=1, progress=False)
    seen = set()
    for result in results:
        nb = nbformat.read(out / f"{result.run_name}.ipynb", as_version=4)
        seen.add(json.loads(nb.cells[1].outputs[0]["text"])["pid"])
    assert len(seen) == 2


def test_warm_runs_keep_papermills_parameters_and_error_cells(tmp_path):
    out = tmp_path / "out"
    src = tmp_path / "src"
    src.mkdir()
    bad = write_notebook(src / "bad.ipynb", "x = 1", "raise ValueError('on a warm kernel')")
    ok, failed = run_exec.run_tasks(
        run_plan.plan_runs(["06"], out_dir=out, overrides={"year_from": 1990}) + vouched(bad, out=out),
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


# --- every wait is bounded, and a kernel's death names the notebook and the step ----------------------

# An object whose finalizer runs when the reset before the next notebook empties the namespace.
DIES_IN_RESET = (  # what it calls is bound when it is defined: the reset may delete `os` first
    "import os, signal\nclass Bomb:\n    def __del__(self, kill=os.kill, pid=os.getpid(), how=signal.SIGKILL):\n"
    "        kill(pid, how)\nbomb = Bomb()"
)
HANGS_IN_RESET = (
    "import time\nclass Stuck:\n    def __del__(self, sleep=time.sleep):\n        sleep(3600)\nstuck = Stuck()"
)


def test_a_kernel_that_dies_or_hangs_during_the_reset_is_named_and_replaced(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    dies = write_notebook(src / "a_dies_in_reset.ipynb", DIES_IN_RESET)
    hangs = write_notebook(src / "c_hangs_in_reset.ipynb", HANGS_IN_RESET)
    after = [write_notebook(src / f"{n}.ipynb", "import os\nprint(os.getpid())") for n in ("b_after", "d_after")]
    tasks = vouched(dies, after[0], hangs, after[1], out=out, timeout=5)
    results = run_exec.run_tasks(tasks, jobs=1, progress=False)
    assert [r.ok for r in results] == [True] * 4, [r.error for r in results]
    _, b_after, _, d_after = results
    assert b_after.notes == [
        "the kernel died during the reset after a_dies_in_reset (killed by signal SIGKILL); "
        "a new kernel was started for b_after"
    ]
    assert d_after.notes == [
        "the reset after c_hangs_in_reset timed out after 5 s; a new kernel was started for d_after"
    ]


def test_a_kernel_killed_during_a_cell_names_the_cell(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    pid_file = tmp_path / "kernel.pid"
    slow = write_notebook(
        src / "killed.ipynb",
        "x = 1",
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)",
    )
    good = write_notebook(src / "next.ipynb", "print('still fine')")

    def kill_when_started():
        deadline = time.monotonic() + 300  # a hang guard, not a speed check
        while time.monotonic() < deadline:
            if pid_file.exists() and pid_file.read_text():
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_started, daemon=True)
    killer.start()
    killed, after = run_exec.run_tasks(vouched(slow, good, out=out), jobs=1, progress=False)
    killer.join()
    assert killed.error == "cell 2: the kernel died while running this cell (killed by signal SIGKILL)"
    assert (out / "killed__default.FAILED.ipynb").is_file()
    assert after.ok, after.error


def test_a_kernel_slower_than_a_second_to_start_is_still_found_ready(tmp_path, monkeypatch):
    """Under load a kernel takes seconds to answer its first kernel_info; the wait asks again every second,
    so the answer it gets is to an earlier request. It must take that answer, not wait for the latest one
    (which stays one behind until the time runs out: three report runs failed so in a loaded make test)."""
    from helpers.run.kernels import Kernel, _wait_for_ready

    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text("import time\ntime.sleep(2.5)\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(slow), os.environ.get("PYTHONPATH", "")]))
    kernel = Kernel(warm=False)
    started = time.monotonic()
    calls = []

    def timed_wait(kc, timeout):
        calls.append(timeout)
        return _wait_for_ready(kc, 15)  # not the 120 s of START_TIMEOUT: a hang fails in seconds

    monkeypatch.setattr("helpers.run.kernels._wait_for_ready", timed_wait)
    try:
        kernel.start(tmp_path)
        assert calls, "the kernel's start waits with _wait_for_ready"
        assert time.monotonic() - started >= 2.5, "the kernel did take more than a second to boot"
        assert kernel.request("x = 41 + 1", "a request", 30)["status"] == "ok"
        answer = kernel.request("", "a question", 30, {"x": "x"})["user_expressions"]["x"]
        assert answer["data"]["text/plain"] == "42"
    finally:
        kernel.shutdown()
