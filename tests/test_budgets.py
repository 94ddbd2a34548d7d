"""Budgets for readers: what the home page costs to load, and that no request leaves the site.

Builds the real content/ (the fixture site while content/ is empty) into a temporary folder and
measures the files a browser would fetch. Requests (src, srcset, stylesheets and other <link>s
that load something, url() and @import in CSS, anything a script could fetch) may only go to
relative addresses; the canonical address and Open Graph URLs may name the site's own base_url;
only <a href> links, which a reader follows or not, may go elsewhere.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from parallax.build import Paths, build

PROJECT = Path(__file__).resolve().parent.parent
REAL = PROJECT / "content"
FIXTURE = PROJECT / "tests" / "fixtures" / "basic" / "content"

HOME_BUDGET = 60 * 1024
"""Home page HTML + its stylesheets + its scripts, gzipped."""
SCRIPT_BUDGET = 10 * 1024
"""All of the home page's scripts, gzipped."""
PAGE_BUDGET = 250 * 1024
"""Any one HTML page of a newsroom-sized site (4,000 events), gzipped."""

# <link rel> values that only name an address and load nothing.
NAMING_RELS = {"canonical", "alternate", "author", "license", "help", "search", "next", "prev"}
# Attributes whose address the browser fetches by itself.
REQUEST_ATTRIBUTES = {"src", "poster", "data", "action", "formaction", "background", "ping",
                      "manifest", "codebase"}
OG_URLS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "og:video", "og:audio"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
JS_FETCHES = re.compile(r"""https?:|["'`]//|\bfetch\s*\(|XMLHttpRequest|sendBeacon|WebSocket|"""
                        r"""EventSource|\bimport\s*\(|importScripts|\.src\s*=|\.href\s*=""")


PLACEHOLDER_HOST = re.compile(r"https:(//|\\/\\/)example\\?\.com\b")


def reviewed(name: str, text: str, match: re.Match) -> bool:
    """Script code read and found to ask only the site itself (the browser tests watch every
    request the search page makes while searching, and fail on any that leaves the site):
    Pagefind's search fetches its index from the folder its own script was loaded from, and
    parses addresses against a placeholder host it never asks; the search page's script gives
    its result links the addresses of the site's own pages, from the index."""
    found = match.group(0)
    if name in ("pagefind/pagefind.js", "pagefind/pagefind-worker.js"):
        return found == "fetch(" or (found == "https:" and PLACEHOLDER_HOST.match(
            text, match.start()) is not None)
    if name != "static/search.js":
        return False
    return found == ".href =" and text.startswith("a.href = url;", match.start() - 1)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def is_relative(url: str) -> bool:
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc


class Refs(HTMLParser):
    """Every address an HTML page names, sorted into requests, own absolute URLs and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.requests: list[tuple[str, str]] = []
        """(what, address) the browser would fetch."""
        self.own: list[tuple[str, str]] = []
        """(what, address) that must be the site's own."""
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for name in sorted(REQUEST_ATTRIBUTES & a.keys()):
            self.requests.append((f"<{tag} {name}>", a[name]))
        for name in ("srcset", "imagesrcset"):
            for candidate in filter(None, (c.strip() for c in a.get(name, "").split(","))):
                self.requests.append((f"<{tag} {name}>", candidate.split()[0]))
        if "style" in a:
            self.inline_css.append(a["style"])
        if tag == "a" or tag == "area":
            self.links.append(a.get("href", ""))
        elif tag == "link":
            rels = set(a.get("rel", "").lower().split())
            if rels and rels <= NAMING_RELS:
                self.own.append((f"<link rel={a.get('rel')}>", a.get("href", "")))
            else:
                self.requests.append((f"<link rel={a.get('rel')}>", a.get("href", "")))
            if "stylesheet" in rels:
                self.stylesheets.append(a.get("href", ""))
        elif tag == "meta" and a.get("property", "").lower() in OG_URLS:
            self.own.append((f"<meta {a['property']}>", a.get("content", "")))
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.requests.append(("<meta refresh>", a.get("content", "").partition("=")[2]))
        elif tag == "base":
            self.requests.append(("<base href>", a.get("href", "")))
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


def outside_references(site: Path, base_url: str) -> list[str]:
    """Everything in the built site that would make a request leave it (empty when none)."""
    found = []
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            refs = Refs()
            refs.feed(path.read_text(encoding="utf-8"))
            for what, url in refs.requests:
                if not is_relative(url):
                    found.append(f"{name}: {what} {url}")
            for what, url in refs.own:
                if not (is_relative(url) or url.startswith(base_url)):
                    found.append(f"{name}: {what} {url}")
            for url in refs.links:
                if urlsplit(url).scheme not in ("", "http", "https", "mailto"):
                    found.append(f"{name}: <a href> {url}")
            for css in refs.inline_css:
                found += [f"{name}: inline style url({u})" for u in css_urls(css)
                          if not is_relative(u)]
        elif path.suffix == ".css":
            found += [f"{name}: url({u})" for u in css_urls(path.read_text(encoding="utf-8"))
                      if not is_relative(u)]
        elif path.suffix in (".js", ".mjs"):
            text = path.read_text(encoding="utf-8")
            found += [f"{name}: {m.group(0)!r}" for m in JS_FETCHES.finditer(text)
                      if not reviewed(name, text, m)]
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    content = REAL if (REAL / "site.yaml").is_file() else FIXTURE
    out = tmp_path_factory.mktemp("budgets") / "site"
    # Built as published: with an address, so the canonical links name the site's own host.
    result = build(Paths(content, out, PROJECT / "templates", PROJECT / "static",
                         base_url="https://editors.github.io/parallax/"))
    return out, result.timeline.site.base_url


