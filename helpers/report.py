"""``python -m helpers.report``: the report command, kept at its old, short address.

The command lives in ``helpers.run.cli``; this module only starts it.
"""

from __future__ import annotations

import sys

from helpers.run.cli import main

if __name__ == "__main__":
    sys.exit(main())
