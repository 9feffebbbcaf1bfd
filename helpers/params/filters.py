"""What a parameter does to the rows: a filter declared once and compiled twice, to a Vega
expression for the page and to a pandas mask for the table, the count and the CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line checks parameters with these rules and never masks a frame: no pandas there
    import pandas as pd

ALL = "all"
OPS = ("equal", "any_equal", "at_least", "at_most", "one_of")


def listed_signal(p: str) -> str:
    """The derived signal holding one_of param ``p``'s list, parsed (see :meth:`Filter.derived`)."""
    return f"{p}_listed"


def listed_expr(p: str) -> str:
    """The comma-separated list in param ``p`` as lower-case names without spaces (a Vega expression)."""
    return f"split(lower(replace({p}, regexp('\\\\s+', 'g'), '')), ',')"


@dataclass(frozen=True)
class Filter:
    """One rule of a control over one table.

    op: ``equal`` (column == value; "all" keeps every row), ``any_equal`` (any of ``columns``
    equals it), ``at_least`` / ``at_most`` (a number bound; rows with no value drop out, unless
    ``keep_missing``: then the bound says nothing about them and they stay), or ``one_of`` (the
    value is a comma-separated list, e.g. routes, and the column is in it).
    target: ``rows`` (the chart's rows) or the name of an extra table beside the chart.
    """

    op: str
    columns: tuple[str, ...]
    target: str = "rows"
    keep_missing: bool = False

    def __post_init__(self):
        if self.op not in OPS:
            raise ValueError(f"filter op must be one of {OPS}, got {self.op!r}")
        if not self.columns:
            raise ValueError(f"filter {self.op!r} needs the column(s) it filters")
        if self.keep_missing and (self.op not in ("at_least", "at_most") or self.target != "rows"):
            raise ValueError("keep_missing is for the at_least / at_most bounds of the chart's rows")

    def expr(self, p: str, row: Mapping[str, Any] | None = None) -> str:
        """The rule as a Vega expression over ``datum``, for the param named ``p``.

        With ``row``, the same rule for that one row, its values written in: an expression over the
        signals alone, for a signal that holds a static table's verdicts (08 keeps its six routes' so,
        and its 17,000 samples read theirs by index instead of each lower-casing its route)."""

        def field(c: str) -> str:
            return f"datum[{c!r}]" if row is None else json.dumps(row[c])

        cols = self.columns
        if self.op == "equal":
            return f"({p} == {ALL!r} || {field(cols[0])} == {p})"
        if self.op == "any_equal":
            return f"({p} == {ALL!r} || " + " || ".join(f"{field(c)} == {p}" for c in cols) + ")"
        if self.op == "one_of":
            # The list is parsed once per change in a derived signal (:meth:`derived`), not once per row:
            # in 08 the regexp, split and lower ran on each of 8,646 samples, 10 ms of a routes change.
            return f"(indexof({listed_signal(p)}, lower({field(cols[0])})) >= 0)"
        sign = ">=" if self.op == "at_least" else "<="
        if self.keep_missing:
            return f"(!isValid({field(cols[0])}) || {field(cols[0])} {sign} {p})"
        return f"(isValid({field(cols[0])}) && {field(cols[0])} {sign} {p})"

    def derived(self, p: str) -> dict[str, str]:
        """Signals :meth:`expr` reads besides ``p`` itself: {name: Vega expression over ``p``}."""
        return {listed_signal(p): listed_expr(p)} if self.op == "one_of" else {}

    def mask(self, frame: pd.DataFrame, value: Any) -> pd.Series:
        """The same rule as :meth:`expr`, over a DataFrame."""
        import pandas as pd

        if self.op in ("equal", "any_equal"):
            if value == ALL:
                return pd.Series(True, index=frame.index)
            hits = [frame[c].astype(object).map(lambda v: v is not None and str(v) == str(value)) for c in self.columns]
            return pd.concat(hits, axis=1).any(axis=1)
        if self.op == "one_of":
            listed = {part.strip().lower() for part in str(value).split(",")}
            return frame[self.columns[0]].astype(str).str.lower().isin(listed)
        column = pd.to_numeric(frame[self.columns[0]], errors="coerce")
        within = (column >= value) if self.op == "at_least" else (column <= value)
        return (within | column.isna()) if self.keep_missing else within
