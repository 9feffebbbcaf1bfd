"""Worker processes for report runs, and the one way they stop: all together, at once.

The report command's process hands runs to ``jobs`` worker processes
(``python -m helpers.run.worker``), each owning one kernel (:mod:`helpers.run.kernels`). It
talks to them with JSON lines over pipes: a task out, a result back.

Stopping is what this module is for. A worker asks before it replaces any output file
and waits for the answer, so once this process has a signal no run starts writing. On
SIGTERM (a ``timeout``, a CI cancel, ``kill``), SIGHUP (the terminal or SSH session closed) or
SIGINT (Ctrl-C reaches the whole process group), :class:`Pool` stops handing out runs and answering, and kills every
worker *first* (SIGKILL), then every kernel, then any process that still carries this run's marker in its
environment (a kernel half-started at that moment). Temporary files of the runs in
flight are removed. The caller gets :class:`RunInterrupted` with the runs that completed.

Workers and their kernels never receive the terminal's SIGINT themselves (their own
session), so only this process decides; if it dies without a chance to clean up
(SIGKILL), each worker dies with it (``PR_SET_PDEATHSIG`` on Linux) and ipykernel
ends a kernel whose parent has gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from helpers.run.leftovers import POOL_PREFIX
from helpers.run.plan import ROOT, RunResult, RunTask

MARKER_ENV = "KETAMINE_RUNNER_ID"  # every worker and kernel of one run carries it
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # SIGHUP: the terminal closed


class RunInterrupted(KeyboardInterrupt):
    """A report run stopped by SIGINT, SIGTERM or SIGHUP: what completed, what was stopped, what never started."""

    def __init__(self, signum: int, results: list[RunResult], stopped: list[RunTask], not_started: list[RunTask]):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.results = results
        self.stopped = stopped
        self.not_started = not_started

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # the shell's convention: 129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM


class _Signal(BaseException):
    def __init__(self, signum: int):
        self.signum = signum


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise ``_Signal`` in the main thread while the block runs (elsewhere: no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame):
        raise _Signal(signum)

    saved = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


@contextlib.contextmanager
def signals_held(record: list[int]) -> Iterator[None]:
    """While cleaning up, a further stop signal is remembered, not raised (the clean-up must finish)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, lambda signum, _f: record.append(signum)) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


def marked_processes(marker: str) -> list[Any]:
    """Every process (psutil.Process) whose environment carries ``MARKER_ENV=marker``."""
    import psutil

    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        with contextlib.suppress(psutil.Error, OSError):
            if proc.environ().get(MARKER_ENV) == marker:
                found.append(proc)
    return found


