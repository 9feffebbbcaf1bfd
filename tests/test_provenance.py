"""Every figure is traceable: its quote stands verbatim in its document and states its numbers."""

from __future__ import annotations

import pytest

from helpers.data.check import audit_problems, provenance_problems
from helpers.data.provenance import numbers_in, quote_problems, states_number
from helpers.data.tables import load_all


@pytest.fixture(scope="module")
def tables():
    return load_all()


def test_every_quote_is_verbatim_and_states_its_numbers(seeds, tables):
    assert provenance_problems(tables) == []


def test_every_number_in_the_documents_is_accounted_for(seeds, tables):
    """Extraction is exhaustive: each number is in a figure quote or in not_figures.csv with a reason."""
    assert audit_problems(tables) == []


def test_checker_catches_a_paraphrase(seeds):
    problems = quote_problems("003", "most patients relapse within ten days", [10])
    assert any("not found verbatim" in p for p in problems)


def test_checker_catches_a_wrong_number(seeds):
    quote = "most patients relapse within 10 days"
    assert quote_problems("003", quote, [10]) == []
    assert any("does not state the number 12" in p for p in quote_problems("003", quote, [12]))


def test_number_words():
    assert states_number("about two-thirds of the response", 66.7)
    assert states_number("half an hour", 0.5)
    assert states_number("ketamine users rose from 1,605", 1605)
    assert not states_number("ketamine users rose from 1,605", 1600)
    assert 1999.0 in numbers_in("in the 1990’s")
