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

// The organization picker (orgs/_org_picker.html) from the keyboard: Enter in its text box
// chooses the first match instead of sending the form half filled; the arrow keys move
// between the text box and the matches. Without this, Tab and Enter still work.
document.addEventListener("keydown", function (event) {
  var picker = event.target.closest && event.target.closest(".org-picker");
  if (!picker) return;
  var choices = Array.prototype.slice.call(picker.querySelectorAll(".picker-choice"));
  var box = picker.querySelector("input[type=search]");
  var at = choices.indexOf(event.target);
  if (event.key === "Enter" && event.target === box) {
    event.preventDefault();
    if (choices.length) choices[0].click();
  } else if (event.key === "ArrowDown" && choices.length) {
    event.preventDefault();
    choices[Math.min(at + 1, choices.length - 1)].focus();
  } else if (event.key === "ArrowUp" && at >= 0) {
    event.preventDefault();
    (at === 0 ? box : choices[at - 1]).focus();
  }
});
