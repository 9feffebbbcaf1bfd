"""The saved page's CSV (formulas neutralized, the table's column order) and its private, checked caches.

The CSV: Python's initial download (``helpers.render.page.csv_text``) and the page's (``view.js``'s
csvText, in Debian's Chromium) give the same bytes for hostile cells, each formula behind a quote
(OWASP), and the columns come in the table's order even after a saved notebook sorted the keys.
The caches: a planted Vega bundle (right name, wrong content) is never embedded, nothing is read
from the shared temp folder, and a planted JavaScript bundle is built again.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from pathlib import Path

import browser_support as bs
import pytest

from helpers.render import jsbundle, page, report_page

HOSTILE = [
    "=1+2",
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\tTAB",
    "\rCR",
    '=HYPERLINK("http://x","y")',
    "plain, with comma",
    'say "hi"',
    "line\nbreak",
    "-",
    "ok",
    "",
    None,
    3.5,
    -4,
]


def hostile_rows() -> tuple[list[dict], list[str]]:
    columns = ["id", "b_text", "a_value"]
    rows = [{"id": f"r{i}", "b_text": cell, "a_value": HOSTILE[-1 - i]} for i, cell in enumerate(HOSTILE)]
    return rows, columns


def test_python_csv_neutralizes_formulas_then_quotes():
    rows, columns = hostile_rows()
    parsed = list(csv.reader(io.StringIO(page.csv_text(rows, columns))))
    assert parsed[0] == columns
    cells = [r[1] for r in parsed[1:]]
    assert cells[:7] == ["'=1+2", "'+SUM(A1:A2)", "'-2+3", "'@cmd", "'\tTAB", "'\rCR", '\'=HYPERLINK("http://x","y")']
    assert cells[7:13] == ["plain, with comma", 'say "hi"', "line\nbreak", "'-", "ok", ""]
    assert "'-4" in [r[2] for r in parsed[1:]], "a negative number is text a spreadsheet would compute: quoted too"


def sorted_payload(notebook: str) -> dict:
    """A view's payload as a saved notebook holds it: nbformat writes JSON with its keys sorted."""
    from helpers.views import view

    the_view = view(notebook)
    return json.loads(json.dumps(the_view.payload(the_view.validate({})), sort_keys=True)), the_view


def test_the_csv_columns_come_in_the_tables_order_not_alphabetical():
    payload, the_view = sorted_payload("01_response_rates")
    assert list(payload["rows"][0]) == sorted(payload["rows"][0]), "the saved notebook sorted the keys"
    header = next(csv.reader(io.StringIO(page.csv_text(payload["rows"], page.csv_columns(payload)))))
    assert header == list(the_view.rows.columns) != sorted(header)


def test_the_page_holds_the_rows_once_not_again_as_a_csv_link():
    payload, _ = sorted_payload("07_claims_check")
    block = page.view_html(payload, 1)
    assert "data:text/csv" not in block, "view.js makes the CSV from the payload's rows"
    assert re.search(r'<a class="ke-download" download="07_claims_check_filtered.csv" hidden>', block)


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    from helpers.render.offline import vega_runtime_js

    payload, the_view = sorted_payload("05_safety")
    path = tmp_path_factory.mktemp("csv") / "05.html"
    path.write_text(page.standalone_page([payload], vega_runtime_js()), encoding="utf-8")
    with bs.chromium() as browser:
        guard = bs.NetworkGuard()
        context = bs.new_context(browser, guard)
        tab = context.new_page()
        guard.watch(tab)
        tab.goto(path.as_uri())
        tab.wait_for_selector("section.ke-view[data-ready=true]", timeout=bs.DRAW_TIMEOUT * 1000)
        yield tab, payload, the_view
        assert not guard.blocked and not guard.console_errors, (guard.summary(), guard.console_errors)
        context.close()


@pytest.mark.browser
def test_page_and_python_csv_are_the_same_bytes_for_hostile_cells(opened):
    tab, _, _ = opened
    rows, columns = hostile_rows()
    in_page = tab.evaluate("([rows, columns]) => window.keViews['05_safety'].csvText(rows, columns)", [rows, columns])
    assert in_page == page.csv_text(rows, columns)
    assert "'=1+2" in in_page


