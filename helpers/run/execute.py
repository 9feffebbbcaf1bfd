"""Executing report runs: one notebook into its files, and many of them on a pool of warm kernels.

:func:`execute_run` runs one :class:`~helpers.run.plan.RunTask` with papermill and writes
its executed notebook and HTML report (written to a temporary name, then renamed), or
its ``*.FAILED.ipynb``; it never raises. :func:`run_tasks` runs many on
:class:`helpers.run.pool.Pool` workers, each reusing one kernel that has done the suite's
imports once (``fresh_kernels=True``: a new kernel per notebook, as papermill does).

How many run at once is :mod:`helpers.run.capacity`, the text summary :mod:`helpers.run.summary`,
and the pool's worker process :mod:`helpers.run.worker`; ``job_limit``, ``summary`` and
``interrupted_summary`` are importable from here too.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from helpers.run.capacity import KERNEL_MEMORY, job_limit, usable_cpus
from helpers.run.plan import DEFAULT_OUT, NOTEBOOK_DIR, RunResult, RunTask, plan_runs
from helpers.run.summary import interrupted_summary, summary

__all__ = [
    "KERNEL_MEMORY",
    "REPORT_ENV",
    "execute_run",
    "interrupted_summary",
    "job_limit",
    "locate_failure",
    "run_reports",
    "run_tasks",
    "summary",
    "usable_cpus",
]

REPORT_ENV = "KETAMINE_REPORT"  # same name as helpers.explore.REPORT_ENV; not imported to keep startup light
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- one run -------------------------------------------------------------------------------------


def locate_failure(nb: Any) -> str | None:
    """``cell N: Exception: message (line: ...)`` for the first failing cell of an executed notebook.

    N counts the cells of the source notebook from 0: papermill's injected
    parameters and its error-marker cells are skipped.
    """
    from helpers.render.papermill_cells import is_papermill_cell

    index = -1
    for cell in nb.cells:
        if is_papermill_cell(cell):
            continue
        index += 1
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        crashed = cell.get("metadata", {}).get("papermill", {}).get("exception") is True
        if errors or crashed:
            if not errors:
                return f"cell {index}: the cell did not finish (kernel died or timed out)"
            output = errors[0]
            where = ""
            for line in output.get("traceback", []):
                arrow = [ln for ln in _ANSI.sub("", line).splitlines() if ln.lstrip().startswith("---->")]
                if arrow:
                    where = arrow[-1].split("---->", 1)[1].strip()
            number = re.match(r"(\d+)\s+(.*)", where)
            detail = f" (line {number[1]}: {number[2]})" if number else f" (line: {where})" if where else ""
            return f"cell {index}: {output.get('ename')}: {output.get('evalue')}{detail}"
    return None


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[Path]:
    """Send this process's stderr (the kernel's and papermill's chatter) to a file during a run."""
    with tempfile.NamedTemporaryFile("w+b", suffix=".log", delete=False) as log:
        path = Path(log.name)
    saved = os.dup(2)
    try:
        with open(path, "wb") as sink:
            sys.stderr.flush()
            os.dup2(sink.fileno(), 2)
            try:
                yield path
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)
        path.unlink(missing_ok=True)


