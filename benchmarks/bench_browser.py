"""From a control to the redrawn chart, in Chromium: saved HTML, JupyterLab and Voilà, side by side.

- Saved HTML reports (one offline page per notebook): every control of every view, each
  change timed from the input event on the bound HTML input to ``view.runAsync()``
  resolving with the SVG changed. Target: 16 ms median (one frame at 60 Hz).
- JupyterLab: the same condition change through the param path (ipywidget linked to
  ``JupyterChart.params``) and through the old full-spec path (the kernel sends a new spec
  and the chart is re-embedded), timed from the change event to the SVG showing the new rows.
- Voilà: from navigation to the first drawn live chart, per app, served by plain ``voila`` (a kernel
  started per page). Target: 3 s. ``make app`` (preheated kernels, the
  picture drawn ahead) is ``benchmarks/bench_voila.py``, target 1 s.
- Single-file reports (``--only pages``): every report's bytes, and the time from navigation to
  the first chart drawn, at a phone's (390x844) and a desktop's (1280x800) size. Target: 500 kB, 100 ms.
- The site (``--only site``, ``make site``'s folder built with this tree): every site page beside every
  single-file report, the same two numbers; a page without a chart (front door, 00) is timed to its load
  event instead, the finder to its records shown. A site page's bytes leave out the shared scripts
  (runtime, views) and stylesheet, printed once.

``--baseline REV`` also builds every page with the code of git revision REV (``git archive`` into a
temporary folder, run in its own process) and measures both sets in the same browser, interleaved,
so a change is reported as before/after in one run: ``--baseline main``.

Printed, never asserted (this 2-core machine is noisy). Run: python benchmarks/bench_browser.py
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import browser_support as bs  # noqa: E402

from helpers.params import read  # noqa: E402
from helpers.render.offline import vega_runtime_js  # noqa: E402
from helpers.render.page import standalone_page  # noqa: E402
from helpers.views import BUILDERS, view  # noqa: E402

FRAME_MS = 16.0
PAGE_BYTES_TARGET = 500_000
FIRST_CHART_TARGET_MS = 100.0
PAGE_LOADS = 5  # loads per page and window size
WINDOWS = {"phone": (390, 844), "desktop": (1280, 800)}

# Written by the code under test (this tree or a baseline's), using only public names: every report as the
# runner writes it (helpers.render.exporter.notebook_html) and every view as a standalone page.
BUILD_PAGES = """
import sys
from pathlib import Path
root, out = Path(sys.argv[1]), Path(sys.argv[2])
sys.path[:0] = [str(root), str(root / "benchmarks")]
from bench_report_page import executed_notebooks
from helpers.render import exporter
from helpers.render.offline import vega_runtime_js
from helpers.render.page import standalone_page
from helpers.views import BUILDERS, view
for name, nb in executed_notebooks().items():
    if name in BUILDERS:
        page, _ = exporter.notebook_html(nb, notebook=name, set_name="bench", params={})
        (out / f"report-{name}.html").write_text(page, encoding="utf-8")
        v = view(name)
        standalone = standalone_page([v.payload(v.validate({}))], vega_runtime_js())
        (out / f"view-{name}.html").write_text(standalone, encoding="utf-8")
