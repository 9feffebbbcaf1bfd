"""Tables for notebook outputs that a keyboard and a screen reader can use.

In JupyterLab and Voilà a table wider than its output area scrolls inside it, and a keyboard
cannot reach that scroll box (axe: scrollable-region-focusable); pandas also heads the index
column with an empty ``<th>`` (axe: empty-table-header). :func:`table` shows a frame without
either: no index column, in a labelled scroll box that takes focus (arrow keys then scroll it).
Headers are read as words ("share hedged", not ``share_hedged``), as the saved page's tables
head theirs; the frame itself keeps its column names for code.
"""

from __future__ import annotations

import html

import pandas as pd


class Table:
    """A DataFrame shown as an accessible HTML table; ``frame`` is the data."""

    def __init__(self, frame: pd.DataFrame, label: str):
        self.frame = frame
        self.label = label

    def _repr_html_(self) -> str:
        shown = self.frame.rename(columns=lambda c: str(c).replace("_", " "))
        body = shown.to_html(index=False, border=0, classes="dataframe", na_rep="", escape=True)
        label = html.escape(self.label, quote=True)
        return (
            f'<div class="ke-scroll" role="region" aria-label="{label}" tabindex="0" '
            f'style="overflow-x: auto; max-width: 100%">{body}</div>'
        )

    def __repr__(self) -> str:
        return repr(self.frame)


def table(frame: pd.DataFrame, label: str) -> Table:
    """``frame`` as a table named ``label`` for screen readers, scrollable by keyboard when wide."""
    return Table(frame, label)
