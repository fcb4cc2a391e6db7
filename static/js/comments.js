/* Reporting a comment without leaving it.
 *
 * The report controls of every comment belong to the section's one #report-form (each
 * "Send report" button carries its comment's address in formaction), and without this
 * file the form posts and the page comes back at the comment with the thank-you beside
 * it. With it, the report is sent in the background and the thank-you (or what was
 * missing) appears right after the comment's card, in a live region that screen readers
 * announce; the report box closes and the focus goes back to its "Report" summary.
 */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.fetch) return;

  function notice(card, text, isError) {
    var id = "notice-" + card.parentElement.id;
    var region = document.getElementById(id);
    if (!region) {
      region = document.createElement("p");
      region.id = id;
      region.className = "comment__notice";
      region.setAttribute("role", "status");
      card.after(region);
    }
    region.classList.toggle("comment__notice--error", !!isError);
    // A region already in the page announces a change; a new one gets its words a moment
    // later so that screen readers notice them.
    window.requestAnimationFrame(function () { region.textContent = text; });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.formAction) return;
    var card = button.closest(".comment__card");
    if (!card) return;
    event.preventDefault();
    button.disabled = true;
    fetch(button.formAction, {
      method: "POST",
      body: new FormData(form, button),
      headers: { "X-Requested-With": "report" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        button.disabled = false;
        notice(card, data.message, !response.ok);
        if (response.ok) {
          var details = card.querySelector(".comment__report");
          details.open = false;
          details.querySelector("summary").focus();
        }
      });
    }).catch(function () {
      // Not JSON (an error page, the network): send the plain form instead.
      button.disabled = false;
      form.setAttribute("action", button.formAction);
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
