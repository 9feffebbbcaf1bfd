"""Opening, running and closing notebooks in JupyterLab never dirties a commit.

A copy of the notebooks in a new git repository, with the filter `make git-filter` installs,
is served by a real JupyterLab with autosave on (every 2 s), driven by Chromium:

- opening a notebook, letting its kernel start and closing it writes nothing (no kernelspec
  or metadata rewrite): the file's bytes and ``git status`` are unchanged;
- running one and saving it (File > Save, with autosave off so no autosave races the
  save) writes its outputs to disk, and git still sees nothing to commit, because
  nbstripout strips them on the way in.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import browser_support as bs
import pytest
from test_browser import lab_active_panel, lab_kernel_idle, lab_run_all

pytestmark = pytest.mark.browser

DOCMANAGER = "@jupyterlab/docmanager-extension/plugin"
AUTOSAVE = {f"{DOCMANAGER}.jupyterlab-settings": '{"autosave": true, "autosaveInterval": 2}'}


def git(repo, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """The committed notebooks in a fresh repository, with the Makefile's nbstripout filter set up."""
    repo = tmp_path_factory.mktemp("clone")
    shutil.copytree(bs.NOTEBOOKS, repo / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(bs.ROOT / ".gitattributes", repo / ".gitattributes")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "user.name", "test")
    subprocess.run(
        ["make", "--no-print-directory", "-f", str(bs.ROOT / "Makefile"), "git-filter", f"PY={sys.executable}"],
        cwd=repo,
        check=True,
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "notebooks as committed")
    assert git(repo, "status", "--porcelain") == ""
    return repo


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    token = secrets.token_hex(24)
    server = bs.jupyter_lab(tmp_path_factory.mktemp("lab"), token, root=repo / "notebooks", settings_text=AUTOSAVE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(lab):
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard)
        context.set_default_timeout(bs.DRAW_TIMEOUT * 1000)
        page = context.new_page()
        guard.watch(page)
        yield page
        context.close()


def set_autosave(lab, on: bool) -> None:
    """Switch autosave through JupyterLab's settings API; a page opened afterwards uses it."""
    raw = json.dumps({"autosave": on, "autosaveInterval": 2})
    request = urllib.request.Request(
        f"{lab.url}lab/api/settings/{DOCMANAGER.replace('/plugin', ':plugin')}",
        data=json.dumps({"raw": raw}).encode(),
        method="PUT",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 204), response.status


def open_notebook(page, lab, name: str) -> str:
    page.goto(f"{lab.url}lab/tree/{name}?token={lab.token}")
    panel = lab_active_panel(page, name)
    lab_kernel_idle(page)
    return panel


def close_current_tab(page) -> None:
    """Close the notebook's tab; a "save your work?" dialog means the model was dirty."""
    page.keyboard.press("Alt+w")
    time.sleep(1.0)
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    assert not dialogs, f"closing the notebook asked: {dialogs}"


def test_opening_and_closing_a_notebook_writes_nothing(repo, lab, page):
    name = "01_response_rates.ipynb"
    set_autosave(lab, True)
    before = (repo / "notebooks" / name).read_bytes()
    open_notebook(page, lab, name)
    time.sleep(5)  # more than two autosave intervals: a dirty model would be written by now
    close_current_tab(page)
    after = (repo / "notebooks" / name).read_bytes()
    assert after == before, "JupyterLab rewrote the notebook on opening it:\n" + _json_diff(before, after)
    assert git(repo, "status", "--porcelain") == ""


def test_running_a_notebook_leaves_nothing_to_commit(repo, lab, page):
    name = "05_safety.ipynb"
    path = repo / "notebooks" / name
    before = path.read_bytes()
    set_autosave(lab, False)
    panel = open_notebook(page, lab, name)
    lab_run_all(page, panel)
    save_and_wait(page, path)
    close_current_tab(page)
    assert path.read_bytes() != before, "the run saved nothing, so this test would prove nothing"
    git(repo, "add", "-A")
    staged = git(repo, "diff", "--cached", "--stat")
    assert staged == "", f"running {name} left changes to commit:\n{staged}"
    assert git(repo, "status", "--porcelain") == ""
    committed = json.loads(git(repo, "show", f"HEAD:notebooks/{name}"))
    assert all(not cell.get("outputs") for cell in committed["cells"])


def save_and_wait(page, path) -> None:
    """Save the notebook once from the File menu and wait for that save to land.

    Autosave is off here: a save racing an autosave makes JupyterLab report the file as
    "changed on disk", and under load autosave backs off (ten times the last save's
    duration), so waiting for it is not a bounded wait. The menu is used rather than
    Ctrl+S because a key press that lands in an output saves nothing.
    """
    with page.expect_response(
        lambda r: r.request.method == "PUT" and "/api/contents/" in r.url, timeout=bs.SERVER_START_TIMEOUT * 1000
    ) as saving:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).first.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Save( Notebook)?$")).first.click()
    assert saving.value.ok, f"JupyterLab's save answered {saving.value.status}: {saving.value.text()[:300]}"

    def saved() -> bool:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        assert not dialogs, f"saving the notebook asked: {dialogs}"
        dirty = page.evaluate(
            "() => !!document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty')"
        )
        return not dirty and _outputs(path) > 0  # clean and on disk: the saved file holds the outputs

    bs.poll(saved, bs.SERVER_START_TIMEOUT, "the saved notebook to hold its outputs", page=page)


def _outputs(path) -> int:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # caught mid-write
        return 0
    return sum(len(cell.get("outputs", [])) for cell in nb["cells"])


def _json_diff(before: bytes, after: bytes) -> str:
    import difflib

    lines = difflib.unified_diff(
        before.decode("utf-8").splitlines(), after.decode("utf-8").splitlines(), "committed", "after", lineterm=""
    )
    return "\n".join(list(lines)[:60])
