"""Time the saved report page alone: one executed notebook -> one offline HTML file.

Run: ``python benchmarks/bench_report_page.py``. Every notebook of the suite is given the
output its explorer cell shows (the view's MIME bundle for its default parameters), then
rendered as the runner does (``helpers.render.exporter_module.notebook_html``, the Vega runtime
read once beforehand) and as ``jupyter nbconvert --to ketamine_report`` does
(``helpers.render.exporter.ReportExporter``). Prints the median of 7 per notebook and the total; it
never fails on time, because timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def executed_notebooks() -> dict[str, object]:
    """name -> the notebook with its view output attached to its first code cell (no kernel needed)."""
    import nbformat

    from helpers.render.page import view_bundle
    from helpers.views import BUILDERS, view

    out = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if path.stem in BUILDERS and code:
            the_view = view(path.stem)
            code[-1].outputs = [
                nbformat.v4.new_output("display_data", data=view_bundle(the_view.payload(the_view.validate({}))))
            ]
        out[path.stem] = nb
    return out


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from helpers.render import exporter as exporter_module
    from helpers.render import report_page

    notebooks = executed_notebooks()
    runtime = report_page.runtime_file().read_text(encoding="utf-8")
    exporter_module.notebook_html(next(iter(notebooks.values())), notebook="warm", set_name="bench", params={})
    from helpers.render.exporter import ReportExporter

    exporter = ReportExporter()
    exporter.from_notebook_node(next(iter(notebooks.values())), {"metadata": {"name": "warm"}})
    totals = [0.0, 0.0]
    print(f"{'notebook':24s} {'runner':>10s} {'nbconvert':>10s}  page")
    for name, nb in notebooks.items():
        runner, nbconvert = [], []
        for _ in range(7):
            start = time.perf_counter()
            page, charts = exporter_module.notebook_html(
                nb, notebook=name, set_name="bench", params={"a": 1}, runtime=runtime
            )
            runner.append(time.perf_counter() - start)
            start = time.perf_counter()
            exporter.from_notebook_node(nb, {"metadata": {"name": name}})
            nbconvert.append(time.perf_counter() - start)
        medians = statistics.median(runner), statistics.median(nbconvert)
        totals = [t + m for t, m in zip(totals, medians, strict=True)]
        print(
            f"{name:24s} {medians[0] * 1000:7.1f} ms {medians[1] * 1000:7.1f} ms"
            f"  {len(page) / 1e6:5.2f} MB, {len(charts)} chart(s)"
        )
    print(f"{'total':24s} {totals[0] * 1000:7.1f} ms {totals[1] * 1000:7.1f} ms  for {len(notebooks)} notebooks")


if __name__ == "__main__":
    main()
