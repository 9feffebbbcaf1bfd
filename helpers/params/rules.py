"""Parameter rules that one parameter's spec cannot express, shared by the notebooks and the report runner.

``helpers.params.declare.validate`` applies them, so ``python -m helpers.run.cli`` refuses a bad
combination *before* a kernel starts (exit status 2), and the notebook 08 explorer
(``helpers.models.simulator``) applies the very same functions to its live controls.

Every rule reports all of its problems at once, and every value shown in a message
is cut to a readable length by :func:`shown` (a parameter file can hold megabytes).

Educational only: the dose limit here bounds a teaching model; it is not dosing advice.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from typing import Any

from helpers.data.routes import NOT_SIMULATED, SIMULATED_ROUTES

PK_NOTEBOOK = "08_pk_simulator"
MAX_MG_PER_KG = 20.0  # above any documented ketamine dose (anesthetic IM induction is up to ~10 mg/kg)
SHOWN_CHARS = 80  # longest value shown in an error message

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = SHOWN_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


class ParameterError(ValueError):
    """A parameter name, type or value that a notebook does not accept."""


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` cut to about ``limit`` characters, without building the full repr first.

    A nested list of half a million items (a YAML alias bomb) is shown as ``[[[...], ...], ...]``
    in microseconds, never as a 500 MB message.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 20]!r}... ({len(value):,} chars)"
    text = _repr.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} chars)"


def parse_routes(routes: Any) -> tuple[str, ...]:
    """Canonical route names from 'IV, oral' (or a list/tuple), in order, without repeats.

    Raises ParameterError naming 'routes', every unknown route and the valid routes.
    """
    valid = ", ".join(SIMULATED_ROUTES)
    where = f"notebook {PK_NOTEBOOK}: parameter 'routes'"
    if not isinstance(routes, (str, list, tuple)):
        raise ParameterError(f"{where} must be text such as 'IV,oral', got {shown(routes)}; valid routes: {valid}")
    names = routes.split(",") if isinstance(routes, str) else list(routes)
    wanted = [str(n).strip() for n in names if str(n).strip()]
    if not wanted:
        raise ParameterError(f"{where} must name at least one route; valid routes: {valid} (e.g. 'IV,oral')")
    out: list[str] = []
    problems: list[str] = []
    for name in wanted:
        match = next((r for r in SIMULATED_ROUTES if r.lower() == name.lower()), None)
        if match is None:
            reason = next((why for known, why in NOT_SIMULATED.items() if known.lower() == name.lower()), None)
            why = f" (route {name!r} cannot be simulated: {reason})" if reason else ""
            problems.append(
                f"{where} cannot include {shown(name)}{why}; valid routes: {valid} (comma-separated, e.g. 'IV,oral')"
            )
        elif match not in out:
            out.append(match)
    if problems:
        raise ParameterError("\n".join(problems))
    return tuple(out)


def pk_problems(values: dict[str, Any]) -> list[str]:
    """Every problem of notebook 08's parameters that a single Param cannot see.

    ``values`` holds the parameters that passed their own checks; a rule whose inputs
    are missing (already reported) is skipped. The dose limit applies to a total dose
    in mg too, divided by the body weight: 1000 mg at 20 kg is 50 mg/kg.
    """
    problems: list[str] = []
    if "routes" in values:
        try:
            parse_routes(values["routes"])
        except ParameterError as error:
            problems.extend(str(error).splitlines())
    dose, unit, weight = values.get("dose"), values.get("dose_unit"), values.get("weight_kg")
    where = f"notebook {PK_NOTEBOOK}: parameter 'dose'"
    if isinstance(dose, (int, float)) and not isinstance(dose, bool) and math.isfinite(dose):
        if not dose > 0:
            problems.append(f"{where} must be greater than 0, got {shown(dose)}")
        elif unit == "mg/kg" and dose > MAX_MG_PER_KG:
            problems.append(
                f"{where} must be at most {MAX_MG_PER_KG:g} mg/kg, got {shown(dose)}; "
                "for a total dose in mg set dose_unit='mg'"
            )
        elif unit == "mg" and isinstance(weight, (int, float)) and weight > 0 and dose / weight > MAX_MG_PER_KG:
            problems.append(
                f"{where} is {dose:g} mg for weight_kg {weight:g}, that is {dose / weight:.3g} mg/kg; "
                f"at most {MAX_MG_PER_KG:g} mg/kg is allowed (at most {MAX_MG_PER_KG * weight:g} mg at {weight:g} kg)"
            )
    return problems


def check(values: dict[str, Any]) -> dict[str, Any]:
    """Values already checked against notebook 08's spec, plus the rules a Param cannot express.

    routes becomes its canonical comma-separated form; dose must be > 0 and at most
    MAX_MG_PER_KG, per kg or as a total dose divided by the weight. Every problem is
    reported at once in one ParameterError.
    """
    problems = pk_problems(values)
    if problems:
        raise ParameterError("\n".join(problems))
    out = dict(values)
    out["routes"] = ",".join(parse_routes(out["routes"]))
    return out


# notebook name -> a function returning every cross-parameter problem of its checked values
NOTEBOOK_RULES: dict[str, Callable[[dict[str, Any]], list[str]]] = {PK_NOTEBOOK: pk_problems}
