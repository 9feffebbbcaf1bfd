"""Hostile and careless input to the report command: refused before anything runs, with a readable message.

Parameter files (alias bombs, size, octal-looking keys), notebook 08's rules across
parameters, ``--jobs``, output folders, and notebook arguments that name one notebook twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_report import files_under, write_notebook

from helpers.params import ParameterError, validate
from helpers.run import cli as report
from helpers.run import execute as runner
from helpers.run import paramfile
from helpers.run import plan as runplan

ROOT = Path(__file__).resolve().parent.parent
AT_08 = "notebook 08_pk_simulator: parameter"
ROUTES = "IV, IM, intranasal, oral, sublingual, rectal"


@pytest.fixture
def no_runs(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a notebook was run although the input was invalid")

    monkeypatch.setattr(report, "run_tasks", refuse)


def refused(capsys, *args: str) -> str:
    """The error text of a command line that must exit 2 with nothing run."""
    assert report.main([*args, "--quiet"]) == 2
    message = capsys.readouterr().err
    assert message.startswith("Nothing was run.")
    return message


# --- item 3: YAML alias bombs, file size, long values -------------------------------------------

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
handout:
  '01': {condition: *i}
"""


def test_yaml_alias_bomb_is_refused_with_a_short_message(tmp_path, capsys, no_runs):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    message = refused(capsys, "--params-file", str(bomb), "--out", str(tmp_path / "out"))
    assert "aliases" in message and "not allowed" in message and str(bomb) in message
    assert "line 2" in message  # where the first alias is
    assert len(message) < 1000


def test_an_oversized_parameter_file_is_refused(tmp_path, capsys, no_runs):
    big = tmp_path / "big.yaml"
    big.write_text("handout:\n  '01': {condition: '" + "x" * 400_000 + "'}\n", encoding="utf-8")
    message = refused(capsys, "--params-file", str(big), "--out", str(tmp_path / "out"))
    assert f"at most {paramfile.MAX_PARAM_FILE_BYTES:,}" in message and str(big) in message
    assert len(message) < 1000


@pytest.mark.parametrize("where", ["cli", "file"])
def test_long_values_are_cut_in_error_messages(tmp_path, capsys, no_runs, where):
    value = "fibro" * 100_000
    if where == "cli":
        message = refused(capsys, "01", "-p", "condition", value, "--out", str(tmp_path / "out"))
    else:
        sets = tmp_path / "sets.yaml"
        sets.write_text(f"handout:\n  '01': {{condition: {value[:200_000]}, {'k' * 1000}: 1}}\n", encoding="utf-8")
        message = refused(capsys, "--params-file", str(sets), "--out", str(tmp_path / "out"))
    shown = "fibro" * 8 + "…"  # quoted() keeps the first 40 characters
    assert f"notebook 01_response_rates: parameter 'condition' cannot be '{shown}'; choose one of: all," in message
    assert "fibro" * 9 not in message
    if where == "file":
        assert f"notebook 01_response_rates: unknown parameter '{'k' * 40}…'; valid: condition," in message
        assert "k" * 41 not in message
    assert max(len(line) for line in message.splitlines()) < 600


def test_a_nested_value_is_shown_without_building_its_repr():
    class Leaf:
        seen = 0

        def __repr__(self):
            Leaf.seen += 1
            return "leaf"

    deep = [[[Leaf()] * 100] * 100] * 100  # a million items by reference (a YAML alias bomb holds billions)
    with pytest.raises(ParameterError) as error:
        validate("01_response_rates", {"condition": deep})
    assert len(str(error.value)) < 400 and "leaf" in str(error.value)
    assert Leaf.seen < 1000, f"{Leaf.seen:,} items were shown to build a message that shows a few"


def test_unquoted_notebook_keys_are_read_as_written_not_as_octal(tmp_path):
    sets = tmp_path / "sets.yaml"
    sets.write_text("handout:\n  01: {condition: fibromyalgia}\n  02: {context: pain}\n  07: {}\n", encoding="utf-8")
    tasks = runplan.plan_runs(None, paramfile.load_param_file(sets), tmp_path / "out")
    assert [t.notebook for t in tasks] == ["01_response_rates", "02_relapse_timeline", "07_claims_check"]
    assert tasks[0].params["condition"] == "fibromyalgia"


