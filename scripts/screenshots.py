"""Screenshots of the built site, for the README and the docs.

    python scripts/screenshots.py                  # build content/ and shoot it
    python scripts/screenshots.py --out /tmp/shots # somewhere else

Builds the site into a temporary folder, serves it on 127.0.0.1 and opens it in Chromium (the
system's, as the browser tests do: PARALLAX_CHROMIUM or /usr/bin/chromium). Each page is shot as
a reader's first screen, at 1440×900 and at 375×812: the home page closed and with the row of the
event most outlets tell opened, that event's page, the origins page and the differences page.
The README shows the two home pages (docs/screenshots/home-1440.png and home-375.png).

Needs the test tools (Playwright), installed by the README's test command.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from parallax.build import Paths, build
from parallax.resolve import Timeline

OUT = PROJECT / "docs" / "screenshots"
WIDTHS = {1440: 900, 375: 812}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ADDRESS = "https://parallax.invalid/site/"
"""Where the temporary build thinks it lives (only its path is served)."""


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    """The address under the site's root, fragment included."""
    open_row: str | None = None
    """The id of the timeline row to open before shooting."""


def most_told(timeline: Timeline) -> str:
    """The event told by the most outlets (the first in time of those that tie)."""
    shown = [e for e in timeline.events if e.band == "window"] or list(timeline.events)
    return max(shown, key=lambda e: len({a.account.source for a in e.accounts})).id


def shots(timeline: Timeline) -> list[Shot]:
    event = most_told(timeline)
    return [Shot("home", ""), Shot("home-open", f"#{event}", open_row=event),
            Shot("event", f"events/{event}/"), Shot("origins", "origins/"),
            Shot("differences", "differences/")]


class _Handler(SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path):
        path = urlsplit(path).path
        if path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        return super().translate_path(path)

    def log_message(self, format, *args):
        pass


@contextmanager
def served(folder: Path, prefix: str) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def take(content: Path, out: Path, browser) -> list[Path]:
    """Build `content`, shoot every page at both widths into `out` with `browser` (a Playwright
    Chromium); the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="parallax-shots-") as scratch:
        folder = Path(scratch) / "site"
        result = build(Paths(content=content, out=folder, templates=PROJECT / "templates",
                             static=PROJECT / "static", base_url=ADDRESS))
        with served(folder, urlsplit(ADDRESS).path) as root:
            for shot in shots(result.timeline):
                for width, height in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(root + shot.path)
                    if shot.open_row:
                        page.evaluate("""id => {
                            const row = document.getElementById(id);
                            const details = row && row.closest('details');
                            if (details) details.open = true;
                            const item = row && row.closest('li');
                            const head = document.querySelector('.tl .head');
                            if (item) scrollBy(0, item.getBoundingClientRect().top - (head ? head.getBoundingClientRect().bottom : 0) - 8);
                        }""", shot.open_row)
                    path = out / f"{shot.name}-{width}.png"
                    page.screenshot(path=str(path))
                    page.close()
                    written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=PROJECT / "content")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    chromium = os.environ.get("PARALLAX_CHROMIUM") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        print(f"no Chromium at {chromium}: install it (sudo apt-get install chromium) or set "
              "PARALLAX_CHROMIUM", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for path in take(args.content, args.out, browser):
                print(path)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
