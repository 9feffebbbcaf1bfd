"""Headless report runs: every notebook executed with papermill into offline HTML.

``python -m helpers.report`` (or ``make report``) runs the notebooks, each with
one or more named parameter sets, and writes for every run the executed
notebook and a self-contained HTML report into ``reports/``. The HTML needs no
kernel and no network: charts are drawn by the Vega bundle from vl-convert,
included once per file.

Examples::

    python -m helpers.report --all
    python -m helpers.report --list                       # notebooks, parameters, accepted values
    python -m helpers.report 01 -p condition fibromyalgia
    python -m helpers.report --params-file reports.example.yaml --set fibromyalgia_handout
    python -m helpers.report 02 03 --jobs 2 --format html --format png --out handouts/

Why it is built this way:

- every parameter is checked against ``helpers.params`` *before* anything runs,
  because papermill only warns about unknown names and a typo would otherwise
  give a report of the defaults;
- the kernel runs with ``KETAMINE_REPORT=1``, so explorers display static
  Vega-Lite specs and tables instead of widgets that need a live kernel;
- each file is written to a temporary name and renamed when complete, so a
  failed re-run never leaves a half-written report over a good one;
- a failing notebook never stops the others; its partial notebook is kept as
  ``<run>.FAILED.ipynb`` and the summary names the failing cell.

Exit status: 0 when every run succeeded, 1 when any run failed, 2 when the
command line, a parameter or the output folder is wrong (nothing has run).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from helpers import EDUCATIONAL_NOTE
from helpers.params import NOTEBOOKS, ParameterError, spec, validate
from helpers.render.page import CSS as PAGE_CSS
from helpers.render.page import VIEW_MIME, view_html, view_js

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DATA_DIR = ROOT / "data"
DEFAULT_OUT = Path("reports")
DEFAULT_SET = "default"
REPORT_ENV = "KETAMINE_REPORT"  # same name as helpers.explore.REPORT_ENV; not imported to keep startup light
FORMATS = ("html", "png", "svg")
EMBED_OPTIONS = {"actions": False}
VEGALITE_MIME = re.compile(r"^application/vnd\.vegalite\.v\d+\+json$")
RUNTIME_MARKER = "window.vegaEmbed="  # occurs once in vega_runtime_js(); tests count it
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_INJECTED_TAG = "injected-parameters"
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


class OutputPathError(ValueError):
    """An output folder or file that would land among the sources (notebooks/, data/)."""


# --- plan: what runs, with which parameters, into which files ---------------------------------


@dataclass(frozen=True)
class RunTask:
    """One notebook run, fully resolved and validated; picklable for the worker processes."""

    notebook: str
    source: str
    set_name: str
    run_name: str
    params: dict[str, Any]
    out_dir: str
    formats: tuple[str, ...] = ("html",)
    show_code: bool = False
    timeout: int | None = None
    runtime_file: str | None = None

    def path(self, suffix: str) -> Path:
        """An output file of this run, e.g. ``path(".html")``."""
        return Path(self.out_dir) / f"{self.run_name}{suffix}"

    @property
    def chart_dir(self) -> Path:
        return Path(self.out_dir) / self.run_name


@dataclass
class RunResult:
    """What one run produced: status ``ok`` or ``FAILED``, wall time, files, and where it failed."""

    notebook: str
    set_name: str
    run_name: str
    params: dict[str, Any]
    status: str
    seconds: float
    outputs: list[str] = field(default_factory=list)
    charts: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def short_hash(value: Any) -> str:
    """Eight hex digits that depend only on ``value`` (stable across runs and machines)."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def safe_name(text: str) -> str:
    """``text`` reduced to ``[A-Za-z0-9._-]`` and usable as one file name, never a path.

    Slashes, ``..`` and leading dots cannot survive, so a set name cannot steer
    a file out of the output folder. When anything was changed, a hash of the
    original is appended so that two different names never share files.
    """
    cleaned = _UNSAFE.sub("_", text)
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip("._-")[:80] or "set"
    return cleaned if cleaned == text else f"{cleaned}-{short_hash(text)}"


