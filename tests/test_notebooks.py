"""Notebooks: clean in git, parameters matching their spec, and executing headlessly under papermill."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from notebook_runs import execute, outputs

from helpers.params import defaults, notebook_names
from helpers.render.page import VIEW_MIME
from helpers.views import view

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_every_notebook_has_a_parameter_spec_and_vice_versa():
    assert ALL == sorted(notebook_names())


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_clean_and_has_header_and_parameters(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs before committing"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {name[:2]}")
    assert "not medical advice" in first.source
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    if defaults(name):
        assert len(tagged) == 1, "one cell tagged 'parameters'"
        namespace: dict = {}
        exec(tagged[0].source, namespace)  # noqa: S102 - our own committed notebook
        assert {k: namespace[k] for k in defaults(name)} == defaults(name)
    for cell in code:
        assert len(cell.source.splitlines()) <= 12, "notebooks stay thin: logic belongs in helpers/"


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_what_the_git_filter_and_jupyterlab_would_write(name):
    """The nbstripout filter (Makefile: git-filter) leaves a committed notebook byte for byte, and its
    kernelspec and language_info are what ipykernel reports, so JupyterLab has nothing to rewrite."""
    import subprocess
    import sys

    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import get_kernel_dict

    path = NOTEBOOKS / f"{name}.ipynb"
    stripped = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--keep-id", "-t", str(path)], capture_output=True, check=True
    ).stdout
    assert stripped == path.read_bytes(), "the git filter would change this notebook: run nbstripout --keep-id on it"
    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert meta["kernelspec"]["display_name"] == get_kernel_dict()["display_name"]
    assert meta["kernelspec"]["name"] == "python3"
    expected = dict(IPythonKernel.language_info)
    # The Python version is this machine's: JupyterLab rewrites it on another one (README says so).
    assert {k: v for k, v in meta["language_info"].items() if k != "version"} == {
        k: v for k, v in expected.items() if k != "version"
    }


def test_gitattributes_send_every_notebook_through_the_filter():
    lines = (NOTEBOOKS.parent / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.ipynb filter=nbstripout diff=ipynb" in lines


@pytest.mark.notebooks
@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_with_defaults(name, tmp_path):
    nb = execute(name, tmp_path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if name != "00_start_here":
        assert outputs(nb, "application/vnd.jupyter.widget-view+json"), "the explorer panel is displayed"


ALTERNATIVES = {
    "01_response_rates": ({"condition": "fibromyalgia", "color_by": "source_id"}, "condition", {"fibromyalgia"}),
    "02_relapse_timeline": ({"context": "pain", "log_scale": False}, "context", {"pain"}),
    "03_prevalence": ({"denominator": "drug users", "log_scale": True}, "denominator", {"drug users"}),
    "04_bioavailability": ({"unit": "uM", "matrix": "CSF"}, "matrix", {"CSF"}),
    "05_safety": ({"dose_context": "sub-anesthetic dose"}, "dose_context", {"sub-anesthetic dose"}),
    "06_history": ({"topic": "esketamine", "year_from": 1990}, "topic", {"esketamine"}),
    "07_claims_check": ({"family": "prevalence", "kind": "safety"}, "family", {"prevalence"}),
    "08_pk_simulator": ({"routes": "oral", "dose": 50.0, "dose_unit": "mg"}, None, None),
}


@pytest.mark.notebooks
@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_notebook_runs_with_other_parameters(name, tmp_path):
    """A report run displays the notebook's view with the run's parameters as its initial state."""
    params, column, expected = ALTERNATIVES[name]
    nb = execute(name, tmp_path, params, report=True)
    payloads = outputs(nb, VIEW_MIME)
    assert len(payloads) == 1, "report mode displays the view once"
    payload = payloads[0] if isinstance(payloads[0], dict) else json.loads(payloads[0])
    the_view = view(name)
    values = the_view.validate(params)
    assert payload["values"] == json.loads(json.dumps(values))
    spec_values = {p["name"]: p["value"] for p in payload["spec"]["params"] if "select" not in p and "expr" not in p}
    assert spec_values == the_view.by_signal(payload["values"]), "the page's inputs start at the run's parameters"
    kept = the_view.filter(values)
    assert payload["initial_ids"] == list(kept["id"])
    if column is not None:
        assert len(kept) and set(kept[column]) == expected
