// The comparison, enhanced: pointing at or focusing a mark (or an outlet in the legend) brings
// out that outlet's marks in every row; outlets can be hidden, rows filtered by tag, and one
// day widened to the full width. The page is complete without this script.
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

  var tools = document.createElement("div");
  tools.className = "tl-tools";
  var status = el("p", "vh");
  status.setAttribute("role", "status");
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text) x.textContent = text;
    return x;
  }
  function group(title) {
    var box = el("div", "", title + ": ");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", title);
    tools.appendChild(box);
    return box;
  }

  // Outlets on and off: a real checkbox in each outlet's legend entry.
  if (outlets.length > 1) {
    outlets.forEach(function (item) {
      var n = item.getAttribute("data-o"), name = item.querySelector("a").textContent;
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.setAttribute("aria-label", "Show " + name);
      input.addEventListener("change", function () {
        tl.classList.toggle("hide-o" + n, !input.checked);
        status.textContent = name + (input.checked ? " shown." : " hidden.");
      });
      item.insertBefore(input, item.firstChild);
    });
  }

  // Rows by tag.
  var tags = {};
  rows.forEach(function (row) {
    row.getAttribute("data-tags").split(" ").forEach(function (t) { if (t) tags[t] = 1; });
  });
  var names = Object.keys(tags).sort();
  if (names.length) {
    var label = el("label", "", "Events tagged ");
    var select = el("select");
    select.appendChild(new Option("any tag", ""));
    names.forEach(function (t) { select.appendChild(new Option(t, t)); });
    select.addEventListener("change", function () {
      var tag = select.value, n = 0;
      rows.forEach(function (row) {
        var keep = !tag || (" " + row.getAttribute("data-tags") + " ").indexOf(" " + tag + " ") >= 0;
        row.hidden = !keep;
        if (keep) n++;
      });
      status.textContent = n + " of " + rows.length + " events shown.";
    });
    label.appendChild(select);
    tools.appendChild(label);
  }

  // One day across the full width.
  if (days.length > 1) {
    var view = group("Widen a day"), buttons = [];
    var pick = function (k) {
      for (var i = 0; i < days.length; i++) tl.classList.remove("day-" + i);
      tl.classList.toggle("day-view", k >= 0);
      if (k > 0) tl.classList.add("day-" + k);
      buttons.forEach(function (b, i) { b.setAttribute("aria-pressed", String(i === k + 1)); });
      status.textContent = k < 0 ? "All days shown." : days[k].querySelector("b").textContent + " shown across the full width.";
    };
    [null].concat(Array.prototype.slice.call(days)).forEach(function (d, i) {
      var b = el("button", "", d ? d.querySelector("b").textContent : "All days");
      b.type = "button";
      b.setAttribute("aria-pressed", String(i === 0));
      b.addEventListener("click", function () { pick(i - 1); });
      buttons.push(b);
      view.appendChild(b);
    });
  }
  tools.appendChild(status);
  tl.insertBefore(tools, tl.querySelector(".frame"));
})();

// An address naming an event (#<event id>) opens its row and brings it into view, on arrival
// and whenever the address changes; Chromium also opens it without this script.
(function () {
  "use strict";
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var details = target && target.closest ? target.closest(".row details") : null;
    if (!details) return;
    details.open = true;
    details.closest(".row").scrollIntoView({ block: "start" });
  }
  reveal();
  window.addEventListener("hashchange", reveal);
})();
