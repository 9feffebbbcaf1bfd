"""The saved page reaches Python's verdict on a link's values, in Debian's Chromium with the network closed.

A property test holds ``static/params.js`` (the page's reading of ``payload["params"]``) to
``helpers.params.read``: for every notebook with parameters, at least 500 generated sets of
``(name, text)`` pairs give the same values and the same problems, in the same order. Then the
defects a reader met, on real saved pages opened from file with a hash: refused doses drawn,
a dose box showing the default, repeated and unknown names, typed values past the rules.
"""

from __future__ import annotations

import copy
import json
import math
import time
import urllib.parse
from pathlib import Path

import browser_support as bs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers.params import NOTEBOOKS, declared, read
from helpers.params.expr import js_string

pytestmark = pytest.mark.browser

WITH_PARAMS = [nb for nb in NOTEBOOKS if declared(nb).params]
EXAMPLES = 500  # generated sets of pairs per notebook, at least
BATCH = 50  # sets per page.evaluate call (one hypothesis example)
PK = "08_pk_simulator"
HISTORY = "06_history"


# --- the page ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime() -> str:
    from helpers.render.offline import vega_runtime_js

    return vega_runtime_js()


@pytest.fixture(scope="module")
def payloads() -> dict[str, dict]:
    from helpers.views import view

    out = {}
    for notebook in WITH_PARAMS:
        the_view = view(notebook)
        out[notebook] = the_view.payload(the_view.validate({}))
    return out


@pytest.fixture(scope="module")
def verdict_page(browser, runtime, payloads, tmp_path_factory):
    """One saved page (05's view: small) whose params.js reads every notebook's declaration."""
    from helpers.render.page import standalone_page

    path = tmp_path_factory.mktemp("params") / "page.html"
    path.write_text(standalone_page([payloads["05_safety"]], runtime), encoding="utf-8")
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    page = context.new_page()
    guard.watch(page)
    page.goto(path.as_uri())
    page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    yield page
    assert not guard.blocked, guard.summary()
    assert not guard.console_errors, guard.console_errors
    context.close()


READ_JS = """
([spec, cases]) => cases.map((pairs) => {
  try {
    const v = window.keParams.read(spec, pairs);
    return {values: v.values, problems: v.problems, refused: v.refused};
  } catch (error) {
    return {error: String(error && error.stack || error)};
  }
})
"""


def python_verdict(notebook: str, pairs: list[tuple[str, str]]) -> dict:
    try:
        v = read(notebook, pairs)
    except Exception as exc:  # noqa: BLE001 - a crash is a difference too
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"values": v.values, "problems": v.problems, "refused": v.refused}


def same_values(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, bool) or isinstance(y, bool) or isinstance(x, str) or isinstance(y, str):
            if type(x) is not type(y) or x != y:
                return False
        elif not (x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))):
            return False
    return True


def differences(page, notebook: str, spec_json: dict, cases: list[list[tuple[str, str]]]) -> list[str]:
    """Where the page's verdict and Python's differ (values, problems in order, refused names), one line each."""
    got = page.evaluate(READ_JS, [spec_json, [[list(p) for p in pairs] for pairs in cases]])
    out = []
    for pairs, js in zip(cases, got, strict=True):
        py = python_verdict(notebook, pairs)
        if "error" in js or "error" in py:
            if js != py:
                out.append(f"{pairs!r}: page {js.get('error', 'ok')!r} / python {py.get('error', 'ok')!r}")
            continue
        if not same_values(js["values"], py["values"]):
            out.append(f"{pairs!r}: values page {js['values']} / python {py['values']}")
        if js["problems"] != py["problems"]:
            out.append(f"{pairs!r}: problems page {js['problems']} / python {py['problems']}")
        if set(js["refused"]) != set(py["refused"]):  # Python keeps repeated names in a set: no order
            out.append(f"{pairs!r}: refused page {js['refused']} / python {py['refused']}")
    return out


# --- what to generate -------------------------------------------------------------------------------

MALFORMED = [
    "070",
    "0x10",
    "1:30",
    " 5",
    "5 ",
    "",
    "1e3",
    "1E3",
    "Infinity",
    "-Infinity",
    "NaN",
    "-",
    "+",
    ".",
    "5.",
    ".5",
    "+5",
    "-0",
    "00",
    "1,5",
    "1_000",
    "true",
    "TRUE",
    "False",
    "yes",
    "all",
    "ALL",
    "__proto__",
    "constructor",
    "toString",
    "$&",
    "{raw}",
    "{why}",
    "{n}",
    "'",
    "\\",
    "\x00\x1f\x7f",
    "a\u2028b",
    "\ufeff5",
    "\u00a05",
    "é" * 50,
    "🙂" * 45,
    "x" * 200,
    "9" * 400,
    "1" + "0" * 25,
    "0." + "0" * 30 + "1",
]
UNKNOWN_NAMES = [
    "__proto__",
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "prototype",
    "colour",
    "Dose",
    "dose ",
    "",
    "{raw}",
    "$'",
    "x" * 60,
]
# Text Python's verdict reads differently from the declared grammar as JavaScript reads it, or that needs
# words the declaration does not give the page (see the known-gap tests at the end of this module).


