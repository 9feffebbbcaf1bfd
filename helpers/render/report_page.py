"""The saved report page's parts: the Vega runtime file, the disclaimer banner, the title, safe
script text, and the charts as slide images.

The page itself is the nbconvert template folder ``helpers/render/templates/ketamine_report``,
rendered by :class:`helpers.render.exporter.ReportExporter` for the report runs (``helpers.run``)
and for ``jupyter nbconvert --to ketamine_report``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from helpers import DISCLAIMER, EDUCATIONAL_NOTE
from helpers.paths import cache_dir, installed_version
from helpers.render.jsbundle import read_checked, write_checked
from helpers.render.offline import PACKED_MARK, packed_js, vega_runtime_js

RUNTIME_MARKER = PACKED_MARK  # occurs once in runtime_file()'s text; tests count it


def runtime_file() -> Path:
    """A file holding the saved report's Vega runtime: ``vega_runtime_js()`` packed (``offline.packed_js``).

    Bundling Vega with vl-convert takes about a second, so the file is kept in the user's cache
    folder (``helpers.paths.cache_dir()``, private), named by the vl-convert and Altair versions,
    and every worker reads it instead of bundling again. Its SHA-256 is recorded beside it, and a
    file that does not match is built again (``helpers.render.jsbundle.read_checked``): a planted
    file is never embedded. No shared temp folder is read or written.
    """
    # Named by package versions read from metadata: importing altair here would cost seconds.
    # "-vg": Vega alone, packed (helpers.render.offline); older files held Vega-Lite and vega-embed too.
    vlc, altair = installed_version("vl-convert-python"), installed_version("altair")
    path = cache_dir() / f"vega-runtime-vlc{vlc}-altair{altair}-vg.js"
    if read_checked(path) is not None:
        return path
    return write_checked(path, packed_js(vega_runtime_js()))


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no ``</script>``, no HTML comments)."""
    encoded = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_js(code: Any) -> str:
    """JavaScript that cannot end its <script> element early."""
    return re.sub(r"</(script)", r"<\\/\1", str(code), flags=re.IGNORECASE)


def text(value: Any) -> str:
    """A notebook string field, which may be stored as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def _markdown(source: str) -> str:
    from nbconvert.filters.markdown import markdown2html

    return markdown2html(source)


def banner(note: str | None) -> str:
    """The page's one disclaimer: the notebook's own quote (markdown, after its first sentence) or the suite's."""
    clinician = "Anyone considering treatment should talk to a qualified clinician."
    body = _markdown(note).strip() if note else f"<p>{html.escape(EDUCATIONAL_NOTE.removeprefix(DISCLAIMER))}</p>"
    lead = f"<strong>{html.escape(DISCLAIMER)}</strong>"
    if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1:  # one paragraph: run on
        body = f"<p>{lead} {body[3:-4].strip()} {clinician}</p>"
    else:
        body = f"<p>{lead}</p>\n{body}\n<p>{clinician}</p>"
    return f'<div class="educational-note" role="note">{body}</div>'


def title(nb: Any) -> str | None:
    """The notebook's first heading, without the ``#`` (None when it has none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in text(cell.source).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return None
