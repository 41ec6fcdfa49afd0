// The structured editor's keyboard and drag support (no inline scripts: the CSP forbids them).
// Alt+ArrowUp / Alt+ArrowDown move the focused statement; dragging a statement onto another
// moves it there; Ctrl+Z / Ctrl+Y (or Ctrl+Shift+Z) undo and redo outside text fields. Each
// move submits the list's hidden move form: the server saves a new version and the page comes
// back with the moved statement focused (its id in the address's fragment).
(function () {
  "use strict";

  function move(list, index, position) {
    var form = document.getElementById(list.dataset.moveForm);
    var count = list.querySelectorAll(":scope > li.statement").length;
    if (!form || position < 0 || position >= count || position === index) { return; }
    form.elements.index.value = index;
    form.elements.position.value = position;
    var anchor = document.createElement("input");
    anchor.type = "hidden";
    anchor.name = "anchor";
    anchor.value = list.id.replace("statements-", "st-") + "-" + position;
    form.appendChild(anchor);
    form.submit();
  }

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var item = event.target.closest ? event.target.closest("li.statement") : null;
    if (item && event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      var index = Number(item.dataset.index);
      move(item.parentElement, index, index + (event.key === "ArrowUp" ? -1 : 1));
      return;
    }
    if ((event.ctrlKey || event.metaKey) && !typing(event.target)) {
      var key = event.key.toLowerCase();
      var id = key === "y" || (key === "z" && event.shiftKey) ? "redo" : key === "z" ? "undo" : null;
      var button = id && document.getElementById(id);
      if (button && !button.disabled) {
        event.preventDefault();
        button.form.submit();
      }
    }
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest ? event.target.closest("li.statement") : null;
    if (dragged) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.id);
      dragged.classList.add("dragging");
    }
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    var over = event.target.closest ? event.target.closest("li.statement") : null;
    if (dragged && over && over.parentElement === dragged.parentElement) {
      event.preventDefault();
    }
  });
  document.addEventListener("drop", function (event) {
    var over = event.target.closest ? event.target.closest("li.statement") : null;
    if (dragged && over && over.parentElement === dragged.parentElement) {
      event.preventDefault();
      move(over.parentElement, Number(dragged.dataset.index), Number(over.dataset.index));
    }
  });

  // back from a save: focus what was edited (the fragment names it)
  document.addEventListener("DOMContentLoaded", function () {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target) { target.focus(); }
    var error = document.querySelector(".field-error");
    if (error) { error.scrollIntoView({block: "center"}); }
  });
})();
