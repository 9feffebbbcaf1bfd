// Shared by view.js (saved reports) and a11y.js (explorer panels); helpers/render prepends it to both.
// Vega names a mark's container by its items' descriptions: a layer the params leave empty is an
// unnamed <g role="graphics-symbol"> (axe: svg-img-alt), hidden from assistive technology while empty.
function keHideEmptyMarks(root) {
  root.querySelectorAll("g.role-mark").forEach(function (g) {
    var empty = g.getAttribute("role") === "graphics-symbol" && !g.hasAttribute("aria-label") && !g.childElementCount;
    if (empty) {
      g.setAttribute("aria-hidden", "true");
      g.setAttribute("data-ke-empty", "");
    } else if (g.hasAttribute("data-ke-empty")) {
      g.removeAttribute("aria-hidden");
      g.removeAttribute("data-ke-empty");
    }
  });
}