def available_notebooks(notebook_dir: Path) -> list[str]:
    """The ``.ipynb`` names (without suffix) in a folder, sorted."""
    return sorted(p.stem for p in Path(notebook_dir).glob("*.ipynb") if not p.name.startswith("."))


def default_notebooks(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """Every notebook with a parameter spec that exists in the folder: the ``--all`` set."""
    present = set(available_notebooks(notebook_dir))
    return [name for name in NOTEBOOKS if name in present]


def resolve_notebook(name: str, notebook_dir: Path = NOTEBOOK_DIR) -> tuple[str, Path]:
    """``(name, path)`` for a notebook given as a name, a unique prefix such as ``01``, or a file path."""
    text = str(name)
    if text.endswith(".ipynb") or os.sep in text or "/" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise ParameterError(f"notebook file {text!r} does not exist")
        return path.stem, path.resolve()
    names = available_notebooks(notebook_dir)
    if text in names:
        return text, (Path(notebook_dir) / f"{text}.ipynb").resolve()
    matches = [n for n in names if n.startswith(text)]
    if len(matches) == 1:
        return matches[0], (Path(notebook_dir) / f"{matches[0]}.ipynb").resolve()
    options = ", ".join(matches if matches else names) or "(none found)"
    problem = "matches several notebooks" if matches else "is not a notebook"
    raise ParameterError(f"{text!r} {problem}; choose one of: {options}")


def parse_cli_value(raw: str, kind: type | None) -> Any:
    """A ``-p`` value: kept as text for text parameters (so ``001`` stays ``"001"``), else a YAML scalar."""
    if kind is str:
        return raw
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    return raw if value is None else value


def _check(notebook: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validated parameters (defaults filled in); notebooks without a spec take none."""
    if notebook not in NOTEBOOKS:
        if values:
            names = ", ".join(map(repr, sorted(values)))
            raise ParameterError(
                f"notebook {notebook}: unknown parameter(s) {names}; "
                "valid: (none: this notebook has no parameter spec in helpers/params.py)"
            )
        return {}
    try:
        return validate(notebook, values)
    except ParameterError as error:
        quoted = [
            p.name for p in spec(notebook) if p.kind is str and p.name in values and not isinstance(values[p.name], str)
        ]
        if quoted and any(repr(name) in str(error) for name in quoted):
            raise ParameterError(f"{error} (in YAML, put quotes around text such as '001')") from None
        raise


def plan_runs(
    notebooks: Sequence[str] | None = None,
    param_sets: Mapping[str, Mapping[str, Mapping[str, Any] | None]] | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    *,
    overrides: Mapping[str, Any] | None = None,
    notebook_dir: str | Path = NOTEBOOK_DIR,
    formats: Sequence[str] = ("html",),
    show_code: bool = False,
    timeout: int | None = None,
) -> list[RunTask]:
    """Every run, validated, before anything executes; raises ParameterError or OutputPathError.

    ``param_sets`` maps a set name to ``{notebook: {parameter: value}}`` (the
    ``--params-file`` format); each set runs the notebooks it names, limited to
    ``notebooks`` when those are given. Without sets every chosen notebook runs
    once with its defaults. ``overrides`` (``-p``) apply on top, to each
    notebook that takes that parameter; strings are parsed per parameter type.
    All problems are collected into one error so a teacher fixes them in one go.
    """
    notebook_dir = Path(notebook_dir)
    errors: list[str] = []
    bad_formats = sorted(set(formats) - set(FORMATS))
    if bad_formats:
        errors.append(f"unknown format(s) {', '.join(bad_formats)}; choose from: {', '.join(FORMATS)}")

    chosen: dict[str, Path] = {}
    for name in notebooks if notebooks else default_notebooks(notebook_dir):
        try:
            resolved, path = resolve_notebook(name, notebook_dir)
            chosen[resolved] = path
        except ParameterError as error:
            errors.append(str(error))

    runs: list[tuple[str, str, dict[str, Any]]] = []  # (set name, notebook, values)
    sources = dict(chosen)
    if param_sets is None:
        runs = [(DEFAULT_SET, nb, {}) for nb in chosen]
    else:
        if not isinstance(param_sets, Mapping) or not param_sets:
            errors.append("the parameter file holds no parameter sets; see reports.example.yaml")
            param_sets = {}
        for set_name, entries in param_sets.items():
            if not isinstance(entries, Mapping):
                errors.append(f"parameter set {set_name!r} must map notebook names to parameters")
                continue
            for key, values in entries.items():
                try:
                    resolved, path = resolve_notebook(str(key), notebook_dir)
                except ParameterError as error:
                    errors.append(f"parameter set {set_name!r}: {error}")
                    continue
                if values is not None and not isinstance(values, Mapping):
                    errors.append(f"parameter set {set_name!r}, notebook {resolved}: parameters must be name: value")
                    continue
                if notebooks and resolved not in chosen:
                    continue
                sources.setdefault(resolved, path)
                runs.append((str(set_name), resolved, dict(values or {})))

    cli = dict(overrides or {})
    takes = {nb: {p.name: p.kind for p in NOTEBOOKS.get(nb, ())} for _, nb, _ in runs}
    for name in cli:
        if not any(name in params for params in takes.values()):
            offered = {nb: ", ".join(params) or "(none: it takes no parameters)" for nb, params in takes.items()}
            if len(offered) == 1:
                [(nb, valid)] = offered.items()
                errors.append(f"notebook {nb}: unknown parameter {name!r}; valid: {valid}")
            else:
                listing = "".join(f"\n  {nb}: {valid}" for nb, valid in offered.items())
                errors.append(f"unknown parameter {name!r}: no chosen notebook takes it. Valid:{listing}")

    tasks: list[RunTask] = []
    seen: dict[str, tuple[str, str]] = {}
    for set_name, nb, values in runs:
        applied = {
            k: parse_cli_value(v, takes[nb][k]) if isinstance(v, str) else v for k, v in cli.items() if k in takes[nb]
        }
        try:
            checked = _check(nb, {**values, **applied})
        except ParameterError as error:
            where = "" if set_name == DEFAULT_SET else f"parameter set {set_name!r}, "
            errors.append(f"{where}{error}")
            continue
        label = set_name
        if applied:
            label = f"{set_name if param_sets is not None else 'cli'}-{short_hash({k: checked[k] for k in applied})}"
        run_name = f"{safe_name(nb)}__{safe_name(label)}"
        if run_name in seen:
            if seen[run_name] == (nb, set_name) and param_sets is not None:
                errors.append(f"parameter set {set_name!r} lists notebook {nb} twice")
            elif seen[run_name] != (nb, set_name):
                errors.append(f"parameter sets {seen[run_name][1]!r} and {set_name!r} would write the same files")
            continue
        seen[run_name] = (nb, set_name)
        tasks.append(
            RunTask(
                nb,
                str(sources[nb]),
                label,
                run_name,
                checked,
                str(out_dir),
                tuple(dict.fromkeys(formats)) or ("html",),
                show_code,
                timeout,
            )
        )

    if not errors and not tasks:
        errors.append("nothing to run: no chosen notebook appears in the chosen parameter sets")
    if errors:
        raise ParameterError("\n".join(errors))
    out = check_out_dir(out_dir, [Path(s) for s in sources.values()], notebook_dir)
    return [_replace(task, out_dir=str(out)) for task in tasks]  # absolute: workers run elsewhere


def check_out_dir(out_dir: str | Path, sources: Iterable[Path] = (), notebook_dir: Path = NOTEBOOK_DIR) -> Path:
    """The absolute output folder, or OutputPathError if it is among the sources.

    Reports must never land inside ``notebooks/`` or ``data/`` (or the folder
    the notebooks are read from), nor replace a source notebook or data file.
    """
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"refusing to write reports into {out_dir}: it is a file, not a folder")
    protected = {
        Path(notebook_dir).resolve(): "the source notebooks",
        NOTEBOOK_DIR.resolve(): "the source notebooks",
        DATA_DIR.resolve(): "the data tables",
    }
    for folder, holds in protected.items():
        if out == folder or folder in out.parents:
            raise OutputPathError(
                f"refusing to write reports into {out_dir}: it is inside {folder}, which holds {holds}. "
                "Choose another folder, for example --out reports/"
            )
    for source in sources:
        if Path(source).resolve().parent == out:
            raise OutputPathError(
                f"refusing to write reports into {out_dir}: it holds the source notebook {source}. "
                "Choose another folder, for example --out reports/"
            )
    return out


# --- HTML report ------------------------------------------------------------------------------


def runtime_file() -> Path:
    """A file holding ``helpers.renderer.vega_runtime_js()``, written on first use.

    Bundling Vega with vl-convert takes several seconds, so the bundle is kept
    in the user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, else the
    temp folder), named by the vl-convert and Altair versions, and every
    worker reads it instead of bundling again.
    """
    from importlib.metadata import version

    # Named by package versions read from metadata: importing altair here would cost seconds.
    name = f"vega-runtime-vlc{version('vl-convert-python')}-altair{version('altair')}.js"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folders = [cache / "ketamine-evidence", Path(tempfile.gettempdir()) / "ketamine-evidence"]
    for folder in folders:
        cached = folder / name
        if cached.is_file() and RUNTIME_MARKER in cached.read_text(encoding="utf-8", errors="replace"):
            return cached
    from helpers.renderer import vega_runtime_js

    code = vega_runtime_js()
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(folder / name, code)
            return folder / name
        except OSError:
            continue
    raise OSError(f"cannot write the Vega bundle to any of: {', '.join(map(str, folders))}")


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem; color: #1a1a1a; }
.educational-note { border-left: 4px solid #b45309; background: #fff7ed; padding: .6rem 1rem; margin: 0 0 1rem; }
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
        charts.append(payload["spec"])
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
) -> tuple[str, list[dict]]:
    """A self-contained HTML report of an executed notebook, and its Vega-Lite specs in order.

    Markdown is rendered, code is hidden unless ``show_code``, and every chart
    becomes ``<div id="chart-N">`` drawn by the vl-convert Vega bundle, which is
    included once (and only when there is a chart). Nothing is fetched over the network.
    ``runtime`` is that bundle's code; by default it is read from :func:`runtime_file`.
    """
    charts: list[dict] = []
    parts: list[str] = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            parts.append(f'<section class="markdown">{_markdown(_text(cell.source))}</section>')
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

    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="helpers.report">
<title>{html.escape(title)} · {html.escape(set_name)}</title>
<style>{_CSS}{PAGE_CSS}</style>
</head>
<body>
<p class="educational-note" role="note"><strong>{html.escape(EDUCATIONAL_NOTE)}</strong>
Anyone considering treatment should talk to a qualified clinician.</p>
{banner}
<main>
{chr(10).join(parts)}
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


# --- one run (in a worker process) ------------------------------------------------------------


def _write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` to a temporary file beside ``path``, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export_chart(spec_dict: dict, fmt: str) -> str | bytes:
    """One Vega-Lite spec as PNG bytes or SVG text, drawn by vl-convert (no browser, no network)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    if fmt == "png":
        return vlc.vegalite_to_png(json.dumps(spec_dict), vl_version=version, scale=2)
    return vlc.vegalite_to_svg(json.dumps(spec_dict), vl_version=version)


def locate_failure(nb: Any) -> str | None:
    """``cell N: Exception: message (line: ...)`` for the first failing cell of an executed notebook.

    N counts the cells of the source notebook from 0: papermill's injected
    parameters and its error-marker cells are skipped.
    """
    index = -1
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _INJECTED_TAG in tags or _PAPERMILL_ERROR_TAG in tags:
            continue
        index += 1
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        crashed = cell.get("metadata", {}).get("papermill", {}).get("exception") is True
        if errors or crashed:
            if not errors:
                return f"cell {index}: the cell did not finish (kernel died or timed out)"
            output = errors[0]
            where = ""
            for line in output.get("traceback", []):
                arrow = [ln for ln in _ANSI.sub("", line).splitlines() if ln.lstrip().startswith("---->")]
                if arrow:
                    where = arrow[-1].split("---->", 1)[1].strip()
            number = re.match(r"(\d+)\s+(.*)", where)
            detail = f" (line {number[1]}: {number[2]})" if number else f" (line: {where})" if where else ""
            return f"cell {index}: {output.get('ename')}: {output.get('evalue')}{detail}"
    return None


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[Path]:
    """Send this process's stderr (the kernel's and papermill's chatter) to a file during a run."""
    with tempfile.NamedTemporaryFile("w+b", suffix=".log", delete=False) as log:
        path = Path(log.name)
    saved = os.dup(2)
    try:
        with open(path, "wb") as sink:
            sys.stderr.flush()
            os.dup2(sink.fileno(), 2)
            try:
                yield path
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)
        path.unlink(missing_ok=True)


