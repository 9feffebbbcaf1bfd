"""The notebooks' own text names only what the data has, quotes documents verbatim, and quotes numbers
that the data (or the model, for 08) gives, so an answer cannot go stale when the data changes.

- Every ``code span`` in markdown is a parameter, a choice, a column, a table, a category value or id
  in the data, a file that exists, or Python that parses.
- Every *italic* phrase is a control label, a category or evidence group, or a listed emphasis word.
- Every "quoted phrase" is in one of the five documents, word for word.
- Every number in an answer of 01-06 is a number of that notebook's rows (04 also: their µM conversions);
  08's answers are recomputed with ``helpers.models.pk``; 07's are checked in tests/test_claims.py.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import nbformat
import pytest

from helpers.data.dictionary import table_names
from helpers.data.provenance import seeds_dir
from helpers.data.tables import load
from helpers.data.units import KETAMINE_MOLAR_MASS_G_PER_MOL
from helpers.models import pk
from helpers.models.claims import GROUP_ORDER, source_profiles
from helpers.params import NOTEBOOKS as PARAM_SPECS
from helpers.views import BUILDERS, view

ROOT = Path(__file__).resolve().parent.parent
ALL = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ANSWER = re.compile(r"<summary>Show an answer</summary>(.*?)</details>", re.S)
CODE = re.compile(r"`([^`\n]+)`")
ITALIC = re.compile(r"(?<![*\w])\*(?!\*)([^*\n]+?)(?<!\s)\*(?![*\w])")
QUOTED = re.compile(r'["“]([^"”\n]{3,}?)["”]')
NUMBER = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)(?![\w])")
# Italics that stress a word, or a model symbol (08: V, CL), rather than name a category.
EMPHASIS = {"says", "hedged", "who says so, and on what evidence?", "never measured", "share", "average", "CL", "V"}


def markdown(name: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def answers(name: str) -> str:
    return "\n".join(ANSWER.findall(markdown(name)))


def _norm(text: str) -> str:
    for a, b in (("“", '"'), ("”", '"'), ("’", "'"), ("‘", "'"), ("–", "-"), ("—", "-")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def vocabulary() -> frozenset[str]:
    """Every name the notebooks may put in a code span or in italics."""
    words: set[str] = set(table_names()) | set(GROUP_ORDER)
    for params in PARAM_SPECS.values():
        for param in params:
            words.add(param.name)
            words.update(str(c) for c in param.choices or ())
    for notebook in BUILDERS:
        the_view = view(notebook)
        for control in the_view.controls:
            words.update({control.name, control.label or control.name, *(control.options or ())})
        frames = [the_view.rows, *(e.frame for e in the_view.extras)]
        for frame in frames:
            words.update(map(str, frame.columns))
            for column in frame.columns:
                if frame[column].dtype == object or str(frame[column].dtype) in ("string", "category"):
                    values = frame[column].dropna().astype(str)
                    if values.str.len().max() <= 80:
                        words.update(values)
    for table in table_names():
        words.update(map(str, load(table).columns))
    words.update(map(str, source_profiles().columns))
    words.update(pk.load_parameters())
    return frozenset(words)


def _is_code(span: str) -> bool:
    if not re.search(r"[=()'\"]|^from |^import ", span):
        return False
    try:
        ast.parse(span)
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("name", ALL)
def test_code_spans_name_what_exists(name):
    unknown = []
    for span in CODE.findall(markdown(name)):
        if span in vocabulary() or _is_code(span) or (ROOT / span).exists():
            continue
        unknown.append(span)
    assert not unknown, f"{name}: code spans that name no parameter, choice, column, category or file: {unknown}"


@pytest.mark.parametrize("name", ALL)
def test_italic_names_are_controls_or_categories(name):
    text = re.sub(r"\*\*[^*]+\*\*", "", markdown(name))  # bold is not italic
    unknown = [s for s in ITALIC.findall(text) if s not in vocabulary() and s not in EMPHASIS]
    assert not unknown, f"{name}: italic names that are no control label or category in the data: {unknown}"


@cache
def seed_text() -> str:
    folder = seeds_dir()
    if folder is None:
        pytest.skip("the five documents (../shared/seeds) are not beside the clone")
    return _norm(" ".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))))


@pytest.mark.parametrize("name", ALL)
def test_quoted_phrases_are_in_a_document_word_for_word(name):
    missing = [q for q in QUOTED.findall(markdown(name)) if _norm(q).strip(" .,") not in seed_text()]
    assert not missing, f"{name}: quoted phrases that no document says: {missing}"


def _numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER.findall(text)}


def _data_numbers(name: str) -> set[float]:
    the_view = view(name)
    out: set[float] = set()
    for frame in (the_view.rows, *(e.frame for e in the_view.extras)):
        for column in frame.columns:
            for value in frame[column].dropna().astype(str):
                out |= _numbers(value.replace(",", ""))
    return out


@pytest.mark.parametrize("name", [n for n in ALL if n[:2] in {"01", "02", "03", "04", "05", "06"}])
def test_numbers_in_answers_come_from_the_data(name):
    allowed = _data_numbers(name)
    if name.startswith("04"):  # the µM question: the molar mass and each ng/mL figure converted
        allowed |= {KETAMINE_MOLAR_MASS_G_PER_MOL}
        allowed |= {round(v / KETAMINE_MOLAR_MASS_G_PER_MOL, 2) for v in list(allowed)}
    text = re.sub(r"\b(?:notebook|source) \d\d\b|\b00[0-4]\b", "", answers(name), flags=re.I)
    stray = sorted(n for n in _numbers(text) if n not in allowed)
    assert not stray, f"{name}: numbers in the answers that its rows do not give: {stray}"


def test_contradiction_ids_in_answers_exist_with_the_strength_named():
    frame = load("contradictions").set_index("id")
    for name in ALL:
        text = answers(name)
        for cid in re.findall(r"\bcon-\d{3}\b", text):
            assert cid in frame.index, f"{name} names {cid}, which contradictions.csv does not have"
            if re.search(rf"\b{cid}\b[^.]*\bstrength\b", text):
                assert f"`{frame.loc[cid, 'strength']}`" in text, f"{name}: {cid}'s strength is not the one named"


def _ng(value: float) -> str:
    return f"{value:.0f} ng/mL"


def test_pk_answers_are_what_the_model_gives():
    """Notebook 08's answers, recomputed: peaks, times and the bioavailability ranges they quote."""
    text = answers("08_pk_simulator")
    dose = pk.dose_from_mg_per_kg(0.5, 70)
    one = pk.simulate("IV", dose, 70, infusion_min=40)
    two = pk.simulate("IV", dose, 70, infusion_min=40, model="two")
    bolus_one, bolus_two = pk.simulate("IV", dose, 70), pk.simulate("IV", dose, 70, model="two")
    (c1, t1), (c2, _) = pk.cmax_tmax(one), pk.cmax_tmax(two)
    assert f"**{_ng(c1)}** at the end of the infusion ({t1 * 60:.0f} min)" in text
    assert f"for {pk.time_above(one, 100):.1f} h" in text
    assert f"at **{_ng(c2)}**" in text
    assert f"**{_ng(pk.cmax_tmax(bolus_one)[0])}**" in text and f"**{_ng(pk.cmax_tmax(bolus_two)[0])}**" in text
    oral = pk.simulate_range("oral", dose, 70)
    low, central, high = (pk.cmax_tmax(getattr(oral, level))[0] for level in ("low", "central", "high"))
    assert f"oral peak of **{_ng(central)}** ({low:.0f}–{high:.0f} over the stated range)" in text
    assert f"at {pk.cmax_tmax(oral.central)[1] * 60:.0f} min" in text
    f_low, _, f_high = pk.bioavailability("oral")
    assert f"Only {f_low * 100:.0f}–{f_high * 100:.0f} % of an oral dose" in text
    n_low, _, n_high = pk.bioavailability("intranasal")
    nasal = pk.cmax_tmax(pk.simulate("intranasal", dose, 70))[0]
    assert f"Intranasal ({n_low * 100:.0f}–{n_high * 100:.0f} %) sits between, at {_ng(nasal)}" in text
    params = pk.load_parameters()
    assert f"{params['V1_L_per_kg']:g} L/kg" in text and f"{params['V_L_per_kg']:g} L/kg" in text


PATH_IN_COMMENT = re.compile(r"\b((?:helpers|data|notebooks|tests)/[\w./-]*\w)")


@pytest.mark.parametrize("name", ALL)
def test_paths_named_in_code_comments_exist(name):
    """A parameters cell said "see helpers/params.py" after that module became a package: a comment
    that sends a reader to a file must name one that exists."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    named = {
        path
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if "#" in line
        for path in PATH_IN_COMMENT.findall(line.split("#", 1)[1])
    }
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"{name}: comments name files that do not exist: {missing}"
