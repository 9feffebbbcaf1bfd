"""Broken copies of the tables give one error naming file, row, column and rule."""

from __future__ import annotations

import pytest
from conftest import edit_cell, read_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.data import EvidenceValidationError, load, validate_table


def problems_for(data_dir, table):
    return validate_table(table, data_dir)


def only(problems, rule):
    found = [p for p in problems if p.rule == rule]
    assert found, f"expected a {rule} problem, got {[str(p) for p in problems]}"
    return found[0]


def test_wrong_type_is_named(data_copy):
    line = edit_cell(data_copy / "response_rates.csv", 0, "value_low", "sixty")
    problem = only(problems_for(data_copy, "response_rates"), "type-error")
    assert (problem.row, problem.column) == (line, "value_low")
    assert "response_rates.csv" in problem.file and "'sixty'" in problem.message


def test_low_above_high(data_copy):
    line = edit_cell(data_copy / "adverse_effects.csv", 0, "value_low", "99")
    problem = only(problems_for(data_copy, "adverse_effects"), "low-above-high")
    assert (problem.row, problem.column) == (line, "value_high")


def test_percent_over_100(data_copy):
    rows = read_rows(data_copy / "prevalence.csv")
    index = next(i for i, r in enumerate(rows) if r["unit"] == "%")
    edit_cell(data_copy / "prevalence.csv", index, "value_low", "120")
    line = edit_cell(data_copy / "prevalence.csv", index, "value_high", "130")
    problem = only(problems_for(data_copy, "prevalence"), "percent-out-of-range")
    assert problem.row == line and "130% is outside 0-100" in str(problems_for(data_copy, "prevalence"))


def test_unknown_source_id(data_copy):
    line = edit_cell(data_copy / "milestones.csv", 2, "source_id", "009")
    problem = only(problems_for(data_copy, "milestones"), "foreign-key")
    assert (problem.row, problem.column) == (line, "source_id")
    assert "009" in problem.message and "sources.csv" in problem.message


def test_duplicate_id(data_copy):
    rows = read_rows(data_copy / "time_course.csv")
    line = edit_cell(data_copy / "time_course.csv", 1, "id", rows[0]["id"])
    problem = only(problems_for(data_copy, "time_course"), "duplicate-id")
    assert (problem.row, problem.column) == (line, "id")


def test_missing_quote(data_copy):
    line = edit_cell(data_copy / "pharmacokinetics.csv", 3, "quote", "")
    problem = only(problems_for(data_copy, "pharmacokinetics"), "constraint-error")
    assert (problem.row, problem.column) == (line, "quote") and "required" in problem.message


def test_unknown_unit_lists_choices(data_copy):
    line = edit_cell(data_copy / "response_rates.csv", 1, "unit", "percent")
    problem = only(problems_for(data_copy, "response_rates"), "constraint-error")
    assert (problem.row, problem.column) == (line, "unit")
    assert "'percent'" in problem.message and "ng/mL" in problem.message  # the valid choices are listed


def test_hours_must_match_unit(data_copy):
    rows = read_rows(data_copy / "time_course.csv")
    index = next(i for i, r in enumerate(rows) if r["unit"] == "d")
    line = edit_cell(data_copy / "time_course.csv", index, "duration_low_h", "1")
    problem = only(problems_for(data_copy, "time_course"), "hours-mismatch")
    assert (problem.row, problem.column) == (line, "duration_low_h")


def test_conversion_flag_must_be_honest(data_copy):
    rows = read_rows(data_copy / "pharmacokinetics.csv")
    index = next(i for i, r in enumerate(rows) if r["conversion_check"] == "agrees")
    edit_cell(data_copy / "pharmacokinetics.csv", index, "stated_alt_high", "9.9")
    problem = only(problems_for(data_copy, "pharmacokinetics"), "conversion-check")
    assert "disagrees" in problem.message


def test_never_measured_must_have_no_value(data_copy):
    rows = read_rows(data_copy / "pharmacokinetics.csv")
    index = next(i for i, r in enumerate(rows) if r["value_status"] == "never measured")
    edit_cell(data_copy / "pharmacokinetics.csv", index, "value_low", "90")
    only(problems_for(data_copy, "pharmacokinetics"), "never-measured-has-value")


def test_one_error_lists_every_problem(data_copy):
    edit_cell(data_copy / "response_rates.csv", 0, "value_low", "x")
    edit_cell(data_copy / "response_rates.csv", 2, "source_id", "777")
    edit_cell(data_copy / "response_rates.csv", 4, "quote", "")
    with pytest.raises(EvidenceValidationError) as info:
        load("response_rates", data_copy)
    text = str(info.value)
    assert "3 problem(s)" in text
    assert (
        "row 2, column 'value_low'" in text and "row 4, column 'source_id'" in text and "row 6, column 'quote'" in text
    )


def test_nothing_dropped_or_coerced(data_copy):
    """A thousands separator is an error, not a silent 1.605."""
    edit_cell(data_copy / "prevalence.csv", 0, "value_low", "1,605")
    with pytest.raises(EvidenceValidationError, match="'1,605'"):
        load("prevalence", data_copy)


def test_header_change_is_reported(data_copy):
    path = data_copy / "adverse_effects.csv"
    text = path.read_text(encoding="utf-8").replace("dose_context", "dose", 1)
    path.write_text(text, encoding="utf-8")
    problem = only(problems_for(data_copy, "adverse_effects"), "header")
    assert "dose_context" in problem.message


def test_unknown_table_lists_choices():
    with pytest.raises(KeyError, match="response_rates"):
        load("response_rate")


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=finite, high=finite)
def test_range_rules_property(data_copy, low, high):
    """For any pair, the validator flags exactly the broken range rules: low > high, or % outside 0-100."""
    edit_cell(data_copy / "adverse_effects.csv", 0, "value_low", repr(low))
    line = edit_cell(data_copy / "adverse_effects.csv", 0, "value_high", repr(high))
    rules = {p.rule for p in problems_for(data_copy, "adverse_effects") if p.row == line}
    assert ("low-above-high" in rules) == (low > high)
    assert ("percent-out-of-range" in rules) == (not (0 <= low <= 100 and 0 <= high <= 100))


def _parses_as_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=8).filter(
        lambda t: not _parses_as_float(t)
    )
)
def test_numeric_cells_reject_non_numbers_property(data_copy, text):
    """Any cell that is not a number is a type error in that exact cell, never a silent NaN."""
    line = edit_cell(data_copy / "time_course.csv", 0, "value_low", text)
    problems = problems_for(data_copy, "time_course")
    assert any(p.row == line and p.column == "value_low" and p.rule == "type-error" for p in problems), [
        str(p) for p in problems
    ]


def test_line_break_inside_a_number_cell_is_not_silent(data_copy):
    """Control characters derail CSV parsing; the load must still fail, never return a frame."""
    edit_cell(data_copy / "time_course.csv", 0, "value_low", "\r")
    with pytest.raises(EvidenceValidationError, match="time_course.csv, row 2"):
        load("time_course", data_copy)
