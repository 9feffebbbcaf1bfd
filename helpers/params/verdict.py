"""One verdict for one set of values, whatever surface they come from.

:func:`read` takes ``(name, text)`` pairs, as the command line (``-p``), a params file, a
Voilà query string and a saved page's hash all give them, and returns the effective values
and the problems, in one fixed order: unknown and repeated names, then each parameter in
declaration order (its text, then its own rules), then the rules across parameters. A
refused value falls back to the base value; a rule across parameters that still fails
falls back for every value it reads. The command line refuses any problem; the page and
Voilà ignore what was refused and say so. ``static/params.js`` is the page's reading of
the same declaration (``Spec.to_json``), and a property test holds the two to one verdict.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpers.params.declare import INT_TEXT, MAX_LISTED, NUMBER_TEXT, Param, Spec, js_string, more_message, quoted
from helpers.params.expr import evaluate
from helpers.params.notebooks import NOTEBOOKS, declared
from helpers.params.rules import ParameterError, shown

_NUMBER = re.compile(NUMBER_TEXT.rstrip("$") + r"\Z")  # \Z: '5\n' is not a number ($ would allow it)
_INT = re.compile(INT_TEXT.rstrip("$") + r"\Z")


@dataclass
class Verdict:
    """The values used (refused ones back at their base value), the problems, and what was refused."""

    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_refused(self) -> dict[str, Any]:
        if self.problems:
            raise ParameterError("\n".join(bounded(self.problems)))
        return self.values


def bounded(problems: Sequence[str], limit: int = MAX_LISTED) -> list[str]:
    """At most ``limit`` problems, then one line counting the rest."""
    return list(problems[:limit]) + ([more_message(len(problems) - limit)] if len(problems) > limit else [])


# --- one value -----------------------------------------------------------------------------------


def parse_text(param: Param, raw: str) -> tuple[bool, Any, str]:
    """(ok, value, message) for text as typed in a link, a query, a params file or ``-p``."""
    if param.type == "choice":
        if raw in param.choices:
            return True, raw, ""
        return False, None, param.parse_message().replace("{raw}", quoted(raw))
    if param.type == "bool":
        if raw.lower() in ("true", "false"):
            return True, raw.lower() == "true", ""
        return False, None, param.parse_message().replace("{raw}", quoted(raw))
    if param.type in ("int", "number"):
        grammar = _INT if param.type == "int" else _NUMBER
        if not grammar.match(raw):
            return False, None, param.parse_message().replace("{raw}", quoted(raw))
        value = float(raw)
        return True, (int(value) if param.type == "int" and math.isfinite(value) else value), ""
    return parse_list(param, raw.split(","))


def parse_list(param: Param, items: Iterable[str]) -> tuple[bool, Any, str]:
    """A list parameter's items, matched without case to its choices: canonical order, no repeats."""
    wanted = [item.strip() for item in items if item.strip()]
    if not wanted:
        return False, None, param.empty_message()
    lower = {c.lower(): c for c in param.choices}
    reasons = {k.lower(): v for k, v in param.refused_reasons}
    for item in wanted:
        if item.lower() not in lower:
            why = reasons.get(item.lower())
            why_text = param.refused_message().replace("{raw}", quoted(item)).replace("{why}", why) if why else ""
            return False, None, param.parse_message().replace("{raw}", quoted(item)).replace("{why}", why_text)
    chosen = {lower[item.lower()] for item in wanted}
    return True, ",".join(c for c in param.choices if c in chosen), ""