def execute_run(task: RunTask) -> RunResult:
    """Run one notebook with papermill and write its files; never raises.

    Runs in a worker process: ``KETAMINE_REPORT=1`` is set in this process's
    environment so the kernel papermill starts inherits it. The notebook runs
    with its own folder as working directory.
    """
    start = time.perf_counter()
    import nbformat
    import papermill

    os.environ[REPORT_ENV] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    tmp_nb = Path(task.out_dir) / f".{task.run_name}.{uuid.uuid4().hex[:8]}.tmp.ipynb"
    failed_nb = task.path(".FAILED.ipynb")
    failed_html = task.path(".FAILED.html")
    result = RunResult(task.notebook, task.set_name, task.run_name, task.params, "FAILED", 0.0)
    try:
        Path(task.out_dir).mkdir(parents=True, exist_ok=True)
        runtime = Path(task.runtime_file).read_text(encoding="utf-8") if task.runtime_file else None
        error: str | None = None
        kernel_log: list[str] = []
        with _quiet_stderr() as log:
            try:
                papermill.execute_notebook(
                    task.source,
                    str(tmp_nb),
                    parameters=task.params,
                    cwd=str(Path(task.source).parent),
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=task.timeout,
                )
            except Exception as exc:  # any failure is reported, never raised
                lines = str(exc).strip().splitlines()
                error = f"{type(exc).__name__}: {lines[-1] if lines else ''}"
                kernel_log = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        if error is not None:
            if tmp_nb.exists():  # papermill saved the notebook up to the failing cell
                os.replace(tmp_nb, failed_nb)
                result.outputs.append(str(failed_nb))
                nb = nbformat.read(failed_nb, as_version=4)
                error = locate_failure(nb) or error
                with contextlib.suppress(Exception):  # the partial notebook matters more than its HTML
                    page, _ = notebook_html(
                        nb,
                        notebook=task.notebook,
                        set_name=task.set_name,
                        params=task.params,
                        show_code=True,
                        failed=error,
                        runtime=runtime,
                    )
                    _write_atomic(failed_html, page)
                    result.outputs.append(str(failed_html))
            elif kernel_log:
                error = f"{error} | {kernel_log[-1]}"
            result.error = error
            return result

        nb = nbformat.read(tmp_nb, as_version=4)
        page, charts = notebook_html(
            nb,
            notebook=task.notebook,
            set_name=task.set_name,
            params=task.params,
            show_code=task.show_code,
            runtime=runtime,
        )
        exports = {
            task.chart_dir / f"chart-{n}.{fmt}": export_chart(chart, fmt)
            for fmt in task.formats
            if fmt != "html"
            for n, chart in enumerate(charts, start=1)
        }
        # Everything is ready: only now replace the previous run's files.
        os.replace(tmp_nb, task.path(".ipynb"))
        result.outputs.append(str(task.path(".ipynb")))
        if "html" in task.formats:
            _write_atomic(task.path(".html"), page)
            result.outputs.append(str(task.path(".html")))
        if exports:
            task.chart_dir.mkdir(exist_ok=True)
            for path, content in exports.items():
                _write_atomic(path, content)
            for fmt in {p.suffix for p in exports}:
                for stale in task.chart_dir.glob(f"chart-*{fmt}"):
                    if stale not in exports:
                        stale.unlink()
            result.outputs.append(str(task.chart_dir) + os.sep)
        for stale in (failed_nb, failed_html):
            stale.unlink(missing_ok=True)
        result.status, result.charts = "ok", len(charts)
        return result
    except Exception as exc:  # a broken report is a failed run, not a crash
        if tmp_nb.exists():
            os.replace(tmp_nb, failed_nb)
            result.outputs.append(str(failed_nb))
        result.error = result.error or f"{type(exc).__name__}: {exc}"
        return result
    finally:
        tmp_nb.unlink(missing_ok=True)
        result.seconds = round(time.perf_counter() - start, 2)


