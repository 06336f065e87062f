// Binds django-import-export's "select all" toggle without an inline handler
// (the strict Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle").forEach(function (box) {
    box.addEventListener("change", function (event) {
      if (typeof onSelectToggleChange === "function") onSelectToggleChange(event);
    });
  });
});
