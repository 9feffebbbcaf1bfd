"""What report runs did, as plain text: one line per run and the reason of each failure."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpers.run.plan import MAX_LISTED, RunResult


def summary(results: Sequence[RunResult], relative_to: Path | None = None) -> str:
    """A plain-text table: notebook, parameter set, status, seconds, output files; failures explained."""
    base = relative_to or Path.cwd()

    def show(path: str) -> str:
        """A path relative to ``base`` when it lies below it, else as is."""
        inside = Path(path).is_relative_to(base) if Path(path).is_absolute() else False
        return os.path.relpath(path, base) + (os.sep if path.endswith(os.sep) else "") if inside else path

    header = ("notebook", "parameter set", "status", "seconds", "outputs")
    rows = [
        (r.notebook, r.set_name, r.status, f"{r.seconds:.1f}", ", ".join(show(p) for p in r.outputs) or "-")
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header[:4], widths, strict=True)) + "  " + header[4]]
    for result, row in zip(results, rows, strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
        if result.error:
            lines.append(f"    -> {result.error}")
        lines += [f"    note: {note}" for note in result.notes[:MAX_LISTED]]
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} of {len(results)} runs ok" + (f", {failed} FAILED" if failed else ""))
    return "\n".join(lines)


def interrupted_summary(stop: Any) -> str:
    """What a stopped run completed, and what it stopped or never started (for RunInterrupted)."""
    total = len(stop.results) + len(stop.stopped) + len(stop.not_started)
    lines = [f"Stopped by {stop} after {len(stop.results)} of {total} runs: no report was written after the signal."]
    if stop.results:
        lines.append(summary(stop.results))
    else:
        lines.append("No run had completed.")
    for label, tasks in (("stopped while running", stop.stopped), ("not started", stop.not_started)):
        if tasks:
            names = ", ".join(f"{t.notebook} [{t.set_name}]" for t in tasks[:MAX_LISTED])
            more = f" and {len(tasks) - MAX_LISTED:,} more" if len(tasks) > MAX_LISTED else ""
            lines.append(f"{label} ({len(tasks)}): {names}{more}")
    return "\n".join(lines)
