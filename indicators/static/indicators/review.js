// The review pages' few behaviours, in a static file so that the pages need no
// inline script: a "Print" button prints the page.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