# --- many runs --------------------------------------------------------------------------------


def run_tasks(tasks: Sequence[RunTask], jobs: int | None = None, progress: bool = True) -> list[RunResult]:
    """Execute tasks in parallel worker processes, with a progress bar; results in task order."""
    from tqdm import tqdm

    if not tasks:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    bundle = str(runtime_file())  # once here, not once per worker
    tasks = [_replace(task, runtime_file=bundle) for task in tasks]
    results: dict[int, RunResult] = {}
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with (
        ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool,
        tqdm(total=len(tasks), desc="reports", unit="run", disable=not progress, file=sys.stderr) as bar,
    ):
        futures = {pool.submit(execute_run, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            task = tasks[i]
            try:
                results[i] = future.result()
            except Exception as exc:  # e.g. a worker process killed
                results[i] = RunResult(
                    task.notebook, task.set_name, task.run_name, task.params, "FAILED", 0.0, error=repr(exc)
                )
            bar.set_postfix_str(f"{task.run_name}: {results[i].status}")
            bar.update()
    return [results[i] for i in range(len(tasks))]


def run_reports(
    notebooks: Sequence[str] | None = None,
    param_sets: Mapping[str, Mapping[str, Mapping[str, Any] | None]] | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    jobs: int | None = None,
    formats: Sequence[str] = ("html",),
    show_code: bool = False,
    *,
    overrides: Mapping[str, Any] | None = None,
    notebook_dir: str | Path = NOTEBOOK_DIR,
    timeout: int | None = None,
    progress: bool = True,
) -> list[RunResult]:
    """Validate everything, then run every notebook × parameter set; one RunResult per run.

    Raises ParameterError or OutputPathError before anything runs. ``notebooks``
    are names, prefixes (``"01"``) or paths, default every notebook; see
    :func:`plan_runs` for ``param_sets`` and ``overrides``. A failed run is a
    RunResult with status ``FAILED``; it never stops the others.
    """
    tasks = plan_runs(
        notebooks,
        param_sets,
        out_dir,
        overrides=overrides,
        notebook_dir=notebook_dir,
        formats=formats,
        show_code=show_code,
        timeout=timeout,
    )
    return run_tasks(tasks, jobs, progress)


def summary(results: Sequence[RunResult], relative_to: Path | None = None) -> str:
    """A plain-text table: notebook, parameter set, status, seconds, output files; failures explained."""
    base = relative_to or Path.cwd()

    def show(path: str) -> str:
        """A path relative to ``base`` when it lies below it, else as is."""
        inside = Path(path).is_relative_to(base) if Path(path).is_absolute() else False
        return os.path.relpath(path, base) + (os.sep if path.endswith(os.sep) else "") if inside else path

    header = ("notebook", "parameter set", "status", "seconds", "outputs")
    rows = [
        (r.notebook, r.set_name, r.status, f"{r.seconds:.1f}", ", ".join(show(p) for p in r.outputs) or "-")
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True)) + "  " + header[4]]
    for result, row in zip(results, rows, strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
        if result.error:
            lines.append(f"    -> {result.error}")
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} of {len(results)} runs ok" + (f", {failed} FAILED" if failed else ""))
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------------


