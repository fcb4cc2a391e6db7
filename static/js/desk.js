/* The incoming desk from the keyboard (stories/desk_views.py), as the moderation queue:
 * j/k move between drafts, p publish and r reject the current one, x selects it, o opens
 * the selected drafts (or the current one) in full, e edits it, ? shows the keys. Every
 * decision is the plain form's own button, so the page works the same without this file;
 * after a decision the desk comes back with the cursor on the draft that followed.
 */
(function () {
  "use strict";
  var form = document.querySelector(".desk-form");
  if (!form) return;
  var help = document.getElementById("desk-keys");
  var focusField = form.querySelector("input[name=focus]");
  var current = null;
  if (help) help.hidden = false;

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll(".desk-item"));
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
    select(all[Math.min(Math.max(index + step, 0), all.length - 1)]);
  }

  function decide(row, action) {
    var button = row.querySelector('button[data-action="' + action + '"]');
    if (!button) return;
    var all = rows();
    var next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
    focusField.value = next ? next.dataset.draft : "";
    button.click();
  }

  function openSelected() {
    var boxes = form.querySelectorAll("[data-select]:checked");
    if (!boxes.length && current) current.querySelector("[data-select]").checked = true;
    form.querySelector('button[name=action][value="open"]').click();
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll("[data-select]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });

  form.addEventListener("focusin", function (event) {
    var row = event.target.closest(".desk-item");
    if (row && row !== current) {
      if (current) current.classList.remove("is-current");
      current = row;
      row.classList.add("is-current");
    }
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "single" && !focusField.value) {
      var row = submitter.closest(".desk-item");
      var all = rows();
      var next = all[all.indexOf(row) + 1] || all[all.indexOf(row) - 1];
      focusField.value = next ? next.dataset.draft : "";
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    var key = event.key;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "?" && help) help.hidden = !help.hidden;
    else if (key === "o") openSelected();
    else if (!current) {
      if ("prxe".indexOf(key) >= 0 && key.length === 1) move(1);
      else return;
    } else if (key === "p") decide(current, "publish");
    else if (key === "r") decide(current, "reject");
    else if (key === "e") window.location.href = current.dataset.edit;
    else if (key === "x") {
      var box = current.querySelector("[data-select]");
      box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });

  var wanted = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (wanted && wanted.classList.contains("desk-item")) select(wanted);
})();
