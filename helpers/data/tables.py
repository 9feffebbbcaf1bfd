"""Load the evidence tables as validated, typed DataFrames.

``load("response_rates")`` validates the file on every call (schema checks by
Frictionless, cross-field rules below; Frictionless's verdict on bytes it has already
judged is kept, :mod:`helpers.data.verdicts`) and raises one
:class:`EvidenceValidationError` listing every problem with its file, row,
column and rule. Nothing is coerced or dropped: a cell that does not parse is
an error, not a NaN; so are NaN, infinity and numbers that overflow ("1e400"),
numbers not written in plain ASCII decimal (helpers.data.numbers), a file that is
not UTF-8, a table with a header but no rows, and a table file that is not a
regular file inside the data folder (helpers.data.files). Rows are file lines
(the header is line 1), also after a cell that holds a line break.

Validation is linear in rows, and every problem is counted; the error's message
lists the first :data:`LISTED` and says how many more there are.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.data.dictionary import (
    SOURCE_COLUMNS,
    datapackage,
    dictionary,
    family_names,
    field_spec,
    table_fields,
    table_names,
)
from helpers.data.files import Refused, read_data_file
from helpers.data.labels import label_problems, note_problems
from helpers.data.numbers import number_problem, parse_number
from helpers.data.provenance import DATA_DIR
from helpers.data.units import CONCENTRATION_UNITS, HOURS_PER, agrees_within_rounding, convert_concentration
from helpers.data.verdicts import schema_verdict


@dataclass(frozen=True)
class Problem:
    """One broken cell or row: where it is and which rule it breaks."""

    file: str
    row: int | None  # line in the CSV file where the record starts (the header is line 1)
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: [{self.rule}] {self.message}"


# The message lists this many problems, then says how many more there are; ``problems`` holds all.
LISTED = 1000


class EvidenceValidationError(ValueError):
    """A table broke one or more rules; ``problems`` lists every one, the message the first LISTED."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the evidence tables:"] + [f"  - {p}" for p in problems[:LISTED]]
        if len(problems) > LISTED:
            lines.append(f"  ... and {len(problems) - LISTED:,} more (the error's .problems lists them all)")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class _Parsed:
    """A CSV file split into records, each with the file line it starts on."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (file line, cells) of every non-blank record
    record_lines: list[int]  # file line of every record after the header, blank ones included
    problems: list[Problem]


def _lines(text: str) -> list[str]:
    """The text cut after every LF only, so a record's position is its line in an editor."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _parse(path: Path, raw: bytes) -> _Parsed:
    """Decode ``raw``, the bytes of ``path`` (UTF-8 only), and split it into records, keeping each
    record's file line.

    A cell may hold a line break, so a record's file line is not its record number;
    every problem is reported at the file line where its record starts. A byte that
    is not UTF-8 is reported in its cell, never decoded as something else.
    """
    file = str(path)
    text = raw.decode("utf-8", errors="surrogateescape")
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    record_lines: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(_lines(text))
    start = 1
    try:
        for cells in reader:
            if header is None:
                header = cells
            else:
                record_lines.append(start)
                if cells:
                    rows.append((start, dict(zip(header, cells, strict=False))))
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(file, start, None, "csv-syntax", f"the file is not valid CSV here: {error}"))
    header = header or []
    bad_cells = [(line, column, cell) for line, row in rows for column, cell in row.items() if _NOT_UTF8.search(cell)]
    for line, column, cell in bad_cells:
        byte = ord(_NOT_UTF8.search(cell).group()) - 0xDC00
        problems.append(Problem(file, line, column, "utf-8-required", _not_utf8(byte)))
    if not bad_cells and (match := _NOT_UTF8.search(text)):
        line = text[: match.start()].count("\n") + 1
        problems.append(Problem(file, line, None, "utf-8-required", _not_utf8(ord(match.group()) - 0xDC00)))
    return _Parsed(header, rows, record_lines, problems)


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, as surrogateescape keeps them


def _not_utf8(byte: int) -> str:
    return f"UTF-8 required: byte 0x{byte:02x} is not UTF-8 (a Latin-1 or Windows-1252 file?); save the file as UTF-8"


