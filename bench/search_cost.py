"""A reader's first search on a built site, in Chromium: the requests and bytes fetched under
pagefind/ on opening the search page and for the search (bench/README.md).

    python bench/search_cost.py SITE_FOLDER hospital "inspection@City Wire"

Each argument is a search: words, then optionally @ and an outlet to narrow to. The site is
served from SITE_FOLDER at / (build it without an address, or with one at the host's root).
Uses the system's Chromium (PARALLAX_CHROMIUM, else /usr/bin/chromium) through Playwright.
bench/search_quality.py uses `served` and `first_search` to compare the site's index with one
whole index.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
"""As the browser tests launch it (tests/browser/conftest.py)."""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def served(folder: Path | str) -> Iterator[str]:
    """`folder` served at / on 127.0.0.1 while in the block: its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    """The system's Chromium, through Playwright."""
    executable = os.environ.get("PARALLAX_CHROMIUM") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class FirstSearch:
    """What a reader's first search on the search page fetched under pagefind/."""
    status: str
    """The page's line on what was found, e.g. '3,756 events for “hospital”'."""
    seconds: float
    """From typing the words to that line."""
    opened: list[int]
    """The size of each response on opening the page (Pagefind's script, WebAssembly, entries)."""
    found: list[int]
    """The size of each response for the search (index chunks, the fragments shown)."""

    @property
    def total(self) -> int:
        """Every byte fetched under pagefind/, opening the page and searching."""
        return sum(self.opened) + sum(self.found)


def _note(seen: list[tuple[str, int]], request) -> None:
    seen.append((request.url, request.sizes()["responseBodySize"]))


def first_search(browser, url: str, words: str, outlet: str = "", keep=None) -> FirstSearch:
    """The search page at `url` opened in a new browser context (nothing cached), `words` typed
    (and the search narrowed to `outlet`), until the results are shown and the network is quiet.
    `keep(page)`, when given, is called before the context closes, and its result is returned
    beside: (FirstSearch, kept)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        seen: list[tuple[str, int]] = []
        page.on("requestfinished", partial(_note, seen))
        page.goto(url + "search/")
        page.wait_for_load_state("networkidle")
        opened = [size for address, size in seen if "/pagefind/" in address]
        started = time.perf_counter()
        page.fill("#search-words", words)
        if outlet:
            page.select_option("#search-outlet", outlet)
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent !== ''")
        took = time.perf_counter() - started
        page.wait_for_load_state("networkidle")
        found = [size for address, size in seen if "/pagefind/" in address][len(opened):]
        result = FirstSearch(page.locator("#search-status").inner_text(), took, opened, found)
        if keep is None:
            return result
        return result, keep(page)
    finally:
        context.close()


def main(argv: list[str]) -> int:
    folder, searches = argv[0], argv[1:]
    with served(folder) as url, chromium() as browser:
        for search in searches:
            words, _, outlet = search.partition("@")
            done = first_search(browser, url, words, outlet)
            print(f"{search!r}: {done.status!r} in {done.seconds * 1000:.0f} ms; on opening the "
                  f"page {len(done.opened)} requests, {sum(done.opened) / 1024:.0f} KB; for the "
                  f"search {len(done.found)} requests, {sum(done.found) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
