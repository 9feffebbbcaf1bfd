"""One set of values, one verdict: the command line, a params file and Voilà's query string agree.

Each generated set of (name, text) pairs goes through the real parsing of every surface:
``-p NAME VALUE`` through the command line's argparse and ``plan_runs``, a YAML params file
written to disk and read by ``load_param_file``, and a URL query through the widget's
``query_values``. All must accept the same effective values or give the same messages
(the page's hash reading is held to the same verdict in Chromium: tests/test_params_page.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.params import ParameterError, bounded, declared, read
from helpers.params.declare import js_string
from helpers.render.widget import query_values
from helpers.run import cli
from helpers.run.paramfile import load_param_file
from helpers.run.plan import plan_runs
from helpers.views import BUILDERS, view

NOTEBOOKS = list(BUILDERS)  # every notebook with parameters and a view
EXAMPLES = 500
# Text every surface can carry: printable characters (argv takes no NUL, YAML no control characters).
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")) | st.just(" ")
MALFORMED = [
    "",
    " 5",
    "070",
    "0x10",
    "1e3",
    "1:30",
    "NaN",
    "-0",
    "+3",
    ".5",
    "5.",
    "1,5",
    "true",
    "TRUE",
    "all",
    "✓",
    "x" * 300,
]


def value_texts(param) -> st.SearchStrategy[str]:
    """Valid, edge, out-of-range, off-step and malformed text for one declared parameter."""
    options: list[str] = list(MALFORMED)
    if param.type in ("choice", "list"):
        options += [str(c) for c in param.choices] + [str(c).upper() for c in param.choices]
    if param.type == "list":
        options += [",".join(param.choices[:k]) for k in (2, 3)] + [
            " iv , Oral ",
            "IV,,oral",
            "epidural",
            "IV,epidural",
        ]
    if param.type == "bool":
        options += ["true", "false", "False", "1", "yes"]
    if param.type in ("int", "number"):
        lo, hi, step = param.minimum, param.maximum, param.step
        edges = [lo, hi, lo - step, hi + step, lo + step / 2, (lo + hi) / 2, param.default, 20, 20.01, 1000, 1400, 3000]
        options += [js_string(v) for v in edges] + [f"{int(v):03d}" for v in edges if v >= 0 and float(v).is_integer()]
    return st.one_of(st.sampled_from(options), st.text(PRINTABLE, max_size=12))


@st.composite
def pair_sets(draw, notebook: str) -> list[tuple[str, str]]:
    spec = declared(notebook)
    names = st.one_of(
        st.sampled_from(spec.names),
        st.sampled_from(["__proto__", "constructor", "colour", "Dose", "hasOwnProperty"]),
        st.text(alphabet="abcdefghij_", min_size=1, max_size=8),
    )
    pairs = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(names)
        param = next((p for p in spec.params if p.name == name), None)
        text = draw(value_texts(param)) if param else draw(st.text(PRINTABLE, max_size=8))
        pairs.append((name, text))
    if notebook == "08_pk_simulator" and draw(st.booleans()):  # around the 20 mg/kg rule, also in mg
        unit = draw(st.sampled_from(["mg", "mg/kg"]))
        pairs += [("dose_unit", unit), ("weight_kg", js_string(draw(st.sampled_from([20, 50, 70, 100, 150]))))]
        pairs.append(("dose", js_string(draw(st.sampled_from([0.5, 19.99, 20, 20.01, 400, 1000, 1400, 1500, 3000])))))
    if notebook == "06_history" and draw(st.booleans()):
        pairs += [("year_from", str(draw(st.integers(-2100, 2100)))), ("year_to", str(draw(st.integers(-2100, 2100))))]
    return pairs


def usable(pairs) -> bool:
    """Pairs every surface can carry: printable text (argv takes no NUL, YAML no control characters), and
    names that are not Voilà's own query names."""
    text = "".join(n + t for n, t in pairs)
    names_ok = all(n and n.strip() == n and not n.startswith("voila") and n != "token" for n, _ in pairs)
    # argparse reads "-x" after -p NAME as an option, not a value; "-5" is still a value.
    dashes = any(t.startswith("-") and not re.fullmatch(r"-[\d.]+", t) for n, t in pairs)
    return names_ok and not dashes and all(c.isprintable() for c in text)


def through_cli(notebook: str, pairs, tmp_path) -> tuple[dict | None, list[str]]:
    """The command line's own parsing: argparse, then plan_runs with the -p pairs."""
    argv = [notebook, "--out", str(tmp_path / "out")]
    for name, text in pairs:
        argv += ["-p", name, text]
    args = cli.build_parser().parse_args(argv)
    try:
        (task,) = plan_runs(args.notebooks, None, args.out, overrides=[tuple(p) for p in args.param])
    except ParameterError as error:
        return None, str(error).splitlines()
    return task.params, []


def through_file(notebook: str, pairs, tmp_path) -> tuple[dict | None, list[str]]:
    """A params file as a teacher writes it: one set, the notebook, its parameters as YAML text."""
    lines = ["handout:", f"  {notebook}:"] + [
        f"    {json.dumps(n)}: {json.dumps(t, ensure_ascii=False)}" for n, t in pairs
    ]
    path = tmp_path / "params.yaml"
    path.write_text("\n".join(lines) + ("" if pairs else " {}") + "\n", encoding="utf-8")
    try:
        (task,) = plan_runs([notebook], load_param_file(path), tmp_path / "out")
    except ParameterError as error:
        return None, [line.removeprefix("parameter set 'handout', ") for line in str(error).splitlines()]
    return task.params, []


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_surface_gives_one_verdict(notebook, tmp_path_factory):
    the_view = view(notebook)
    checked = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(pair_sets(notebook))
    def check(pairs):
        if not usable(pairs):
            return
        tmp_path = tmp_path_factory.mktemp("surface")
        checked.append(pairs)
        truth = read(notebook, pairs)
        expected = bounded(truth.problems)
        cli_values, cli_problems = through_cli(notebook, pairs, tmp_path)
        file_values, file_problems = through_file(notebook, pairs, tmp_path)
        preset, notes = query_values(the_view, urlencode(pairs))
        assert cli_problems == expected and file_problems == expected and notes == expected, pairs
        if truth.ok:
            assert cli_values == file_values == truth.values, pairs
        given_names = {n for n, _ in pairs}
        assert preset == {k: v for k, v in truth.values.items() if k in given_names and k not in truth.refused}

    check()
    assert len(checked) >= EXAMPLES * 0.8, f"only {len(checked)} of {EXAMPLES} generated sets were usable"
    assert sum(1 for pairs in checked if not read(notebook, pairs).ok) >= 100, "refusals must be exercised too"


def test_the_verdict_can_fail_when_a_surface_differs(tmp_path):
    """The comparison above notices a surface that reads text differently (here YAML 1.1's octal)."""
    pairs = [("weight_kg", "070")]
    assert read("08_pk_simulator", pairs).values["weight_kg"] == 70.0
    old_yaml = yaml.safe_load("weight_kg: 070")["weight_kg"]  # what params files gave before
    assert old_yaml == 56
    values, problems = through_file("08_pk_simulator", pairs, tmp_path)
    assert problems == [] and values["weight_kg"] == 70.0 != old_yaml
