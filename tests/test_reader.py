"""The document reader pages (helpers.render.reader): every figure's sentence marked once where it
stands, with its row id and its evidence kind's colour; the legend's counts; every set-aside number
with its reason; contradictions linked on both sides; a click showing the row's panel and its view
link, in Chromium from file:// with the network closed; axe-core; no documents, no pages."""

from __future__ import annotations

import browser_support as bs
import pandas as pd
import pytest
from axe_support import assert_accessible
from bs4 import BeautifulSoup

from helpers.data.dictionary import family_names, field_spec
from helpers.data.provenance import DATA_DIR, seeds_dir, source_files
from helpers.render import reader
from helpers.views import core
from helpers.views.home import showing_link

LABELS = {"ke-rid", "ke-why", "ke-anchor"}  # what a mark adds to the document's words


def figures() -> pd.DataFrame:
    frames = [pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False) for name in family_names()]
    return pd.concat(frames, ignore_index=True)


def words(element) -> str:
    """The document's own text inside an element: the row-id labels and reasons left out."""
    out = []
    for node in element.descendants:
        if isinstance(node, str) and not any(set(p.get("class") or ()) & LABELS for p in node.parents):
            out.append(str(node))
    return "".join(out)


def first_line(text: str, quote: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if quote in line)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = seeds_dir()
    if folder is None:
        pytest.skip("source documents not found: set KETAMINE_SEEDS or place them in ../shared/seeds")
    out = tmp_path_factory.mktemp("site")
    pages = reader.write_reader_pages(out)
    soups = {p["document"]: BeautifulSoup((out / p["href"]).read_text(encoding="utf-8"), "html.parser") for p in pages}
    texts = {sid: (folder / name).read_text(encoding="utf-8") for sid, name in source_files().items()}
    return out, pages, soups, texts


def test_one_page_per_document_listed_with_its_title_and_marks(site):
    out, pages, _, _ = site
    sources = pd.read_csv(DATA_DIR / "sources.csv", dtype=str)
    table = figures()
    assert [p["document"] for p in pages] == list(sources["source_id"])
    for page, source in zip(pages, sources.itertuples(), strict=True):
        assert page == {
            "document": source.source_id,
            "title": source.title,
            "href": f"documents/{source.source_id}.html",
            "marks": int((table["source_id"] == source.source_id).sum()),
        }
        assert (out / page["href"]).is_file()
    assert not list((out / "documents").glob(".*.tmp")), "written then renamed: no temp file left"


def test_every_figure_quote_is_marked_once_at_its_line_with_its_row_id(site):
    _, _, soups, texts = site
    table = figures()
    problems = []
    for sid, soup in soups.items():
        # A span split where it crosses another keeps its ids on every piece, its anchor on the first only.
        marks = soup.select("main mark.ke-fig")
        for row in table[table["source_id"] == sid].itertuples():
            pieces = [m for m in marks if row.id in m["data-ids"].split()]
            if [bool(m.get("id")) for m in pieces] != [True] + [False] * (len(pieces) - 1):
                problems.append(f"{row.id}: marked {sum(bool(m.get('id')) for m in pieces)} times on {sid}")
                continue
            mark = pieces[0]
            if "".join(words(m) for m in pieces) != row.quote:
                problems.append(f"{row.id}: mark reads {words(mark)[:60]!r}, quote is {row.quote[:60]!r}")
            if {int(m.find_parent("p")["data-line"]) for m in pieces} != {first_line(texts[sid], row.quote)}:
                problems.append(f"{row.id}: marked at line {mark.find_parent('p')['data-line']}")
            if row.id not in pieces[-1].select("button.ke-rid")[-1].get_text().split():
                problems.append(f"{row.id}: its id is not shown on its mark")
            hedge = mark["data-hedge"].split(", ") if mark["data-hedge"] else []
            if (row.qualifier != "none") != (row.qualifier in hedge) or ("ke-hedged" in mark["class"]) != bool(hedge):
                problems.append(f"{row.id}: hedge {row.qualifier!r} shown as {hedge}")
            if mark["style"] != f"--kind: {reader.kind_colors()[mark['data-kind']]}":
                problems.append(f"{row.id}: colour {mark['style']!r}")
        # a sentence several rows quote is marked once, listing them all
        mine = table[table["source_id"] == sid]
        sentences = {(q, first_line(texts[sid], q)) for q in mine["quote"]}
        if len([m for m in marks if m.get("id")]) != len(sentences):
            problems.append(f"{sid}: {len([m for m in marks if m.get('id')])} marks for {len(sentences)} sentences")
        marked = {i for m in marks for i in m["data-ids"].split()}
        if marked != set(table.loc[table["source_id"] == sid, "id"]):
            problems.append(f"{sid}: marks rows of other documents or unknown rows")
    assert not problems, "\n".join(problems)


