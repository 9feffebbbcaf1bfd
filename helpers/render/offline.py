"""Offline chart drawing.

Altair's default renderer fetches Vega from a CDN, and JupyterLab's built-in
Vega renderer does not take Vega-Lite 6. Here every route to the screen uses the
Vega, Vega-Lite and vega-embed bundle shipped inside vl-convert-python, so charts
draw with the network closed: widgets (``alt.JupyterChart``), plain chart
display, and saved HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache

import altair as alt

from helpers.render.jsbundle import cache_javascript_bundles


@lru_cache(maxsize=1)
def enable_offline() -> None:
    """Make JupyterChart and the notebook renderer load their JavaScript from vl-convert.

    The bundle vl-convert builds for this is the same every time (about 2 s of CPU in every
    JupyterLab and Voilà kernel), so it is read from the disk cache once built
    (``helpers.render.jsbundle.cache_javascript_bundles``).
    """
    cache_javascript_bundles()
    alt.JupyterChart.enable_offline()
    alt.renderers.enable("jupyter", offline=True)


VEGA_NAMESPACE_MARK = "/*ke: window.vega is Vega's namespace*/"


@lru_cache(maxsize=1)
def vega_runtime_js() -> str:
    """vega, vega-lite and vega-embed as one script that sets ``window.vegaEmbed`` and ``window.vega``."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return with_vega_namespace(vlc.javascript_bundle(vl_version=vl_version_for_vl_convert()))


def with_vega_namespace(code: str) -> str:
    """``code`` with ``window.vega`` set to Vega's module namespace, so ``static/params.js`` can use
    ``vega.parseExpression`` and ``vega.codegenExpression``.

    vl-convert's bundle ends with ``window.vega=__default``, the namespace's ``default`` export,
    which is null (vl-convert 1.x). The namespace itself is a top-level ``const`` of the script
    (an object holding ``Dataflow`` ... ``parseExpression``), so a line appended to the same script
    can reach it. A bundle whose ``window.vega`` is already set is left as it is.
    """
    if VEGA_NAMESPACE_MARK in code:
        return code
    at = code.find("parseExpression:")
    heads = list(re.finditer(r"const (\w+)=function\(\)\{return\{Dataflow:", code[: max(at, 0)]))
    if at < 0 or not heads or "codegenExpression:" not in code[heads[-1].start() : at]:
        return code  # an unknown layout: params.js says what is missing
    name = heads[-1].group(1)
    return f"{code}\n{VEGA_NAMESPACE_MARK}if(!window.vega||!window.vega.parseExpression){{window.vega={name};}}\n"
