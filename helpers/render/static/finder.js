/* The figure finder (helpers/render/finder.py): records, facets and the lower-cased search text come as
   JSON from Python; this script only matches (every query word in the record's text, case-insensitive,
   and every chosen facet among the record's values), lists the hits and keeps the search in the hash. */
(function () {
  'use strict';
  // The records come packed (gzip, base64: a fifth of their size; finder.py); unzip.js unpacks them.
  window.keUnzipText(document.getElementById('ke-find-data').textContent).then(function (text) {
    start(JSON.parse(text));
  });

  function start(data) {
    var query = document.getElementById('ke-find-q');
    var count = document.getElementById('ke-find-count');
    var list = document.getElementById('ke-find-hits');
    var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-facet]'));

    selects.forEach(function (select) {
      data.values[select.dataset.facet].forEach(function (value) {
        var option = document.createElement('option');
        option.value = value;
        option.textContent = select.dataset.facet === 'document' ? docName(value) : value;
        select.appendChild(option);
      });
    });

    function docName(id) { return data.names[id] || id; }

    function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }

    function matches(record, want, facets) {
      for (var name in facets) {
        if (facets[name] && record[name].indexOf(facets[name]) < 0) return false;
      }
      return want.every(function (w) { return record.text.indexOf(w) >= 0; });
    }

    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text) node.textContent = text;
      return node;
    }

    function hit(record) {
      var li = el('li', 'ke-hit');
      li.dataset.id = record.id;
      var head = el('p', 'ke-hit-meta');
      var name = record.table[0] === 'not_figures' ? 'audited number' : record.id;
      var id = el(record.href ? 'a' : 'span', 'ke-hit-id', name);
      if (record.href) id.href = record.href;
      head.appendChild(id);
      var meta = [record.table[0], record.document.map(docName).join(' and ')];
      if (record.kind[0] !== data.none) meta.push(record.kind[0]);
      if (record.hedge[0] !== data.none) meta.push('hedge: ' + record.hedge[0]);
      head.appendChild(document.createTextNode(' · ' + meta.join(' · ')));
      li.appendChild(head);
      if (record.label) li.appendChild(el('p', 'ke-hit-label', record.label + (record.figure ? ': ' + record.figure : '')));
      record.sentence.forEach(function (s) { li.appendChild(el('blockquote', null, '“' + s + '”')); });
      if (record.reason) li.appendChild(el('p', 'ke-hit-reason', 'Not a figure: ' + record.reason));
      else if (record.note) li.appendChild(el('p', 'ke-hit-note', record.note));
      if (record.population) li.appendChild(el('p', 'ke-hit-meta', 'Population: ' + record.population));
      return li;
    }

    function state() {
      var facets = {};
      selects.forEach(function (s) { facets[s.dataset.facet] = s.value; });
      return {q: query.value, facets: facets};
    }

    function run() {
      var s = state();
      var want = words(s.q);
      var found = data.records.filter(function (r) { return matches(r, want, s.facets); });
      list.replaceChildren.apply(list, found.map(hit));
      count.textContent = found.length === 1 ? '1 row found' : found.length + ' rows found';
      var params = new URLSearchParams();
      if (s.q.trim()) params.set('q', s.q.trim());
      selects.forEach(function (sel) { if (sel.value) params.set(sel.dataset.facet, sel.value); });
      var hash = params.toString();
      if (('#' + hash) !== location.hash && (hash || location.hash)) history.replaceState(null, '', hash ? '#' + hash : location.pathname);
    }

    function fromHash() {
      var params = new URLSearchParams(location.hash.slice(1));
      query.value = params.get('q') || '';
      selects.forEach(function (sel) {
        var value = params.get(sel.dataset.facet) || '';
        sel.value = data.values[sel.dataset.facet].indexOf(value) >= 0 ? value : '';
      });
    }

    fromHash();
    query.addEventListener('input', run);
    selects.forEach(function (s) { s.addEventListener('change', run); });
    window.addEventListener('hashchange', function () { fromHash(); run(); });
    run();
    document.body.dataset.ready = 'true';
  }
})();
