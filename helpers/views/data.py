"""The tables the views draw, loaded and prepared once per process."""

from __future__ import annotations

from functools import cache

import pandas as pd

from helpers.data import load
from helpers.views.core import prepare


@cache
def prepared(table: str) -> pd.DataFrame:
    """A table loaded, validated and given chart columns (labels, hedge flags, source labels)."""
    return prepare(load(table), load("sources"))
