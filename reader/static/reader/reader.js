// Enhancements only: every page works without this file.
// "Copy" buttons next to a citation or a link copy its text to the clipboard.
(function () {
  "use strict";

  function textOf(element) {
    return element.value !== undefined && element.tagName === "INPUT" ? element.value : element.textContent.trim();
  }

  function announce(button, message) {
    var status = document.querySelector(".copy-status");
    if (status) {
      status.textContent = message;
    }
  }

  function copy(event) {
    var button = event.currentTarget;
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(textOf(target)).then(
      function () { announce(button, "Copied."); },
      function () { announce(button, "Copying failed: select the text and copy it."); }
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", copy);
    });
    document.querySelectorAll("input.permalink").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  });
})();
