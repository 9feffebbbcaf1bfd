"""Kernel start-up: the notebooks' import lines leave rfc3987_syntax (2 s of Lark parsers) unimported.

Checked in fresh interpreters, as a kernel would start; and the IRI checks that jsonschema
registers still exist and give the same answers (the real module loads on first use).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "rfc3987_syntax"


def fresh(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "notebooks", env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def import_lines() -> list[str]:
    """Every import line of the committed notebooks' code cells."""
    lines = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                lines += [ln for ln in cell.source.splitlines() if ln.startswith(("from helpers", "import helpers"))]
    return lines


def test_the_notebooks_import_lines_leave_rfc3987_syntax_out():
    lines = import_lines()
    assert len(lines) >= 9
    code = "\n".join(lines) + f"\nimport sys, altair, jsonschema\nprint({HEAVY!r} in sys.modules)"
    assert fresh(code) == "False"


def test_the_report_runner_leaves_rfc3987_syntax_out():
    modules = ", ".join(f"helpers.run.{m}" for m in ("cli", "execute", "kernels", "pool", "worker"))
    modules = f"helpers.report, {modules}"
    code = f"import sys, {modules}\nprint({HEAVY!r} in sys.modules)"
    assert fresh(code) == "False"


def test_iri_validation_is_unchanged_and_loads_the_real_module_on_first_use():
    code = (
        "import sys, json, helpers.explore, jsonschema\n"
        "checker = jsonschema.Draft202012Validator.FORMAT_CHECKER\n"
        f"before = {HEAVY!r} in sys.modules\n"
        "answers = [checker.conforms(v, f) for v, f in [('https://example.org/ä?q=1', 'iri'), ('not an iri', 'iri'),"
        " ('../a/b', 'iri-reference'), ('http://[::1', 'iri-reference')]]\n"
        f"print(json.dumps([before, 'iri' in checker.checkers, answers, {HEAVY!r} in sys.modules,"
        f" sys.modules[{HEAVY!r}].is_valid_syntax.__module__]))"
    )
    before, registered, answers, after, module = json.loads(fresh(code))
    assert before is False and registered is True
    assert answers == [True, False, True, False]
    assert after is True and module.startswith(HEAVY)  # the real module now, not the stand-in


@pytest.mark.parametrize("module", ["tables", "dictionary", "labels", "prepared", "provenance", "routes", "units"])
def test_each_data_module_imports_first_in_a_fresh_process(module):
    """``from helpers.data import tables`` as a new process's first import (the lazy names of the package
    must leave its own modules to the import system, or it recurses until RecursionError)."""
    assert fresh(f"from helpers.data import {module}\nprint({module}.__name__)") == f"helpers.data.{module}"


def test_the_lazy_names_of_the_data_layer_still_load():
    assert fresh("from helpers.data import load\nprint(len(load('sources')))") == "5"


def twice_on_one_cache(code: str, tmp_path: Path) -> list[str]:
    """``code``'s last printed line in two new processes, one after the other, sharing one empty cache folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT / "notebooks", env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        runs.append(done.stdout.strip().splitlines()[-1])
    return runs


def test_a_report_builds_every_view_from_the_spec_cache_without_altair(tmp_path):
    """A report kernel needs the rows, the declaration and the cached spec, not Altair (0.35-0.45 s of
    imports): every view's report payload is made with Altair never imported, once the spec cache holds
    the specs (a first build fills it, as the first report run does), and the kernels' cache reset
    between notebooks does not import it either. A builder does, on a miss: the first run here."""
    code = (
        "import os, sys\n"
        "os.environ['KETAMINE_REPORT'] = '1'\n"
        "from helpers.views import BUILDERS, view\n"
        "from helpers.run.warmup import clear_caches\n"
        "for nb in BUILDERS:\n"
        "    clear_caches()\n"
        "    v = view(nb)\n"
        "    v.payload(v.validate({}))\n"
        "clear_caches()\n"
        "print(sorted(m for m in ('altair', 'ipywidgets', 'anywidget') if m in sys.modules))\n"
    )
    runs = twice_on_one_cache(code, tmp_path)  # the first fills the cache (a builder imports Altair)
    assert runs == ["['altair', 'anywidget', 'ipywidgets']", "[]"], runs


def test_a_report_worker_writes_every_views_page_block_without_altair(tmp_path):
    """The worker's half of a report: the view's HTML block, its chart compiled to Vega from the cache
    and drawn ahead. The cache key's Vega-Lite version comes from the spec's ``$schema``, so the worker
    never imports Altair (0.36 s of its start, twice a run) once the caches hold the view."""
    code = (
        "import os, sys\n"
        "os.environ['KETAMINE_REPORT'] = '1'\n"
        "from helpers.views import BUILDERS, view\n"
        "payloads = [view(nb).payload(view(nb).validate({})) for nb in BUILDERS]\n"
        "from helpers.render.page import view_html\n"
        "blocks = [view_html(p, i) for i, p in enumerate(payloads, 1)]\n"
        "print(len(blocks) == len(BUILDERS) > 0, 'altair' in sys.modules)\n"
    )
    runs = twice_on_one_cache(code, tmp_path)  # the first fills the spec's and the compiled Vega's caches
    assert runs[1] == "True False", runs  # (the first run's builders import Altair)
