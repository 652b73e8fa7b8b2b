(function () {
  "use strict";
  // Click a column header to sort the table by it; click again to reverse.
  // Cells may carry their machine value in data-v (numbers sort as numbers).
  function value(row, column) {
    var cell = row.cells[column];
    if (!cell) { return null; }
    var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (raw === "") { return null; }
    var number = Number(raw);
    return isNaN(number) ? raw.toLowerCase() : number;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }
  function sortBy(table, header, column) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    // screen readers seldom say a new aria-sort: the new order is said once, politely, by the column's name
    var name = header.cloneNode(true);
    Array.prototype.forEach.call(name.querySelectorAll(".unit, .sr"), function (part) { part.remove(); });
    said.textContent = "Sorted by " + name.textContent.replace(/\u200b/g, "").replace(/\s+/g, " ").trim() + ", "
      + (ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, key: value(row, column), index: index };
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {  // blanks last, whichever the direction
        return (a.key === null) - (b.key === null) || a.index - b.index;
      }
      return (ascending ? compare(a.key, b.key) : compare(b.key, a.key)) || a.index - b.index;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    // its rows print in blocks of its columns, the tables after it: in the order it shows
    (table.printBlocks || []).forEach(function (block) {
      Array.prototype.forEach.call(body.rows, function (row) {
        block.body.appendChild(block.rows[row.rowIndexAsWritten]);
      });
    });
  }
  var said = document.createElement("p");
  said.className = "sr";
  said.setAttribute("aria-live", "polite");
  document.querySelector("main").appendChild(said);
  function printBlocks(table) {
    var blocks = [];
    for (var next = table.nextElementSibling; next && next.classList.contains("print-only");
         next = next.nextElementSibling) {
      if (next.tBodies.length) {
        blocks.push({ body: next.tBodies[0], rows: Array.prototype.slice.call(next.tBodies[0].rows) });
      }
    }
    return blocks;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    if (table.classList.contains("screen-only")) {
      table.printBlocks = printBlocks(table);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row, index) { row.rowIndexAsWritten = index; });
    }
    var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
    Array.prototype.forEach.call(headers, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, header, column); });
    });
  });
  // A table or chart wider than the window scrolls sideways in its box: the keyboard reaches the box,
  // which takes its table's or chart's name (some browsers let no key scroll a box without the focus).
  function reachable() {
    Array.prototype.forEach.call(document.querySelectorAll(".wide, figure.chart"), function (box) {
      var table = box.querySelector("svg[aria-labelledby], table[aria-labelledby]");
      if (table && box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
        box.setAttribute("role", box.tagName === "FIGURE" ? "figure" : "region");  // a chart stays a figure
        box.setAttribute("aria-labelledby", table.getAttribute("aria-labelledby"));
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
      }
    });
  }
  reachable();
  window.addEventListener("resize", reachable);
  // Where a table's first column stays in view as it scrolls (narrow screens), what the keyboard reaches beyond it
  // is scrolled out from under it: the browser brings a focused button only to the box's edge, or not at all if
  // part of it shows.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var box = target.closest ? target.closest(".wide") : null;  // not the page itself
    var pinned = box && target !== box && box.querySelector("thead th:first-child");
    if (!pinned || getComputedStyle(pinned).left === "auto" || target.closest("tr > :first-child")) { return; }
    var covered = pinned.getBoundingClientRect().right - target.getBoundingClientRect().left;
    if (covered > 0) { box.scrollLeft -= covered; }
  });
  document.addEventListener("toggle", reachable, true);  // a chart's figures shown or hidden
})();
