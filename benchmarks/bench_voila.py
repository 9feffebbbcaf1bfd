"""Voilà (``make app``): navigation to the first drawn chart, without and with preheated kernels, in one run.

- before: ``python -m helpers.run.app --preheat_kernel=False``, each page starts a kernel and
  runs its notebook (the app as it was);
- after, pool ready: the default app, each notebook's preheated kernel waiting for its visitor;
- after, pool refilling: a second visit to the same notebook at once, while Voilà refills the
  pool (a class arriving together), so the page waits for the kernel being preheated.
- floor: the same pages with a ready pool, from the end of the HTTP response (the kernel's
  part is over) to the first live chart: the browser's share (voila.js, widget state, Vega), which
  preheating cannot remove;
- shown: navigation to the first chart in the page, with a ready pool: the picture ``make app``
  drew ahead (``helpers.render.baked``) once it is visible, else the live chart.

Printed, never asserted (a 2-core machine is noisy). Run: python benchmarks/bench_voila.py [notebook ...]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser_support as bs  # noqa: E402

from helpers.views import BUILDERS  # noqa: E402

TARGET_S = 1.0


def app(tmp: Path, *extra: str) -> bs.Server:
    """The real ``make app`` launcher, on its own port, with room for every visit."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = bs.free_port()
    argv = [sys.executable, "-m", "helpers.run.app", f"--port={port}", "--Voila.port_retries=0"]
    argv += ["--CappedKernelManager.max_kernels=20", *extra]
    return bs.Server(
        name="helpers.run.app",
        argv=argv,
        url=f"http://127.0.0.1:{port}/",
        ready_path="voila/static/",
        any_status=True,
        log_path=tmp / "app.log",
        env=bs.isolated_env(tmp),
        cwd=ROOT,
    )


def kernels_quiet(server: bs.Server, count: int, timeout: float = 300.0) -> None:
    """Wait until ``count`` kernels run under the server and none used CPU for a second: the
    preheated ones have built their explorer and wait for a request."""
    parent = psutil.Process(server.process.pid)
    last: dict[int, float] = {}
    quiet_since = [time.monotonic()]

    def quiet() -> bool:
        kids = [p for p in parent.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
        now = {}
        for kid in kids:
            try:
                times = kid.cpu_times()
                now[kid.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                return False
        moved = now.keys() != last.keys() or any(abs(now[p] - last[p]) > 0.02 for p in now)
        last.clear()
        last.update(now)
        if len(now) < count or moved:
            quiet_since[0] = time.monotonic()
            return False
        return time.monotonic() - quiet_since[0] >= 1.0

    bs.poll(quiet, timeout, f"{count} preheated kernels to wait for a visitor", interval=0.25)


# When a chart is first on screen: the picture drawn ahead (helpers.render.baked), visible, or the live
# chart with a mark; milliseconds from navigation, read each frame.
SHOWN_JS = """(() => {
  const look = () => {
    const picture = document.querySelector('.ke-baked svg');
    const pictured = picture && picture.checkVisibility() && picture.getBoundingClientRect().height > 0;
    if (pictured || document.querySelector('.vega-embed svg .role-mark')) {
      window.__shown = [performance.now(), pictured ? 'picture' : 'live'];
    } else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();"""


def visit(browser, server: bs.Server, notebook: str) -> tuple[float, float, float, str]:
    """Seconds from navigation to the first drawn live chart, from the end of the response to it, and
    from navigation to the first chart on screen (picture or live), with which it was."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.add_init_script(SHOWN_JS)
    try:
        started = time.monotonic()
        page.goto(f"{server.url}voila/render/{notebook}.ipynb", wait_until="commit", timeout=120_000)
        page.wait_for_load_state("domcontentloaded", timeout=120_000)
        served = page.evaluate("performance.timing.responseEnd - performance.timing.navigationStart") / 1000
        bs.wait_for_charts(page, 1, timeout=120)
        total = time.monotonic() - started
        shown_ms, shown_by = page.evaluate("window.__shown")
        return total, total - served, shown_ms / 1000, shown_by
    finally:
        page.close(run_before_unload=True)  # the shutdown beacon: the next visit starts from the same state


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    notebooks = [a for a in argv if not a.startswith("-")] or [n for n in BUILDERS]
    executable = bs.find_chromium()
    if executable is None:
        print("Chromium not found: apt-get install chromium")
        return 1
    rows: dict[str, dict[str, float]] = {n: {} for n in notebooks}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = bs.launch(playwright, executable)
        before = app(Path(tmp) / "before", "--preheat_kernel=False").start()
        try:
            visit(browser, before, notebooks[0])  # warm the disk cache and Chromium, not counted
            for notebook in notebooks:
                rows[notebook]["before"] = visit(browser, before, notebook)[0]
        finally:
            before.stop()
        after = app(Path(tmp) / "after").start()
        try:
            pooled = len(list((ROOT / "notebooks").glob("*.ipynb")))
            kernels_quiet(after, pooled)
            visit(browser, after, notebooks[0])  # warm Chromium's cache of voila.js, not counted
            for notebook in notebooks:
                kernels_quiet(after, pooled)
                ready, floor, shown, by = visit(browser, after, notebook)
                rows[notebook].update(ready=ready, floor=floor, shown=shown, by=by)
                rows[notebook]["refilling"] = visit(browser, after, notebook)[0]
        finally:
            after.stop()
        browser.close()
    print(f"Voila: navigation -> first chart, seconds (target {TARGET_S:g} s)")
    print("  shown: the first chart in the page, the picture drawn ahead or the live one (which: by)")
    print(
        f"{'notebook':22} {'before':>7} {'ready':>7} {'refill':>7} {'floor':>7} {'shown':>7} {'by':>8}"
        f" {'before/shown':>13}"
    )
    for notebook, r in rows.items():
        print(
            f"{notebook:22} {r['before']:7.2f} {r['ready']:7.2f} {r['refilling']:7.2f} {r['floor']:7.2f} "
            f"{r['shown']:7.2f} {r['by']:>8} {r['before'] / r['shown']:12.1f}x"
        )
    for key in ("before", "ready", "refilling", "floor", "shown"):
        values = [r[key] for r in rows.values()]
        print(f"  {key:10} median {statistics.median(values):5.2f} s, range {min(values):.2f}-{max(values):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
