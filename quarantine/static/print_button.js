// Print buttons ([data-print]) without inline handlers, so pages keep a strict Content-Security-Policy.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
