"""Large generated tables, for the loader's scaling test and benchmark (tests/test_loader_scale.py,
benchmarks/bench_loader.py): the real rows of a table, repeated with fresh ids, in a copy of data/."""

from __future__ import annotations

import csv
import shutil
import string
from pathlib import Path

from helpers.data.provenance import DATA_DIR


def fresh_id(index: int) -> str:
    """A distinct id that matches the dictionary's pattern (letters, '-', three digits): aa-000, aa-001, ..."""
    letters, number = divmod(index, 1000)
    prefix = ""
    for _ in range(3):
        letters, digit = divmod(letters, 26)
        prefix = string.ascii_lowercase[digit] + prefix
    return f"{prefix}-{number:03d}"


def big_table(target: Path, rows: int, table: str = "response_rates", bad_column: str | None = None) -> Path:
    """A copy of data/ in ``target`` whose ``table`` holds ``rows`` rows (the real ones, cycled, with
    fresh ids); with ``bad_column``, every row's cell there reads 'x', one type error per row."""
    shutil.copytree(DATA_DIR, target)
    path = target / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, real = reader.fieldnames, list(reader)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for index in range(rows):
            row = dict(real[index % len(real)], id=fresh_id(index))
            if bad_column:
                row[bad_column] = "x"
            writer.writerow(row)
    return target
