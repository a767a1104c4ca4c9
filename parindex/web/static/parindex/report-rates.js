/* The rate beside each pair of counts, recomputed as the reporter types (never typed itself). */
(function () {
  "use strict";
  function read(text) {
    var raw = (text || "").replace(/\s|\u00a0/g, "");
    if (!raw) { return null; }
    if (raw.indexOf(",") >= 0) { raw = raw.replace(/\./g, "").replace(",", "."); }
    else if (/^\d{1,3}(\.\d{3})+$/.test(raw)) { raw = raw.replace(/\./g, ""); }
    var n = Number(raw);
    return isFinite(n) ? n : NaN;
  }
  var locale = document.documentElement.lang === "vi" ? "vi-VN" : "en-GB";
  document.addEventListener("input", function (event) {
    var el = event.target;
    var id = el && (el.getAttribute("data-numerator") || el.getAttribute("data-denominator"));
    if (!id) { return; }
    var out = document.querySelector('output[data-rate="' + id + '"]');
    if (!out) { return; }
    var num = read(document.getElementById("v" + id + "-numerator").value);
    var den = read(document.getElementById("v" + id + "-denominator").value);
    out.textContent = num === null || !den || isNaN(num) || isNaN(den) ? "—"
      : (num * 100 / den).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " %";
  });
})();