# --- item 4: --jobs -------------------------------------------------------------------------------


def test_jobs_are_capped_at_the_cpus_and_at_free_memory():
    jobs, message = runner.job_limit(100, cpus=2, memory=64 * 1024**3)
    assert jobs == 2 and message.startswith("--jobs 100 lowered to 2") and "2 CPUs" in message
    jobs, message = runner.job_limit(16, cpus=32, memory=1024**3)
    assert jobs == 1024**3 // runner.KERNEL_MEMORY == 5
    assert "memory" in message and "200 MB" in message
    assert runner.job_limit(2, cpus=4, memory=64 * 1024**3) == (2, None)
    assert runner.job_limit(None, cpus=4, memory=64 * 1024**3) == (4, None)


def test_the_command_says_when_it_lowers_jobs(tmp_path, capsys, monkeypatch):
    seen = {}

    def fake_run(tasks, jobs, progress=True, fresh_kernels=False):
        seen["jobs"] = jobs
        return []

    monkeypatch.setattr(report, "run_tasks", fake_run)
    monkeypatch.setattr(runner, "usable_cpus", lambda: 2)
    source = write_notebook(tmp_path / "a.ipynb", "x = 1")
    report.main([str(source), "--jobs", "100", "--out", str(tmp_path / "out"), "--quiet"])
    assert seen["jobs"] <= 2
    assert "--jobs 100 lowered to" in capsys.readouterr().err


# --- item 5: notebook 08's rules, all checked before anything runs -------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["-p", "routes", "foo"],
            [f"{AT_08} 'routes' cannot include 'foo'; valid: {ROUTES} (comma-separated, e.g. 'IV,IM')"],
        ),
        (["-p", "dose", "0"], [f"{AT_08} 'dose' must be from 0.01 to 3000 (in the dose unit), got 0"]),
        (
            ["-p", "dose", "50"],
            [f"{AT_08} 'dose' must be at most 20 mg/kg, got 50; for a total dose in mg set dose_unit to mg"],
        ),
        (
            ["-p", "dose", ".nan"],
            [f"{AT_08} 'dose' must be a decimal number such as 0.5 (digits and an optional point), got '.nan'"],
        ),
        (
            ["-p", "dose", "1000", "-p", "dose_unit", "mg", "-p", "weight_kg", "20"],
            [
                f"{AT_08} 'dose' is 1000 mg for weight_kg 20, that is 50 mg/kg; "
                "at most 20 mg/kg is allowed (at most 400 mg at 20 kg)"
            ],
        ),
        (["-p", "threshold_ng_ml", "101"], [f"{AT_08} 'threshold_ng_ml' must be in steps of 10 from 10, got 101"]),
        (["-p", "weight_kg", "70.25"], [f"{AT_08} 'weight_kg' must be in steps of 0.5 from 20, got 70.25"]),
    ],
)
def test_notebook_08_rules_are_checked_before_anything_runs(tmp_path, capsys, no_runs, args, expected):
    message = refused(capsys, "08", *args, "--out", str(tmp_path / "out"))
    assert message.splitlines()[1:] == expected
    assert not (tmp_path / "out").exists()


def test_notebook_08_nan_from_a_parameter_file_is_refused(tmp_path, capsys, no_runs):
    sets = tmp_path / "sets.yaml"
    sets.write_text("s:\n  '08': {dose: .nan, weight_kg: .inf}\n", encoding="utf-8")
    message = refused(capsys, "--params-file", str(sets), "--out", str(tmp_path / "out"))
    # YAML's .nan and .inf are read as the text written, which is not a decimal number
    assert message.splitlines()[1:] == [
        "parameter set 's', notebook 08_pk_simulator: parameter 'dose' must be a decimal number such as 0.5 "
        "(digits and an optional point), got '.nan'",
        # every line names its set
        "parameter set 's', notebook 08_pk_simulator: parameter 'weight_kg' must be a decimal number such as 70 "
        "(digits and an optional point), got '.inf'",
    ]


