/* A form marked data-submit-once is sent once: its submit buttons are disabled as it goes.
   The pressed button's name and value are kept (a disabled button is not sent), and the buttons come
   back when the page is shown again from the browser's history (the back button). */
(function () {
  "use strict";

  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) { return; }
    if (event.defaultPrevented) { return; }
    if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    var submitter = event.submitter;
    if (submitter && submitter.name) {
      var kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = submitter.name;
      kept.value = submitter.value;
      kept.setAttribute("data-submitter", "1");
      form.appendChild(kept);
    }
    buttons(form).forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    });
  });

  function release() {
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.removeAttribute("data-sending");
      form.querySelectorAll("input[data-submitter]").forEach(function (input) { input.remove(); });
      buttons(form).forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  }

  window.addEventListener("pageshow", function (event) { if (event.persisted) { release(); } });
})();
