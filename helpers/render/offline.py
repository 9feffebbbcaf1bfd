"""Offline chart drawing.

Altair's default renderer fetches Vega from a CDN, and JupyterLab's built-in
Vega renderer does not take Vega-Lite 6. Here every route to the screen uses the
JavaScript shipped inside vl-convert-python, so charts draw with the network closed:

- widgets (``alt.JupyterChart``) and plain chart display: vl-convert's Vega, Vega-Lite and
  vega-embed bundle (:func:`enable_offline`);
- saved pages: the views are compiled to Vega when the page is written
  (``helpers.render.compiled``), so the page needs the Vega runtime alone
  (:func:`vega_runtime_js`): no Vega-Lite compiler, no vega-embed.
"""

from __future__ import annotations

import base64
import gzip
from functools import lru_cache

from helpers.render.jsbundle import cache_javascript_bundles


@lru_cache(maxsize=1)
def enable_offline() -> None:
    """Make JupyterChart and the notebook renderer load their JavaScript from vl-convert.

    The bundle vl-convert builds for this is the same every time (about 2 s of CPU in every
    JupyterLab and Voilà kernel), so it is read from the disk cache once built
    (``helpers.render.jsbundle.cache_javascript_bundles``).
    """
    import altair as alt

    cache_javascript_bundles()
    alt.JupyterChart.enable_offline()
    alt.renderers.enable("jupyter", offline=True)


RUNTIME_MARK = "/*ke: Vega runtime*/"  # starts vega_runtime_js(); tests count it
PACKED_MARK = "/*ke: Vega runtime, gzip*/"  # starts packed_js(); a report holds it once

# vl-convert's bundler resolves its vendored modules by their jsDelivr paths. The page needs the
# view, the parser, the expression parser and code generator (static/params.js) and the transforms a
# compiled Vega-Lite chart uses; Vega's geo, force, hierarchy, label, regression, voronoi, wordcloud
# and crossfilter transforms stay out (a third of Vega's weight). ``helpers.render.compiled`` refuses
# a spec that needs one of them, naming it.
SUBSET_MODULES = {  # the versions inside vl-convert-python 1.9 (Vega 6.2.0)
    "vega-view": "6.1.0",
    "vega-parser": "7.1.0",
    "vega-dataflow": "6.1.0",
    "vega-util": "2.1.0",
    "vega-transforms": "5.1.0",
    "vega-view-transforms": "5.1.0",
    "vega-encode": "5.1.0",
    "vega-expression": "6.1.0",
}
LEFT_OUT_TRANSFORMS = frozenset(
    "contour geojson geopath geopoint geoshape graticule heatmap isocontour kde2d force nest pack partition "
    "stratify tree treelinks treemap label loess regression voronoi wordcloud crossfilter resolvefilter".split()
)
SUBSET_SNIPPET = """
import {View} from "/npm/vega-view@%(vega-view)s/+esm";
import {parse} from "/npm/vega-parser@%(vega-parser)s/+esm";
import {transforms} from "/npm/vega-dataflow@%(vega-dataflow)s/+esm";
import {extend} from "/npm/vega-util@%(vega-util)s/+esm";
import * as tx from "/npm/vega-transforms@%(vega-transforms)s/+esm";
import * as vtx from "/npm/vega-view-transforms@%(vega-view-transforms)s/+esm";
import * as encode from "/npm/vega-encode@%(vega-encode)s/+esm";
import {parseExpression, codegenExpression} from "/npm/vega-expression@%(vega-expression)s/+esm";
extend(transforms, tx, vtx, encode);
window.vega = {View, parse, parseExpression, codegenExpression, version: "%(version)s", build: "ke-vega-subset"};
"""
SUBSET_NAME = "ke-vega-subset"
WHOLE_SNIPPET = 'import * as vega from "/npm/vega@%(version)s/+esm";\nwindow.vega = vega;\n'


@lru_cache(maxsize=1)
def vega_runtime_js() -> str:
    """The Vega runtime for saved pages, as one script that sets ``window.vega``.

    ``window.vega`` holds ``View``, ``parse`` (a compiled spec to a dataflow),
    ``parseExpression`` and ``codegenExpression`` (``static/params.js`` evaluates the declared
    rules with them). It is the subset of Vega in :data:`SUBSET_MODULES` (about 440 kB), or
    Vega's whole namespace (about 590 kB) when this vl-convert does not vendor those versions.
    """
    import vl_convert as vlc

    version = vlc.get_vega_version()
    try:
        code = vlc.javascript_bundle(SUBSET_SNIPPET % {**SUBSET_MODULES, "version": version})
    except Exception:  # noqa: BLE001 - another vl-convert: other module versions, so take Vega whole
        code = vlc.javascript_bundle(WHOLE_SNIPPET % {"version": version})
    return f"{RUNTIME_MARK}{code}\n"


def runtime_is_subset(code: str) -> bool:
    """Whether ``code`` (a :func:`vega_runtime_js`) leaves out :data:`LEFT_OUT_TRANSFORMS`."""
    return SUBSET_NAME in code


def gzip_base64(data: str | bytes) -> str:
    """``data`` gzipped (no timestamp, so the same input gives the same text) and base64-encoded."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def gunzip_base64(text: str) -> str:
    """The text :func:`gzip_base64` packed (static/unzip.js does the same in the page)."""
    return gzip.decompress(base64.b64decode(text)).decode("utf-8")


# The packed runtime: the code unzipped by the browser's own DecompressionStream, then run in the
# global scope. window.keVega is the promise of window.vega, which static/view.js waits for.
PACKED_LOADER = (
    "(function(){var b=atob(%s),n=b.length,u=new Uint8Array(n);for(var i=0;i<n;i++)u[i]=b.charCodeAt(i);"
    'window.keVega=new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream("gzip"))).text()'
    ".then(function(code){(0,eval)(code);return window.vega;});})();\n"
)


def packed_js(code: str) -> str:
    """``code`` as a script less than half its size: gzipped, base64, unzipped by the browser.

    A saved report carries the Vega runtime this way (about 200 kB instead of 440 kB); the first
    chart waits about 5 ms more for it (``benchmarks/bench_browser.py --only pages``).
    """
    return PACKED_MARK + PACKED_LOADER % ('"' + gzip_base64(code) + '"')
