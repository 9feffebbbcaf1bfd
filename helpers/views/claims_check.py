"""Claims check (07): what the figures rest on, by family and by source, and the contradictions.

Both charts are computed in the page from the rows the controls keep (aggregate,
joinaggregate and calculate transforms), so ``family``, ``source_id`` and ``normalize``
redraw them without Python. One fixed colour scale serves both charts: a colour is an
evidence group (trial, study with no design stated, anecdote or clinician, unattributed
claim, other) whatever the filters remove. The bars keep one segment per evidence kind
(white edges; the tooltip names the kind), so the first chart still splits each family by
kind while a colour keeps one meaning. Labels are the documents' own, never verified.
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd

from helpers.data.dictionary import family_names, field_spec
from helpers.data.tables import load
from helpers.models import claims
from helpers.params import ALL
from helpers.views import core, encodings
from helpers.views.layers import BoolSafeView, keep_name
from helpers.views.lazy import alt
from helpers.views.marks import NOTE_COLOR, lookup

NOTEBOOK = claims.NOTEBOOK
CONTRADICTIONS = "contradictions"
MIX_MARK = "evidence_mix"  # named units: the page (and the browser test) read their data
PROFILE_MARK = "source_profile"

# One colour per evidence group, in both charts. Trial and "a study" are cool colours,
# the weaker groups warm, "other" grey; none is reused by another meaning in this view.
GROUP_COLORS: dict[str, str] = {
    "trial": core.PALETTE[2],  # bluish green
    "study, design not stated": core.PALETTE[4],  # sky blue
    "anecdote or clinician": core.PALETTE[1],  # orange
    "unattributed claim": core.PALETTE[5],  # vermillion
    "other": core.PALETTE[7],  # grey
}
SUBTITLE = [
    "As the documents state it, not verified. 'trial' = a randomized trial; 'other' = meta-analyses, "
    "surveys, records, reviews,",
    "animal and lab studies, protocols. One segment per evidence kind: hover for the kind and its figures.",
]
EMPTY = "No figures match the current filters."
# A click on a bar's segment selects it: the other segments fade, a note names its figures, and the rows
# unit keeps only them; a double-click clears. The source panel says so in place of "click a figure".
# "Cite this view" cannot cite a bar: a link with #highlight=<row id> cites one figure or contradiction.
HINTS = {
    "source": "Click a bar's segment to name its figures under the first chart; double-click a bar to clear.",
    "cite": "The link cites the view; add #highlight=<row id> to it to cite one figure or contradiction.",
}
SOURCE_HINT = HINTS["source"]
SHOWN_IDS = 8  # row ids a clicked segment's note lists before "…"
CONTROLS_NOTE = (
    "Contradiction kind and strength fade the sources below with no such contradiction, and filter the "
    "contradictions table. Click a segment to name its figures."
)


# What the end of a source's bar counts: "(direct)", "(dosing, any strength)", "(any kind or strength)".
KIND_WORDS = (
    "' (' + (kind == 'all' && strength == 'all' ? 'any kind or strength' : "
    "(kind == 'all' ? '' : kind + ', ') + (strength == 'all' ? 'any strength' : strength)) + ')'"
)


def picked(name: str, empty: bool = True) -> dict:
    """The bar-click selection of chart ``name`` as a Vega-Lite predicate of a row (true while nothing is
    selected, unless not ``empty``). A predicate, not an expression over its store: a printed slide drops the
    selections nothing names, and an expression naming the store would then refer to no data set."""
    return {"param": f"{name}_pick", "empty": empty}


BOTH = {"and": [picked(MIX_MARK), picked(PROFILE_MARK)]}  # a row in the clicked segment, if any


def contradiction_counts(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """{'kind|strength': {source_id: pairs with that source on either side}} for every choice of the two controls."""
    kinds = (ALL, *field_spec("kind")["enum"])
    strengths = (ALL, *field_spec("strength")["enum"])
    out = {}
    for kind in kinds:
        for strength in strengths:
            keep = ((frame["kind"] == kind) | (kind == ALL)) & ((frame["strength"] == strength) | (strength == ALL))
            part = frame[keep]
            sides = pd.concat([part["source_a"], part["source_b"]]).astype(str)
            both = part["source_a"].astype(str) == part["source_b"].astype(str)  # a document against itself: once
            counts = sides.value_counts().sub(part.loc[both, "source_a"].astype(str).value_counts(), fill_value=0)
            out[f"{kind}|{strength}"] = {k: int(v) for k, v in counts.items() if v > 0}
    return out


@cache
def figure_rows() -> pd.DataFrame:
    """Every figure of the six families with its evidence group, source labels and hedge flags."""
    rows = core.prepare(claims.figures_by_evidence(), load("sources"))
    kinds = field_spec("evidence_kind")["enum"]
    # stacking order: by group, then by the dictionary's order of kinds (one number: Vega-Lite takes one order field)
    rows["stack_order"] = [
        100 * claims.GROUP_ORDER.index(g) + kinds.index(k)
        for g, k in zip(rows["evidence_group"], rows["evidence_kind"], strict=True)
    ]
    names = claims.source_names()
    rows["source_short"] = rows["source_id"].map(names)
    profiles = claims.source_profiles().set_index("source_id")
    rows["source_contradictions"] = rows["source_id"].map(profiles["contradictions"]).astype(int)
    rows["source_direct"] = rows["source_id"].map(profiles["direct_contradictions"]).astype(int)
    return rows


@cache
def contradiction_rows() -> pd.DataFrame:
    """contradictions.csv with each side's document named, for the table beside the charts."""
    frame = claims.contradictions()
    names = claims.source_names()
    frame["document_a"] = frame["source_a"].map(names)
    frame["document_b"] = frame["source_b"].map(names)
    return frame


