"""Where a figure comes from: the source documents, and checks that a row's
quote stands verbatim in its document and states the row's numbers.

The documents live outside the repository (``../shared/seeds`` beside the
clone, or the folder named by ``KETAMINE_SEEDS``). Everything else in the suite
works without them; only these checks need them.
"""

from __future__ import annotations

import csv
import math
import os
import re
from functools import cache
from pathlib import Path

from helpers.paths import DATA_DIR, ROOT

SEEDS_ENV = "KETAMINE_SEEDS"

# Words the documents use for numbers. "half" is both 50 (%) and 0.5 (hours); "all" is 100 (%);
# "a majority" is more than 50 (%), recorded as 50 with the qualifier "more than".
WORD_NUMBERS: dict[str, tuple[float, ...]] = {
    "all": (100.0,),
    "majority": (50.0,),
    "second-most": (2.0,),
    "first": (1.0,),  # an ordinal as a count: "After the first treatment" is one session
    "thousand": (1000.0,),
    "half": (50.0, 0.5),
    "one third": (33.3,),
    "one-third": (33.3,),
    "1/3": (33.3,),
    "two-thirds": (66.7,),
    "twice": (2.0,),
    "double": (2.0,),
    "a couple": (2.0,),
    "a few": (3.0,),
    "one": (1.0,),
    "once": (1.0,),
    "single": (1.0,),
    "two": (2.0,),
    "three": (3.0,),
    "four": (4.0,),
    "five": (5.0,),
    "six": (6.0,),
    "seven": (7.0,),
    "eight": (8.0,),
    "ten": (10.0,),
    "twenty": (20.0,),
    "fifty": (50.0,),
    "eighties": (1980.0, 1989.0),
    "nineties": (1990.0, 1999.0),
    "decades": (),
}

