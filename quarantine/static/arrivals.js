// The door list of expected arrivals: ticking one person of a household ticks the others too
// (a household comes in together; untick anyone who is not there), the count on the confirm button,
// the list narrowed as an ID's last digits or a name are typed, and the search field ready for a
// scanner on a desk without moving the page away from the household just handled.
(function () {
  "use strict";
  var form = document.getElementById("door-form");
  var search = document.getElementById("door-q");

  if (search && window.matchMedia && window.matchMedia("(pointer: fine)").matches) {
    search.focus({preventScroll: true});
  }
  if (!form) { return; }

  var count = document.getElementById("ticked-count");
  function recount() {
    count.textContent = form.querySelectorAll("input.door-tick:checked").length;
  }
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("door-tick")) { return; }
    if (box.checked && !box.dataset.touched) {
      var household = box.closest(".door-household");
      household.querySelectorAll("input.door-tick").forEach(function (other) {
        if (!other.dataset.touched) { other.checked = true; }
        other.dataset.touched = "1";
      });
    }
    box.dataset.touched = "1";
    recount();
  });
  recount();

  // Typing narrows the list at once (name, or the last digits of the ID); Enter asks the server,
  // which also matches a whole scanned ID number.
  if (search) {
    search.addEventListener("input", function () {
      var typed = search.value.trim().toUpperCase();
      var wholeId = /^[0-9A-Z]{5,}$/.test(typed) && /[0-9]/.test(typed);  // left to the server
      form.querySelectorAll(".door-household").forEach(function (household) {
        if (!typed || wholeId) { household.hidden = false; return; }
        household.hidden = !Array.prototype.some.call(household.querySelectorAll(".door-person"), function (person) {
          return person.dataset.person.toUpperCase().indexOf(typed) >= 0 ||
            (typed.length <= 4 && person.dataset.idTail.slice(-typed.length) === typed);
        });
      });
    });
  }
})();
