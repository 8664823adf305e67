// Accord web: a few conveniences on top of plain forms (every page works without this file).
// A form with data-confirm asks before it is sent.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
