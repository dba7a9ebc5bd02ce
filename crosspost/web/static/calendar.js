// The calendar's drag: a scheduled post dropped on another day keeps its time of day and is
// moved by submitting its own move form (the same POST the button sends); without this file
// the form alone does it. Our own script, loaded with <script src> under the CSP.
(function () {
  "use strict";
  var dragged = null;

  function onDragStart(event) {
    var item = event.target.closest("li.cal-post[draggable=true]");
    if (!item) { return; }
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-post"));
  }

  function onDragEnd() {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    document.querySelectorAll("td.day.drop-here").forEach(function (cell) {
      cell.classList.remove("drop-here");
    });
  }

  function dayOf(event) {
    return event.target.closest ? event.target.closest("td.day[data-day]") : null;
  }

  function onDragOver(event) {
    var cell = dayOf(event);
    if (!dragged || !cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("drop-here");
  }

  function onDragLeave(event) {
    var cell = dayOf(event);
    if (cell && !cell.contains(event.relatedTarget)) { cell.classList.remove("drop-here"); }
  }

  function onDrop(event) {
    var cell = dayOf(event);
    if (!dragged || !cell) { return; }
    event.preventDefault();
    var item = dragged;
    onDragEnd();
    var was = item.getAttribute("data-at");  // "YYYY-MM-DDTHH:MM" in the configured zone
    var day = cell.getAttribute("data-day");
    if (!was || !day || was.slice(0, 10) === day) { return; }
    var form = item.querySelector("form.move-form");
    if (!form) { return; }
    form.querySelector("input[name=at]").value = day + was.slice(10);
    item.classList.add("moving");
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  document.addEventListener("dragstart", onDragStart);
  document.addEventListener("dragend", onDragEnd);
  document.addEventListener("dragover", onDragOver);
  document.addEventListener("dragleave", onDragLeave);
  document.addEventListener("drop", onDrop);
}());
