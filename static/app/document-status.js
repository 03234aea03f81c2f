// While a PDF is being produced, check its progress every few seconds and say in the
// page's status region when it is ready. The page never reloads itself (WCAG 2.2.1):
// the reader follows "Check now" (or the announcement's link) when they choose.
const box = document.querySelector("[data-document-status]");
// the words, in the page's language, from the page (data-text-* on templates/base.html's body)
const text = document.body.dataset;
if (box) {
  const message = box.querySelector("[data-document-status-message]");
  const seconds = Number(box.dataset.interval || 3);
  const check = async () => {
    try {
      const response = await fetch(box.dataset.documentStatus, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (state.status === "ready" || state.status === "failed") {
        message.textContent = state.status === "ready" ? text.textPdfReady : text.textPdfFailed;
        return;
      }
      message.textContent = text.textPdfStill.replace("{state}", state.label.toLowerCase());
    } catch {
      message.textContent = text.textCheckFailed;
    }
    setTimeout(check, seconds * 1000);
  };
  setTimeout(check, seconds * 1000);
}