"""

# Installed before the page's own scripts: the time (ms after navigation start) at which a chart's SVG
# first holds a mark (the picture drawn ahead, helpers.render.baked, or the live chart), and the time
# at which the live view is ready (view.js sets data-ready: drawn, fitted, its controls live).
FIRST_CHART_JS = """
(() => {
  const seen = () => document.querySelector(
    '.ke-chart svg .role-mark, .chart svg .role-mark, .ke-baked svg .role-mark');
  const live = () => !document.querySelector('section.ke-view:not([data-ready=true])');
  const obs = new MutationObserver(() => {
    if (window.__keFirstChart === undefined && seen()) window.__keFirstChart = performance.now();
    if (window.__keLive === undefined && document.querySelector('section.ke-view') && live()) {
      window.__keLive = performance.now(); obs.disconnect();
    }
  });
  obs.observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-ready']});
})();
"""
VOILA_TARGET_S = 3.0
REPEATS = 3  # passes over each control's values, at least
MIN_CHANGES = 30  # and more passes until a control has this many: a median of 9 moved by +-3 ms between runs

# Changes the bound input of a param, then waits until the page has followed it: Vega's run is over,
# the SVG is redrawn and the count, table and hash are updated (view.js bumps data-updates).
HTML_CHANGE_JS = """
async ([notebook, name, value]) => {
  const root = document.querySelector(`section.ke-view[data-notebook="${notebook}"]`);
  const svg = root.querySelector('.ke-chart svg');
  const before = svg.innerHTML;
  const inputs = Array.from(root.querySelectorAll(`.ke-controls [name="${name}"]`));
  if (!inputs.length) return null;
  const updates = Number(root.getAttribute('data-updates'));
  const followed = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (Number(root.getAttribute('data-updates')) > updates) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(root, {attributes: true, attributeFilter: ['data-updates']});
    setTimeout(() => { obs.disconnect(); resolve(null); }, 5000);
  });
  const t0 = performance.now();
  const input = inputs[0];
  if (input.type === 'radio') {
    const target = inputs.find((i) => i.value === String(value));
    if (target.checked) return null;
    target.checked = true; target.dispatchEvent(new Event('change', {bubbles: true}));
  } else if (input.type === 'checkbox') {
    if (input.checked === !!value) return null;
    input.checked = !!value; input.dispatchEvent(new Event('change', {bubbles: true}));
  } else {
    if (input.value === String(value)) return null;
    input.value = String(value);
    input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input', {bubbles: true}));
  }
  const t1 = await followed;
  return t1 === null ? null : {ms: t1 - t0, changed: svg.innerHTML !== before};
}
"""

# Times a widget change until the chart under `chart` shows different marks or labels.
LAB_CHANGE_JS = """
async ([selectIndex, chartIndex, value]) => {
  const select = document.querySelectorAll('.widget-dropdown select')[selectIndex];
  const chart = document.querySelectorAll('.vega-embed')[chartIndex];
  const mark = () => { const s = chart.querySelector('svg'); return s ? s.querySelectorAll('.mark-symbol path').length
      + '|' + Array.from(s.querySelectorAll('.role-axis-label text')).map((t) => t.textContent).join(',') : ''; };
  const before = mark();
  return await new Promise((resolve) => {
    const t0 = performance.now();
    const done = () => { const now = mark(); if (now && now !== before && !now.startsWith('0|')) {
      obs.disconnect(); resolve(performance.now() - t0); } };
    const obs = new MutationObserver(done);
    obs.observe(chart, {subtree: true, childList: true, attributes: true, characterData: true});
    setTimeout(() => { obs.disconnect(); resolve(null); }, 20000);
    Array.from(select.options).forEach((o) => { if (o.textContent === value) select.value = o.value; });
    select.dispatchEvent(new Event('change', {bubbles: true}));
  });
}
"""

OLD_PATH_CELL = """
import ipywidgets as w
from IPython.display import display
from helpers.views import view
from helpers.render.offline import enable_offline
import altair as alt
enable_offline()
v = view("01_response_rates")
old = w.Dropdown(options=list(v.control("condition").param.choices), value="all", description="old path")
old_chart = alt.JupyterChart(v.to_chart(), embed_options={"actions": False})
# The old explorers: every change rebuilt the spec in Python and re-sent it; the page re-embedded the chart.
old.observe(lambda ch: setattr(old_chart, "spec", v.spec(v.validate({"condition": ch["new"]}))), "value")
display(w.VBox([old, old_chart]))
"""


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def values_to_try(control) -> list:
    p = control.param
    if p.type == "list":
        return [",".join(p.choices[:k]) for k in (1, 2, 3)]
    if p.type == "choice":  # every choice, then back to the default for the next control
        return [*p.choices, p.default]
    if p.type == "bool":
        return [not p.default, p.default]
    low, high, step = p.minimum, p.maximum, p.step  # values on the declared step, which the rules require
    grid = [p.kind(round(low + round((high - low) * f / step) * step, 9)) for f in (0.25, 0.75, 0.5, 0.005, 0.001)]
    # Only values the rules accept with the others at their defaults (08's dose: at most 20 mg/kg).
    accepted = [v for v in grid if read(p.notebook, [(p.name, v)], typed=True).ok][:3]
    return [*accepted, p.default]


ONLY_NOTEBOOKS: list[str] = []  # --notebook NAME (repeatable): time these views' controls only


def available() -> list[str]:
    """The notebooks whose view builds here (all of them once the suite is complete)."""
    out = []
    for notebook in ONLY_NOTEBOOKS or BUILDERS:
        try:
            view(notebook)
            out.append(notebook)
        except ImportError as exc:
            print(f"skipped {notebook}: {exc}")
    return out


def build_pages(tmp: Path, baseline: str | None) -> dict[str, Path]:
    """label -> a folder of pages written by that code: "after" (this tree) and "before" (``baseline``)."""
    folders = {}
    for label, rev in (("before", baseline), ("after", None)):
        if label == "before" and not rev:
            continue
        out = tmp / f"pages-{label}"
        out.mkdir()
        root = ROOT
        if rev:
            root = tmp / f"tree-{label}"
            root.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": str(root)}
        subprocess.run([sys.executable, "-c", BUILD_PAGES, str(root), str(out)], check=True, env=env, cwd=root)
        folders[label] = out
    return folders


def chart_ms(browser, path: Path, size: tuple[int, int], live: bool = True) -> tuple[float, float | None]:
    """(first chart, live view ready or None when not waited for), ms after navigation start."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.add_init_script(FIRST_CHART_JS)
    page.goto(path.as_uri())
    ready = "window.__keFirstChart !== undefined" + (" && window.__keLive !== undefined" if live else "")
    page.wait_for_function(ready, timeout=60_000)
    times = page.evaluate("[window.__keFirstChart, window.__keLive === undefined ? null : window.__keLive]")
    page.close()
    return times[0], times[1]


