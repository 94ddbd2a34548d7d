// The search page's results: the index the build made with Pagefind (pagefind/ at the site's
// root), searched in the browser as the reader types. Each event found is listed with the
// accounts that match, by outlet, and the words around the match. Only the search page loads
// this script; without it, the page's form still works as a link and the page points to the
// events index.
import * as pagefind from "../pagefind/pagefind.js";

const form = document.querySelector("form.search");
const words = document.getElementById("search-words");
const outlet = document.getElementById("search-outlet");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const SHOWN = 50;
const ACCOUNT = /^account-(.+)-name$/;

// Pagefind gives addresses from the site's root; the site may live in a folder of its host.
const root = new URL(form.dataset.root, location.href);
await pagefind.options({ baseUrl: root.pathname, excerptLength: 24 });

let latest = 0;
let timer = null;

function sourcesOf(name) {
  const option = [...outlet.options].find((o) => o.value === name);
  return option ? option.dataset.sources.split(" ") : [];
}

// An excerpt is HTML from the index: only its text and its <mark>s are kept.
// An account's excerpt can begin with its heading, the outlet's name, which the list already shows.
function excerpt(html, heading) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = document.createElement("p");
  out.className = "excerpt";
  const first = parsed.body.firstChild.firstChild;
  if (heading && first && first.nodeType === Node.TEXT_NODE && first.data.startsWith(`${heading}. `)) {
    first.data = first.data.slice(heading.length + 2);
  }
  for (const node of parsed.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(node.textContent);
    }
  }
  return out;
}

function link(url, text) {
  const a = document.createElement("a");
  a.href = url;
  a.textContent = text;
  return a;
}

function item(data, chosen) {
  const li = document.createElement("li");
  li.className = "hit";
  const heading = document.createElement("h2");
  heading.append(link(data.url, data.meta.title || data.url));
  li.append(heading);
  if (data.meta.date) {
    const when = document.createElement("p");
    when.className = "when";
    when.textContent = `Editors’ date: ${data.meta.date}`;
    li.append(when);
  }
  const wanted = chosen ? sourcesOf(chosen) : null;
  const parts = [];
  for (const sub of data.sub_results || []) {
    const found = sub.anchor && ACCOUNT.exec(sub.anchor.id || "");
    if (found && wanted && !wanted.includes(found[1])) continue;
    parts.push({ outlet: found ? sub.title : null, url: sub.url, excerpt: sub.excerpt });
  }
  if (!parts.length) parts.push({ outlet: null, url: data.url, excerpt: data.excerpt });
  const accounts = document.createElement("ul");
  accounts.className = "hit-parts";
  for (const part of parts) {
    const row = document.createElement("li");
    if (part.outlet) {
      row.append(link(part.url, part.outlet), ":");
    } else {
      row.append("The event:");
    }
    const quote = document.createElement("blockquote");
    quote.append(excerpt(part.excerpt, part.outlet));
    row.append(quote);
    accounts.append(row);
  }
  li.append(accounts);
  return li;
}

function keepInAddress(query, chosen) {
  const address = new URL(location.href);
  address.search = "";
  if (query) address.searchParams.set("q", query);
  if (chosen) address.searchParams.set("outlet", chosen);
  history.replaceState(null, "", address);
}

async function run() {
  const ticket = ++latest;
  const query = words.value.trim();
  const chosen = outlet.value;
  keepInAddress(query, chosen);
  if (!query && !chosen) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  const search = await pagefind.search(query || null, chosen ? { filters: { outlet: chosen } } : {});
  const found = search ? search.results : [];
  const data = await Promise.all(found.slice(0, SHOWN).map((r) => r.data()));
  if (ticket !== latest) return; // the reader has typed since
  list.replaceChildren(...data.map((d) => item(d, chosen)));
  const where = chosen ? ` in ${chosen}` : "";
  const what = query ? `“${query}”` : "every event";
  const count = found.length === 1 ? "1 event" : `${found.length} events`;
  status.textContent = found.length
    ? `${count} for ${what}${where}${found.length > SHOWN ? `; the first ${SHOWN} are shown` : ""}.`
    : `No event for ${what}${where}.`;
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(run, 150);
}

const given = new URLSearchParams(location.search);
words.value = given.get("q") || "";
if (given.get("outlet") && sourcesOf(given.get("outlet")).length) outlet.value = given.get("outlet");
words.addEventListener("input", soon);
outlet.addEventListener("change", run);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
await pagefind.init();
if (words.value || outlet.value) run();