def text(value: float) -> str:
    return js_string(value)


def number_texts(p) -> st.SearchStrategy[str]:
    low, high, step = p.minimum, p.maximum, p.step
    count = int(round((high - low) / step))
    on_grid = st.integers(0, count).map(lambda k: text(round(low + k * step, 9)))
    edges = [low, high, low - step, high + step, low + step / 2, high - step / 2, p.default, 0, -step, low - 1e-12]
    edge = st.sampled_from([text(round(v, 12)) for v in edges] + ["070", f"0{text(low)}", "-0"])
    anything = st.floats(low - 3 * (high - low), high + 3 * (high - low), allow_nan=False).map(text)
    return st.one_of(on_grid, edge, anything)


def list_texts(p) -> st.SearchStrategy[str]:
    items = st.sampled_from(
        [*p.choices, *(c.lower() for c in p.choices), *(c.upper() for c in p.choices), " IV ", "", " ", "nasal"]
    )
    return st.lists(items, max_size=6).map(",".join)


def texts_for(p) -> st.SearchStrategy[str]:
    if p.type == "choice":
        valid = st.sampled_from([str(c) for c in p.choices])
        near = st.sampled_from([str(c).upper() for c in p.choices] + [f" {p.choices[0]}", f"{p.choices[0]} "])
    elif p.type == "bool":
        valid = st.sampled_from(["true", "false", "True", "FALSE", "tRuE"])
        near = st.sampled_from(["1", "0", "yes", " true", "true "])
    elif p.type == "list":
        valid = list_texts(p)
        near = st.sampled_from([",", ",,", " , ", "oral,,IV", "IV,iv,IV", "ORAL, Iv"])
    else:
        valid = number_texts(p)
        near = st.sampled_from(["070", "0x10", "1:30", " 5", "1e3", "+1", "-1", ".5", "5."])
    malformed = st.one_of(st.sampled_from(MALFORMED), st.text(max_size=50), st.text(min_size=41, max_size=120))
    return st.one_of(valid, valid, valid, near, malformed)


def pair_strategy(spec) -> st.SearchStrategy[tuple[str, str]]:
    known = st.sampled_from(spec.params).flatmap(lambda p: st.tuples(st.just(p.name), texts_for(p)))
    old = [st.tuples(st.just(o), texts_for(spec.param(n))) for o, n in spec.renamed]
    unknown = st.tuples(st.one_of(st.sampled_from(UNKNOWN_NAMES), st.text(max_size=30)), st.sampled_from(MALFORMED))
    return st.one_of(known, known, known, known, unknown, *old)


@st.composite
def pk_cross(draw) -> list[tuple[str, str]]:
    """08: dose, dose_unit and weight_kg around 20 mg/kg, in any order, sometimes with a refused weight."""
    weight = draw(st.one_of(st.integers(40, 300).map(lambda k: k / 2), st.sampled_from([10.0, 19.5, 150.5, 200.0])))
    unit = draw(st.sampled_from(["mg", "mg/kg"]))
    limit = 20 * weight if unit == "mg" else 20.0
    delta = draw(st.sampled_from([-0.01, 0.0, 0.01, 1.0, -1.0, 0.005]))
    dose = draw(st.one_of(st.just(round(limit + delta, 9)), st.floats(0.01, 3000).map(lambda d: round(d, 2))))
    pairs = [("dose", text(dose)), ("dose_unit", unit), ("weight_kg", text(weight))]
    keep = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=4))
    return draw(st.permutations(keep))


@st.composite
def history_cross(draw) -> list[tuple[str, str]]:
    """06: year_from against year_to, inside and outside their range, in either order."""
    year = st.one_of(st.integers(-2000, 2030), st.sampled_from([-2001, 2031, 1950, 2025]))
    pairs = [("year_from", str(draw(year))), ("year_to", str(draw(year)))]
    keep = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3))
    return draw(st.permutations(keep))