def first_chart_ms(browser, path: Path, size: tuple[int, int]) -> float:
    return chart_ms(browser, path, size, live=False)[0]


def bench_pages(browser, folders: dict[str, Path]) -> list[tuple]:
    """(notebook, label, bytes, phone median ms, desktop median ms) for every single-file report."""
    names = sorted(p.name for p in next(iter(folders.values())).glob("report-*.html"))
    rows = []
    for name in names:
        times = {(label, w): [] for label in folders for w in WINDOWS}
        for _ in range(PAGE_LOADS):  # interleaved: load drifts on a shared machine hit both sets alike
            for label, folder in folders.items():
                for window, size in WINDOWS.items():
                    times[label, window].append(chart_ms(browser, folder / name, size))
        notebook = name.removeprefix("report-").removesuffix(".html")
        for label, folder in folders.items():
            size = (folder / name).stat().st_size
            first = [statistics.median(t[0] for t in times[label, w]) for w in WINDOWS]
            live = [statistics.median(t[1] for t in times[label, w]) for w in WINDOWS]
            rows.append((notebook, label, size, *first, *live))
    return rows


# The finder unpacks its records after the load event, then marks <body data-ready="true">: the time of that mark.
READY_JS = """new MutationObserver(() => {
  if (window.__keReady === undefined && document.body && document.body.dataset.ready === 'true')
    window.__keReady = performance.now();
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-ready']});"""