def test_marks_take_the_views_fixed_colours_and_the_legend_counts_the_table(site):
    _, _, soups, _ = site
    kinds = field_spec("evidence_kind")["enum"]
    assert reader.kind_colors() == dict(zip(kinds, core.PALETTE[: len(kinds)], strict=True))
    table = figures()
    for sid, soup in soups.items():
        mine = table[table["source_id"] == sid]
        legend = {li["data-kind"]: int(li["data-count"]) for li in soup.select(".ke-legend li[data-kind]")}
        assert legend == mine["evidence_kind"].value_counts().to_dict(), sid
        hedged = soup.select_one(".ke-legend [data-hedged]")["data-hedged"]
        assert int(hedged) == int((mine["qualifier"] != "none").sum()), sid


def test_every_number_set_aside_is_marked_grey_with_its_reason(site):
    _, _, soups, _ = site
    ledger = pd.read_csv(DATA_DIR / "not_figures.csv", dtype=str, keep_default_na=False)
    problems = []
    for sid, soup in soups.items():
        marks = soup.select("main mark.ke-aside")
        mine = ledger[ledger["source_id"] == sid]
        assert int(soup.select_one(".ke-legend [data-aside-count]")["data-aside-count"]) == len(mine)
        if len(marks) != len(mine):
            problems.append(f"{sid}: {len(marks)} grey marks for {len(mine)} rows of not_figures.csv")
        for row in mine.itertuples():
            found = [
                m
                for m in marks
                if m["data-number"] == row.number
                and m["data-reason"] == row.reason
                and words(m) == row.number
                and row.context_text in words(m.find_parent("p"))
                and m.select_one(".ke-why").get_text() == row.reason
            ]
            if not found:
                problems.append(f"{sid}: {row.number!r} in {row.context_text[:40]!r} not marked with {row.reason!r}")
    assert not problems, "\n".join(problems)


def test_contradictions_link_to_both_sentences(site):
    _, _, soups, _ = site
    cons = pd.read_csv(DATA_DIR / "contradictions.csv", dtype=str, keep_default_na=False)
    for sid, soup in soups.items():
        mine = cons[(cons["source_a"] == sid) | (cons["source_b"] == sid)]
        items = soup.select(".ke-contradictions li[data-con]")
        assert [li["data-con"] for li in items] == list(mine["id"]), sid
        for li, con in zip(items, mine.itertuples(), strict=True):
            links = li.select("a")
            assert len(links) == 2, con.id
            for link, side in zip(links, ("a", "b"), strict=True):
                page, _, anchor = link["href"].rpartition("#")
                target_doc = page.removesuffix(".html") or sid
                assert target_doc == getattr(con, f"source_{side}"), link["href"]
                assert soups[target_doc].find(id=anchor) is not None, link["href"]
                pieces = soups[target_doc].select(f'[data-anchor="{anchor}"]')  # split where a figure crosses it
                assert "".join(words(p) for p in pieces) == getattr(con, f"quote_{side}"), link["href"]