def case_strategy(notebook: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    spec = declared(notebook)
    cases = [st.lists(pair_strategy(spec), max_size=7)]
    if notebook == PK:
        cases.append(pk_cross())
    if notebook == HISTORY:
        cases.append(history_cross())
    return st.one_of(*cases)


# --- the property -----------------------------------------------------------------------------------

RUN = settings(
    max_examples=EXAMPLES // BATCH + 2,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def check_property(page, notebook: str, spec_json: dict, tally: list[int] | None = None, shrink: bool = True) -> None:
    """The hypothesis property: every batch of generated cases gets Python's verdict in the page."""

    @(RUN if shrink else settings(RUN, phases=[Phase.generate]))
    @given(st.lists(case_strategy(notebook), min_size=BATCH, max_size=BATCH))
    def same_verdict(cases):
        found = differences(page, notebook, spec_json, cases)
        if tally is not None:
            tally.append(len(cases))
        assert not found, "\n".join(found[:5])

    same_verdict()


@pytest.mark.parametrize("notebook", WITH_PARAMS)
def test_page_verdict_is_pythons(verdict_page, payloads, notebook):
    tally: list[int] = []
    start = time.perf_counter()
    check_property(verdict_page, notebook, payloads[notebook]["params"], tally)
    elapsed = time.perf_counter() - start
    print(f"{notebook}: {sum(tally)} generated sets of pairs, same verdict, {elapsed:.1f} s")
    assert sum(tally) >= EXAMPLES, f"only {sum(tally)} cases were compared"


def test_handpicked_cases_get_pythons_verdict(verdict_page, payloads):
    """The defects' own links, and every malformed text for every parameter, compared case by case."""
    cases = {
        PK: [
            [("dose", "5000"), ("dose_unit", "mg"), ("weight_kg", "20")],
            [("dose_unit", "mg"), ("dose", "1000"), ("weight_kg", "20")],
            [("dose", "1500"), ("dose_unit", "mg"), ("weight_kg", "100")],
            [("dose", "1500"), ("dose_unit", "mg"), ("weight_kg", "10")],
            [("dose", "30")],
            [("dose_unit", "mg"), ("weight_kg", "20"), ("dose", "400.01")],
            [("infusion_min", "7")],
            [("__proto__", "1"), ("constructor", "2")],
            [("hours", "2"), ("hours", "3"), ("hours", "4")],
            [(f"name{i}", "1") for i in range(15)],
        ],
        HISTORY: [[("year_from", "2020"), ("year_to", "1990")], [("year_to", "1940")], [("year_from", "2030")]],
    }
    for notebook in WITH_PARAMS:
        spec = declared(notebook)
        extra = [[(p.name, raw)] for p in spec.params for raw in MALFORMED]
        found = differences(verdict_page, notebook, payloads[notebook]["params"], cases.get(notebook, []) + extra)
        assert not found, "\n".join(found[:5])


def test_the_property_catches_a_planted_message(verdict_page, payloads):
    """One changed word in one message template of the payload: the property test finds it."""
    planted = copy.deepcopy(payloads[PK]["params"])
    planted["repeated_message"] = planted["repeated_message"].replace("more than once", "twice")
    with pytest.raises(AssertionError, match="problems page"):
        check_property(verdict_page, PK, planted, shrink=False)


def test_the_property_catches_a_planted_rule(verdict_page, payloads):
    """A rule that lets 20.01 mg/kg through in the page only: the property test finds that too."""
    planted = copy.deepcopy(payloads[PK]["params"])
    planted["rules"][0]["ok"] = planted["rules"][0]["ok"].replace("<= 20", "<= 20.01")
    # The boundary itself, so the planted difference is met every run (not only when generation hits it).
    found = differences(verdict_page, PK, planted, [[("dose", "20.01")], [("dose", "20")]])
    assert found and all(line.startswith("[('dose', '20.01')]") for line in found), found


# --- the defects, on real saved pages ----------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(browser, runtime, payloads, tmp_path_factory):
    """Open a saved page of one notebook at a hash; the context's network is closed."""
    from helpers.render.page import standalone_page

    folder = tmp_path_factory.mktemp("saved")
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    files: dict[str, Path] = {}

    def open_at(notebook: str, hash_: str = ""):
        if notebook not in files:
            files[notebook] = folder / f"{notebook}.html"
            files[notebook].write_text(standalone_page([payloads[notebook]], runtime), encoding="utf-8")
        page = context.new_page()
        guard.watch(page)
        page.goto(files[notebook].as_uri() + hash_)
        page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
        return page

    yield open_at
    assert not guard.blocked, guard.summary()
    assert not guard.console_errors, guard.console_errors
    context.close()


def state(page) -> dict:
    return json.loads(page.get_attribute("section.ke-view", "data-state"))


def note_items(page) -> list[str]:
    if page.locator(".ke-notes").is_hidden():
        return []
    return page.eval_on_selector_all(".ke-notes li", "els => els.map((e) => e.textContent)")


def box(page, name: str):
    return page.locator(f'.ke-controls input[name="{name}"]')


def curves_drawn(page) -> int:
    """The simulated curves 08 draws now (points of the 'curves' lines, read from the view)."""
    return page.evaluate(
        """() => {
      const kv = window.keViews["08_pk_simulator"];
      let n = 0;
      (function walk(node) {
        for (const m of node.marks || []) {
          const facet = m.name && m.name.endsWith("_pathgroup") && m.from && m.from.facet;
          if (facet) n += kv.view.data(facet.data).length;
          walk(m);
        }
      })(kv.result.vgSpec);
      return n;
    }"""
    )


@pytest.mark.parametrize(
    ("hash_", "words"),
    [
        ("#dose=5000&dose_unit=mg&weight_kg=20", ["parameter 'dose'", "from 0.01 to 3000", "got 5000"]),
        ("#dose_unit=mg&dose=1000&weight_kg=20", ["parameter 'dose' is 1000 mg", "at most 20 mg/kg", "400 mg"]),
    ],
)
def test_pk_link_with_a_refused_dose_draws_the_dose_used_and_says_why(saved, hash_, words):
    page = saved(PK, hash_)
    (item,) = note_items(page)
    assert all(w in item for w in words), item
    expected = read(PK, urllib.parse.parse_qsl(hash_[1:]))
    assert state(page) == expected.values and expected.values["dose"] == 0.5
    assert box(page, "dose").input_value() == "0.5", "the dose box shows the dose used"
    assert page.evaluate("window.keViews['08_pk_simulator'].view.signal('dose')") == 0.5
    drawn = curves_drawn(page)
    default_page = saved(PK)
    assert drawn == curves_drawn(default_page) > 0, "the curves are those of the dose used, not the refused one"


def test_pk_link_with_a_total_dose_within_the_limit_is_used(saved):
    page = saved(PK, "#dose=1500&dose_unit=mg&weight_kg=100")
    assert note_items(page) == []
    assert box(page, "dose").input_value() == "1500"
    assert state(page)["dose"] == 1500 and state(page)["dose_unit"] == "mg" and state(page)["weight_kg"] == 100
    assert curves_drawn(page) > 0
    assert "dose 1500 mg for 100 kg" in page.inner_text(".ke-chart") or "1500 mg" in page.inner_text(".ke-chart")


def test_pk_link_sets_a_slider_and_the_threshold_reads_100(saved):
    page = saved(PK, "#infusion_min=7")
    assert note_items(page) == []
    assert box(page, "infusion_min").input_value() == "7" and state(page)["infusion_min"] == 7
    assert box(page, "threshold_ng_ml").input_value() == "100"
    assert page.evaluate("window.keViews['08_pk_simulator'].view.signal('threshold_ng_ml')") == 100
    assert "threshold 100 ng/mL" in page.inner_text(".ke-chart")
    # The number box takes its bounds and step from the declaration.
    dose = box(page, "dose")
    bounds = tuple(dose.get_attribute(a) for a in ("min", "max", "step"))
    assert bounds == ("0.01", "3000", "0.01")


@pytest.mark.parametrize(
    ("hash_", "words"),
    [
        ("#dose=0x10", ["parameter 'dose' must be a decimal number", "'0x10'"]),
        ("#hours=2&hours=3", ["parameter 'hours' is given more than once"]),
        ("#__proto__=1&constructor=2", ["unknown parameter '__proto__'", "unknown parameter 'constructor'"]),
    ],
)
def test_pk_link_with_bad_text_is_ignored_and_said(saved, hash_, words):
    page = saved(PK, hash_)
    shown = "\n".join(note_items(page))
    assert all(w in shown for w in words), shown
    assert state(page) == read(PK, urllib.parse.parse_qsl(hash_[1:])).values == declared(PK).defaults()
    assert curves_drawn(page) > 0


def test_many_unknown_names_list_ten_then_count_the_rest(saved):
    page = saved(PK, "#" + "&".join(f"n{i}=1" for i in range(15)))
    items = note_items(page)
    assert len(items) == 11 and items[-1] == "... and 5 more"
    assert all("unknown parameter" in i for i in items[:10])


def test_a_long_value_is_cut_in_the_note(saved):
    page = saved(PK, "#dose=" + "9" * 30 + "x" * 300)
    (item,) = note_items(page)
    assert "'" + "9" * 30 + "x" * 10 + "…'" in item and "x" * 11 not in item


def test_typing_a_dose_past_the_limit_is_refused_at_once(saved):
    page = saved(PK)
    box(page, "dose").fill("2")
    page.wait_for_function("window.keViews['08_pk_simulator'].view.signal('dose') === 2")
    page.wait_for_function(
        "document.querySelector('section.ke-view').getAttribute('data-state').includes('\"dose\":2')"
    )
    box(page, "dose").fill("30")
    page.locator(".ke-notes li").first.wait_for()
    (item,) = note_items(page)
    assert "parameter 'dose' must be at most 20 mg/kg, got 30" in item
    page.evaluate("window.keViews['08_pk_simulator'].settled()")
    assert page.evaluate("window.keViews['08_pk_simulator'].view.signal('dose')") == 2
    assert state(page)["dose"] == 2
    box(page, "dose").blur()
    assert box(page, "dose").input_value() == "2", "on leaving the box it shows the dose used"
    assert "dose=2" in page.evaluate("location.hash") and "30" not in page.evaluate("location.hash")


def test_history_link_with_years_reversed_draws_the_fallback(saved):
    page = saved(HISTORY, "#year_from=2020&year_to=1990")
    (item,) = note_items(page)
    assert "'year_from' (2020) is after 'year_to' (1990)" in item
    expected = read(HISTORY, [("year_from", "2020"), ("year_to", "1990")]).values
    assert state(page) == expected and expected["year_from"] == 1950 and expected["year_to"] == 1990
    assert box(page, "year_from").input_value() == "1950" and box(page, "year_to").input_value() == "1990"
    from helpers.views import view

    kept = list(view(HISTORY).filter(expected)["id"])
    assert page.inner_text(".ke-count").startswith(f"{len(kept)} of ")
    rows = page.evaluate("(() => { const k = window.keViews['06_history']; return k.view.data(k.rowsData).length; })()")
    assert rows == len(kept) > 0


def test_a_change_writes_only_non_defaults_to_the_hash_once_each(saved):
    page = saved(PK, "#weight_kg=80")
    page.locator('.ke-controls input[name="model"][value="two"]').check()
    page.wait_for_function("location.hash.includes('model=two')")
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(page.evaluate("location.href")).fragment)
    assert pairs == [("weight_kg", "80"), ("model", "two")]
    box(page, "routes").fill("oral, IV")
    box(page, "routes").blur()
    page.wait_for_function("location.hash.includes('routes=')")
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(page.evaluate("location.href")).fragment)
    assert pairs == [("routes", "IV,oral"), ("weight_kg", "80"), ("model", "two")]
    assert box(page, "routes").input_value() == "IV,oral"


