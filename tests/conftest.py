"""Shared fixtures: a scratch copy of data/ to break, the source documents, and the browser tests'
Chromium, guarded browser session and Voilà server (test_browser.py, test_accessibility.py)."""

from __future__ import annotations

import csv
import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import browser_support as bs  # tests/ is on sys.path (this conftest's folder)
import pytest

from helpers.data.provenance import DATA_DIR, seeds_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit_cell(path: Path, row_index: int, column: str, value: str) -> int:
    """Set one cell of a CSV (row_index 0 = first data row); returns the file line number."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[row_index][column] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def seeds() -> Path:
    """The source documents; skips, saying why, when they are absent."""
    folder = seeds_dir()
    if folder is None:
        pytest.skip("source documents not found: set KETAMINE_SEEDS or place them in ../shared/seeds")
    return folder


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="accept the current chart specs and key numbers as the new snapshots (make snapshots)",
    )


@pytest.fixture
def update_snapshots(request) -> bool:
    return request.config.getoption("--update-snapshots")


# --- browser tests -------------------------------------------------------------------------------


class Session:
    """One browser context: its page, its network guard, and numbered screenshots."""

    def __init__(self, browser, name: str):
        self.name = name
        self.guard = bs.NetworkGuard()
        self.context = bs.new_context(browser, self.guard)
        self.context.set_default_timeout(bs.DRAW_TIMEOUT * 1000)
        self.context.set_default_navigation_timeout(bs.SERVER_START_TIMEOUT * 1000)
        self.page = self.new_page()
        self.step = 0
        self.shots: list[Path] = []

    def new_page(self):
        page = self.context.new_page()
        self.guard.watch(page)
        return page

    def shot(self, label: str, page=None, full_page: bool = True) -> Path:
        self.step += 1
        path = bs.screenshot(page or self.page, f"{self.name}-{self.step:02d}-{label}", full_page=full_page)
        self.shots.append(path)
        return path

    def shot_charts(self, label: str, root: str = "body") -> list[Path]:
        """One screenshot per drawn chart (element screenshots, whatever the page scrolls)."""
        paths = []
        charts = self.page.locator(f"{root} .vega-embed")
        for index in range(charts.count()):
            self.step += 1
            path = bs.SCREENSHOTS / f"{self.name}-{self.step:02d}-{label}-chart{index + 1}.png"
            charts.nth(index).screenshot(path=str(path))
            paths.append(path)
        self.shots += paths
        return paths

    def close(self) -> None:
        log = bs.ROOT / "artifacts" / "network" / f"{self.name}.txt"
        log.parent.mkdir(parents=True, exist_ok=True)
        failed = [f"  {kind:10} {url} {error}" for kind, url, error in self.guard.failed]
        log.write_text(
            "\n".join(
                [self.guard.summary(), f"failed local requests: {len(failed)}", *failed, "console errors:"]
                + [f"  {line}" for line in self.guard.console_errors]
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"[{self.name}] {self.guard.summary()}")
        self.context.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, one per test module; skips (fails under CI) without it."""
    with bs.chromium() as chromium:
        yield chromium


@pytest.fixture
def session(browser, request):
    """A fresh guarded browser context named after the test; its network log is written on close."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name.removeprefix("test_")).strip("-")
    s = Session(browser, name)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def voila_app(browser, tmp_path_factory):
    """Voilà serving the notebooks folder like ``make app`` (after ``browser``, so a skip costs nothing)."""
    server = bs.voila(tmp_path_factory.mktemp("voila"), bs.NOTEBOOKS)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def default_reports(tmp_path_factory) -> dict[str, Path]:
    """Every notebook's report at its defaults, made like ``make report``, once per test run: {notebook: path}.

    Several modules only read these pages (layout, accessibility). Under pytest-xdist each worker has
    its own session, so the first to ask builds them in the run's shared temp folder under a lock and
    the others read that build (the pattern pytest-xdist documents for session data).
    """
    # Under xdist each worker's temp folder is inside the run's; alone, the run's own folder is the one
    # (its parent holds every earlier run's: a build found there would be an old version's).
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out, done = shared / "default-reports", shared / "default-reports.done"
    with open(shared / "default-reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)
            result = subprocess.run(
                [sys.executable, "-m", "helpers.report", "--all", "--out", str(out), "--quiet"],
                cwd=bs.ROOT,
                env=bs.isolated_env(shared / "default-reports-env"),
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            done.write_text("ok\n", encoding="utf-8")
    return {p.name.split("__")[0]: p for p in out.glob("*__default.html")}
