"""Frictionless's verdict on a table is kept by the content validated (helpers.data.verdicts).

Every kernel (a report's, a Voilà visitor's) validated the same unchanged tables again: Frictionless's
import (0.26 s) and 15-30 ms a table. The verdict is kept by the bytes Frictionless reads (the table's
and sources.csv's) and the descriptor: in the process across the report kernels' cache reset, and on
disk once a table is valid. A changed byte in either file is a new verdict.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data import tables, verdicts
from helpers.data.tables import validate_table
from helpers.run.warmup import clear_caches

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def calls(monkeypatch, tmp_path) -> list[str]:
    """The tables Frictionless validates from now on, with a cache folder of this test's own and nothing
    kept in memory (the real validation runs; its calls are listed)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(verdicts, "_KEPT", {})
    listed: list[str] = []
    real = tables._schema_problems

    def spy(table, data_dir, parsed):
        listed.append(table)
        return real(table, data_dir, parsed)

    monkeypatch.setattr(tables, "_schema_problems", spy)
    return listed


def test_a_source_removed_from_sources_csv_is_seen_though_the_table_is_unchanged(data_copy, calls):
    assert validate_table("response_rates", data_copy) == []
    sources = data_copy / "sources.csv"
    kept = sources.read_bytes()
    lines = kept.decode("utf-8").splitlines(keepends=True)
    sources.write_text("".join(line for line in lines if not line.startswith("000,")), encoding="utf-8")
    problems = validate_table("response_rates", data_copy)
    assert problems and {p.rule for p in problems} == {"foreign-key"}, problems[:3]
    assert all(p.column == "source_id" and "000" in p.message for p in problems), problems[:3]
    sources.write_bytes(kept)
    assert validate_table("response_rates", data_copy) == []
    assert calls == ["response_rates", "response_rates"], "the restored bytes are the first verdict's"


def test_the_kernels_cache_reset_keeps_the_verdict_and_a_changed_cell_is_validated_afresh(data_copy, calls):
    assert validate_table("adverse_effects", data_copy) == []
    clear_caches()  # what a report kernel does before every notebook
    assert validate_table("adverse_effects", data_copy) == []
    assert calls == ["adverse_effects"]
    path = data_copy / "adverse_effects.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("frequent or recreational use", "weekly use", 1), encoding="utf-8")
    problems = validate_table("adverse_effects", data_copy)
    assert [(p.row, p.column, p.rule) for p in problems] == [(2, "dose_context", "constraint-error")], problems
    assert calls == ["adverse_effects", "adverse_effects"]


def test_a_new_process_reads_a_valid_verdict_from_disk_and_validates_a_broken_table_again(data_copy, calls):
    path = data_copy / "adverse_effects.csv"
    good = path.read_text(encoding="utf-8")
    assert validate_table("adverse_effects", data_copy) == []
    path.write_text(good.replace("frequent or recreational use", "weekly use", 1), encoding="utf-8")
    assert validate_table("adverse_effects", data_copy)
    marks = list((Path(os.environ["XDG_CACHE_HOME"]) / "ketamine-evidence" / verdicts.FOLDER).iterdir())
    assert len(marks) == 1, "only the valid verdict is marked on disk"
    verdicts._KEPT.clear()  # a new process: nothing in memory
    assert validate_table("adverse_effects", data_copy)  # broken: Frictionless again, never a mark
    path.write_text(good, encoding="utf-8")
    assert validate_table("adverse_effects", data_copy) == []  # valid: the mark
    assert calls == ["adverse_effects", "adverse_effects", "adverse_effects"]


def test_a_cache_folder_others_can_write_is_not_trusted_for_a_verdict(data_copy, calls):
    assert validate_table("sources", data_copy) == []
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "ketamine-evidence"
    folder.chmod(0o777)
    verdicts._KEPT.clear()
    assert validate_table("sources", data_copy) == []
    assert calls == ["sources", "sources"], "a mark in a folder others may write could be planted"


def test_a_second_process_loads_the_tables_without_importing_frictionless(tmp_path):
    code = (
        "import sys\nfrom helpers.data import load\n"
        "for t in ('sources', 'response_rates', 'pharmacokinetics'): load(t)\n"
        "print('frictionless' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    seen = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        seen.append(done.stdout.split()[-1])
    assert seen == ["True", "False"], seen