def load_ms(browser, path: Path, size: tuple[int, int]) -> float:
    """Navigation to the load event, for a page that draws no chart (the site's front door), or to its
    records shown for a page that marks itself ready after the load (the finder)."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.add_init_script(READY_JS)
    page.goto(path.as_uri(), wait_until="load")
    if 'id="ke-find-data"' in path.read_text(encoding="utf-8"):
        page.wait_for_function("window.__keReady !== undefined")
        ms = page.evaluate("window.__keReady")
    else:
        ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.close()
    return ms


def bench_site(browser, tmp: Path, reports: Path) -> list[tuple]:
    """(page, kind, bytes, phone median ms, desktop median ms, timed to) for the site and the reports."""
    from helpers.run.site import build_site

    site = build_site(tmp / "site", progress=False)
    charted = {p.stem for p in site.glob("*.html") if 'id="vega-runtime"' in p.read_text(encoding="utf-8")}
    pages = [("site", p) for p in sorted(site.glob("*.html"))]
    pages += [("report", p) for p in sorted(reports.glob("report-*.html"))]
    rows = []
    for kind, path in pages:
        has_chart = kind == "report" or path.stem in charted
        measure = first_chart_ms if has_chart else load_ms
        times = {w: [measure(browser, path, size) for _ in range(PAGE_LOADS)] for w, size in WINDOWS.items()}
        name = path.stem.removeprefix("report-")
        medians = [statistics.median(times[w]) for w in WINDOWS]
        to = "first chart" if has_chart else "records shown" if path.stem == "finder" else "load"
        rows.append((name, kind, path.stat().st_size, *medians, to))
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assets = sorted(p for p in (site / "assets").iterdir() if p.suffix in (".js", ".css"))
    shared = ", ".join(f"{p.name} {p.stat().st_size / 1000:.0f} kB" for p in assets)
    print(f"\nSite: {total / 1e6:.2f} MB in all; the shared scripts and stylesheet: {shared}")
    return rows


def print_site(rows: list[tuple]) -> None:
    print(f"Site pages and single-file reports: bytes and navigation -> first chart (or load), median of {PAGE_LOADS}")
    print(f"{'page':22} {'kind':7} {'kB':>7} {'phone ms':>9} {'desktop ms':>10}  timed to")
    by_key = {(r[0], r[1]): r for r in rows}
    for name, kind, size, phone, desktop, to in rows:
        line = f"{name:22} {kind:7} {size / 1000:7.0f} {phone:9.1f} {desktop:10.1f}  {to}"
        report = by_key.get((name, "report"))
        if kind == "site" and report:
            line += _ratios("site/report", (size, phone, desktop), report[2:5])
        print(line)


def _ratios(name: str, mine: tuple, base: tuple) -> str:
    """Bytes, phone ms and desktop ms of one page over another's, side by side in one run."""
    return f"   {name}: " + ", ".join(
        f"{a / b:.2f} {what}" for a, b, what in zip(mine, base, ("bytes", "phone", "desktop"), strict=True)
    )


# The least a live chart costs: the page's Vega runtime, parsed and run, drawing one rect.
FLOOR_SPEC = {
    "$schema": "https://vega.github.io/schema/vega/v6.json",
    "width": 200,
    "height": 100,
    "data": [{"name": "t", "values": [{"a": 1}]}],
    "marks": [
        {
            "type": "rect",
            "from": {"data": "t"},
            "encode": {
                "enter": {"x": {"value": 0}, "width": {"value": 50}, "y": {"value": 0}, "height": {"value": 50}}
            },
        }
    ],
}


def print_floor(browser, tmp: Path) -> None:
    """Navigation -> first mark of a page holding only the Vega runtime and a one-rect chart: no live
    chart is drawn sooner than this, whatever its view does (so the 100 ms target needs the picture)."""

    path = tmp / "floor.html"
    path.write_text(
        '<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head><body>'
        f'<div class="ke-chart"></div><script>{vega_runtime_js()}</script><script>new vega.View(vega.parse('
        f'{json.dumps(FLOOR_SPEC)}), {{container: document.querySelector(".ke-chart"), renderer: "svg"}}).runAsync();'
        "</script></body></html>",
        encoding="utf-8",
    )
    medians = [
        statistics.median(first_chart_ms(browser, path, size) for _ in range(PAGE_LOADS)) for size in WINDOWS.values()
    ]
    print(f"  floor (the Vega runtime drawing one rect): {medians[0]:.1f} ms phone, {medians[1]:.1f} ms desktop")


