// While a PDF is being produced, check its progress every few seconds and say in the
// page's status region when it is ready. The page never reloads itself (WCAG 2.2.1):
// the reader follows "Check now" (or the announcement's link) when they choose.
const box = document.querySelector("[data-document-status]");
if (box) {
  const message = box.querySelector("[data-document-status-message]");
  const seconds = Number(box.dataset.interval || 3);
  const check = async () => {
    try {
      const response = await fetch(box.dataset.documentStatus, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (state.status === "ready" || state.status === "failed") {
        message.textContent = state.status === "ready"
          ? "The PDF is ready. Follow “Check now” to download it."
          : "The PDF could not be produced. Follow “Check now” for what to do.";
        return;
      }
      message.textContent = `Still ${state.label.toLowerCase()}…`;
    } catch {
      message.textContent = "Could not check just now; trying again.";
    }
    setTimeout(check, seconds * 1000);
  };
  setTimeout(check, seconds * 1000);
}
