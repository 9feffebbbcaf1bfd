"""The report command checks its parameters before anything runs, so it starts light: importing it
(``python -m helpers.report``) loads neither pandas nor altair. Only the kernels need them; in the
parent process pandas alone cost 0.33 s of a 0.44 s import (issue 22's report-run floor)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "altair", "vl_convert")


def test_the_report_command_imports_no_pandas_or_altair():
    code = (
        "import json, sys, helpers.report, helpers.run.cli\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], f"imported by python -m helpers.report before any run: {result.stdout}"


def test_a_filter_still_masks_a_frame():
    import pandas as pd

    from helpers.params.filters import Filter

    frame = pd.DataFrame({"arm": ["ketamine", "placebo", None], "dose": [0.5, None, 1.0]})
    assert Filter("equal", ("arm",)).mask(frame, "ketamine").tolist() == [True, False, False]
    assert Filter("at_least", ("dose",), keep_missing=True).mask(frame, 0.75).tolist() == [False, True, True]
