/* The report page, which runs to tens of thousands of pixels:
 *
 * - <form data-unsaved-warning>: leaving the page after typing in it asks first (the browser's
 *   own "leave the page?" question); submitting that form does not.
 * - A link to "#id" (the summary of what needs attention, the list of refused fields) opens
 *   the collapsed domains around its target first; a link with data-field-link also puts the
 *   cursor in the field it names.
 * - After a refused save the list of refused fields is focused, so it is read out first.
 */
(function () {
  "use strict";

  var dirty = [];

  function watched(el) {
    var form = el && el.form;
    return form && form.hasAttribute("data-unsaved-warning") ? form : null;
  }

  function markDirty(event) {
    var form = watched(event.target);
    if (form && dirty.indexOf(form) < 0) {
      dirty.push(form);
    }
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  // Bubble phase: a submission the confirmation question cancelled never gets here.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    var index = dirty.indexOf(event.target);
    if (index >= 0) {
      dirty.splice(index, 1);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty.length) {
      event.preventDefault();
      // Older browsers ask only when a value is returned.
      event.returnValue = "";
      return "";
    }
  });

  function reveal(el) {
    for (var node = el.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
      }
    }
  }

  function go(id, focusField) {
    var el = id && document.getElementById(id);
    if (!el) {
      return false;
    }
    reveal(el);
    el.scrollIntoView({ block: focusField ? "center" : "start" });
    if (focusField && typeof el.focus === "function") {
      el.focus({ preventScroll: true });
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link || !link.closest(".report-page")) {
      return;
    }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var field = link.getAttribute("data-field-link");
    var target = document.getElementById(id);
    var isField = !!(field && target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
    if (go(id, isField)) {
      event.preventDefault();
      if (history.replaceState) {
        history.replaceState(null, "", "#" + id);
      }
    }
  });

  function fromHash() {
    if (location.hash.length > 1) {
      go(decodeURIComponent(location.hash.slice(1)), false);
    }
  }
  window.addEventListener("hashchange", fromHash);

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    } else {
      fromHash();
    }
  });
})();
