"""The audit's reasons hold: a rank, a price, a century or a share is never filed as an "ordinal or
label" or a "mechanism without a figure", and a vague attribution is never a study cue.

Each test plants a deliberately wrong row in a copy of data/ and asserts the message that names it.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit_cell, read_rows

from helpers.data.labels import cue_fits
from helpers.data.ledger import KIND_REASONS, kinds_of, reason_problems
from helpers.data.tables import EvidenceValidationError, load

ROOT = Path(__file__).resolve().parent.parent
STUDY = "study, design not stated"


def plant(data_dir: Path, source_id: str, number: str, context: str, reason: str) -> int:
    """Append one ledger row to the copy's not_figures.csv; returns its file line."""
    path = data_dir / "not_figures.csv"
    rows = read_rows(path)
    rows.append({"source_id": source_id, "number": number, "context_text": context, "reason": reason})
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows) + 1


def test_the_committed_ledger_gives_every_kind_a_reason_it_allows():
    assert reason_problems() == []


# The findings of the second reading (issue 20), filed again as they were.
FINDINGS = [
    ("003", "10", ",362) in 2016. Additionally, suicide was the 10th leading cause of dea", "ordinal or label", "rank"),
    (
        "004",
        "21",
        "It’s only now, in the 21st century, that breakthroughs, knowledge, an",
        "ordinal or label",
        "century",
    ),
    ("000", "thousand", "the drug is estimated to value a number of thousand dollars", "ordinal or label", "price"),
    ("003", "20", "accounts for less than 20% of the receptor", "mechanism without a figure", "share"),
    (
        "000",
        "half",
        "is that half of the brand new dendritic peaks disappear as",
        "mechanism without a figure",
        "share",
    ),
    ("003", "majority", "which accounts for the majority of its benefits", "mechanism without a figure", "share"),
]


@pytest.mark.parametrize("finding", FINDINGS, ids=[f"{f[4]}-{f[1]}" for f in FINDINGS])
def test_a_number_of_a_checked_kind_filed_with_a_wrong_reason_fails(data_copy, finding):
    source_id, number, context, reason, kind = finding
    line = plant(data_copy, source_id, number, context, reason)
    (problem,) = reason_problems(data_copy)
    assert problem.startswith(f"data/not_figures.csv row {line}: {number!r}")
    assert f"is a {kind}, which cannot be {reason!r}" in problem
    assert f"reasons allowed for a {kind}: {', '.join(KIND_REASONS[kind])}" in problem


def test_make_data_fails_on_a_rank_filed_as_an_ordinal(data_copy):
    """The real command `make data` runs, on a copy with one bad row: exit status 1 and the message."""
    line = plant(
        data_copy, "003", "second-most", "Ketamine has been the second-most used illegal drug", "ordinal or label"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.data.check", "--data-dir", str(data_copy)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ledger: 1 reason(s)" in done.stdout
    assert f"data/not_figures.csv row {line}: 'second-most'" in done.stderr
    assert "is a rank, which cannot be 'ordinal or label'" in done.stderr


def test_the_reasons_allowed_still_pass(data_copy):
    plant(data_copy, "003", "10", "suicide was the 10th leading cause of death", "duplicate of a recorded figure")
    plant(data_copy, "003", "20", "accounts for less than 20% of the receptor", "mechanism figure outside the families")
    plant(data_copy, "000", "half", "discovery half a century", "background outside the families")
    assert reason_problems(data_copy) == []


def test_kinds_are_read_where_the_number_stands():
    assert kinds_of("10", "suicide was the 10th leading cause") == ["rank"]
    assert kinds_of("21", "in the 21st century, that") == ["century"]
    assert kinds_of("6.00", "as cheap as $6.00/gram") == ["price"]
    assert kinds_of("thousand", "a number of thousand dollars") == ["price"]
    assert kinds_of("a majority", "A majority of patients") == ["share"]
    assert kinds_of("most", "most patients relapse") == ["share"]
    assert kinds_of("80", "The other 80% are called") == ["share"]
    assert kinds_of("581", "the developmental code name CI-581.") == []  # a label stays a label
    assert kinds_of("2", "the combination of 2 types of antidepressants") == []


# --- study cues --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cue",
    ["In some scientific reports", "One report stated", "research shows", "Reports show", "later research discovered"],
)
def test_a_vague_attribution_is_no_study_cue(cue):
    assert not cue_fits(STUDY, cue)


@pytest.mark.parametrize(
    "cue",
    ["The 1997 research found", "Dutch researchers recently found", "One study showed", "the 2018 report found"],
)
def test_a_cue_that_names_one_study_is_a_study_cue(cue):
    assert cue_fits(STUDY, cue)


def test_scientific_reports_laundered_into_a_study_fails(data_copy):
    """resp-016 rests on "In some scientific reports": labelling it a study is an error naming the row."""
    path = data_copy / "response_rates.csv"
    index = next(i for i, r in enumerate(read_rows(path)) if r["id"] == "resp-016")
    edit_cell(path, index, "evidence_kind", STUDY)
    line = edit_cell(path, index, "evidence_cue", "In some scientific reports")
    with pytest.raises(EvidenceValidationError) as info:
        load("response_rates", data_copy)
    problem = next(p for p in info.value.problems if p.rule == "cue-fits-kind")
    assert (problem.row, problem.column) == (line, "evidence_cue")
    assert "'In some scientific reports'" in problem.message and STUDY in problem.message
