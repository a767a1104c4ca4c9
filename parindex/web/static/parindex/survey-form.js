/* The public survey form: hides the questions a skip condition leaves out ("asked only when
   on_time is no") and disables their fields so they are not sent. The server applies the same
   conditions on submit; this only spares people questions that do not concern them. */
(function () {
  "use strict";

  function answers(form, code) {
    var values = [];
    form.querySelectorAll('[name="' + code + '"]').forEach(function (field) {
      if (field.disabled) return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      if (field.value) values.push(field.value);
    });
    return values;
  }

  function apply(form) {
    // In the questionnaire's order, so a condition on a hidden question hides what hangs on it.
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var shown = answers(form, block.dataset.showIf).indexOf(block.dataset.showValue) !== -1;
      block.hidden = !shown;
      block.querySelectorAll("input, textarea, select").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey-form").forEach(function (form) {
      apply(form);
      form.addEventListener("change", function () { apply(form); });
    });
  });
})();
