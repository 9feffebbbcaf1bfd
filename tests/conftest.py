"""Shared fixtures: a scratch copy of data/ to break, and the source documents."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from helpers.provenance import DATA_DIR, seeds_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit_cell(path: Path, row_index: int, column: str, value: str) -> int:
    """Set one cell of a CSV (row_index 0 = first data row); returns the file line number."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[row_index][column] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def seeds() -> Path:
    """The source documents; skips, saying why, when they are absent."""
    folder = seeds_dir()
    if folder is None:
        pytest.skip("source documents not found: set KETAMINE_SEEDS or place them in ../shared/seeds")
    return folder


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="accept the current chart specs and key numbers as the new snapshots (make snapshots)",
    )


@pytest.fixture
def update_snapshots(request) -> bool:
    return request.config.getoption("--update-snapshots")
