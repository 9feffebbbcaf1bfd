"""How strong is this evidence? The claims-check lens (notebook 07).

Every figure in the six family tables carries ``evidence_kind``: what the
*document says* the figure rests on (a randomized trial, a patient anecdote, an
unattributed claim...). This module gathers those labels in one table, profiles
each source document (who published it, whether it cites studies, how clean its
text is, what its figures rest on, how often it is part of a contradiction) and
browses ``contradictions.csv``, the pairs of statements that disagree.

Nothing here verifies a claim: an "unattributed claim" may be true, and a
"randomized trial" label is only the document's own description.

This is the data module only: the notebook's charts and contradictions browser are the
declarative view in ``helpers.views.claims_check``, which imports this module (never the reverse).
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import pandas as pd

from helpers.data.dictionary import family_names
from helpers.data.tables import load
from helpers.params import ALL, read

NOTEBOOK = "07_claims_check"


# The groups a source profile splits its figures into. "trial" is a randomized trial only;
# "study, design not stated" is the documents' "a study found"; meta-analyses, surveys,
# records and the rest are "other".
EVIDENCE_GROUPS: dict[str, str] = {
    "randomized trial": "trial",
    "study, design not stated": "study, design not stated",
    "case report or patient anecdote": "anecdote or clinician",
    "clinician's report": "anecdote or clinician",
    "unattributed claim": "unattributed claim",
}
GROUP_ORDER: tuple[str, ...] = (
    "trial",
    "study, design not stated",
    "anecdote or clinician",
    "unattributed claim",
    "other",
)


def share_column(group: str) -> str:
    """The profile column of a group's share, e.g. share_study_design_not_stated."""
    return "share_" + group.replace(",", "").replace(" ", "_")


FIGURE_COLUMNS = ["family", "id", "source_id", "evidence_kind", "evidence_group", "qualifier", "hedged", "quote"]
PROFILE_COLUMNS = [
    "source_id",
    "publisher",
    "publisher_kind",
    "cites_primary_studies",
    "text_quality_flags",
    "figures",
    "share_hedged",
    *(share_column(g) for g in GROUP_ORDER),
    "contradictions",
    "direct_contradictions",
    "self_contradictions",
]


def group_of(evidence_kind: str) -> str:
    """The profile group of an evidence kind: trial, anecdote or clinician, unattributed claim, other."""
    return EVIDENCE_GROUPS.get(str(evidence_kind), "other")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals and pandas strings as plain Python objects (None for missing)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype) or out[column].dtype == "string":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


@cache
def _figures() -> pd.DataFrame:
    frames = []
    for family in family_names():
        table = _plain(load(family))
        table.insert(0, "family", family)
        frames.append(table)
    figures = pd.concat(frames, ignore_index=True)
    figures["evidence_group"] = figures["evidence_kind"].map(group_of)
    figures["hedged"] = figures["qualifier"] != "none"
    return figures[FIGURE_COLUMNS]


@cache
def _sources() -> pd.DataFrame:
    return _plain(load("sources"))


@cache
def _contradictions() -> pd.DataFrame:
    return _plain(load("contradictions"))


def figures_by_evidence() -> pd.DataFrame:
    """One row per figure across the six family tables, with what the document says it rests on.

    Columns: family, id, source_id, evidence_kind, evidence_group, qualifier, hedged, quote.
    """
    return _figures().copy()


def contradictions(kind: str = ALL, source_id: str = ALL, strength: str = ALL) -> pd.DataFrame:
    """The contradictions of one kind, strength and/or involving one source (on either side); "all" keeps every row."""
    checked = read(NOTEBOOK, {"kind": kind, "source_id": source_id, "strength": strength}.items(), typed=True)
    values = checked.raise_if_refused()
    kind, source_id, strength = values["kind"], values["source_id"], values["strength"]
    frame = _contradictions()
    mask = pd.Series(True, index=frame.index)
    if kind != ALL:
        mask &= frame["kind"] == kind
    if strength != ALL:
        mask &= frame["strength"] == strength
    if source_id != ALL:
        mask &= (frame["source_a"] == source_id) | (frame["source_b"] == source_id)
    return frame[mask].reset_index(drop=True)


def contradiction_pairs() -> pd.DataFrame:
    """How many contradictions each pair of documents is part of; a document paired with itself contradicts itself."""
    frame = _contradictions()
    pairs = [tuple(sorted(ab)) for ab in zip(frame["source_a"], frame["source_b"], strict=True)]
    out = pd.DataFrame(pairs, columns=["source_1", "source_2"])
    out["within one document"] = out["source_1"] == out["source_2"]
    counted = out.value_counts().rename("contradictions").reset_index()
    return counted.sort_values(["contradictions", "source_1", "source_2"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def source_profiles(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per source document: publisher, citations, text flags, and what its figures rest on.

    ``figures`` (default: every figure, from ``figures_by_evidence``) may be a filtered subset; a source
    with no figures in it gets 0 figures and empty (NaN) shares. The four ``share_*`` evidence columns sum
    to 1 for every source with figures. ``contradictions`` counts the rows of contradictions.csv the source
    is on either side of (a self-contradiction once), ``direct_contradictions`` those graded "direct"
    (both statements cannot be true); ``self_contradictions`` those on both sides.
    """
    figures = _figures() if figures is None else figures
    sources = _sources()
    pairs = _contradictions()
    rows = []
    for source in sources.itertuples(index=False):
        sid = source.source_id
        mine = figures[figures["source_id"] == sid]
        n = len(mine)
        row: dict[str, Any] = {
            "source_id": sid,
            "publisher": source.publisher,
            "publisher_kind": source.publisher_kind,
            "cites_primary_studies": bool(source.cites_primary_studies),
            "text_quality_flags": source.text_quality_flags or "",
            "figures": n,
            "share_hedged": float(mine["hedged"].mean()) if n else float("nan"),
        }
        groups = mine["evidence_kind"].map(group_of)
        for group in GROUP_ORDER:
            row[share_column(group)] = float((groups == group).mean()) if n else float("nan")
        side_a, side_b = pairs["source_a"] == sid, pairs["source_b"] == sid
        row["contradictions"] = int((side_a | side_b).sum())
        row["direct_contradictions"] = int(((side_a | side_b) & (pairs["strength"] == "direct")).sum())
        row["self_contradictions"] = int((side_a & side_b).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


def _source_label(profiles: pd.DataFrame) -> pd.Series:
    return profiles["source_id"] + " · " + profiles["publisher"] + " (" + profiles["publisher_kind"] + ")"


def source_names() -> dict[str, str]:
    """source_id -> '003 · Publisher (publisher kind)', the short label charts and tables use."""
    sources = _sources()
    return dict(zip(sources["source_id"], _source_label(sources), strict=True))


def contradictions_html(frame: pd.DataFrame) -> str:
    """Contradictions as an HTML table: both statements, verbatim, with their sources, and what differs."""
    if frame.empty:
        return "<p><i>No contradictions match the current filters.</i></p>"
    names = source_names()
    esc = html.escape
    head = "".join(f"<th>{h}</th>" for h in ("id", "kind", "about", "statement A", "statement B", "what differs"))
    body = []
    for row in frame.itertuples(index=False):
        a = f"<b>{esc(names.get(row.source_a, row.source_a))}</b><br>“{esc(row.quote_a)}”"
        b = f"<b>{esc(names.get(row.source_b, row.source_b))}</b><br>“{esc(row.quote_b)}”"
        cells = (esc(row.id), esc(str(row.kind)), esc(row.topic_label), a, b, esc(row.difference))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        '<table class="evidence-table contradictions-table" border="0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
