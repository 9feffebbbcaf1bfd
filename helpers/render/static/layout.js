/* A chart that fits its box, from a 360 px phone to a 1920 px screen (issue 19: "every view fits its screen").
 *
 * The views are written for one design width (helpers.views.core.WIDTH). In the saved page the compiled
 * Vega spec is adjusted before it is parsed: the page's box width becomes the signal ke_width; side axes'
 * labels, legends' labels and columns and free text marks are limited by it (a cut label keeps its full
 * text in the tooltip); titles and subtitles wrap to it. After each run the plot widths (the spec's width
 * and every *_width signal) move by what the drawn SVG is over or under the box, until it fits.
 * window.keLayout.prepare(spec, box width) -> plan; window.keLayout.attach(view, box, plan) -> {fit, fitted}.
 */
(function () {
  "use strict";

  var MIN_PLOT = 90; // px: the narrowest plot, at which a chart still reads
  var TITLE_FONT = ["bold", 13, "sans-serif"]; // Vega's title defaults
  var SUBTITLE_FONT = ["normal", 12, "sans-serif"];
  var canvas = null;

  function textWidth(text, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font;
    return ctx.measureText(text).width;
  }

  /* Text (a string or lines) as lines no wider than ``width`` px in ``font``: greedy, at spaces. */
  function wrap(text, width, font) {
    if (text === null || text === undefined) return text;
    var lines = [];
    (Array.isArray(text) ? text : [String(text)]).forEach(function (line) {
      var words = String(line).split(" ");
      var current = "";
      words.forEach(function (word) {
        var next = current ? current + " " + word : word;
        if (current && textWidth(next, font) > width) {
          lines.push(current);
          current = word;
        } else {
          current = next;
        }
      });
      lines.push(current);
    });
    return lines.length === 1 ? lines[0] : lines;
  }

  function num(value, fallback) {
    return typeof value === "number" ? value : fallback;
  }

  function withTooltip(encode, part) {
    // A guide's label may be cut: its whole text shows in the tooltip.
    encode[part] = encode[part] || {};
    encode[part].interactive = true;
    encode[part].update = encode[part].update || {};
    encode[part].update.tooltip = { signal: "datum.label" };
  }

  function prepare(spec, boxWidth) {
    var plan = { widths: [], texts: [] };
    spec.signals = spec.signals || [];
    if (typeof spec.width === "number") plan.widths.push({ top: true });
    spec.signals.forEach(function (s) {
      if (/_width$/.test(s.name) && typeof s.value === "number" && s.value >= 50) plan.widths.push({ name: s.name });
    });
    // The box's width from the first run on (a legend laid out at another width keeps that size).
    spec.signals.push({ name: "ke_width", value: boxWidth > 2 ? Math.floor(boxWidth) - 2 : num(spec.width, 560) + 200 });

    function textSignal(value, font) {
      var name = "ke_text_" + plan.texts.length;
      var entry = { signal: name, font: font[0] + " " + font[1] + "px " + font[2] };
      if (value && typeof value === "object" && !Array.isArray(value) && value.signal) {
        entry.raw = name + "_raw";
        spec.signals.push({ name: entry.raw, update: value.signal });
      } else {
        entry.text = value;
      }
      spec.signals.push({ name: name, value: value && value.signal ? "" : value });
      plan.texts.push(entry);
      return { signal: name };
    }

    function walk(node) {
      if (node.title) {
        var title = typeof node.title === "string" || Array.isArray(node.title) ? { text: node.title } : node.title;
        if (title.text) title.text = textSignal(title.text, [TITLE_FONT[0], num(title.fontSize, TITLE_FONT[1]), TITLE_FONT[2]]);
        if (title.subtitle) {
          title.subtitle = textSignal(title.subtitle,
            [SUBTITLE_FONT[0], num(title.subtitleFontSize, SUBTITLE_FONT[1]), SUBTITLE_FONT[2]]);
        }
        node.title = title;
      }
      (node.axes || []).forEach(function (axis) {
        axis.encode = axis.encode || {};
        withTooltip(axis.encode, "labels");
        if (axis.orient === "left" || axis.orient === "right") {
          axis.labelLimit = { signal: "max(40, min(" + num(axis.labelLimit, 180) + ", ke_width * 0.3))" };
        } else {
          axis.titleLimit = { signal: "max(60, ke_width - 40)" };
        }
      });
      (node.legends || []).forEach(function (legend) {
        legend.encode = legend.encode || {};
        withTooltip(legend.encode, "labels");
        // A legend starts under its plot (after the side axis's labels): its labels share what is left.
        var columns = num(legend.columns, 0);
        // Always a signal of ke_width: then a new width re-lays the entries out (else their box keeps the old size).
        var shown = "(ke_width < 480 ? 1 : ke_width < 760 ? min(2, " + Math.max(columns, 1) + ") : " + Math.max(columns, 1) + ")";
        if (columns > 0) legend.columns = { signal: shown };
        else shown = "1";
        legend.labelLimit = { signal: "max(60, min(" + num(legend.labelLimit, 160) + ", (ke_width - 140) / " + shown + " - 24))" };
        // Also on the labels themselves: Vega sizes the legend's entries by the labels' own limit.
        legend.encode.labels.update.limit = legend.labelLimit;
        legend.titleLimit = { signal: "max(60, min(" + num(legend.titleLimit, 180) + ", ke_width - 140))" };
      });
      (node.marks || []).forEach(function (mark) {
        if (mark.type === "group") walk(mark);
        if (mark.type === "text" && mark.encode) {
          var update = (mark.encode.update = mark.encode.update || {});
          if (!update.limit) update.limit = { signal: "max(60, ke_width * 0.28)" };
          // A text cut short shows whole in its tooltip (when the mark has no tooltip of its own).
          if (!update.tooltip && update.text) update.tooltip = update.text;
        }
      });
    }
    walk(spec);
    return plan;
  }

  function attach(view, box, plan) {
    var running = null;
    var again = false;
    var lastWidth = -1;
    // The box's width as the last layout found it (ResizeObserver): after a change has touched the page,
    // reading box.clientWidth would force a layout of its own before the one the frame does anyway.
    var seenWidth = -1;

    function drawnWidth() {
      var svg = box.querySelector("svg");
      return svg ? Number(svg.getAttribute("width")) || svg.getBoundingClientRect().width : 0;
    }
    function getWidth(w) { return w.top ? view.width() : view.signal(w.name); }
    function setWidth(w, value) { if (w.top) view.width(value); else view.signal(w.name, value); }

    function once() {
      var width = seenWidth >= 0 ? seenWidth : box.clientWidth;
      var avail = Math.floor(width) - 2;
      if (avail <= 0) return Promise.resolve();
      lastWidth = width;
      view.signal("ke_width", avail);
      plan.texts.forEach(function (t) {
        t.room = Infinity;
        rewrap(t, avail);  // a title that follows a param: its text is up to date since the last run
      });
      view.resize();
      // Plot widths, then titles (a concat's title starts where its plot does), until neither moves.
      function settle(round) {
        return Promise.resolve(widths(avail, 0)).then(titles).then(function (moved) {
          return moved && round < 4 ? settle(round + 1) : null;
        });
      }
      return view.runAsync().then(function () { return settle(0); }).then(keyboardReach);
    }

    /* A chart wider than its box scrolls: a keyboard must reach it too (axe: scrollable-region-focusable).
     * Checked once the chart fits (after a change and after a resize), from the SVG's width attribute
     * and the box width once() read: no layout of its own. */
    function keyboardReach() {
      if (Math.round(drawnWidth()) > lastWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    }

    /* The plot widths moved by what the drawn chart is over (or under) the box, until it fits (a few runs). */
    function widths(avail, tries) {
      var delta = avail - drawnWidth();
      if (Math.abs(delta) < 2 || tries >= 4) return null;
      var moved = false;
      plan.widths.forEach(function (w) {
        var now = getWidth(w);
        var next = Math.max(MIN_PLOT, Math.floor(now + delta));
        if (next !== now) { setWidth(w, next); moved = true; }
      });
      if (!moved) return null;
      view.resize();  // a nested group's width does not re-run the top level's autosize by itself
      return view.runAsync().then(function () { return widths(avail, tries + 1); });
    }

    function titles() {
      return Promise.resolve().then(function () {
        var avail = Math.floor(box.clientWidth) - 2;
        // A title of a chart inside a concat starts where its plot does: wrap it shorter by what it is over.
        var pad = view.padding() || {};
        var right = box.getBoundingClientRect().left + avail - (pad.right || 0) - 1;
        var texts = box.querySelectorAll(".role-title-text text, .role-title-subtitle text");
        var moved = false;
        plan.texts.forEach(function (t) {
          var shown = [].concat(view.signal(t.signal)).join("");
          var room = Infinity;
          texts.forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (el.textContent !== shown || r.right <= right) return;
            // Still over after a wrap (the SVG's font measures wider than the canvas's): narrower by that much.
            room = Math.min(room, right - r.left - 8, t.room - (r.right - right) - 4);
          });
          if (room < Infinity) {
            t.room = Math.min(t.room, room);
            rewrap(t, avail);
            moved = true;
          }
        });
        if (!moved) return false;
        view.resize();
        return view.runAsync().then(function () { return true; });
      });
    }

    function rewrap(t, avail) {
      var text = t.raw ? view.signal(t.raw) : t.text;
      view.signal(t.signal, wrap(text, Math.max(80, Math.min(avail - 12, t.room)), t.font));
    }

    function fit() {
      if (running) { again = true; return running; }
      running = once().then(function () {
        running = null;
        if (again) { again = false; return fit(); }
        return null;
      }, function (error) { running = null; throw error; });
      return running;
    }

    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        seenWidth = box.clientWidth;  // laid out just now: no extra layout
        if (seenWidth !== lastWidth) fit();
      }).observe(box);
    }
    return { fit: fit, fitted: function () { return running || Promise.resolve(); } };
  }

  window.keLayout = { prepare: prepare, attach: attach, wrap: wrap };
})();
