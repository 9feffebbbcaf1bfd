"""Notebook parameters: each declared once with the rules across them (``notebooks``), read the
same way from every surface (``verdict``). ``expr`` evaluates the rules as the page does."""

from helpers.params.declare import ALL, Param, Rule, Spec
from helpers.params.filters import Filter
from helpers.params.notebooks import NOTEBOOKS, declared
from helpers.params.rules import ParameterError, shown
from helpers.params.verdict import Verdict, bounded, defaults, notebook_names, read, spec, validate

__all__ = [
    "ALL",
    "NOTEBOOKS",
    "Filter",
    "Param",
    "ParameterError",
    "Rule",
    "Spec",
    "Verdict",
    "bounded",
    "declared",
    "defaults",
    "notebook_names",
    "read",
    "shown",
    "spec",
    "validate",
]
