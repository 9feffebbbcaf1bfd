"""Kernels for report runs: started once per worker, warmed up, and reset between notebooks.

A report batch pays the suite's imports (pandas, frictionless, IPython: about a second) once
per kernel instead of once per notebook. Each notebook still gets papermill's semantics,
because it runs through ``papermill.execute_notebook`` (injected parameters cell, error
cell, executed notebook saved) on the :class:`KeptKernelEngine`, which is papermill's
nbclient engine with a kernel manager that outlives one notebook.

Between two notebooks the kernel is put back to a clean state (:func:`prepare`): the
working directory, ``os.environ`` and ``sys.path`` as they were after the warm-up, fresh
random seeds, and IPython's ``reset(new_session=True)``, which empties the user namespace
and restarts the execution count. Imported modules stay: that is the point. Only the
suite's own notebooks run on a warm kernel (:mod:`helpers.run.isolation`), and after each
:meth:`Kernel.check` compares the kernel with its state after the warm-up
(:mod:`helpers.run.fingerprint`); a kernel that differs, timed out or died is replaced by
a new one. ``--fresh-kernels`` starts a new kernel for every notebook.

Every wait on a kernel is bounded and watches the kernel's process: a cell by
``--timeout``, the reset by ``--timeout`` (else :data:`RESET_TIMEOUT`), the start and
warm-up by :data:`START_TIMEOUT`. A kernel that dies is noticed within half a second and
named with the step it died in ("the kernel died during the reset after 03_prevalence").

Kernels talk over IPC sockets in a private temporary folder: no TCP port is opened, and
ipykernel has no reason to print its "running over TCP without encryption" warning.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import queue
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from helpers.paths import ROOT
from helpers.render.papermill_cells import is_papermill_cell

ENGINE_NAME = "ketamine-kept-kernel"
# Not Altair: a report builds its views from the spec cache and never imports it (helpers.views.lazy), which
# saved 0.35-0.45 s of every kernel's start. A notebook that builds a view on a cache miss imports it; the
# state check then keeps Altair's functions and options as they were after that notebook (fingerprint.adopted).
WARM_MODULES = ("helpers.explore", "helpers.models.claims", "helpers.models.simulator")
START_TIMEOUT = 120.0  # seconds for a kernel to start and do the warm-up imports (a loaded machine: ~10 s)
RESET_TIMEOUT = 60.0  # seconds for the reset between notebooks without --timeout (it takes ~0.05 s)
_IPC_PATH_MAX = 100  # bytes of a Unix socket's path (sun_path holds 108 with its NUL, less on macOS)
_POLL = 0.5  # seconds between two looks at whether the kernel process is alive
_FINGERPRINT = "__import__('json').dumps(__import__('helpers.run.fingerprint').run.fingerprint.take())"


class KernelStepError(RuntimeError):
    """A step outside the notebook's cells (start, warm-up, reset, state check) that failed, timed out or died."""


class CellStopped(RuntimeError):
    """A cell that did not finish: it timed out, or the kernel died while running it."""

    def __init__(self, cell: int | None, message: str):
        self.cell = cell
        where = f"cell {cell}: " if cell is not None else ""
        super().__init__(f"{where}{message}")


def source_cell_index(nb: Any, index: int) -> int:
    """The index of executed cell ``index`` among the source notebook's cells (papermill's cells skipped)."""
    count = -1
    for cell in nb.cells[: index + 1]:
        if not is_papermill_cell(cell):
            count += 1
    return max(count, 0)


