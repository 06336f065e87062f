/* Drag-and-drop ordering in the admin: a guide's inline rows and the change
 * lists that have an editable "order" column.
 *
 * The order lives in the form: moving a row rewrites the rows' order numbers,
 * and nothing is stored until the editor presses Save, so the new order goes
 * through the same save as any edit (revision, draft, conflict check, page
 * invalidation; roadmaps/ordering.py settles the numbers). Each row gets a
 * drag handle, and Up/Down buttons for the keyboard and for touch screens.
 * A static file, under the site's Content Security Policy: no inline code.
 */
(function () {
  "use strict";

  var POSITION = 'input[name$="-position"]';

  function groups() {
    var found = [];
    document.querySelectorAll(".inline-group").forEach(function (group) {
      found.push({ root: group, rows: function () { return inlineRows(group); } });
    });
    var list = document.getElementById("result_list");
    if (list && list.querySelector(POSITION)) {
      found.push({ root: list, rows: function () { return listRows(list); } });
    }
    return found.filter(function (g) { return g.rows().length > 0; });
  }

  function inlineRows(group) {
    var rows = group.querySelectorAll("tbody tr.form-row, div.inline-related");
    return Array.prototype.filter.call(rows, function (row) {
      return !row.classList.contains("empty-form") && row.querySelector(POSITION) &&
        !row.closest(".empty-form");
    });
  }

  function listRows(list) {
    return Array.prototype.filter.call(list.querySelectorAll("tbody tr"), function (row) {
      return row.querySelector(POSITION);
    });
  }

  function input(row) { return row.querySelector(POSITION); }

  function label(row) {
    var heading = row.querySelector("h3 b, h3 .inline_label, th a, td.field-name, td.original p");
    if (heading && heading.textContent.trim()) { return heading.textContent.trim(); }
    var text = row.querySelector('input[type="text"]:not([name$="-position"]), textarea');
    return text && text.value.trim() ? text.value.trim().slice(0, 60) : "this row";
  }

  // The numbers the rows had when the page was drawn, smallest first: moving
  // rows hands these same numbers out in the new order, so rows on other
  // pages of a list keep their places.
  function numbers(group) {
    if (!group.numbers) {
      group.numbers = group.rows().map(function (row) { return input(row).value; })
        .filter(function (value) { return value !== ""; })
        .map(Number).sort(function (a, b) { return a - b; });
    }
    return group.numbers;
  }

  function renumber(group) {
    var pool = numbers(group).slice();
    group.rows().forEach(function (row) {
      var box = input(row);
      if (box.value === "" && !box.dataset.moved) { return; } // a blank new row stays blank
      var next = pool.length ? pool.shift() : (numbers(group).length ? numbers(group)[numbers(group).length - 1] + 1 : 0);
      if (String(next) !== box.value) {
        box.value = String(next);
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function announce(group, row, text) {
    var status = group.status;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 30);
    row.classList.add("order-moved");
    window.setTimeout(function () { row.classList.remove("order-moved"); }, 1200);
  }

  function place(group, row) {
    var rows = group.rows();
    return "Moved " + label(row) + " to place " + (rows.indexOf(row) + 1) + " of " + rows.length +
      ". Save to keep the new order.";
  }

  function move(group, row, step) {
    var rows = group.rows();
    var index = rows.indexOf(row);
    var target = rows[index + step];
    if (!target) { return; }
    numbers(group);
    if (step < 0) { target.parentNode.insertBefore(row, target); }
    else { target.parentNode.insertBefore(row, target.nextSibling); }
    input(row).dataset.moved = "1";
    renumber(group);
    announce(group, row, place(group, row));
  }

  function button(text, name, handler) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "order-button " + name;
    b.textContent = text;
    b.addEventListener("click", handler);
    return b;
  }

  function tools(group, row) {
    var box = input(row);
    var wrap = document.createElement("span");
    wrap.className = "order-tools";
    // A span, not a button: Chromium starts no drag from a form control. The
    // Up/Down buttons beside it do the same for the keyboard and touch.
    var handle = document.createElement("span");
    handle.className = "order-button order-handle";
    handle.textContent = "⠿";
    handle.draggable = true;
    handle.title = "Drag to move";
    handle.setAttribute("aria-hidden", "true");
    var up = button("↑", "order-up", function () { move(group, row, -1); up.focus(); });
    var down = button("↓", "order-down", function () { move(group, row, 1); down.focus(); });
    up.setAttribute("aria-label", "Move " + label(row) + " up");
    down.setAttribute("aria-label", "Move " + label(row) + " down");
    wrap.appendChild(handle);
    wrap.appendChild(up);
    wrap.appendChild(down);
    box.parentNode.insertBefore(wrap, box.nextSibling);

    handle.addEventListener("dragstart", function (event) {
      numbers(group);
      group.dragging = row;
      row.classList.add("order-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", label(row));
      if (event.dataTransfer.setDragImage) { event.dataTransfer.setDragImage(row, 20, 20); }
    });
    handle.addEventListener("dragend", function () {
      row.classList.remove("order-dragging");
      if (group.dragging === row) {
        group.dragging = null;
        input(row).dataset.moved = "1";
        renumber(group);
        announce(group, row, place(group, row));
      }
    });
    row.addEventListener("dragover", function (event) {
      var dragged = group.dragging;
      if (!dragged || dragged === row || group.rows().indexOf(row) < 0) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) {
      if (group.dragging) { event.preventDefault(); }
    });
  }

  function setUp(group) {
    var status = document.createElement("p");
    status.className = "order-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    if (group.root.tagName === "TABLE") {
      group.root.parentNode.insertBefore(status, group.root);
    } else {
      group.root.insertBefore(status, group.root.firstChild);
    }
    group.status = status;
    group.rows().forEach(function (row) { tools(group, row); });
  }

  function start() { groups().forEach(setUp); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