# Quantity words the audit covers besides digits: number words, fractions, multiples, frequencies
# and the quantifiers that state a share or a rank. Vague words with no conventional value (some,
# many, most, several, few) are not audited; EXTRACTION.md gives the rule.
QUANTITY_WORDS = (
    *("all", "every", "none", "majority", "minority", "second-most"),
    *("half", "one third", "one-third", "two-thirds", "quarter"),
    *("twice", "double", "triple", "quadruple", "once", "single", "a couple", "a few"),
    *("dozen", "dozens", "hundred", "hundreds", "thousand", "thousands", "million", "millions"),
    *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
    *("fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
    *("eighties", "nineties"),
)
QUANTITY_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(QUANTITY_WORDS, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
NUMBER_RE = re.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
DECADE_RE = re.compile(r"\b(\d{3}0)['’]?s\b")
MILLION_RE = re.compile(r"(\d+(?:\.\d+)?)\s+million\b")


def seeds_dir() -> Path | None:
    """The folder holding the five source documents, or None when absent."""
    env = os.environ.get(SEEDS_ENV)
    if env:
        path = Path(env)
        return path if path.is_dir() else None
    default = ROOT.parent / "shared" / "seeds"
    return default if default.is_dir() else None


@cache
def source_files() -> dict[str, str]:
    """source_id -> file name, read from data/sources.csv."""
    with open(DATA_DIR / "sources.csv", encoding="utf-8", newline="") as fh:
        return {row["source_id"]: row["file_name"] for row in csv.DictReader(fh)}


def column_values(table: str, column: str) -> tuple[str, ...]:
    """The distinct values of one column of a data file, sorted; read with csv, no validation.

    For choices that must follow the data (regions, source ids) without loading pandas.
    """
    with open(DATA_DIR / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return tuple(sorted({row[column] for row in csv.DictReader(fh) if row[column]}))


@cache
def source_text(source_id: str) -> str:
    """The full text of one document. Raises FileNotFoundError naming the folder."""
    folder = seeds_dir()
    if folder is None:
        raise FileNotFoundError(
            f"source documents not found: set {SEEDS_ENV} or put them in {ROOT.parent / 'shared' / 'seeds'}"
        )
    name = source_files()[source_id]
    return (folder / name).read_text(encoding="utf-8")


def numbers_in(text: str) -> list[float]:
    """Every number a span states, in digits or in the words the documents use."""
    found: list[float] = []
    for match in NUMBER_RE.finditer(text):
        found.append(float(match.group().replace(",", "")))
    for match in MILLION_RE.finditer(text):
        found.append(float(match.group(1)) * 1e6)
    for match in DECADE_RE.finditer(text):
        found.append(float(match.group(1)) + 9)
    lowered = text.lower()
    for word, values in WORD_NUMBERS.items():
        if re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", lowered):
            found.extend(values)
    return found


def states_number(text: str, value: float) -> bool:
    """Whether ``text`` states ``value`` (sign ignored: BC years are negative)."""
    target = abs(float(value))
    return any(math.isclose(abs(n), target, rel_tol=1e-3, abs_tol=0.051) for n in numbers_in(text))


def quote_problems(source_id: str, quote: str, values: list[float]) -> list[str]:
    """Why a quote fails as provenance: absent from the document, or missing a number."""
    problems = []
    text = source_text(source_id)
    if quote not in text:
        problems.append(f"quote not found verbatim in source {source_id}: {quote[:80]!r}")
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if not states_number(quote, value):
            problems.append(f"quote does not state the number {value:g}: {quote[:80]!r}")
    return problems


def unique_lines(source_id: str) -> list[tuple[int, str]]:
    """(line number, text) of each distinct non-blank line; repeated copies count once."""
    seen: set[str] = set()
    lines = []
    for number, line in enumerate(source_text(source_id).split("\n"), start=1):
        key = line.strip()
        if key and key not in seen:
            seen.add(key)
            lines.append((number, line))
    return lines


def number_matches(line: str) -> list[re.Match]:
    """The numbers in digits and the quantity words of a line, in reading order (what the audit checks)."""
    return sorted([*NUMBER_RE.finditer(line), *QUANTITY_RE.finditer(line)], key=lambda m: m.start())


def ledger_covers(line: str, match: re.Match, number: str, context: str) -> bool:
    """A not_figures.csv entry (number, context) accounts for ``match``: same number, inside its context."""
    where = line.find(context)
    return number == match.group() and where != -1 and where <= match.start() < where + len(context)


def uncovered_numbers(source_id: str, spans: list[str], ledger: list[tuple[str, str]]) -> list[str]:
    """Numbers in digits, and quantity words (QUANTITY_WORDS), that no figure quote and no ledger entry covers.

    ``spans`` are the figure rows' quotes for this source; ``ledger`` holds
    (number, context) pairs from not_figures.csv. A number is covered when a
    span containing it stands in its line at its place.
    """
    missing = []
    for line_no, line in unique_lines(source_id):
        covered: list[tuple[int, int]] = []
        for span in spans:
            start = line.find(span)
            while start != -1:
                covered.append((start, start + len(span)))
                start = line.find(span, start + 1)
        for match in number_matches(line):
            if any(a <= match.start() and match.end() <= b for a, b in covered):
                continue
            if any(ledger_covers(line, match, number, context) for number, context in ledger):
                continue
            context = line[max(0, match.start() - 60) : match.end() + 60]
            missing.append(f"source {source_id} line {line_no}: {match.group()!r} in ...{context}...")
    return missing


def _main(paths: list[str]) -> int:
    """Check CSV files from the command line: python -m helpers.data.provenance data/x.csv"""
    value_columns = (
        "value_low",
        "value_high",
        "year_start",
        "year_end",
        "sample_n",
        "stated_alt_low",
        "stated_alt_high",
    )
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8", newline="") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                pairs = (
                    [("quote", "source_id")] if "quote" in row else [("quote_a", "source_a"), ("quote_b", "source_b")]
                )
                for quote_col, source_col in pairs:
                    values = [float(row[c]) for c in value_columns if quote_col == "quote" and row.get(c)]
                    for problem in quote_problems(row[source_col], row[quote_col], values):
                        bad += 1
                        print(f"{path}:{line_no} {row.get('id', '')} {problem}")
    print(f"{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
