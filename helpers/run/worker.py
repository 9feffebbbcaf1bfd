"""The report worker process, ``python -m helpers.run.worker``: started by :class:`helpers.run.pool.Pool`.

Not a command for people. It keeps one kernel (warm unless ``--fresh-kernels``), reads tasks
as JSON lines on stdin, asks its parent before writing any output, and answers each task
with its :class:`~helpers.run.plan.RunResult` as a JSON line on its own copy of stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict

from helpers.run.execute import REPORT_ENV, execute_run
from helpers.run.plan import NOTEBOOK_DIR, ROOT, RunTask


def _die_with_parent() -> None:
    """Linux: this process gets SIGKILL when its parent dies, even by SIGKILL."""
    import ctypes
    import signal

    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    parent = os.environ.get("KETAMINE_RUNNER_PARENT")
    if parent and str(os.getppid()) != parent:  # the parent died before prctl took effect
        os._exit(1)


def worker_main(argv: Sequence[str]) -> int:
    """Read tasks (JSON lines) on stdin, run each with :func:`execute_run` on this worker's kernel."""
    import faulthandler
    import signal

    _die_with_parent()
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <worker>` writes its stack to the worker's log
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # anything printed by libraries goes to the log, never into the channel
    os.environ[REPORT_ENV] = "1"
    from helpers.run.kernels import Kernel, python_path

    os.environ["PYTHONPATH"] = python_path()
    kernel = Kernel(warm="--fresh-kernels" not in argv)
    if kernel.warm:
        try:
            kernel.start(NOTEBOOK_DIR)
        except Exception as exc:  # noqa: BLE001 - the first run will try again and report it
            print(f"warm-up failed: {exc}", file=sys.stderr)
            kernel.shutdown()
    try:
        for line in sys.stdin:
            message = json.loads(line)
            if message.get("stop"):
                break
            fields = message["task"]
            task = RunTask(
                **{
                    **fields,
                    "formats": tuple(fields["formats"]),
                    "batch": tuple(fields["batch"]),
                    "size": tuple(fields["size"]),
                }
            )

            def gate(run_name: str = task.run_name) -> bool:
                """Ask the parent before writing any output; a stopping parent never answers."""
                channel.write(json.dumps({"commit": run_name}) + "\n")
                return bool(json.loads(sys.stdin.readline() or "{}").get("go"))

            result = execute_run(task, kernel, gate)
            channel.write(json.dumps({"result": asdict(result)}, default=str) + "\n")
    finally:
        kernel.shutdown()
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    status = worker_main(sys.argv[1:])
    # Done: its kernel is shut down and every result sent. The interpreter's own teardown of the
    # libraries a run loaded takes 0.15-0.2 s that the report command would wait for; a pool worker
    # ends without it, as multiprocessing's do.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
