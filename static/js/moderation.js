/* The moderation queue from the keyboard, and decisions without reloading the page.
 *
 * The queue is a plain form that works without this file: every button posts and the
 * page comes back. With it: j/k move between comments, a/r/s approve, reject or mark
 * spam the current one (r first asks for the reason: type it, then Enter), x selects it,
 * and each decision swaps the changed rows in place and updates the counts.
 */
(function () {
  "use strict";
  var form = document.querySelector(".queue-form");
  if (!form) return;
  var help = document.getElementById("queue-keys");
  var status = document.getElementById("queue-status");
  var current = null;

  if (help) help.hidden = false;

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll(".queue-item"));
  }

  function select(row) {
    if (!row) return;
    if (current) current.classList.remove("is-current");
    current = row;
    row.classList.add("is-current");
    row.focus();
  }

  function move(step) {
    var all = rows();
    var index = current ? all.indexOf(current) : -1;
    var next = all[Math.min(Math.max(index + step, 0), all.length - 1)];
    select(next);
  }

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
        if (current === old) current = null;
      });
      updateCounts(data.counts);
      say(data.message);
      var row = focusId && document.getElementById("q-" + focusId);
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

  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("[data-select]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });

  form.addEventListener("focusin", function (event) {
    var row = event.target.closest(".queue-item");
    if (row && row !== current) {
      if (current) current.classList.remove("is-current");
      current = row;
      row.classList.add("is-current");
    }
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
    else if (!current) {
      if ("arsx".indexOf(key) >= 0 && key.length === 1) {
        move(1);
        event.preventDefault();
      }
      return;
    } else if (key === "a") decide(current, "approve");
    else if (key === "s") decide(current, "spam");
    else if (key === "x") {
      var box = current.querySelector("[data-select]");
      if (box) box.checked = !box.checked;
    } else if (key === "r") {
      var reason = current.querySelector("[data-reason]");
      if (!reason) return;
      reason.dataset.pending = "reject";
      reason.focus();
      say("Type the reason for rejecting, then Enter. Escape goes back.");
    } else return;
    event.preventDefault();
  });
})();
