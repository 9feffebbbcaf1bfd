"""The kernel's share of a control change, per view: the param path against the old full-spec path.

Param path (now): the page has already redrawn; the kernel hears the new param and refreshes the
count, the table and the CSV link from ``View.filter`` (``Panel.refresh``).
Full-spec path (before): the kernel rebuilt the whole spec for the new values and serialised it
(``View.spec``), and the page then re-embedded the chart.

Both timed on the same control changes, side by side; medians in ms and their ratio.
Printed, never asserted. Run: python benchmarks/bench_explorers.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.render.widget import Panel  # noqa: E402
from helpers.views import BUILDERS, view  # noqa: E402

CHANGES = 60


def first_cycling_control(the_view):
    """The first control with choices (or a boolean) to move between."""
    for control in the_view.controls:
        p = control.param
        if p.type == "choice" and len(p.choices) >= 2:
            return control.name, list(p.choices)
        if p.type == "bool":
            return control.name, [not p.default, p.default]
    return None, []


def main() -> int:
    print(
        f"{'view':22} {'control':14} {'param path':>11} {'full spec':>10} {'ratio':>6}  (median ms, {CHANGES} changes)"
    )
    for notebook in BUILDERS:
        try:
            the_view = view(notebook)
        except ImportError as exc:
            print(f"{notebook:22} skipped: {exc}")
            continue
        name, options = first_cycling_control(the_view)
        if name is None:
            continue
        panel = Panel(the_view, the_view.validate({}))
        param_ms, spec_ms = [], []
        for i in range(CHANGES):
            value = options[i % len(options)]
            start = time.perf_counter()
            setattr(panel.jchart.params, the_view.control(name).signal, value)  # what a page change does here
            param_ms.append((time.perf_counter() - start) * 1000)
            values = the_view.validate({name: value}, check_order=False)
            start = time.perf_counter()
            the_view.spec(values)
            the_view.chart_dict()
            the_view.filter(values)
            spec_ms.append((time.perf_counter() - start) * 1000)
        p, s = statistics.median(param_ms), statistics.median(spec_ms)
        print(f"{notebook:22} {name:14} {p:11.1f} {s:10.1f} {p / s:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