# --- gaps the first run of this test found on the Python side, fixed there ---------------------------


def test_page_and_python_agree_on_trailing_newline(verdict_page, payloads):
    found = differences(verdict_page, PK, payloads[PK]["params"], [[("dose", "5\n")], [("hours", "2\n")]])
    assert not found, "\n".join(found)


def test_page_and_python_agree_on_unicode_digits(verdict_page, payloads):
    found = differences(verdict_page, PK, payloads[PK]["params"], [[("dose", "٣")], [("hours", "５")]])
    assert not found, "\n".join(found)


def test_page_and_python_agree_on_refused_route_reason(verdict_page, payloads):
    found = differences(verdict_page, PK, payloads[PK]["params"], [[("routes", "oral,epidural")]])
    assert not found, "\n".join(found)


def test_renamed_names_get_pythons_verdict(verdict_page, monkeypatch):
    """No notebook has renamed a parameter yet: an old name planted in the declaration reads the same."""
    from helpers.params import notebooks

    monkeypatch.setitem(notebooks.RENAMED, PK, {"dose_mg": "dose", "unit": "dose_unit"})
    notebooks.declared.cache_clear()
    try:
        spec_json = declared(PK).to_json()
        assert spec_json["renamed"] == {"dose_mg": "dose", "unit": "dose_unit"}
        cases = [
            [("dose_mg", "2")],
            [("dose_mg", "2"), ("dose", "3")],
            [("unit", "mg"), ("dose_mg", "1000"), ("weight_kg", "20")],
            [("unit", "mg"), ("dose_mg", "1000"), ("weight_kg", "100")],
            [("__proto__", "1"), ("dose_mg", "0x10")],
        ]
        found = differences(verdict_page, PK, spec_json, cases)
        assert not found, "\n".join(found)
        check_property(verdict_page, PK, spec_json)
    finally:
        monkeypatch.undo()
        notebooks.declared.cache_clear()
