// Wegwijs web: the page's own script (served from this origin; the CSP allows no inline script).
// After a form came back with errors, the first invalid field gets the focus, so a keyboard user lands on it.
document.addEventListener("DOMContentLoaded", () => {
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});
