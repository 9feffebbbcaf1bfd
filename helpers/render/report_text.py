"""What a report page changes in a notebook's own text, and why.

- The disclaimer quote a notebook opens with (``> **Educational use only, not medical advice.** ...``)
  moves into the page's banner. In JupyterLab that quote is the notebook's only disclaimer; in a
  report the banner says it at the top, and saying it twice reads as boilerplate.
- Links to other notebooks (``[01](01_response_rates.ipynb)``) lead to the sibling report when
  there is one, else become text naming the notebook to open: a page opened from disk cannot
  open a notebook, and a link to the ``.ipynb`` shows its JSON or nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from helpers import DISCLAIMER

_QUOTE = re.compile(r"(?m)^>.*(?:\n>.*)*")  # a blockquote: consecutive lines that start with '>'
_OPENING = re.compile(r"(\*\*|__)?" + re.escape(DISCLAIMER) + r"\s*")
_NOTEBOOK_LINK = re.compile(r'<a\s[^>]*?\bhref="([^"#?]+\.ipynb)([#?][^"]*)?"[^>]*>(.*?)</a>', re.I | re.S)
_WEB = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


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


def link_notebooks(fragment: str, reports: Mapping[str, str], notebook_dir: Path, root: Path) -> str:
    """``fragment`` (HTML) with every relative link to a notebook sent to its report, or made text.

    ``reports`` maps a notebook name to its report's file name in the same folder. A notebook
    without one becomes "<link text> (open notebooks/<name>.ipynb in JupyterLab)", the path
    relative to ``root`` when the notebook is in ``notebook_dir``. Web addresses are left alone.
    """

    def replace(link: re.Match) -> str:
        href, anchor, label = html.unescape(link[1]), link[2] or "", link[3]
        if _WEB.match(href):
            return link[0]
        name = PurePosixPath(href).stem
        if name in reports:
            return f'<a href="{html.escape(reports[name] + anchor, quote=True)}">{label}</a>'
        source, base = Path(notebook_dir, f"{name}.ipynb").resolve(), root.resolve()
        shown = source.relative_to(base).as_posix() if source.is_file() and source.is_relative_to(base) else href
        return f'<span class="notebook-ref">{label} (open <code>{html.escape(shown)}</code> in JupyterLab)</span>'

    return _NOTEBOOK_LINK.sub(replace, fragment)