@pytest.mark.browser
def test_page_csv_download_keeps_the_tables_column_order(opened):
    tab, payload, the_view = opened
    href = tab.eval_on_selector("a.ke-download", bs.READ_HREF_JS)
    assert href.startswith("blob:")
    text = tab.evaluate("async (u) => await (await fetch(u)).text()", href)
    assert next(csv.reader(io.StringIO(text))) == list(the_view.rows.columns)
    initial = page.csv_text(
        [r for r in payload["rows"] if r["id"] in set(payload["initial_ids"])], page.csv_columns(payload)
    )
    assert text == initial, "the page's CSV at the start is the Python one, byte for byte"


# One turn of the page's script: a control moves, the view answers, and the link is reached before any idle time.
CHANGE_THEN_REACH_JS = """async ([value]) => {
  const s = document.querySelector('section[data-notebook="05_safety"]');
  const a = s.querySelector("a.ke-download");
  const select = s.querySelector('.ke-controls select[name="dose_context"]');
  const updates = Number(s.getAttribute("data-updates"));
  const answered = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (Number(s.getAttribute("data-updates")) > updates) { obs.disconnect(); resolve(); }
    });
    obs.observe(s, {attributes: true, attributeFilter: ["data-updates"]});
  });
  const before = a.href;
  select.value = value;
  select.dispatchEvent(new Event("change", {bubbles: true}));
  await answered;
  const answeredHref = a.href;
  a.dispatchEvent(new FocusEvent("focus"));
  const reached = a.href;
  return {before, answeredHref, reached, text: await (await fetch(reached)).text()};
}"""


@pytest.mark.browser
def test_the_csv_file_is_written_after_the_change_is_drawn_and_is_current_once_the_link_is_reached(opened):
    tab, payload, the_view = opened
    tab.eval_on_selector("a.ke-download", bs.READ_HREF_JS)
    got = tab.evaluate(CHANGE_THEN_REACH_JS, ["anesthetic dose"])
    assert got["answeredHref"] == got["before"], "the file waits for idle time: not on the change's way to the screen"
    assert got["reached"] != got["before"], "reaching the link writes the file of the rows kept now"
    kept = the_view.filter(the_view.validate({"dose_context": "anesthetic dose"}))
    assert [r["id"] for r in csv.DictReader(io.StringIO(got["text"]))] == list(kept["id"])
    # Left alone, the page writes it when idle: the link then holds the rows of the next change by itself.
    tab.evaluate(CHANGE_THEN_REACH_JS.replace('a.dispatchEvent(new FocusEvent("focus"));', ""), ["all"])
    bs.poll(
        lambda: (
            tab.evaluate(
                "async () => (await (await fetch(document.querySelector('a.ke-download').href)).text())"
            ).count("\r\n")
            == len(the_view.rows) + 1
        ),
        10,
        "the idle page to write the file of every row",
        page=tab,
    )


# --- caches ---------------------------------------------------------------------------------------


def test_a_planted_runtime_is_not_embedded_and_tmp_is_never_read(tmp_path, monkeypatch):
    import nbformat

    from helpers.render.exporter import notebook_html

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    name = report_page.runtime_file().name  # built once in the private cache: the name to plant
    planted = "window.PLANTED_BUNDLE=1;"
    for folder in (tmp_path / "cache" / "ketamine-evidence", Path(tempfile.gettempdir()) / "ketamine-evidence"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(planted + report_page.RUNTIME_MARKER, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.vegalite.v5+json": {"mark": "point"}})
    ]
    nb.cells = [cell]
    html, _ = notebook_html(nb, notebook="x", set_name="s", params={})
    script = re.search(r'<script id="vega-runtime">(.*?)</script>', html, re.S).group(1)
    assert "PLANTED_BUNDLE" not in script
    assert script.startswith(report_page.RUNTIME_MARKER) and script.count(report_page.RUNTIME_MARKER) == 1
    path = report_page.runtime_file()
    assert path.parent == tmp_path / "cache" / "ketamine-evidence" and "PLANTED" not in path.read_text()
    (Path(tempfile.gettempdir()) / "ketamine-evidence" / name).unlink()


def test_a_planted_javascript_bundle_is_built_again(tmp_path, monkeypatch):
    import vl_convert

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(vl_convert, "javascript_bundle", vl_convert.javascript_bundle)  # restored after
    jsbundle.cache_javascript_bundles()
    first = vl_convert.javascript_bundle("window.keProbe = 1;")
    [path] = (tmp_path / "cache" / "ketamine-evidence").glob("js-bundle-*.js")
    assert jsbundle.read_checked(path) == first
    path.write_text("window.PLANTED=1;", encoding="utf-8")
    assert jsbundle.read_checked(path) is None
    assert vl_convert.javascript_bundle("window.keProbe = 1;") == first
