// Group PDF progress: polls the job's JSON and reloads the page when it is done or failed (the server then shows
// the download link or the error). Without JavaScript the page offers a plain "Refresh" link instead.
(function () {
  "use strict";
  const box = document.getElementById("card-job");
  if (!box || box.dataset.state !== "running") return;
  const url = box.dataset.progressUrl;
  const bar = document.getElementById("job-progress");
  const doneEl = document.getElementById("job-done");
  const totalEl = document.getElementById("job-total");
  const waitingEl = document.getElementById("job-waiting");
  const countEl = document.getElementById("job-count");
  let failures = 0;

  function show(done, total, waiting) {
    if (waitingEl) waitingEl.hidden = !waiting;  // no worker yet: the count is not known
    if (countEl) countEl.hidden = Boolean(waiting);
    if (bar && waiting) bar.removeAttribute("value");  // an indeterminate bar: it moves without a count
    else if (bar) { bar.max = Math.max(total, 1); bar.value = done; }
    if (doneEl) doneEl.textContent = String(done);
    if (totalEl) totalEl.textContent = String(total);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        failures = 0;
        show(data.done, data.total, data.waiting);
        if (data.state === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(() => {
        failures += 1;
        if (failures < 5) window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, 500);
})();
