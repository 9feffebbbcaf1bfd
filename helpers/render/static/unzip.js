/* Text packed as base64 of gzip (helpers.render.offline.gzip_base64), unzipped by the browser's own
 * DecompressionStream: a view's payload (view.js) and the finder's records (finder.js).
 * window.keUnzipText(b64) -> a Promise of the text. */
(function () {
  "use strict";

  window.keUnzipText = function (b64) {
    var bin = atob(b64.trim());
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  };
})();
