"""Notebook 08's PK simulator: its parameter spec, the routes rules, the documented bands, the notebook runs.

The model glue through the controls, and the view (curves and read-outs computed in the page), are
tested in test_views_claims_pk.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from notebook_runs import execute, outputs

from helpers.data.prepared import prepared
from helpers.models import pk, simulator
from helpers.params import ParameterError, defaults, spec

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "08_pk_simulator.ipynb"
VALID_ROUTES = ", ".join(pk.SIMULATED_ROUTES)


# --- parameter spec ---------------------------------------------------------------------------


def test_spec_is_registered_with_the_documented_defaults():
    declared = spec("08_pk_simulator")
    assert [p.name for p in declared] == list(defaults("08_pk_simulator"))
    assert defaults("08_pk_simulator") == {
        "routes": "IV,intranasal,oral",
        "dose": 0.5,
        "dose_unit": "mg/kg",
        "weight_kg": 70.0,
        "infusion_min": 40.0,
        "hours": 12.0,
        "threshold_ng_ml": 100.0,
        "model": "one",
    }
    bounds = {p.name: (p.minimum, p.maximum, p.step) for p in declared if p.type == "number"}
    assert bounds == {
        "dose": (0.01, 3000.0, 0.01),
        "weight_kg": (20.0, 150.0, 0.5),
        "infusion_min": (0.0, 240.0, 1.0),
        "hours": (1.0, 48.0, 0.5),
        "threshold_ng_ml": (10.0, 3000.0, 10.0),
    }
    choices = {p.name: p.choices for p in declared if p.type != "number"}
    assert choices == {
        "routes": ("IV", "IM", "intranasal", "oral", "sublingual", "rectal"),
        "dose_unit": ("mg/kg", "mg"),
        "model": ("one", "two"),
    }
    kinds = {name: type(value) for name, value in defaults("08_pk_simulator").items()}
    assert {p.name: p.kind for p in declared} == kinds


def test_notebook_parameters_cell_matches_the_spec():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert [c.id for c in nb.cells] == [f"08-cell-{i:02d}" for i in range(len(nb.cells))]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    (tagged,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(tagged.source).body
        if isinstance(node, ast.Assign)
    }
    assert assigned == defaults("08_pk_simulator")
    assert "from helpers.explore import explore_pk_simulator" in code[-1].source
    assert "not medical advice" in nb.cells[0].source and nb.cells[0].source.startswith("# 08")


@pytest.mark.parametrize(("route", "why"), [("epidural", "no absorption Tmax"), ("subcutaneous", "never measured")])
def test_routes_the_model_cannot_draw_say_why(route, why):
    with pytest.raises(ParameterError, match="'routes'") as err:
        simulator.parse_routes(f"IV,{route}")
    assert why in str(err.value) and VALID_ROUTES in str(err.value)


def test_routes_are_read_case_insensitively_in_the_models_order_without_repeats():
    assert simulator.parse_routes(" oral, iv ,ORAL,Intranasal") == ("IV", "intranasal", "oral")
    assert simulator.parse_routes(["rectal", "IM"]) == ("IM", "rectal")


# --- landmarks --------------------------------------------------------------------------------


def test_a_missing_landmark_row_is_an_error():
    table = prepared("pharmacokinetics")
    with pytest.raises(ValueError, match="dissociation"):
        simulator.landmark_rows(table[table["id"] != "pk-007"])


# --- notebook runs ----------------------------------------------------------------------------


@pytest.mark.notebooks
def test_notebook_runs_with_defaults(tmp_path):
    nb = execute("08_pk_simulator", tmp_path)
    assert outputs(nb, "application/vnd.jupyter.widget-view+json"), "the simulator panel is displayed"
