"""Kernels for report runs: started once per worker, warmed up, and reset between notebooks.

A report batch pays the suite's imports (pandas, altair, ipywidgets: seconds) once per
kernel instead of once per notebook. Each notebook still gets papermill's semantics,
because it runs through ``papermill.execute_notebook`` (injected parameters cell, error
cell, executed notebook saved) on the :class:`KeptKernelEngine`, which is papermill's
nbclient engine with a kernel manager that outlives one notebook.

Between two notebooks the kernel is put back to a clean state (:func:`prepare`): the
working directory, ``os.environ`` and ``sys.path`` as they were after the warm-up, and
IPython's ``reset(new_session=True)``, which empties the user namespace and restarts the
execution count. Imported modules stay: that is the point. A kernel that timed out or
died is replaced by a new one. ``--fresh-kernels`` starts a new kernel for every notebook.

Kernels talk over IPC sockets in a private temporary folder: no TCP port is opened, and
ipykernel has no reason to print its "running over TCP without encryption" warning.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from helpers.paths import ROOT
from helpers.render.papermill_cells import is_papermill_cell

ENGINE_NAME = "ketamine-kept-kernel"
WARM_MODULES = ("helpers.explore", "helpers.models.claims", "helpers.models.simulator")


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
        # notebook_complete, which papermill calls after this method also when a cell fails.
        save = nb_man.save
        nb_man.save = _no_save
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
            return client.execute()
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
        run_sync(self.kc.wait_for_ready)(timeout=60)
        self.kc.allow_stdin = False
        self.used = False
        if self.warm:
            self._run(f"__import__('helpers.run.warmup').run.warmup.warm_up({list(WARM_MODULES)!r})")
        return self

    def _run(self, code: str, timeout: float = 300) -> None:
        """Run ``code`` silently in the kernel; RuntimeError with the kernel's traceback if it fails."""
        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=_drop
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def prepare(self, cwd: str | Path, env: dict[str, str] | None = None) -> None:
        """Make the kernel ready for the next notebook: a clean namespace in ``cwd``, ``env`` set on top.

        A new kernel is started instead when this one is dead, or when it is not warm
        (then it starts with ``env`` in its environment).
        """
        if not self.warm:
            self.shutdown()
            with _environ(env or {}):
                self.start(cwd)
        elif not self.alive():
            self.shutdown()
            self.start(cwd)
        if self.warm:
            self._run(f"__import__('helpers.run.warmup').run.warmup.prepare({str(cwd)!r}, {dict(env or {})!r})")
        self.used = True

    def shutdown(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None
        if self.km is None:
            return
        try:
            if self.km.has_kernel:
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


def _no_save(**_kwargs: Any) -> None:
    """papermill's intermediate saves, skipped (see KeptKernelEngine)."""


def _drop(_msg: Any) -> None:
    """Output of set-up code is not shown anywhere."""


def run_notebook(
    kernel: Kernel, source: str, output: str, params: dict, timeout: int | None, env: dict[str, str] | None = None
) -> Any:
    """Execute ``source`` into ``output`` with papermill on ``kernel`` (prepared first); returns the notebook.

    ``env`` is set in the kernel's environment for this notebook only.
    """
    import papermill

    cwd = str(Path(source).parent)
    kernel.prepare(cwd, env)
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


__all__ = ["CellStopped", "Kernel", "KeptKernelEngine", "run_notebook", "source_cell_index"]
