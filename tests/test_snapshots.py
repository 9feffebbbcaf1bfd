"""Regression snapshots: each notebook's view spec (with its default params) and the key numbers it holds.

A mismatch prints a readable diff. Accept a deliberate change with `make snapshots`.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from helpers.views import BUILDERS, view

SNAPSHOTS = Path(__file__).parent / "snapshots"


def key_numbers(spec_dict: dict) -> list[list]:
    """The figures a chart shows: id, low, high, unit per data row, sorted."""
    rows = [r for rows in spec_dict.get("datasets", {}).values() for r in rows if "id" in r]
    keep = ("id", "value_low", "value_high", "unit", "qualifier", "year_start", "year_end", "value_low_shown")
    return sorted({json.dumps([r.get(k) for k in keep]) for r in rows})


def compare(name: str, current: str, update: bool) -> None:
    path = SNAPSHOTS / name
    if update or not path.exists():
        if not update:
            pytest.fail(f"no snapshot {path.name}; run `make snapshots` to create it")
        path.parent.mkdir(exist_ok=True)
        path.write_text(current, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if expected != current:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(True), current.splitlines(True), f"{name} (snapshot)", f"{name} (now)"
                )
            )[:80]
        )
        pytest.fail(f"{name} changed. If this is deliberate, run `make snapshots`.\n{diff}")


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_view_specs_match_snapshots(notebook, update_snapshots):
    spec_dict = view(notebook).spec()
    compare(
        f"{notebook}.vl.json",
        json.dumps(spec_dict, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        update_snapshots,
    )
    compare(f"{notebook}.numbers.json", json.dumps(key_numbers(spec_dict), indent=1) + "\n", update_snapshots)