def print_pages(rows: list[tuple]) -> None:
    print(
        f"\nSingle-file reports: bytes (target {PAGE_BYTES_TARGET / 1000:g} kB) and navigation -> first chart, "
        f"median of {PAGE_LOADS} (target {FIRST_CHART_TARGET_MS:g} ms)"
    )
    print(
        "  (first chart: the chart drawn ahead into the page, or the live one; "
        "live: the view drawn, fitted, controls on)"
    )
    print(
        f"{'notebook':22} {'code':7} {'kB':>7} {'phone ms':>9} {'desktop ms':>10} {'live phone':>10} {'live desk':>10}"
    )
    by_key = {(r[0], r[1]): r for r in rows}
    for nb, label, size, phone, desktop, phone_live, desktop_live in rows:
        line = (
            f"{nb:22} {label:7} {size / 1000:7.0f} {phone:9.1f} {desktop:10.1f} {phone_live:10.1f} {desktop_live:10.1f}"
        )
        before = by_key.get((nb, "before"))
        if label == "after" and before:
            line += _ratios("after/before", (size, phone, desktop), before[2:5])
        print(line)
    for label in dict.fromkeys(r[1] for r in rows):
        mine = [r for r in rows if r[1] == label]
        print(
            f"  {label}: total {sum(r[2] for r in mine) / 1e6:.2f} MB, "
            f"largest {max(r[2] for r in mine) / 1000:.0f} kB, "
            f"median first chart {statistics.median(r[3] for r in mine):.1f} ms phone, "
            f"{statistics.median(r[4] for r in mine):.1f} ms desktop; median live view "
            f"{statistics.median(r[5] for r in mine):.1f} ms phone, "
            f"{statistics.median(r[6] for r in mine):.1f} ms desktop"
        )


def bench_html(browser, tmp: Path, folders: dict[str, Path] | None = None) -> list[tuple]:
    """Every control of every view, timed in the standalone pages of each code in ``folders``."""
    if folders is None:
        runtime = vega_runtime_js()
        folders = {"after": tmp / "html-after"}
        folders["after"].mkdir()
        for notebook in available():
            the_view = view(notebook)
            page_text = standalone_page([the_view.payload(the_view.validate({}))], runtime)
            (folders["after"] / f"view-{notebook}.html").write_text(page_text, encoding="utf-8")
    rows = []
    for notebook in available():
        the_view = view(notebook)
        pages = {}
        for label in folders:  # each code's page open side by side: their passes alternate
            pages[label] = browser.new_page(viewport={"width": 1300, "height": 1000})
            pages[label].goto((folders[label] / f"view-{notebook}.html").as_uri())
            pages[label].wait_for_selector("section.ke-view[data-ready=true]")
        found: dict[str, list[tuple]] = {label: [] for label in folders}
        for control in the_view.controls:
            times: dict[str, list[float]] = {label: [] for label in folders}
            changed = dict.fromkeys(folders, 0)
            # Pass by pass, one code then the other: a machine that slows down mid-run slows both alike.
            tried = values_to_try(control)
            for _ in range(max(REPEATS, -(-MIN_CHANGES // max(1, len(tried))))):
                for label, page in pages.items():
                    for value in tried:
                        out = page.evaluate(HTML_CHANGE_JS, [notebook, control.signal, value])
                        if out is None:  # the input already held this value, or the page did not follow
                            continue
                        times[label].append(out["ms"])
                        changed[label] += out["changed"]
            kind = "filter" if control.filters else "setting"
            for label in folders:
                if times[label]:
                    found[label].append(
                        (notebook, control.name, kind, *summary(times[label]), len(times[label]), changed[label], label)
                    )
        for label, page in pages.items():
            rows += found[label]
            page.close()
    return rows


def bench_lab(browser, tmp: Path) -> dict[str, tuple[float, float]]:
    import nbformat

    folder = tmp / "lab-notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from helpers.explore import explore_response_rates\npanel = explore_response_rates()"
        ),
        nbformat.v4.new_code_cell(OLD_PATH_CELL),
    ]
    nbformat.write(nb, folder / "bench.ipynb")
    token = secrets.token_hex(16)
    server = bs.jupyter_lab(tmp / "lab", token)
    server.argv = [
        a if not a.startswith("--ServerApp.root_dir=") else f"--ServerApp.root_dir={folder}" for a in server.argv
    ]
    server.cwd = folder
    server.start()
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}lab/tree/bench.ipynb?token={token}")
        sys.path.insert(0, str(ROOT / "tests"))
        from test_browser import lab_active_panel, lab_kernel_idle, lab_run_all

        panel = lab_active_panel(page, "bench.ipynb")
        lab_kernel_idle(page)
        lab_run_all(page, panel)
        bs.wait_for_charts(page, 2, root=panel)
        out = {}
        cycle = ["fibromyalgia", "depression", "all"]
        for label, select_index, chart_index in (("param path", 0, 0), ("full-spec path", 4, 1)):
            times = []
            for _ in range(5):
                for value in cycle:
                    ms = page.evaluate(LAB_CHANGE_JS, [select_index, chart_index, value])
                    if ms is not None:
                        times.append(ms)
            out[label] = (*summary(times), len(times)) if times else (float("nan"), float("nan"), 0)
        return out
    finally:
        server.stop()


