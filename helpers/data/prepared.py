"""The tables as charts and explorers read them: value labels that keep the hedge, range and
hedge flags, source labels, plain objects instead of categoricals. Loaded once per process."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from helpers.data.tables import load

HEDGE_DOMAIN = ["stated flatly", "hedged"]
UNIT_WORDS = {"%": "%", "uM": " µM", "count": "", "sessions": " sessions", "per wk": " per week"}


def fmt(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def value_label(low, high, unit, qualifier) -> str:
    """'about 20–30 %' style label that keeps the document's hedge."""
    if pd.isna(low):
        return "never measured"
    unit_text = UNIT_WORDS.get(unit, f" {unit}")
    number = fmt(low) if low == high else f"{fmt(low)}–{fmt(high)}"
    hedge = "" if qualifier in (None, "none") or pd.isna(qualifier) else f"{qualifier} "
    return f"{hedge}{number}{unit_text}".strip()


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals and pandas strings as plain objects (None for missing), so specs hold values."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype) or out[column].dtype == "string":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def prepare(frame: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the columns every chart reads: value label, range and hedge flags, source label."""
    out = plain(frame)
    if "value_low" in out:
        out["value_label"] = [
            value_label(lo, hi, u, q)
            for lo, hi, u, q in zip(out["value_low"], out["value_high"], out["unit"], out["qualifier"], strict=False)
        ]
        out["is_range"] = out["value_low"] != out["value_high"]
        out["value_mid"] = (out["value_low"] + out["value_high"]) / 2
    if "qualifier" in out:
        out["hedged"] = out["qualifier"] != "none"
        out["hedge"] = np.where(out["hedged"], HEDGE_DOMAIN[1], HEDGE_DOMAIN[0])
    if "source_id" in out:
        if sources is not None:
            labels = {
                str(row.source_id): f"{row.source_id} · {row.publisher}, “{row.title}” ({row.publisher_kind})"
                for row in sources.itertuples()
            }
            out["source_label"] = [labels[str(sid)] for sid in out["source_id"]]
        else:
            out["source_label"] = out["source_id"]
    return out


@cache
def prepared(table: str) -> pd.DataFrame:
    """A table loaded, validated and given chart columns (labels, hedge flags, source labels)."""
    return prepare(load(table), load("sources"))
