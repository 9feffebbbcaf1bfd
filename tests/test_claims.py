"""The claims-check lens (notebook 07): evidence kinds, source profiles, contradictions and notebook.

The view (charts, controls, contradictions browser) is tested in test_views_claims_pk.py.
"""

from __future__ import annotations

import csv
import html
import math
from pathlib import Path

import nbformat
import pytest
from notebook_runs import execute, outputs

from helpers.data.dictionary import family_names, field_spec
from helpers.data.provenance import DATA_DIR, source_text
from helpers.data.tables import load
from helpers.models import claims
from helpers.params import NOTEBOOKS, ParameterError, defaults, spec

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = "07_claims_check"

with open(DATA_DIR / "contradictions.csv", encoding="utf-8", newline="") as _fh:
    CONTRADICTIONS = list(csv.DictReader(_fh))


# --- provenance of the contradictions ----------------------------------------------------------


@pytest.mark.parametrize("row", CONTRADICTIONS, ids=[r["id"] for r in CONTRADICTIONS])
def test_contradiction_quotes_are_verbatim_in_their_sources(row, seeds):
    for side in ("a", "b"):
        source, quote = row[f"source_{side}"], row[f"quote_{side}"]
        assert quote in source_text(source), f"{row['id']}: quote_{side} not verbatim in source {source}: {quote!r}"


def test_a_self_contradiction_quotes_two_different_statements():
    for row in CONTRADICTIONS:
        assert row["quote_a"] != row["quote_b"], row["id"]


# --- figures and their evidence kinds -----------------------------------------------------------


def test_every_figure_has_an_evidence_kind_from_the_dictionary():
    allowed = set(field_spec("evidence_kind")["enum"])
    figures = claims.figures_by_evidence()
    assert figures["evidence_kind"].notna().all()
    assert set(figures["evidence_kind"]) <= allowed
    assert set(figures["evidence_group"]) <= set(claims.GROUP_ORDER)


def test_figures_by_evidence_has_one_row_per_figure_of_every_family():
    figures = claims.figures_by_evidence()
    sizes = {family: len(load(family)) for family in family_names()}
    assert len(figures) == sum(sizes.values())
    assert figures["family"].value_counts().to_dict() == sizes
    assert figures["id"].is_unique
    assert list(figures.columns[:6]) == ["family", "id", "source_id", "evidence_kind", "evidence_group", "qualifier"]
    assert (figures["hedged"] == (figures["qualifier"] != "none")).all()


def test_evidence_groups():
    assert claims.group_of("randomized trial") == "trial"
    assert claims.group_of("clinician's report") == claims.group_of("case report or patient anecdote")
    assert claims.group_of("unattributed claim") == "unattributed claim"
    assert claims.group_of("meta-analysis or systematic review") == "other"


def test_figures_by_evidence_is_a_copy():
    figures = claims.figures_by_evidence()
    figures.loc[:, "family"] = "changed"
    assert "changed" not in set(claims.figures_by_evidence()["family"])


# --- source profiles ----------------------------------------------------------------------------

SHARE_COLUMNS = [claims.share_column(g) for g in claims.GROUP_ORDER]


def test_source_profiles_shares_sum_to_one_and_counts_match():
    profiles = claims.source_profiles()
    figures = claims.figures_by_evidence()
    assert list(profiles["source_id"]) == list(load("sources")["source_id"])
    assert profiles["figures"].sum() == len(figures)
    for row in profiles.itertuples(index=False):
        assert math.isclose(sum(getattr(row, c) for c in SHARE_COLUMNS), 1.0), row.source_id
        mine = figures[figures["source_id"] == row.source_id]
        assert row.share_hedged == pytest.approx(mine["hedged"].mean())
        assert row.share_unattributed_claim == pytest.approx((mine["evidence_kind"] == "unattributed claim").mean())


def test_source_profiles_contradiction_counts_match_the_table():
    profiles = claims.source_profiles().set_index("source_id")
    for sid, row in profiles.iterrows():
        either = [r for r in CONTRADICTIONS if sid in (r["source_a"], r["source_b"])]
        both = [r for r in either if r["source_a"] == r["source_b"] == sid]
        assert row["contradictions"] == len(either), sid
        assert row["self_contradictions"] == len(both), sid
    pairs = claims.contradiction_pairs()
    assert pairs["contradictions"].sum() == len(CONTRADICTIONS)
    assert pairs.loc[pairs["within one document"], "contradictions"].sum() == profiles["self_contradictions"].sum()


def test_source_profiles_of_a_subset_leave_absent_sources_empty():
    figures = claims.figures_by_evidence()
    profiles = claims.source_profiles(figures[figures["family"] == "response_rates"]).set_index("source_id")
    assert profiles.loc["002", "figures"] == 0
    assert profiles.loc[["002", "004"], SHARE_COLUMNS].isna().all().all()
    assert profiles.loc["000", SHARE_COLUMNS].sum() == pytest.approx(1.0)
    assert (
        profiles.loc["003", "contradictions"]
        == claims.source_profiles().set_index("source_id").loc["003", "contradictions"]
    )


