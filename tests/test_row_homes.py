"""Every figure row has a home view, so a finder or reader link never dead-ends."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.params.verdict import parse_text, spec
from helpers.paths import DATA_DIR
from helpers.views import BUILDERS
from helpers.views.home import _candidates, hash_text, row_homes, showing_link, view_link

ID_TABLES = sorted(p for p in DATA_DIR.glob("*.csv") if "id" in pd.read_csv(p, nrows=0).columns)


@pytest.mark.parametrize("path", ID_TABLES, ids=lambda p: p.stem)
def test_every_row_of_a_table_has_a_view_that_shows_it(path):
    homes = row_homes()
    ids = pd.read_csv(path, usecols=["id"])["id"].astype(str)
    missing = sorted(set(ids) - set(homes))
    assert not missing, f"{path.name}: rows no view shows: {missing}"
    # one table, one home: a table's rows are all linked to the same notebook
    assert len({homes[i] for i in ids}) == 1, f"{path.name} is split across views: {sorted({homes[i] for i in ids})}"


def test_a_link_names_the_view_and_the_row():
    assert view_link("resp-019") == "01_response_rates.html#highlight=resp-019"
    assert view_link("con-001", page="views/{notebook}.html") == "views/07_claims_check.html#highlight=con-001"


def test_an_unknown_row_is_an_error_not_a_dead_link():
    with pytest.raises(KeyError, match="no view shows row 'resp-999'"):
        view_link("resp-999")


def test_a_hidden_row_is_linked_with_the_setting_that_shows_it():
    from helpers.views import view

    v = view("03_prevalence")
    hidden = sorted(set(v.rows["id"]) - set(v.filter(v.validate({}))["id"]))
    assert hidden, "03's defaults show every row: pick a view that hides some to test this"
    link = showing_link(hidden[0])
    page, _, fragment = link.partition("#")
    assert page == "03_prevalence.html" and fragment.endswith(f"&highlight={hidden[0]}"), link
    settings = dict(part.split("=", 1) for part in fragment.split("&")[:-1])
    from urllib.parse import unquote

    values = {name: parse_text(spec("03_prevalence").param(name), unquote(text))[1] for name, text in settings.items()}
    assert hidden[0] in set(v.filter(v.validate(values))["id"]), (link, values)
    shown = v.filter(v.validate({}))["id"].iloc[0]
    assert showing_link(shown) == view_link(shown)  # shown by default: the plain link


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_hash_text_is_read_back_as_the_same_value(notebook):
    for param in spec(notebook):
        for value in [param.default, *_candidates(param)]:
            ok, back, why = parse_text(param, hash_text(value))
            assert ok and back == value, (notebook, param.name, value, hash_text(value), why)
