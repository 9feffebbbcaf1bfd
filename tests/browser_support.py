"""Helpers for the real-browser tests: local servers, Debian's Chromium, a network guard.

Everything here works offline. Chromium is Debian's (``/usr/bin/chromium`` or ``chromium`` on
PATH), driven by Playwright for Python; no Playwright browser download is needed. Every request
that leaves localhost / 127.0.0.1 / file: / data: / blob: is aborted and recorded, so a test can
both check that charts draw with the network closed and say exactly what a page tried to fetch.

Missing Chromium or Playwright skips the browser tests with the reason, except under ``CI=true``,
where it fails them: CI must not go green by skipping.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
VENV_BIN = Path(sys.executable).parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

# A view page writes its CSV file when idle or when its link is reached (view.js): reach it, then read it.
READ_HREF_JS = '(a) => { a.dispatchEvent(new FocusEvent("focus")); return a.href; }'
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

SERVER_START_TIMEOUT = 120.0  # s: a cold JupyterLab on a slow 2-core machine
DRAW_TIMEOUT = 60.0  # s: kernel start + explorer build + Vega render
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "chrome-extension", "devtools"}
# What a chart would need from the network if it was not offline.
NEEDED_TYPES = {"script", "stylesheet", "font", "fetch", "xhr", "image", "document", "websocket"}


# --- availability ------------------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str):
    """Skip with the reason; under CI=true fail instead, so CI never goes green by skipping."""
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    for candidate in (os.environ.get("KETAMINE_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    path = find_chromium()
    if path is None:
        unavailable("Chromium not found: install Debian's chromium (apt-get install chromium) or set KETAMINE_CHROMIUM")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        unavailable(f"playwright for Python cannot be imported ({exc}); pip install playwright")
    return path


def require_tool(name: str) -> str:
    """An executable from the project's environment (jupyter, voila)."""
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} not found beside {sys.executable} or on PATH")
    return found


# --- the network guard -------------------------------------------------------------------------


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class NetworkGuard:
    """Aborts every non-local request of a browser context and remembers it."""

    blocked: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (resource type, url, error)
    console_errors: list[str] = field(default_factory=list)

    def install(self, context) -> None:
        context.route("**/*", self._route)
        context.on("requestfailed", self._on_failed)
        context.on("weberror", lambda err: self.console_errors.append(f"pageerror: {err.error}"))

    def watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))

    def _route(self, route) -> None:
        request = route.request
        if is_local(request.url):
            route.continue_()
        else:
            self.blocked.append((request.resource_type, request.url))
            route.abort("blockedbyclient")

    def _on_failed(self, request) -> None:
        if not is_local(request.url):
            return  # already in `blocked`
        error = request.failure or ""
        self.failed.append((request.resource_type, request.url, error))

    def needed(self) -> list[tuple[str, str]]:
        """Blocked requests of a kind a page needs to draw (scripts, styles, fonts, data)."""
        return [(kind, url) for kind, url in self.blocked if kind in NEEDED_TYPES]

    def summary(self) -> str:
        lines = [f"blocked {len(self.blocked)} non-local request(s)"]
        lines += [f"  {kind:10} {url}" for kind, url in self.blocked]
        return "\n".join(lines)


# --- Chromium ----------------------------------------------------------------------------------