def bench_voila(browser, tmp: Path) -> list[tuple[str, float]]:
    server = bs.voila(tmp / "voila", bs.NOTEBOOKS)
    server.start()
    rows = []
    try:
        for notebook in available():
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            started = time.monotonic()
            page.goto(f"{server.url}voila/render/{notebook}.ipynb")
            bs.wait_for_charts(page, 1, timeout=120)
            rows.append((notebook, time.monotonic() - started))
            page.close()
    finally:
        server.stop()
    return rows


def main(argv: list[str]) -> int:
    """Every benchmark; ``--only html|pages|site|lab|voila`` runs one; ``--baseline REV`` compares with REV."""
    from playwright.sync_api import sync_playwright

    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
    ONLY_NOTEBOOKS[:] = [argv[i + 1] for i, a in enumerate(argv) if a == "--notebook"]

    executable = bs.find_chromium()
    if executable is None:
        print("Chromium not found: apt-get install chromium")
        return 1
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = bs.launch(playwright, executable)
        folders = build_pages(Path(tmp), baseline) if only in (None, "html", "pages", "site") else {}
        html_rows = bench_html(browser, Path(tmp), folders) if only in (None, "html") else []
        print(f"Saved HTML: input event -> Vega run over, SVG, count and table updated (target {FRAME_MS:g} ms median)")
        print(f"{'notebook':22} {'control':16} {'kind':8} {'code':7} {'median':>7} {'p95':>7} {'n':>4} {'changed':>7}")
        for nb, name, kind, med, p95, n, changed, label in html_rows:
            print(f"{nb:22} {name:16} {kind:8} {label:7} {med:7.1f} {p95:7.1f} {n:4d} {changed:7d}")
        for label in dict.fromkeys(r[7] for r in html_rows):
            filters = [r[3] for r in html_rows if r[2] == "filter" and r[7] == label]
            every = [r[3] for r in html_rows if r[7] == label]
            print(
                f"{label}: filter controls median of medians {statistics.median(filters):.1f} ms, "
                f"{sum(m <= FRAME_MS for m in filters)} of {len(filters)} within one frame; "
                f"all controls: {sum(m <= FRAME_MS for m in every)} of {len(every)} within one frame"
            )
        if only in (None, "pages"):
            print_pages(bench_pages(browser, folders))
            print_floor(browser, Path(tmp))
        if only in (None, "site"):
            print_site(bench_site(browser, Path(tmp), folders["after"]))
        lab = bench_lab(browser, Path(tmp)) if only in (None, "lab") else {}
        print("\nJupyterLab, 01 condition (change event -> SVG shows the new rows):")
        for label, (med, p95, n) in lab.items():
            print(f"  {label:15} median {med:7.1f} ms  p95 {p95:7.1f} ms  n={n}")
        if lab and lab["param path"][0] and lab["full-spec path"][0]:
            print(f"  param / full-spec ratio: {lab['param path'][0] / lab['full-spec path'][0]:.2f}")
        voila = bench_voila(browser, Path(tmp)) if only in (None, "voila") else []
        print(
            f"\nVoila, plain voila: navigation -> first chart drawn (target {VOILA_TARGET_S:g} s;"
            " make app: bench_voila.py)"
        )
        for nb, seconds in voila:
            print(f"  {nb:22} {seconds:5.1f} s")
        browser.close()
    filters = [r[3] for r in html_rows if r[2] == "filter" and r[7] == "after"]
    print(json.dumps({"html_filter_median_ms": statistics.median(filters) if filters else None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