def test_every_bad_parameter_is_reported_at_once(tmp_path, capsys, no_runs):
    message = refused(
        capsys, "08", "-p", "routes", "foo,bar", "-p", "dose", "0", "-p", "hours", "100", "--out", str(tmp_path / "o")
    )
    assert message.splitlines()[1:] == [
        # one problem per parameter: the routes verdict stops at the first unknown route, 'foo'
        f"{AT_08} 'routes' cannot include 'foo'; valid: {ROUTES} (comma-separated, e.g. 'IV,IM')",
        f"{AT_08} 'dose' must be from 0.01 to 3000 (in the dose unit), got 0",
        f"{AT_08} 'hours' must be from 1 to 48 h, got 100",
    ]


def test_a_total_dose_within_the_limit_passes():
    assert validate("08_pk_simulator", {"dose": 1000.0, "dose_unit": "mg", "weight_kg": 70.0})["dose"] == 1000.0


# --- item 10: runner details ----------------------------------------------------------------------


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write; as root (which ignores modes) a path on a read-only file system."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()
    for candidate in (Path("/sys/ketamine-reports"), Path("/proc/ketamine-reports")):
        try:
            candidate.mkdir()
        except OSError:
            return candidate
        candidate.rmdir()
    pytest.skip("no unwritable folder available on this machine")


def test_an_unwritable_output_folder_exits_2_before_anything_runs(tmp_path, capsys, no_runs):
    out = unwritable_folder(tmp_path)
    message = refused(capsys, "00", "--out", str(out))
    assert "cannot be written" in message and str(out) in message


@pytest.mark.parametrize("out", ["helpers", "helpers/reports"])
def test_the_package_folder_is_refused(capsys, no_runs, out):
    def sources() -> set[str]:  # other test processes may write __pycache__ meanwhile
        return {p for p in files_under(ROOT / "helpers") if "__pycache__" not in p}

    before = sources()
    message = refused(capsys, "00", "--out", str(ROOT / out))
    assert "refusing to write reports into" in message and "helpers package" in message
    assert sources() == before


@pytest.mark.parametrize("args", [["01", "01_response_rates"], ["00", "notebooks/00_start_here.ipynb"]])
def test_two_arguments_naming_one_notebook_are_an_error(tmp_path, capsys, no_runs, args):
    message = refused(capsys, *args, "--out", str(tmp_path / "out"))
    assert "both name" in message and repr(args[0]) in message and repr(args[1]) in message


def test_two_notebooks_with_the_same_name_in_different_folders_are_an_error(tmp_path, capsys, no_runs):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    message = refused(
        capsys,
        str(write_notebook(a / "x.ipynb", "1")),
        str(write_notebook(b / "x.ipynb", "2")),
        "--out",
        str(tmp_path / "out"),
    )
    assert "two notebooks called x" in message


