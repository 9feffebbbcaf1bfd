"""Every notebook's parameters, each declared once (see ``helpers.params.declare``).

Choices that follow the data (source ids, regions, dictionary enumerations) are read when a
spec is first asked for, never at import. Educational only: 08's doses and routes drive a
teaching model; they are not dosing advice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cache

from helpers.data.dictionary import family_names, field_spec
from helpers.data.provenance import column_values
from helpers.data.routes import NOT_SIMULATED, SIMULATED_ROUTES
from helpers.data.units import DISPLAY
from helpers.params.declare import ALL, Param, Rule, Spec, js_string, template
from helpers.params.filters import Filter
from helpers.params.rules import ParameterError

MAX_MG_PER_KG = 20.0  # above any documented ketamine dose (anesthetic IM induction is up to ~10 mg/kg)
WEIGHT_KG = (20.0, 150.0)


def _enum(field_name: str, with_all: bool = True) -> tuple:
    values = tuple(field_spec(field_name)["enum"])
    return ((ALL,) + values) if with_all else values


def _equal(column: str, target: str = "rows") -> tuple[Filter, ...]:
    return (Filter("equal", (column,), target),)


def _sources() -> tuple:
    return (ALL, *column_values("sources", "source_id"))


def _response_rates() -> tuple:
    return (
        Param(
            "condition",
            "choice",
            ALL,
            "condition",
            "condition treated",
            _enum("condition"),
            filters=_equal("condition"),
        ),
        Param(
            "arm",
            "choice",
            ALL,
            "arm",
            "ketamine, esketamine or the usual-care comparator",
            _enum("arm"),
            filters=_equal("arm"),
        ),
        Param(
            "evidence_kind",
            "choice",
            ALL,
            "evidence kind",
            "what the figure rests on",
            _enum("evidence_kind"),
            filters=_equal("evidence_kind"),
        ),
        Param("source_id", "choice", ALL, "source", "one source document", _sources(), filters=_equal("source_id")),
        Param(
            "color_by",
            "choice",
            "arm",
            "colour by",
            "what colours the marks",
            ("arm", "evidence_kind", "source_id", "condition"),
            choice_labels=(("evidence_kind", "evidence kind"), ("source_id", "source")),
        ),
    )


def _relapse_timeline() -> tuple:
    return (
        Param(
            "context", "choice", ALL, "context", "group of time landmarks", _enum("context"), filters=_equal("context")
        ),
        Param("log_scale", "bool", True, "log scale", "log time axis (minutes to months on one axis)"),
        Param("source_id", "choice", ALL, "source", "one source document", _sources(), filters=_equal("source_id")),
    )


def _prevalence() -> tuple:
    return (
        Param(
            "denominator",
            "choice",
            "students",
            "denominator",
            "what a share is a share of (one per chart)",
            _enum("denominator", False),
            filters=_equal("denominator"),
        ),
        Param(
            "region",
            "choice",
            ALL,
            "region",
            "region of the survey",
            (ALL, *column_values("prevalence", "region")),
            filters=_equal("region"),
        ),
        Param("log_scale", "bool", False, "log scale", "log value axis"),
    )


def _bioavailability() -> tuple:
    return (
        Param(
            "unit",
            "choice",
            "ng/mL",
            "unit",
            "concentration unit",
            ("ng/mL", "uM", "mg/L", "nM"),
            choice_labels=tuple(DISPLAY.items()),
        ),
        Param("log_scale", "bool", True, "log scale", "log concentration axis"),
        Param(
            "matrix",
            "choice",
            ALL,
            "measured in",
            "where the concentration is measured",
            (ALL, "plasma", "blood or plasma", "CSF"),
            filters=_equal("matrix"),
        ),
    )


def _safety() -> tuple:
    return (
        Param(
            "dose_context",
            "choice",
            ALL,
            "dose context",
            "dose setting",
            _enum("dose_context"),
            filters=_equal("dose_context"),
        ),
        Param(
            "color_by",
            "choice",
            "dose_context",
            "colour by",
            "what colours the marks",
            ("dose_context", "evidence_kind", "source_id"),
            choice_labels=(
                ("dose_context", "dose context"),
                ("evidence_kind", "evidence kind"),
                ("source_id", "source"),
            ),
        ),
    )


def _history() -> tuple:
    # An event from 1960 to 1969 is in a window from 1965: it ends after the window starts.
    # An undated event is kept by any window: it cannot be drawn, but the table lists it (17 of 78
    # events had nowhere to be seen, and the finder's links to them opened on nothing).
    return (
        Param("topic", "choice", ALL, "topic", "strand of the story", _enum("topic"), filters=_equal("topic")),
        Param(
            "year_from",
            "int",
            1950,
            "from year",
            "first year shown",
            minimum=-2000,
            maximum=2030,
            step=1,
            control="box",
            filters=(Filter("at_least", ("year_last",), keep_missing=True),),
        ),
        Param(
            "year_to",
            "int",
            2025,
            "to year",
            "last year shown",
            minimum=-2000,
            maximum=2030,
            step=1,
            control="box",
            filters=(Filter("at_most", ("year_start",), keep_missing=True),),
        ),
        Param(
            "color_by",
            "choice",
            "topic",
            "colour by",
            "what colours the marks",
            ("topic", "event_kind", "source_id"),
            choice_labels=(("event_kind", "event kind"), ("source_id", "source")),
        ),
    )


HISTORY_RULES = (
    Rule(
        "year_from <= year_to",
        template("notebook 06_history: parameter 'year_from' ({year_from}) is after 'year_to' ({year_to})"),
        ("year_from",),
    ),
)

CONTRADICTIONS = "contradictions"  # 07's table beside the chart


def _claims() -> tuple:
    return (
        Param(
            "family", "choice", ALL, "family", "one family of figures", (ALL, *family_names()), filters=_equal("family")
        ),
        Param(
            "source_id",
            "choice",
            ALL,
            "source",
            "one source document (figures, and contradictions on either side)",
            _sources(),
            filters=(Filter("equal", ("source_id",)), Filter("any_equal", ("source_a", "source_b"), CONTRADICTIONS)),
        ),
        Param(
            "kind",
            "choice",
            ALL,
            "contradiction kind",
            "kind of contradiction",
            _enum("kind"),
            filters=_equal("kind", CONTRADICTIONS),
        ),
        Param(
            "strength",
            "choice",
            "direct",
            "contradiction strength",
            "how hard a contradiction clashes: direct (both cannot be true), depends on reading, or not a "
            "contradiction (kept for teaching); all lists every pair",
            _enum("strength"),
            filters=_equal("strength", CONTRADICTIONS),
        ),
        Param(
            "normalize", "bool", True, "shares (not counts)", "bars as shares (True) or as counts of figures (False)"
        ),
    )


CURVES = "curves"  # 08's routes filter the route table, not the rows


def _pk_simulator() -> tuple:
    low, high = WEIGHT_KG
    return (
        Param(
            "routes",
            "list",
            "IV,intranasal,oral",
            "routes",
            "routes to simulate (comma-separated)",
            SIMULATED_ROUTES,
            filters=(Filter("one_of", ("route",), CURVES),),
            refused_reasons=tuple(NOT_SIMULATED.items()),
        ),
        Param(
            "dose",
            "number",
            0.5,
            "dose",
            f"dose per administration in dose_unit (at most {js_string(MAX_MG_PER_KG)} mg/kg)",
            minimum=0.01,
            maximum=MAX_MG_PER_KG * high,
            step=0.01,
            unit="(in the dose unit)",
            control="box",
        ),
        Param(
            "dose_unit",
            "choice",
            "mg/kg",
            "dose unit",
            "unit of dose: mg per kg of body weight, or total mg",
            ("mg/kg", "mg"),
        ),
        Param(
            "weight_kg",
            "number",
            70.0,
            "weight (kg)",
            "body weight in kg (the volumes scale with it)",
            minimum=low,
            maximum=high,
            step=0.5,
            unit="kg",
        ),
        Param(
            "infusion_min",
            "number",
            40.0,
            "IV infusion (min, 0 = bolus)",
            "IV infusion time in minutes; 0 = bolus; IV only",
            minimum=0.0,
            maximum=240.0,
            step=1.0,
            unit="min",
        ),
        Param(
            "hours",
            "number",
            12.0,
            "hours",
            "hours simulated after the dose starts",
            minimum=1.0,
            maximum=48.0,
            step=0.5,
            unit="h",
        ),
        Param(
            "threshold_ng_ml",
            "number",
            100.0,
            "threshold (ng/mL)",
            "concentration for the hours-above read-out",
            minimum=10.0,
            maximum=3000.0,
            step=10.0,
            unit="ng/mL",
        ),
        Param(
            "model",
            "choice",
            "one",
            "model (two: Clements, IV only)",
            "one-compartment, or Clements two-compartment (IV only)",
            ("one", "two"),
        ),
    )


_LIMIT = js_string(MAX_MG_PER_KG)
PK_RULES = (
    Rule(
        f"dose_unit != 'mg/kg' || dose <= {_LIMIT}",
        template(
            f"notebook 08_pk_simulator: parameter 'dose' must be at most {_LIMIT} mg/kg, got {{dose}}; "
            "for a total dose in mg set dose_unit to mg"
        ),
        ("dose",),
    ),
    Rule(
        f"dose_unit != 'mg' || dose / weight_kg <= {_LIMIT}",
        template(
            "notebook 08_pk_simulator: parameter 'dose' is {dose} mg for weight_kg {weight_kg}, that is "
            f"{{round(dose / weight_kg * 1000) / 1000}} mg/kg; at most {_LIMIT} mg/kg is allowed "
            f"(at most {{{_LIMIT} * weight_kg}} mg at {{weight_kg}} kg)"
        ),
        ("dose",),
    ),
)

_BUILDERS = {
    "00_start_here": (lambda: (), ()),
    "01_response_rates": (_response_rates, ()),
    "02_relapse_timeline": (_relapse_timeline, ()),
    "03_prevalence": (_prevalence, ()),
    "04_bioavailability": (_bioavailability, ()),
    "05_safety": (_safety, ()),
    "06_history": (_history, HISTORY_RULES),
    "07_claims_check": (_claims, ()),
    "08_pk_simulator": (_pk_simulator, PK_RULES),
}
# Old parameter names that links and parameter files may still use: {notebook: {old: new}}.
RENAMED: dict[str, dict[str, str]] = {}


@cache
def declared(notebook: str) -> Spec:
    """The notebook's Spec, built on first use (choices read from the data)."""
    try:
        build, rules = _BUILDERS[notebook]
    except KeyError:
        raise ParameterError(f"unknown notebook {notebook!r}; choose one of: {', '.join(_BUILDERS)}") from None
    params = tuple(_owned(p, notebook) for p in build())
    return Spec(notebook, params, rules, tuple(RENAMED.get(notebook, {}).items()))


def _owned(param: Param, notebook: str) -> Param:
    return replace(param, notebook=notebook)


class _Specs(Mapping):
    """``NOTEBOOKS[name]``: the notebook's Spec, built on first use (no file is read at import)."""

    def __getitem__(self, name: str) -> Spec:
        if name not in _BUILDERS:
            raise KeyError(name)
        return declared(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_BUILDERS)

    def __len__(self) -> int:
        return len(_BUILDERS)


NOTEBOOKS: Mapping[str, Spec] = _Specs()
