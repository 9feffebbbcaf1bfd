"""A small subset of Vega's expression language, evaluated in Python with JavaScript's semantics.

Parameter rules are written once, as Vega expressions. The saved page evaluates them with
Vega's own parser and code generator (``vega.parseExpression`` / ``vega.codegenExpression``,
already in the page), and Python evaluates the same text here, so both sides agree by
construction rather than through a second, hand-kept copy. Numbers, strings, ``true`` /
``false`` / ``null``, parameter names, ``! - +`` (unary), ``* / % + -``, comparisons,
``&& ||``, ``?:``, and a few of Vega's default functions. JavaScript semantics where they
differ from Python's: ``+`` joins a string with a number's JavaScript spelling, ``round``
rounds halves up, ``%`` keeps the dividend's sign, and division by zero gives Infinity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

__all__ = ["ExprError", "FUNCTIONS", "evaluate", "js_string", "literal", "parse"]


class ExprError(ValueError):
    """An expression outside the subset, or a name it does not know."""


def js_string(value: Any) -> str:
    """``String(value)`` in JavaScript: 0.5 -> '0.5', 70.0 -> '70', 1e21 -> '1e+21', True -> 'true'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript's Number::toString does.
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + ("" if frac == "0" else frac)
    point = len(whole) + int(exponent or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    tail = ("." + digits[1:]) if k > 1 else ""
    return f"{sign}{digits[0]}{tail}e{'+' if e >= 0 else '-'}{abs(e)}"


def literal(value: Any) -> str:
    """A Python value as an expression literal (strings single-quoted and escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if value is None:
        return "null"
    return js_string(value)


def _number(value: Any) -> float:
    """JavaScript's ToNumber for the values rules meet."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        return float(text) if re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text) else math.nan
    except ValueError:
        return math.nan


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _remainder(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _js_round(x: float) -> float:
    return math.floor(x + 0.5) if math.isfinite(x) else x


def _equal(a: Any, b: Any) -> bool:
    """JavaScript's ``==`` for numbers, strings, booleans and null."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return _number(a) == _number(b)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        x, y = a, b
    else:
        x, y = _number(a), _number(b)
        if math.isnan(x) or math.isnan(y):
            return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _plus(a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        return js_string(a) + js_string(b)
    return _number(a) + _number(b)


# Vega's default expression functions that rules may call (the same names in the page).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": lambda x: abs(_number(x)),
    "round": lambda x: _js_round(_number(x)),
    "floor": lambda x: float(math.floor(_number(x))) if math.isfinite(_number(x)) else _number(x),
    "ceil": lambda x: float(math.ceil(_number(x))) if math.isfinite(_number(x)) else _number(x),
    "min": lambda *xs: min((_number(x) for x in xs), default=math.inf),
    "max": lambda *xs: max((_number(x) for x in xs), default=-math.inf),
    "isFinite": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x),
    "lower": lambda s: js_string(s).lower(),
    "upper": lambda s: js_string(s).upper(),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<name>[A-Za-z_$][\w$]*)|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[-+*/%!<>?:(),]))"
)
_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "===": 3, "!==": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}
_BINARY.update({"+": 5, "-": 5, "*": 6, "/": 6, "%": 6})


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot read the expression at {text[pos : pos + 20]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Precedence climbing over the token list; returns a tree of tuples."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (want is not None and token[1] != want):
            raise ExprError(f"expected {want or 'more'} at token {self.i}")
        self.i += 1
        return token

    def expression(self) -> tuple:
        test = self.binary(1)
        if self.peek() == ("op", "?"):
            self.take("?")
            yes = self.expression()
            self.take(":")
            return ("?", test, yes, self.expression())
        return test

    def binary(self, level: int) -> tuple:
        left = self.unary()
        while True:
            token = self.peek()
            if not token or token[0] != "op" or _BINARY.get(token[1], 0) < level:
                return left
            op = self.take()[1]
            left = (op, left, self.binary(_BINARY[op] + 1))

    def unary(self) -> tuple:
        token = self.peek()
        if token and token[0] == "op" and token[1] in "!-+" and len(token[1]) == 1:
            self.take()
            return ("u" + token[1], self.unary())
        return self.primary()

    def primary(self) -> tuple:
        kind, text = self.take()
        if kind == "num":
            return ("lit", float(text))
        if kind == "str":
            return ("lit", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "op" and text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "name":
            if text in ("true", "false", "null"):
                return ("lit", {"true": True, "false": False, "null": None}[text])
            if self.peek() == ("op", "("):
                if text not in FUNCTIONS:
                    raise ExprError(f"function {text!r} is not in the rule subset; use one of {sorted(FUNCTIONS)}")
                self.take("(")
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.expression())
                    if self.peek() == ("op", ","):
                        self.take(",")
                self.take(")")
                return ("call", text, tuple(args))
            return ("name", text)
        raise ExprError(f"unexpected {text!r}")


@cache
def parse(text: str) -> tuple:
    """The expression's tree (cached: rules are few and evaluated often)."""
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExprError(f"unexpected {parser.peek()[1]!r} after the expression")
    return tree


def _eval(node: tuple, scope: Mapping[str, Any]) -> Any:
    op = node[0]
    if op == "lit":
        return node[1]
    if op == "name":
        if node[1] not in scope:
            raise ExprError(f"unknown name {node[1]!r}")
        return scope[node[1]]
    if op == "call":
        return FUNCTIONS[node[1]](*(_eval(a, scope) for a in node[2]))
    if op == "?":
        return _eval(node[2] if _truthy(_eval(node[1], scope)) else node[3], scope)
    if op == "u!":
        return not _truthy(_eval(node[1], scope))
    if op == "u-":
        return -_number(_eval(node[1], scope))
    if op == "u+":
        return _number(_eval(node[1], scope))
    if op == "&&":
        left = _eval(node[1], scope)
        return _eval(node[2], scope) if _truthy(left) else left
    if op == "||":
        left = _eval(node[1], scope)
        return left if _truthy(left) else _eval(node[2], scope)
    a, b = _eval(node[1], scope), _eval(node[2], scope)
    if op in ("==", "==="):
        return _equal(a, b) if op == "==" else (type(a) is type(b) or _both_numbers(a, b)) and _equal(a, b)
    if op in ("!=", "!=="):
        return not _equal(a, b)
    if op in ("<", "<=", ">", ">="):
        return _compare(op, a, b)
    if op == "+":
        return _plus(a, b)
    x, y = _number(a), _number(b)
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return _divide(x, y)
    return _remainder(x, y)


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))


def evaluate(text: str, scope: Mapping[str, Any]) -> Any:
    """The value of expression ``text`` with ``scope`` naming the parameters."""
    return _eval(parse(text), scope)
