/* The legal basis for sharing: only the fields of the chosen kind (consent, menprövning, another legal
   ground) are shown. Each kind's fields are a fieldset marked data-basis-group inside a
   [data-basis-choice] block; the others get the hidden attribute, so they are neither seen nor reached
   by the keyboard. What was typed in them stays in the form. Without this script every fieldset shows,
   each under a legend saying when to fill it. */
(function () {
  "use strict";

  function chosen(block) {
    var checked = block.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  function show(block) {
    var kind = chosen(block);
    block.querySelectorAll("[data-basis-group]").forEach(function (group) {
      group.hidden = group.getAttribute("data-basis-group") !== kind;
    });
  }

  function start() {
    document.querySelectorAll("[data-basis-choice]").forEach(function (block) {
      show(block);
      block.addEventListener("change", function (event) {
        var target = event.target;
        if (target instanceof HTMLInputElement && target.type === "radio") { show(block); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
