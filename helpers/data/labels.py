"""Evidence labels that prove themselves: the words each evidence kind and each hedge needs.

A figure's ``evidence_kind`` says what the *document* says the figure rests on; its
``evidence_cue`` is the verbatim span that says so ("a Dutch study", "One fibromyalgia
patient ... reported"). ``KIND_CUES`` maps each kind to the cue words that can support
it, and ``HEDGE_WORDS`` maps each qualifier to the words that state it, so a label the
text does not support is an error that names the row, not a matter of opinion.

Checks that need only the row (cue fits kind, hedge stated, note not stale) run on every
``load``; the check that the cue stands in the quote's paragraph needs the documents and
runs in ``make data``.
"""

from __future__ import annotations

import re
from functools import cache

from helpers.data.dictionary import dictionary

UNATTRIBUTED = "unattributed claim"

# Cue words per evidence kind (regular expressions, case-insensitive unless marked (?-i:)).
KIND_CUES: dict[str, tuple[str, ...]] = {
    "randomized trial": (r"randomi[sz]ed", r"placebo[- ]controlled", r"(?-i:\bRCTs?\b)"),
    "meta-analysis or systematic review": (r"meta-analys[ie]s", r"systematic review", r"\bCochrane\b"),
    "review or guideline": (
        r"\breview\b",
        r"\bguidelines?\b",
        r"consensus statement",
        r"task force",
        r"\brecommend",
        r"Expert Committee",
    ),
    "study, design not stated": (
        r"\bstud(y|ies)\b",
        r"\btrials?\b",
        r"\bexperiments?\b",
        r"\binvestigations?\b",
        r"\banalys[ie]s\b",
        r"\bsamples?\b",
        # One piece of research (000 is reworded: "research" stands for "study"): "The 1997 research found",
        # "One main research discovered". Not "research shows", "later research discovered" or "researchers
        # discovered", which name no study, nor "reports": "In some scientific reports" is as vague as
        # "One report stated".
        r"\b(a|an|one|the)\s+(?:[\w()+-]+\s+){0,3}research\b",
        r"(?-i:\b[A-Z][a-z]+ researchers\b)",  # researchers named by where they work: "Dutch researchers"
        r"\b(a|the) \d{4} report\b",  # one dated report: "the 2018 report found"
    ),
    "survey or registry": (
        r"\bsurvey\b",
        r"\bregistry\b",
        r"\bpoll\b",
        r"\bstatistics\b",
        r"Monitoring the Future",
        r"Centers for Disease Control",
        r"(?-i:\b(CDC|DEA|CRDA|NSDUH)\b)",
    ),
    "case report or patient anecdote": (
        r"\bpatient\b",
        r"\bsingle-case\b",
        r"\bcase report\b",
        r"(?-i:\b(I|he|she|He|She)\b)",
        r"\b(lady|woman|man)\b",
    ),
    "clinician's report": (r"(?-i:\bDr\.)", r"(?-i:\bMD\b)", r"\bphysician\b", r"\bclinician\b", r"\bpsychiatrist\b"),
    "animal study": (r"\bmice\b", r"\bmouse\b", r"\brats?\b", r"\banimals?\b"),
    "laboratory study": (r"\bin vitro\b", r"\blaboratory (study|studies|experiments?|tests?)\b", r"\bcell cultures?\b"),
    "regulatory record": (
        r"(?-i:\b(FDA|NHS|ACMD)\b)",
        r"Food and Drug Administration",
        r"National Health Service",
        r"Home Office",
        r"Advisory Council",
        r"Drug Enforcement Administration",
        r"\bgovernment\b",
        r"\bauthorities\b",
        r"(?-i:\bSchedule\b)",
        r"(?-i:\bClass [A-C]\b)",
        r"(?-i:\bCategory [IVX]+\b)",
        r"(?-i:\bAct\b)",
        r"\bOrdinance\b",
        r"\bapprov",
        r"\bauthori[sz]",
        r"\bbanned\b",
        r"\blegali[sz]",
        r"controlled substance",
        r"\bdesignation\b",
        r"\bpanel\b",
    ),
    "historical record": (r"\bdocumented\b", r"\bpublication\b", r"\bpublish", r"\bliterature\b", r"\bbook\b"),
    "clinic protocol": (r"\bwe\b", r"\bour\b", r"\bchecked in\b"),
    UNATTRIBUTED: (),
}

