/* The current row of a list walked from the keyboard (the moderation queue, moderation.js;
 * the incoming desk, desk.js): j/k move it, focusing anything inside a row makes that row
 * current, and a [data-select-all] box checks or clears every [data-select] box. The row
 * is marked with the class is-current. Loaded before the page's own script, which calls
 * window.rowCursor(form, ".queue-item", scrollTo) and keeps the object it returns.
 */
(function () {
  "use strict";
  window.rowCursor = function (form, itemSelector, scrollTo) {
    var cursor = { current: null };

    cursor.rows = function () {
      return Array.prototype.slice.call(form.querySelectorAll(itemSelector));
    };

    function mark(row) {
      if (cursor.current) cursor.current.classList.remove("is-current");
      cursor.current = row;
      row.classList.add("is-current");
    }

    cursor.select = function (row) {
      if (!row) return;
      mark(row);
      if (scrollTo) {
        row.focus({ preventScroll: true });
        row.scrollIntoView({ block: "nearest" });
      } else {
        row.focus();
      }
    };

    cursor.move = function (step) {
      var all = cursor.rows();
      var index = cursor.current ? all.indexOf(cursor.current) : -1;
      cursor.select(all[Math.min(Math.max(index + step, 0), all.length - 1)]);
    };

    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-select-all]")) {
        form.querySelectorAll("[data-select]").forEach(function (box) {
          box.checked = event.target.checked;
        });
      }
    });

    form.addEventListener("focusin", function (event) {
      var row = event.target.closest(itemSelector);
      if (row && row !== cursor.current) mark(row);
    });

    return cursor;
  };
})();
