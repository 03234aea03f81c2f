// A long plan's page opens at its top items; each "Show the … items under …" link opens a
// part server-side (?open=), so the page works without this. With it: the part is fetched
// and put in place without reloading, and an address that names an item the closed page
// does not show (as after an edit: "…#item-123") opens that item's part.
const tree = document.querySelector("ol.app-tree");

async function open(url) {
  const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) {
    window.location.assign(url);
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fetched = page.querySelector("ol.app-tree");
  if (!fetched) {
    window.location.assign(url);
    return;
  }
  tree.replaceChildren(...fetched.childNodes);
  window.history.pushState({}, "", url);
  const item = url.hash ? document.getElementById(url.hash.slice(1)) : null;
  if (item) {
    item.scrollIntoView();
    item.querySelector("a")?.focus({ preventScroll: true });
  }
}

if (tree && document.querySelector(".app-outline-closed")) {
  const wanted = /^#item-(\d+)$/.exec(window.location.hash);
  if (wanted && !document.getElementById(`item-${wanted[1]}`)) {
    const url = new URL(window.location.href);
    url.searchParams.set("open", wanted[1]);
    window.location.replace(url);
  }
  tree.addEventListener("click", (event) => {
    const link = event.target.closest(".app-item--closed a");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    open(new URL(link.href));
  });
}
