"""svg_paths.js: a line's or an area's path is drawn once per redraw, and still drawn right.

The truth is Vega's own string renderer (``view.toSVG()``), which draws the scene from scratch and
which the fix does not touch: after every change the live SVG's paths must be the same."""

from __future__ import annotations

import re

import browser_support as bs
import pytest

from helpers.render.offline import vega_runtime_js
from helpers.render.page import standalone_page
from helpers.views import view

# (notebook, control, values): changes that drop points from lines and areas (shorter hours, fewer routes).
CHANGES = [
    ("08_pk_simulator", "hours", ["24", "6", "48", "12"]),
    ("08_pk_simulator", "routes", ["IV", "IV,oral,rectal", "IV,intranasal,oral"]),
]

PATHS_JS = """
async ([nb, name, value]) => {
  const k = window.keViews[nb];
  const root = document.querySelector(`section.ke-view[data-notebook="${nb}"]`);
  const input = root.querySelector(`.ke-controls [name="${name}"]`);
  const updates = Number(root.getAttribute('data-updates'));
  input.value = value;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  while (Number(root.getAttribute('data-updates')) === updates) await new Promise((r) => setTimeout(r, 10));
  await k.fitted();
  const live = Array.from(document.querySelectorAll('.ke-chart svg .mark-line path, .ke-chart svg .mark-area path'))
    .map((p) => p.getAttribute('d'));
  const truth = await k.view.toSVG();
  return {live, truth};
}
"""


def _paths(svg: str) -> list[str]:
    """The d of each line and area path in Vega's string SVG, in document order."""
    out = []
    for group in re.finditer(r'<g class="mark-(?:line|area) [^"]*"[^>]*>(.*?)</g>', svg, re.S):
        out += re.findall(r'<path[^>]* d="([^"]*)"', group.group(1))
    return out


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("svgpaths")
    the_view = view("08_pk_simulator")
    path = folder / "08.html"
    path.write_text(standalone_page([the_view.payload(the_view.validate({}))], vega_runtime_js()), encoding="utf-8")
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard)
        page = context.new_page()
        page.set_viewport_size({"width": 1300, "height": 1000})
        guard.watch(page)
        page.goto(path.as_uri())
        page.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
        yield page
        assert not guard.blocked and not guard.console_errors, (guard.summary(), guard.console_errors)
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("notebook", "control", "values"), CHANGES)
def test_paths_after_points_leave_are_the_paths_vega_draws_from_scratch(tab, notebook, control, values):
    for value in values:
        out = tab.evaluate(PATHS_JS, [notebook, control, value])
        truth = _paths(out["truth"])
        assert len(out["live"]) == len(truth) > 0, (value, len(out["live"]), len(truth))
        assert out["live"] == truth, f"{control}={value}: a path differs from Vega's own drawing"


@pytest.mark.browser
def test_a_path_is_drawn_once_per_redraw_when_points_leave(tab):
    """Counts the path draws of one change that drops points: at most once per path, not once per point."""
    drawn = tab.evaluate(
        """async () => {
          const k = window.keViews['08_pk_simulator'];
          const proto = Object.getPrototypeOf(k.view._renderer);
          const update = proto._update;
          let nested = 0;
          proto._update = function (mdef, el, item) {
            if (mdef.nested) nested += 1;
            return update.call(this, mdef, el, item);
          };
          try {
            k.view.signal('hours', 30); await k.view.runAsync();
            k.view.signal('hours', 5); await k.view.runAsync();
          } finally { proto._update = update; }
          const paths = document.querySelectorAll('.ke-chart svg .mark-line path, .ke-chart svg .mark-area path');
          return {nested, paths: paths.length};
        }"""
    )
    assert 0 < drawn["nested"] <= 2 * drawn["paths"], drawn