class KeptKernelEngine(NBClientEngine):
    """Papermill's nbclient engine on a kernel manager passed in as ``km``, which it does not shut down.

    A cell that times out or kills the kernel is marked failed in the saved notebook and
    raised as :class:`CellStopped` naming the cell, instead of nbclient's bare
    ``CellTimeoutError``/``DeadKernelError``.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        km=None,
        kc=None,
        **kwargs,
    ):
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        running: list[int] = []
        original_start = nb_man.cell_start

        def cell_start(cell, cell_index=None, **kw):
            running[:] = [cell_index]
            return original_start(cell, cell_index, **kw)

        nb_man.cell_start = cell_start
        # papermill saves the whole notebook at every cell's start and end (14 times for one of ours),
        # and each save JSON-encodes the view's 1 MB output again: 1.0 of 1.5 s of a worker's time per
        # three notebooks, taken from the kernels on 2 cores. The notebook is saved once, by
        # notebook_complete, which papermill calls after this method, when a cell was stopped: papermill's own
        # final write, after this method, then never comes. After a run that ends, that final write is the one
        # save (another 30 ms a notebook).
        save = nb_man.save
        nb_man.save = _no_save
        ended = False
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kc  # the kernel's kept, ready client (None: nbclient makes its own)
        try:
            executed = client.execute()
            ended = True
            return executed
        except (CellTimeoutError, DeadKernelError) as error:
            index = running[0] if running else None
            if isinstance(error, CellTimeoutError):
                message = f"timed out after {execution_timeout} s (--timeout {execution_timeout}); the cell was stopped"
            else:
                message = f"the kernel died while running this cell ({_exit_reason(km)})"
            if index is not None:
                nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=error)
                raise CellStopped(source_cell_index(nb_man.nb, index), message) from None
            raise CellStopped(None, message) from None
        finally:
            if not ended:
                nb_man.save = save
            if kc is None and client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, KeptKernelEngine)


def _exit_reason(km: Any) -> str:
    """'exit code 1', 'killed by signal SIGKILL' or 'exit status unknown' for a kernel manager's process."""
    import signal

    try:
        code = km.provisioner.process.poll() if km is not None and km.provisioner else None
    except Exception:  # noqa: BLE001 - only for a message
        code = None
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Kernel:
    """One IPython kernel owned by a worker, optionally warmed up with the suite's imports."""

    def __init__(self, warm: bool = True, kernel_name: str = "python3"):
        self.warm = warm
        self.kernel_name = kernel_name
        self.km: Any = None
        self.kc: Any = None
        self.used = False
        self._folder: str | None = None
        self.baseline: dict | None = None  # the fingerprint after the warm-up (helpers.run.fingerprint)
        self.last: str | None = None  # the notebook this kernel ran last: named when it dies after it
        self.notes: list[str] = []  # what happened to the kernel, for the run log; taken by the caller
        self._expected: dict = {}

    @property
    def pid(self) -> int | None:
        try:
            return self.km.provisioner.process.pid
        except AttributeError:
            return None

    def alive(self) -> bool:
        return self.km is not None and run_sync(self.km.is_alive)()

    def start(self, cwd: str | Path | None = None) -> Kernel:
        # nbclient needs the asynchronous manager: with a blocking client its cell timeout can never fire
        from jupyter_client import AsyncKernelManager

        self._folder = tempfile.mkdtemp(prefix="kr-")  # short path: IPC socket names are limited to ~100 bytes
        if len(os.path.join(self._folder, "k-ipc-4").encode()) > _IPC_PATH_MAX:  # a long $TMPDIR
            os.rmdir(self._folder)
            self._folder = tempfile.mkdtemp(prefix="kr-", dir="/tmp")
        self.km = AsyncKernelManager(
            kernel_name=self.kernel_name, transport="ipc", connection_file=os.path.join(self._folder, "k.json")
        )
        run_sync(self.km.start_kernel)(
            cwd=str(cwd or Path.cwd()), extra_arguments=["--HistoryManager.hist_file=:memory:"], independent=False
        )
        # One client for the kernel's life, made ready once. A new client per notebook (ours for the
        # reset, papermill's for the cells) paid jupyter_client's wait_for_ready twice, and each ends by
        # waiting 0.2 s for silence on IOPub: 0.3-0.6 s per notebook. Replies and outputs are matched
        # to their request ids, so a message left from the previous notebook is never taken for one.
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            _wait_for_ready(self.kc, START_TIMEOUT)
        except RuntimeError as error:  # "Kernel died before replying to kernel_info", or its timeout
            raise KernelStepError(f"the kernel did not start: {error} ({_exit_reason(self.km)})") from None
        self.kc.allow_stdin = False
        self.used = False
        self.last = None
        if self.warm:
            warm_up = f"__import__('helpers.run.warmup').run.warmup.warm_up({list(WARM_MODULES)!r})"
            self.request(warm_up, "the warm-up", START_TIMEOUT)
            self.baseline = self.fingerprint("the state check after the warm-up", START_TIMEOUT)
        return self

    def request(self, code: str, step: str, timeout: float, expressions: dict | None = None) -> dict:
        """Run ``code`` silently; the reply's content. Bounded by ``timeout`` and by the kernel's life.

        Raises :class:`KernelStepError` naming ``step`` when the code fails, the time runs
        out, or the kernel's process ends (checked every half second, so a dead kernel
        never makes anyone wait for the timeout).
        """
        if self.kc is None:
            raise KernelStepError(f"no kernel for {step}")
        deadline = time.monotonic() + timeout
        msg_id = self.kc.execute(code, silent=True, store_history=False, user_expressions=expressions or {})
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelStepError(f"{step} timed out after {timeout:g} s")
            try:
                reply = run_sync(self.kc.get_shell_msg)(timeout=min(_POLL, left))
            except queue.Empty:
                if not self.alive():
                    raise KernelStepError(f"the kernel died during {step} ({_exit_reason(self.km)})") from None
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelStepError(f"{step} failed: {content.get('ename')}: {content.get('evalue')}")
        return content

    def fingerprint(self, step: str, timeout: float) -> dict:
        """The kernel's shared state now (:func:`helpers.run.fingerprint.take`)."""
        content = self.request("", step, timeout, {"fp": _FINGERPRINT})
        value = content.get("user_expressions", {}).get("fp", {})
        if value.get("status") != "ok":
            raise KernelStepError(f"{step} failed: {value.get('ename')}: {value.get('evalue')}")
        return json.loads(ast.literal_eval(value["data"]["text/plain"]))

    def prepare(
        self,
        cwd: str | Path,
        env: dict[str, str] | None = None,
        timeout: float | None = None,
        notebook: str | None = None,
    ) -> None:
        """Make the kernel ready for ``notebook``: a clean namespace in ``cwd``, ``env`` set on top.

        A new kernel is started instead when this one is dead, or when it is not warm
        (then it starts with ``env`` in its environment). A warm kernel that dies or
        hangs during the reset (bounded by ``timeout``, else :data:`RESET_TIMEOUT`) is
        replaced once, and :attr:`notes` says so; a second failure raises
        :class:`KernelStepError` naming the step and the notebook.
        """
        if not self.warm:
            self.shutdown()
            with _environ(env or {}):
                self.start(cwd)
            self.used = True
            return
        if self.km is not None and not self.alive():
            self.notes.append(
                f"the kernel had died after {self.last or 'its warm-up'} ({_exit_reason(self.km)}); "
                "a new one was started"
            )
            self.shutdown()
        if self.km is None:
            self.start(cwd)
        step = f"the reset after {self.last}" if self.last else f"the reset before {notebook or 'the first notebook'}"
        reset = f"__import__('helpers.run.warmup').run.warmup.prepare({str(cwd)!r}, {dict(env or {})!r})"
        try:
            self.request(reset, step, timeout or RESET_TIMEOUT)
        except KernelStepError as error:
            self.notes.append(f"{error}; a new kernel was started for {notebook or 'the next notebook'}")
            self.shutdown()
            self.start(cwd)
            try:
                self.request(reset, f"the reset before {notebook or 'the next notebook'}", timeout or RESET_TIMEOUT)
            except KernelStepError as again:
                self.shutdown()
                raise KernelStepError(f"{error}; then {again}") from None
        self._expected = {"cwd": str(cwd), "environ": {**(self.baseline or {}).get("environ", {}), **(env or {})}}
        self.used = True

    def check(self, notebook: str, timeout: float | None = None) -> list[str]:
        """After ``notebook``: what differs from the state after the warm-up ([] when nothing does).

        A kernel that dies or hangs during the check counts as differing.
        """
        self.last = notebook
        if not self.warm or self.baseline is None:
            return []
        from helpers.run.fingerprint import adopted, differences

        try:
            now = self.fingerprint(f"the state check after {notebook}", timeout or RESET_TIMEOUT)
        except KernelStepError as error:
            return [str(error)]
        found = differences(self.baseline, now, self._expected)
        if not found:
            self.baseline = adopted(self.baseline, now)
        return found

    def retire(self, why: str) -> None:
        """Shut this kernel down instead of reusing it; the next notebook starts a new one."""
        self.notes.append(why)
        self.shutdown()

    def shutdown(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None
        if self.km is None:
            return
        try:
            if self.km.has_kernel:
                process = getattr(self.km.provisioner, "process", None)
                if process is not None:
                    # Killed (its process group) and reaped here: jupyter_client would find it alive at once
                    # after the signal and poll again 0.1 s later, at the end of every report run.
                    run_sync(self.km.provisioner.kill)()
                    process.wait(timeout=5)
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a dead kernel is fine here
            pass
        finally:
            with contextlib.suppress(Exception):
                run_sync(self.km.cleanup_resources)()
            self.km = None
            if self._folder:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None


@contextlib.contextmanager
def _environ(values: dict[str, str]):
    """``os.environ`` with ``values`` set, for a kernel started inside the block."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait_for_ready(kc: Any, timeout: float) -> None:
    """``kc.wait_for_ready`` without its last step: the kernel answered kernel_info on shell and a message
    came on IOPub (so IOPub is connected; else ask again, as jupyter_client does).

    jupyter_client then drains IOPub until it has been silent for 0.2 s: at every kernel start, with both
    cores idle while each worker waits. Nothing here needs that: every reply and output is matched to its
    request's id, so an earlier message left on IOPub is never taken for a later one's.
    """
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = run_sync(kc.get_shell_msg)(timeout=1)
        except queue.Empty:
            reply = None
        # Any kernel_info reply: a kernel slower than 1 s to start answers the first request while the
        # loop has sent the next, so a reply matched to the latest request would always be one behind.
        if reply is not None and reply.get("msg_type") == "kernel_info_reply":
            try:
                run_sync(kc.get_iopub_msg)(timeout=0.2)
            except queue.Empty:
                pass  # IOPub not connected yet: the kernel's status for this request was lost; ask again
            else:
                kc._handle_kernel_info_reply(reply)
                return
        if not run_sync(kc.is_alive)():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def _no_save(**_kwargs: Any) -> None:
    """papermill's intermediate saves, skipped (see KeptKernelEngine)."""


def run_notebook(
    kernel: Kernel, source: str, output: str, params: dict, timeout: int | None, env: dict[str, str] | None = None
) -> Any:
    """Execute ``source`` into ``output`` with papermill on ``kernel`` (prepared first); returns the notebook.

    ``env`` is set in the kernel's environment for this notebook only. ``timeout`` bounds
    each cell and the reset before the notebook.
    """
    import papermill

    cwd = str(Path(source).parent)
    kernel.prepare(cwd, env, timeout, Path(source).stem)
    kernel.last = Path(source).stem
    return papermill.execute_notebook(
        source,
        output,
        parameters=params,
        engine_name=ENGINE_NAME,
        km=kernel.km,
        kc=kernel.kc,
        kernel_name=kernel.kernel_name,
        cwd=cwd,
        progress_bar=False,
        log_output=False,
        execution_timeout=timeout,
    )


def python_path() -> str:
    """PYTHONPATH for kernels: the suite's folder first, so kernels import this checkout's helpers."""
    root = str(ROOT)
    return os.pathsep.join(dict.fromkeys(filter(None, [root, *os.environ.get("PYTHONPATH", "").split(os.pathsep)])))


__all__ = ["CellStopped", "Kernel", "KernelStepError", "KeptKernelEngine", "run_notebook", "source_cell_index"]