def home_files(site: Path) -> tuple[bytes, list[bytes], list[bytes]]:
    """The home page and the stylesheets and scripts it loads."""
    html = (site / "index.html").read_bytes()
    refs = Refs()
    refs.feed(html.decode("utf-8"))

    def read(url: str) -> bytes:
        assert is_relative(url), url
        return (site / urlsplit(urljoin("index.html", url)).path).read_bytes()

    return html, [read(u) for u in refs.stylesheets], [read(u) for u in refs.scripts]


def test_home_page_with_its_css_and_script_fits_the_budget(built):
    site, _ = built
    html, styles, scripts = home_files(site)
    assert styles and scripts, "the home page should load its stylesheets and its script"
    total = gz(html) + sum(map(gz, styles)) + sum(map(gz, scripts))
    script = sum(map(gz, scripts))
    print(f"\nhome: html {gz(html) / 1024:.1f} KB + css {sum(map(gz, styles)) / 1024:.1f} KB + "
          f"js {script / 1024:.1f} KB = {total / 1024:.1f} KB gzipped (budget "
          f"{HOME_BUDGET // 1024} KB; js budget {SCRIPT_BUDGET // 1024} KB)")
    assert total <= HOME_BUDGET, f"home page is {total / 1024:.1f} KB gzipped"
    assert script <= SCRIPT_BUDGET, f"scripts are {script / 1024:.1f} KB gzipped"


def test_nothing_in_the_site_asks_another_host_for_anything(built):
    site, base_url = built
    assert outside_references(site, base_url) == []


def test_outbound_article_links_are_navigation_not_requests(built):
    site, base_url = built
    links = []
    for path in site.rglob("*.html"):
        refs = Refs()
        refs.feed(path.read_text(encoding="utf-8"))
        links += [u for u in refs.links if not is_relative(u) and not u.startswith(base_url)]
    assert links, "event pages link to the articles"


def test_the_check_finds_requests_that_leave_the_site(tmp_path):
    """Each kind of outside request, planted in a small site, is reported; the same addresses
    as links and as the site's own canonical address are not."""
    base = "https://example.org/site/"
    (tmp_path / "static").mkdir()
    (tmp_path / "index.html").write_text(
        '<link rel="canonical" href="https://example.org/site/">'
        '<meta property="og:url" content="https://example.org/site/">'
        '<a href="https://elsewhere.example/article#:~:text=x">an article</a>'
        '<blockquote cite="https://elsewhere.example/article"><p>q</p></blockquote>'
        '<img src="https://cdn.example/pic.png">'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<link rel="icon" href="https://example.org/favicon.ico">'
        '<script src="https://analytics.example/a.js"></script>'
        '<img srcset="a.png 1x, https://cdn.example/b.png 2x">'
        '<p style="background: url(https://cdn.example/bg.png)">x</p>'
        '<meta property="og:image" content="https://cdn.example/card.png">')
    (tmp_path / "static" / "a.css").write_text(
        "@import 'https://fonts.example/x.css'; .x { background: url('img/ok.png'); }"
        ".y { background: url(https://cdn.example/y.png); }")
    (tmp_path / "static" / "a.js").write_text("fetch('https://api.example/x');")
    found = outside_references(tmp_path, base)
    assert found == [
        "index.html: <img src> https://cdn.example/pic.png",
        "index.html: <link rel=stylesheet> //fonts.example/css",
        "index.html: <link rel=icon> https://example.org/favicon.ico",
        "index.html: <script src> https://analytics.example/a.js",
        "index.html: <img srcset> https://cdn.example/b.png",
        "index.html: <meta og:image> https://cdn.example/card.png",
        "index.html: inline style url(https://cdn.example/bg.png)",
        "static/a.css: url(https://fonts.example/x.css)",
        "static/a.css: url(https://cdn.example/y.png)",
        "static/a.js: 'fetch('",
        "static/a.js: 'https:'",
    ]


@pytest.mark.slow
def test_no_page_of_a_newsroom_sized_site_exceeds_the_page_budget(tmp_path):
    """4,000 generated events over five years (bench/generate.py): the overviews split into
    months and years, so every page stays small."""
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    content = module.generate(tmp_path, 4000, 8)
    build(Paths(content, tmp_path / "site", PROJECT / "templates", PROJECT / "static"))
    sizes = {p.relative_to(tmp_path / "site").as_posix(): gz(p.read_bytes())
             for p in (tmp_path / "site").rglob("*.html")}
    largest = max(sizes, key=lambda name: (sizes[name], name))
    print(f"\n{len(sizes)} pages; largest {largest}: {sizes[largest] / 1024:.1f} KB gzipped")
    assert len(sizes) > 4000
    over = sorted(name for name, size in sizes.items() if size > PAGE_BUDGET)
    assert over == [], f"{len(over)} pages over {PAGE_BUDGET // 1024} KB gzipped: {over[:10]}"


def test_the_check_lets_through_only_the_reviewed_code(tmp_path):
    """The search bundle's own fetches and placeholder host pass; any other address in the same
    files does not."""
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "pagefind" / "pagefind.js").write_text(
        "await fetch(url); new URL(`https://example.com${u}`); fetch('https://cdn.example/x');")
    (tmp_path / "static" / "search.js").write_text(
        "a.href = url; location.href = 'https://evil.example/';")
    assert outside_references(tmp_path, "https://example.org/") == [
        "pagefind/pagefind.js: 'https:'",
        "static/search.js: '.href ='",
        "static/search.js: 'https:'",
    ]