@pytest.mark.notebooks
def test_a_timeout_and_a_kernel_death_name_their_cell_and_the_next_run_still_works(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    slow = write_notebook(src / "slow.ipynb", "x = 1", "import time\nwhile True:\n    time.sleep(0.05)")
    dies = write_notebook(src / "dies.ipynb", "x = 1", "y = 2", "import os\nos._exit(3)")
    good = write_notebook(src / "good.ipynb", "print('still fine')")
    args = [str(slow), str(dies), str(good), "--timeout", "3", "--jobs", "1", "--out", str(out), "--quiet"]
    status = report.main(args)
    text = capsys.readouterr().out
    assert status == 1
    assert "cell 2: timed out after 3 s (--timeout 3)" in text
    assert "KeyboardInterrupt" not in text
    assert "cell 3: the kernel died while running this cell (exit code 3)" in text
    assert "1 of 3 runs ok, 2 FAILED" in text
    assert (out / "good__default.html").is_file()
    assert (out / "slow__default.FAILED.ipynb").is_file() and (out / "dies__default.FAILED.ipynb").is_file()


@pytest.mark.notebooks
def test_the_terminal_shows_only_the_progress_bar_and_the_summary(tmp_path):
    """No kernel warning ("Kernel is running over TCP without encryption"), no papermill log line."""
    source = write_notebook(tmp_path / "chatty.ipynb", "import sys\nprint('to stderr', file=sys.stderr)", "x = 1")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "helpers.report", str(source), "--out", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    bar_updates = [part for part in done.stderr.replace("\n", "\r").split("\r") if part.strip()]
    assert bar_updates and all(part.startswith("reports:") for part in bar_updates), done.stderr
    assert done.stdout.splitlines()[0].split()[:2] == ["notebook", "parameter"]
    assert done.stdout.splitlines()[-1] == "1 of 1 runs ok"


# --- defects the one verdict fixes, through the real command line ---------------------------------


def command_line(tmp_path: Path, *args: str) -> str:
    """stderr of ``python -m helpers.report ARGS`` that must exit 2 with nothing run and nothing written."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "helpers.report", *args, "--out", str(out), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("Nothing was run.\n"), done.stderr
    assert not out.exists()
    return done.stderr


@pytest.mark.parametrize(("text", "kg"), [("070", 70.0), ("0100", 100.0)])
def test_a_leading_zero_weight_is_a_decimal_number_not_octal(tmp_path, text, kg):
    """YAML 1.1 read 070 as 56 and 0100 as 64; both surfaces now read the digits as written."""
    [task] = runplan.plan_runs(["08"], None, tmp_path / "out", overrides=[("weight_kg", text)])
    assert task.params["weight_kg"] == kg and task.set_name == f"weight_kg-{kg:g}"
    sets = tmp_path / "sets.yaml"
    sets.write_text(f"s:\n  '08': {{weight_kg: {text}}}\n", encoding="utf-8")
    [task] = runplan.plan_runs(None, paramfile.load_param_file(sets), tmp_path / "out")
    assert task.params["weight_kg"] == kg


def test_the_command_line_passes_a_leading_zero_weight_through(tmp_path, monkeypatch):
    planned = []
    monkeypatch.setattr(report, "run_tasks", lambda tasks, *_a, **_k: planned.extend(tasks) or [])
    report.main(["08", "-p", "weight_kg", "070", "--out", str(tmp_path / "out"), "--quiet"])
    assert [t.params["weight_kg"] for t in planned] == [70.0]


def test_a_time_written_as_hours_and_minutes_is_refused(tmp_path):
    message = command_line(tmp_path, "08", "-p", "infusion_min", "1:30")
    assert message.splitlines()[1:] == [
        f"{AT_08} 'infusion_min' must be a decimal number such as 40 (digits and an optional point), got '1:30'"
    ]


def test_a_time_written_as_hours_and_minutes_in_a_file_is_refused(tmp_path):
    sets = tmp_path / "sets.yaml"
    sets.write_text("s:\n  '08': {infusion_min: 1:30}\n", encoding="utf-8")  # YAML 1.1: the number 90
    message = command_line(tmp_path, "--params-file", str(sets))
    assert message.splitlines()[1:] == [
        f"parameter set 's', {AT_08} 'infusion_min' must be a decimal number such as 40 "
        "(digits and an optional point), got '1:30'"
    ]


def test_a_total_dose_in_mg_is_limited_per_kg_of_weight(tmp_path):
    [task] = runplan.plan_runs(
        ["08"], None, tmp_path / "out", overrides=[("dose", "1200"), ("dose_unit", "mg"), ("weight_kg", "100")]
    )
    assert (task.params["dose"], task.params["dose_unit"], task.params["weight_kg"]) == (1200.0, "mg", 100.0)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-p", "dose", "5000", "-p", "dose_unit", "mg", "-p", "weight_kg", "20"],
            f"{AT_08} 'dose' must be from 0.01 to 3000 (in the dose unit), got 5000",
        ),
        (
            ["-p", "dose_unit", "mg", "-p", "dose", "1000", "-p", "weight_kg", "20"],  # the unit given first
            f"{AT_08} 'dose' is 1000 mg for weight_kg 20, that is 50 mg/kg; "
            "at most 20 mg/kg is allowed (at most 400 mg at 20 kg)",
        ),
    ],
)
def test_a_total_dose_above_the_limit_is_refused_on_the_command_line(tmp_path, args, line):
    assert command_line(tmp_path, "08", *args).splitlines()[1:] == [line]


def test_a_parameter_given_twice_on_the_command_line_is_refused(tmp_path):
    message = command_line(tmp_path, "08", "-p", "dose", "1", "-p", "dose", "2")
    assert message.splitlines()[1:] == [f"{AT_08} 'dose' is given more than once; give each parameter once"]


@pytest.mark.parametrize("mapping", ["{dose: 1, dose: 2}", "\n    dose: 1\n    dose: 2"])
def test_a_parameter_given_twice_in_a_file_is_refused(tmp_path, mapping):
    sets = tmp_path / "sets.yaml"
    sets.write_text(f"s:\n  '08': {mapping}\n", encoding="utf-8")
    message = command_line(tmp_path, "--params-file", str(sets))
    assert message.splitlines()[1:] == [
        f"parameter set 's', {AT_08} 'dose' is given more than once; give each parameter once"
    ]


def test_ten_thousand_unknown_names_list_ten_problems_and_count_the_rest(tmp_path):
    pairs = [arg for i in range(10_000) for arg in ("-p", f"x{i}", "1")]
    lines = command_line(tmp_path, "08", *pairs).splitlines()[1:]
    valid = "routes, dose, dose_unit, weight_kg, infusion_min, hours, threshold_ng_ml, model"
    assert lines == [f"notebook 08_pk_simulator: unknown parameter 'x{i}'; valid: {valid}" for i in range(10)] + [
        "... and 9990 more"
    ]


def test_ten_thousand_unknown_names_for_several_notebooks_stay_bounded(tmp_path):
    pairs = [arg for i in range(10_000) for arg in ("-p", f"x{i}", "1")]
    message = command_line(tmp_path, "01", "02", *pairs)
    assert len(message.splitlines()) <= 1 + 10 * 4 + 1 and "and 9,990 more" in message


# --- issue 21: every printed list capped, output folders and timeouts checked -----------------------


@pytest.mark.parametrize("chosen", [["--all"], ["--params-file", str(ROOT / "reports.example.yaml")]])
def test_ten_thousand_unknown_names_for_many_notebooks_print_a_few_lines(tmp_path, chosen):
    pairs = [arg for i in range(10_000) for arg in ("-p", f"x{i}", "1")]
    message = command_line(tmp_path, *chosen, *pairs)
    lines = message.splitlines()[1:]
    assert len(lines) <= 1 + 10 and len(message) < 3000, message[:3000]
    assert lines[0].startswith("unknown parameters 'x0', 'x1', ")
    assert "'x9' and 9,990 more: no chosen notebook takes them. Valid:" in lines[0]
    assert "'x10'" not in message


def test_unknown_names_for_a_notebook_without_parameters_are_capped(tmp_path):
    source = write_notebook(tmp_path / "mine.ipynb", "x = 1")
    pairs = [arg for i in range(10_000) for arg in ("-p", f"x{i}", "1")]
    message = command_line(tmp_path, str(source), *pairs)
    assert len(message) < 1000 and "and 9,990 more" in message


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_out_is_refused(tmp_path, value):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = files_under(ROOT / "helpers"), sorted(p.name for p in ROOT.iterdir())
    command = [sys.executable, "-m", "helpers.report", "00", "--out", value, "--quiet"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"refusing to write reports into '{value}' (an empty --out)" in done.stderr or (
        "refusing to write reports into '' (an empty --out)" in done.stderr
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before[1]


def test_a_dangling_out_symlink_is_refused_and_its_target_not_created(tmp_path, capsys, no_runs):
    target = tmp_path / "elsewhere" / "reports"
    link = tmp_path / "link"
    link.symlink_to(target)
    message = refused(capsys, "00", "--out", str(link))
    assert f"{link} is a symbolic link to {target}, which does not exist" in message
    assert not target.exists() and not target.parent.exists()
    message = refused(capsys, "00", "--out", str(link / "sub"))  # a dangling link higher up the path
    assert "which does not exist" in message and not target.exists()


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_timeout_below_one_second_is_refused(tmp_path, value):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "helpers.report", "00", "--timeout", value, "--out", str(tmp_path / "o")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert (
        f"error: --timeout must be a whole number of seconds of at least 1, got {value}; "
        "leave --timeout out for no limit"
    ) in done.stderr
    assert not (tmp_path / "o").exists()
    with pytest.raises(ParameterError, match="--timeout must be a whole number of seconds of at least 1"):
        runplan.plan_runs(["00"], out_dir=tmp_path / "o", timeout=int(value))
