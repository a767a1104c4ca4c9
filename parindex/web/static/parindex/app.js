/* parindex: the little JavaScript every page shares. No dependencies besides the vendored
 * htmx (always loaded by base.html) and Chart.js (loaded by pages that draw charts).
 *
 * - htmx requests carry the CSRF token from <meta name="csrf-token">.
 * - <form data-confirm="Question?"> and <button data-confirm="…"> ask before submitting.
 * - <select data-autosubmit> (and other inputs with it) submit their form on change.
 * - <details class="user-menu"> closes on a click outside it or on Escape.
 * - Charts: {{ config|json_script:"chart-x" }} <div class="chart"><canvas data-chart="chart-x"></canvas></div>
 *   draws a Chart.js chart from a JSON config made on the server; no inline script needed.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // Ask before destructive actions.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) ||
        // A form that asks in its own onsubmit attribute is left to it (no double question).
        (form.hasAttribute("onsubmit") ? null : form.getAttribute("data-confirm"));
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // Filters that apply themselves.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (typeof el.form.requestSubmit === "function") {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
  });

  // Close open menus when clicking elsewhere or pressing Escape.
  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open], details.menu[open]").forEach(function (d) {
      if (d !== except) {
        d.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details.user-menu, details.menu");
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });

  // Charts from JSON configs.
  var PALETTE = ["#1b56a3", "#23a05a", "#e0a000", "#d92d20", "#6b4fbb", "#0e8a8a", "#8a95a3"];

  function setChartDefaults() {
    var Chart = window.Chart;
    if (!Chart || Chart.__parindex) {
      return;
    }
    Chart.__parindex = true;
    var style = getComputedStyle(document.body);
    Chart.defaults.font.family = style.fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = "#5d6a7a";
    Chart.defaults.borderColor = "#e3e7ed";
    Chart.defaults.locale = document.documentElement.lang || "vi";
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 12;
  }

  function drawCharts(root) {
    if (!window.Chart) {
      return;
    }
    setChartDefaults();
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.chartDrawn) {
        return;
      }
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var config = JSON.parse(source.textContent);
      var datasets = (config.data && config.data.datasets) || [];
      datasets.forEach(function (ds, i) {
        var colour = PALETTE[i % PALETTE.length];
        if (ds.backgroundColor === undefined) {
          ds.backgroundColor = config.type === "line" ? colour + "33" : colour;
        }
        if (ds.borderColor === undefined) {
          ds.borderColor = colour;
        }
      });
      canvas.dataset.chartDrawn = "1";
      new window.Chart(canvas, config);
    });
  }

  window.parindex = { drawCharts: drawCharts, palette: PALETTE, csrfToken: csrfToken };

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
  });
  document.addEventListener("htmx:load", function (event) {
    drawCharts(event.target);
  });
})();