# --- contradictions -----------------------------------------------------------------------------


def test_contradictions_filter_by_kind_and_either_side():
    assert len(claims.contradictions()) == len(CONTRADICTIONS)
    safety = claims.contradictions(kind="safety")
    assert set(safety["kind"]) == {"safety"}
    assert len(safety) == sum(r["kind"] == "safety" for r in CONTRADICTIONS)
    with_004 = claims.contradictions(source_id="004")
    assert len(with_004) == sum("004" in (r["source_a"], r["source_b"]) for r in CONTRADICTIONS) > 0
    assert ((with_004["source_a"] == "004") | (with_004["source_b"] == "004")).all()
    both = claims.contradictions(kind="date", source_id="002")
    assert set(both["id"]) == {
        r["id"] for r in CONTRADICTIONS if r["kind"] == "date" and "002" in (r["source_a"], r["source_b"])
    }


def test_contradictions_reject_unknown_values():
    kinds = ", ".join(("all", *field_spec("kind")["enum"]))
    with pytest.raises(ParameterError) as error:
        claims.contradictions(kind="cost")
    assert str(error.value) == f"notebook {NOTEBOOK}: parameter 'kind' cannot be 'cost'; choose one of: {kinds}"
    with pytest.raises(ParameterError) as error:
        claims.contradictions(source_id="007")
    assert str(error.value) == (
        f"notebook {NOTEBOOK}: parameter 'source_id' cannot be '007'; choose one of: all, 000, 001, 002, 003, 004"
    )


def test_contradictions_html_quotes_both_statements():
    frame = claims.contradictions(kind="dosing")
    text = claims.contradictions_html(frame)
    for row in frame.itertuples(index=False):
        assert html.escape(row.quote_a) in text and html.escape(row.quote_b) in text
        assert html.escape(row.difference) in text and row.id in text
    assert text.count("<tr>") == len(frame) + 1
    assert "No contradictions match" in claims.contradictions_html(frame.iloc[0:0])


# --- parameters --------------------------------------------------------------------


def spec_of(name):
    return {p.name: p for p in spec(NOTEBOOK)}[name]


def test_parameter_spec_is_registered():
    assert NOTEBOOKS[NOTEBOOK] is spec(NOTEBOOK)
    assert [p.name for p in spec(NOTEBOOK)] == ["family", "source_id", "kind", "strength", "normalize"]
    assert defaults(NOTEBOOK) == {
        "family": "all",
        "source_id": "all",
        "kind": "all",
        "strength": "direct",
        "normalize": True,
    }
    assert spec_of("strength").choices == ("all", *field_spec("strength")["enum"])
    assert spec_of("family").choices == ("all", *family_names())
    assert spec_of("kind").choices == ("all", *field_spec("kind")["enum"])
    assert spec_of("source_id").choices == ("all", "000", "001", "002", "003", "004")
    assert spec_of("normalize").type == "bool" and spec_of("normalize").kind is bool


# --- notebook -----------------------------------------------------------------------------------


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_notebook_answers_hold_for_the_current_data():
    nb = nbformat.read(NOTEBOOK_DIR / f"{NOTEBOOK}.ipynb", as_version=4)
    text = _markdown(nb)
    figures = claims.figures_by_evidence()
    rr = figures[figures["family"] == "response_rates"]
    assert (rr["evidence_kind"] == "randomized trial").sum() == 0
    assert f"None of the {len(rr)}." in text
    trials = figures[figures["evidence_kind"] == "randomized trial"]
    assert f"only {len(trials)} are attributed to a randomized trial" in text
    assert all(f"`{i}`" in text for i in trials["id"])
    profiles = claims.source_profiles().set_index("source_id")
    top = profiles["self_contradictions"].idxmax()
    n = int(profiles.loc[top, "self_contradictions"])
    assert f"{top}, " in text and f"{n} of the {len(CONTRADICTIONS)} contradictions" in text
    unattributed = figures[figures["evidence_kind"] == "unattributed claim"]
    kinds = unattributed["source_id"].map(profiles["publisher_kind"]).value_counts()
    assert kinds.index[0] == "clinic marketing page"
    assert f"{kinds.iloc[0]} of the {len(unattributed)} unattributed claims" in text
    assert profiles["share_unattributed_claim"].idxmax() == "004"
    assert f"Its {int(profiles.loc['002', 'figures'])} figures" in text


@pytest.mark.notebooks
def test_notebook_runs_with_defaults(tmp_path):
    nb = execute(NOTEBOOK, tmp_path)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert outputs(nb, "application/vnd.jupyter.widget-view+json"), "the explorer panel is displayed"
    tables = "".join(outputs(nb, "text/html"))
    assert "share unattributed claim" in tables and "self contradictions" in tables  # headers read as words
