/* One path per line or area per redraw in Vega's SVG renderer.
 *
 * Vega 6.2's SVGRenderer._dirtyCheck draws a line's or an area's whole path (one SVG path from all its
 * points) again for every point that leaves it (its exit branch lacks the once-per-pass check its
 * update branch has). A filter that drops points then costs points x path length: 08's curves drew
 * their 363-point paths 363 times each when ``hours`` moved (62 ms of a 100 ms change). Within one
 * pass every such draw writes the same path (the mark's items are final by then), so the first is
 * kept and the rest skipped. Only the instance given is changed, and only when it has the methods
 * named; a Vega without them is left as it is. window.keDrawPathsOnce(view).
 */
(function () {
  "use strict";

  function drawPathsOnce(view) {
    var renderer = view && view._renderer;
    if (!renderer || typeof renderer._dirtyCheck !== "function" || typeof renderer._update !== "function") return false;
    if (renderer.keDrawsPathsOnce) return true;
    renderer.keDrawsPathsOnce = true;
    var dirtyCheck = renderer._dirtyCheck;
    renderer._dirtyCheck = function () {
      var own = Object.prototype.hasOwnProperty.call(this, "_update") ? this._update : null;
      var update = this._update;  // looked up each pass: whatever draws a mark now
      var drawn = new Set();
      this._update = function (mdef, el, item) {
        if (mdef && mdef.nested) {
          if (drawn.has(el)) return;
          drawn.add(el);
        }
        return update.call(this, mdef, el, item);
      };
      try {
        return dirtyCheck.call(this);
      } finally {
        if (own) this._update = own;
        else delete this._update;  // the prototype's again, for the full redraws outside the dirty check
      }
    };
    return true;
  }

  window.keDrawPathsOnce = drawPathsOnce;
})();
