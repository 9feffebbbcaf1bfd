"""Every figure row has a home view, so a finder or reader link never dead-ends."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.paths import DATA_DIR
from helpers.views.home import row_homes, view_link

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
