"""A notebook parameter, declared once: its type, choices or range, step, unit, label, help, default,
the filters it drives, and the rules across parameters.

Everything else derives from a :class:`Spec`: the command-line and params-file checks, the
widget chosen for each control, the saved page's bindings, the parsing of link and query
values, and the notes for ignored values (``helpers.params.verdict``). The rules are Vega
expressions (``helpers.params.expr``), so the page evaluates the very same text with no kernel.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from helpers.params.expr import js_string, literal, parse
from helpers.params.filters import Filter

TYPES = ("choice", "bool", "int", "number", "list")
ALL = "all"
# Decimal text only: '070' is 70, while '0x10', '1e3', '1:30' and ' 5' are refused with a message.
# ASCII digits only (Python's \d would take Arabic-Indic digits), matched against the whole text.
NUMBER_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
INT_TEXT = r"^[+-]?[0-9]+$"
SHOWN = 40  # characters of a refused value shown in a message
MAX_LISTED = 10  # problems listed in one message or one note, then "and N more"
STEP_TOLERANCE = 1e-9
# Signal names Vega-Lite declares itself (a selection adds "unit"; every view has width, height...).
RESERVED_SIGNALS = {"unit", "width", "height", "padding", "autosize", "background", "cursor", "datum", "event", "item"}


def signal_name(param: str) -> str:
    """The Vega signal of a parameter: its own name, unless Vega-Lite already uses that name (04's ``unit``)."""
    return f"{param}_value" if param in RESERVED_SIGNALS else param


def quoted(raw: Any) -> str:
    """A value as a message shows it: quoted, control characters as '?', cut at SHOWN characters."""
    text = raw if isinstance(raw, str) else js_string(raw)
    cut = "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in text[:SHOWN])
    return f"'{cut}{'…' if len(text) > SHOWN else ''}'"


def template(text: str) -> str:
    """'dose is {dose} mg' as the string expression ``'dose is ' + (dose) + ' mg'``."""
    parts = re.split(r"\{([^{}]+)\}", text)
    pieces = [literal(p) if i % 2 == 0 else f"({p})" for i, p in enumerate(parts) if p or i % 2]
    return " + ".join(pieces) or "''"


def names_in(expression: str) -> tuple[str, ...]:
    """The parameter names an expression reads, in order of first use."""
    out: list[str] = []

    def walk(node: tuple) -> None:
        if node[0] == "name" and node[1] not in out:
            out.append(node[1])
        for child in node[1:]:
            if isinstance(child, tuple):
                if child and isinstance(child[0], str):
                    walk(child)
                else:
                    for item in child:
                        walk(item)

    walk(parse(expression))
    return tuple(out)


@dataclass(frozen=True)
class Rule:
    """``ok`` must hold (a Vega expression over parameter values); else ``message`` (a string expression).

    ``blame``: the parameters a link's value is ignored for first when the rule fails (the
    others the rule reads follow if that is not enough).
    """

    ok: str
    message: str
    blame: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.blame, *names_in(self.ok))))

    def to_json(self) -> dict:
        return {"ok": self.ok, "message": self.message, "blame": list(self.blame), "names": list(self.names)}


