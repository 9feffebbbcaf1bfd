"""``make site``: every notebook's view page, one shared Vega runtime, a front door and a figure finder.

``python -m helpers.run.site --out site/`` runs every notebook (the report runner, default
parameters) and writes one folder a teacher can open from disk or put on any static host:

- ``<notebook>.html``: each notebook's page, loading ``assets/vega-<hash>.js`` (one copy of the
  runtime for every page), ``assets/views-<hash>.js`` (the views' page script, 56 kB) and
  ``assets/styles-<hash>.css`` (the report stylesheet, 5 kB) instead of carrying its own copies;
- ``index.html``: a card per notebook (title, one line, a thumbnail in ``assets/``), the finder
  and the documents' reader pages (when the documents are present);
- ``finder.html``: every figure, contradiction and audited number, searchable offline.

Everything is written into a hidden temporary folder beside the output and renamed into place
only when complete: an existing site is replaced whole or not at all. A folder that is not a site
this command built is never replaced. The single-file reports of ``python -m helpers.report``
are not touched.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

MARKER = ".ketamine-site"  # in every built site: the only kind of folder --out may replace
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.(?:tmp|old)")


class SiteError(Exception):
    """The site could not be built; the message says why, and the previous site is left as it was."""


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"--out {out}: it is a file, not a folder; choose a folder name (e.g. site/)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(
            f"--out {out}: the folder exists and is not a site built by this command (no {MARKER} in it); "
            "it is left as it is: choose an empty or new folder, or remove it first"
        )


def _remove_leftovers(out: Path) -> None:
    """Temporary and old folders of killed builds of this site (their writer's process has ended)."""
    from helpers.run.leftovers import pid_alive

    for path in out.parent.glob(f".{out.name}.*"):
        match = _LEFTOVER.fullmatch(path.name)
        if match and match["name"] == out.name and not pid_alive(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)


def _notebook_pages(tmp: Path, shared: dict[str, str], jobs: int | None, progress: bool) -> list[Any]:
    """Run every notebook and write its site page into ``tmp``; the cards for the front door.
    ``shared``: the pages' shared scripts (``runtime_src``, ``views_src``: assets/ addresses)."""
    import nbformat

    from helpers.render.exporter import notebook_html
    from helpers.render.report_page import title
    from helpers.render.site import Card, description, hashed_name, site_page, thumbnail_png
    from helpers.run.execute import run_reports

    runs = tmp / "runs"
    results = run_reports(out_dir=runs, jobs=jobs, progress=progress)
    failed = [r for r in results if not r.ok]
    if failed:
        raise SiteError(
            "the site was not built: "
            + "; ".join(f"{r.notebook} failed ({r.error})" for r in failed)
            + " (python -m helpers.report NOTEBOOK shows the failing cell)"
        )
    reports = {r.notebook: f"{r.notebook}.html" for r in results}
    cards = []
    for r in results:
        nb = nbformat.read(runs / f"{r.run_name}.ipynb", as_version=4)
        page, charts = notebook_html(
            nb, notebook=r.notebook, set_name=r.set_name, params=r.params, reports=reports, **shared
        )
        (tmp / reports[r.notebook]).write_text(site_page(page), encoding="utf-8")
        thumb = ""
        if charts:
            png = thumbnail_png(charts[0])
            thumb = f"assets/{hashed_name(r.notebook, png, 'png')}"
            (tmp / thumb).write_bytes(png)
        cards.append(Card(r.notebook, title(nb) or r.notebook, description(nb), reports[r.notebook], thumb))
    shutil.rmtree(runs)
    return cards


def build_site(
    out: str | Path,
    *,
    jobs: int | None = None,
    progress: bool = True,
    documents: Callable[[Path], list[dict]] | None = None,
    documents_help: str | None = None,
) -> Path:
    """Build the site into ``out`` (replaced only when the new one is complete); returns its path.

    ``documents(site_dir)`` writes the documents' reader pages into the new site and returns one
    dict per document (default: ``helpers.render.reader.write_reader_pages``); ``documents_help``
    is shown on the front door when there are none (default: the reader's ``SEEDS_HELP``).
    Raises :class:`SiteError` naming what went wrong.
    """
    from helpers.render.exporter import report_css
    from helpers.render.finder import document_names, finder_html, finder_records, load_tables
    from helpers.render.page import view_js
    from helpers.render.reader import SEEDS_HELP, write_reader_pages
    from helpers.render.report_page import runtime_file
    from helpers.render.site import hashed_name, index_html
    from helpers.run.leftovers import temp_tag
    from helpers.run.plan import OutputPathError, check_out_dir
    from helpers.views.home import showing_link

    if documents is None:
        documents = partial(write_reader_pages, in_site=True)
    documents_help = SEEDS_HELP if documents_help is None else documents_help

    out = Path(out).absolute()
    _check_out(out)
    try:  # the new site is written beside the old one, in out's parent: never among the sources
        check_out_dir(out.parent)
    except OutputPathError as exc:
        raise SiteError(f"--out {out}: {exc}") from None
    _remove_leftovers(out)
    tag = temp_tag()
    tmp = out.parent / f".{out.name}.{tag}.tmp"
    old = out.parent / f".{out.name}.{tag}.old"
    try:
        (tmp / "assets").mkdir(parents=True)
        shared = {}
        for key, name, code, suffix in (
            ("runtime_src", "vega", runtime_file().read_bytes(), "js"),
            ("views_src", "views", view_js().encode("utf-8"), "js"),
            ("styles_src", "styles", report_css().encode("utf-8"), "css"),
        ):
            shared[key] = f"assets/{hashed_name(name, code, suffix)}"
            (tmp / shared[key]).write_bytes(code)
        # The documents and the finder first: a broken table or reader stops the build before any notebook runs.
        docs = list(documents(tmp))
        records = finder_records(load_tables(), showing_link, {str(d["document"]): str(d["href"]) for d in docs})
        (tmp / "finder.html").write_text(finder_html(records, names=document_names()), encoding="utf-8")
        cards = _notebook_pages(tmp, shared, jobs, progress)
        (tmp / "index.html").write_text(index_html(cards, docs, documents_help, figures=len(records)), encoding="utf-8")
        (tmp / MARKER).write_text("built by python -m helpers.run.site; --out may replace this folder\n")
        if out.exists():
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except OSError:
            if old.exists():
                os.replace(old, out)  # put the previous site back
            raise
    except OSError as exc:
        raise SiteError(f"the site could not be written to {out} ({type(exc).__name__}: {exc})") from exc
    finally:
        for leftover in (tmp, old):
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(leftover)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.run.site",
        description="Build the offline site: every notebook's page, a front door and a figure finder.",
    )
    parser.add_argument("--out", default="site", help="the site folder (default: site/); replaced when complete")
    parser.add_argument("--jobs", type=int, default=None, help="parallel notebook runs (default: the CPU count)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        out = build_site(args.out, jobs=args.jobs, progress=not args.quiet)
    except SiteError as exc:
        print(f"make site: {exc}", file=sys.stderr)
        return 1
    print(f"Site written to {out}: open {out / 'index.html'} (works from disk, no internet needed).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
