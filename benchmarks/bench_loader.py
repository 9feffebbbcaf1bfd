"""Time helpers.data.load() on generated tables of 1,000 and 20,000 rows: is it linear in rows?

Run: ``python benchmarks/bench_loader.py [ROWS ...]`` (from the repository root; default 1000 20000).
For a valid table and for one with a type error in every row, prints the time per row at each size
and the ratio of the largest size's time per row to the smallest's: about 1.0 when the loader is
linear (7.0 at 20,000 rows when a dict of every row was rebuilt per record). It never
fails on time, because timings depend on the machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from table_support import big_table  # noqa: E402

from helpers.data import verdicts  # noqa: E402
from helpers.data.tables import EvidenceValidationError, load  # noqa: E402


def seconds_to_load(data: Path, kept: bool = False) -> float:
    """Wall time of one load("response_rates") (an error counts: validating is the work). Frictionless's
    kept verdicts (helpers.data.verdicts, in memory and in the cache folder) are forgotten first, so the
    time is a whole validation; ``kept=True`` keeps them (what a second load of the same bytes costs)."""
    if not kept:
        verdicts._KEPT.clear()
        os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="bench-loader-cache-")
    start = time.perf_counter()
    try:
        load("response_rates", data)
    except EvidenceValidationError:
        pass
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-loader-") as scratch:
        load("sources")  # imports, the dictionary and Frictionless's first use are not the table's cost
        for label, bad in (("valid rows", None), ("a type error in every row", "value_low")):
            per_row = {}
            for rows in sizes:
                data = big_table(Path(scratch) / f"{rows}-{bad}", rows, bad_column=bad)
                per_row[rows] = min(seconds_to_load(data) for _ in range(2 if rows <= 20_000 else 1)) / rows
                print(f"{label:28} {rows:>7,} rows: {per_row[rows] * rows:7.2f} s, {per_row[rows] * 1e6:6.1f} us/row")
            if bad is None:
                largest = max(sizes)
                again = seconds_to_load(data, kept=True)
                print(f"{label:28} {largest:>7,} rows again, Frictionless's verdict kept: {again:7.2f} s")
            small, large = min(sizes), max(sizes)
            ratio = per_row[large] / per_row[small]
            print(f"{label:28} time per row at {large:,} / at {small:,} rows: {ratio:.2f} (linear ~ 1.0)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 20_000])
