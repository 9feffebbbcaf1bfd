"""SIGTERM, SIGHUP and Ctrl-C stop a report run cleanly: tested on the real command and real signals.

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


def start(tmp_path: Path, count: int, *extra: str, new_session: bool = False, tmpdir: Path | None = None):
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
    paths.insert(0, "00")  # a suite notebook: the workers keep a warm kernel (the others get their own)
    marker = uuid.uuid4().hex
    env = {**os.environ, MARKER: marker, "PYTHONPATH": str(ROOT)}
    if tmpdir is not None:  # the run's /tmp/ketamine-run-* folder goes here, away from other runs
        env["TMPDIR"] = str(tmpdir)
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
        if proc.poll() is not None:  # say why: the summary names the failed run
            said = [(out.parent / n).read_text(errors="replace")[-2000:] for n in ("stdout.txt", "stderr.txt")]
            pytest.fail(f"the run ended (exit {proc.returncode}) before it could be interrupted:\n" + "\n".join(said))
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
    stopped_ns = time.time_ns()
    time.sleep(3)  # runs that were queued must not start later either
    # A run a worker had taken just before the signal may open its first cell a few ms after it
    # (the kernel was already on its way): at most one per worker (--jobs 2). Nothing starts later.
    late_starts = [p.name for p in started.iterdir() if p.stat().st_mtime_ns >= signalled_ns]
    assert len(late_starts) <= 2, f"runs started after the signal: {late_starts}"
    assert all(p.stat().st_mtime_ns < stopped_ns for p in started.iterdir())
    assert len(list(started.iterdir())) < 6
    assert marked(marker) == []


@pytest.mark.parametrize(
    ("kernels", "signum", "status"),
    [("warm", signal.SIGTERM, 143), ("fresh", signal.SIGTERM, 143), ("warm", signal.SIGHUP, 129)],
)
def test_sigterm_or_sighup_stops_every_worker_and_kernel_and_writes_nothing_after(tmp_path, kernels, signum, status):
    extra = ("--fresh-kernels",) if kernels == "fresh" else ()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc, marker, out, started = start(tmp_path, RUNS, *extra, tmpdir=scratch)
    try:
        wait_for_a_report(out, proc)
        signalled = time.time_ns()
        proc.send_signal(signum)
        check_stopped(tmp_path, proc, marker, out, started, signalled, status, signal.Signals(signum).name)
        assert list(scratch.iterdir()) == []  # the run's temporary folder is gone too
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_next_run_removes_what_a_killed_run_left_and_only_that(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc, marker, out, _ = start(tmp_path, RUNS, tmpdir=scratch)
    try:
        wait_for_a_report(out, proc)
        proc.send_signal(signal.SIGKILL)  # no chance to clean up
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = [p.name for p in scratch.iterdir()]
    assert left and all(name.startswith(f"ketamine-run-{proc.pid}-") for name in left), left
    deadline = time.monotonic() + 60  # hang guard: the workers die with the runner, the kernels after them
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    # a hidden temporary of a dead writer, one of a live writer (this test), one of a run from before pids
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = out / f".n0__default.{dead.stdout.strip()}-0123abcd.tmp.ipynb"
    live = out / f".n1__default.{os.getpid()}-0123abcd.tmp.html"
    old_style = out / ".n2__default.89abcdef.tmp.ipynb"
    for path in (orphan, live, old_style):
        path.write_text("{}", encoding="utf-8")
    tiny = write_notebook(tmp_path / "later.ipynb", "x = 1")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "helpers.report", str(tiny), "--out", str(out), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(scratch.iterdir()) == []  # the killed run's folder and this run's own
    assert not orphan.exists() and live.exists()
    # no other report run is alive on this machine only if no other test process runs one: not asserted
    live.unlink()


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
