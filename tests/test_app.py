"""``make app`` (helpers.run.app): leaving a page shuts its kernel down, and the number of kernels is capped.

The server is the real launcher on a tiny notebook. The first test sends exactly what
Voilà's page sends on ``beforeunload`` (a form POST with the ``_xsrf`` cookie's value);
the browser test leaves a page in Chromium and watches the kernel go.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from browser_support import (
    ROOT,
    NetworkGuard,
    Server,
    chromium,
    new_context,
    poll,
    voila_app,
)
from test_report import write_notebook

from helpers.run.app import merged_args

pytestmark = pytest.mark.notebooks
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "tiny.ipynb", "print(6 * 7)")
    server = voila_app(
        tmp,
        notebooks,
        "--CappedKernelManager.max_kernels=2",
        # Its visitors hold no websocket: the unattended end (tests/test_voila_unattended.py) is off here.
        "--CappedKernelManager.unattended_timeout=0",
    ).start()
    yield server
    server.stop()


class Visitor:
    """One browser-like visitor: cookies kept, pages opened, the shutdown beacon sent."""

    def __init__(self, server: Server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open_page(self) -> tuple[int, str]:
        try:
            with self.opener.open(self.server.url + "voila/render/tiny.ipynb", timeout=120) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def leave(self, kernel: str) -> int:
        """What the page's beforeunload handler sends: navigator.sendBeacon(url, FormData{_xsrf: cookie})."""
        xsrf = next((c.value for c in self.jar if c.name == "_xsrf"), "")
        body = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
        request = urllib.request.Request(self.server.url + f"voila/api/shutdown/{kernel}", data=body, method="POST")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def kernel_exists(self, kernel: str) -> bool:
        try:
            with self.opener.open(self.server.url + f"api/kernels/{kernel}", timeout=30):
                return True
        except urllib.error.HTTPError as error:
            assert error.code == 404
            return False


def test_leaving_a_page_shuts_its_kernel_down_and_the_kernels_are_capped(app):
    first, second, third = Visitor(app), Visitor(app), Visitor(app)
    status, page = first.open_page()
    assert status == 200 and "42" in page
    # The project's template: Voilà's lab page less its Font Awesome links to a CDN, with a main landmark.
    assert "cdn.jsdelivr.net" not in page and "fontawesome" not in page and "<main>" in page, page[:2000]
    kernel_1 = KERNEL_ID.search(page)[1]
    assert any(c.name == "_xsrf" for c in first.jar), "the page must set the cookie its shutdown beacon sends"
    status, page = second.open_page()
    assert status == 200
    kernel_2 = KERNEL_ID.search(page)[1]

    status, page = third.open_page()  # the cap is 2
    assert status == 503
    assert "All explorers are in use" in page and "at most 2 explorer session" in page

    assert first.leave(kernel_1) == 204
    assert not first.kernel_exists(kernel_1) and second.kernel_exists(kernel_2)
    status, page = third.open_page()  # a kernel was freed: the next visitor gets in
    assert status == 200 and "42" in page
    assert second.leave(kernel_2) == 204 and third.leave(KERNEL_ID.search(page)[1]) == 204
    log = app.log(tail=100_000)
    assert "_xsrf' argument missing" not in log and "403 POST" not in log
    assert "without encryption" not in log  # IPC kernels: no warning per kernel in the terminal


def test_defaults_give_way_to_the_command_line():
    args = merged_args(["--port=9000", "--CappedKernelManager.max_kernels=3"])
    assert "--Voila.port=8866" not in args and "--port=9000" in args
    assert str(ROOT / "notebooks") in args and "--KernelManager.transport=ipc" in args
    assert merged_args(["other/folder"])[-1] == "other/folder" and str(ROOT / "notebooks") not in merged_args(["x"])
    assert "--VoilaConfiguration.template=ketamine" in merged_args([])
    assert "--VoilaConfiguration.template=ketamine" not in merged_args(["--template=lab"])


@pytest.mark.browser
def test_closing_the_page_in_chromium_shuts_the_kernel_down(app):
    watcher = Visitor(app)
    with chromium() as browser:
        context = new_context(browser, NetworkGuard())
        page = context.new_page()
        page.goto(app.url + "voila/render/tiny.ipynb", wait_until="networkidle", timeout=120_000)
        kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        assert kernel, page.content()[:2000]
        poll(lambda: watcher.kernel_exists(kernel), 60, "the page's kernel to run", page=page)
        page.close(run_before_unload=True)  # close the tab: beforeunload sends the shutdown beacon
        poll(lambda: not watcher.kernel_exists(kernel), 30, "the kernel to be shut down")
    assert "_xsrf' argument missing" not in app.log(tail=100_000)
