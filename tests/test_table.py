"""Notebook tables (helpers.render.table): readable headers, no index column, a scroll box a keyboard can reach."""

from __future__ import annotations

import re

from helpers.models.claims import source_profiles
from helpers.render.table import table


def test_07s_source_table_heads_its_columns_in_words_and_keeps_its_data():
    frame = source_profiles().round(2)
    shown = table(frame, "Profile of each source")._repr_html_()
    heads = re.findall(r"<th[^>]*>(.*?)</th>", shown)
    assert heads == [c.replace("_", " ") for c in frame.columns], heads
    assert not [h for h in heads if "_" in h or not h.strip()], heads  # no snake_case, no empty index header
    assert 'role="region" aria-label="Profile of each source" tabindex="0"' in shown
    assert "share_hedged" in frame.columns  # the data keeps its names for code
    cells = re.findall(r"<td>(.*?)</td>", shown)
    assert len(cells) == frame.size
    assert cells[:: len(frame.columns)] == list(frame["source_id"].astype(str)), cells[:5]  # row order kept
