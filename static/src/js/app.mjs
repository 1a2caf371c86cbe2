import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// A report being built: poll its status and show the progress, reload when it is done.
// Without JavaScript the page says to refresh it.
const progress = document.getElementById("report-progress");
if (progress && progress.dataset.statusUrl) {
  const text = document.getElementById("report-progress-text");
  const poll = () => {
    fetch(progress.dataset.statusUrl, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        if (s.status !== "queued" && s.status !== "building") {
          window.location.reload();
          return;
        }
        text.textContent = `${s.status_label}: ${s.progress}% done. ${s.note}`;
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 1500);
}

// A page of work in progress (an import being checked) reloads itself every few seconds.
const reload = document.querySelector("[data-reload-after]");
if (reload) {
  window.setTimeout(() => window.location.reload(), Number(reload.dataset.reloadAfter) || 2000);
}
