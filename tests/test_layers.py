"""The import contracts ([tool.importlinter] in pyproject.toml) hold, and each one can fail.

Each contract is broken on purpose in a copy of the package: one import planted inside a
function (grimp counts those too), import-linter run on the copy in a subprocess, and the
output must name the broken contract and the importing module. The graph of ``helpers``
(function-level imports included) must also have no cycle at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract["name"] for contract in CONFIG["contracts"]}

# contract id -> (file of the copy, upward import planted in a function, importing module, imported module)
PLANTED = {
    "layers": ("helpers/data/units.py", "import helpers.run.cli", "helpers.data.units", "helpers.run.cli"),
    "models": (
        "helpers/models/pk_inputs.py",
        "import helpers.models.simulator",
        "helpers.models.pk_inputs",
        "helpers.models.simulator",
    ),
    "views-independent": (
        "helpers/views/safety.py",
        "from helpers.views import history",
        "helpers.views.safety",
        "helpers.views.history",
    ),
    "static-report": (
        "helpers/render/exporter.py",
        "from helpers.render.widget import Panel",
        "helpers.render.exporter",
        "helpers.render.widget",
    ),
    "lower-layers-headless": ("helpers/params/rules.py", "import altair", "helpers.params.rules", "altair"),
}


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """import-linter on ``project`` (its pyproject.toml and its helpers/), in a fresh interpreter.

    ``python -m importlinter.cli`` would exit 0 without checking (that module has no __main__
    block), so the command itself is called.
    """
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "helpers", project / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_every_contract_has_a_planted_import():
    assert set(PLANTED) == set(CONTRACTS)


def test_the_real_tree_keeps_every_contract(tmp_path):
    done = lint_imports(copy_project(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in " ".join(done.stdout.split()), name
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


@pytest.mark.parametrize("contract", sorted(PLANTED))
def test_a_planted_import_inside_a_function_breaks_its_contract(tmp_path, contract):
    project = copy_project(tmp_path)
    relative, statement, importer, imported = PLANTED[contract]
    target = project / relative
    target.write_text(
        target.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {statement}  # noqa\n", encoding="utf-8"
    )
    done = lint_imports(project)
    output = " ".join(done.stdout.split())  # the report wraps long lines
    assert done.returncode != 0, output
    assert f"{CONTRACTS[contract]} BROKEN" in output
    assert f"{importer} -> {imported}" in output


def import_cycles(graph) -> list[list[str]]:
    """Every set of modules that import each other in a ring (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            ring = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                ring.append(member)
                if member == module:
                    break
            if len(ring) > 1 or module in graph.find_modules_directly_imported_by(module):
                cycles.append(sorted(ring))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def build_graph(project: Path):
    """grimp's graph of ``helpers`` in ``project`` (imports inside functions included), in this process."""
    import grimp

    sys.path.insert(0, str(project))
    saved = {name: module for name, module in sys.modules.items() if name == "helpers" or name.startswith("helpers.")}
    for name in saved:
        del sys.modules[name]
    try:
        return grimp.build_graph("helpers", cache_dir=None)
    finally:
        sys.path.remove(str(project))
        for name in [n for n in sys.modules if n == "helpers" or n.startswith("helpers.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_the_helpers_import_graph_has_no_cycle():
    graph = build_graph(ROOT)
    assert "helpers.run.worker" in graph.modules and len(graph.modules) > 40
    assert graph.direct_import_exists(importer="helpers", imported="helpers.data.tables"), "function imports count"
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_ring_made_by_a_function_level_import(tmp_path):
    project = copy_project(tmp_path)
    target = project / "helpers/paths.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n\ndef _planted():\n    import helpers.data.provenance\n")
    assert import_cycles(build_graph(project)) == [["helpers.data.provenance", "helpers.paths"]]