def _schema_problems(table: str, data_dir: Path, parsed: _Parsed) -> list[Problem]:
    """Types, required cells, enums, patterns, lengths, unique ids and known sources (Frictionless).

    Frictionless numbers records (header = 1); the parsed file turns them into file lines.
    """
    record_lines = parsed.record_lines
    started = {line for line, _ in parsed.rows}  # once: a set rebuilt per record made this quadratic
    blank_rows = {number for number, line in enumerate(record_lines, start=2) if line not in started}
    from frictionless import Package

    descriptor = datapackage()
    # The table and sources.csv (its source ids) only: Frictionless checks every resource's descriptor
    # when it builds a package, 16 ms with all ten tables against 3.5 ms with these two.
    needed = {**descriptor, "resources": [r for r in descriptor["resources"] if r["name"] in (table, "sources")]}
    package = Package(needed, basepath=str(data_dir))
    # every error, not Frictionless's first 1,000: the count is exact and the message says what it leaves out
    report = package.get_resource(table).validate(limit_errors=sys.maxsize)
    file = str(data_dir / f"{table}.csv")
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    primary_key = resource["schema"].get("primaryKey", [None])[0]
    problems = []
    # the errors' attributes, not report.flatten(): that exports each error to a dict, 3 s per 20,000 errors
    for error in [*report.errors, *(e for task in report.tasks for e in task.errors)]:
        row, column, cell = (getattr(error, name, None) for name in ("row_number", "field_name", "cell"))
        kind, note, message = error.type, error.note, error.message
        if kind == "primary-key" and row in blank_rows:
            continue  # a blank line is one problem (blank-row), not also an empty id
        if row is not None and 2 <= row < len(record_lines) + 2:
            row = record_lines[row - 2]
        if kind == "foreign-key":
            # the note reads 'for "source_b": values "009" not found ... as "source_id"': the column is the first name
            named = re.search(r'for "(\w+)"', note)
            column = named.group(1) if named and named.group(1) in SOURCE_COLUMNS else column
            text = f"unknown source id: {note}; sources.csv lists the valid ids"
        elif kind in ("type-error", "constraint-error"):
            text = f"value {cell!r} breaks {note}"
        elif kind in ("unique-error", "primary-key"):
            column = column or primary_key
            kind = "duplicate-id"
            text = f"value {cell!r} is {note}" if cell else message
        else:
            text = message
        problems.append(Problem(file, row, column, kind, text))
    return problems


def _number(text: str | None) -> float | None:
    """The cell as a finite float, or None (empty, or not a plain decimal number: reported elsewhere)."""
    return parse_number(text or "")


def _number_problems(file: str, line: int, row: dict[str, str]) -> list[Problem]:
    """Every non-empty number or integer cell must be a finite plain ASCII decimal (helpers.data.numbers):
    Frictionless accepts " 5", "1_0", "٥" and NaN, which load() then coerced or crashed on."""
    problems = []
    for column, cell in row.items():
        kind = _NUMERIC_COLUMNS.get(column)
        if kind and cell != "" and (found := number_problem(cell, kind)):
            problems.append(Problem(file, line, column, *found))
    return problems


def _row_problems(table: str, data_dir: Path, rows: list[tuple[int, dict[str, str]]]) -> list[Problem]:
    """Rules across columns that a column schema cannot state; ``rows`` pairs each row with its file line."""
    file = str(data_dir / f"{table}.csv")
    problems: list[Problem] = []
    for line, row in rows:

        def bad(column: str | None, rule: str, message: str, line: int = line) -> None:
            problems.append(Problem(file, line, column, rule, message))

        problems.extend(_number_problems(file, line, row))
        labels = label_problems(row) if table in family_names() else []
        for column, rule, message in labels + note_problems(row, table_fields(table)):
            bad(column, rule, message)

        low, high = _number(row.get("value_low", "")), _number(row.get("value_high", ""))
        if "value_low" in row:
            never = row.get("value_status") == "never measured"
            if never and (low is not None or high is not None):
                bad(
                    "value_low",
                    "never-measured-has-value",
                    "a figure marked 'never measured' must leave value_low/value_high empty",
                )
            if not never and row.get("value_low", "") == "":
                bad("value_low", "value-required", "value_low is empty; only value_status 'never measured' may omit it")
            if not never and row.get("value_high", "") == "":
                bad("value_high", "value-required", "value_high is empty; give value_low again for a single figure")
            if low is not None and high is not None and low > high:
                bad("value_high", "low-above-high", f"value_low {low:g} is above value_high {high:g}")
            if row.get("unit") == "%":
                for column, value in (("value_low", low), ("value_high", high)):
                    if value is not None and not 0 <= value <= 100:
                        bad(column, "percent-out-of-range", f"{value:g}% is outside 0-100")
        start, end = _number(row.get("year_start", "")), _number(row.get("year_end", ""))
        if start is not None and end is not None and start > end:
            bad("year_end", "low-above-high", f"year_start {start:g} is after year_end {end:g}")
        if table == "time_course":
            unit = row.get("unit", "")
            for value, column in ((low, "duration_low_h"), (high, "duration_high_h")):
                stated = _number(row.get(column, ""))
                if unit in HOURS_PER and value is not None:
                    expected = value * HOURS_PER[unit]
                    if stated is None or not math.isclose(stated, expected, rel_tol=1e-3, abs_tol=1e-3):
                        bad(
                            column,
                            "hours-mismatch",
                            f"{row.get(column)!r} should be {expected:.4g} ({value:g} {unit} in hours)",
                        )
                elif unit not in HOURS_PER and stated is not None:
                    bad(column, "hours-for-non-time", f"unit {unit!r} is not a duration; leave {column} empty")
        if table == "pharmacokinetics":
            problems.extend(_conversion_problems(file, line, row, low, high))
    return problems


