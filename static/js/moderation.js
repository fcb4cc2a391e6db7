/* The moderation queue from the keyboard, decisions without reloading the page, and new
 * comments as they come.
 *
 * The queue is a plain form that works without this file: every button posts and the
 * page comes back. With it: j/k move between comments, a/r/s approve, reject or mark
 * spam the current one (r first asks for the reason: type it, then Enter), f features or
 * unfeatures it, x selects it; each decision swaps the changed rows in place, updates the
 * counts and moves to the next comment. Every POLL_MS the page asks the form's data-live
 * address for comments it does not show yet (page 1 only) and adds them in queue order.
 * The current row and the select-all box are row-cursor.js's, shared with the desk.
 */
(function () {
  "use strict";
  var form = document.querySelector(".queue-form");
  if (!form) return;
  var help = document.getElementById("queue-keys");
  var status = document.getElementById("queue-status");
  var bulk = form.querySelector(".queue-bulk");
  var list = form.querySelector(".queue-list");
  var empty = document.getElementById("queue-empty");
  var POLL_MS = 5000;

  if (help) help.hidden = false;

  // The sticky bulk bar's height, so a comment scrolled to stops below it, never under it
  // (CSS reads --queue-bulk-height in .queue-item's scroll-margin-top).
  function measureBulk() {
    var sticky = bulk && getComputedStyle(bulk).position === "sticky";
    var height = sticky ? bulk.getBoundingClientRect().height : 0;
    document.documentElement.style.setProperty("--queue-bulk-height", height + "px");
  }
  measureBulk();
  window.addEventListener("resize", measureBulk);

  var cursor = window.rowCursor(form, ".queue-item", true);
  var rows = cursor.rows;
  var select = cursor.select;
  var move = cursor.move;

  function say(text) {
    if (status) status.textContent = text;
  }

  function updateCounts(counts) {
    if (!counts) return;
    Object.keys(counts).forEach(function (name) {
      document.querySelectorAll('[data-count="' + name + '"]').forEach(function (el) {
        el.textContent = counts[name];
      });
    });
  }

  function addRows(rows) {
    rows.forEach(function (item) {
      if (document.getElementById("q-" + item.id)) return;
      var holder = document.createElement("div");
      holder.innerHTML = item.html.trim();
      var fresh = holder.firstElementChild;
      fresh.classList.add("is-new");
      var before = item.after && document.getElementById("q-" + item.after);
      if (before) before.after(fresh);
      else if (item.after) list.appendChild(fresh);
      else list.insertBefore(fresh, list.firstElementChild);
    });
    if (empty) empty.hidden = rows.length > 0 || list.children.length > 0;
  }

  function poll() {
    var address = form.dataset.live;
    if (!address || document.hidden) return;
    var shown = rows().map(function (row) { return row.dataset.comment; }).join(",");
    var url = address + (address.indexOf("?") < 0 ? "?" : "&") + "shown=" + shown;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        addRows(data.rows || []);
        updateCounts(data.counts);
        var line = document.getElementById("queue-count");
        if (line && data.count_text) line.textContent = data.count_text;
        if (data.rows && data.rows.length) {
          var n = data.rows.length;
          say(n + " new comment" + (n === 1 ? "" : "s") + " in the queue.");
        }
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { timer = window.setTimeout(poll, POLL_MS); });
  }
  var timer = null;
  if (form.dataset.live) {
    timer = window.setTimeout(poll, POLL_MS);
    document.addEventListener("visibilitychange", function () {
      // A hidden tab stops asking; coming back asks at once.
      if (!document.hidden) {
        window.clearTimeout(timer);
        poll();
      }
    });
  }

  function nextRow(id) {
    var row = document.getElementById("q-" + id);
    var next = row && row.nextElementSibling;
    return next && next.classList.contains("queue-item") ? next : row;
  }

  function send(body, focusId) {
    // getAttribute: form.action would be the bulk bar's <select name="action">.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      headers: { "X-Requested-With": "moderation" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || "The decision failed.");
        return data;
      });
    }).then(function (data) {
      Object.keys(data.rows || {}).forEach(function (id) {
        var old = document.getElementById("q-" + id);
        if (!old) return;
        var holder = document.createElement("div");
        holder.innerHTML = data.rows[id].trim();
        var fresh = holder.firstElementChild;
        old.replaceWith(fresh);
        if (cursor.current === old) cursor.current = null;
      });
      updateCounts(data.counts);
      say(data.message);
      // A decided comment is done: go on to the next one (the last stays put).
      var row = focusId && nextRow(focusId);
      if (row) select(row);
    });
  }

  function decide(row, action) {
    var id = row.dataset.comment;
    var button = row.querySelector('button[data-action="' + action + '"]');
    if (!button) {
      say("That decision does not apply to comment " + id + ".");
      return;
    }
    var body = new FormData(form, button);
    send(body, id).catch(function () {
      // Fall back to the plain form: the page reloads with the server's message.
      button.click();
    });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!submitter || form.dataset.plain) return;
    event.preventDefault();
    var id = submitter.name === "single" ? submitter.value.split(":")[1] : null;
    send(new FormData(form, submitter), id).catch(function (error) {
      say(error.message);
      form.dataset.plain = "1";
      submitter.click();
    });
  });

  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-reason]") && event.key === "Enter") {
      // Enter in a comment's reason field decides that comment (reject unless another
      // key asked for something else), never the bulk bar.
      event.preventDefault();
      var row = field.closest(".queue-item");
      decide(row, field.dataset.pending || "reject");
      delete field.dataset.pending;
    } else if (field.matches && field.matches("[data-reason]") && event.key === "Escape") {
      delete field.dataset.pending;
      select(field.closest(".queue-item"));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var key = event.key;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "?" && help) help.hidden = !help.hidden;
    else if (!cursor.current) {
      if ("afrsx".indexOf(key) >= 0 && key.length === 1) {
        move(1);
        event.preventDefault();
      }
      return;
    } else if (key === "a") decide(cursor.current, "approve");
    else if (key === "s") decide(cursor.current, "spam");
    else if (key === "f") {
      var pick = cursor.current.querySelector('button[data-action="feature"], button[data-action="unfeature"]');
      if (pick) decide(cursor.current, pick.dataset.action);
      else say("Only an approved comment can be featured.");
    }
    else if (key === "x") {
      var box = cursor.current.querySelector("[data-select]");
      if (box) box.checked = !box.checked;
    } else if (key === "r") {
      var reason = cursor.current.querySelector("[data-reason]");
      if (!reason) return;
      reason.dataset.pending = "reject";
      reason.focus();
      say("Type the reason for rejecting, then Enter. Escape goes back.");
    } else return;
    event.preventDefault();
  });
})();
