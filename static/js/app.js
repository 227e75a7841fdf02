/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  function focusFirst(root) {
    var target = (root || document).querySelector("[data-focus-on-load]");
    if (target) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }

  // Lower case without diacritics, so "marta" finds "Märta" and "ost" finds "öst".
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUpFilters(root) {
    (root || document).querySelectorAll("input[data-filter]").forEach(function (input) {
      var list = document.querySelector(input.getAttribute("data-filter"));
      var status = document.getElementById(input.id + "-status");
      if (!list) { return; }
      input.addEventListener("input", function () {
        var words = folded(input.value).trim().split(/\s+/).filter(Boolean);
        var shown = 0;
        list.querySelectorAll(".task-option").forEach(function (option) {
          var text = folded(option.textContent);
          var checked = option.querySelector("input:checked");
          var match = checked || words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match;
          if (match) { shown += 1; }
        });
        list.querySelectorAll(".task-group").forEach(function (group) {
          group.hidden = !group.querySelector(".task-option:not([hidden])");
        });
        if (status) { status.textContent = status.getAttribute("data-template") ? status.getAttribute("data-template").replace("%s", shown) : String(shown); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirst(document);
    setUpFilters(document);
  });

  // After an htmx swap that the person asked for, move focus to what changed (if it says so).
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && (trigger.type === "submit" || trigger.type === "click")) {
      focusFirst(event.detail.target.parentNode || event.detail.target);
    }
  });
})();