def execute_run(task: RunTask, kernel: Any = None, gate: Any = None) -> RunResult:
    """Run one notebook with papermill and write its files; never raises.

    ``kernel`` is a :class:`helpers.run.kernels.Kernel` to run on (a warm one from the pool);
    without it a new kernel is started for this run and shut down after it. So is it when
    the notebook is not one of the suite's own as committed (``task.warm_digest``, see
    :mod:`helpers.run.isolation`): unknown code never runs on a shared kernel. After a run
    on a warm kernel, the kernel is checked against its state after the warm-up and retired
    when anything differs. The kernel runs with ``KETAMINE_REPORT=1`` and the notebook's
    folder as working directory. ``gate()`` is called once before the first output file is
    replaced: the pool's worker asks its parent there, which never answers once it is stopping.
    """
    start = time.perf_counter()
    import nbformat

    from helpers.paths import write_atomic
    from helpers.render.exporter import notebook_html
    from helpers.render.printed import filter_text
    from helpers.render.slides import slide_images
    from helpers.run.isolation import FRESH_NOTE, file_digest
    from helpers.run.kernels import CellStopped, Kernel, KernelStepError, python_path, run_notebook
    from helpers.run.leftovers import temp_tag
    from helpers.run.outputs import replace_together

    os.environ[REPORT_ENV] = "1"
    os.environ["PYTHONPATH"] = python_path()
    result = RunResult(task.notebook, task.set_name, task.run_name, task.params, "FAILED", 0.0)
    own_kernel = kernel is None or (
        kernel.warm and (task.warm_digest is None or file_digest(task.source) != task.warm_digest)
    )
    if own_kernel:
        if kernel is not None:  # a warm kernel was offered, but this notebook's code is not known
            result.notes.append(FRESH_NOTE)
        kernel = Kernel(warm=False)
    opened = []

    def commit() -> None:
        if gate is not None and not opened:
            opened.append(gate())

    tmp_nb = Path(task.out_dir) / f".{task.run_name}.{temp_tag()}.tmp.ipynb"
    failed_nb = task.path(".FAILED.ipynb")
    failed_html = task.path(".FAILED.html")
    try:
        Path(task.out_dir).mkdir(parents=True, exist_ok=True)
        runtime = Path(task.runtime_file).read_text(encoding="utf-8") if task.runtime_file else None
        error: str | None = None
        stopped = False
        kernel_log: list[str] = []
        with _quiet_stderr() as log:
            try:
                run_notebook(kernel, task.source, str(tmp_nb), task.params, task.timeout)
            except CellStopped as exc:  # timed out or the kernel died: named by its cell
                error, stopped = str(exc), True
                kernel.shutdown()  # a timed-out cell may still be running: the next run gets a new kernel
            except KernelStepError as exc:  # the kernel died or hung outside the cells (the reset before this run)
                error, stopped = str(exc), True
                kernel.shutdown()
            except Exception as exc:  # any failure is reported, never raised
                lines = str(exc).strip().splitlines()
                error = f"{type(exc).__name__}: {lines[-1] if lines else ''}"
                kernel_log = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            if not own_kernel and kernel.km is not None:
                changed = kernel.check(task.notebook, task.timeout)
                if changed:
                    kernel.retire(
                        "the kernel was retired after this run, not reused: its state differed from after "
                        f"the warm-up ({'; '.join(changed)})"
                    )
        result.notes += kernel.notes
        kernel.notes.clear()
        if error is not None:
            if tmp_nb.exists():  # papermill saved the notebook up to the failing cell
                commit()
                os.replace(tmp_nb, failed_nb)
                result.outputs.append(str(failed_nb))
                nb = nbformat.read(failed_nb, as_version=4)
                error = error if stopped else locate_failure(nb) or error
                with contextlib.suppress(Exception):  # the partial notebook matters more than its HTML
                    page, _ = notebook_html(
                        nb,
                        notebook=task.notebook,
                        set_name=task.set_name,
                        params=task.params,
                        show_code=True,
                        failed=error,
                        runtime=runtime,
                        reports=task.report_links(),
                        notebook_dir=Path(task.source).parent,
                    )
                    write_atomic(failed_html, page)
                    result.outputs.append(str(failed_html))
            elif kernel_log:
                error = f"{error} | {kernel_log[-1]}"
            result.error = error
            return result

        nb = nbformat.read(tmp_nb, as_version=4)
        page, charts = notebook_html(
            nb,
            notebook=task.notebook,
            set_name=task.set_name,
            params=task.params,
            show_code=task.show_code,
            runtime=runtime,
            reports=task.report_links(),
            notebook_dir=Path(task.source).parent,
        )
        shows = filter_text(task.notebook, task.params)  # a slide is seen alone: its title names the filter
        images = [fmt for fmt in task.formats if fmt != "html"]
        exports = {
            task.chart_dir / f"chart-{n}.{fmt}": image
            for n, chart in enumerate(charts, start=1)
            for fmt, image in slide_images(chart, images, task.size, shows).items()
        }
        # Everything is ready: only now replace the previous run's files, all of them or none.
        commit()
        try:  # the HTML always: --format png/svg add images, never replace the report
            replace_together({tmp_nb: task.path(".ipynb")}, {task.path(".html"): page, **exports})
        except OSError as exc:
            result.error = (
                f"the report could not be written ({type(exc).__name__}: {exc}); "
                "the previous .ipynb, .html and images were left as they were"
            )
            raise
        result.outputs += [str(task.path(".ipynb")), str(task.path(".html"))]
        if exports:
            for fmt in {p.suffix for p in exports}:
                for stale in task.chart_dir.glob(f"chart-*{fmt}"):
                    if stale not in exports:
                        stale.unlink()
            result.outputs.append(str(task.chart_dir) + os.sep)
        for stale in (failed_nb, failed_html):
            stale.unlink(missing_ok=True)
        result.status, result.charts = "ok", len(charts)
        return result
    except Exception as exc:  # a broken report is a failed run, not a crash
        if tmp_nb.exists():
            with contextlib.suppress(OSError):  # on a full disk a rename still works; if not, the error says why
                commit()
                os.replace(tmp_nb, failed_nb)
                result.outputs.append(str(failed_nb))
        result.error = result.error or f"{type(exc).__name__}: {exc}"
        return result
    finally:
        tmp_nb.unlink(missing_ok=True)
        if own_kernel:
            kernel.shutdown()
        result.seconds = round(time.perf_counter() - start, 2)


