// Small page behaviours kept in a static file, since the Content-Security-Policy runs no inline
// handler (onclick=, onsubmit=) and no eval.

// Ask before a step that cannot be undone: a button or link with data-confirm="…", or a form
// with data-confirm however it is submitted.
document.addEventListener("click", function (event) {
  var el = event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// A "select all" box: data-check-all="award" sets every box named award in its form.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.dataset || !box.dataset.checkAll || !box.form) return;
  box.form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]')
    .forEach(function (b) { b.checked = box.checked; });
});

