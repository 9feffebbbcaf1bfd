"""Notebook parameters: one spec per notebook, used three ways.

- the notebook's ``parameters`` cell holds the defaults (a test checks they match);
- the explorer builds its controls from it (dropdown choices, slider bounds);
- the report command validates parameters against it *before* anything runs,
  because papermill by itself only warns about unknown names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from helpers.data.dictionary import family_names, field_spec
from helpers.data.provenance import column_values
from helpers.models.pk import SIMULATED_ROUTES
from helpers.params.rules import NOTEBOOK_RULES, ParameterError, shown

__all__ = ["ALL", "NOTEBOOKS", "Param", "ParameterError", "defaults", "notebook_names", "spec", "validate"]

ALL = "all"


@dataclass(frozen=True)
class Param:
    """One notebook parameter: its default, its type and what values it accepts."""

    name: str
    default: Any
    help: str
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def kind(self) -> type:
        return type(self.default)

    def check(self, value: Any, notebook: str) -> Any:
        """The value if valid; otherwise a ParameterError that names the parameter and the rule."""
        where = f"notebook {notebook}: parameter {self.name!r}"
        kind = self.kind
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ParameterError(
                f"{where} must be {kind.__name__}, got {type(value).__name__} {shown(value)} ({self.help})"
            )
        if kind is float and not math.isfinite(value):  # NaN passes every < and > test
            raise ParameterError(f"{where} must be a finite number, got {shown(value)} ({self.help})")
        if self.choices is not None and value not in self.choices:
            options = ", ".join(repr(c) for c in self.choices)
            raise ParameterError(f"{where} cannot be {shown(value)}; choose one of: {options}")
        if self.minimum is not None and value < self.minimum:
            raise ParameterError(f"{where} must be at least {self.minimum:g}, got {shown(value)} ({self.help})")
        if self.maximum is not None and value > self.maximum:
            raise ParameterError(f"{where} must be at most {self.maximum:g}, got {shown(value)} ({self.help})")
        return value


def _enum(field: str, with_all: bool = True) -> tuple:
    values = tuple(field_spec(field)["enum"])
    return ((ALL,) + values) if with_all else values


# Choices that follow the data files, so a new source or region needs no edit here.
SOURCE_IDS = (ALL, *column_values("sources", "source_id"))
REGIONS = (ALL, *column_values("prevalence", "region"))

NOTEBOOKS: dict[str, tuple[Param, ...]] = {
    "00_start_here": (),
    "01_response_rates": (
        Param("condition", ALL, "condition treated", _enum("condition")),
        Param("arm", ALL, "ketamine, esketamine or the usual-care comparator", _enum("arm")),
        Param("evidence_kind", ALL, "what the figure rests on", _enum("evidence_kind")),
        Param("source_id", ALL, "one source document", SOURCE_IDS),
        Param("color_by", "arm", "what colours the marks", ("arm", "evidence_kind", "source_id", "condition")),
    ),
    "02_relapse_timeline": (
        Param("context", ALL, "group of time landmarks", _enum("context")),
        Param("log_scale", True, "log time axis (minutes to months on one axis)"),
        Param("source_id", ALL, "one source document", SOURCE_IDS),
    ),
    "03_prevalence": (
        Param("denominator", "students", "what a share is a share of (one per chart)", _enum("denominator", False)),
        Param("region", ALL, "region of the survey", REGIONS),
        Param("log_scale", False, "log value axis"),
    ),
    "04_bioavailability": (
        Param("unit", "ng/mL", "concentration unit", ("ng/mL", "uM", "mg/L", "nM")),
        Param("log_scale", True, "log concentration axis"),
        Param("matrix", ALL, "where the concentration is measured", (ALL, "plasma", "blood or plasma", "CSF")),
    ),
    "05_safety": (
        Param("dose_context", ALL, "dose setting", _enum("dose_context")),
        Param("color_by", "dose_context", "what colours the marks", ("dose_context", "evidence_kind", "source_id")),
    ),
    "06_history": (
        Param("topic", ALL, "strand of the story", _enum("topic")),
        Param("year_from", 1950, "first year shown", minimum=-2000, maximum=2030),
        Param("year_to", 2025, "last year shown", minimum=-2000, maximum=2030),
        Param("color_by", "topic", "what colours the marks", ("topic", "event_kind", "source_id")),
    ),
    "07_claims_check": (
        Param("family", ALL, "one family of figures", (ALL, *family_names())),
        Param("source_id", ALL, "one source document (figures, and contradictions on either side)", SOURCE_IDS),
        Param("kind", ALL, "kind of contradiction", _enum("kind")),
        Param(
            "strength",
            "direct",
            "how hard a contradiction clashes: direct (both cannot be true), depends on reading, or not a "
            "contradiction (kept for teaching); all lists every pair",
            _enum("strength"),
        ),
        Param("normalize", True, "bars as shares (True) or as counts of figures (False)"),
    ),
    # Educational only: doses and routes here drive a teaching model, not a prescription.
    "08_pk_simulator": (
        Param(
            "routes", "IV,intranasal,oral", f"comma-separated routes to simulate, any of: {', '.join(SIMULATED_ROUTES)}"
        ),
        Param(
            "dose", 0.5, "dose per administration, > 0, in dose_unit (at most 20 mg/kg)", minimum=0.0, maximum=1000.0
        ),
        Param("dose_unit", "mg/kg", "unit of dose: mg per kg of body weight, or total mg", ("mg/kg", "mg")),
        Param("weight_kg", 70.0, "body weight in kg (the volumes scale with it)", minimum=20.0, maximum=150.0),
        Param("infusion_min", 40.0, "IV infusion time in minutes; 0 = bolus; IV only", minimum=0.0, maximum=240.0),
        Param("hours", 12.0, "hours simulated after the dose starts", minimum=1.0, maximum=48.0),
        Param("threshold_ng_ml", 100.0, "concentration for the hours-above read-out", minimum=1.0, maximum=3000.0),
        Param("model", "one", "one-compartment, or Clements two-compartment (IV only)", ("one", "two")),
    ),
}


def notebook_names() -> list[str]:
    """Every notebook with a parameter spec, in order."""
    return list(NOTEBOOKS)


def spec(notebook: str) -> tuple[Param, ...]:
    """The parameters a notebook accepts."""
    try:
        return NOTEBOOKS[notebook]
    except KeyError:
        raise ParameterError(f"unknown notebook {notebook!r}; choose one of: {', '.join(NOTEBOOKS)}") from None


def defaults(notebook: str) -> dict[str, Any]:
    """The notebook's default parameters."""
    return {p.name: p.default for p in spec(notebook)}


