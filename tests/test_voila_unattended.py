"""``make app``: a Voilà kernel whose page is gone ends, beacon or not, and the cap counts live visitors only.

Probes of issue 21 item 3, against the real launcher (cap 2, unattended timeout 3 s, a pool of
preheated kernels): requests that hang up after a second (``curl --max-time 1``) and a browser
page closed without its ``beforeunload`` beacon. Afterwards a new visitor still gets an explorer
and the abandoned kernels' processes are gone. Every wait polls the real event with a deadline.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request

import psutil
import pytest
from browser_support import Server, chromium, poll, voila_app
from test_report import write_notebook

pytestmark = pytest.mark.notebooks
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')
UNATTENDED_S = 3
CAP = 2


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unattended")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "tiny.ipynb", "import time; time.sleep(1.5); print(6 * 7)")
    server = voila_app(
        tmp,
        notebooks,
        f"--CappedKernelManager.max_kernels={CAP}",
        f"--CappedKernelManager.unattended_timeout={UNATTENDED_S}",
    ).start()
    yield server
    server.stop()


def kernel_pids(server: Server) -> set[int]:
    """The ipykernel processes the server runs now."""
    kids = psutil.Process(server.process.pid).children(recursive=True)
    out = set()
    for kid in kids:
        try:
            if "ipykernel" in " ".join(kid.cmdline()):
                out.add(kid.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def hang_up(server: Server, seconds: float = 1.0) -> None:
    """What ``curl --max-time 1`` does: ask for the page, read for a second, close the connection."""
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=seconds)
    try:
        connection.request("GET", "/voila/render/tiny.ipynb")
        connection.getresponse().read()
    except (http.client.HTTPException, OSError):  # TimeoutError is an OSError
        pass
    finally:
        connection.close()


def open_page(server: Server) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(server.url + "voila/render/tiny.ipynb", timeout=120) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_abandoned_pages_free_their_kernels_and_a_new_visitor_gets_in(app):
    pool = poll(lambda: kernel_pids(app) or None, 60, "the preheated kernel to start")
    for _ in range(8):  # eight visits that never open a websocket nor send the beacon
        hang_up(app)
    # Every abandoned kernel ends within the timeout (plus the notebook's run and one check):
    # only the pool (preheated, no visitor) is left.
    poll(lambda: "has had no page connected" in app.log(tail=100_000), 60, "an unattended kernel to be shut down")
    abandoned = set(re.findall(r"Kernel (\S+) has had no page connected", app.log(tail=100_000)))
    assert abandoned, app.log()
    status, page = poll(lambda: (r := open_page(app))[0] == 200 and r, 60, "a new visitor to get the page")
    assert "All explorers are in use" not in page and "42" in page
    visitor = KERNEL_ID.search(page)[1]
    assert visitor not in abandoned
    # The abandoned kernels' processes are gone: what runs is at most the pool and the new visitor.
    poll(lambda: len(kernel_pids(app)) <= len(pool) + 1, 60, "the abandoned kernels' processes to exit")
    # The new visitor has no websocket either: its kernel ends too, and the process count falls back.
    poll(
        lambda: f"Kernel {visitor} has had no page connected" in app.log(tail=100_000),
        UNATTENDED_S + 30,
        "the last visitor's kernel to end",
    )


@pytest.mark.browser
def test_a_page_closed_without_its_beacon_loses_its_kernel(app):
    with chromium() as browser:
        for _ in range(CAP + 1):  # more closed pages than the cap: each must free its slot
            context = browser.new_context()
            page = context.new_page()
            page.goto(app.url + "voila/render/tiny.ipynb", wait_until="domcontentloaded", timeout=120_000)
            kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
            assert kernel, page.content()[:2000]
            page.close(run_before_unload=False)  # a killed tab: no beforeunload, no beacon
            context.close()
            poll(
                lambda k=kernel: f"Kernel {k} has had no page connected" in app.log(tail=100_000),
                UNATTENDED_S + 60,
                f"kernel {kernel} of the closed page to end",
            )
    status, page = open_page(app)
    assert status == 200 and "All explorers are in use" not in page