def load_param_file(path: str | Path, chosen: Sequence[str] | None = None) -> dict[str, dict]:
    """The named parameter sets of a YAML file, optionally only ``chosen`` ones (``--set``)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"parameter file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise ParameterError(f"parameter file {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not data:
        raise ParameterError(
            f"parameter file {path} must map set names to {{notebook: {{parameter: value}}}}; see reports.example.yaml"
        )
    data = {str(k): v for k, v in data.items()}
    if chosen:
        unknown = [name for name in chosen if name not in data]
        if unknown:
            raise ParameterError(
                f"parameter set(s) {', '.join(map(repr, unknown))} not in {path}; choose one of: {', '.join(data)}"
            )
        data = {name: data[name] for name in dict.fromkeys(chosen)}
    return data


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.report",
        description="Run the notebooks headlessly into offline HTML reports (educational use only).",
        epilog="Examples: --all | 01 -p condition fibromyalgia | --params-file reports.example.yaml --set "
        "fibromyalgia_handout | 02 --format png --out handouts/",
    )
    parser.add_argument("notebooks", nargs="*", help="notebook names, prefixes (01) or .ipynb paths; default: all")
    parser.add_argument("--all", action="store_true", help="run every notebook (the default)")
    parser.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter for every chosen notebook that takes it; the value is read as YAML (true, 3, text)",
    )
    parser.add_argument("--params-file", help="YAML file of named parameter sets: {set: {notebook: {name: value}}}")
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME", help="run only this set (repeatable)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: reports/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="parallel runs (default: CPU count)")
    parser.add_argument(
        "--format",
        action="append",
        dest="formats",
        choices=FORMATS,
        help="html (default), png or svg; png/svg also export every chart to <out>/<run>/chart-N.*",
    )
    parser.add_argument("--show-code", action="store_true", help="include code cells in the HTML")
    parser.add_argument("--timeout", type=int, default=None, help="seconds allowed per cell (default: no limit)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    return parser


def describe_parameters(notebooks: Iterable[str]) -> str:
    """Each notebook's parameters with default and accepted values, for ``--list``."""
    lines = []
    for name in notebooks:
        lines.append(name)
        for p in NOTEBOOKS.get(name, ()):
            accepts = "one of: " + " | ".join(map(str, p.choices)) if p.choices else p.kind.__name__
            if p.minimum is not None:
                accepts += f" from {p.minimum:g} to {p.maximum:g}"
            lines.append(f"  {p.name} (default {p.default!r}): {p.help}; {accepts}")
        if not NOTEBOOKS.get(name):
            lines.append("  (no parameters)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status (0 ok, 1 a run failed, 2 bad input, nothing run)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.all and args.notebooks:
        parser.error("give notebook names or --all, not both")
    if args.sets and not args.params_file:
        parser.error("--set needs --params-file")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.list:
        print(describe_parameters(default_notebooks()))
        return 0
    overrides = dict(args.param)
    try:
        sets = load_param_file(args.params_file, args.sets) if args.params_file else None
        tasks = plan_runs(
            args.notebooks or None,
            sets,
            args.out,
            overrides=overrides,
            formats=args.formats or ("html",),
            show_code=args.show_code,
            timeout=args.timeout,
        )
    except (ParameterError, OutputPathError) as error:
        print(f"Nothing was run.\n{error}", file=sys.stderr)
        return 2
    results = run_tasks(tasks, args.jobs, progress=not args.quiet)
    print(summary(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
