/* A document reader page (helpers/render/reader.py): a click on a marked sentence, or on its row id,
 * shows each of its rows in the views' source panel (source_panel.js, loaded before this file) with a
 * link to the view that highlights the row; a click on a grey number shows why it was set aside.
 * The row fields, their labels and the links come from the page's JSON (#ke-reader-data).
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("ke-reader-data").textContent);
  var box = document.querySelector(".ke-panel .ke-source");
  var selected = null;

  function fill(template, id) { return template.split("{id}").join(id); }

  function select(el) {
    if (selected) selected.classList.remove("ke-selected");
    selected = el;
    if (el) el.classList.add("ke-selected");
  }

  function showRows(ids) {
    box.textContent = "";
    ids.forEach(function (id) {
      var row = data.rows[id];
      if (!row) return;
      var block = document.createElement("div");
      block.className = "ke-row";
      block.setAttribute("data-id", id);
      var heading = document.createElement("p");
      heading.className = "ke-source-title";
      heading.textContent = fill(data.hints.title, id);
      block.appendChild(heading);
      block.appendChild(window.keSourcePanel(data.fields, data.labels, row));
      var link = document.createElement("a");
      link.className = "ke-view-link";
      link.href = row.href;
      link.textContent = fill(data.hints.link, id).split("{notebook}").join(row.notebook || "");
      var p = document.createElement("p");
      p.appendChild(link);
      block.appendChild(p);
      box.appendChild(block);
    });
  }

  function showAside(mark) {
    box.textContent = "";
    var heading = document.createElement("p");
    heading.className = "ke-source-title";
    heading.textContent = "Set aside: " + mark.getAttribute("data-number");
    box.appendChild(heading);
    var p = document.createElement("p");
    p.className = "ke-aside-reason";
    p.textContent = "Audited and not taken as a figure: " + mark.getAttribute("data-reason") + ".";
    box.appendChild(p);
  }

  document.querySelector(".ke-text").addEventListener("click", function (event) {
    var target = event.target.closest("[data-ids], mark.ke-aside");
    if (!target) return;
    if (target.classList.contains("ke-aside")) {
      select(target);
      showAside(target);
      return;
    }
    var mark = target.tagName === "MARK" ? target : target.closest("mark.ke-fig");
    select(mark);
    showRows(target.getAttribute("data-ids").split(" "));
  });

  // A link to #row-<id> (from the figure finder or a view) opens that row's panel.
  function fromHash() {
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash.indexOf("row-") !== 0) return;
    var anchor = document.getElementById(hash);
    if (!anchor) return;
    var mark = anchor.closest("mark.ke-fig");
    select(mark);
    showRows([hash.slice(4)]);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  var why = document.getElementById("ke-show-why");
  if (why) {
    why.addEventListener("change", function () {
      document.body.classList.toggle("ke-hide-why", !why.checked);
    });
  }
})();