def test_crossing_spans_are_split_and_nested_without_losing_text():
    line = "alpha beta gamma delta"
    rows = [{"id": "x-1", "evidence_kind": "randomized trial", "qualifier": "none"}]
    spans = [
        reader.Span(1, 0, 10, "figure", "x-1", rows),  # "alpha beta"
        reader.Span(1, 6, 16, "figure", "x-2", [{**rows[0], "id": "x-2", "qualifier": "about"}]),  # "beta gamma"
        reader.Span(1, 6, 10, "aside", "aside-0", [{"number": "beta", "reason": "word not used as a number"}]),
    ]
    soup = BeautifulSoup(f"<p>{reader.render_line(line, spans)}</p>", "html.parser")
    assert words(soup.p) == line
    x2 = soup.select('mark.ke-fig[data-ids="x-2"]')
    assert [words(m) for m in x2] == ["beta", " gamma"], "the crossing span is split at x-1's end"
    assert x2[0]["id"] == "row-x-2" and not x2[1].get("id"), "one anchor, on the first piece"
    assert len(x2[0].select("button.ke-rid")) == 0 and len(x2[1].select("button.ke-rid")) == 1
    assert words(soup.select_one('mark[data-ids="x-1"]')) == "alpha beta"
    assert words(soup.select_one("mark.ke-aside")) == "beta"


def test_no_documents_no_pages(tmp_path, monkeypatch):
    empty = tmp_path / "seeds"
    empty.mkdir()
    monkeypatch.setenv("KETAMINE_SEEDS", str(empty))
    assert reader.write_reader_pages(tmp_path / "site") == []
    monkeypatch.setenv("KETAMINE_SEEDS", str(tmp_path / "absent"))
    assert reader.write_reader_pages(tmp_path / "site") == []
    assert not (tmp_path / "site").exists()
    assert "KETAMINE_SEEDS" in reader.SEEDS_HELP and "../shared/seeds" in reader.SEEDS_HELP


@pytest.mark.browser
def test_a_click_shows_each_row_of_the_sentence_and_its_view_link(site, browser):
    out, _, soups, _ = site
    table = figures()
    # a sentence several rows quote, on the longest document
    shared = next(m for m in soups["003"].select("main mark.ke-fig[id]") if len(m["data-ids"].split()) > 1)
    ids = shared["data-ids"].split()
    guard = bs.NetworkGuard()
    context = bs.new_context(browser, guard)
    try:
        page = context.new_page()
        guard.watch(page)
        page.goto((out / "documents" / "003.html").as_uri())
        page.locator(f'main mark.ke-fig[id="row-{ids[0]}"]').click(position={"x": 4, "y": 4})
        blocks = page.locator(".ke-panel .ke-row")
        assert blocks.evaluate_all("bs => bs.map(b => b.dataset.id)") == ids
        for i, row_id in enumerate(ids):
            block = blocks.nth(i)
            assert block.locator(".ke-source-title").inner_text() == f"Source of {row_id}"
            quote = table.set_index("id").loc[row_id, "quote"]
            assert quote in block.inner_text()
            href = block.locator("a.ke-view-link").get_attribute("href")
            assert href == showing_link(row_id, page="../{notebook}.html")
        # the id label is a button: the keyboard reaches the same panel
        single = next(m for m in soups["003"].select("main mark.ke-fig[id]") if len(m["data-ids"].split()) == 1)
        page.locator(f'main mark.ke-fig[id="{single["id"]}"] > button.ke-rid').click()
        assert page.locator(".ke-panel .ke-row").evaluate_all("bs => bs.map(b => b.dataset.id)") == [single["data-ids"]]
        page.locator("main mark.ke-aside").first.click()
        reason = soups["003"].select_one("main mark.ke-aside")["data-reason"]
        assert reason in page.inner_text(".ke-panel .ke-source")
        assert_accessible(page, "reader-003")
        assert not guard.blocked, guard.summary()
        assert not guard.console_errors, guard.console_errors
    finally:
        context.close()
