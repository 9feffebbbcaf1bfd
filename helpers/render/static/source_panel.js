/* A figure's source panel: the row's fields as a definition list, labelled by the data dictionary.
 * One function for every page that shows a row (the views and the document reader pages).
 */
(function () {
  "use strict";

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

  window.keSourcePanel = sourcePanel;
})();
