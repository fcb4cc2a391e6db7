// The unsubscribe link in a mail's footer: submit the one-click form at once. Mail
// scanners that open every link run no scripts, so they unsubscribe nobody.
(function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (form) form.submit();
})();
