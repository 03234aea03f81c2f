// While a PDF is being produced, check its progress every few seconds and say in the
// page's status region when it is ready. The page never reloads itself (WCAG 2.2.1):
// the reader follows "Check now" (or the announcement's link) when they choose.
const box = document.querySelector("[data-document-status]");
// the words, in the page's language, from the page (templates/includes/script_text.html)
const text = JSON.parse(document.getElementById("app-script-text")?.textContent || "{}");
if (box) {
  const message = box.querySelector("[data-document-status-message]");
  const seconds = Number(box.dataset.interval || 3);
  const check = async () => {
    try {
      const response = await fetch(box.dataset.documentStatus, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (state.status === "ready" || state.status === "failed") {
        message.textContent = state.status === "ready" ? text.pdfReady : text.pdfFailed;
        return;
      }
      message.textContent = text.pdfStill.replace("{state}", state.label.toLowerCase());
    } catch {
      message.textContent = text.checkFailed;
    }
    setTimeout(check, seconds * 1000);
  };
  setTimeout(check, seconds * 1000);
}
