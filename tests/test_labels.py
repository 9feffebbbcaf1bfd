"""Evidence labels that prove themselves: every kind and hedge is justified by words of the source."""

from __future__ import annotations

import csv

import pytest
from conftest import edit_cell, read_rows

from helpers.data.check import audit_problems, cue_problems
from helpers.data.dictionary import family_names
from helpers.data.labels import HEDGE_WORDS, KIND_CUES, UNATTRIBUTED, cue_fits, hedge_stated, paragraph_problems
from helpers.data.provenance import numbers_in, source_text
from helpers.data.tables import EvidenceValidationError, load, load_all, validate_table, where


def index_of(path, row_id: str) -> int:
    return next(i for i, r in enumerate(read_rows(path)) if r["id"] == row_id)


def problems_with(data_dir, table: str, rule: str):
    found = [p for p in validate_table(table, data_dir) if p.rule == rule]
    assert found, f"expected a {rule} problem in {table}"
    return found


# --- the committed tables ---------------------------------------------------------------------


def test_every_attributed_figure_has_a_cue_of_its_kind_and_every_unattributed_one_none():
    for table in family_names():
        for row in load(table).to_dict("records"):
            cue = row["evidence_cue"] if isinstance(row["evidence_cue"], str) else ""
            if row["evidence_kind"] == UNATTRIBUTED:
                assert cue == "", row["id"]
            else:
                assert cue_fits(row["evidence_kind"], cue), (row["id"], row["evidence_kind"], cue)
            assert hedge_stated(row["qualifier"], row["quote"], cue), (row["id"], row["qualifier"])


def test_every_cue_stands_in_the_paragraph_of_its_quote(seeds):
    assert cue_problems(load_all()) == []


def test_every_kind_and_hedge_has_cue_words():
    kinds = set(load("response_rates")["evidence_kind"].cat.categories)
    assert set(KIND_CUES) == kinds and all(KIND_CUES[k] for k in kinds - {UNATTRIBUTED})
    qualifiers = set(load("response_rates")["qualifier"].cat.categories)
    assert set(HEDGE_WORDS) == qualifiers and all(HEDGE_WORDS[q] for q in qualifiers - {"none"})


# --- deliberately wrong labels fail ------------------------------------------------------------


def test_a_report_laundered_into_a_clinicians_report_fails(data_copy):
    """'One report stated' names no clinician: labelling it a clinician's report is an error."""
    path = data_copy / "response_rates.csv"
    index = index_of(path, "resp-013")
    assert "One report stated" in read_rows(path)[index]["quote"]
    edit_cell(path, index, "evidence_kind", "clinician's report")
    line = edit_cell(path, index, "evidence_cue", "One report stated")
    problem = problems_with(data_copy, "response_rates", "cue-fits-kind")[0]
    assert (problem.row, problem.column) == (line, "evidence_cue")
    assert "'One report stated'" in problem.message and "clinician's report" in problem.message


def test_a_study_upgraded_to_a_randomized_trial_fails(data_copy):
    path = data_copy / "response_rates.csv"
    index = index_of(path, "resp-011")  # "Dutch researchers recently found"
    line = edit_cell(path, index, "evidence_kind", "randomized trial")
    with pytest.raises(EvidenceValidationError) as info:
        load("response_rates", data_copy)
    problem = next(p for p in info.value.problems if p.rule == "cue-fits-kind")
    assert (problem.row, problem.column) == (line, "evidence_cue") and "Dutch researchers" in problem.message


def test_an_attributed_kind_without_a_cue_fails(data_copy):
    path = data_copy / "time_course.csv"
    line = edit_cell(path, index_of(path, "time-051"), "evidence_cue", "")
    problem = problems_with(data_copy, "time_course", "evidence-cue")[0]
    assert (problem.row, problem.column) == (line, "evidence_cue") and "animal study" in problem.message


def test_an_unattributed_claim_with_a_cue_fails(data_copy):
    path = data_copy / "time_course.csv"
    line = edit_cell(path, index_of(path, "time-030"), "evidence_cue", "Clinical studies show")
    problem = problems_with(data_copy, "time_course", "evidence-cue")[0]
    assert problem.row == line and "unattributed" in problem.message


