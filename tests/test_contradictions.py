"""Contradictions graded: each pair says how hard its statements clash, and why."""

from __future__ import annotations

from conftest import edit_cell

from helpers.data.tables import load, validate_table


def test_every_contradiction_is_graded_with_a_reason():
    frame = load("contradictions")
    assert frame["strength"].notna().all() and frame["strength_reason"].str.len().gt(20).all()
    assert set(frame["strength"]) == {"direct", "depends on reading", "not a contradiction"}


def test_an_ungraded_contradiction_fails(data_copy):
    path = data_copy / "contradictions.csv"
    edit_cell(path, 3, "strength", "weak")
    line = edit_cell(path, 4, "strength_reason", "")
    problems = validate_table("contradictions", data_copy)
    assert any(p.column == "strength" and "'weak'" in p.message for p in problems)
    assert any(p.row == line and p.column == "strength_reason" for p in problems)


def test_the_pairs_the_second_reading_rejected_are_not_direct():
    """Issue 12: con-004, -018 and -024 are not contradictions; con-005, -008, -016, -017, -019 are weak."""
    frame = load("contradictions").set_index("id")
    assert set(frame.index[frame["strength"] == "not a contradiction"]) >= {"con-004", "con-018", "con-024"}
    assert (frame.loc[["con-005", "con-008", "con-016", "con-017", "con-019"], "strength"] != "direct").all()


def test_a_reading_names_its_condition():
    frame = load("contradictions")
    readings = frame.loc[frame["strength"] == "depends on reading", "strength_reason"]
    assert readings.str.match(r"Only (if|for) ").all(), list(readings[~readings.str.match(r"Only (if|for) ")])
