// The comparison, enhanced: pointing at or focusing a mark (or an outlet in the legend) brings
// out that outlet's marks in every row; outlets can be hidden, rows narrowed by tag, by the
// original claimant they rest on or to the disputed, the marks at the editors' date left out,
// and one day widened to the full width, each choice kept in the page's address. The page is
// complete without this script.
(function () {
  "use strict";
  var tl = document.querySelector(".tl");
  if (!tl) return;
  var outlets = tl.querySelectorAll(".legend .outlet[data-o]");
  var rows = tl.querySelectorAll(".row");
  var days = tl.querySelectorAll(".axis-days .d");
  var only = null;

  function outletOf(el) {
    var m = el && el.closest ? el.closest(".m, .outlet[data-o]") : null;
    if (!m) return null;
    return m.getAttribute("data-o") || (m.getAttribute("class").match(/\bo(\d+)\b/) || [])[1] || null;
  }
  function bringOut(n) {
    if (n === only) return;
    if (only) tl.classList.remove("only-o" + only);
    only = n;
    if (n) tl.classList.add("only-o" + n);
  }
  tl.addEventListener("mouseover", function (e) { bringOut(outletOf(e.target)); });
  tl.addEventListener("mouseleave", function () { bringOut(outletOf(document.activeElement)); });
  tl.addEventListener("focusin", function (e) { bringOut(outletOf(e.target)); });
  tl.addEventListener("focusout", function (e) { if (!tl.contains(e.relatedTarget)) bringOut(null); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") bringOut(null); });

  // On a phone the choices fold away under one line, open when the address makes one.
  var tools = el("div", "tl-tools"), box = tools;
  if (window.matchMedia && matchMedia("(max-width: 48rem)").matches) {
    box = el("details");
    box.appendChild(el("summary", "", "Narrow the rows"));
    tools.appendChild(box);
  }
  var status = el("p", "vh");
  status.setAttribute("role", "status");
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text) x.textContent = text;
    return x;
  }
  function labelled(text, control, after) {
    var label = el("label", "", after ? "" : text + " ");
    label.appendChild(control);
    if (after) label.appendChild(document.createTextNode(" " + text));
    box.appendChild(label);
    return control;
  }
  function has(list, word) { return (" " + (list || "") + " ").indexOf(" " + word + " ") >= 0; }

  // What the reader chose, kept in the address (?hide=&tag=&claimant=&disputed=1&own=1&day=)
  // so that the page opens the same way from a shared link.
  var params = new URLSearchParams(location.search);
  var state = {hide: (params.get("hide") || "").split(",").filter(Boolean), tag: params.get("tag") || "",
               claimant: params.get("claimant") || "", disputed: params.get("disputed") === "1",
               own: params.get("own") === "1", day: parseInt(params.get("day"), 10) || 0};
  function keep() {
    var q = new URLSearchParams();
    if (state.hide.length) q.set("hide", state.hide.join(","));
    if (state.tag) q.set("tag", state.tag);
    if (state.claimant) q.set("claimant", state.claimant);
    if (state.disputed) q.set("disputed", "1");
    if (state.own) q.set("own", "1");
    if (state.day) q.set("day", String(state.day));
    var s = q.toString();
    history.replaceState(history.state, "", location.pathname + (s ? "?" + s : "") + location.hash);
  }

  // Outlets on and off: a real checkbox in each outlet's legend entry, kept by the source's id.
  if (outlets.length > 1) {
    outlets.forEach(function (item) {
      var n = item.getAttribute("data-o"), link = item.querySelector("a"), name = link.textContent;
      var id = link.getAttribute("href").split("/").slice(-2)[0];
      var input = el("input");
      input.type = "checkbox";
      input.checked = state.hide.indexOf(id) < 0;
      input.setAttribute("aria-label", "Show " + name);
      tl.classList.toggle("hide-o" + n, !input.checked);
      input.addEventListener("change", function () {
        tl.classList.toggle("hide-o" + n, !input.checked);
        state.hide = state.hide.filter(function (x) { return x !== id; });
        if (!input.checked) state.hide.push(id);
        keep();
        status.textContent = name + (input.checked ? " shown." : " hidden.");
      });
      item.insertBefore(input, item.firstChild);
    });
  }

  // Rows narrowed: by tag, by the original claimant their statements rest on, to the disputed,
  // to those with a time of an outlet's own (the others would be empty).
  function narrow() {
    var n = 0;
    rows.forEach(function (row) {
      var keep = (!state.tag || has(row.getAttribute("data-tags"), state.tag))
        && (!state.claimant || has(row.getAttribute("data-claimants"), state.claimant))
        && (!state.disputed || row.hasAttribute("data-disputed"))
        && (!state.own || row.querySelector(".m:not(.h)"));
      row.hidden = !keep;
      if (keep) n++;
    });
    tl.querySelectorAll("ol.rows").forEach(function (list) {
      var day = list.previousElementSibling;
      if (day && day.matches("h3.day")) day.hidden = !list.querySelector(".row:not([hidden])");
    });
    return n + " of " + rows.length + " events shown.";
  }
  function select(text, first, options, key) {
    var box = el("select");
    box.appendChild(new Option(first, ""));
    options.forEach(function (o) { box.appendChild(o); });
    box.value = state[key];
    state[key] = box.value;
    box.addEventListener("change", function () {
      state[key] = box.value;
      keep();
      status.textContent = narrow();
    });
    return labelled(text, box);
  }
  var tags = {};
  rows.forEach(function (row) {
    row.getAttribute("data-tags").split(" ").forEach(function (t) { if (t) tags[t] = 1; });
  });
  var names = Object.keys(tags).sort();
  if (names.length) select("Events tagged", "any tag", names.map(function (t) { return new Option(t, t); }), "tag");
  var claimants = tl.querySelector("template.claimants");
  if (claimants) {
    select("On the word of", "anyone", Array.prototype.slice.call(claimants.content.cloneNode(true).children),
           "claimant").className = "claimant";
  }
  function toggle(text, key, apply) {
    var box = el("input");
    box.type = "checkbox";
    box.checked = state[key];
    box.addEventListener("change", function () {
      state[key] = box.checked;
      keep();
      status.textContent = apply();
    });
    labelled(text, box, true);
  }
  if (tl.querySelector(".row[data-disputed]")) toggle("Disputed only", "disputed", narrow);
  function own() {
    tl.classList.toggle("own-only", state.own);
    var shown = narrow();
    return (state.own ? "Only the outlets’ own times shown: " : "Marks at the editors’ date shown again: ") + shown;
  }
  if (tl.querySelector(".m.h")) toggle("Only the outlets’ own times", "own", own);
  own();
  narrow();
  if (state.tag || state.claimant || state.disputed || state.own) box.open = true;

  // One day across the full width.
  if (days.length > 1) {
    var view = el("div", "", "Widen a day: "), buttons = [];
    view.setAttribute("role", "group");
    view.setAttribute("aria-label", "Widen a day");
    (tl.querySelector(".tl-days") || tools).appendChild(view);
    var pick = function (k) {
      for (var i = 0; i < days.length; i++) tl.classList.remove("day-" + i);
      tl.classList.toggle("day-view", k >= 0);
      if (k > 0) tl.classList.add("day-" + k);
      buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(i === k + 1)); });
      state.day = k + 1;
      return k < 0 ? "All days shown." : days[k].querySelector("b").textContent + " shown across the full width.";
    };
    [null].concat(Array.prototype.slice.call(days)).forEach(function (d, i) {
      var b = el("button", "", d ? d.querySelector("b").textContent : "All days");
      b.type = "button";
      b.addEventListener("click", function () { status.textContent = pick(i - 1); keep(); });
      buttons.push(b);
      view.appendChild(b);
    });
    pick(state.day > 0 && state.day <= days.length ? state.day - 1 : -1);
  }
  keep();
  tools.appendChild(status);
  tl.insertBefore(tools, tl.querySelector(".frame"));
})();

// An address naming an event (#<event id>) opens its row and brings it into view, on arrival
// and whenever the address changes, even where a filter had hidden it; Chromium also opens it
// without this script.
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var details = target && target.closest ? target.closest(".row details") : null;
    if (!details) return;
    details.open = true;
    // The event the address asks for is shown even where the filters had hidden it.
    var row = details.closest(".row"), day = row.parentNode.previousElementSibling;
    row.hidden = false;
    if (day && day.matches("h3.day")) day.hidden = false;
    row.scrollIntoView({ block: "start" });
  }
  reveal();
  window.addEventListener("hashchange", reveal);
})();