def test_a_hedge_the_text_does_not_state_fails(data_copy):
    path = data_copy / "time_course.csv"
    index = index_of(path, "time-029")  # "The effect is diminished at 7 days"
    line = edit_cell(path, index, "qualifier", "about")
    problem = problems_with(data_copy, "time_course", "hedge-stated")[0]
    assert (problem.row, problem.column) == (line, "qualifier") and "'about'" in problem.message


def test_a_cue_from_another_paragraph_fails(seeds):
    text = source_text("003")
    quote = "most patients relapse within 10 days"
    assert paragraph_problems(text, quote, "A Cochrane systematic review has shown")  # verbatim, elsewhere
    assert paragraph_problems(text, quote, "A randomized trial showed")  # not in the document
    assert paragraph_problems(text, quote, "reaching the peak at 24 hours") == []


def test_a_wrong_cue_in_a_copy_is_reported_by_make_data(seeds, data_copy):
    path = data_copy / "pharmacokinetics.csv"
    edit_cell(path, index_of(path, "pk-014"), "evidence_cue", "In a single-case")
    assert cue_problems(load_all(data_copy)) == []
    edit_cell(path, index_of(path, "pk-014"), "evidence_cue", "single-case study of ketamine")
    assert any("pk-014" in p and "not found verbatim" in p for p in cue_problems(load_all(data_copy)))


# --- notes that contradict their row -----------------------------------------------------------


def test_a_note_saying_a_filled_cell_is_empty_fails(data_copy):
    path = data_copy / "prevalence.csv"
    index = index_of(path, "prev-002")
    assert read_rows(path)[index]["value_low"] == "16000000"
    line = edit_cell(path, index, "note", "value_low/value_high are left empty because the unit list has no 'million'.")
    problems = problems_with(data_copy, "prevalence", "stale-note")
    assert {p.row for p in problems} == {line}
    assert {p.message.split(",")[0] for p in problems} == {
        "the note says value_low is empty",
        "the note says value_high is empty",
    }


def test_a_note_about_a_value_the_row_does_not_use_fails(data_copy):
    path = data_copy / "milestones.csv"
    edit_cell(path, index_of(path, "mile-041"), "note", "event_kind has no value for it, so 'approval' is used.")
    problem = problems_with(data_copy, "milestones", "stale-note")[0]
    assert "'approval' is used" in problem.message


def test_a_note_saying_empty_about_an_empty_cell_passes(data_copy):
    path = data_copy / "milestones.csv"
    index = index_of(path, "mile-068")
    assert read_rows(path)[index]["year_start"] == ""
    edit_cell(path, index, "note", "No year, so year columns empty.")
    assert not [p for p in validate_table("milestones", data_copy) if p.rule == "stale-note"]


# --- quantity words ----------------------------------------------------------------------------


def test_quantity_words_read_as_numbers():
    assert 100.0 in numbers_in("remission in all CRPS patients")
    assert 50.0 in numbers_in("A majority of patients feel strange")
    assert 2.0 in numbers_in("the second-most used illegal drug")
    assert 1.0 in numbers_in("about once per week")


def test_the_audit_covers_quantity_words(seeds, data_copy):
    """Drop the ledger entry for 'dozens' (000) and the figure for 'second-most' (003): both are reported."""
    ledger = data_copy / "not_figures.csv"
    rows = read_rows(ledger)
    kept = [r for r in rows if not (r["source_id"] == "000" and r["number"] == "dozens")]
    assert len(kept) == len(rows) - 1
    with open(ledger, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    prevalence = data_copy / "prevalence.csv"
    edit_cell(prevalence, index_of(prevalence, "prev-035"), "quote", "when it comes to Taiwanese adolescents")
    missing = audit_problems(load_all(data_copy))
    assert any("source 000" in m and "'dozens'" in m for m in missing)
    assert any("source 003" in m and "'second-most'" in m for m in missing)


def test_where_names_the_cue():
    found = where("resp-011")
    assert found["evidence_kind"] == "study, design not stated"
    assert found["evidence_cue"] == "Dutch researchers recently found"
    assert where("resp-003")["evidence_cue"] == ""
