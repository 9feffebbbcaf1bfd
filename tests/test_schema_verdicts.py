"""Frictionless's verdict on a table is kept by the content validated, across the report kernels' cache reset.

A report kernel empties the ``helpers`` functools caches before every notebook (helpers.run.warmup), and
each notebook validated the same unchanged tables again: 50-100 ms a table. The verdict is now kept by
the bytes Frictionless reads (the table's and sources.csv's) and the descriptor: a changed byte in either
file is a new verdict, and an unchanged file is not validated twice.
"""

from __future__ import annotations

from helpers.data import tables
from helpers.data.tables import validate_table
from helpers.run.warmup import clear_caches


def counted(monkeypatch) -> list[str]:
    """The tables Frictionless validates from now on (the real validation runs; its calls are listed)."""
    calls: list[str] = []
    real = tables._schema_problems

    def spy(table, data_dir, parsed):
        calls.append(table)
        return real(table, data_dir, parsed)

    monkeypatch.setattr(tables, "_schema_problems", spy)
    return calls


def test_a_source_removed_from_sources_csv_is_seen_though_the_table_is_unchanged(data_copy, monkeypatch):
    calls = counted(monkeypatch)
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


def test_the_kernels_cache_reset_keeps_the_verdict_and_a_changed_cell_is_validated_afresh(data_copy, monkeypatch):
    calls = counted(monkeypatch)
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
