"""Time one curve of the teaching PK model (helpers.models.pk) against the 5 ms interactive target.

Run: ``python benchmarks/bench_pk.py`` (from the repository root). Prints the median and
95th-percentile time per call in ms and their ratio to the target; it never fails on time,
because timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

TARGET_MS = 5.0
REPEATS = 1000


def time_calls(call, repeats: int = REPEATS) -> tuple[float, float]:
    """(median, p95) wall time of call() in ms, after a few warm-up calls (caches, imports)."""
    for _ in range(5):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    """Benchmark the common cases, one simulate() call each, on the default one-point-a-minute 24 h grid."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from helpers.models import pk

    cases = {
        "IV 0.5 mg/kg over 40 min, one-compartment": lambda: pk.simulate("IV", 35.0, infusion_min=40),
        "IV 0.5 mg/kg over 40 min, two-compartment": lambda: pk.simulate("IV", 35.0, infusion_min=40, model="two"),
    }
    try:
        table = pk._evidence_table()
    except ImportError as exc:  # evidence loader missing: time the extravascular path with a tiny table
        import pandas as pd

        print(f"note: {exc}; using a one-row placeholder table for the oral case")
        table = pd.DataFrame(
            {
                "measure": ["bioavailability"],
                "route": ["oral"],
                "value_low": [16.0],
                "value_high": [20.0],
                "value_status": ["reported"],
            }
        )
    else:
        cases["oral 100 mg, evidence table cached (table=None)"] = lambda: pk.simulate("oral", 100.0)
    cases["oral 100 mg, table= DataFrame parsed every call"] = lambda: pk.simulate("oral", 100.0, table=table)
    cases["intranasal 50 mg, low/central/high band"] = lambda: pk.simulate_range("intranasal", 50.0, table=table)

    points = len(pk.simulate("IV", 35.0).time_h)
    print(f"helpers.models.pk: {REPEATS} calls per case, {points}-point grid, target {TARGET_MS:g} ms per curve")
    for name, call in cases.items():
        median, p95 = time_calls(call)
        print(
            f"  {name:<52} median {median:7.3f} ms  p95 {p95:7.3f} ms  "
            f"median/target {median / TARGET_MS:5.3f}  p95/target {p95 / TARGET_MS:5.3f}"
        )


if __name__ == "__main__":
    main()
