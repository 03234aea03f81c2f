// Progressive enhancement for search boxes marked data-live-search: results update as
// you type. Without JavaScript the form's Search button does the same.
const DELAY_MS = 250;

for (const input of document.querySelectorAll("input[data-live-search]")) {
  const results = document.getElementById(input.dataset.liveSearch || "link-results");
  if (!results) continue;
  let timer;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const request = ++latest;
      const url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      url.searchParams.delete("target");
      const response = await fetch(url, { headers: { "X-Requested-With": "live-search" } });
      if (!response.ok || request !== latest) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(results.id);
      if (fresh) results.replaceChildren(...fresh.childNodes);
      window.history.replaceState(null, "", url);
    }, DELAY_MS);
  });
}
