"""The disk cache of view specs: served only for the same code, data and versions, never stale."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from helpers.views import BUILDERS, speccache, view

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"


def spec_of(**parts) -> dict:
    """A spec with the shape the cache serves: a Vega-Lite $schema and a view."""
    return {"$schema": SCHEMA, "mark": "point", **parts}


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
    built = spec_of(data={"values": [{"a": 1}]})
    first = speccache.spec("01_response_rates", lambda: built)
    files = list(cache_home.glob("*/01_response_rates-*.json"))
    assert len(files) == 1 and first == built

    def must_not_build():
        raise AssertionError("built again although the cache holds this spec")

    assert speccache.spec("01_response_rates", must_not_build) == built


def test_a_corrupt_file_is_built_again_and_replaced(cache_home):
    speccache.spec("02_relapse_timeline", lambda: spec_of(mark="bar"))
    (path,) = cache_home.glob("*/02_relapse_timeline-*.json")
    path.write_text('{"mark": "ba', encoding="utf-8")  # a torn write from some other tool
    assert speccache.spec("02_relapse_timeline", lambda: spec_of(mark="line")) == spec_of(mark="line")
    assert json.loads(path.read_text(encoding="utf-8")) == spec_of(mark="line")
    assert not list(cache_home.glob("*/.*.tmp")), "a temporary file was left behind"


@pytest.mark.parametrize("entry", ["null", "{}", "[]", '[{"mark": "bar"}]', '"spec"', '{"mark": "bar"}'])
def test_an_entry_without_a_view_specs_shape_is_built_again_and_replaced(cache_home, entry):
    """null failed every run of its notebook; {} gave "ok" reports with an undrawable chart."""
    speccache.spec("05_safety", lambda: spec_of(mark="bar"))
    (path,) = cache_home.glob("*/05_safety-*.json")
    path.write_text(entry, encoding="utf-8")
    assert speccache.spec("05_safety", lambda: spec_of(mark="tick")) == spec_of(mark="tick")
    assert json.loads(path.read_text(encoding="utf-8")) == spec_of(mark="tick")


def test_a_build_without_a_view_specs_shape_is_returned_but_not_stored(cache_home):
    assert speccache.spec("05_safety", lambda: {}) == {}
    assert not list(cache_home.glob("*/05_safety-*.json"))


@pytest.mark.parametrize("word", ["0", "false", "FALSE", "off", "Off", "no", "", " no "])
def test_turned_off_by_any_false_word_it_builds_every_time(cache_home, monkeypatch, word):
    """Only exactly "0" turned it off; false, off, no and the empty string left it on."""
    monkeypatch.setenv(speccache.ENV, word)
    calls = []
    for _ in range(2):
        speccache.spec("05_safety", lambda: calls.append(1) or spec_of(n=len(calls)))
    assert len(calls) == 2
    assert not cache_home.exists()


@pytest.mark.parametrize("word", ["1", "true", "On", "YES"])
def test_turned_on_by_any_true_word(cache_home, monkeypatch, word):
    monkeypatch.setenv(speccache.ENV, word)
    assert speccache.enabled()


def test_an_unknown_word_is_an_error_naming_the_variable_and_the_words(cache_home, monkeypatch):
    monkeypatch.setenv(speccache.ENV, "maybe")
    with pytest.raises(ValueError) as info:
        speccache.enabled()
    assert str(info.value) == (
        "environment variable KETAMINE_SPEC_CACHE='maybe' is not on or off; "
        "use 1, true, on or yes to turn it on, 0, false, off, no or empty to turn it off"
    )


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


def test_other_view_keys_of_the_same_notebook_and_version_are_removed(cache_home):
    speccache.spec("03_prevalence", lambda: spec_of(), view_key="a")
    other_notebook = speccache.spec("04_bioavailability", lambda: spec_of(), view_key="a")
    speccache.spec("03_prevalence", lambda: spec_of(mark="bar"), view_key="b")
    assert len(list(cache_home.glob("*/03_prevalence-*.json"))) == 1
    assert other_notebook and len(list(cache_home.glob("*/04_bioavailability-*.json"))) == 1


def test_two_code_versions_keep_their_entries_and_only_long_unused_ones_go(cache_home):
    """Two checkouts with different code deleted each other's entries on every run."""
    cache_home.mkdir(parents=True)
    other_checkout = cache_home / ("1" * 24)
    abandoned = cache_home / ("2" * 24)
    flat_old_layout = cache_home / "03_prevalence-000000000000000000000000.json"
    for version in (other_checkout, abandoned):
        version.mkdir()
        (version / "03_prevalence-000000000000000000000000.json").write_text(json.dumps(spec_of()))
    flat_old_layout.write_text(json.dumps(spec_of()))
    long_ago = time.time() - (speccache.KEEP_DAYS + 1) * 86400
    os.utime(abandoned, (long_ago, long_ago))
    os.utime(flat_old_layout, (long_ago, long_ago))
    speccache.spec("03_prevalence", lambda: spec_of(mark="bar"))
    assert (other_checkout / "03_prevalence-000000000000000000000000.json").exists(), "a checkout in use lost its spec"
    assert not abandoned.exists() and not flat_old_layout.exists()
    assert len(list(cache_home.glob("*/03_prevalence-*.json"))) == 2
