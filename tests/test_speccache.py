"""The disk cache of view specs: served only for the same code, data and versions, never stale."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers.views import BUILDERS, speccache, view


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(speccache.ENV, raising=False)
    return tmp_path / "ketamine-evidence" / "specs"


@pytest.mark.parametrize("notebook", list(BUILDERS))
def test_every_views_spec_equals_a_fresh_build(notebook):
    """What a kernel gets (from the cache or not) is exactly what the builder makes now."""
    the_view = view(notebook)
    fresh = speccache.stable_names(the_view.chart_dict())
    assert the_view.base_spec == fresh


def test_hashed_unit_names_are_renumbered_the_same_way_whatever_the_hash():
    """Altair's view_<hash> names vary with pandas' display settings; the renumbered spec does not."""
    a = {
        "params": [{"name": "pick", "views": ["view_0123456789abcdef_0"]}],
        "vconcat": [{"name": "view_0123456789abcdef_0"}, {"name": "view_fedcba9876543210_1"}, {"name": "rows"}],
    }
    b = json.loads(
        json.dumps(a).replace("0123456789abcdef", "aaaaaaaaaaaaaaaa").replace("fedcba9876543210", "bbbbbbbbbbbbbbbb")
    )
    assert speccache.stable_names(a) == speccache.stable_names(b)
    assert speccache.stable_names(a)["params"][0]["views"] == ["view_1_0"]
    assert [u["name"] for u in speccache.stable_names(a)["vconcat"]] == ["view_1_0", "view_2_1", "rows"]


def test_a_second_call_is_served_from_disk_and_equals_the_first(cache_home):
    built = {"mark": "point", "data": {"values": [{"a": 1}]}}
    first = speccache.spec("01_response_rates", lambda: built)
    files = list(cache_home.glob("01_response_rates-*.json"))
    assert len(files) == 1 and first == built

    def must_not_build():
        raise AssertionError("built again although the cache holds this spec")

    assert speccache.spec("01_response_rates", must_not_build) == built


def test_a_corrupt_file_is_built_again_and_replaced(cache_home):
    speccache.spec("02_relapse_timeline", lambda: {"mark": "bar"})
    (path,) = cache_home.glob("02_relapse_timeline-*.json")
    path.write_text('{"mark": "ba', encoding="utf-8")  # a torn write from some other tool
    assert speccache.spec("02_relapse_timeline", lambda: {"mark": "line"}) == {"mark": "line"}
    assert json.loads(path.read_text(encoding="utf-8")) == {"mark": "line"}
    assert not list(cache_home.glob(".*.tmp")), "a temporary file was left behind"


def test_turned_off_it_builds_every_time(cache_home, monkeypatch):
    monkeypatch.setenv(speccache.ENV, "0")
    calls = []
    for _ in range(2):
        speccache.spec("05_safety", lambda: calls.append(1) or {"n": len(calls)})
    assert len(calls) == 2
    assert not cache_home.exists()


def test_the_key_changes_with_any_source_or_data_byte(tmp_path):
    root = tmp_path / "suite"
    (root / "helpers" / "views").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "helpers" / "views" / "core.py").write_text("WIDTH = 560\n")
    (root / "data" / "response_rates.csv").write_text("id,value\nresp-001,50\n")
    before = speccache.key(root)
    assert speccache.key(root) == before

    (root / "data" / "response_rates.csv").write_text("id,value\nresp-001,51\n")
    after_data = speccache.key(root)
    (root / "helpers" / "views" / "core.py").write_text("WIDTH = 561\n")
    after_code = speccache.key(root)
    (root / "data" / "new.csv").write_text("x\n")
    after_new_file = speccache.key(root)
    assert len({before, after_data, after_code, after_new_file}) == 4

    shutil.rmtree(root / "helpers" / "views")
    assert speccache.key(root) != after_new_file


def test_a_view_of_other_rows_under_the_same_notebook_gets_its_own_spec(cache_home):
    """A view built in code from changed rows is not served the notebook's cached spec."""
    from helpers.views import core

    the_view = view("05_safety")
    _ = the_view.base_spec
    rows = the_view.rows.copy()
    rows.loc[rows.index[0], "value_label"] = "a label no document gives"
    other = core.View(the_view.notebook, the_view.title, rows, the_view.controls, the_view.build)
    assert speccache.fingerprint(other) != speccache.fingerprint(the_view)
    assert "a label no document gives" in json.dumps(other.base_spec)
    assert "a label no document gives" not in json.dumps(the_view.base_spec)


def test_older_builds_of_the_same_notebook_are_removed(cache_home):
    cache_home.mkdir(parents=True)
    stale = cache_home / "03_prevalence-000000000000000000000000.json"
    other = cache_home / "04_bioavailability-000000000000000000000000.json"
    stale.write_text("{}")
    other.write_text("{}")
    speccache.spec("03_prevalence", lambda: {"mark": "point"})
    assert not stale.exists()
    assert other.exists(), "another notebook's spec was removed"