def coerce_typed(param: Param, value: Any) -> tuple[bool, Any, str]:
    """(ok, value, message) for a Python value (a notebook's parameters cell, a call from code)."""
    if isinstance(value, str) and param.type in ("choice", "list"):
        return parse_text(param, value)
    if param.type == "list" and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return parse_list(param, value)
    if param.type == "bool" and isinstance(value, bool):
        return True, value, ""
    if param.type in ("int", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            return False, None, f"{param.where} must be a finite number, got {quoted(js_string(value))}"
        if param.type == "int":
            if float(value).is_integer():
                return True, int(value), ""
            return False, None, f"{param.where} must be a whole number, got {quoted(js_string(value))}"
        return True, float(value), ""
    # shown(), not repr(): a nested value (a YAML alias bomb) has a repr of gigabytes
    got = f"{type(value).__name__} {quoted(value if isinstance(value, str) else shown(value))}"
    return False, None, f"{param.where} must be {param.accepts()}, got {got}"


# --- a set of values -----------------------------------------------------------------------------


def _passes(ok: str, values: Mapping[str, Any]) -> bool:
    return bool(evaluate(ok, values)) is True


def _check_rules(spec: Spec, values: dict, given: set, refused: list, base: Mapping, problems: list) -> None:
    for param in spec.params:
        if param.name in given and param.name not in refused:
            for rule in param.rules():
                if not _passes(rule.ok, values):
                    problems.append(evaluate(rule.message, values))
                    _revert(rule.blame, values, given, refused, base)
                    break
    for rule in spec.rules:
        if not _passes(rule.ok, values):
            problems.append(evaluate(rule.message, values))
            _revert(rule.blame, values, given, refused, base)
            if not _passes(rule.ok, values):
                _revert(rule.names, values, given, refused, base)
    # A fallback can break a rule checked before it: fall back further, with no new message.
    failing = [r for r in spec.rules if not _passes(r.ok, values)]
    while failing:
        for rule in failing:
            _revert(rule.names, values, given, refused, base)
        failing = [r for r in spec.rules if not _passes(r.ok, values)]
        if failing and all(n not in given or n in refused for r in failing for n in r.names):
            break


def _revert(names: Iterable[str], values: dict, given: set, refused: list, base: Mapping) -> None:
    for name in names:
        if name in given and name not in refused:
            refused.append(name)
        values[name] = base[name]


def read(
    notebook: str, pairs: Iterable[tuple[str, Any]], base: Mapping[str, Any] | None = None, typed: bool = False
) -> Verdict:
    """The verdict on ``pairs`` over ``base`` (default: the defaults). ``typed``: Python values, not text."""
    spec = declared(notebook)
    base = dict(spec.defaults() if base is None else base)
    renamed = dict(spec.renamed)
    pairs = [(renamed.get(str(name), str(name)), value) for name, value in pairs]
    counts = Counter(name for name, _ in pairs)
    known = set(spec.names)
    problems: list[str] = []
    given: dict[str, Any] = {}
    reported: list[str] = []  # in order of first appearance
    for name, value in pairs:
        if name not in known:
            if name not in reported:
                problems.append(spec.unknown_message("").replace("{raw}", quoted(name)))
                reported.append(name)
        elif counts[name] > 1:
            if name not in reported:
                problems.append(spec.repeated_message().replace("{raw}", quoted(name)))
                reported.append(name)
        else:
            given[name] = value
    values = dict(base)
    refused: list[str] = [n for n in reported if n in known]
    for param in spec.params:
        if param.name in given:
            ok, value, message = (coerce_typed if typed else parse_text)(param, given[param.name])
            if ok:
                values[param.name] = value
            else:
                problems.append(message)
                refused.append(param.name)
    _check_rules(spec, values, set(given), refused, base, problems)
    return Verdict(values, problems, refused)


def validate(notebook: str, values: Mapping[str, Any] | None = None, check_order: bool = True) -> dict[str, Any]:
    """Defaults overlaid with ``values`` (Python values), every rule checked; ParameterError lists every problem.

    ``check_order`` is kept for callers of the old signature; every rule now applies everywhere.
    """
    del check_order
    return read(notebook, (values or {}).items(), typed=True).raise_if_refused()


def spec(notebook: str) -> Spec:
    """The notebook's declaration (iterable over its parameters)."""
    return declared(notebook)


def defaults(notebook: str) -> dict[str, Any]:
    return declared(notebook).defaults()


def notebook_names() -> list[str]:
    return list(NOTEBOOKS)
