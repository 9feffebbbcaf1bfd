"""Every view fits its screen (issue 19): the saved reports at a phone's, a tablet's and two desktops' widths.

One report build (the README's command) and one Chromium for the module; each report is opened once and
resized with ``set_viewport_size``. For every report, in its default state and after each control's
extreme options (every option of a choice, a range's or a number box's min and max, a box ticked and not),
at 390, 768, 1280 and 1920 px: the page does not scroll sideways, every chart's SVG fits its own box (so the
chart itself does not scroll either), no chart text lies outside its SVG, and no blank band is left under a
chart after a filter drops rows. Then the tooltips: no "null", and a label cut short is whole in its tooltip.
"""

from __future__ import annotations

import browser_support as bs
import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = ("01", "02", "03", "04", "05", "06", "07", "08")
SIZES = ((390, 844), (768, 1024), (1280, 800), (1920, 1080))
# The report's body stops at 62rem: from 1280 px on, a chart's box is as wide as at 1920. A state other
# than the default is checked at the narrowest and the widest box (the tablet's lies between: half the time).
STATE_SIZES = (SIZES[0], SIZES[2])
SLACK = 1.5  # px: sub-pixel rounding of text boxes


@pytest.fixture(scope="module")
def reports(default_reports):
    """Notebooks 01-08's offline reports, made once per test run by the report CLI (conftest): {prefix: path}."""
    found = {name[:2]: path for name, path in default_reports.items() if name[:2] in NOTEBOOKS}
    assert sorted(found) == list(NOTEBOOKS), found
    return found


@pytest.fixture(scope="module")
def page():
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard)
        opened = context.new_page()
        guard.watch(opened)
        yield opened
        assert not guard.blocked, guard.summary()
        assert not guard.console_errors, guard.console_errors
        context.close()


# Each control's extreme values, read from its bound input: every option of a choice, a range's or a
# number box's min and max, the other state of a checkbox. A list (text) input has no extremes.
EXTREMES_JS = """
(nb) => {
  const v = window.keViews[nb];
  const values = v.values();
  const out = [];
  for (const [name, signal] of Object.entries(v.signals)) {
    const els = document.querySelectorAll(`.ke-controls [name="${signal}"]`);
    if (!els.length) continue;
    const el = els[0];
    if (el.tagName === "SELECT") for (const o of el.options) out.push([name, o.value]);
    else if (el.type === "radio") els.forEach((e) => out.push([name, e.value]));
    else if (el.type === "checkbox") out.push([name, !values[name]]);
    else if (el.type === "range" || el.type === "number") {
      out.push([name, Number(el.min)]);
      out.push([name, Number(el.max)]);
    }
  }
  return [values, out.filter(([name, value]) => value !== values[name])];
}
"""

SET_JS = """
async ([nb, values]) => {
  const v = window.keViews[nb];
  for (const [name, value] of Object.entries(values)) v.view.signal(v.signals[name], value);
  await v.view.runAsync();
  await (v.fitted || v.settled)();
  return v.values();
}
"""

SETTLE_JS = """
async (nb) => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const v = window.keViews[nb];
  await (v.fitted || v.settled)();
}
"""

# What does not fit: the page's own width, each chart's SVG against its box, each chart text against its SVG.
MEASURE_JS = """
(slack) => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > innerWidth) out.push(`page is ${root.scrollWidth} px wide in a ${innerWidth} px window`);
  document.querySelectorAll(".ke-chart").forEach((box) => {
    const svg = box.querySelector("svg");
    if (!svg) { out.push(`${box.id}: no chart drawn`); return; }
    const b = svg.getBoundingClientRect();
    const room = box.getBoundingClientRect().left + box.clientWidth;
    if (b.right > room + slack) {
      out.push(`${box.id}: chart ${Math.round(b.width)} px wide in a ${box.clientWidth} px box`);
    }
    svg.querySelectorAll("text").forEach((t) => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || !r.width) return;
      const out_x = r.left < b.left - slack || r.right > b.right + slack;
      if (out_x || r.top < b.top - slack || r.bottom > b.bottom + slack) {
        const where = [r.left - b.left, b.right - r.right, r.top - b.top, b.bottom - r.bottom].map(Math.round);
        out.push(`${box.id}: text ${JSON.stringify(t.textContent.slice(0, 40))} outside its chart by ${where}`);
      }
    });
  });
  // Heights follow the content: no band of blank space under a chart whose filters dropped rows.
  Object.values(window.keViews || {}).forEach((k) => {
    const svg = k.view.container().querySelector("svg");
    const b = k.view.scenegraph().root.bounds;
    const pad = k.view.padding() || {};
    const blank = Number(svg.getAttribute("height")) - (b.y2 - b.y1) - (pad.top || 0) - (pad.bottom || 0);
    if (blank > 20) out.push(`${k.view.container().id}: ${Math.round(blank)} px of blank space under the chart`);
  });
  return out;
}
"""


