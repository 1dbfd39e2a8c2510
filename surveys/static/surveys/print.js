// A "Print" button (data-print) prints the page; no inline handler, which the
// Content-Security-Policy would refuse.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
