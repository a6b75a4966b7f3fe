// Planning pages: progress while a run waits or runs, sites of a plan loaded when opened, the move picker.
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  // --- progress ---------------------------------------------------------------------------
  var box = document.getElementById("progress");
  if (box) {
    var poll = function () {
      getJSON(box.dataset.url).then(function (s) {
        document.getElementById("progress-bar").value = s.percent;
        document.getElementById("progress-placed").textContent = s.placed;
        document.getElementById("progress-elapsed").textContent = s.elapsed.toFixed(1);
        var queued = document.getElementById("queue-status");
        queued.hidden = s.status !== "queued";
        document.getElementById("queue-position").textContent = s.position || "";
        if (s.status !== "running" && s.status !== "queued") { window.location = box.dataset.doneUrl; }
        else { setTimeout(poll, 700); }
      }).catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }

  // --- one site's rooms, on demand -----------------------------------------------------------
  document.querySelectorAll("details[data-url]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      var target = details.querySelector(".site-floors");
      if (!details.open || target.dataset.loaded) { return; }
      target.dataset.loaded = "1";
      fetch(details.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.text(); })
        .then(function (html) { target.innerHTML = html; });
    });
  });

  // --- the move picker -----------------------------------------------------------------------
  var form = document.getElementById("move-form");
  if (!form) { return; }
  var chosenSite = "";

  function picker(inputId, listId, load, render, choose) {
    var input = document.getElementById(inputId), list = document.getElementById(listId), timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        load(input.value).then(function (items) {
          list.innerHTML = "";
          items.forEach(function (item) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.tabIndex = 0;
            li.textContent = render(item);
            var pick = function () { input.value = render(item); list.innerHTML = ""; choose(item); };
            li.addEventListener("click", pick);
            li.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); pick(); } });
            list.appendChild(li);
          });
        });
      }, 200);
    });
  }

  var url = function (base, params) {
    return base + "?" + new URLSearchParams(params).toString();
  };
  picker("move-person-search", "move-person-results",
    function (q) { return getJSON(url(form.dataset.peopleUrl, {q: q})); },
    function (p) { return p.name + " · " + p.household + " · …" + p.id_tail + (p.room ? " · " + p.room : " · —"); },
    function (p) { document.getElementById("move-person").value = p.key; });
  picker("move-site-search", "move-site-results",
    function (q) { return getJSON(url(form.dataset.sitesUrl, {q: q})); },
    function (s) { return s.name; },
    function (s) { chosenSite = s.key; });
  picker("move-room-search", "move-room-results",
    function (q) { return chosenSite ? getJSON(url(form.dataset.roomsUrl, {site: chosenSite, q: q})) : Promise.resolve([]); },
    function (r) {
      // Words come translated from the page (data-*), the cohort's words from the server.
      var cohort = r.cohort.map(function (c) { return c.text; }).join(", ");
      var free = form.dataset.roomFree.replace("{free}", r.free).replace("{beds}", r.beds);
      var floor = cohort ? form.dataset.floorHolds.replace("{cohort}", cohort) : form.dataset.floorEmpty;
      return r.label + " · " + free + (r.accessible ? " · ♿" : "") + " · " + floor;
    },
    function (r) { document.getElementById("move-room").value = r.key; });
})();