@dataclass(frozen=True)
class Param:
    """One notebook parameter. ``type``: choice, bool, int, number or list (a comma-separated subset of
    ``choices``). ``control``: "box" for a number box, else a slider (numbers) or the type's default."""

    name: str
    type: str
    default: Any
    label: str
    help: str
    choices: tuple = ()
    choice_labels: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    control: str = ""
    filters: tuple[Filter, ...] = ()
    refused_reasons: tuple[tuple[str, str], ...] = ()  # list: names that are refused, and why
    notebook: str = field(default="", compare=False)

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"parameter {self.name!r}: type must be one of {TYPES}, got {self.type!r}")
        if self.type in ("int", "number") and (self.minimum is None or self.maximum is None or not self.step):
            raise ValueError(f"parameter {self.name!r}: a number needs minimum, maximum and step")

    # -- derived ---------------------------------------------------------------------------------
    @property
    def kind(self) -> type:
        """The Python type of its values (the notebook's parameters cell holds one)."""
        return {"choice": str, "bool": bool, "int": int, "number": float, "list": str}[self.type]

    @property
    def signal(self) -> str:
        return signal_name(self.name)

    @property
    def options(self) -> tuple | None:
        """The names a list parameter may list (08's routes); None for the other types."""
        return self.choices if self.type == "list" else None

    @property
    def where(self) -> str:
        return f"notebook {self.notebook}: parameter '{self.name}'"

    def choice_label(self, value: Any) -> str:
        return dict(self.choice_labels).get(value, str(value).replace("_", " "))

    def unit_text(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def accepts(self) -> str:
        """What the parameter accepts, in words (``--list``, messages, help)."""
        if self.type == "choice":
            return "one of: " + ", ".join(map(str, self.choices))
        if self.type == "list":
            return "a comma-separated list of: " + ", ".join(self.choices)
        if self.type == "bool":
            return "true or false"
        low, high, step = (js_string(v) for v in (self.minimum, self.maximum, self.step))
        return f"from {low} to {high}{self.unit_text()} in steps of {step}"

    def parse_message(self) -> str:
        """The message for text that is not of the parameter's type; ``{raw}`` is the quoted text."""
        if self.type == "choice":
            return f"{self.where} cannot be {{raw}}; choose one of: {', '.join(map(str, self.choices))}"
        if self.type == "bool":
            return f"{self.where} must be true or false, got {{raw}}"
        if self.type == "int":
            example = js_string(self.default)
            return f"{self.where} must be a whole number written in digits (such as {example}), got {{raw}}"
        if self.type == "number":
            return (
                f"{self.where} must be a decimal number such as {js_string(self.default)} "
                f"(digits and an optional point), got {{raw}}"
            )
        example = ",".join(self.choices[:2])
        valid = ", ".join(self.choices)
        return f"{self.where} cannot include {{raw}}{{why}}; valid: {valid} (comma-separated, e.g. '{example}')"

    def refused_message(self) -> str:
        """What a list parameter adds for a name it knows but refuses (``{raw}`` and ``{why}``)."""
        return " (route {raw} cannot be simulated: {why})"

    def empty_message(self) -> str:
        return f"{self.where} must name at least one of: {', '.join(self.choices)}"

    def rules(self) -> tuple[Rule, ...]:
        """The parameter's own rules as expressions: its range and its step (numbers only)."""
        if self.type not in ("int", "number"):
            return ()
        n, lo, hi, step = self.name, js_string(self.minimum), js_string(self.maximum), js_string(self.step)
        in_range = Rule(
            f"{n} >= {lo} && {n} <= {hi}",
            template(f"{self.where} must be from {lo} to {hi}{self.unit_text()}, got {{{n}}}"),
            (n,),
        )
        steps = f"({n} - {lo}) / {step}"
        on_grid = Rule(
            f"abs({steps} - round({steps})) < {js_string(STEP_TOLERANCE)}",
            template(f"{self.where} must be in steps of {step} from {lo}, got {{{n}}}"),
            (n,),
        )
        return (in_range, on_grid)

    def to_json(self) -> dict:
        """What the page needs: type, choices, bounds, step, labels and the messages to show."""
        out: dict[str, Any] = {
            "name": self.name,
            "signal": self.signal,
            "type": self.type,
            "default": self.default,
            "label": self.label,
            "help": self.help,
            "unit": self.unit,
            "control": self.control,
            "parse_message": self.parse_message(),
            "rules": [r.to_json() for r in self.rules()],
        }
        if self.choices:
            out["choices"] = list(self.choices)
            out["choice_labels"] = [self.choice_label(c) for c in self.choices]
        if self.type == "list":
            out["empty_message"] = self.empty_message()
            out["refused_message"] = self.refused_message()
            out["refused_reasons"] = dict(self.refused_reasons)
        if self.type in ("int", "number"):
            out.update(min=self.minimum, max=self.maximum, step=self.step)
        return out


@dataclass(frozen=True)
class Spec:
    """A notebook's parameters in order, the rules across them, and old names that links may still use."""

    notebook: str
    params: tuple[Param, ...] = ()
    rules: tuple[Rule, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, new name): old links keep working

    def __iter__(self):
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __bool__(self) -> bool:
        return bool(self.params)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def unknown_message(self, raw: str) -> str:
        valid = ", ".join(self.names) or "(none: this notebook takes no parameters)"
        return f"notebook {self.notebook}: unknown parameter {{raw}}; valid: {valid}"

    def repeated_message(self) -> str:
        return f"notebook {self.notebook}: parameter {{raw}} is given more than once; give each parameter once"

    def to_json(self) -> dict:
        return {
            "notebook": self.notebook,
            "params": [p.to_json() for p in self.params],
            "rules": [r.to_json() for r in self.rules],
            "renamed": dict(self.renamed),
            "grammar": {"number": NUMBER_TEXT, "int": INT_TEXT},
            "limits": {"shown": SHOWN, "listed": MAX_LISTED},
            "unknown_message": self.unknown_message(""),
            "repeated_message": self.repeated_message(),
            "more_message": more_message(0).replace("0", "{n}", 1),
        }


def more_message(count: int) -> str:
    return f"... and {count} more"


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
