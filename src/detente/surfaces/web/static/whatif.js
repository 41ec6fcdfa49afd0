// The what-if panel (docs/web.md, What-if): times each update of the brief (from the toggle's
// change to the new brief settled; performance.measure "whatif-update", the last one in
// ms on #whatif-brief's data-ms) and greys out the statements and groups of readings other
// than the one each party is taken to hold (the server ignores them too).
(function () {
  "use strict";
  var started = null;

  function readingRows() {
    document.querySelectorAll("fieldset[data-dm]").forEach(function (set) {
      var pick = set.querySelector("select[data-reading-select]");
      var chosen = pick && pick.value ? pick.value : "main";
      set.querySelectorAll("[data-reading]").forEach(function (row) {
        var off = row.getAttribute("data-reading") !== chosen;
        row.classList.toggle("inactive", off);
        row.querySelectorAll("select, input").forEach(function (el) { el.disabled = off; });
      });
    });
  }

  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.matches && ev.target.matches("#whatif-form .toggle")) {
      started = performance.now();
      performance.mark("whatif-change");
      readingRows();
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function (ev) {
    var target = document.getElementById("whatif-brief");
    if (started === null || !target || ev.detail.target !== target) { return; }
    var ms = performance.now() - started;
    performance.measure("whatif-update", "whatif-change");
    target.setAttribute("data-ms", ms.toFixed(1));
    target.setAttribute("data-updates", String(Number(target.getAttribute("data-updates") || 0) + 1));
    started = null;
  });

  document.addEventListener("DOMContentLoaded", readingRows);
})();