def validate(notebook: str, values: dict[str, Any] | None = None, check_order: bool = True) -> dict[str, Any]:
    """Defaults overlaid with ``values``, every one checked. Unknown names are errors, not warnings.

    Every problem is reported at once (one line each): unknown names, each parameter's
    own rule, then the rules across parameters (``helpers.params.rules``: notebook 08's routes
    and dose limit, year_from <= year_to). ``check_order=False`` skips the year order,
    for live sliders that may cross.
    """
    params = {p.name: p for p in spec(notebook)}
    values = dict(values or {})
    problems: list[str] = []
    unknown = sorted(set(values) - set(params), key=str)
    if unknown:
        valid = ", ".join(params) or "(none: this notebook takes no parameters)"
        names = ", ".join(shown(name) for name in unknown[:10])
        names += f" and {len(unknown) - 10} more" if unknown[10:] else ""
        problems.append(f"notebook {notebook}: unknown parameter(s) {names}; valid: {valid}")
    checked: dict[str, Any] = {}
    for name, param in params.items():
        try:
            checked[name] = param.check(values.get(name, param.default), notebook)
        except ParameterError as error:
            problems.append(str(error))
    if check_order and "year_from" in checked and "year_to" in checked and checked["year_from"] > checked["year_to"]:
        problems.append(
            f"notebook {notebook}: parameter 'year_from' ({checked['year_from']}) "
            f"is after 'year_to' ({checked['year_to']})"
        )
    rule = NOTEBOOK_RULES.get(notebook)
    if rule is not None:
        problems.extend(rule(checked))
    if problems:
        raise ParameterError("\n".join(problems))
    return checked
