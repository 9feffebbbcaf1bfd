"""Broken copies of the tables give one error naming file, row, column and rule."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import edit_cell, read_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.data.tables import EvidenceValidationError, load, validate_table


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


def plain(value: float) -> str:
    """The float in plain decimal, as the tables write numbers (repr would give 1e-05, which they refuse)."""
    return np.format_float_positional(value, trim="-")


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=finite, high=finite)
def test_range_rules_property(data_copy, low, high):
    """For any pair, the validator flags exactly the broken range rules: low > high, or % outside 0-100."""
    edit_cell(data_copy / "adverse_effects.csv", 0, "value_low", plain(low))
    line = edit_cell(data_copy / "adverse_effects.csv", 0, "value_high", plain(high))
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


# --- numbers that are not numbers, empty tables, encodings, locations (issue 13, items 6-9) -------


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-Infinity", "1e400"])
@pytest.mark.parametrize("table", ["adverse_effects", "time_course"])
def test_non_finite_numbers_are_errors_in_their_cell(data_copy, table, text):
    """NaN gave a raw pandas ValueError; inf and 1e400 loaded as infinity. All are errors in their cell now."""
    line = edit_cell(data_copy / f"{table}.csv", 1, "value_low", text)
    with pytest.raises(EvidenceValidationError) as info:
        load(table, data_copy)
    problem = only(info.value.problems, "finite-number")
    assert (problem.row, problem.column) == (line, "value_low")
    assert f"{table}.csv" in problem.file and repr(text) in problem.message
    assert [p.rule for p in info.value.problems] == ["finite-number"], "no knock-on range errors from an infinity"


def test_non_finite_conversion_is_an_error(data_copy):
    rows = read_rows(data_copy / "pharmacokinetics.csv")
    index = next(i for i, r in enumerate(rows) if r["stated_alt_high"])
    line = edit_cell(data_copy / "pharmacokinetics.csv", index, "stated_alt_high", "inf")
    problem = only(problems_for(data_copy, "pharmacokinetics"), "finite-number")
    assert (problem.row, problem.column) == (line, "stated_alt_high")


@pytest.mark.parametrize("table", ["response_rates", "time_course", "adverse_effects", "contradictions", "sources"])
def test_a_header_only_table_is_an_error(data_copy, table):
    path = data_copy / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    with pytest.raises(EvidenceValidationError) as info:
        load(table, data_copy)
    problem = only(info.value.problems, "no-rows")
    assert f"{table}.csv" in problem.file and problem.row == 2


def test_a_latin1_file_names_file_row_column_and_rule(data_copy):
    """A raw UnicodeDecodeError with no file name before; now the row and cell of the first bad byte."""
    path = data_copy / "adverse_effects.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[3].startswith("adv-003,liver injury,")
    lines[3] = lines[3].replace("liver injury", "liver injury (lésion hépatique)", 1)
    path.write_bytes("\n".join(lines).encode("latin-1", errors="replace"))
    with pytest.raises(EvidenceValidationError) as info:
        load("adverse_effects", data_copy)
    problems = info.value.problems
    assert {p.rule for p in problems} == {"utf-8-required"}
    assert all("UTF-8 required" in p.message and "adverse_effects.csv" in p.file for p in problems)
    first = min(problems, key=lambda p: p.row)
    assert (first.row, first.column) == (4, "effect") and "0xe9" in first.message


def test_a_bad_byte_in_the_header_is_reported_on_line_1(data_copy):
    path = data_copy / "adverse_effects.csv"
    path.write_bytes(path.read_bytes().replace(b"effect", b"eff\xe9ct", 1))
    problem = only(problems_for(data_copy, "adverse_effects"), "utf-8-required")
    assert problem.row == 1 and "0xe9" in problem.message


def test_rows_are_file_lines_after_a_cell_with_line_breaks(data_copy):
    """A note with two line breaks moves every later record two lines down the file."""
    path = data_copy / "adverse_effects.csv"
    edit_cell(path, 0, "note", "first line\nsecond line\nthird line")
    edit_cell(path, 3, "value_low", "x")  # a Frictionless type error
    edit_cell(path, 5, "value_low", "99")  # one of our own range rules
    lines = path.read_text(encoding="utf-8").split("\n")
    type_line = next(n for n, text in enumerate(lines, start=1) if text.startswith("adv-004,"))
    range_line = next(n for n, text in enumerate(lines, start=1) if text.startswith("adv-006,"))
    assert (type_line, range_line) == (7, 9)
    problems = problems_for(data_copy, "adverse_effects")
    assert (only(problems, "type-error").row, only(problems, "type-error").column) == (type_line, "value_low")
    assert only(problems, "low-above-high").row == range_line


def test_rows_are_file_lines_after_a_blank_line(data_copy):
    """A blank line is reported, and the rows after it keep their file lines in every rule."""
    path = data_copy / "adverse_effects.csv"
    edit_cell(path, 1, "value_low", "999")  # adv-002: low above high (our rule)
    edit_cell(path, 2, "effect", "")  # adv-003: a required cell (a Frictionless rule)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(2, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = problems_for(data_copy, "adverse_effects")
    assert only(problems, "blank-row").row == 3
    assert [p.rule for p in problems if p.row == 3] == ["blank-row"], "one problem for one blank line"
    assert only(problems, "low-above-high").row == lines.index(next(t for t in lines if t.startswith("adv-002,"))) + 1
    assert only(problems, "constraint-error").row == 5


@pytest.mark.parametrize("column", ["source_a", "source_b"])
def test_unknown_source_in_a_contradiction_is_reported_under_its_column(data_copy, column):
    line = edit_cell(data_copy / "contradictions.csv", 4, column, "009")
    problem = only(problems_for(data_copy, "contradictions"), "foreign-key")
    assert (problem.row, problem.column) == (line, column) and "009" in problem.message


# --- numbers are plain ASCII decimal, in validation and in load() alike (issue 21, item 7) ---------

NUMBER_RULE = (
    "write ASCII digits 0-9, an optional leading '-' and an optional '.' with digits on both sides (e.g. 12.5, -3)"
)
INTEGER_RULE = "write ASCII digits 0-9 and an optional leading '-' (e.g. 2019, -44)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5\u00a0", "trailing space (U+00A0 NO-BREAK SPACE); nothing is stripped"),
        ("\u00a05", "leading space (U+00A0 NO-BREAK SPACE); nothing is stripped"),
        ("5\u2009000", "U+2009 THIN SPACE is not an ASCII space"),
        ("\uff15", "U+FF15 FULLWIDTH DIGIT FIVE is not an ASCII digit"),
        ("\u0665", "U+0665 ARABIC-INDIC DIGIT FIVE is not an ASCII digit"),
        ("1_0", "'_' is a digit separator, which the tables do not use"),
        (" 5", "leading space (U+0020 SPACE); nothing is stripped"),
        ("5 ", "trailing space (U+0020 SPACE); nothing is stripped"),
        ("+5", "a leading '+'"),
        ("1e1", "an exponent ('e'); write the digits out"),
        (".5", "a misplaced '-' or '.'"),
    ],
)
@pytest.mark.parametrize(
    ("table", "column", "kind"), [("adverse_effects", "value_low", "number"), ("prevalence", "year_start", "integer")]
)
def test_a_number_not_in_ascii_decimal_is_one_error_in_validation_and_load(
    data_copy, table, column, kind, text, reason
):
    """Some passed validation and crashed load() with a bare pandas ValueError; " 5" loaded as 5.0."""
    rows = read_rows(data_copy / f"{table}.csv")
    index = next(i for i, r in enumerate(rows) if r[column])
    line = edit_cell(data_copy / f"{table}.csv", index, column, text)
    expected = (
        f"{data_copy / f'{table}.csv'}, row {line}, column {column!r}: [type-error] value {text!r} is not "
        f"{'a number' if kind == 'number' else 'an integer'} in ASCII decimal: {reason}; "
        f"{NUMBER_RULE if kind == 'number' else INTEGER_RULE}"
    )
    assert [str(p) for p in problems_for(data_copy, table)] == [expected], "one error, no knock-on ones"
    with pytest.raises(EvidenceValidationError) as info:
        load(table, data_copy)
    assert [str(p) for p in info.value.problems] == [expected]


def test_a_decimal_in_an_integer_column_names_the_point(data_copy):
    rows = read_rows(data_copy / "response_rates.csv")
    index = next(i for i, r in enumerate(rows) if r["sample_n"])
    line = edit_cell(data_copy / "response_rates.csv", index, "sample_n", "12.0")
    problem = only(problems_for(data_copy, "response_rates"), "type-error")
    assert (problem.row, problem.column) == (line, "sample_n")
    assert problem.message == (
        f"value '12.0' is not an integer in ASCII decimal: a decimal point in a column of whole numbers; {INTEGER_RULE}"
    )


def test_an_integer_too_large_for_the_frame_is_an_error_not_a_crash(data_copy):
    line = edit_cell(data_copy / "prevalence.csv", 0, "year_end", "9" * 50)
    with pytest.raises(EvidenceValidationError) as info:
        load("prevalence", data_copy)
    problem = only(info.value.problems, "integer-range")
    assert (problem.row, problem.column) == (line, "year_end") and "(50 digits)" in problem.message


numberish = st.text(st.sampled_from("0123456789-.+_e \u00a0\u2009\uff15\u0665,"), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=numberish, year=numberish)
def test_validation_and_load_agree_on_any_number_cell_property(data_copy, low, year):
    """Whatever is in a number or integer cell, load() either returns the frame validation passed or
    raises the problems validation found: never a bare ValueError, never a stripped or converted value."""
    edit_cell(data_copy / "response_rates.csv", 0, "value_low", low)
    edit_cell(data_copy / "response_rates.csv", 0, "sample_n", year)
    problems = problems_for(data_copy, "response_rates")
    try:
        frame = load("response_rates", data_copy)
    except EvidenceValidationError as error:
        assert error.problems == problems and problems
        return
    assert not problems
    # accepted only as written: the grammar, with nothing around or inside the digits
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", low) and re.fullmatch(r"-?[0-9]+", year), (low, year)
    assert frame["value_low"].iloc[0] == float(low) and frame["sample_n"].iloc[0] == int(year)
