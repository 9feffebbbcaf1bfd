"""The loader at scale and against table files that are not files (issue 21, items 6 and 12).

A 20,000-row table is validated in linear time (the time is in benchmarks/bench_loader.py; here,
that every problem is counted and the message says what it leaves out). A symbolic link out of
the data folder, a folder, a device and a FIFO are each refused by name before a byte is read.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from conftest import edit_cell
from table_support import big_table

from helpers.data.tables import LISTED, EvidenceValidationError, load, validate_table

ROWS = 20_000


def test_every_problem_of_a_20000_row_table_is_counted_and_the_cut_is_said(tmp_path):
    """Frictionless stopped at 1,000 errors and the message listed them as if they were all."""
    data = big_table(tmp_path / "data", ROWS, bad_column="value_low")
    with pytest.raises(EvidenceValidationError) as info:
        load("response_rates", data)
    problems = info.value.problems
    assert len(problems) == ROWS
    assert {p.row for p in problems} == set(range(2, ROWS + 2)), "one problem per file line, none dropped"
    assert {(p.column, p.rule) for p in problems} == {("value_low", "type-error")}
    lines = str(info.value).splitlines()
    assert lines[0] == f"{ROWS} problem(s) in the evidence tables:"
    assert len(lines) == 1 + LISTED + 1
    assert lines[-1] == f"  ... and {ROWS - LISTED:,} more (the error's .problems lists them all)"
    assert "[type-error] value 'x' is not a number in ASCII decimal: 'x' is not a digit; write" in lines[-2]
    assert f"row {LISTED + 1}, column 'value_low'" in lines[-2]


def test_a_20000_row_valid_table_loads_whole(tmp_path):
    data = big_table(tmp_path / "data", ROWS)
    frame = load("response_rates", data)
    assert len(frame) == ROWS and frame["id"].is_unique


def test_a_short_list_is_not_cut(data_copy):
    for index in range(3):
        edit_cell(data_copy / "response_rates.csv", index, "value_low", "x")
    with pytest.raises(EvidenceValidationError) as info:
        load("response_rates", data_copy)
    assert "3 problem(s)" in str(info.value) and "more" not in str(info.value)


# --- table files that are not regular files ---------------------------------------------------


def refused(data: Path, table: str = "response_rates"):
    """The one problem for ``table``, from validation and from load(), which must agree; within 20 s
    (a FIFO opened for reading blocks until a writer comes: a hang fails here instead of stalling)."""
    outcome: dict = {}

    def run():
        outcome["problems"] = validate_table(table, data)
        try:
            load(table, data)
        except EvidenceValidationError as error:
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"validating {table} hung"
    [problem] = outcome["problems"]
    assert outcome["error"].problems == [problem]
    return problem


def test_a_symlink_to_etc_passwd_is_refused_without_its_content(data_copy):
    first_line = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    link = data_copy / "response_rates.csv"
    link.unlink()
    link.symlink_to("/etc/passwd")
    problem = refused(data_copy)
    assert problem.rule == "outside-data-folder" and problem.file == str(link)
    assert problem.message.startswith("response_rates.csv is a symbolic link to /etc/passwd, outside the data folder")
    assert first_line not in str(problem) and "root:" not in str(problem)


def test_a_symlink_to_dev_zero_is_refused_before_reading(data_copy):
    link = data_copy / "adverse_effects.csv"
    link.unlink()
    link.symlink_to("/dev/zero")
    problem = refused(data_copy, "adverse_effects")
    assert problem.rule == "outside-data-folder" and "symbolic link to /dev/zero" in problem.message


def test_a_symlink_inside_the_data_folder_is_followed(data_copy):
    (data_copy / "kept").mkdir()
    (data_copy / "adverse_effects.csv").rename(data_copy / "kept" / "adverse_effects.csv")
    (data_copy / "adverse_effects.csv").symlink_to(Path("kept") / "adverse_effects.csv")
    assert len(load("adverse_effects", data_copy)) > 0


def test_a_folder_is_refused_by_name(data_copy):
    path = data_copy / "milestones.csv"
    path.unlink()
    path.mkdir()
    problem = refused(data_copy, "milestones")
    assert (problem.rule, problem.file) == ("not-a-file", str(path))
    assert problem.message.startswith("milestones.csv is a folder, not a regular file")


def test_a_fifo_is_refused_without_hanging(data_copy):
    path = data_copy / "time_course.csv"
    path.unlink()
    os.mkfifo(path)
    problem = refused(data_copy, "time_course")
    assert problem.rule == "not-a-file" and "time_course.csv is a named pipe (FIFO)" in problem.message


def test_a_fifo_in_place_of_sources_is_refused_for_a_table_that_reads_it(data_copy):
    """Frictionless reads sources.csv to check every source id: it too is checked before."""
    path = data_copy / "sources.csv"
    path.unlink()
    os.mkfifo(path)
    problem = refused(data_copy, "response_rates")
    assert problem.file == str(path) and "sources.csv is a named pipe (FIFO)" in problem.message


def test_a_character_device_in_the_data_folder_is_refused(data_copy):
    """/dev/zero itself (its device number) as a table file; making one needs CAP_MKNOD."""
    path = data_copy / "prevalence.csv"
    path.unlink()
    zero = os.stat("/dev/zero").st_rdev
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, zero)
    except PermissionError:
        pytest.skip("cannot make a device file here (no CAP_MKNOD); the symlink-to-/dev/zero test covers reading")
    problem = refused(data_copy, "prevalence")
    assert problem.rule == "not-a-file" and "prevalence.csv is a character device" in problem.message
