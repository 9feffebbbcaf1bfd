"""How a number is written in the tables: plain ASCII decimal, nothing else.

Frictionless (the dictionary's type rules) and Python's ``float``/``int`` accept far more than
pandas does when ``load()`` types the frame: a no-break or thin space, full-width or Arabic-Indic
digits, ``1_0``, a leading ``+``, an exponent, and spaces around the digits (``" 5"`` became 5.0).
Some of those passed validation and then crashed ``load()`` with a bare ValueError; the others
were stripped or converted silently. So after the dictionary's rules a number cell must match one
grammar, checked here, and the same cell that passes validation is the cell that ``load()`` parses.
"""

from __future__ import annotations

import math
import re
import unicodedata

# A "number" column: digits, an optional leading minus, an optional decimal point with digits on
# both sides. An "integer" column: digits with an optional leading minus. ASCII only ([0-9] is).
GRAMMAR = {"number": re.compile(r"-?[0-9]+(\.[0-9]+)?"), "integer": re.compile(r"-?[0-9]+")}
SPELLED = {
    "number": "ASCII digits 0-9, an optional leading '-' and an optional '.' with digits on both sides (e.g. 12.5, -3)",
    "integer": "ASCII digits 0-9 and an optional leading '-' (e.g. 2019, -44)",
}
# pandas' Int64, which load() gives integer columns, holds no more than this.
INT64_MAX = 2**63 - 1


def _named(char: str) -> str:
    """'U+00A0 NO-BREAK SPACE': a character the reader may not see, by code point and name."""
    return f"U+{ord(char):04X} {unicodedata.name(char, _CONTROL.get(char, 'a control character'))}"


_CONTROL = {"\t": "CHARACTER TABULATION", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}  # unicodedata has no names


def _reason(cell: str, kind: str) -> str:
    """Why ``cell`` is not in the grammar, naming the first character that breaks it."""
    if cell != cell.strip():
        edge = cell[0] if cell[0].isspace() else cell[-1]
        return f"{'leading' if cell[0].isspace() else 'trailing'} space ({_named(edge)}); nothing is stripped"
    for char in cell:
        if not char.isascii():
            kind = "digit" if char.isdigit() else "space" if char.isspace() else "character"
            return f"{_named(char)} is not an ASCII {kind}" if kind != "character" else f"{_named(char)} is not ASCII"
    if "_" in cell:
        return "'_' is a digit separator, which the tables do not use"
    if " " in cell or "\t" in cell:
        return "a space inside the number"
    if cell[0] == "+":
        return "a leading '+'"
    if re.fullmatch(r"-?[0-9.]+[eE][-+]?[0-9]+", cell):
        return "an exponent ('e'); write the digits out"
    if kind == "integer" and re.fullmatch(r"-?[0-9]+\.[0-9]+", cell):
        return "a decimal point in a column of whole numbers"
    other = next((char for char in cell if char not in "0123456789.-"), None)
    if other is not None:
        return f"{other!r} is not a digit" + (" (the tables use no thousands separator)" if other == "," else "")
    return "a misplaced '-' or '.'"


def number_problem(cell: str, kind: str) -> tuple[str, str] | None:
    """``(rule, message)`` when a non-empty ``cell`` of a ``kind`` ("number"/"integer") column is not
    a finite plain decimal number, or None when it is. An empty cell is a missing value: not checked here."""
    if GRAMMAR[kind].fullmatch(cell):
        shown = repr(cell) if len(cell) <= 40 else f"{cell[:30]!r}... ({len(cell):,} digits)"
        if kind == "number" and not math.isfinite(float(cell)):
            return "finite-number", f"value {shown} overflows a floating-point number; it is not a finite figure"
        digits = cell.lstrip("-").lstrip("0")  # by length first: int() refuses more than 4300 digits
        if kind == "integer" and (len(digits) > 19 or (len(digits) == 19 and int(digits) > INT64_MAX)):
            return "integer-range", f"value {shown} is larger than a 64-bit integer holds ({INT64_MAX:,})"
        return None
    try:
        value = float(cell)
    except ValueError:
        value = 0.0
    if kind == "number" and not math.isfinite(value):
        return (
            "finite-number",
            f"value {cell!r} is not a finite number (NaN or infinity); "
            "write the figure in digits, or leave the cell empty when there is none",
        )
    article = "an integer" if kind == "integer" else "a number"
    return (
        "type-error",
        f"value {cell!r} is not {article} in ASCII decimal: {_reason(cell, kind)}; write {SPELLED[kind]}",
    )


def parse_number(cell: str) -> float | None:
    """The finite value of a plain decimal cell, or None (empty, or broken: reported by number_problem)."""
    if not GRAMMAR["number"].fullmatch(cell or ""):
        return None
    value = float(cell)
    return value if math.isfinite(value) else None
