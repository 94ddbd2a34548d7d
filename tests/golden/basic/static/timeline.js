// The shared timeline, enhanced: pointing at or focusing an account marks every account of the
// same event in the other lanes, and a set of checkboxes shows or hides lanes. The page reads
// completely without this script; it only adds to what the built HTML already says.
(function () {
  "use strict";
  var timeline = document.querySelector(".tl");
  if (!timeline) return;
  var links = timeline.querySelectorAll(".acct > a[data-event]");
  var current = null;

  function mark(eventId) {
    if (eventId === current) return;
    current = eventId;
    timeline.classList.toggle("focusing", eventId !== null);
    for (var i = 0; i < links.length; i++) {
      links[i].classList.toggle("hl", links[i].getAttribute("data-event") === eventId);
    }
  }
  function eventOf(target) {
    var link = target && target.closest ? target.closest(".acct > a[data-event]") : null;
    return link ? link.getAttribute("data-event") : null;
  }
  timeline.addEventListener("mouseover", function (e) { mark(eventOf(e.target)); });
  timeline.addEventListener("mouseleave", function () { mark(eventOf(document.activeElement)); });
  timeline.addEventListener("focusin", function (e) { mark(eventOf(e.target)); });
  timeline.addEventListener("focusout", function (e) {
    if (!timeline.contains(e.relatedTarget)) mark(null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") mark(null);
  });

  // Lanes on and off: real checkboxes, so keyboards and screen readers know them already.
  var lanes = timeline.querySelectorAll(".lane[data-lane]");
  if (lanes.length < 2) return;
  var box = document.createElement("fieldset");
  box.className = "lane-toggles";
  var legend = document.createElement("legend");
  legend.textContent = "Show lanes";
  box.appendChild(legend);
  var status = document.createElement("p");
  status.className = "vh";
  status.setAttribute("role", "status");
  lanes.forEach(function (lane) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.checked = true;
    input.addEventListener("change", function () {
      lane.hidden = !input.checked;
      var shown = timeline.querySelectorAll(".lane[data-lane]:not([hidden])").length;
      status.textContent = lane.getAttribute("data-lane") + " lane " +
        (input.checked ? "shown" : "hidden") + "; " + shown + " of " + lanes.length + " shown.";
    });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + lane.getAttribute("data-lane")));
    box.appendChild(label);
  });
  box.appendChild(status);
  var frame = timeline.querySelector(".tl-frame");
  timeline.insertBefore(box, frame);
})();
