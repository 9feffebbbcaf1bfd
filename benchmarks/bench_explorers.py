"""From a control change to the updated chart in the kernel, per explorer.

For each explorer: 100 control changes cycling through a control's choices; each
is timed from setting ``control.value`` until the JupyterChart holds the new spec
(filter, rebuild, to_dict). Prints median and p95 in ms against the 50 ms target.
Run: python benchmarks/bench_explorers.py
"""

from __future__ import annotations

import statistics
import sys
import time
from itertools import cycle
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.explore import EXPLORERS  # noqa: E402

TARGET_MS = 50.0
CHANGES = 100


def control_to_cycle(explorer):
    """The first control with at least two values to move between."""
    for name, control in explorer.controls.items():
        options = [o[1] if isinstance(o, tuple) else o for o in getattr(control, "options", ())]
        if len(options) >= 2:
            return name, options
        if isinstance(control.value, bool):
            return name, [True, False]
    raise RuntimeError(f"{explorer.notebook}: no control to move")


def main() -> None:
    print(f"{'explorer':22} {'control':14} {'median ms':>10} {'p95 ms':>8} {'median/target':>14}")
    for notebook, cls in EXPLORERS.items():
        explorer = cls()
        explorer.widget()  # live JupyterChart, as in JupyterLab
        name, options = control_to_cycle(explorer)
        control = explorer.controls[name]
        values = cycle([o for o in options if o != control.value] + [control.value])
        timings = []
        for _ in range(CHANGES):
            value = next(values)
            start = time.perf_counter()
            control.value = value
            assert explorer._jcharts[0].spec, "the front end receives a spec"
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[int(0.95 * len(timings)) - 1]
        print(f"{notebook:22} {name:14} {median:10.1f} {p95:8.1f} {median / TARGET_MS:14.2f}")


if __name__ == "__main__":
    main()