def launch(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by Playwright, closed on exit; skips (fails under CI) without it."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def view_pages(browser, folder: Path, notebooks: Iterable[str]):
    """Each notebook's view as an offline standalone page at its defaults, opened from file in one guarded
    context; yields ``(pages by notebook, guard)`` and fails if a page reached the network or logged an error."""
    from helpers.render.offline import vega_runtime_js
    from helpers.render.page import standalone_page
    from helpers.views import view

    runtime = vega_runtime_js()
    guard = NetworkGuard()
    context = new_context(browser, guard)
    opened = {}
    try:
        for notebook in notebooks:
            the_view = view(notebook)
            path = Path(folder) / f"{notebook}.html"
            path.write_text(standalone_page([the_view.payload(the_view.validate({}))], runtime), encoding="utf-8")
            page = context.new_page()
            guard.watch(page)
            page.goto(path.as_uri())
            page.wait_for_selector("section.ke-view[data-ready=true]", timeout=DRAW_TIMEOUT * 1000)
            opened[notebook] = page
        yield opened, guard
        assert not guard.blocked, guard.summary()
        assert not guard.console_errors, guard.console_errors
    finally:
        context.close()


def new_context(browser, guard: NetworkGuard, **kwargs):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        service_workers="block",  # so every request goes through the route below
        **kwargs,
    )
    guard.install(context)
    return context


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_SAFE.sub('_', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --- polling -----------------------------------------------------------------------------------


def poll(check: Callable[[], object], timeout: float, what: str, interval: float = 0.25, page=None):
    """Call ``check`` until it returns something truthy; fail saying ``what`` after ``timeout``.

    With a ``page``, the pauses are ``page.wait_for_timeout`` so Playwright keeps dispatching
    events (the network guard's route handler) while waiting; ``time.sleep`` would stall them.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            raise  # a definite failure (e.g. the server exited): no point waiting
        except Exception as exc:  # noqa: BLE001 - a page mid-reload may throw; keep polling
            last_error = exc
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        if page is not None:
            page.wait_for_timeout(interval * 1000)
        else:
            time.sleep(interval)


# Reads every vega-embed chart under ``root`` (a CSS selector; the whole page by default): whether
# each drew an svg or a canvas, how many marks it has (Vega's role="graphics-symbol" items: points,
# bars, rules, text), how many point symbols, its axes' accessible descriptions and its axis labels.
CHARTS_JS = """
(root) => {
  const scope = root ? document.querySelector(root) : document;
  if (!scope) return [];
  return Array.from(scope.querySelectorAll('.vega-embed')).map((el) => {
    const svg = el.querySelector('svg.marks') || el.querySelector('svg');
    const canvas = el.querySelector('canvas');
    const inner = svg || el;
    const box = el.getBoundingClientRect();
    return {
      svg: !!svg,
      canvas: !!canvas,
      marks: inner.querySelectorAll('[role="graphics-symbol"]').length,
      symbols: inner.querySelectorAll('.mark-symbol path').length,
      axes: Array.from(inner.querySelectorAll('.role-axis[aria-label]'))
        .map((g) => g.getAttribute('aria-label')).join(' | '),
      axis_labels: Array.from(inner.querySelectorAll('.role-axis-label text'))
        .map((t) => t.textContent).join('|'),
      text: svg || canvas ? '' : (el.textContent || '').slice(0, 300),
      width: box.width,
      height: box.height,
    };
  });
}
"""


def charts(page, root: str | None = None) -> list[dict]:
    return page.evaluate(CHARTS_JS, root)


def drawn(info: dict) -> bool:
    return (info["svg"] or info["canvas"]) and (info["marks"] > 0 or info["canvas"])


def wait_for_charts(page, count: int = 1, timeout: float = DRAW_TIMEOUT, root: str | None = None) -> list[dict]:
    """Wait until at least ``count`` charts have drawn marks; returns their readings."""

    def ready():
        found = charts(page, root)
        return found if len(found) >= count and all(drawn(c) for c in found) else None

    try:
        return poll(ready, timeout, f"{count} chart(s) to draw with marks", page=page)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; charts now: {charts(page, root)}") from None


def wait_for_change(page, before: tuple, timeout: float = DRAW_TIMEOUT, root: str | None = None) -> dict:
    """Wait until the first chart has redrawn with content different from ``before``."""

    def changed():
        found = charts(page, root)
        return found[0] if found and drawn(found[0]) and marker(found[0]) != before else None

    return poll(changed, timeout, "the chart to redraw with different content", page=page)


def marker(info: dict) -> tuple:
    """What identifies a chart's content: its mark counts, axis descriptions and axis labels."""
    return (info["marks"], info["symbols"], info["axes"], info["axis_labels"])


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server subprocess in its own process group, with its log in a file."""

    name: str
    argv: list[str]
    url: str  # base URL, e.g. http://127.0.0.1:PORT/
    ready_path: str
    log_path: Path
    env: dict[str, str]
    cwd: Path
    token: str = ""
    any_status: bool = False  # ready on any HTTP answer (a 404 too), not only 200
    process: subprocess.Popen | None = None

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> Server:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() also ends its kernels
        )
        try:
            poll(self._ready, timeout, f"{self.name} to answer on {self.url}{self.ready_path}", interval=0.5)
        except AssertionError as exc:
            self.stop()
            raise AssertionError(f"{exc}\n--- {self.name} log ---\n{self.log()}") from None
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
        url = self.url + self.ready_path.lstrip("/")
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as resp:
                return resp.status == 200
        except urllib.error.HTTPError as exc:
            return self.any_status and exc.code < 500
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def log(self, tail: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL it after ``grace`` seconds; always returns."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, grace), (signal.SIGKILL, grace)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if process is not None:
            try:  # kernels or children left in the group
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        log = getattr(self, "_log", None)
        if log is not None and not log.closed:
            log.close()


def root_flag() -> list[str]:
    """Jupyter servers refuse to run as root (containers, CI) without --allow-root."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def isolated_env(tmp: Path) -> dict[str, str]:
    """An environment whose Jupyter runtime, config, data-of-user and IPython dirs are private."""
    env = os.environ.copy()
    for name, sub in (
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),  # notebook-signing key; labextensions stay in sys.prefix
        ("IPYTHONDIR", "ipython"),
    ):
        path = tmp / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    env.pop("KETAMINE_REPORT", None)  # live widgets, not report-mode static charts
    return env


