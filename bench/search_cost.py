"""A reader's first search on a built site, in Chromium: the requests and bytes fetched under
pagefind/ on opening the search page and for the search (bench/README.md, "The search index in
shards").

    python bench/search_cost.py SITE_FOLDER hospital "inspection@City Wire"

Each argument is a search: words, then optionally @ and an outlet to narrow to. The site is
served from SITE_FOLDER at / (build it without an address, or with one at the host's root).
Uses the system's Chromium (PARALLAX_CHROMIUM, else /usr/bin/chromium) through Playwright.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import sync_playwright


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _note(seen: list[tuple[str, int]], request) -> None:
    seen.append((request.url, request.sizes()["responseBodySize"]))


def main(argv: list[str]) -> int:
    folder, searches = argv[0], argv[1:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    chromium = os.environ.get("PARALLAX_CHROMIUM") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for search in searches:
            words, _, outlet = search.partition("@")
            context = browser.new_context()  # nothing cached from the last search
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
            status = page.locator("#search-status").inner_text()
            print(f"{search!r}: {status!r} in {took * 1000:.0f} ms; on opening the page "
                  f"{len(opened)} requests, {sum(opened) / 1024:.0f} KB; for the search "
                  f"{len(found)} requests, {sum(found) / 1024:.0f} KB")
            context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
