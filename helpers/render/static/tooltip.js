/* A chart's tooltip in a saved page: the fields of the mark under the pointer, in a box beside it.
 * Vega's own handler sets the SVG's title attribute, which touch screens never show and which cuts
 * long quotes; vega-embed's handler (vega-tooltip) is not in the page, so this small one stands in.
 * window.keTooltip is a Vega tooltip handler: view.tooltip(window.keTooltip).
 */
(function () {
  "use strict";

  var box = null;
  var MISSING = /^\s*(null|undefined|NaN)?\s*$/;

  function element() {
    if (box) return box;
    box = document.createElement("div");
    box.className = "ke-tooltip";
    box.setAttribute("role", "tooltip");
    box.hidden = true;
    document.body.appendChild(box);
    return box;
  }

  function text(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function fill(el, value) {
    el.textContent = "";
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      var table = document.createElement("table");
      Object.keys(value).forEach(function (key) {
        var shown = text(value[key]);
        // Vega-Lite writes a missing field as the text "null" (or "undefined", "NaN"): a value the
        // document does not state is left out, never shown as a word it never used.
        if (MISSING.test(shown)) return;
        if (key === "title") {
          var title = document.createElement("caption");
          title.textContent = shown;
          table.insertBefore(title, table.firstChild);
          return;
        }
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.textContent = key;
        var td = document.createElement("td");
        td.textContent = shown;
        tr.appendChild(th);
        tr.appendChild(td);
        table.appendChild(tr);
      });
      el.appendChild(table);
    } else {
      el.textContent = text(value);
    }
  }

  function handler(view, event, item, value) {
    var el = element();
    if (value === null || value === undefined || value === "" || !event) {
      el.hidden = true;
      return;
    }
    fill(el, value);
    el.hidden = false;
    // Beside the pointer, kept inside the window.
    var x = event.clientX + 12;
    var y = event.clientY + 12;
    var w = el.offsetWidth;
    var h = el.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, event.clientX - w - 12);
    if (y + h > window.innerHeight - 4) y = Math.max(4, event.clientY - h - 12);
    el.style.left = x + "px";
    el.style.top = y + "px";
  }

  window.keTooltip = handler;
})();
