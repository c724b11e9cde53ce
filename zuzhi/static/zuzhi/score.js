// The judge's sheet: a confirmation checked on the server stands for the scores it showed;
// once a box is changed it no longer does, so it is taken away until the sheet is checked
// again (the button would otherwise submit the old scores).
document.addEventListener("input", function (event) {
  var form = event.target.form;
  var target = form && form.dataset.clears && document.querySelector(form.dataset.clears);
  if (target) target.innerHTML = "";
});
