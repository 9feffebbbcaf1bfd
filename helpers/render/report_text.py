"""What a report page changes in a notebook's own text, and why.

- The disclaimer quote a notebook opens with (``> **Educational use only, not medical advice.** ...``)
  moves into the page's banner. In JupyterLab that quote is the notebook's only disclaimer; in a
  report the banner says it at the top, and saying it twice reads as boilerplate.
"""

from __future__ import annotations

import re

from helpers import DISCLAIMER

_QUOTE = re.compile(r"(?m)^>.*(?:\n>.*)*")  # a blockquote: consecutive lines that start with '>'
_OPENING = re.compile(r"(\*\*|__)?" + re.escape(DISCLAIMER) + r"\s*")


def split_disclaimer(markdown: str) -> tuple[str, str | None]:
    """``markdown`` without the blockquote that opens with the disclaimer, and that quote's text after it.

    The second value is markdown (``None`` when there is no such quote). A bold span that runs past
    the disclaimer sentence stays bold: ``**Educational use only, not medical advice. Not a dosing
    tool.**`` gives ``**Not a dosing tool.**``.
    """
    for quote in _QUOTE.finditer(markdown):
        text = "\n".join(line[1:].removeprefix(" ") for line in quote[0].splitlines()).strip()
        opening = _OPENING.match(text)
        if not opening:
            continue
        rest, bold = text[opening.end() :], opening[1]
        if bold:
            rest = rest[len(bold) :].lstrip() if rest.startswith(bold) else bold + rest
        return markdown[: quote.start()] + markdown[quote.end() :], rest.strip()
    return markdown, None