# The words that state each hedge (regular expressions, case-insensitive).
HEDGE_WORDS: dict[str, tuple[str, ...]] = {
    "about": (
        r"\babout\b",
        r"\baround\b",
        r"\bapproximately\b",
        r"\broughly\b",
        r"\bnearly\b",
        r"\bsome\b",
        r"\bor so\b",
    ),
    "up to": (r"\bup to\b", r"\bas much as\b", r"\bas many as\b", r"\bas high as\b", r"\bas large as\b"),
    "at least": (
        r"\bat least\b",
        r"\bor longer\b",
        r"\bor more\b",
        r"\ba minimum of\b",
        r"\ba number of thousands?\b",  # several thousand: at least one thousand
    ),
    "more than": (
        r"\bmore than\b",
        r"\bover\b",
        r"\bgreater than\b",
        r"\babove\b",
        r">",
        r"\bupwards of\b",
        r"\blonger than\b",
        r"\bmajority\b",
    ),
    "less than": (r"\bless than\b", r"\bunder\b", r"<", r"\bfewer than\b", r"\bbelow\b", r"\bshorter than\b"),
    "at best": (r"\bat best\b",),
    "within": (r"\bwithin\b", r"\bor less\b", r"\bin the first\b"),
    "as low as": (r"\bas little as\b", r"\bas low as\b", r"\bas cheap as\b"),
    "none": (),
}


@cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else re.compile(r"(?!)")


def cue_fits(kind: str, cue: str) -> bool:
    """Whether ``cue`` holds one of the cue words of evidence kind ``kind``."""
    return bool(_compiled(KIND_CUES[kind]).search(cue))


def hedge_stated(qualifier: str, *spans: str) -> bool:
    """Whether any span states the hedge ``qualifier`` (always true for "none")."""
    return qualifier == "none" or any(_compiled(HEDGE_WORDS[qualifier]).search(s) for s in spans)


def _words(patterns: tuple[str, ...], limit: int = 6) -> str:
    plain = [re.sub(r"\(\?-i:|\\b|\)|\(|\?|\\", "", p) for p in patterns[:limit]]
    return ", ".join(repr(w) for w in plain) + (", ..." if len(patterns) > limit else "")


def label_problems(row: dict[str, str]) -> list[tuple[str, str, str]]:
    """(column, rule, message) for a figure row whose cue, kind or hedge the text does not support."""
    kind, cue = row.get("evidence_kind", ""), row.get("evidence_cue", "") or ""
    quote, qualifier = row.get("quote", ""), row.get("qualifier", "")
    problems = []
    if kind == UNATTRIBUTED and cue:
        problems.append(("evidence_cue", "evidence-cue", f"an unattributed claim has no cue; {cue!r} names a basis"))
    elif kind in KIND_CUES and kind != UNATTRIBUTED:
        if not cue:
            problems.append(
                ("evidence_cue", "evidence-cue", f"{kind!r} needs the words of the source that say so (evidence_cue)")
            )
        elif not cue_fits(kind, cue):
            problems.append(
                (
                    "evidence_cue",
                    "cue-fits-kind",
                    f"cue {cue!r} has no cue word of {kind!r} ({_words(KIND_CUES[kind])}); "
                    "relabel the row or quote the words that justify the label",
                )
            )
    if qualifier in HEDGE_WORDS and not hedge_stated(qualifier, quote, cue):
        problems.append(
            (
                "qualifier",
                "hedge-stated",
                f"qualifier {qualifier!r} but neither quote nor cue says {_words(HEDGE_WORDS[qualifier])}",
            )
        )
    return problems


# --- notes that contradict their own row ----------------------------------------------------

_ALIASES = {"year columns": ("year_start", "year_end"), "values": ("value_low", "value_high")}


def note_problems(row: dict[str, str], columns: list[str]) -> list[tuple[str, str, str]]:
    """A note that says a cell is empty when it is filled, that a list lacks a value the dictionary
    allows, or that a value "is used" which no cell of the row holds."""
    note = row.get("note", "") or ""
    problems = []
    for clause in re.split(r"(?<=[.;])\s+", note):
        if re.search(r"\bempty\b", clause):
            # column names with an underscore only: "event" or "quote" in a note are plain words
            named = [c for c in columns if "_" in c and re.search(rf"(?<!\w){re.escape(c)}(?!\w)", clause)]
            named += [c for alias, cols in _ALIASES.items() if alias in clause for c in cols]
            for column in dict.fromkeys(named):
                if row.get(column, ""):
                    problems.append(
                        (
                            "note",
                            "stale-note",
                            f"the note says {column} is empty, but it holds {row[column]!r}: {clause[:80]!r}",
                        )
                    )
    enums = {c: dictionary()["fields"][c].get("enum") or [] for c in columns}
    for value in re.findall(r"has no '([^']+)'", note):
        owner = next((c for c, allowed in enums.items() if value in allowed), None)
        if owner:
            problems.append(("note", "stale-note", f"the note says there is no {value!r}, but {owner} allows it"))
    for value in re.findall(r"'([^']+)'(?: \([^)]*\))? is used", note):
        if value not in row.values():
            problems.append(("note", "stale-note", f"the note says {value!r} is used, but no cell of the row holds it"))
    return problems


def paragraph_problems(text: str, quote: str, cue: str) -> list[str]:
    """Why a cue is not verbatim in the quote's paragraph (a paragraph is one line of the document)."""
    if not cue:
        return []
    if cue not in text:
        return [f"evidence_cue not found verbatim in the document: {cue[:80]!r}"]
    if not any(quote in line and cue in line for line in text.split("\n")):
        return [f"evidence_cue is not in the paragraph of the quote: {cue[:80]!r}"]
    return []
