"""The chart drawn ahead into a saved page (helpers.render.baked): the same marks as the live chart
at its first values, gone once the live chart is drawn, never shown for a link with other settings."""

from __future__ import annotations

import browser_support as bs
import pytest

from helpers.render import baked

# Each view's rows unit draws one item per row kept at the defaults.
ROWS_ITEMS = "g.rows_marks > *"
NOTEBOOKS = ["01_response_rates", "04_bioavailability", "06_history", "08_pk_simulator"]


def test_a_chart_vl_convert_cannot_draw_leaves_the_live_chart_and_says_why():
    broken = {"notebook": "99_x", "vega": {"marks": [{"type": "no-such-mark"}]}, "rows": [], "rows_data": []}
    with pytest.warns(UserWarning, match=r"99_x: the chart's first frame could not be drawn ahead .*draws it live"):
        assert baked.baked_svg(broken) == ""


def test_the_picture_is_hidden_from_screen_readers_and_carries_no_aria_of_its_own(default_reports):
    text = default_reports["05_safety"].read_text(encoding="utf-8")
    start = text.index('<div class="ke-baked"><svg aria-hidden="true" focusable="false"')
    svg = text[start : text.index("</svg>", start)]
    assert "aria-roledescription" not in svg and 'role="' not in svg
    assert "role-mark" in svg, "the mark classes stay: styles and the first-chart timing find marks by them"


@pytest.fixture(scope="module")
def browser():
    with bs.chromium() as the_browser:
        yield the_browser


def _items(browser, path, *, script: bool, hash_: str = "") -> dict:
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard, java_script_enabled=script)
    tab = context.new_page()
    guard.watch(tab)
    tab.goto(path.as_uri() + hash_)
    if script:
        tab.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    out = tab.evaluate(
        """(sel) => ({
          baked: document.querySelectorAll('.ke-baked').length,
          bakedItems: document.querySelectorAll('.ke-baked svg ' + sel).length,
          liveItems: document.querySelectorAll('.ke-chart svg ' + sel).length,
          drawing: document.querySelectorAll('.ke-drawing').length,
          initial: window.keViews ? window.keViews[document.querySelector('section.ke-view').dataset.notebook]
            .view.data(window.keViews[document.querySelector('section.ke-view').dataset.notebook].rowsData).length
            : null,
        })""",
        ROWS_ITEMS,
    )
    assert not guard.blocked, guard.summary()
    context.close()
    return out


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_picture_has_the_live_charts_marks_and_goes_when_the_live_chart_is_drawn(
    browser, default_reports, notebook
):
    path = default_reports[notebook]
    before = _items(browser, path, script=False)
    after = _items(browser, path, script=True)
    assert before["baked"] == 1 and before["bakedItems"] > 0, before
    assert before["bakedItems"] == after["liveItems"] == after["initial"], (before, after)
    assert after["baked"] == 0 and after["drawing"] == 0, after


@pytest.mark.browser
def test_a_link_with_settings_never_shows_the_picture_of_the_defaults(browser, default_reports):
    path = default_reports["01_response_rates"]
    assert _items(browser, path, script=False)["baked"] == 1
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    tab = context.new_page()
    # Whether the picture is in the page when the parser is done, before view.js has run.
    tab.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => {"
        " window.__bakedAtParse = document.querySelectorAll('.ke-baked').length; }, {capture: true});"
    )
    tab.goto(path.as_uri() + "#condition=fibromyalgia")
    tab.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
    assert tab.evaluate("window.__bakedAtParse") == 0
    assert tab.evaluate("window.keViews['01_response_rates'].values().condition") == "fibromyalgia"
    context.close()


# Both SVGs drawn on canvases at twice their size, compared pixel by pixel: the largest channel difference.
PIXELS_JS = """
async ([a, b]) => {
  async function pixels(svg) {
    const url = URL.createObjectURL(new Blob([svg], {type: "image/svg+xml"}));
    const img = new Image();
    await new Promise((ok, bad) => { img.onload = ok; img.onerror = bad; img.src = url; });
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth * 2; canvas.height = img.naturalHeight * 2;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(url);
    return [canvas.width, canvas.height, ctx.getImageData(0, 0, canvas.width, canvas.height).data];
  }
  const [wa, ha, pa] = await pixels(a);
  const [wb, hb, pb] = await pixels(b);
  if (wa !== wb || ha !== hb) return {size: [wa, ha, wb, hb]};
  let most = 0, inked = 0, off = 0;
  for (let i = 0; i < pa.length; i += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(pa[i + c] - pb[i + c]));
    most = Math.max(most, d);
    if (d > 16) off += 1;
    if (pa[i] < 200 || pa[i + 1] < 200 || pa[i + 2] < 200) inked += 1;
  }
  return {most, off, inked, pixels: pa.length / 4};
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("notebook", ["06_history", "08_pk_simulator"])
def test_the_smaller_picture_draws_the_same_pixels_in_fewer_bytes(browser, notebook):
    """Shapes' coordinates to 0.01 px and nothing-drawing bytes left out: drawn at twice the size, at most
    one pixel in 2,000 differs by more than 16 of 255 in a channel (a curve's anti-aliased edge, where Skia
    flips single pixels); moving the marks instead (a "0." slipped into their numbers) changes far more."""
    import re

    import vl_convert as vlc

    from helpers.render.compiled import view_vega
    from helpers.views import view

    the_view = view(notebook)
    raw = baked._DROPPED.sub("", vlc.vega_to_svg(baked._filled(view_vega(the_view.payload(the_view.validate({}))))))
    small = baked._smaller(raw)
    assert len(small) < 0.92 * len(raw), (len(small), len(raw))
    assert re.findall(r">([^<>]+)</text>", small) == re.findall(r">([^<>]+)</text>", raw), "labels are untouched"
    coarse = re.sub(r'(d|transform)="([^"]*)"', lambda m: m.group(0).replace(".", "0."), raw)  # pixels moved
    tab = browser.new_page()
    try:
        same = tab.evaluate(PIXELS_JS, [raw, small])
        assert same.get("inked", 0) > 0.02 * same.get("pixels", 0) and same["off"] <= same["pixels"] / 2000, same
        moved = tab.evaluate(PIXELS_JS, [raw, coarse])
        assert "size" in moved or moved["off"] > 10 * same["pixels"] / 2000, ("the comparison sees moved marks", moved)
    finally:
        tab.close()
