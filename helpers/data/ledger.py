"""The reasons in not_figures.csv, checked against the kind of number they set aside.

A number the audit sets aside must say why. Some kinds of number are figures of a family
when they are about ketamine or depression, so two reasons can never hold for them:
"ordinal or label" and "mechanism without a figure". ``KIND_REASONS`` lists, for each
kind, the reasons a reader may still give:

- a rank ("10th leading cause", "second-most"): a prevalence row with unit ``rank``;
- a price ("$6.00/gram", "a number of thousand dollars", "cost"): a row with unit USD;
- a century ("the 21st century"): a date, so a milestone;
- a share ("half", "a majority", "most", "a minority", a fraction, a percentage): a figure,
  or, when it is about a mechanism, "mechanism figure outside the families".

The context text holds the number (the audit matches them), so the check needs no document.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from helpers.data.provenance import DATA_DIR

_SET_ASIDE = ("duplicate of a recorded figure", "citation metadata", "page furniture")
KIND_REASONS: dict[str, tuple[str, ...]] = {
    "rank": (*_SET_ASIDE, "other drug or treatment"),
    "price": (*_SET_ASIDE, "other drug or treatment"),
    "century": _SET_ASIDE,
    "share": (
        *_SET_ASIDE,
        "other drug or treatment",
        "background outside the families",
        "mechanism figure outside the families",
        "quantity word without a figure",
        "word not used as a number",
    ),
}
WHAT_TO_DO = {
    "rank": "record it as a figure row (unit rank, as prev-035 and prev-036)",
    "price": "record it as a figure row (unit USD or USD/g, as prev-019 and prev-037)",
    "century": "record it as a milestone (as mile-077)",
    "share": "record it as a figure row, or say it is a mechanism figure outside the families",
}
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
SHARE_WORDS = ("half", "majority", "a majority", "minority", "a minority", "most", "quarter")
SHARE_WORDS += ("one third", "one-third", "two-thirds", "1/3")
_CURRENCY_BEFORE = re.compile(r"(?:[$£€]|\bUSD|\bUS\$)\s*$")
_CURRENCY_AFTER = re.compile(
    r"^\s*(?:thousand |million |billion |hundred )?(?:dollars?|USD|euros?|pounds?|cents?)\b", re.I
)
_COST = re.compile(r"\b(?:costs?|costly|prices?|priced)\b", re.I)
_ORDINAL_SUFFIX = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
_CENTURY_AFTER = re.compile(r"^(?:st|nd|rd|th)?\s+century\b", re.I)


def kinds_of(number: str, context: str) -> list[str]:
    """The kinds (rank, price, century, share) of ``number`` where it stands in ``context``."""
    word = number.strip().lower()
    at = _position(number, context)
    before, after = (context[:at], context[at + len(number) :]) if at >= 0 else ("", "")
    kinds = []
    if _CENTURY_AFTER.match(after):
        kinds.append("century")
    elif _ORDINAL_SUFFIX.match(after) or after.startswith("-most") or word in ORDINAL_WORDS or word.endswith("-most"):
        kinds.append("rank")
    window = context[max(0, at - 40) : at + len(number) + 40] if at >= 0 else context
    if _CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after) or _COST.search(window):
        kinds.append("price")
    if word in SHARE_WORDS or re.match(r"^\s*(?:%|percent\b|per cent\b)", after):
        kinds.append("share")
    return kinds


def _position(number: str, context: str) -> int:
    """Where the number stands in its context as a whole token (-1 when it does not)."""
    match = re.search(r"(?<![\w.])" + re.escape(number) + r"(?![\d])", context, re.IGNORECASE)
    return match.start() if match else -1


def reason_problems(data_dir: Path | str = DATA_DIR) -> list[str]:
    """Rows of not_figures.csv whose reason cannot hold for the kind of number they set aside."""
    path = Path(data_dir) / "not_figures.csv"
    problems = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            line = reader.line_num
            for kind in kinds_of(row["number"], row["context_text"]):
                allowed = KIND_REASONS[kind]
                if row["reason"] not in allowed:
                    problems.append(
                        f"data/not_figures.csv row {line}: {row['number']!r} in {row['context_text'][:70]!r} "
                        f"(source {row['source_id']}) is a {kind}, which cannot be {row['reason']!r}: "
                        f"{WHAT_TO_DO[kind]}, or give one of the reasons allowed for a {kind}: {', '.join(allowed)}"
                    )
    return problems
