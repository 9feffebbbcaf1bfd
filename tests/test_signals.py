"""SIGTERM and Ctrl-C stop a report run cleanly: tested on the real command and real signals.

Each test starts ``python -m helpers.report`` on small notebooks that take a few
seconds each, waits until one run has completed, sends the signal the way a ``timeout``,
a CI cancel or a terminal would, and then checks the exit status, the files, the
summary, and that no process of the run is left: every process it started inherits a
marker in its environment, and none may carry it after the command has exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_report import write_notebook

ROOT = Path(__file__).resolve().parent.parent
MARKER = "KETAMINE_TEST_MARKER"
pytestmark = pytest.mark.notebooks


# Enough 3-second runs on 2 workers that some are still queued when the signal comes, even when a loaded
# machine notices the first report late.
RUNS = 12


def marked(marker: str) -> list[str]:
    """Processes (pid and command) whose environment carries MARKER=marker; zombies are gone already."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            if f"{MARKER}={marker}".encode() in environ:
                found.append(f"{entry.name}: {(entry / 'cmdline').read_bytes().replace(bytes(1), b' ').decode()[:100]}")
        except OSError:
            continue
    return found


def start(tmp_path: Path, count: int, *extra: str, new_session: bool = False):
    """The report command on ``count`` notebooks of ~3 s each; returns (process, marker, out, started)."""
    sources, out, started = tmp_path / "src", tmp_path / "out", tmp_path / "started"
    sources.mkdir()
    started.mkdir()
    paths = [
        str(
            write_notebook(
                sources / f"n{i}.ipynb",
                f"open({str(started / f'n{i}')!r}, 'w').close()",  # the run has started
                "import time\ntime.sleep(3)",
                f"print('notebook {i} done')",
            )
        )
        for i in range(count)
    ]
    marker = uuid.uuid4().hex
    env = {**os.environ, MARKER: marker, "PYTHONPATH": str(ROOT)}
    env.pop("KETAMINE_REPORT", None)
    command = [sys.executable, "-m", "helpers.report", *paths, "--out", str(out), "--jobs", "2", "--quiet", *extra]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "stdout.txt", "wb"),  # noqa: SIM115 - closed with the process
        stderr=open(tmp_path / "stderr.txt", "wb"),  # noqa: SIM115
        start_new_session=new_session,
    )
    return proc, marker, out, started


def wait_for_a_report(out: Path, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not list(out.glob("*.html")):
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no run completed in time"
        time.sleep(0.1)


def check_stopped(tmp_path, proc, marker, out, started, signalled_ns, status, name):
    try:
        code = proc.wait(timeout=120)  # a hang guard, not a speed check
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"the report command did not exit after {name}")
    left = marked(marker)
    stdout = (tmp_path / "stdout.txt").read_text(encoding="utf-8")
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert code == status, stdout + stderr
    assert left == [], f"processes outlived the report command: {left}"
    assert "Traceback" not in stderr, stderr
    assert f"Stopped by {name}" in stdout
    reports = sorted(p.name for p in out.iterdir())
    late = [p.name for p in out.iterdir() if p.stat().st_mtime_ns > signalled_ns]
    assert late == [], f"written after the signal: {late}"
    assert not [n for n in reports if n.startswith(".")], f"temporary files left: {reports}"
    completed = [p.stem.split("__")[0] for p in out.glob("*.html")]
    assert completed, "at least one run had completed before the signal"
    for name_ in completed:
        assert f"{name_}  " in stdout, f"the summary does not list the completed run {name_}:\n{stdout}"
    assert "not started (" in stdout  # RUNS runs on 2 workers: some were still queued
    time.sleep(3)  # runs that were queued must not start later either
    assert all(p.stat().st_mtime_ns < signalled_ns for p in started.iterdir())
    assert len(list(started.iterdir())) < 6
    assert marked(marker) == []


@pytest.mark.parametrize("kernels", ["warm", "fresh"])
def test_sigterm_stops_every_worker_and_kernel_and_writes_nothing_after(tmp_path, kernels):
    extra = ("--fresh-kernels",) if kernels == "fresh" else ()
    proc, marker, out, started = start(tmp_path, RUNS, *extra)
    try:
        wait_for_a_report(out, proc)
        signalled = time.time_ns()
        proc.send_signal(signal.SIGTERM)
        check_stopped(tmp_path, proc, marker, out, started, signalled, 143, "SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_to_the_process_group_stops_promptly_with_a_summary(tmp_path):
    proc, marker, out, started = start(tmp_path, RUNS, new_session=True)
    try:
        wait_for_a_report(out, proc)
        signalled = time.time_ns()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        check_stopped(tmp_path, proc, marker, out, started, signalled, 130, "SIGINT")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
