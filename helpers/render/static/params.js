/* The page's reading of a notebook's parameter declaration (payload.params, from
 * helpers.params.declare.Spec.to_json): the same verdict as helpers.params.verdict.read.
 *
 * read(params, pairs, base) -> {values, problems, refused}: unknown and repeated names first
 * (one message each, in order of first appearance), then each parameter in declaration order
 * (its text parsed by type, then its own rules), then the rules across parameters, with the
 * same fallback to `base` (default: the declared defaults). Every message comes from a
 * template in the declaration; the rules are Vega expressions, evaluated here by Vega's own
 * parser and code generator (window.vega), as Python evaluates them with helpers.params.expr.
 * Names are kept in Maps and null-prototype objects, so "__proto__" is just an unknown name.
 */
(function () {
  "use strict";

  // The characters Python's str.strip() removes (str.isspace), which verdict.read uses on list items.
  var SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var STRIP = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  // The functions the rules may call: Vega's own (Math.abs, Math.round, Number.isFinite, ...).
  var FUNCTIONS = ["abs", "round", "floor", "ceil", "min", "max", "isFinite", "lower", "upper"];
  var compiled = new Map();

  function own(object, key) {
    return object !== null && object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
  }

  function strip(text) {
    return text.replace(STRIP, "");
  }

  /* A value as a message shows it: quoted, control characters as '?', cut at `shown` code points. */
  function quoted(raw, shown) {
    var chars = Array.from(typeof raw === "string" ? raw : String(raw));
    var cut = chars.slice(0, shown).map(function (c) {
      var code = c.codePointAt(0);
      return code < 32 || code === 127 ? "?" : c;
    });
    return "'" + cut.join("") + (chars.length > shown ? "\u2026" : "") + "'";
  }

  /* Every "{key}" of a template replaced by text (no "$&" patterns, as str.replace in Python). */
  function fill(template, key, text) {
    return String(template).split("{" + key + "}").join(text);
  }

  function checkCalls(node) {
    if (!node || typeof node !== "object") return;
    if (node.type === "CallExpression") {
      var name = node.callee && node.callee.name;
      if (FUNCTIONS.indexOf(name) < 0) throw new Error("function " + name + " is not in the rule subset");
    }
    Object.keys(node).forEach(function (key) {
      var child = node[key];
      if (Array.isArray(child)) child.forEach(checkCalls);
      else if (child && typeof child === "object") checkCalls(child);
    });
  }

  /* A rule's expression as a function of a scope of parameter values (Vega's parser and codegen). */
  function compile(text) {
    var fn = compiled.get(text);
    if (fn) return fn;
    var vega = window.vega;
    if (!vega || typeof vega.parseExpression !== "function" || typeof vega.codegenExpression !== "function") {
      throw new Error("the page's Vega runtime does not expose vega.parseExpression and vega.codegenExpression");
    }
    var ast = vega.parseExpression(text);
    checkCalls(ast);
    var code = vega.codegenExpression({ globalvar: "scope", constants: Object.create(null) })(ast).code;
    fn = new Function("scope", '"use strict"; return (' + code + ");"); // eslint-disable-line no-new-func
    compiled.set(text, fn);
    return fn;
  }

  function evaluate(text, values) {
    return compile(text)(values);
  }

  function passes(ok, values) {
    return Boolean(evaluate(ok, values)) === true;
  }

  function grammar(spec, type) {
    var key = type === "int" ? "int" : "number";
    var cacheKey = "\u0000grammar:" + key;
    var re = compiled.get(cacheKey);
    if (!re) {
      re = new RegExp(spec.grammar[key]);
      compiled.set(cacheKey, re);
    }
    return re;
  }

  /* {ok, value, message} for one parameter's text, as verdict.parse_text. */
  function parseText(spec, param, raw) {
    var shown = spec.limits.shown;
    raw = String(raw);
    if (param.type === "choice") {
      for (var i = 0; i < param.choices.length; i++) {
        if (param.choices[i] === raw) return { ok: true, value: param.choices[i] };
      }
      return { ok: false, message: fill(param.parse_message, "raw", quoted(raw, shown)) };
    }
    if (param.type === "bool") {
      var lower = raw.toLowerCase();
      if (lower === "true" || lower === "false") return { ok: true, value: lower === "true" };
      return { ok: false, message: fill(param.parse_message, "raw", quoted(raw, shown)) };
    }
    if (param.type === "int" || param.type === "number") {
      if (!grammar(spec, param.type).test(raw)) {
        return { ok: false, message: fill(param.parse_message, "raw", quoted(raw, shown)) };
      }
      return { ok: true, value: Number(raw) };
    }
    return parseList(spec, param, raw.split(","));
  }

  /* A list parameter's items, matched without case to its choices: canonical order, no repeats. */
  function parseList(spec, param, items) {
    var shown = spec.limits.shown;
    var wanted = items.map(strip).filter(function (item) { return item !== ""; });
    if (!wanted.length) return { ok: false, message: param.empty_message };
    var lower = new Map();
    param.choices.forEach(function (c) { lower.set(c.toLowerCase(), c); });
    var reasons = new Map();
    Object.keys(param.refused_reasons || {}).forEach(function (k) { reasons.set(k.toLowerCase(), param.refused_reasons[k]); });
    for (var i = 0; i < wanted.length; i++) {
      var item = wanted[i];
      if (!lower.has(item.toLowerCase())) {
        var why = reasons.get(item.toLowerCase());
        // The reason's words come from the declaration (refused_message); without it, none.
        var whyText = why && param.refused_message
          ? fill(fill(param.refused_message, "raw", quoted(item, shown)), "why", why)
          : "";
        return { ok: false, message: fill(fill(param.parse_message, "raw", quoted(item, shown)), "why", whyText) };
      }
    }
    var chosen = new Set(wanted.map(function (item) { return lower.get(item.toLowerCase()); }));
    return { ok: true, value: param.choices.filter(function (c) { return chosen.has(c); }).join(",") };
  }

  function revert(names, values, given, refused, base) {
    names.forEach(function (name) {
      if (given.has(name) && refused.indexOf(name) < 0) refused.push(name);
      values[name] = base[name];
    });
  }

  function checkRules(spec, values, given, refused, base, problems) {
    spec.params.forEach(function (param) {
      if (!given.has(param.name) || refused.indexOf(param.name) >= 0) return;
      for (var i = 0; i < param.rules.length; i++) {
        var rule = param.rules[i];
        if (!passes(rule.ok, values)) {
          problems.push(String(evaluate(rule.message, values)));
          revert(rule.blame, values, given, refused, base);
          break;
        }
      }
    });
    spec.rules.forEach(function (rule) {
      if (!passes(rule.ok, values)) {
        problems.push(String(evaluate(rule.message, values)));
        revert(rule.blame, values, given, refused, base);
        if (!passes(rule.ok, values)) revert(rule.names, values, given, refused, base);
      }
    });
    // A fallback can break a rule checked before it: fall back further, with no new message.
    function failing() {
      return spec.rules.filter(function (rule) { return !passes(rule.ok, values); });
    }
    var now = failing();
    while (now.length) {
      now.forEach(function (rule) { revert(rule.names, values, given, refused, base); });
      now = failing();
      var stuck = now.every(function (rule) {
        return rule.names.every(function (n) { return !given.has(n) || refused.indexOf(n) >= 0; });
      });
      if (now.length && stuck) break;
    }
  }

  function defaults(spec) {
    var out = Object.create(null);
    spec.params.forEach(function (p) { out[p.name] = p.default; });
    return out;
  }

  /* The verdict on `pairs` ([name, text], in order) over `base` (default: the declared defaults). */
  function read(spec, pairs, base) {
    var known = new Map();
    spec.params.forEach(function (p) { known.set(p.name, p); });
    var start = defaults(spec);
    if (base) spec.params.forEach(function (p) { if (own(base, p.name)) start[p.name] = base[p.name]; });
    var renamed = spec.renamed || {};
    var named = Array.from(pairs || []).map(function (pair) {
      var name = String(pair[0]);
      return [own(renamed, name) ? renamed[name] : name, pair[1]];
    });
    var counts = new Map();
    named.forEach(function (pair) { counts.set(pair[0], (counts.get(pair[0]) || 0) + 1); });
    var problems = [];
    var given = new Map();
    var reported = [];
    var shown = spec.limits.shown;
    named.forEach(function (pair) {
      var name = pair[0];
      if (!known.has(name)) {
        if (reported.indexOf(name) < 0) {
          problems.push(fill(spec.unknown_message, "raw", quoted(name, shown)));
          reported.push(name);
        }
      } else if (counts.get(name) > 1) {
        if (reported.indexOf(name) < 0) {
          problems.push(fill(spec.repeated_message, "raw", quoted(name, shown)));
          reported.push(name);
        }
      } else {
        given.set(name, pair[1]);
      }
    });
    var values = Object.create(null);
    Object.keys(start).forEach(function (k) { values[k] = start[k]; });
    var refused = reported.filter(function (n) { return known.has(n); });
    spec.params.forEach(function (param) {
      if (!given.has(param.name)) return;
      var parsed = parseText(spec, param, given.get(param.name));
      if (parsed.ok) values[param.name] = parsed.value;
      else {
        problems.push(parsed.message);
        refused.push(param.name);
      }
    });
    checkRules(spec, values, given, refused, start, problems);
    var out = {};
    spec.params.forEach(function (p) { out[p.name] = values[p.name]; });
    return { values: out, problems: problems, refused: refused };
  }

  /* At most limits.listed problems, then more_message counting the rest. */
  function bounded(spec, problems) {
    var limit = spec.limits.listed;
    var out = problems.slice(0, limit);
    if (problems.length > limit) out.push(fill(spec.more_message, "n", String(problems.length - limit)));
    return out;
  }

  /* A value as a link writes it: String(number), true/false, a list's canonical text. */
  function text(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    return String(value);
  }

  /* A URL hash as [name, text] pairs, in order, repeats kept. */
  function hashPairs(hash) {
    return Array.from(new URLSearchParams(String(hash || "").replace(/^#/, "")).entries());
  }

  window.keParams = {
    read: read,
    bounded: bounded,
    defaults: function (spec) { return Object.assign({}, defaults(spec)); },
    evaluate: evaluate,
    fill: fill,
    hashPairs: hashPairs,
    parseText: parseText,
    quoted: quoted,
    text: text,
  };
})();
