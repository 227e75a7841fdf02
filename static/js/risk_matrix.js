/* The risk matrix under the risk-analysis form follows the form as the hazards are scored: a hazard with
   a text, a likelihood and a consequence is marked in its cell ("Risk 2") and listed under the matrix,
   numbered as the form numbers its hazards. Nothing is sent or stored. Without this script the matrix
   shows what the page was sent with (the hazards of a form sent back with errors, or filled in from a
   template). Only classes and text are changed, never style (the Content-Security-Policy). */
(function () {
  "use strict";

  var SCALE = ["1", "2", "3", "4"];

  function value(fieldset, suffix) {
    var field = fieldset.querySelector("[name$='-" + suffix + "']");
    return field ? String(field.value || "").trim() : "";
  }

  // The hazards of the form that are scored: [{number, description, likelihood, consequence}].
  function scoredHazards(form) {
    var found = [];
    form.querySelectorAll("fieldset.hazard").forEach(function (fieldset, index) {
      var description = value(fieldset, "description");
      var likelihood = value(fieldset, "likelihood");
      var consequence = value(fieldset, "consequence");
      if (description && SCALE.indexOf(likelihood) >= 0 && SCALE.indexOf(consequence) >= 0) {
        found.push({
          number: index + 1,
          description: description,
          likelihood: likelihood,
          consequence: consequence
        });
      }
    });
    return found;
  }

  function cellOf(matrix, likelihood, consequence) {
    return matrix.querySelector(
      "td[data-likelihood='" + likelihood + "'][data-consequence='" + consequence + "']"
    );
  }

  function levelClass(cell) {
    for (var i = 0; i < cell.classList.length; i += 1) {
      if (cell.classList[i].indexOf("risk-") === 0) { return cell.classList[i]; }
    }
    return "";
  }

  function markCells(matrix, hazards, word) {
    matrix.querySelectorAll("td[data-likelihood]").forEach(function (cell) {
      var numbers = hazards.filter(function (h) {
        return h.likelihood === cell.getAttribute("data-likelihood") &&
          h.consequence === cell.getAttribute("data-consequence");
      }).map(function (h) { return h.number; });
      var marks = cell.querySelector(".hazard-marks");
      cell.classList.toggle("has-hazards", numbers.length > 0);
      if (!numbers.length) {
        if (marks) { marks.remove(); }
        return;
      }
      if (!marks) {
        marks = document.createElement("span");
        marks.className = "hazard-marks";
        cell.appendChild(marks);
      }
      var text = word + " " + numbers.join(", ");
      if (marks.textContent !== text) { marks.textContent = text; }
    });
  }

  function listHazards(matrix, hazards, word) {
    var list = matrix.querySelector(".hazard-scores");
    if (!list) { return; }
    var scoreText = matrix.getAttribute("data-score-text") || "";
    var items = document.createElement("ul");
    hazards.forEach(function (h) {
      var cell = cellOf(matrix, h.likelihood, h.consequence);
      var score = String(Number(h.likelihood) * Number(h.consequence));
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(
        word + " " + h.number + ": " + h.description + " – " +
        scoreText.replace("{l}", h.likelihood).replace("{c}", h.consequence).replace("{s}", score) + " ("
      ));
      var level = document.createElement("span");
      level.className = "risk-word";
      if (cell) {
        var css = levelClass(cell);
        if (css) { level.classList.add(css); }
        var words = cell.querySelector(".words");
        level.textContent = words ? words.textContent : "";
      }
      item.appendChild(level);
      item.appendChild(document.createTextNode(")"));
      items.appendChild(item);
    });
    // The list the page came with stays when it says the same (nothing to read out again).
    if (items.textContent !== list.textContent) {
      list.replaceChildren.apply(list, Array.prototype.slice.call(items.childNodes));
    }
    if (list.hidden !== (hazards.length === 0)) { list.hidden = hazards.length === 0; }
  }

  function start() {
    var form = document.getElementById("analysis-form");
    var matrix = document.querySelector("[data-live-matrix]");
    if (!form || !matrix) { return; }
    var word = matrix.getAttribute("data-hazard-word") || "";
    var shown = null;

    function update() {
      var hazards = scoredHazards(form);
      var key = JSON.stringify(hazards);
      // Only a change of what the matrix shows touches it: its region is read out when it changes.
      if (key === shown) { return; }
      shown = key;
      markCells(matrix, hazards, word);
      listHazards(matrix, hazards, word);
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // The browser may put back what was typed when the page is shown again (the back button).
    window.addEventListener("pageshow", update);
    update();
  }

  start();
})();
