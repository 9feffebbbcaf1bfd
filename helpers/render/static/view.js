/* Views that run in the page: a saved report stays interactive with no kernel and no network.
 *
 * Each view section (section.ke-view) holds its payload (the chart compiled to Vega when the page was
 * written, its params bound to HTML inputs, the parameter declaration, rows, labels and hints) in a
 * JSON script (script.ke-view-data), gzipped when data-encoding says so. The page's Vega runtime
 * (window.vega, or the promise window.keVega while a packed runtime unzips) draws it: no Vega-Lite
 * compiler and no vega-embed. This script follows the view: the link's values and every control
 * change go through the declaration's verdict (params.js, the same as Python's), so a refused value
 * is ignored, said, and never drawn. After every change (of a control, or of the rows unit's data, as
 * a click on 07's bars narrows it) it reads the rows the chart's filters kept (the data of the unit
 * named "rows"), and shows that count, those table rows and that CSV. A click
 * on a figure shows its source; the URL hash holds the values that differ from the defaults, so a
 * copied link opens the same view.
 */
(function () {
  "use strict";

  var HIGHLIGHT = "highlight";

  function readPayload(el) {
    if (el.getAttribute("data-encoding") === "gzip+base64") return window.keUnzipText(el.textContent).then(JSON.parse);
    return Promise.resolve(JSON.parse(el.textContent));
  }

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

  // A cell as page.py's csv_cell writes it: a formula neutralized the OWASP way (a leading quote), then quoted.
  function csvText(rows, columns) {
    function cell(value) {
      if (value === null || value === undefined) return "";
      var text = String(value);
      if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
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

  function showNotes(box, title, lines) {
    box.textContent = "";
    if (!lines.length) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.appendChild(document.createTextNode(title));
    var list = document.createElement("ul");
    lines.forEach(function (n) { var li = document.createElement("li"); li.textContent = n; list.appendChild(li); });
    box.appendChild(list);
  }

  function initView(section, vega) {
    return readPayload(section.querySelector("script.ke-view-data")).then(function (payload) {
      return drawView(section, payload, vega);
    });
  }

  function drawView(section, payload, vega) {
    var spec = payload.vega;
    var K = window.keParams;
    var declared = payload.params;  // helpers.params.declare.Spec.to_json(): the notebook's parameters, once
    var params = declared.params;
    var hints = payload.hints;
    var fill = K.fill;
    var nameOf = {};
    params.forEach(function (p) { nameOf[p.signal] = p.name; });
    var noteBox = section.querySelector(".ke-notes");
    function note(problems) { showNotes(noteBox, hints.notes, K.bounded(declared, problems)); }

    // A shared link: #condition=fibromyalgia&arm=ketamine. The declaration's verdict (the same as Python's):
    // what it refuses is ignored, and said; the controls start at the values used.
    // highlight=<row id> is the page's own key, not a parameter: taken out before the verdict.
    var pairs = K.hashPairs(window.location.hash);
    var wanted = null;
    pairs = pairs.filter(function (pair) {
      if (pair[0] !== HIGHLIGHT) return true;
      wanted = pair[1];
      return false;
    });
    var verdict = K.read(declared, pairs, payload.values);
    var accepted = verdict.values;
    (spec.signals || []).forEach(function (s) {
      var name = nameOf[s.name];
      if (s.bind && name !== undefined) s.value = accepted[name];
    });
    note(verdict.problems);
    // The data sets that hold the payload's rows (written once in the file): a copy each, since Vega
    // adds fields to the objects it is given, and the CSV and the source panel read the rows as they are.
    (spec.data || []).forEach(function (d) {
      if ((payload.rows_data || []).indexOf(d.name) >= 0) {
        d.values = payload.rows.map(function (r) { return Object.assign({}, r); });
      }
    });

    var chartEl = section.querySelector(".ke-chart");
    var bindEl = section.querySelector(".ke-controls");
    var count = section.querySelector(".ke-count");
    var download = section.querySelector("a.ke-download");
    var sourceBox = section.querySelector(".ke-source");
    var tableRows = Array.prototype.slice.call(section.querySelectorAll(".ke-table tr[data-id]"));
    var rowsById = {};
    payload.rows.forEach(function (r) { rowsById[r.id] = r; });
    var csvColumns = payload.columns || (payload.rows.length ? Object.keys(payload.rows[0]) : payload.table_columns);
    var blobUrl = null;
    var blobRows = null;  // the ids of the rows kept, as the file has (or is about to have) them
    var fileRows = null;  // rows the file is still to be written with (update)
    function writeFile() {
      if (!fileRows) return;
      if (blobUrl) URL.revokeObjectURL(blobUrl);
      blobUrl = URL.createObjectURL(new Blob([csvText(fileRows, csvColumns)], { type: "text/csv;charset=utf-8" }));
      fileRows = null;
      download.href = blobUrl;
    }
    // A pointer or the keyboard reaches the link before it follows it: the file is the rows kept then.
    ["pointerover", "pointerdown", "focus", "click", "contextmenu"].forEach(function (name) {
      download.addEventListener(name, writeFile);
    });
    var updates = 0;
    var tools = null;  // cite.js: downloads, "cite this view", the highlighted figure
    var keptIds = {};

    chartEl.classList.add("vega-embed");  // as vega-embed marked it: tests and styles find charts by it
    // The chart drawn when the page was written (helpers.render.baked) stays in sight, beside the box,
    // while the live one draws and fits the box (kept at no height meanwhile); then it goes.
    var baked = chartEl.querySelector(".ke-baked");
    if (baked) {
      chartEl.parentNode.insertBefore(baked, chartEl);
      chartEl.classList.add("ke-drawing");
    }
    // The chart fits its box (layout.js); a spec the adjustments would break is drawn as it was written.
    var plain = JSON.stringify(spec);
    var plan = window.keLayout.prepare(spec, chartEl.clientWidth);
    var runtime;
    try {
      runtime = vega.parse(spec);
    } catch (error) {
      spec = JSON.parse(plain);
      plan = { widths: [], texts: [] };
      runtime = vega.parse(spec);
    }
    var view = new vega.View(runtime, { container: chartEl, renderer: "svg", bind: bindEl, hover: true });
    var layout = window.keLayout.attach(view, chartEl, plan);
    if (window.keTooltip) view.tooltip(window.keTooltip);
    var result = { view: view, spec: spec, vgSpec: spec };
    return view.runAsync().then(function () {
      window.keDrawPathsOnce(view);  // the renderer is there once the view has run
      return layout.fit();
    }).then(function () {
      unbake(section);
      var rowsData = findMarkData(spec, payload.rows_mark + "_marks");

      function input(p) {
        return bindEl.querySelector('input[name="' + p.signal + '"]:not([type=radio]):not([type=checkbox])');
      }

      // Number boxes: bounds and step from the declaration (Vega-Lite gives a number input none).
      params.forEach(function (p) {
        var box = p.control === "box" ? input(p) : null;
        if (!box) return;
        box.setAttribute("min", String(p.min));
        box.setAttribute("max", String(p.max));
        box.setAttribute("step", String(p.step));
      });
      // A typed box keeps its text while it has the focus; on leaving, it shows the value used.
      params.forEach(function (p) {
        var box = input(p);
        if (box) box.addEventListener("change", function () { box.value = K.text(accepted[p.name]); });
      });

      function update() {
        var kept = rowsData ? view.data(rowsData) : [];
        var ids = {};
        kept.forEach(function (d) { ids[d.id] = true; });
        keptIds = ids;
        tableRows.forEach(function (tr) { tr.hidden = !ids[tr.getAttribute("data-id")]; });
        var n = Object.keys(ids).length;
        count.textContent = fill(fill(fill(hints.count, "n", String(n)), "total", String(payload.rows.length)), "noun", payload.noun);
        var chosen = payload.rows.filter(function (r) { return ids[r.id]; });
        // A new file only when the rows differ, and not before the frame: the text, the Blob and its URL
        // cost 1-2 ms a change. It is written when the page is idle, or at once when the link is reached.
        var listed = chosen.map(function (r) { return r.id; }).join("\u0000");
        if (blobRows === null || listed !== blobRows) {
          blobRows = listed;
          fileRows = chosen;
          if (window.requestIdleCallback) window.requestIdleCallback(writeFile, { timeout: 250 });
          else window.setTimeout(writeFile, 50);
        }
        download.hidden = false;
        download.textContent = fill(fill(hints.download, "n", String(n)), "noun", payload.noun);
        payload.extras.forEach(function (extra, i) {
          var box = section.querySelector('.ke-extra[data-extra="' + i + '"]');
          var shown = 0;
          box.querySelectorAll("tr[data-row]").forEach(function (tr) {
            var row = extra.rows[Number(tr.getAttribute("data-row"))];
            var ok = extra.filters.every(function (f) { return passes(f, row, accepted[nameOf[f.param]]); });
            tr.hidden = !ok;
            if (ok) shown += 1;
          });
          box.querySelector(".ke-extra-count").textContent = fill(fill(fill(hints.count, "n", String(shown)),
            "total", String(extra.rows.length)), "noun", extra.noun);
        });
        // The link holds what differs from the defaults, each name once.
        var shared = new URLSearchParams();
        params.forEach(function (p) {
          if (accepted[p.name] !== p.default) shared.append(p.name, K.text(accepted[p.name]));
        });
        keHideEmptyMarks(chartEl);
        var lit = tools ? tools.current() : wanted;
        if (lit) shared.append(HIGHLIGHT, lit);
        var link = shared.toString();
        // An unchanged address is not written again (~0.7 ms a call); a bare "#" is taken away.
        if (window.location.hash !== (link ? "#" + link : "") || /#$/.test(window.location.href)) {
          history.replaceState(null, "", link ? "#" + link : window.location.pathname + window.location.search);
        }
        if (tools) tools.refresh();
        section.setAttribute("data-state", JSON.stringify(accepted));
        updates += 1;
        section.setAttribute("data-updates", String(updates));  // tests and the benchmark wait on this
        section.setAttribute("data-ready", "true");
      }

      // After a control moves: the declaration's verdict on what changed, over the values last used.
      // A refused value goes back at once (the params_ok rule keeps it from being drawn meanwhile).
      function check() {
        var changed = params.filter(function (p) { return view.signal(p.signal) !== accepted[p.name]; });
        if (!changed.length) return null;
        var typed = [];
        changed.forEach(function (p) {
          var box = input(p);
          if (box && box === document.activeElement) typed.push([box, box.value]);
        });
        var pairs = changed.map(function (p) { return [p.name, K.text(view.signal(p.signal))]; });
        var next = K.read(declared, pairs, accepted);
        accepted = next.values;
        note(next.problems);
        params.forEach(function (p) {
          if (view.signal(p.signal) !== accepted[p.name]) view.signal(p.signal, accepted[p.name]);
        });
        return typed;
      }

      var settling = null;
      function settle() {
        var typed = check();
        if (typed) {
          return view.runAsync().then(function () {
            typed.forEach(function (pair) { if (pair[0] === document.activeElement) pair[0].value = pair[1]; });
            return settle();
          });
        }
        settling = null;
        update();
        return layout.fit();  // the labels the filters keep may be wider or narrower
      }
      function schedule() {
        // Vega calls a signal listener as the signal changes, before the filters downstream have run:
        // wait for the run in progress to finish, then check the values and read the rows.
        if (!settling) settling = Promise.resolve().then(function () { return view.runAsync(); }).then(settle);
      }

      // The source box: a row's title and its fields (a figure's source fields, or an extra table's columns).
      function showPanel(id, fields, labels, row) {
        sourceBox.textContent = "";
        var heading = document.createElement("p");
        heading.className = "ke-source-title";
        heading.textContent = fill(hints.source_title, "id", id);
        sourceBox.appendChild(heading);
        sourceBox.appendChild(window.keSourcePanel(fields, labels, row));
      }
      function showSource(id) {
        if (rowsById[id]) showPanel(id, payload.source_fields, payload.labels, rowsById[id]);
      }

      // The rows of the tables beside the chart (07's contradictions), by id: #highlight=con-004 finds its row there.
      var extraById = {};
      payload.extras.forEach(function (extra, i) {
        extra.rows.forEach(function (row, at) {
          if (row.id !== null && row.id !== undefined && !rowsById[row.id]) extraById[row.id] = { index: i, at: at };
        });
      });
      var paramBySignal = {};
      params.forEach(function (p) { paramBySignal[p.signal] = p; });
      function choiceLabel(p, value) {
        var i = (p.choices || []).indexOf(value);
        return i >= 0 && p.choice_labels ? p.choice_labels[i] : String(value);
      }
      /* An extra table's row: its table row element, its fields (the table's columns) and, when the
       * settings hide it, what to set to show it ("contradiction strength to “depends on reading” or “all”"). */
      function extraRow(id) {
        var found = extraById[id];
        if (!found) return null;
        var extra = payload.extras[found.index];
        var row = extra.rows[found.at];
        var box = section.querySelector('.ke-extra[data-extra="' + found.index + '"]');
        var blocked = extra.filters.filter(function (f) { return !passes(f, row, accepted[nameOf[f.param]]); });
        var fixes = blocked.map(function (f) {
          var p = paramBySignal[f.param];
          var value = f.columns.map(function (c) { return row[c]; }).filter(function (v) { return v !== null && v !== undefined; })[0];
          if (f.op !== "equal" || value === undefined || (p.choices || []).indexOf(String(value)) < 0) return "change " + p.label;
          return p.label + " to “" + choiceLabel(p, String(value)) + "” or “" + choiceLabel(p, "all") + "”";
        });
        var fields = {};
        extra.columns.forEach(function (c) { fields[c] = c.replace(/_/g, " "); });
        return {
          row: row,
          tr: box.querySelector('tr[data-row="' + found.at + '"]'),
          noun: extra.noun,
          columns: extra.columns,
          labels: fields,
          shown: !blocked.length,
          fixes: fixes,
        };
      }
      function showExtra(id) {
        var found = extraRow(id);
        if (found) showPanel(id, found.columns, found.labels, found.row);
      }

      params.forEach(function (p) { view.addSignalListener(p.signal, schedule); });
      // A click on 07's bars narrows the rows unit through a selection, not a param: follow the unit's data
      // too, so the count, the table and the CSV change with the click. Only when its ids differ from those
      // last read: a redraw that keeps them (the layout's own runs) schedules nothing.
      if (rowsData) {
        view.addDataListener(rowsData, function (name, values) {
          var ids = {};
          var n = 0;
          (values || []).forEach(function (d) { if (!ids[d.id]) { ids[d.id] = true; n += 1; } });
          var same = n === Object.keys(keptIds).length && Object.keys(ids).every(function (id) { return keptIds[id]; });
          if (!same) schedule();
        });
      }
      view.addEventListener("click", function (event, item) {
        var datum = item && item.datum;
        if (datum && datum.id && rowsById[datum.id]) {
          showSource(datum.id);
          tools.selected(datum.id);
        }
      });
      update();
      tools = window.keCite(section, {
        view: view,
        payload: payload,
        rowsById: rowsById,
        showSource: showSource,
        kept: function () { return keptIds; },
        extraRow: extraRow,
        showExtra: showExtra,
      });
      if (wanted) {
        tools.highlight(wanted);
        update();
      } else {
        tools.refresh();
      }
      window.keViews = window.keViews || {};
      var signals = {};
      params.forEach(function (p) { signals[p.name] = p.signal; });
      window.keViews[payload.notebook] = {
        view: view,
        rowsData: rowsData,
        update: update,
        csvText: csvText,
        result: result,
        signals: signals,
        values: function () { return Object.assign({}, accepted); },
        highlight: function (id) {
          var out = tools.highlight(id);
          update();
          return out;
        },
        settled: function () { return settling || Promise.resolve(); },
        fit: layout.fit,
        fitted: function () { return (settling || Promise.resolve()).then(layout.fitted); },
      };
      return result;
    });
  }

  /* The live chart is drawn (or could not be): the picture drawn ahead goes. */
  function unbake(section) {
    section.querySelectorAll(".ke-baked").forEach(function (el) { el.remove(); });
    section.querySelector(".ke-chart").classList.remove("ke-drawing");
  }

  function start() {
    var sections = document.querySelectorAll("section.ke-view");
    function failed(section, error) {
      unbake(section);
      section.querySelector(".ke-chart").textContent = "This chart could not be drawn: " + error;
    }
    var ready = window.keVega || (window.vega && window.vega.View ? Promise.resolve(window.vega) : null);
    if (!ready) ready = Promise.reject(new Error("the page has no Vega runtime"));
    ready.then(function (vega) {
      sections.forEach(function (section) {
        initView(section, vega).catch(function (error) { failed(section, error); });
      });
    }, function (error) {
      sections.forEach(function (section) { failed(section, error); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
