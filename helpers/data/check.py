"""The data checks run by ``make data`` (and so by ``make test``).

Hard-fails, listing every problem: tables that break their schema (including an
evidence cue without a cue word of its kind, a hedge that neither quote nor cue
states, and a note that contradicts its row), a datapackage.json that no longer
matches the dictionary, quotes and evidence cues that are not verbatim in their
document (a cue must stand in the quote's paragraph), quotes that do not state
the row's numbers, and numbers or quantity words in the documents that no row
accounts for, and not_figures.csv reasons that cannot hold for a rank, a price, a century
or a share (helpers/data/ledger.py). Checks that need the source documents
are skipped, with a message, when the documents are absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.data.dictionary import DATAPACKAGE_PATH, datapackage_json, family_names
from helpers.data.labels import paragraph_problems
from helpers.data.ledger import reason_problems
from helpers.data.provenance import DATA_DIR, quote_problems, seeds_dir, source_text, uncovered_numbers
from helpers.data.tables import load_all

VALUE_COLUMNS = ("value_low", "value_high", "year_start", "year_end", "sample_n", "stated_alt_low", "stated_alt_high")


def row_values(row) -> list[float]:
    """The numbers a figure row claims its quote states."""
    return [float(row[c]) for c in VALUE_COLUMNS if c in row and row[c] is not None and row[c] == row[c]]


def provenance_problems(tables) -> list[str]:
    """Quotes not verbatim in their document, or not stating the row's numbers."""
    problems = []
    for name in family_names():
        for row in tables[name].to_dict("records"):
            for problem in quote_problems(row["source_id"], row["quote"], row_values(row)):
                problems.append(f"data/{name}.csv id {row['id']}: {problem}")
    for row in tables["contradictions"].to_dict("records"):
        for side in ("a", "b"):
            for problem in quote_problems(row[f"source_{side}"], row[f"quote_{side}"], []):
                problems.append(f"data/contradictions.csv id {row['id']} quote_{side}: {problem}")
    return problems


def cue_problems(tables) -> list[str]:
    """Evidence cues that are not verbatim in the document, in the paragraph of the row's quote."""
    problems = []
    for name in family_names():
        for row in tables[name].to_dict("records"):
            cue = row.get("evidence_cue")
            if isinstance(cue, str) and cue:
                for problem in paragraph_problems(source_text(row["source_id"]), row["quote"], cue):
                    problems.append(f"data/{name}.csv id {row['id']}: {problem}")
    return problems


def audit_problems(tables) -> list[str]:
    """Numbers in the documents that are neither in a figure quote nor in not_figures.csv."""
    ledger = tables["not_figures"]
    problems = []
    for source_id in tables["sources"]["source_id"]:
        spans = [
            q for name in family_names() for q in tables[name].loc[tables[name]["source_id"] == source_id, "quote"]
        ]
        entries = ledger.loc[ledger["source_id"] == source_id, ["number", "context_text"]]
        problems += uncovered_numbers(source_id, spans, list(entries.itertuples(index=False, name=None)))
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run every check; ``--data-dir DIR`` checks a copy of the tables (the tests plant bad rows in one)."""
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = Path(args[args.index("--data-dir") + 1]) if "--data-dir" in args else DATA_DIR
    tables = load_all(data_dir)  # raises EvidenceValidationError listing every schema problem
    print(f"schema: {len(tables)} tables valid, {sum(len(t) for t in tables.values())} rows")
    failures = []
    reasons = reason_problems(data_dir)
    print(f"ledger: {len(reasons)} reason(s) in not_figures.csv that cannot hold for a rank, price, century or share")
    failures += reasons
    if DATAPACKAGE_PATH.read_text(encoding="utf-8") != datapackage_json():
        failures.append("data/datapackage.json is out of date with data/dictionary.yaml: run `make datapackage`")
    if seeds_dir() is None:
        print("provenance: SKIPPED, source documents not found (set KETAMINE_SEEDS)")
    else:
        found = provenance_problems(tables)
        print(f"provenance: {len(found)} problem(s) in {sum(len(tables[n]) for n in family_names())} figure quotes")
        failures += found
        cues = cue_problems(tables)
        cued = sum(int(tables[n]["evidence_cue"].notna().sum()) for n in family_names())
        print(
            f"labels: {len(cues)} problem(s) in {cued} evidence cues (kinds, hedges and notes checked with the schema)"
        )
        failures += cues
        missing = audit_problems(tables)
        print(f"audit: {len(missing)} number(s) in the documents not accounted for")
        failures += missing
    for failure in failures:
        print(f"  - {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
