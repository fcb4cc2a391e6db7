/* The article's Share button, only where the browser has the Web Share API; the plain
 * share links beside it work everywhere without this file. */
(function () {
  "use strict";
  if (!navigator.share) return;
  document.querySelectorAll(".share__native").forEach(function (item) {
    var button = item.querySelector("button");
    item.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.shareUrl })
        .catch(function () { /* the reader closed the sheet */ });
    });
  });
})();
