"""The teacher's guide, walked as printed: README's handout commands, run in a copy of the project.

The commands are read from the "Teacher's guide" section of README.md; the only thing supplied is
``my_class.yaml``, which the guide tells the teacher to write (here: one set of
``reports.example.yaml``). ``make report`` itself is not run, because its target first (re)installs
the environment: the test runs the command the Makefile's ``report`` target runs, and checks that
the README names that same command. The pages the commands write are opened from disk in Chromium
with the network closed; the slide images are checked as PNG files.
"""

from __future__ import annotations

import re
import shlex
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import browser_support as bs  # tests/ is on sys.path (pytest rootdir conftest)
import pytest
import yaml
from test_handouts import visible_text

from helpers import DISCLAIMER

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
REPORT = ".venv/bin/python -m helpers.report"  # how the guide's commands start
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def guide_bullet(title: str) -> str:
    """The text of one bullet of README's "Teacher's guide" section, found by its bold title."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Teacher's guide", 1)[1].split("\n## ", 1)[0]
    bullets = re.split(r"\n- ", "\n" + section)
    [bullet] = [b for b in bullets if b.startswith(f"**{title}")]
    return " ".join(bullet.split())


def code_spans(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def make_recipe(target: str) -> str:
    """The command a Makefile target runs, its variables expanded (``@`` and prerequisites dropped)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^([A-Z_]+)\s*[:?]?=\s*(.*?)\s*$", makefile, re.M))
    [recipe] = re.findall(rf"^{target}:[^\n]*\n\t@?(.+)$", makefile, re.M)
    while match := re.search(r"\$\((\w+)\)", recipe):
        recipe = recipe.replace(match[0], variables[match[1]])
    return recipe.strip()


def check_png(path: Path) -> tuple[int, int]:
    """Width and height of a PNG whose chunks are all intact (signature, IHDR first, CRCs, IEND last)."""
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    offset, kinds = len(PNG_SIGNATURE), []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: chunk {kind!r} is damaged"
        kinds.append(kind)
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds, kinds
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    """The guide's two handout commands, run as printed in a copy of the project; returns the copy."""
    live, one_class = guide_bullet("A live handout"), guide_bullet("A handout for one condition")
    assert code_spans(live)[0] == "make report"
    make_command = make_recipe("report")
    assert make_command == f"{REPORT} --all"
    assert make_command in code_spans(live), "the guide must say which command `make report` runs"
    [handout_command] = [c for c in code_spans(one_class) if c.startswith(REPORT)]
    assert "--params-file my_class.yaml" in handout_command and "--format png" in handout_command

    tmp = tmp_path_factory.mktemp("guide")
    project = tmp / "project"
    skip = shutil.ignore_patterns(".git", ".venv", "reports", "handouts", "artifacts", "__pycache__", ".*cache")
    shutil.copytree(ROOT, project, ignore=skip)
    (project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    example = yaml.safe_load((ROOT / "reports.example.yaml").read_text(encoding="utf-8"))
    my_class = {"fibromyalgia_handout": example["fibromyalgia_handout"]}  # a handout for one condition
    (project / "my_class.yaml").write_text(yaml.safe_dump(my_class, sort_keys=False), encoding="utf-8")

    env = bs.isolated_env(tmp / "env")
    env.pop("PYTHONPATH")  # a teacher's shell has none; the Makefile exports its own folder
    for command, extra in ((make_command, {"PYTHONPATH": str(project)}), (handout_command, {})):
        done = subprocess.run(
            shlex.split(command),
            cwd=project,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    page = next(c for c in code_spans(live) if c.endswith(".html"))
    out = shlex.split(handout_command)[shlex.split(handout_command).index("--out") + 1]
    return project, project / page, project / out


def test_the_guides_commands_write_every_report_and_the_slide_images(guide):
    project, page, handouts = guide
    assert page.is_file(), f"the guide says to open {page.relative_to(project)}"
    reports = sorted((project / "reports").glob("*__default.html"))
    assert len(reports) == len(list((project / "notebooks").glob("*.ipynb")))
    pages = sorted(handouts.glob("*.html"))
    assert [p.name for p in pages] == [
        "01_response_rates__fibromyalgia_handout.html",
        "02_relapse_timeline__fibromyalgia_handout.html",
    ]
    for html_path in pages:
        charts = len(re.findall(r'<div class="ke-chart chart" id="chart-\d+"', html_path.read_text(encoding="utf-8")))
        pngs = sorted((handouts / html_path.stem).glob("chart-*.png"))
        assert charts >= 1 and len(pngs) == charts, (html_path.name, charts, pngs)
        for png in pngs:
            width, height = check_png(png)
            assert width >= 600 and height >= 300, (png, width, height)
    for html_path in [*reports, *pages]:
        text = visible_text(html_path.read_text(encoding="utf-8")).lower()
        assert text.count(DISCLAIMER.lower().rstrip(".")) == 1, html_path.name


@pytest.fixture(scope="module")
def browser():
    with bs.chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("which", ["live handout", "class handout"])
def test_a_page_from_the_guide_draws_its_chart_offline(guide, browser, which):
    _, page_path, handouts = guide
    if which == "class handout":
        page_path = handouts / "01_response_rates__fibromyalgia_handout.html"
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    try:
        page = context.new_page()
        guard.watch(page)
        page.goto(page_path.as_uri())
        page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
        [chart] = bs.wait_for_charts(page, 1, root="section.ke-view")
        assert (chart["svg"] or chart["canvas"]) and chart["marks"] > 0, chart
        assert "could not be drawn" not in page.inner_text("body")
        assert page.locator(".educational-note[role=note]").inner_text().startswith(DISCLAIMER)
        condition = page.locator(".ke-controls select").first.input_value()
        assert condition == ("fibromyalgia" if which == "class handout" else "all"), "the run's parameters"
    finally:
        context.close()
    assert not guard.blocked, guard.summary()
    assert not guard.console_errors, guard.console_errors
