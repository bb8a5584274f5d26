// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Bring the error summary into view (and to screen readers) after a failed submit.
  const summary = document.getElementById("form-errors");
  if (summary) {
    const firstInvalid = document.querySelector("[aria-invalid='true']");
    (firstInvalid || summary).focus();
  }
});
