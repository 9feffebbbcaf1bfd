"""Time ``make report`` (every notebook, default parameters) against two baselines.

Run: ``python benchmarks/bench_report.py`` (from the repository root). Prints:

- the full report run (``helpers.report.run_reports``, jobs = CPU count, HTML included);
- (a) a plain sequential papermill loop over the same notebooks with ``KETAMINE_REPORT=1``,
  writing the executed notebooks only (no HTML);
- (b) a floor: N notebooks x the time of ``python -c "import helpers.explore"`` / cores,
  i.e. what the imports alone cost if perfectly spread over the cores;
- the report's HTML size per chart against one chart saved by Altair with ``inline=True``.

It prints ratios and never fails on time, because timings depend on the machine. The
Vega bundle is prepared once before timing (it is cached on disk after the first run).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_seconds(repeats: int = 3) -> float:
    """Median wall time of a fresh interpreter importing helpers.explore (what every kernel pays)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import helpers.explore"], cwd=ROOT, env=env, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def sequential_papermill(notebooks: list[str], out: Path) -> tuple[float, list[str]]:
    """Seconds for a plain papermill loop, one notebook after another, report mode on; and failures."""
    import papermill

    os.environ["KETAMINE_REPORT"] = "1"
    failed = []
    start = time.perf_counter()
    for name in notebooks:
        try:
            papermill.execute_notebook(
                str(ROOT / "notebooks" / f"{name}.ipynb"),
                str(out / f"{name}.ipynb"),
                cwd=str(ROOT / "notebooks"),
                progress_bar=False,
            )
        except Exception:  # a broken notebook is reported, the timing goes on
            failed.append(name)
    return time.perf_counter() - start, failed


def altair_inline_size(out: Path) -> int:
    """Bytes of notebook 01's default chart saved by Altair as standalone HTML with inline JavaScript."""
    from helpers.views import view

    path = out / "altair_inline.html"
    view("01_response_rates").to_chart().save(str(path), inline=True)
    return path.stat().st_size


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    from helpers import report

    cores = os.cpu_count() or 1
    notebooks = report.default_notebooks()
    report.runtime_file()  # bundle Vega once, outside the timings

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        results = report.run_reports(notebooks, out_dir=tmp / "reports", jobs=cores, progress=False)
        full = time.perf_counter() - start
        failed = [r.notebook for r in results if not r.ok]

        (tmp / "plain").mkdir()
        plain, plain_failed = sequential_papermill(notebooks, tmp / "plain")
        failed += [f"{name} (plain loop)" for name in plain_failed]
        per_import = import_seconds()
        floor = len(notebooks) * per_import / cores

        pages = sorted((tmp / "reports").glob("*.html"))
        charts = sum(
            len(re.findall(r'<div class="chart" id="chart-\d+"', p.read_text(encoding="utf-8"))) for p in pages
        )
        html_bytes = sum(p.stat().st_size for p in pages)
        single = altair_inline_size(tmp)

    print(f"notebooks: {len(notebooks)}, cores: {cores}, failed runs: {', '.join(failed) or 'none'}")
    print(f"full report run (jobs={cores}, HTML):         {full:7.1f} s")
    print(f"(a) sequential papermill loop (no HTML):     {plain:7.1f} s   report / sequential = {full / plain:.2f}")
    print(
        f"(b) floor {len(notebooks)} x import {per_import:.2f} s / {cores} cores: {floor:7.1f} s   "
        f"report / floor = {full / floor:.2f}"
    )
    per_chart = html_bytes / max(charts, 1)
    print(
        f"report HTML: {html_bytes / 1e6:.2f} MB in {len(pages)} files, {charts} charts, {per_chart / 1e3:.0f} kB/chart"
    )
    print(
        f"one chart saved by altair (inline=True): {single / 1e3:.0f} kB   per-chart ratio = {per_chart / single:.2f}"
    )


if __name__ == "__main__":
    main()
