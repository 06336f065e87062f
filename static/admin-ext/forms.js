// Long admin change forms (templates/admin/change_form.html): a link from the
// error summary or the section navigation to a field, row or section inside a
// closed <details> opens it, scrolls to it and moves the focus there; a section
// holding an error starts open. A static file: the CSP forbids inline script.
(function () {
  "use strict";

  var FOCUSABLE = "input, select, textarea, button, a[href], summary, [tabindex]";

  // Open every <details> around the element, and a group's own section.
  function open(target) {
    var details = target.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement && details.parentElement.closest("details");
    }
    if (target.matches(".inline-group")) {
      var inner = target.querySelector("details");
      if (inner) inner.open = true;
    }
  }

  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) return null;
    open(target);
    if (!target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
    // The browser scrolls to the fragment itself (after the click, or on load).
    target.focus({ preventScroll: true });
    return target;
  }

  function idOf(hash) {
    try {
      return decodeURIComponent((hash || "").replace(/^#/, ""));
    } catch (error) {
      return "";
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#'], .sections-nav a[href^='#']");
    if (!link) return;
    var target = reveal(idOf(link.getAttribute("href")));
    // Followed again: no hash change, so scroll here.
    if (target && link.hash === window.location.hash) {
      event.preventDefault();
      target.scrollIntoView();
    }
  });

  window.addEventListener("hashchange", function () {
    reveal(idOf(window.location.hash));
  });

  function start() {
    // Django leaves a section with field errors open, but not one whose only
    // error is the whole group's (too many rows, a rule across rows).
    document.querySelectorAll("details").forEach(function (details) {
      if (details.querySelector(".errorlist, .errornote")) details.open = true;
    });
    var target = reveal(idOf(window.location.hash));
    if (target) target.scrollIntoView();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
