"""Browser tests' fixtures: the real site built and served on 127.0.0.1, opened in Chromium.

Playwright drives the system's Chromium (Debian's /usr/bin/chromium, or the one named by
PARALLAX_CHROMIUM); Playwright's own browser downloads are never needed. Without a Chromium
these tests skip with the command that installs one, except when the CI variable is set: there
they fail, so a CI run cannot pass without running them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from parallax.build import Paths, build
from parallax.resolve import Timeline

PROJECT = Path(__file__).resolve().parents[2]
REAL_CONTENT = PROJECT / "content"
FIXTURE_CONTENT = PROJECT / "tests" / "fixtures" / "basic" / "content"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

def chromium_wanted() -> Path:
    """PARALLAX_CHROMIUM when set, else Debian's /usr/bin/chromium."""
    return Path(os.environ.get("PARALLAX_CHROMIUM") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_wanted()
    if not (path.is_file() and os.access(path, os.X_OK)):
        hint = (f"no Chromium at {path}: install it with `sudo apt-get install chromium`, "
                "or set PARALLAX_CHROMIUM to a Chromium binary")
        if os.environ.get("CI"):
            pytest.fail(f"{hint} (CI is set, so the browser tests may not be skipped)",
                        pytrace=False)
        pytest.skip(hint)
    return str(path)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path) -> dict:
    """pytest-playwright's launch options, pointed at the system's Chromium."""
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


# --- the site under test -------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltSite:
    folder: Path
    timeline: Timeline
    content: Path
    url: str = ""
    """The site's root on the local server, e.g. http://127.0.0.1:PORT/palmyra/."""
    kinds: dict[str, str] = field(default_factory=dict)
    """One page of every kind (home, event, source, ...) by kind, as an address under `url`."""

    @property
    def is_real(self) -> bool:
        return self.content == REAL_CONTENT


def page_kinds(timeline: Timeline) -> dict[str, str]:
    """An address of each kind of page the site has (the first record of each kind)."""
    kinds = {"home": "", "events index": "events/", "sources index": "sources/",
             "differences": "differences/", "credited index": "credited/", "origins": "origins/",
             "404": "404.html", "search": "search/"}
    if timeline.events:
        kinds["event"] = f"events/{timeline.events[0].id}/"
        # The event with the most accounts: chains, groups and the origin count at their fullest.
        fullest = max(timeline.events, key=lambda e: (len(e.accounts), e.id))
        kinds["event, every outlet"] = f"events/{fullest.id}/"
    if timeline.sources:
        kinds["source"] = f"sources/{timeline.sources[0].id}/"
    if timeline.parties:
        kinds["party"] = f"credited/{next(iter(timeline.parties))}/"
    if timeline.pages:
        page = timeline.pages[0]
        kinds["page"] = f"{page.slug or page.id}/"
    listing = next((p for p in timeline.pages if p.lists == "corrections"), None)
    if listing is not None:
        kinds["corrections"] = f"{listing.slug or listing.id}/"
    corrected = next((e for e in timeline.events if e.event.corrections), None)
    if corrected is not None:
        kinds["corrected event"] = f"events/{corrected.id}/"
    corrected_source = next((s for s in timeline.sources if s.corrections), None)
    if corrected_source is not None:
        kinds["corrected source"] = f"sources/{corrected_source.id}/"
    return kinds


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves the site the way GitHub Pages does: under the path of its base_url (e.g.
    /palmyra/), and a missing address gets 404.html with status 404."""

    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".not-under-the-site-root")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class PagesServer(ThreadingHTTPServer):
    """The test server; a browser dropping a connection it no longer needs (a page closed
    while a file was still being sent) is normal, not an error worth a traceback."""

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


PAGES_ADDRESS = "https://parallax-editors.github.io/palmyra/"
"""The address the site is built for: a GitHub Pages project site, served below a path."""


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[BuiltSite]:
    """The real content/ built into a temporary folder for a GitHub Pages address and served
    over http on a free port, at the path that address has (/palmyra/).

    Falls back to the fixture site while content/ has no site.yaml yet.
    """
    content = REAL_CONTENT if (REAL_CONTENT / "site.yaml").is_file() else FIXTURE_CONTENT
    yield from _served(content, tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Iterator[BuiltSite]:
    """The fixture site (tests/fixtures/basic), built and served as `site` is: for tests
    whose expectations are written for its known content."""
    yield from _served(FIXTURE_CONTENT, tmp_path_factory.mktemp("browser-fixture") / "site")


RARE_WORD = "quillwort"
"""In one event of the generated site only, at the end of its summary: the last one's page in
the order of their paths."""


@pytest.fixture(scope="session")
def generated_site(tmp_path_factory) -> Iterator[BuiltSite]:
    """40 generated events (bench/generate.py, 3 outlets), built and served as `site` is."""
    folder = tmp_path_factory.mktemp("browser-generated")
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    content = module.generate(folder, 40, 3, seed=5)
    event = max((content / "events").rglob("*.md"), key=lambda p: p.stem)
    event.write_text(re.sub(r"\n*\Z", f" A {RARE_WORD} grew there.\n",
                            event.read_text(encoding="utf-8")), encoding="utf-8")
    yield from _served(content, folder / "site")


def _build(content: Path, folder: Path):
    return build(Paths(content=content, out=folder, templates=PROJECT / "templates",
                       static=PROJECT / "static", base_url=PAGES_ADDRESS))


def _served(content: Path, folder: Path, result=None) -> Iterator[BuiltSite]:
    result = result or _build(content, folder)
    prefix = urlsplit(result.timeline.site.base_url).path
    handler = type("Handler", (PagesHandler,), {"prefix": prefix})
    server = PagesServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        yield BuiltSite(folder, result.timeline, content, url, page_kinds(result.timeline))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Watch:
    """What a page did that it should not: requests leaving the site, script errors, console
    errors (a Content-Security-Policy violation is one)."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.outside == [], f"requests that left the site: {self.outside}"
        assert self.errors == [], f"errors in the browser: {self.errors}"


def watch(context, site: BuiltSite) -> Watch:
    """Block and record every request to another host than the local server, and record
    every error."""
    seen = Watch()

    origin = site.url[:site.url.index("/", len("http://"))] + "/"

    def route(route):
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            seen.outside.append(route.request.url)
            route.abort()

    def console(message):
        where = message.location.get("url") or ""
        # The browser asks for /favicon.ico by itself; the site has none, and no page asks.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            seen.errors.append(f"{message.text} ({where})")

    context.route("**/*", route)
    context.on("weberror", lambda error: seen.errors.append(str(error.error)))
    context.on("console", console)
    return seen


@pytest.fixture
def site_page(context, page, site) -> Iterator:
    """A page in a fresh context, watched: the test fails if anything leaves the site or errs."""
    seen = watch(context, site)
    yield page
    seen.check()


@pytest.fixture
def fixture_page(context, page, fixture_site) -> Iterator:
    """`site_page` on the fixture site."""
    seen = watch(context, fixture_site)
    yield page
    seen.check()


@pytest.fixture
def generated_page(context, page, generated_site) -> Iterator:
    """`site_page` on the generated site."""
    seen = watch(context, generated_site)
    yield page
    seen.check()


@pytest.fixture
def watched_context(browser, site) -> Iterator:
    """Make extra watched contexts (e.g. with JavaScript off); each is closed and checked after."""
    made: list[tuple[object, Watch]] = []

    def make(**options):
        context = browser.new_context(**options)
        made.append((context, watch(context, site)))
        return context

    yield make
    for context, seen in made:
        context.close()
        seen.check()