def open_report(page, path, width: int = 1280, height: int = 800) -> str:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(path.as_uri())
    page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    return page.evaluate("() => Object.keys(window.keViews)[0]")


def misfits(page, notebook: str, state: str, sizes=SIZES) -> list[str]:
    found = []
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(SETTLE_JS, notebook)
        found += [f"{state} at {width}x{height}: {problem}" for problem in page.evaluate(MEASURE_JS, SLACK)]
    return found


@pytest.mark.parametrize(
    "prefix",
    NOTEBOOKS,
)
def test_every_view_fits_its_screen(page, reports, prefix):
    notebook = open_report(page, reports[prefix])
    defaults, extremes = page.evaluate(EXTREMES_JS, notebook)
    problems = misfits(page, notebook, "default")
    for name, value in extremes:
        used = page.evaluate(SET_JS, [notebook, {name: value}])
        if used.get(name) == value:  # a value the declaration refuses alone is not drawn: nothing to fit
            problems += misfits(page, notebook, f"{name}={value!r}", STATE_SIZES)
        page.evaluate(SET_JS, [notebook, defaults])
    assert not problems, f"{len(problems)} misfits:\n" + "\n".join(problems[:40])


TOOLTIP_TEXTS_JS = """
(nb) => {
  // Every tooltip the chart would show, as the page's tooltip box shows it.
  const view = window.keViews[nb].view;
  const texts = [];
  (function walk(node) {
    if (!node) return;
    if (node.tooltip !== undefined && node.tooltip !== null) {
      window.keTooltip(view, {clientX: 10, clientY: 10}, node, node.tooltip);
      texts.push(document.querySelector(".ke-tooltip").textContent);
    }
    (node.items || []).forEach(walk);
  })(view.scenegraph().root);
  window.keTooltip(view, null, null, null);
  return texts;
}
"""


def test_tooltips_leave_out_missing_values_and_show_cut_labels_whole(page, reports):
    """01 on a phone: no tooltip says "null"; an axis label cut short ("…") has its whole text as tooltip."""
    notebook = open_report(page, reports["01"], 390, 844)
    page.evaluate(SETTLE_JS, notebook)
    texts = page.evaluate(TOOLTIP_TEXTS_JS, notebook)
    marks = [t for t in texts if "figure" in t]
    assert marks, texts[:5]
    assert not [t for t in texts if "null" in t], [t for t in texts if "null" in t][:3]
    cut = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ke-chart svg .role-axis-label text'))
             .filter((t) => t.textContent.endsWith('…')).map((t) => t.textContent)"""
    )
    assert cut, "no label is cut at 390 px: the check below would check nothing"
    whole = [t for t in texts if any(t.startswith(c[:-1]) and len(t) > len(c) for c in cut)]
    assert len(whole) >= len(set(cut)), (cut[:3], texts[:10])


def test_csv_download_keeps_the_tables_column_order(page, reports):
    """The CSV's columns are in the table's own order (the payload's), not sorted, before and after a change."""
    from helpers.render.page import read_payloads

    payload = read_payloads(reports["01"].read_text(encoding="utf-8"))[0]
    assert payload["columns"] != sorted(payload["columns"])
    notebook = open_report(page, reports["01"])
    header_js = """async () => {
      const a = document.querySelector("a.ke-download");
      a.dispatchEvent(new FocusEvent("focus"));  // reached, as a reader reaches it: the file is the rows kept
      return (await (await fetch(a.href)).text()).split("\\r\\n")[0];
    }"""
    assert page.evaluate(header_js).split(",") == payload["columns"]
    page.evaluate(SET_JS, [notebook, {"arm": "ketamine"}])
    assert page.evaluate(header_js).split(",") == payload["columns"]


# The chart box's width forced to `width` px (null: back to the page's), then the fit that follows it.
NARROW_JS = """
async ([nb, width]) => {
  const box = window.keViews[nb].view.container();
  box.style.width = width === null ? "" : width + "px";
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await (window.keViews[nb].fitted || window.keViews[nb].settled)();
  return {scrolls: box.scrollWidth > box.clientWidth, tabindex: box.getAttribute("tabindex")};
}
"""


def test_a_chart_wider_than_its_box_takes_the_keyboard_focus_only_while_it_scrolls(page, reports):
    """A box narrower than the narrowest plot scrolls, so a keyboard must reach it (axe's
    scrollable-region-focusable); widened again, it fits and leaves the tab order. Both follow a resize
    with no control change in between, and a control change keeps the verdict."""
    notebook = open_report(page, reports["01"], 390, 844)
    assert page.evaluate(NARROW_JS, [notebook, None]) == {"scrolls": False, "tabindex": None}
    assert page.evaluate(NARROW_JS, [notebook, 120]) == {"scrolls": True, "tabindex": "0"}
    page.evaluate(SET_JS, [notebook, {"arm": "ketamine"}])
    assert page.evaluate(NARROW_JS, [notebook, 120]) == {"scrolls": True, "tabindex": "0"}
    assert page.evaluate(NARROW_JS, [notebook, None]) == {"scrolls": False, "tabindex": None}
