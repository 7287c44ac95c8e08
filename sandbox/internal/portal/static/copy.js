// Copy buttons: <button data-copy="ID"> copies the text of the element ID. Without JavaScript
// the buttons stay hidden and the value can be selected and copied by hand.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (b) { b.hidden = false; });
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("button[data-copy]");
  if (!b) { return; }
  var el = document.getElementById(b.getAttribute("data-copy"));
  var status = b.parentNode.querySelector(".copy-status");
  var say = function (msg) { if (status) { status.textContent = msg; } };
  var text = el ? el.textContent.trim() : "";
  var fallback = function () {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    say(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(function () { say("Copied."); b.setAttribute("data-copied", "true"); }, fallback);
  } else {
    fallback();
  }
});
