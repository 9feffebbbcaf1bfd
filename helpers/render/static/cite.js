/* A view's tools in a saved page, offline: the chart as a PNG or SVG file (Vega's view.toImageURL),
 * "cite this view" (the document, sentence and row id of the figure in the source panel, and the link
 * to this view with a copy button), and a highlighted figure (#highlight=<row id>: its panel shown,
 * a ring around its mark, scrolled into sight) or row of a table beside the chart (07's contradictions:
 * the row marked and scrolled into sight, its fields in the panel). view.js calls
 * window.keCite(section, k) once the chart has drawn, with k = {view, payload, rowsById, showSource(id),
 * kept() -> ids shown, extraRow(id) -> {row, tr, noun, columns, labels, shown, fixes} or null,
 * showExtra(id)}, and gets back {highlight(id), selected(id), refresh(), current()}.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Which mark to ring when a row draws several (a point, its interval, its label): the figure's own mark first.
  var RANK = { symbol: 0, rect: 1, rule: 2, area: 3, line: 3, arc: 3, path: 3, shape: 3, trail: 3, image: 4, text: 5 };

  /* The page box (getBoundingClientRect) of the SVG element drawing row `id`, from Vega's scenegraph
   * (the SVG renderer keeps each item's element as item._svg). */
  function itemBox(view, id) {
    var best = null;
    function visitMark(mark) {
      (mark.items || []).forEach(function (item) {
        if (mark.marktype === "group") {
          (item.items || []).forEach(visitMark);
          return;
        }
        if (!item.datum || item.datum.id !== id || !item._svg) return;
        var rank = RANK[mark.marktype] === undefined ? 4 : RANK[mark.marktype];
        var box = item._svg.getBoundingClientRect();
        if (!box.width && !box.height) return;
        var area = box.width * box.height;
        if (!best || rank < best.rank || (rank === best.rank && area < best.area)) best = { box: box, rank: rank, area: area };
      });
    }
    visitMark(view.scenegraph().root);
    return best && best.box;
  }

  function attach(section, k) {
    var nb = k.payload.notebook;
    var chartEl = section.querySelector(".ke-chart");
    var tools = el("div", "ke-tools");
    ["png", "svg"].forEach(function (format) {
      var button = el("button", "ke-image", "Download the chart as " + format.toUpperCase());
      button.type = "button";
      button.setAttribute("data-format", format);
      button.addEventListener("click", function () {
        k.view.toImageURL(format, format === "png" ? 2 : 1).then(function (url) {
          var a = el("a");
          a.href = url;
          a.download = nb + "." + format;
          document.body.appendChild(a);
          a.click();
          a.remove();
        });
      });
      tools.appendChild(button);
    });
    var highlightNote = el("p", "ke-highlight-note");
    highlightNote.hidden = true;
    highlightNote.setAttribute("role", "status");
    chartEl.insertAdjacentElement("afterend", tools);
    tools.insertAdjacentElement("afterend", highlightNote);

    var cite = el("details", "ke-cite");
    cite.appendChild(el("summary", null, "Cite this view"));
    var figure = el("div", "ke-cite-figure");
    var linkRow = el("p", "ke-cite-link");
    var linkLabel = el("label", null, "Link to this view ");
    var link = el("input");
    link.type = "text";
    link.readOnly = true;
    link.className = "ke-cite-url";
    linkLabel.appendChild(link);
    var copy = el("button", "ke-copy", "Copy the link");
    copy.type = "button";
    copy.addEventListener("click", function () {
      link.select();
      var done = function () { copy.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(link.value).then(done, function () { document.execCommand("copy"); done(); });
      else { document.execCommand("copy"); done(); }
    });
    linkRow.appendChild(linkLabel);
    linkRow.appendChild(copy);
    cite.appendChild(figure);
    cite.appendChild(linkRow);
    section.querySelector(".ke-source").insertAdjacentElement("afterend", cite);

    var selectedId = null;
    var highlighted = null;
    var ring = null;
    var markedRow = null;  // the table row element of a highlighted extra row

    function describe() {
      figure.textContent = "";
      var row = selectedId && k.rowsById[selectedId];
      var extra = !row && selectedId && k.extraRow(selectedId);
      if (extra) {
        figure.appendChild(window.keSourcePanel(extra.columns, extra.labels, extra.row));
        var cited = el("p");
        cited.appendChild(el("strong", null, (k.payload.labels.id || "row id") + ": "));
        cited.appendChild(el("code", "ke-cite-id", selectedId));
        cited.appendChild(document.createTextNode(" (" + nb + ", " + extra.noun + ")"));
        figure.appendChild(cited);
        return;
      }
      if (!row) {
        figure.appendChild(el("p", "ke-cite-hint", k.payload.hints.cite));
        return;
      }
      var labels = k.payload.labels;
      var doc = el("p");
      doc.appendChild(el("strong", null, (labels.source_label || "document") + ": "));
      doc.appendChild(document.createTextNode(String(row.source_label || row.source_id || "")));
      figure.appendChild(doc);
      if (row.quote) figure.appendChild(el("blockquote", "ke-cite-quote", String(row.quote)));
      var rid = el("p");
      rid.appendChild(el("strong", null, (labels.id || "row id") + ": "));
      rid.appendChild(el("code", "ke-cite-id", String(row.id)));
      rid.appendChild(document.createTextNode(" (" + nb + ")"));
      figure.appendChild(rid);
    }

    function place() {
      if (!highlighted || !k.kept()[highlighted]) {
        if (ring) ring.hidden = true;
        return false;
      }
      var box = itemBox(k.view, highlighted);
      if (!box) {
        if (ring) ring.hidden = true;
        return false;
      }
      if (!ring) {
        ring = el("div", "ke-ring");
        ring.setAttribute("aria-hidden", "true");
        chartEl.appendChild(ring);
      }
      var c = chartEl.getBoundingClientRect();
      var cx = box.left - c.left + chartEl.scrollLeft + box.width / 2;
      var cy = box.top - c.top + chartEl.scrollTop + box.height / 2;
      var r = Math.max(10, Math.min(40, Math.max(box.width, box.height) / 2 + 6));
      ring.style.left = cx - r + "px";
      ring.style.top = cy - r + "px";
      ring.style.width = ring.style.height = 2 * r + "px";
      ring.hidden = false;
      return true;
    }

    function say(text) {
      highlightNote.textContent = text || "";
      highlightNote.hidden = !text;
    }

    function unmark() {
      if (markedRow) {
        markedRow.classList.remove("ke-row-highlight");
        markedRow.removeAttribute("aria-current");
      }
      markedRow = null;
    }

    function highlight(id) {
      id = id === null || id === undefined ? null : String(id);
      highlighted = null;
      unmark();
      delete section.dataset.highlight;
      if (!id) {
        say("");
        place();
        return { ok: true, note: "" };
      }
      var extra = !k.rowsById[id] && k.extraRow(id);
      if (extra) {
        // A row of a table beside the chart: marked, its fields in the panel, scrolled into sight (or, while
        // the settings hide it, the note that names the setting that shows it).
        highlighted = id;
        section.dataset.highlight = id;
        markedRow = extra.tr;
        markedRow.classList.add("ke-row-highlight");
        markedRow.setAttribute("aria-current", "true");
        k.showExtra(id);
        selectedId = id;
        describe();
        status();
        (extra.shown ? markedRow : highlightNote).scrollIntoView({ block: "center" });
        return { ok: extra.shown, note: highlightNote.textContent };
      }
      if (!k.rowsById[id]) {
        say("No figure '" + id + "' in this view: nothing is highlighted.");
        place();
        return { ok: false, note: highlightNote.textContent };
      }
      highlighted = id;
      section.dataset.highlight = id;
      k.showSource(id);
      selectedId = id;
      describe();
      status();
      (ring && !ring.hidden ? ring : chartEl).scrollIntoView({ block: "center" });
      return { ok: !!k.kept()[id], note: highlightNote.textContent };
    }

    function refresh() {
      link.value = window.location.href;
      copy.textContent = "Copy the link";
      if (highlighted) status();
    }

    function status() {
      var ringed = place();
      var extra = markedRow && k.extraRow(highlighted);
      if (extra) {
        if (extra.shown) say("");
        else say(highlighted + " is in the " + extra.noun + " table, hidden by the current settings: set " + extra.fixes.join(" and ") + " to show it.");
        return;
      }
      if (!k.kept()[highlighted]) say("Figure " + highlighted + " is not shown with the current settings: change them to see it in the chart.");
      else if (!ringed) say("Figure " + highlighted + " has no mark of its own in this chart: its row is in the table below.");
      else say("");
    }

    describe();
    refresh();
    return {
      highlight: highlight,
      selected: function (id) { selectedId = id; describe(); },
      refresh: refresh,
      current: function () { return highlighted; },
    };
  }

  window.keCite = attach;
})();
