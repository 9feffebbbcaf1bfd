/* Views that run in the page: a saved report stays interactive with no kernel and no network.
 *
 * Each view section (section.ke-view) holds its payload (spec with bound params, controls, rows)
 * in a JSON script (script.ke-view-data). The chart's params are bound
 * to HTML inputs by Vega; this script only follows the view: after every param change it
 * reads the rows the chart's filters kept (the data of the unit named "rows"), and shows
 * that count, those table rows and that CSV. A click on a figure shows its source; the URL
 * hash holds the current params, so a copied link opens the same view.
 */
(function () {
  "use strict";

  function findMarkData(spec, markName) {
    var marks = (spec && spec.marks) || [];
    for (var i = 0; i < marks.length; i++) {
      var mark = marks[i];
      // Inside a concat Altair may number a unit's name ("rows_0"): accept that too.
      var named = mark.name === markName || (markName.slice(-6) === "_marks" &&
        new RegExp("^" + markName.slice(0, -6) + "_\\d+_marks$").test(mark.name || ""));
      if (named && mark.from && mark.from.data) return mark.from.data;
      var inner = findMarkData(mark, markName);
      if (inner) return inner;
    }
    return null;
  }

  function parseValue(control, raw) {
    if (control.options) {
      var wanted = raw.split(",").map(function (s) { return s.trim().toLowerCase(); }).filter(Boolean);
      var lower = control.options.map(function (o) { return o.toLowerCase(); });
      var ok = wanted.length > 0 && wanted.every(function (w) { return lower.indexOf(w) >= 0; });
      if (!ok) return { ok: false, valid: "a comma-separated list of " + control.options.join(", ") };
      return { ok: true, value: control.options.filter(function (o) { return wanted.indexOf(o.toLowerCase()) >= 0; }).join(",") };
    }
    if (control.choices) {
      for (var i = 0; i < control.choices.length; i++) {
        if (String(control.choices[i]) === raw) return { ok: true, value: control.choices[i] };
      }
      return { ok: false, valid: control.choices.join(" | ") };
    }
    if (control.kind === "bool") {
      if (raw === "true" || raw === "false") return { ok: true, value: raw === "true" };
      return { ok: false, valid: "true | false" };
    }
    var number = Number(raw);
    var valid = control.min + " to " + control.max;
    if (raw === "" || !isFinite(number)) return { ok: false, valid: valid };
    if (control.kind === "int" && Math.round(number) !== number) return { ok: false, valid: "whole numbers, " + valid };
    if (control.min !== undefined && (number < control.min || number > control.max)) return { ok: false, valid: valid };
    return { ok: true, value: number };
  }

  function csvText(rows, columns) {
    function cell(value) {
      if (value === null || value === undefined) return "";
      var text = String(value);
      return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    var lines = [columns.map(cell).join(",")];
    rows.forEach(function (row) {
      lines.push(columns.map(function (c) { return cell(row[c]); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function passes(filter, row, value) {
    if (value === "all") return true;
    return filter.columns.some(function (c) { return row[c] !== null && String(row[c]) === String(value); });
  }

  function sourcePanel(fields, labels, row) {
    var dl = document.createElement("dl");
    fields.forEach(function (key) {
      if (row[key] === null || row[key] === undefined || row[key] === "") return;
      var dt = document.createElement("dt");
      dt.textContent = labels[key] || key;
      var dd = document.createElement("dd");
      dd.textContent = String(row[key]);
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    return dl;
  }

  var LABELS = {
    id: "row id",
    value_label: "figure",
    quote: "sentence",
    evidence_kind: "evidence kind (as the document states it)",
    evidence_cue: "words that support the evidence kind",
    section: "section",
    source_label: "document"
  };

  function initView(section) {
    var payload = JSON.parse(section.querySelector("script.ke-view-data").textContent);
    var spec = payload.spec;
    var byName = {};
    payload.controls.forEach(function (c) { byName[c.name] = c; });
    var values = Object.assign({}, payload.values);

    // A shared link: #condition=fibromyalgia&arm=ketamine. Unknown names or values are ignored, and said.
    var notes = [];
    var hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    hash.forEach(function (raw, name) {
      var control = byName[name];
      if (!control) {
        notes.push("ignored " + name + "=" + raw + ": unknown name; valid names: " + Object.keys(byName).join(", "));
        return;
      }
      if (payload.kernel_only.indexOf(name) >= 0) {
        notes.push("ignored " + name + "=" + raw + ": this setting needs the notebook's kernel (see the note below)");
        return;
      }
      var parsed = parseValue(control, raw);
      if (!parsed.ok) {
        notes.push("ignored " + name + "=" + raw + ": not a valid " + name + "; valid: " + parsed.valid);
        return;
      }
      values[name] = parsed.value;
    });
    var bySignal = {};
    payload.controls.forEach(function (c) { bySignal[c.signal] = c.name; });
    (spec.params || []).forEach(function (p) {
      var name = bySignal[p.name];
      if (!p.select && name !== undefined && Object.prototype.hasOwnProperty.call(values, name)) p.value = values[name];
    });
    var noteBox = section.querySelector(".ke-notes");
    if (notes.length) {
      noteBox.hidden = false;
      var list = document.createElement("ul");
      notes.forEach(function (n) { var li = document.createElement("li"); li.textContent = n; list.appendChild(li); });
      noteBox.textContent = "Some settings in the link were ignored:";
      noteBox.appendChild(list);
    }

    var chartEl = section.querySelector(".ke-chart");
    var bindEl = section.querySelector(".ke-controls");
    var count = section.querySelector(".ke-count");
    var download = section.querySelector("a.ke-download");
    var sourceBox = section.querySelector(".ke-source");
    var tableRows = Array.prototype.slice.call(section.querySelectorAll(".ke-table tr[data-id]"));
    var rowsById = {};
    payload.rows.forEach(function (r) { rowsById[r.id] = r; });
    var csvColumns = payload.rows.length ? Object.keys(payload.rows[0]) : payload.table_columns;
    var blobUrl = null;
    var updates = 0;

    return vegaEmbed(chartEl, spec, { actions: false, renderer: "svg", bind: bindEl }).then(function (result) {
      var view = result.view;
      var rowsData = findMarkData(result.vgSpec, payload.rows_mark + "_marks");

      function current() {
        var out = {};
        payload.controls.forEach(function (c) { out[c.name] = view.signal(c.signal); });
        return out;
      }

      function update() {
        var kept = rowsData ? view.data(rowsData) : [];
        var ids = {};
        kept.forEach(function (d) { ids[d.id] = true; });
        tableRows.forEach(function (tr) { tr.hidden = !ids[tr.getAttribute("data-id")]; });
        var n = Object.keys(ids).length;
        count.textContent = n + " of " + payload.rows.length + " " + payload.noun + " match.";
        var chosen = payload.rows.filter(function (r) { return ids[r.id]; });
        if (blobUrl) URL.revokeObjectURL(blobUrl);
        blobUrl = URL.createObjectURL(new Blob([csvText(chosen, csvColumns)], { type: "text/csv;charset=utf-8" }));
        download.href = blobUrl;
        download.textContent = "Download these " + n + " " + payload.noun + " as CSV";
        var now = current();
        payload.extras.forEach(function (extra, i) {
          var box = section.querySelector('.ke-extra[data-extra="' + i + '"]');
          var shown = 0;
          box.querySelectorAll("tr[data-row]").forEach(function (tr) {
            var row = extra.rows[Number(tr.getAttribute("data-row"))];
            var ok = extra.filters.every(function (f) { return passes(f, row, view.signal(f.param)); });
            tr.hidden = !ok;
            if (ok) shown += 1;
          });
          box.querySelector(".ke-extra-count").textContent = shown + " of " + extra.rows.length + " " + extra.noun + " match.";
        });
        var shared = new URLSearchParams();
        payload.controls.forEach(function (c) {
          if (payload.kernel_only.indexOf(c.name) < 0) shared.set(c.name, String(now[c.name]));
        });
        keHideEmptyMarks(chartEl);
        history.replaceState(null, "", "#" + shared.toString());
        section.setAttribute("data-state", JSON.stringify(now));
        updates += 1;
        section.setAttribute("data-updates", String(updates));  // tests and the benchmark wait on this
        section.setAttribute("data-ready", "true");
      }

      function showSource(id) {
        var row = rowsById[id];
        if (!row) return;
        sourceBox.textContent = "";
        var heading = document.createElement("p");
        heading.className = "ke-source-title";
        heading.textContent = "Source of " + id;
        sourceBox.appendChild(heading);
        sourceBox.appendChild(sourcePanel(payload.source_fields, LABELS, row));
      }

      payload.controls.forEach(function (c) {
        // Vega calls a signal listener as the signal changes, before the filters downstream have run:
        // wait for the run in progress to finish, then read the rows.
        view.addSignalListener(c.signal, function () {
          Promise.resolve().then(function () { return view.runAsync(); }).then(update);
        });
      });
      view.addEventListener("click", function (event, item) {
        var datum = item && item.datum;
        if (datum && datum.id && rowsById[datum.id]) showSource(datum.id);
      });
      update();
      window.keViews = window.keViews || {};
      var signals = {};
      payload.controls.forEach(function (c) { signals[c.name] = c.signal; });
      window.keViews[payload.notebook] = { view: view, rowsData: rowsData, update: update, result: result, signals: signals };
      return result;
    });
  }

  function start() {
    document.querySelectorAll("section.ke-view").forEach(function (section) {
      initView(section).catch(function (error) {
        section.querySelector(".ke-chart").textContent = "This chart could not be drawn: " + error;
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
