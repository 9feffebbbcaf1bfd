"""Notebook parameters: each declared once, with the rules across them (see ``declare``)."""

from helpers.params.declare import ALL, NOTEBOOKS, Param, defaults, notebook_names, spec, validate
from helpers.params.rules import ParameterError

__all__ = ["ALL", "NOTEBOOKS", "Param", "ParameterError", "defaults", "notebook_names", "spec", "validate"]