class _Worker:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc = proc
        self.log = log
        self.task: tuple[int, RunTask] | None = None
        self.dispatched_ns = 0
        self.buffer = b""

    def send(self, message: dict) -> None:
        self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def log_tail(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""


class Pool:
    """``jobs`` worker processes, each with one kernel (warm unless ``fresh_kernels``)."""

    def __init__(self, jobs: int, fresh_kernels: bool = False):
        self.jobs = jobs
        self.fresh_kernels = fresh_kernels
        self.marker = uuid.uuid4().hex
        # the pid in the name: a later run removes this folder if this process was killed (helpers.run.leftovers)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{POOL_PREFIX}{os.getpid()}-"))
        self.workers: list[_Worker] = []
        self.selector = selectors.DefaultSelector()
        self._count = 0

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env[MARKER_ENV] = self.marker
        env["TMPDIR"] = str(self.tmp)  # workers' and kernels' temporary files: removed with this folder
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["KETAMINE_RUNNER_PARENT"] = str(os.getpid())
        env.pop("KETAMINE_REPORT", None)  # the worker sets it for its kernel
        return env

    def start_worker(self) -> _Worker:
        self._count += 1
        log = self.tmp / f"worker-{self._count}.log"
        args = [sys.executable, "-m", "helpers.run.worker"] + (["--fresh-kernels"] if self.fresh_kernels else [])
        with open(log, "wb") as sink:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=sink,
                cwd=ROOT,
                env=self._env(),
                start_new_session=True,  # Ctrl-C reaches this process only; it stops the workers itself
            )
        worker = _Worker(proc, log)
        os.set_blocking(proc.stdout.fileno(), False)
        self.selector.register(proc.stdout, selectors.EVENT_READ, worker)
        self.workers.append(worker)
        return worker

    def messages(self, timeout: float) -> Iterator[tuple[_Worker, dict | None]]:
        """(worker, message) for every complete line the workers wrote; ``None`` when a worker's pipe closed."""
        for key, _ in self.selector.select(timeout):
            worker: _Worker = key.data
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                self.selector.unregister(key.fileobj)
                self.workers.remove(worker)
                worker.proc.wait()
                yield worker, None
                continue
            worker.buffer += chunk
            *lines, worker.buffer = worker.buffer.split(b"\n")
            for line in lines:
                if line.strip():
                    yield worker, json.loads(line)

    def run(
        self, tasks: list[RunTask], on_result: Callable[[int, RunResult], None], results: dict[int, RunResult]
    ) -> None:
        """Run every task on the workers; ``on_result(index, result)`` as each completes."""
        queue = list(enumerate(tasks))
        while len(self.workers) < min(self.jobs, len(tasks)):
            self.start_worker()
        while len(results) < len(tasks):
            for worker in self.workers:
                if worker.task is None and queue:
                    worker.task = queue.pop(0)
                    worker.dispatched_ns = time.time_ns()
                    try:
                        worker.send({"task": asdict(worker.task[1])})
                    except OSError:  # the worker has just died: its pipe's end is reported below
                        queue.insert(0, worker.task)
                        worker.task = None
            for worker, message in list(self.messages(timeout=0.5)):
                if message is None:  # the worker died: its run failed, a new worker takes the rest
                    if worker.task is not None:
                        i, task = worker.task
                        why = worker.log_tail() or f"exit status {worker.proc.returncode}"
                        error = f"the worker process running it exited ({why})"
                        results[i] = RunResult(
                            task.notebook, task.set_name, task.run_name, task.params, "FAILED", 0.0, error=error
                        )
                        on_result(i, results[i])
                    if queue and self._count < len(tasks) + self.jobs:
                        self.start_worker()
                    elif queue and not self.workers:  # workers keep dying: fail the rest, do not loop
                        for i, task in queue:
                            error = f"not run: the worker processes kept exiting ({worker.log_tail() or 'no log'})"
                            results[i] = RunResult(
                                task.notebook, task.set_name, task.run_name, task.params, "FAILED", 0.0, error=error
                            )
                            on_result(i, results[i])
                        queue.clear()
                elif "commit" in message:  # the worker may write its files: no signal so far
                    with contextlib.suppress(OSError):  # a worker that died meanwhile is reported by its pipe
                        worker.send({"go": True})
                elif "result" in message and worker.task is not None:
                    i, _ = worker.task
                    worker.task = None
                    results[i] = RunResult(**message["result"])
                    on_result(i, results[i])
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.send({"stop": True})

    def in_flight(self) -> list[RunTask]:
        return [w.task[1] for w in self.workers if w.task is not None]

    def close(self, grace: float = 20.0) -> None:
        """After a normal end: let the workers shut their kernels down, then make sure nothing is left."""
        deadline = time.monotonic() + grace
        for worker in self.workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        self.kill()

    def kill(self) -> dict[int, RunResult]:
        """Stop everything this pool started, writers first; remove temporary files. Always returns.

        Returns the runs that had completed although their result had not been read yet:
        the result line still in the pipe, or every output file replaced since the run
        was handed out (a worker killed between its last rename and its message).
        """
        import psutil

        procs: list[Any] = []
        for worker in self.workers:  # their kernels, looked up before the workers die and they are orphaned
            with contextlib.suppress(psutil.Error):
                procs += psutil.Process(worker.proc.pid).children(recursive=True)
        for worker in self.workers:  # workers first: they are the only ones writing reports
            with contextlib.suppress(ProcessLookupError, OSError):
                worker.proc.kill()
        for _ in range(3):  # a kernel that was starting when the workers died shows up on a later pass
            procs += marked_processes(self.marker)
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(procs, timeout=5)
            procs = []
            if not marked_processes(self.marker):
                break
            time.sleep(0.2)
        recovered: dict[int, RunResult] = {}
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.proc.wait(timeout=5)
            if worker.task is not None:
                i, task = worker.task
                result = _last_result(worker) or _committed(task, worker.dispatched_ns)
                if result is not None:
                    recovered[i] = result
                    worker.task = None
            for stream in (worker.proc.stdin, worker.proc.stdout):
                with contextlib.suppress(Exception):
                    stream.close()
        for task in self.in_flight():
            remove_partial_files(task)
        self.selector.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return recovered


def _last_result(worker: _Worker) -> RunResult | None:
    """A result line the dead worker wrote that was not read yet."""
    data = worker.buffer
    with contextlib.suppress(OSError, ValueError):
        while chunk := os.read(worker.proc.stdout.fileno(), 65536):
            data += chunk
    for line in reversed(data.split(b"\n")):
        with contextlib.suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict) and "result" in message:
                return RunResult(**message["result"])
    return None


def _committed(task: RunTask, since_ns: int) -> RunResult | None:
    """The run as completed when every output it writes was replaced after ``since_ns``, else None."""
    outputs = [task.path(".ipynb"), task.path(".html")]
    try:
        if all(path.stat().st_mtime_ns >= since_ns for path in outputs):
            result = RunResult(task.notebook, task.set_name, task.run_name, task.params, "ok", 0.0)
            result.outputs = [str(path) for path in outputs]
            return result
    except OSError:
        pass
    return None


def remove_partial_files(task: RunTask) -> None:
    """Remove the temporary files of a stopped run: ``.<run>.*.tmp*`` beside its outputs, ``.*.tmp`` in its charts."""
    for folder, pattern in ((Path(task.out_dir), f".{task.run_name}.*"), (task.chart_dir, ".*.tmp")):
        if folder.is_dir():
            for path in folder.glob(pattern):
                if ".tmp" in path.name:
                    path.unlink(missing_ok=True)