def _conversion_problems(file: str, line: int, row: dict[str, str], low, high) -> list[Problem]:
    """The stored conversion_check must say what the arithmetic says."""

    def bad(column: str, rule: str, message: str) -> list[Problem]:
        return [Problem(file, line, column, rule, message)]

    alt_unit, unit = row.get("stated_alt_unit", ""), row.get("unit", "")
    stored = row.get("conversion_check", "")
    if not (row.get("stated_alt_low") or row.get("stated_alt_high")):
        return (
            []
            if stored == "n/a"
            else bad(
                "conversion_check", "conversion-check", f"no stated conversion, so it must be 'n/a', not {stored!r}"
            )
        )
    if unit not in CONCENTRATION_UNITS or alt_unit not in CONCENTRATION_UNITS:
        return bad(
            "stated_alt_unit", "conversion-units", f"cannot convert {unit!r} to {alt_unit!r}; use {CONCENTRATION_UNITS}"
        )
    agree = all(
        agrees_within_rounding(convert_concentration(value, unit, alt_unit), row[column])
        for value, column in ((low, "stated_alt_low"), (high, "stated_alt_high"))
        if value is not None and _number(row.get(column)) is not None  # a broken cell is reported once, as itself
    )
    expected = "agrees" if agree else "disagrees"
    if stored != expected:
        return bad(
            "conversion_check",
            "conversion-check",
            f"the document's conversion {expected} with ours, but the row says {stored!r}",
        )
    return []


def validate_table(table: str, data_dir: Path | str = DATA_DIR) -> list[Problem]:
    """Every problem in one table (empty when it is valid)."""
    return _checked(table, data_dir)[0]


def _checked(table: str, data_dir: Path | str) -> tuple[list[Problem], list[dict[str, str]]]:
    """Every problem in one table, and its rows as read: load() types the very bytes that were validated."""
    table_fields(table)  # unknown table -> KeyError listing the choices
    data_dir = Path(data_dir)
    path = data_dir / f"{table}.csv"
    if not path.exists() and not path.is_symlink():
        return [Problem(str(path), None, None, "missing-file", f"no file for table {table!r}")], []
    # the table, and sources.csv that Frictionless reads for its source ids: refused before either is read
    needed = [path] + ([data_dir / "sources.csv"] if table != "sources" and _has_sources(table) else [])
    contents = []
    for file in needed:
        try:
            contents.append(read_data_file(file, data_dir))
        except Refused as refused:
            return [Problem(str(file), None, None, refused.rule, refused.message)], []
    raw = contents[0]
    parsed = _parse(path, raw)
    if parsed.problems:  # not UTF-8 or not CSV: nothing further can be read reliably
        return parsed.problems, []
    header, expected = parsed.header, table_fields(table)
    if header != expected:
        return [
            Problem(str(path), 1, None, "header", f"header {header} should be {expected} (see data/dictionary.yaml)")
        ], []
    if not parsed.rows:
        return [Problem(str(path), 2, None, "no-rows", "the file has a header but no rows; every table needs rows")], []
    problems = []
    if b"\r\n" in raw:
        problems.append(Problem(str(path), None, None, "line-endings", "CRLF line endings; the tables use LF"))
    ours = _row_problems(table, data_dir, parsed.rows)
    # a numeric cell's type error is ours (it names the character and the rule), not also Frictionless's
    typed = {(p.row, p.column) for p in ours if p.rule in _NUMBER_RULES}
    # Kept by the bytes Frictionless reads, in this process and on disk once valid (helpers.data.verdicts)
    schema = schema_verdict(table, data_dir, datapackage(), contents, lambda: _schema_problems(table, data_dir, parsed))
    problems += [p for p in schema if (p.row, p.column) not in typed]
    problems = sorted(set(problems + ours), key=lambda p: (p.row or 0, p.column or "", p.rule))
    return problems, [row for _, row in parsed.rows]