# JupyterLab user settings: no "receive news?" prompt and no update checks (the news URL and the
# update checker are also turned off on the command line).
# No autosave either: running cells must never write outputs into the committed notebooks.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": (
        '{"fetchNews": "false", "checkForUpdates": false}'
    ),
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": '{"autosave": false}',
}


def jupyter_lab(tmp: Path, token: str, root: Path = NOTEBOOKS, settings_text: dict[str, str] | None = None) -> Server:
    """JupyterLab on ``root`` with private settings (``settings_text`` replaces LAB_SETTINGS entries)."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    settings = tmp / "user-settings"
    for rel, text in {**LAB_SETTINGS, **(settings_text or {})}.items():
        target = settings / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    workspaces = tmp / "workspaces"
    workspaces.mkdir(exist_ok=True)
    argv = [
        require_tool("jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={workspaces}",
        f"--LabApp.user_settings_dir={settings}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--ServerApp.open_browser=False",
        "--LabApp.extension_manager=readonly",  # no PyPI queries from the extension manager
        f"--FileCheckpoints.checkpoint_dir={tmp / 'checkpoints'}",  # not notebooks/.ipynb_checkpoints
        *root_flag(),
    ]
    return Server(
        name="jupyter lab",
        argv=argv,
        url=f"http://127.0.0.1:{port}/",
        ready_path="api/status",
        log_path=tmp / "jupyter-lab.log",
        env=isolated_env(tmp),
        cwd=root,
        token=token,
    )


def voila(tmp: Path, target: Path, extra: Iterable[str] = ()) -> Server:
    """Voilà serving ``target`` (a notebook or the notebooks folder) like ``make app``, with its template."""
    from helpers.run.app import template_args, template_env

    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        require_tool("voila"),
        str(target),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        *template_args(),  # no Font Awesome from a CDN (helpers/render/jupyter/voila/templates)
        *extra,
    ]
    return Server(
        name="voila",
        argv=argv,
        url=f"http://127.0.0.1:{port}/",
        ready_path="voila/static/",  # answers (404) without starting a kernel
        any_status=True,
        log_path=tmp / "voila.log",
        env=template_env(isolated_env(tmp)),
        cwd=ROOT,
    )


def voila_app(tmp: Path, notebooks: Path, *options: str) -> Server:
    """The suite's Voilà app (``helpers.run.app``) serving ``notebooks`` on a free port, not yet started."""
    port = free_port()
    return Server(
        name="helpers.run.app",
        argv=[
            sys.executable,
            "-m",
            "helpers.run.app",
            str(notebooks),
            f"--port={port}",
            "--Voila.port_retries=0",
            *options,
        ],
        url=f"http://127.0.0.1:{port}/",
        ready_path="voila/static/",
        any_status=True,
        log_path=tmp / "app.log",
        env=isolated_env(tmp),
        cwd=ROOT,
    )
