/* Enhancements only: every page works without this file. */
(function () {
  "use strict";

  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function errorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    if (document.activeElement !== summary) summary.focus();
    // As GOV.UK's error summary does: the question's text comes into view with
    // its first choice focused (the link alone would hide the question above).
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!input) return;
      event.preventDefault();
      var question = input.closest("fieldset") || input;
      question.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // One sending per page: a second click while the first is on its way is
  // ignored (the server would store it once anyway, by the page's uid).
  function survey() {
    var form = document.getElementById("survey");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "language") return;
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      form.setAttribute("aria-busy", "true");
      // A sending lost on a poor connection may be retried after a while.
      setTimeout(function () {
        delete form.dataset.sending;
        form.removeAttribute("aria-busy");
      }, 5000);
    });
    // Back to this page from the browser's history: it may be sent again, and
    // the server then says the answers were already received.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        delete form.dataset.sending;
        form.removeAttribute("aria-busy");
      }
    });
  }

  function finder() {
    var input = document.getElementById("finder-q");
    var count = document.getElementById("finder-count");
    if (!input || input.value) return;  // a search the server made: keep it
    var groups = document.querySelectorAll("[data-search-group]");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        // As on the server: the words in order, each the start of a word.
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        var pattern = new RegExp("\\b" + words.map(function (w) {
          return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        }).join("\\w*\\s+"));
        var found = 0;
        groups.forEach(function (group) {
          var shown = 0;
          group.querySelectorAll("[data-search]").forEach(function (item) {
            var text = item.getAttribute("data-search");
            var match = pattern.test(text);
            item.hidden = !match;
            shown += match ? 1 : 0;
          });
          group.hidden = shown === 0;
          group.open = words.length > 0 && shown > 0 && shown <= 40;
          found += shown;
        });
        if (count) {
          count.textContent = words.length
            ? (count.dataset.prefix || "") + " " + found : "";
        }
      }, 150);
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    printButtons();
    errorSummary();
    survey();
    finder();
  });
})();