_NUMERIC_COLUMNS = {n: f["type"] for n, f in dictionary()["fields"].items() if f["type"] in ("number", "integer")}
_NUMBER_RULES = frozenset({"type-error", "finite-number", "integer-range"})


def _has_sources(table: str) -> bool:
    return any(column in SOURCE_COLUMNS for column in table_fields(table))


def _dtype(column: str):
    spec = field_spec(column)
    if spec.get("enum"):
        return pd.CategoricalDtype(categories=spec["enum"])
    return {"string": "string", "number": "float64", "integer": "Int64", "boolean": "boolean"}[spec["type"]]


def _typed(table: str, rows: list[dict[str, str]]) -> pd.DataFrame:
    """Typed frame from already-validated rows: empty cells become NA, enums categoricals."""
    frame = pd.DataFrame(rows, columns=table_fields(table), dtype="string")
    for column in frame.columns:
        kind = field_spec(column)["type"]
        cells = frame[column].mask(frame[column] == "")
        if kind == "number":
            cells = pd.to_numeric(cells, errors="raise").astype("float64")
        elif kind == "integer":
            cells = pd.to_numeric(cells, errors="raise").astype("Int64")
        elif kind == "boolean":
            cells = cells.map({"true": True, "false": False}).astype("boolean")
        frame[column] = cells.astype(_dtype(column))
    frame.attrs["table"] = table
    return frame


def load(table: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """A validated, typed table. Raises EvidenceValidationError listing every problem."""
    problems, rows = _checked(table, data_dir)
    if problems:
        raise EvidenceValidationError(problems)
    return _typed(table, rows)


def load_all(data_dir: Path | str = DATA_DIR) -> dict[str, pd.DataFrame]:
    """Every table, validated; one error lists the problems of all tables."""
    checked = {table: _checked(table, data_dir) for table in table_names()}
    problems = [p for found, _ in checked.values() for p in found]
    if problems:
        raise EvidenceValidationError(problems)
    return {table: _typed(table, rows) for table, (_, rows) in checked.items()}


def with_sources(frame: pd.DataFrame, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """The frame with each row's source title, publisher and publisher kind joined on."""
    sources = load("sources", data_dir)[["source_id", "title", "publisher", "publisher_kind"]]
    sources = sources.rename(columns={"title": "source_title"})
    merged = frame.merge(sources, on="source_id", how="left", validate="many_to_one")
    merged.attrs.update(frame.attrs)
    return merged


def where(row_id: str, data_dir: Path | str = DATA_DIR) -> dict[str, Any]:
    """Where a figure comes from, in one step: document, heading, sentence, line number and the
    words that justify its evidence kind (evidence_cue).

    ``where("resp-019")`` -> {"table": "response_rates", "source": "003 · Reconscious Medical ...", ...}
    """
    from helpers.data.provenance import seeds_dir, source_text

    prefixes = {}
    for table in family_names():
        frame = load(table, data_dir)
        prefixes[table] = frame["id"].str.split("-").str[0].iloc[0]
        match = frame[frame["id"] == row_id]
        if len(match):
            row = match.iloc[0]
            source = load("sources", data_dir).set_index("source_id").loc[row["source_id"]]
            line = None
            if seeds_dir() is not None:
                text = source_text(row["source_id"])
                line = text[: text.index(row["quote"])].count("\n") + 1 if row["quote"] in text else None
            return {
                "table": table,
                "id": row_id,
                "source": f"{row['source_id']} · {source['publisher']}: {source['title']} ({source['publisher_kind']})",
                "file": f"{source['file_name']}" + (f", line {line}" if line else ""),
                "section": row["section"],
                "quote": row["quote"],
                "evidence_kind": row["evidence_kind"],
                "evidence_cue": row["evidence_cue"] if pd.notna(row["evidence_cue"]) else "",
                "qualifier": row["qualifier"],
                "note": row["note"] if pd.notna(row["note"]) else "",
            }
    choices = ", ".join(f"{p}-NNN ({t})" for t, p in prefixes.items())
    raise KeyError(f"no figure with id {row_id!r}; ids look like {choices}")
