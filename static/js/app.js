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
          var box = option.querySelector("input[name=tasks]") || option.querySelector("input");
          // The task's own name, not the times of day offered under it.
          var label = option.querySelector("label");
          var name = folded((label || option).textContent);
          var match = words.every(function (w) { return name.indexOf(w) !== -1; });
          // A ticked task stays in sight, but out of the Tab order while it does not match: Tab, Space
          // from the search reaches what was searched for and never unticks an earlier choice.
          var kept = !match && box && box.checked;
          option.hidden = !match && !kept;
          option.classList.toggle("kept-ticked", Boolean(kept));
          option.querySelectorAll("input").forEach(function (field) {
            if (kept) { field.setAttribute("tabindex", "-1"); } else { field.removeAttribute("tabindex"); }
          });
          if (match) { shown += 1; }
        });
        list.querySelectorAll(".task-group").forEach(function (group) {
          group.hidden = !group.querySelector(".task-option:not([hidden])");
        });
        if (status) {
          var template = shown === 0 && words.length ? status.getAttribute("data-none") : status.getAttribute("data-template");
          status.textContent = template ? template.replace("%s", shown) : String(shown);
        }
      });
    });
  }

  // The tasks ticked so far, listed above the submit button: on a long form the ticks near the top are
  // out of sight by the time the person submits.
  function setUpChosenLists(root) {
    (root || document).querySelectorAll("ul[data-chosen-list]").forEach(function (list) {
      var options = document.querySelector(list.getAttribute("data-chosen-list"));
      var section = list.closest("section") || list.parentNode;
      var count = section.querySelector("[data-chosen-count]");
      if (!options) { return; }
      function render() {
        list.textContent = "";
        // The tasks ticked, not the times of day ticked under them.
        var ticked = options.querySelectorAll("input[type=checkbox]:checked:not([name^='bands-'])");
        ticked.forEach(function (box) {
          var label = box.closest("label");
          var item = document.createElement("li");
          item.textContent = (label ? label.textContent : box.value).trim();
          list.appendChild(item);
        });
        if (ticked.length === 0) {
          var none = document.createElement("li");
          none.className = "hint";
          none.textContent = list.getAttribute("data-none") || "";
          list.appendChild(none);
        }
        if (count) { count.textContent = "(" + ticked.length + ")"; }
      }
      options.addEventListener("change", render);
      render();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirst(document);
    setUpFilters(document);
    setUpChosenLists(document);
  });

  // After an htmx swap that the person asked for, move focus to what changed (if it says so).
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && (trigger.type === "submit" || trigger.type === "click")) {
      focusFirst(event.detail.target.parentNode || event.detail.target);
    }
  });
})();
