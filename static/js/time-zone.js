// A reader who never chose a time zone for the briefing: offer the browser's own.
(function () {
  var select = document.querySelector("select[data-guess-zone]");
  if (!select || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) { select.value = zone; return; }
  }
})();