# --- many runs -----------------------------------------------------------------------------------


def run_tasks(
    tasks: Sequence[RunTask], jobs: int | None = None, progress: bool = True, fresh_kernels: bool = False
) -> list[RunResult]:
    """Execute tasks on a pool of ``jobs`` workers with one progress bar; results in task order.

    Each worker keeps one kernel warm across its runs (``fresh_kernels=True``: a new
    kernel per run). ``jobs`` is capped at the CPUs and free memory. Temporary files of
    earlier runs that were killed are removed first. On SIGINT, SIGTERM or SIGHUP every
    worker and kernel is stopped, no report is written after the signal,
    and :class:`helpers.run.pool.RunInterrupted` carries the runs that completed.
    """
    from tqdm import tqdm

    from helpers.render.report_page import runtime_file
    from helpers.run.pool import Pool, RunInterrupted, _Signal, signals_held, stop_signals

    if not tasks:
        return []
    from helpers.run.leftovers import remove_orphans
    from helpers.run.pool import MARKER_ENV

    jobs = max(1, min(job_limit(jobs)[0], len(tasks)))
    results: dict[int, RunResult] = {}
    tasks = list(tasks)
    caught: list[int] = []
    finished = False
    remove_orphans({t.out_dir for t in tasks}, MARKER_ENV)  # what killed runs left; never a live run's files
    # no notebook the suite knows: no worker needs to warm a kernel up that nothing may use
    pool = Pool(jobs, fresh_kernels or all(t.warm_digest is None for t in tasks))
    bar = tqdm(total=len(tasks), desc="reports", unit="run", disable=not progress, file=sys.stderr)

    def done(i: int, result: RunResult) -> None:
        bar.set_postfix_str(f"{result.run_name}: {result.status}")
        bar.update()

    try:
        with stop_signals():
            try:
                for _ in range(jobs):  # kernels start and warm up while the Vega bundle is read or built
                    pool.start_worker()
                bundle = str(runtime_file())
                tasks = [_replace(t, runtime_file=bundle, fresh_kernel=fresh_kernels) for t in tasks]
                pool.run(tasks, done, results)
                finished = True
            except _Signal as signal_:
                caught.append(signal_.signum)
    finally:
        with signals_held(caught):
            if finished and not caught:
                pool.close()  # the workers were told to stop: let them shut their kernels down
            else:
                results.update(pool.kill())  # runs that completed just before the signal count as completed
            stopped = pool.in_flight()
            bar.close()
    if caught:
        not_started = [t for i, t in enumerate(tasks) if i not in results and t not in stopped]
        raise RunInterrupted(caught[0], [results[i] for i in sorted(results)], stopped, not_started)
    return [results[i] for i in range(len(tasks))]


def run_reports(
    notebooks: Sequence[str] | None = None,
    param_sets: Mapping[str, Mapping[str, Mapping[str, Any] | None]] | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    jobs: int | None = None,
    formats: Sequence[str] = ("html",),
    show_code: bool = False,
    *,
    overrides: Mapping[str, Any] | None = None,
    notebook_dir: str | Path = NOTEBOOK_DIR,
    timeout: int | None = None,
    progress: bool = True,
    fresh_kernels: bool = False,
    size: tuple[int, int] | None = None,
) -> list[RunResult]:
    """Validate everything, then run every notebook × parameter set; one RunResult per run.

    Raises ParameterError or OutputPathError before anything runs. ``notebooks``
    are names, prefixes (``"01"``) or paths, default every notebook; see
    :func:`helpers.run.plan.plan_runs` for ``param_sets`` and ``overrides``. A failed
    run is a RunResult with status ``FAILED``; it never stops the others.
    """
    tasks = plan_runs(
        notebooks,
        param_sets,
        out_dir,
        overrides=overrides,
        notebook_dir=notebook_dir,
        formats=formats,
        show_code=show_code,
        timeout=timeout,
        size=size,
    )
    return run_tasks(tasks, jobs, progress, fresh_kernels=fresh_kernels)
