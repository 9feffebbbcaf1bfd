"""Report runs (python -m helpers.report): checked before running, offline HTML, failures kept, safe paths.

The slow tests (marked ``notebooks``) run papermill for real, on notebook 01
and on tiny notebooks written into a temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.params import NOTEBOOKS, ParameterError
from helpers.render import report_page
from helpers.render.page import VIEW_MIME, read_payloads
from helpers.run import cli as report
from helpers.run import execute as run_exec
from helpers.run import paramfile
from helpers.run import plan as run_plan

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SPEC_SCRIPT = re.compile(
    r'<script type="application/json" class="vega-spec" data-chart="(chart-\d+)">(.*?)</script>', re.S
)


def write_notebook(path: Path, *code: str) -> Path:
    """A notebook with a heading (cell 0) and one code cell per argument (cells 1, 2, ...)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}")] + [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if anything is executed."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a notebook was run although the input was invalid")

    monkeypatch.setattr(report, "run_tasks", refuse)


# --- (a) parameters are checked before anything runs ------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["01", "-p", "conditon", "fibromyalgia"], ["'conditon'", "valid: condition, arm, evidence_kind"]),
        (
            ["01", "-p", "condition", "fibro"],
            [
                "notebook 01_response_rates: parameter 'condition' cannot be 'fibro'; choose one of: all, ",
                " fibromyalgia,",
            ],
        ),
        (["02", "-p", "log_scale", "maybe"], ["parameter 'log_scale' must be true or false, got 'maybe'"]),
        (["06", "-p", "year_from", "3000"], ["parameter 'year_from' must be from -2000 to 2030, got 3000"]),
        (
            ["06", "-p", "year_from", "2020", "-p", "year_to", "1990"],
            ["notebook 06_history: parameter 'year_from' (2020) is after 'year_to' (1990)"],
        ),
        (
            ["--all", "-p", "colour", "x"],
            ["unknown parameter 'colour': no chosen notebook takes it. Valid:", "\n  01_response_rates: "],
        ),
        (["99"], ["'99' is not a notebook", "01_response_rates"]),
    ],
)
def test_bad_parameter_is_refused_before_anything_runs(tmp_path, capsys, no_runs, args, expected):
    out = tmp_path / "out"
    assert report.main([*args, "--out", str(out), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert message.startswith("Nothing was run.")
    for text in expected:
        assert text in message
    assert not out.exists()


def test_a_name_no_chosen_notebook_takes_lists_each_notebooks_parameters(tmp_path, capsys, no_runs):
    out = tmp_path / "out"
    assert report.main(["--all", "-p", "colour", "x", "--out", str(out), "--quiet"]) == 2
    head, *listing = capsys.readouterr().err.splitlines()[1:]
    assert head == "unknown parameter 'colour': no chosen notebook takes it. Valid:"
    offered = dict(line.strip().split(": ", 1) for line in listing)
    assert list(offered) == run_plan.default_notebooks()
    assert offered.pop("00_start_here") == "(none: it takes no parameters)"
    # compared as sets: the listing's order is not the declaration order (see the session report)
    assert {nb: set(valid.split(", ")) for nb, valid in offered.items()} == {
        nb: set(NOTEBOOKS[nb].names) for nb in offered
    }
    assert not out.exists()


def test_bad_parameter_file_names_the_set_and_lists_choices(tmp_path, capsys, no_runs):
    sets = tmp_path / "reports.yaml"
    sets.write_text(
        "handout:\n  '01': {condition: fibro}\nclinic:\n  02_relapse_timeline: {source_id: 003}\n"
        "fine:\n  05_safety: {dose_context: chronic abuse}\n",
        encoding="utf-8",
    )
    sets_text = paramfile.load_param_file(sets)
    out = tmp_path / "out"
    assert report.main(["--params-file", str(sets), "--out", str(out)]) == 2
    message = capsys.readouterr().err
    assert message == (
        "Nothing was run.\nparameter set 'handout', notebook 01_response_rates: parameter 'condition' cannot be "
        f"'fibro'; choose one of: {', '.join(NOTEBOOKS['01_response_rates'].param('condition').choices)}\n"
    )
    assert "clinic" not in message  # 003 is read as the text written, a valid source id, not YAML's number 3
    assert not out.exists()
    del sets_text["handout"]
    [clinic, fine] = run_plan.plan_runs(None, sets_text, tmp_path / "planned")
    assert clinic.params["source_id"] == "003" and fine.params["dose_context"] == "chronic abuse"
    assert report.main(["--params-file", str(sets), "--set", "handout_v2", "--out", str(out)]) == 2
    assert "choose one of: handout, clinic, fine" in capsys.readouterr().err


def test_command_line_values_are_read_per_parameter_type(tmp_path):
    tasks = run_plan.plan_runs(
        ["01", "02", "06"], out_dir=tmp_path, overrides={"source_id": "003", "log_scale": "false", "year_from": "1990"}
    )
    params = {t.notebook: t.params for t in tasks}
    assert params["01_response_rates"]["source_id"] == "003"  # text stays text, not the number 3
    assert params["02_relapse_timeline"]["log_scale"] is False
    assert params["06_history"]["year_from"] == 1990
    assert {t.run_name for t in tasks} == {
        "01_response_rates__source_id-003",
        "02_relapse_timeline__source_id-003__log_scale-false",
        "06_history__year_from-1990",
    }
    again = run_plan.plan_runs(["01"], out_dir=tmp_path, overrides={"source_id": "003"})
    assert again[0].run_name == tasks[0].run_name  # the same parameters give the same file names


def test_command_line_runs_have_readable_names(tmp_path):
    [one] = run_plan.plan_runs(["01"], out_dir=tmp_path, overrides=[("condition", "fibromyalgia")])
    assert (one.run_name, one.set_name) == ("01_response_rates__condition-fibromyalgia", "condition-fibromyalgia")
    [pk] = run_plan.plan_runs(["08"], out_dir=tmp_path, overrides=[("routes", "IV,IM"), ("weight_kg", "070")])
    assert pk.run_name == "08_pk_simulator__routes-IV-IM__weight_kg-70"
    sets = {"handout": {"01": {"condition": "depression"}}}
    [both] = run_plan.plan_runs(None, sets, tmp_path, overrides=[("arm", "ketamine")])
    assert both.run_name == "01_response_rates__handout__arm-ketamine"
    assert re.fullmatch(r"[A-Za-z0-9._-]+", both.run_name)


def test_long_readable_names_are_cut_with_a_hash_and_stay_distinct():
    long = {f"name_{i}": "value " * 5 for i in range(10)}
    other = {**long, "name_9": "other"}
    first, second = run_plan.readable_label(long), run_plan.readable_label(other)
    assert len(first) <= run_plan.MAX_LABEL and len(second) <= run_plan.MAX_LABEL
    assert first != second and re.fullmatch(r"[A-Za-z0-9._-]+", first)


def test_every_choice_has_its_own_readable_name():
    """Two choices of one parameter never share a file name (e.g. 'a b' and 'a-b')."""
    for notebook, declared in NOTEBOOKS.items():
        for param in declared:
            if param.choices:
                names = [run_plan.readable_label({param.name: c}) for c in param.choices]
                assert len(set(names)) == len(names), (notebook, param.name, names)


def test_parameter_sets_run_the_notebooks_they_name(tmp_path):
    sets = paramfile.load_param_file(ROOT / "reports.example.yaml")
    tasks = run_plan.plan_runs(None, sets, tmp_path)
    names = {t.run_name for t in tasks}
    assert "01_response_rates__fibromyalgia_handout" in names
    assert "02_relapse_timeline__fibromyalgia_handout" in names
    only_01 = run_plan.plan_runs(["01"], sets, tmp_path)
    assert {t.notebook for t in only_01} == {"01_response_rates"}
    assert len(only_01) == sum("01_response_rates" in entries for entries in sets.values())


# --- (d) output paths cannot reach the sources ------------------------------------------------


@pytest.mark.parametrize("name", ["../../data/x", "..", "a/../../b", ".hidden", "/etc/passwd", "sp ace\\x"])
def test_set_names_become_plain_file_names(tmp_path, name):
    cleaned = run_plan.safe_name(name)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", cleaned)
    assert ".." not in cleaned and not cleaned.startswith(".")
    [task] = run_plan.plan_runs(["01"], {name: {"01": {}}}, tmp_path)
    for suffix in (".html", ".ipynb", ".FAILED.ipynb"):
        assert task.path(suffix).resolve().parent == tmp_path.resolve()
    assert task.chart_dir.resolve().parent == tmp_path.resolve()


def test_safe_names_of_different_sets_differ():
    assert run_plan.safe_name("a/b") != run_plan.safe_name("a_b")
    assert run_plan.safe_name("fibromyalgia_handout") == "fibromyalgia_handout"


@pytest.mark.parametrize("out", ["notebooks", "notebooks/reports", "data", "data/out"])
def test_output_folder_among_the_sources_is_refused(out, capsys, no_runs):
    before = files_under(ROOT / out.split("/")[0])
    assert report.main(["01", "--out", str(ROOT / out), "--quiet"]) == 2
    assert "refusing to write reports into" in capsys.readouterr().err
    assert files_under(ROOT / out.split("/")[0]) == before


def test_output_folder_beside_a_source_notebook_is_refused(tmp_path):
    source = write_notebook(tmp_path / "mine.ipynb", "x = 1")
    with pytest.raises(run_plan.OutputPathError):
        run_plan.plan_runs([str(source)], out_dir=tmp_path)
    with pytest.raises(run_plan.OutputPathError):
        run_plan.plan_runs(["mine"], out_dir=tmp_path / "sub", notebook_dir=tmp_path)


def test_parameters_for_a_notebook_without_spec_are_refused(tmp_path):
    source = write_notebook(tmp_path / "mine.ipynb", "x = 1")
    with pytest.raises(ParameterError, match="'x'"):
        run_plan.plan_runs([str(source)], {"s": {str(source): {"x": 2}}}, tmp_path / "out")


# --- (b), (f) a real run of notebook 01, through the command line -----------------------------


@pytest.fixture(scope="module")
def fibromyalgia_run(tmp_path_factory):
    """``python -m helpers.report 01 -p condition fibromyalgia`` with html, png and svg output."""
    out = tmp_path_factory.mktemp("reports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop(run_exec.REPORT_ENV, None)  # the runner must set it for the kernel itself
    command = [sys.executable, "-m", "helpers.report", "01", "-p", "condition", "fibromyalgia", "--out", str(out)]
    command += ["--format", "html", "--format", "png", "--format", "svg", "--jobs", "1"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    [page] = out.glob("01_response_rates__*.html")
    [executed] = out.glob("01_response_rates__*.ipynb")
    return out, done, page.read_text(encoding="utf-8"), nbformat.read(executed, as_version=4), page


@pytest.mark.notebooks
def test_run_prints_a_summary_table(fibromyalgia_run):
    _, done, _, _, page = fibromyalgia_run
    header, row = done.stdout.splitlines()[:2]
    assert header.split()[:5] == ["notebook", "parameter", "set", "status", "seconds"]
    assert row.split()[:3] == ["01_response_rates", page.stem.split("__")[1], "ok"]
    assert "1 of 1 runs ok" in done.stdout


@pytest.mark.notebooks
def test_report_includes_the_vega_runtime_exactly_once(fibromyalgia_run):
    _, _, page, _, _ = fibromyalgia_run
    assert page.count(report_page.RUNTIME_MARKER) == 1
    assert page.count('<script id="vega-runtime">') == 1
    assert "vegaEmbed" not in page and "vegaLite" not in page  # compiled when written: Vega alone draws


@pytest.mark.notebooks
def test_report_has_one_live_view_per_view_output(fibromyalgia_run):
    _, _, page, executed, _ = fibromyalgia_run
    outputs = [o for cell in executed.cells for o in cell.get("outputs", []) if VIEW_MIME in o.get("data", {})]
    sections = re.findall(r'<section class="ke-view" id="view-(\d+)"', page)
    divs = re.findall(r'<div class="ke-chart chart" id="chart-(\d+)"', page)
    assert len(outputs) == 1
    assert len(sections) == len(divs) == len(outputs) == page.count('class="ke-view-data"')
    assert sections == divs


@pytest.mark.notebooks
def test_report_loads_nothing_from_the_network(fibromyalgia_run):
    _, _, page, _, _ = fibromyalgia_run
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", page, re.I)
    assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", page, re.I)


@pytest.mark.notebooks
def test_the_view_starts_at_the_chosen_condition(fibromyalgia_run):
    """The page holds every row (its controls filter in place) and starts at the run's parameters."""
    _, _, page, _, _ = fibromyalgia_run
    (payload,) = read_payloads(page)
    spec_values = {s["name"]: s.get("value") for s in payload["vega"]["signals"] if "bind" in s}
    assert spec_values["condition"] == "fibromyalgia"
    initial = [r for r in payload["rows"] if r["id"] in set(payload["initial_ids"])]
    assert initial and {r["condition"] for r in initial} == {"fibromyalgia"}
    assert len(payload["rows"]) > len(initial), "the other rows stay in the page for the controls"
    shown = re.findall(r'<tr data-id="([^"]+)">', page)
    assert shown == [r["id"] for r in initial], "before any script runs, the table shows the run's rows"


@pytest.mark.notebooks
def test_report_has_the_note_the_parameters_and_no_code(fibromyalgia_run):
    _, _, page, _, _ = fibromyalgia_run
    head = page[: page.index("<main>")]
    assert "Educational use only, not medical advice." in head
    footer = page[page.index("<footer>") :]
    assert "<th>condition</th><td><code>&#x27;fibromyalgia&#x27;</code></td>" in footer
    assert re.search(r"run \d{4}-\d\d-\d\d \d\d:\d\d UTC", footer)
    assert "explore_response_rates(" not in page  # code hidden by default


@pytest.mark.notebooks
def test_png_and_svg_export_every_chart(fibromyalgia_run):
    out, _, page, _, html_path = fibromyalgia_run
    charts = len(re.findall(r'<div class="ke-chart chart" id="chart-\d+"', page))
    folder = out / html_path.stem
    pngs, svgs = sorted(folder.glob("chart-*.png")), sorted(folder.glob("chart-*.svg"))
    assert len(pngs) == len(svgs) == charts
    assert all(p.read_bytes().startswith(PNG_SIGNATURE) for p in pngs)
    assert all("<svg" in p.read_text(encoding="utf-8")[:500] for p in svgs)
    assert not [p for p in out.rglob(".*")]  # no temporary files left behind


# --- (c), (e) failures ------------------------------------------------------------------------


@pytest.mark.notebooks
def test_a_failing_notebook_neither_stops_nor_hides_the_others(tmp_path, capsys):
    sources, out = tmp_path / "src", tmp_path / "out"
    sources.mkdir()
    good = write_notebook(sources / "good.ipynb", "print('hello from the good notebook')", "x = 2")
    bad = write_notebook(sources / "bad.ipynb", "y = 1", "raise ValueError('deliberate failure')", "z = 3")
    status = report.main([str(good), str(bad), "--out", str(out), "--jobs", "2", "--quiet"])
    summary = capsys.readouterr().out
    assert status == 1
    assert (out / "good__default.html").is_file() and (out / "good__default.ipynb").is_file()
    good_page = (out / "good__default.html").read_text(encoding="utf-8")
    assert "hello from the good notebook" in good_page and "print(" not in good_page
    assert report_page.RUNTIME_MARKER not in good_page  # no chart, no 900 kB of Vega
    partial = nbformat.read(out / "bad__default.FAILED.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in partial.cells for o in c.get("outputs", []))
    assert not (out / "bad__default.html").exists() and not (out / "bad__default.ipynb").exists()
    assert re.search(r"bad\s+default\s+FAILED", summary)
    assert "cell 2: ValueError: deliberate failure" in summary
    assert "1 of 2 runs ok, 1 FAILED" in summary


@pytest.mark.notebooks
def test_failed_rerun_leaves_the_previous_report_untouched(tmp_path):
    sources, out = tmp_path / "src", tmp_path / "out"
    sources.mkdir()
    write_notebook(sources / "lesson.ipynb", "print('first version')")
    [first] = run_exec.run_reports(
        ["lesson"], {"../../data/x": {"lesson": {}}}, out, 1, notebook_dir=sources, progress=False
    )
    assert first.ok, first.error
    assert files_under(tmp_path) == {
        "src",
        "src/lesson.ipynb",
        "out",
        *(f"out/{first.run_name}{s}" for s in (".html", ".ipynb")),
    }
    page, executed = out / f"{first.run_name}.html", out / f"{first.run_name}.ipynb"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (page, executed)}

    write_notebook(sources / "lesson.ipynb", "print('second version')", "raise RuntimeError('broken on re-run')")
    [second] = run_exec.run_reports(
        ["lesson"], {"../../data/x": {"lesson": {}}}, out, 1, notebook_dir=sources, progress=False
    )
    assert not second.ok and second.error.startswith("cell 2: RuntimeError: broken on re-run")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    assert (out / f"{first.run_name}.FAILED.ipynb").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_list_shows_parameters_and_choices(capsys, no_runs):
    assert report.main(["--list"]) == 0
    listing = capsys.readouterr().out
    assert "01_response_rates\n  condition (default 'all')" in listing
    assert "fibromyalgia" in listing and "year_from (default 1950)" in listing
