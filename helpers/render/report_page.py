"""The saved report page: an executed notebook as one offline HTML file, and its charts as slide images.

Markdown is rendered, code hidden unless asked for, and every view drawn by the Vega runtime
included once per file, so the page opens from disk with no kernel and no network. Used by the
report runs (``helpers.run``) and by the nbconvert exporter (``helpers.render.exporter``).
"""

from __future__ import annotations

import base64
import html
import json
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from helpers import DISCLAIMER, EDUCATIONAL_NOTE
from helpers.paths import NOTEBOOK_DIR, ROOT, cache_dir, write_atomic
from helpers.render.offline import vega_runtime_js
from helpers.render.page import CSS as PAGE_CSS
from helpers.render.page import VIEW_MIME, view_html, view_js
from helpers.render.printed import print_spec, with_row_sources
from helpers.render.report_text import link_notebooks, split_disclaimer

EMBED_OPTIONS = {"actions": False}
VEGALITE_MIME = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
RUNTIME_MARKER = "window.vegaEmbed="  # occurs once in vega_runtime_js(); tests count it
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_INJECTED_TAG = "injected-parameters"
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


# --- HTML report ------------------------------------------------------------------------------


def runtime_file() -> Path:
    """A file holding ``helpers.render.offline.vega_runtime_js()``, written on first use.

    Bundling Vega with vl-convert takes several seconds, so the bundle is kept
    in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, else the
    temp folder), named by the vl-convert and Altair versions, and every
    worker reads it instead of bundling again.
    """
    from importlib.metadata import version

    # Named by package versions read from metadata: importing altair here would cost seconds.
    # "-ns": the bundle sets window.vega (helpers.render.offline.with_vega_namespace); older files did not.
    name = f"vega-runtime-vlc{version('vl-convert-python')}-altair{version('altair')}-ns.js"
    folders = [cache_dir(), Path(tempfile.gettempdir()) / "ketamine-evidence"]
    for folder in folders:
        cached = folder / name
        if cached.is_file() and RUNTIME_MARKER in cached.read_text(encoding="utf-8", errors="replace"):
            return cached
    code = vega_runtime_js()
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / name, code)
            return folder / name
        except OSError:
            continue
    raise OSError(f"cannot write the Vega bundle to any of: {', '.join(map(str, folders))}")


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem; color: #1a1a1a; }
.educational-note { border-left: 4px solid #b45309; background: #fff7ed; padding: .6rem 1rem; margin: 0 0 1rem; }
.educational-note p { margin: 0; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .85rem; }
pre.error { background: #fdecea; border-left: 4px solid #b91c1c; }
.chart { margin: 1rem 0; overflow-x: auto; }
.evidence-table { max-height: none; }
footer { margin-top: 2rem; border-top: 1px solid #ccc; font-size: .85rem; color: #444; }
a.anchor-link { display: none; }
@media print { .chart { break-inside: avoid; } body { max-width: none; } }
"""

_EMBED_JS = """
(function () {
  var options = %s;
  document.querySelectorAll('script.vega-spec').forEach(function (el) {
    var target = document.getElementById(el.getAttribute('data-chart'));
    vegaEmbed(target, JSON.parse(el.textContent), options).catch(function (error) {
      target.textContent = 'This chart could not be drawn: ' + error;
    });
  });
})();
"""


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no ``</script>``, no HTML comments)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _script_js(code: str) -> str:
    """JavaScript that cannot end its <script> element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _markdown(source: str) -> str:
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(source)


def _banner(note: str | None) -> str:
    """The page's one disclaimer: the notebook's own quote (markdown, after its first sentence) or the suite's."""
    clinician = "Anyone considering treatment should talk to a qualified clinician."
    body = _markdown(note).strip() if note else f"<p>{html.escape(EDUCATIONAL_NOTE.removeprefix(DISCLAIMER))}</p>"
    lead = f"<strong>{html.escape(DISCLAIMER)}</strong>"
    if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:  # one paragraph: run on
        body = f"<p>{lead} {body[3:-4].strip()} {clinician}</p>"
    else:
        body = f"<p>{lead}</p>\n{body}\n<p>{clinician}</p>"
    return f'<div class="educational-note" role="note">{body}</div>'


def _title(nb: Any, fallback: str) -> str:
    """The notebook's first heading, without the ``#``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in _text(cell.source).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def _error_html(output: Any) -> str:
    trace = "\n".join(_ANSI.sub("", line) for line in output.get("traceback", []))
    head = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return f'<pre class="error">{html.escape(trace or head)}</pre>'


def _output_html(output: Any, charts: list[dict], show_code: bool) -> str:
    """One cell output as HTML; Vega-Lite specs are collected into ``charts``."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr" and not show_code:
            return ""
        return f'<pre class="stream">{html.escape(_text(output.get("text", "")))}</pre>'
    if kind == "error":
        return _error_html(output)
    data = output.get("data", {})
    if VIEW_MIME in data:
        payload = json.loads(json.dumps(data[VIEW_MIME]))
        keep = set(payload["initial_ids"])  # a slide names the documents of the rows it starts with
        charts.append(with_row_sources(payload["spec"], (r for r in payload["rows"] if r.get("id") in keep)))
        return view_html(payload, len(charts))
    vegalite = next((mime for mime in data if VEGALITE_MIME.match(mime)), None)
    if vegalite:
        spec_dict = json.loads(json.dumps(data[vegalite]))
        charts.append(spec_dict)
        number = len(charts)
        label = html.escape(_text(data.get("text/plain", spec_dict.get("description", "chart"))), quote=True)
        return (
            f'<div class="chart" id="chart-{number}" role="img" aria-label="{label}">'
            f"<noscript>Chart {number}: {label} (needs JavaScript to draw)</noscript></div>\n"
            f'<script type="application/json" class="vega-spec" data-chart="chart-{number}">'
            f"{_script_json(spec_dict)}</script>"
        )
    if "text/html" in data:
        return f'<div class="output-html">{_text(data["text/html"])}</div>'
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = _text(data[mime]).replace("\n", "")
            return f'<img alt="figure" src="data:{mime};base64,{payload}">'
    if "image/svg+xml" in data:
        payload = base64.b64encode(_text(data["image/svg+xml"]).encode("utf-8")).decode("ascii")
        return f'<img alt="figure" src="data:image/svg+xml;base64,{payload}">'
    if "text/markdown" in data:
        return _markdown(_text(data["text/markdown"]))
    if "text/plain" in data:
        return f'<pre class="text">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def notebook_html(
    nb: Any,
    *,
    notebook: str,
    set_name: str,
    params: Mapping[str, Any],
    show_code: bool = False,
    run_date: datetime | None = None,
    failed: str | None = None,
    runtime: str | None = None,
    reports: Mapping[str, str] | None = None,
    notebook_dir: Path = NOTEBOOK_DIR,
) -> tuple[str, list[dict]]:
    """A self-contained HTML report of an executed notebook, and its Vega-Lite specs in order.

    Markdown is rendered, code is hidden unless ``show_code``, and every chart
    becomes ``<div id="chart-N">`` drawn by the vl-convert Vega bundle, which is
    included once (and only when there is a chart). Nothing is fetched over the network.
    ``runtime`` is that bundle's code; by default it is read from :func:`runtime_file`.
    The disclaimer is said once, in the banner: the notebook's own disclaimer quote moves
    there. Links to notebooks lead to ``reports[name]`` (a report file beside this one) or
    become text naming the notebook in ``notebook_dir`` (see ``helpers.render.report_text``).
    """
    charts: list[dict] = []
    parts: list[str] = []
    note: str | None = None  # the notebook's disclaimer quote, after its first sentence
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            source, quoted = split_disclaimer(_text(cell.source))
            note = quoted if note is None else note
            parts.append(f'<section class="markdown">{_markdown(source)}</section>')
        elif cell.cell_type == "code":
            if show_code and _text(cell.source).strip():
                label = " (parameters)" if _INJECTED_TAG in tags else ""
                code = html.escape(_text(cell.source))
                parts.append(f'<pre class="code" title="code{label}"><code>{code}</code></pre>')
            outputs = "".join(_output_html(o, charts, show_code) for o in cell.get("outputs", []))
            if outputs:
                parts.append(f'<section class="output">{outputs}</section>')

    when = (run_date or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    title = _title(nb, notebook)
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(repr(v))}</code></td></tr>" for k, v in params.items()
    )
    params_html = f"<table>{rows}</table>" if rows else "<p>This notebook takes no parameters.</p>"
    banner = f'<pre class="error">This run FAILED: {html.escape(failed)}</pre>' if failed else ""
    main = link_notebooks("\n".join(parts), reports or {}, notebook_dir, ROOT)
    scripts = drawn = ""
    if charts:
        drawn = " Charts are drawn offline by the Vega library included in this file."
        runtime = runtime if runtime is not None else runtime_file().read_text(encoding="utf-8")
        page_parts = "".join(parts)
        # The plain-chart loop only for plain Vega-Lite outputs; the view script only for views.
        scripts = f'<script id="vega-runtime">{_script_js(runtime)}</script>\n'
        if 'class="vega-spec"' in page_parts:
            scripts += f"<script>{_EMBED_JS % json.dumps(EMBED_OPTIONS)}</script>\n"
        if 'class="ke-view-data"' in page_parts:
            scripts += f'<script id="ke-views">{_script_js(view_js())}</script>'

    # The note sits in a <header> so every part of the page is in a landmark (axe: region).
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="helpers.render.report_page">
<title>{html.escape(title)} · {html.escape(set_name)}</title>
<style>{_CSS}{PAGE_CSS}</style>
</head>
<body>
<header>
{_banner(note)}
{banner}
</header>
<main>
{main}
</main>
<footer>
<p>Notebook <code>{html.escape(notebook)}</code>, parameter set <code>{html.escape(set_name)}</code>,
run {html.escape(when)} by <code>python -m helpers.report</code>.{drawn}</p>
<h2>Parameters</h2>
{params_html}
</footer>
{scripts}
</body>
</html>
"""
    return page, charts


def export_chart(spec_dict: dict, fmt: str) -> str | bytes:
    """One Vega-Lite spec as a slide image, PNG bytes or SVG text, drawn by vl-convert (no browser, no network).

    The image is the spec's print variant (:func:`helpers.render.printed.print_spec`): no "hover"
    or "click" hints, and the sources and the educational-use note printed under the chart.
    """
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    spec_dict = print_spec(spec_dict)
    version = vl_version_for_vl_convert()
    if fmt == "png":
        return vlc.vegalite_to_png(json.dumps(spec_dict), vl_version=version, scale=2)
    return vlc.vegalite_to_svg(json.dumps(spec_dict), vl_version=version)
