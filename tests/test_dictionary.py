"""The data dictionary describes every column once, and the files follow it."""

from __future__ import annotations

import csv

import pytest

from helpers.data.dictionary import (
    DATAPACKAGE_PATH,
    datapackage_json,
    dictionary,
    family_names,
    table_fields,
    table_names,
)
from helpers.data.provenance import DATA_DIR
from helpers.data.tables import load


def test_every_field_has_description_type_and_known_type():
    for name, spec in dictionary()["fields"].items():
        assert spec.get("description", "").strip(), f"field {name} has no description"
        assert spec["type"] in {"string", "number", "integer", "boolean"}, f"field {name} type {spec['type']}"


def test_every_described_field_is_used_by_some_table():
    used = {f for t in table_names() for f in table_fields(t)}
    assert set(dictionary()["fields"]) - used == set()


@pytest.mark.parametrize("table", table_names())
def test_csv_header_matches_dictionary_and_uses_lf(table):
    path = DATA_DIR / f"{table}.csv"
    raw = path.read_bytes()
    assert b"\r\n" not in raw
    raw.decode("utf-8")
    with open(path, encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == table_fields(table)


def test_datapackage_json_is_generated_from_dictionary():
    assert DATAPACKAGE_PATH.read_text(encoding="utf-8") == datapackage_json(), "run `make datapackage`"


def test_datapackage_is_valid_frictionless_package():
    from frictionless import Package

    report = Package(str(DATAPACKAGE_PATH)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("table", table_names())
def test_load_types_follow_dictionary(table):
    frame = load(table)
    assert list(frame.columns) == table_fields(table)
    assert len(frame) > 0
    for column in frame.columns:
        spec = dictionary()["fields"][column]
        if spec.get("enum"):
            assert isinstance(frame[column].dtype, __import__("pandas").CategoricalDtype), column
            assert list(frame[column].cat.categories) == spec["enum"]
        elif spec["type"] == "number":
            assert frame[column].dtype == "float64", column


def test_families_have_quotes_and_evidence_kind():
    for table in family_names():
        frame = load(table)
        assert frame["quote"].notna().all() and (frame["quote"].str.len() > 0).all()
        assert frame["evidence_kind"].notna().all(), f"{table}: every figure needs an evidence kind"