def empty_keys(rows: pd.DataFrame) -> list[str]:
    """'family|source_id' choices that leave no figure (e.g. response_rates|002), for the empty-state note."""
    families = (ALL, *family_names())
    sources = (ALL, *sorted(rows["source_id"].unique()))
    out = []
    for family in families:
        for source in sources:
            keep = (rows["family"] == family) | (family == ALL)
            keep &= (rows["source_id"] == source) | (source == ALL)
            if not keep.any():
                out.append(f"{family}|{source}")
    return out


def _color() -> alt.Color:
    return alt.Color(
        "evidence_group:N",
        title="rests on (as the document says)",
        scale=alt.Scale(domain=list(claims.GROUP_ORDER), range=[GROUP_COLORS[g] for g in claims.GROUP_ORDER]),
        legend=alt.Legend(orient="bottom", columns=5, titleLimit=400, labelLimit=300),
    )


def _x_axis() -> alt.Axis:
    """Percent labels for shares, whole numbers for counts (the param picks; the title says which)."""
    return alt.Axis(
        title=None,
        labelExpr="normalize ? format(datum.value, '.0%') : format(datum.value, '~d')",
        tickMinStep={"expr": "normalize ? 0.1 : 1"},
    )


def stacked_bars(
    view: core.View, by: str, sort: list[str], name: str, what: str, note: str, faded: str = "false"
) -> alt.LayerChart:
    """Stacked bars, one per ``by`` value, one segment per evidence kind, coloured by its group.

    ``note`` is a Vega expression over the bar's totals (``datum.total``...) for the label at its end;
    ``faded`` one over a segment (``datum.source_id``...) that fades it. A click on a segment selects
    it (see :func:`picked`): the others fade, and the rows unit keeps its figures.
    """
    rows = view.rows
    base = alt.Chart(rows).transform_filter(view.row_filter())
    y = alt.Y(f"{by}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=360))
    pick = alt.selection_point(name=f"{name}_pick", fields=[by, "evidence_kind"], on="click", clear="dblclick")
    groups = list(dict.fromkeys([by, "source_id" if by == "source_short" else by]))
    segments = (
        base.transform_aggregate(figures="count()", groupby=[*groups, "evidence_group", "stack_order", "evidence_kind"])
        .transform_joinaggregate(total="sum(figures)", groupby=[by])
        .transform_calculate(
            share="datum.figures / datum.total", x_value="normalize ? datum.figures / datum.total : datum.figures"
        )
        .mark_bar(stroke="white", strokeWidth=1, cursor="pointer")
        .encode(
            x=alt.X("x_value:Q", stack="zero", axis=_x_axis()),
            y=y,
            color=_color(),
            order=alt.Order("stack_order:Q"),
            opacity={"condition": {"test": {"and": [picked(name), f"!({faded})"]}, "value": 1}, "value": 0.3},
            tooltip=[
                alt.Tooltip(f"{by}:N", title=what),
                alt.Tooltip("evidence_kind:N", title="evidence kind"),
                alt.Tooltip("evidence_group:N", title="group"),
                alt.Tooltip("figures:Q", title="figures"),
                alt.Tooltip("share:Q", title="share of the bar", format=".0%"),
            ],
        )
        .add_params(pick)
        .properties(name=name)
    )
    ends = (
        base.transform_aggregate(total="count()", groupby=groups)
        .transform_calculate(end="normalize ? 1 : datum.total", note=note)
        .mark_text(align="left", dx=4, color="#555")
        .encode(x=alt.X("end:Q"), y=y, text=alt.Text("note:N"))
    )
    return alt.layer(keep_name(segments), ends)


def clicked_note(view: core.View) -> alt.Chart:
    """Under the first chart, while a segment is clicked: how many figures it holds and their ids."""
    clicked = {"or": [picked(MIX_MARK, empty=False), picked(PROFILE_MARK, empty=False)]}
    return (
        alt.Chart(view.rows)
        .transform_filter(view.row_filter())
        .transform_filter(clicked)
        .transform_filter(BOTH)
        .transform_aggregate(n="count()", ids="values(id)")
        .transform_calculate(
            note=f"'Clicked: ' + datum.n + (datum.n == 1 ? ' figure: ' : ' figures: ') + "
            f"join(slice(pluck(datum.ids, 'id'), 0, {SHOWN_IDS}), ', ') + (datum.n > {SHOWN_IDS} ? ', …' : '') + "
            "' (double-click a bar to clear)'"
        )
        .mark_text(align="left", baseline="top", dy=30, fontSize=12, color=NOTE_COLOR, aria=False)
        .encode(x=alt.value(0), y=alt.value("height"), text="note:N")
    )


def _title(view: core.View, text: str, subtitle: list[str]) -> alt.Title:
    """A title that says shares or counts, and says so when family and source leave no figure
    (an aggregate of no rows draws nothing, so the title carries the empty-state note)."""
    measure = "(normalize ? 'share of the figures' : 'number of figures')"
    empty = f"indexof({json.dumps(empty_keys(view.rows))}, family + '|' + source_id) >= 0"
    expr = f"{json.dumps(text + ' (')} + {measure} + ')' + ({empty} ? {json.dumps(' · ' + EMPTY)} : '')"
    return encodings.title({"expr": expr}, subtitle)


def claims_chart(view: core.View) -> alt.VConcatChart:
    """The evidence mix by family over the profile of each source, both from the filtered rows."""
    rows = view.rows
    # The rows the controls keep, narrowed to a clicked segment of either chart.
    kept = encodings.rows_layer(rows, view).transform_filter(BOTH)
    mix = alt.layer(
        stacked_bars(view, "family", list(family_names()), MIX_MARK, "family", "datum.total + ' figures'"),
        keep_name(kept),
        clicked_note(view),
    ).properties(
        title=_title(view, "What the figures rest on, by family", [*SUBTITLE, CONTROLS_NOTE]),
        width=core.WIDTH,
        height=alt.Step(28),
    )
    sources = sorted(rows["source_short"].unique())
    pairs = lookup(contradiction_counts(view.extra(CONTRADICTIONS).frame), "kind + '|' + strength")
    count = f"({pairs}[datum.source_id] || 0)"
    profile = alt.layer(
        stacked_bars(
            view,
            "source_short",
            sources,
            PROFILE_MARK,
            "source",
            # The contradictions of the kind and strength chosen; singular when one ("1 contradiction").
            f"datum.total + (datum.total == 1 ? ' figure · ' : ' figures · ') + {count}"
            f" + ({count} == 1 ? ' contradiction' : ' contradictions') + {KIND_WORDS}",
            faded=f"{count} == 0",
        ),
    ).properties(
        title=_title(view, "What each source's figures rest on", []),
        width=core.WIDTH,
        height=alt.Step(34),
    )
    top = claims.source_profiles().sort_values("share_unattributed_claim", ascending=False).iloc[0]
    description = (
        "What the figures rest on, as the documents state it. Two stacked bar charts computed from the figures "
        f"the controls keep: one bar per family ({rows['family'].nunique()} families), then one bar per source "
        f"document ({rows['source_id'].nunique()} documents), {len(rows)} figures before filtering, split by "
        f"evidence kind and coloured by group ({', '.join(claims.GROUP_ORDER)}). Highest share of unattributed "
        f"claims: {top['source_id']} ({top['share_unattributed_claim']:.0%}). The contradictions table under the "
        "charts quotes both statements of each disagreement."
    )
    return encodings.with_params(
        alt.vconcat(mix, profile, spacing=28)
        .resolve_scale(color="shared", x="independent", y="independent")
        .properties(description=description),
        view,
    )


def claims_view() -> core.View:
    """07: the evidence mix by family and by source, and the contradictions browser."""
    controls = core.controls_for(NOTEBOOK)
    table = core.ExtraTable(
        CONTRADICTIONS,
        "Contradictions: pairs of statements that disagree, both quoted verbatim",
        contradiction_rows(),
        (
            "id",
            "kind",
            "strength",
            "topic_label",
            "document_a",
            "quote_a",
            "document_b",
            "quote_b",
            "difference",
            "strength_reason",
        ),
        "contradictions",
    )
    return BoolSafeView(
        NOTEBOOK,
        "How strong is this evidence? What the figures rest on",
        figure_rows(),
        controls,
        claims_chart,
        table_columns=("id", "family", "evidence_kind", "qualifier", "source_label", "quote"),
        extras=(table,),
        page_notes=(
            # The page's banner carries the disclaimer; this note only says what the labels are.
            "Evidence kinds are the documents' own descriptions, not a verification: no figure, dose or route "
            "here is a recommendation.",
        ),
        hints=HINTS,
    )
