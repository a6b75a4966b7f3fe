// Forms that ask before they send (form[data-confirm]), without inline handlers, so every page keeps a
// Content-Security-Policy with no inline script.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
