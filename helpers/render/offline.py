"""Offline chart drawing.

Altair's default renderer fetches Vega from a CDN, and JupyterLab's built-in
Vega renderer does not take Vega-Lite 6. Here every route to the screen uses the
Vega, Vega-Lite and vega-embed bundle shipped inside vl-convert-python, so charts
draw with the network closed: widgets (``alt.JupyterChart``), plain chart
display, and saved HTML.
"""

from __future__ import annotations

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


@lru_cache(maxsize=1)
def vega_runtime_js() -> str:
    """vega, vega-lite and vega-embed as one script that sets ``window.vegaEmbed``."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
