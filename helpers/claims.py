"""How strong is this evidence? The claims-check lens (notebook 07).

Every figure in the six family tables carries ``evidence_kind``: what the
*document says* the figure rests on (a randomized trial, a patient anecdote, an
unattributed claim...). This module gathers those labels in one table, profiles
each source document (who published it, whether it cites studies, how clean its
text is, what its figures rest on, how often it is part of a contradiction) and
browses ``contradictions.csv``, the pairs of statements that disagree.

Nothing here verifies a claim: an "unattributed claim" may be true, and a
"randomized trial" label is only the document's own description.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML, display

from helpers import charts
from helpers.data import load
from helpers.dictionary import family_names
from helpers.explore import VEGALITE_MIME, Explorer, download_link, filter_equal, report_mode
from helpers.params import ALL, NOTEBOOKS, Param

NOTEBOOK = "07_claims_check"

PARAMS: tuple[Param, ...] = NOTEBOOKS[NOTEBOOK]
_PARAM = {p.name: p for p in PARAMS}

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
GROUP_COLORS: dict[str, str] = {
    "trial": charts.PALETTE[2],  # bluish green
    "study, design not stated": charts.PALETTE[4],  # sky blue
    "anecdote or clinician": charts.PALETTE[1],  # orange
    "unattributed claim": charts.PALETTE[5],  # vermillion
    "other": charts.PALETTE[8],  # grey
}


def share_column(group: str) -> str:
    """The profile column of a group's share, e.g. share_study_design_not_stated."""
    return "share_" + group.replace(",", "").replace(" ", "_")


FIGURE_COLUMNS = ["family", "id", "source_id", "evidence_kind", "evidence_group", "qualifier", "hedged", "quote"]
FIGURE_TABLE_COLUMNS = ["family", "id", "evidence_kind", "qualifier", "source_label", "quote"]
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


def contradictions(kind: str = ALL, source_id: str = ALL) -> pd.DataFrame:
    """The contradictions of one kind and/or involving one source (on either side); "all" keeps every row."""
    kind = _PARAM["kind"].check(kind, NOTEBOOK)
    source_id = _PARAM["source_id"].check(source_id, NOTEBOOK)
    frame = _contradictions()
    mask = pd.Series(True, index=frame.index)
    if kind != ALL:
        mask &= frame["kind"] == kind
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
    is on either side of (a self-contradiction once); ``self_contradictions`` those on both sides.
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
        row["self_contradictions"] = int((side_a & side_b).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


def _source_label(profiles: pd.DataFrame) -> pd.Series:
    return profiles["source_id"] + " · " + profiles["publisher"] + " (" + profiles["publisher_kind"] + ")"


def source_profile_chart(profiles: pd.DataFrame, normalize: bool = True) -> alt.LayerChart | alt.Chart:
    """Stacked bars, one per source document: its figures split into trial, anecdote or clinician,
    unattributed claim and other; the label at the end gives its figure and contradiction counts."""
    title = "What each source's figures rest on"
    shown = profiles[profiles["figures"] > 0].copy()
    if shown.empty:
        return charts._empty(title, "No figures match the current filters.")
    shown["source_label"] = _source_label(shown)
    long = []
    for rank, group in enumerate(GROUP_ORDER):
        part = shown[["source_id", "source_label", "figures", "cites_primary_studies", "text_quality_flags"]].copy()
        part["evidence_group"] = group
        part["rank"] = rank
        part["share"] = shown[share_column(group)]
        part["count"] = (part["share"] * part["figures"]).round().astype(int)
        long.append(part)
    bars = pd.concat(long, ignore_index=True)
    bars = bars[bars["count"] > 0]
    measure = "share" if normalize else "count"
    x = (
        alt.X(
            "share:Q",
            title="share of the document's figures",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        )
        if normalize
        else alt.X("count:Q", title="figures")
    )
    y = alt.Y("source_label:N", title=None, sort=alt.EncodingSortField("source_id"), axis=alt.Axis(labelLimit=360))
    color = alt.Color(
        "evidence_group:N",
        title="rests on (as the document says)",
        scale=alt.Scale(domain=list(GROUP_ORDER), range=[GROUP_COLORS[g] for g in GROUP_ORDER]),
        legend=alt.Legend(orient="bottom", columns=4, titleLimit=400),
    )
    stacked = (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=color,
            order=alt.Order("rank:O"),
            tooltip=[
                alt.Tooltip("source_label:N", title="source"),
                alt.Tooltip("evidence_group:N", title="rests on"),
                alt.Tooltip("count:Q", title="figures"),
                alt.Tooltip("share:Q", title="share", format=".0%"),
                alt.Tooltip("cites_primary_studies:N", title="cites studies"),
                alt.Tooltip("text_quality_flags:N", title="text flags"),
            ],
        )
    )
    shown["end"] = 1.0 if normalize else shown["figures"].astype(float)
    shown["note"] = [
        f"{n} figures · {c} contradictions" for n, c in zip(shown["figures"], shown["contradictions"], strict=True)
    ]
    notes = (
        alt.Chart(shown)
        .mark_text(align="left", dx=4, color="#555")
        .encode(x=alt.X("end:Q"), y=y, text=alt.Text("note:N"))
    )
    top = shown.sort_values("share_unattributed_claim", ascending=False).iloc[0]
    description = (
        f"{title}. Stacked bars ({measure} of figures), one per source document: {len(shown)} document(s), "
        f"{int(shown['figures'].sum())} figures, split into {', '.join(GROUP_ORDER)}. "
        f"Highest share of unattributed claims: {top['source_id']} ({top['share_unattributed_claim']:.0%}). "
        "Labels give each document's figure count and the contradictions it is part of."
    )
    subtitle = (
        "As the documents state it, not verified. 'trial' = a randomized trial; "
        "'other' = observational studies, surveys, records, reviews, animal and lab studies, protocols."
    )
    return alt.layer(stacked, notes).properties(
        title=charts._title(title, subtitle=subtitle), width=charts.WIDTH, height=alt.Step(34), description=description
    )


def _source_names() -> dict[str, str]:
    sources = _sources()
    return dict(zip(sources["source_id"], _source_label(sources), strict=True))


def contradictions_html(frame: pd.DataFrame) -> str:
    """Contradictions as an HTML table: both statements, verbatim, with their sources, and what differs."""
    if frame.empty:
        return "<p><i>No contradictions match the current filters.</i></p>"
    names = _source_names()
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


def figures_html(frame: pd.DataFrame) -> str:
    """The filtered figures as an HTML table: family, id, evidence kind, hedge, source and quote."""
    columns = [c for c in FIGURE_TABLE_COLUMNS if c in frame.columns]
    return frame[columns].to_html(index=False, escape=True, classes="evidence-table", border=0, na_rep="")


class ClaimsExplorer(Explorer):
    """Evidence mix by family and per source, plus a contradictions browser driven by kind and source."""

    notebook, table = NOTEBOOK, "figures_by_evidence"

    def __init__(self, params: dict[str, Any] | None = None, **overrides: Any):
        super().__init__(params, **overrides)
        self._contradictions = widgets.HTML()
        self._contradictions_count = widgets.HTML()

    @property
    def source(self) -> pd.DataFrame:
        return _prepared_figures()

    @property
    def contradictions(self) -> pd.DataFrame:
        """The contradictions the kind and source_id controls select."""
        values = self.values
        return contradictions(kind=values["kind"], source_id=values["source_id"])

    def filter(self, frame, values):
        return filter_equal(frame, values, ["family", "source_id"])

    def charts(self, frame, values):
        return [
            charts.evidence_mix_chart(frame, normalize=values["normalize"]),
            source_profile_chart(source_profiles(frame), normalize=values["normalize"]),
        ]

    def _contradictions_summary(self, frame: pd.DataFrame) -> str:
        return f"<b>{len(frame)}</b> of {len(_contradictions())} contradictions match."

    def refresh(self) -> None:
        found = self.contradictions
        self._contradictions_count.value = self._contradictions_summary(found)
        self._contradictions.value = contradictions_html(found)
        super().refresh()
        self._table.value = figures_html(self.data)

    def widget(self) -> widgets.Widget:
        """The base panel, then the contradictions browser (driven by the kind and source_id controls)."""
        panel = super().widget()
        heading = widgets.HTML(
            "<h3>Contradictions</h3><p>Pairs of statements that disagree, both quoted verbatim. "
            "Filtered by <i>kind</i> and by <i>source id</i> (either side).</p>"
        )
        panel.children = (*panel.children, heading, self._contradictions_count, self._contradictions)
        return panel

    def show(self) -> None:
        """Display the panel; static specs and tables in a report run."""
        if not report_mode():
            display(self.widget())
            return
        frame = self.data
        for chart in self.charts(frame, self.values):
            spec_dict = chart.to_dict()
            display({VEGALITE_MIME: spec_dict, "text/plain": spec_dict.get("description", "chart")}, raw=True)
        display(
            HTML(
                f"<p><b>{len(frame)}</b> of {len(self.source)} figures match.</p>"
                + download_link(frame, f"{self.table}_filtered.csv")
                + figures_html(frame)
            )
        )
        found = self.contradictions
        display(
            HTML(
                "<h3>Contradictions</h3><p>" + self._contradictions_summary(found) + "</p>" + contradictions_html(found)
            )
        )


@cache
def _prepared_figures() -> pd.DataFrame:
    return charts.prepare(_figures(), _sources())


def explore_claims(params: dict[str, Any] | None = None) -> ClaimsExplorer:
    """Build and display the claims-check explorer (notebook 07); returns it for further use."""
    explorer = ClaimsExplorer(params)
    explorer.show()
    return explorer
