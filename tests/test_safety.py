"""Safe output: nothing an editor writes (by mistake, or pasted from a hostile page) can run in a
reader's browser or make it contact another site.

Raw HTML in Markdown is cut down to an allow-list; text in the front matter is escaped by the
templates; links to javascript:, data: or vbscript: addresses are reported as errors. Every page
of a site full of the usual attacks is parsed to prove that none survives, and every page
carries a Content-Security-Policy that allows only the site's own files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import hypothesis
import pytest
import yaml
from conftest import FIXTURES, PROJECT, snapshot_tree
from hypothesis import strategies as st

from parallax import markup
from parallax.cli import main
from parallax.errors import Problem

BASIC = FIXTURES / "basic" / "content"
PROJECT_STATIC = PROJECT / "static"

# Raw HTML that builds: the sanitizer must take out everything that could run or load.
RAW_HTML = [
    "<script>alert('script')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('img')>",
    "<img src=\"x.png\" alt=\"a\" onerror=\"alert('unclosed')\"",
    "<svg onload=alert('svg')><circle r=1 /></svg>",
    "<svg><script>alert('svg-script')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<style>body { display: none }</style>",
    "<div style=\"background:url(https://evil.example/x.png)\">styled</div>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "<base href=\"https://evil.example/\">",
    ("<form action=\"https://evil.example/\"><input name=q>"
     "<button formaction=\"https://evil.example/\">Go</button></form>"),
    "<scr<script>ipt>alert('split')</script>",
    "<<script>script>alert('double')<</script>/script>",
    "<a href=\"https://example.org/\" onclick=\"alert('click')\">click</a>",
    "<a href=\"https://example.org/\" title=\"x' onmouseover='alert(1)\">quoted</a>",
    "<a href=\"https://example.org/\" onmouseover=alert('unclosed-attribute) x=\"y>oops</a>",
    "<details open ontoggle=alert('toggle')>summary</details>",
    "<body onload=alert('body')>",
    "<input autofocus onfocus=alert('focus')>",
    "<video><source onerror=alert('video')></video>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\">",
    "<textarea><script>alert('textarea')</script></textarea>",
    "<xmp><img src=x onerror=alert('xmp')></xmp>",
    "<!--<script>alert('comment')</script>-->",
    "<javascript:alert('autolink')>",
    "<p class=\"masthead skip\" id=\"main\">dressed as the site's own furniture</p>",
]
PAYLOAD = "\n\n".join(RAW_HTML)
TEXT = "<script>alert('text')</script>\"><img src=x onerror=alert('attr')>"

# Links that must be refused with a message (the build fails), with the address as reported.
BAD_LINKS = [
    ("[map](javascript:alert(1))", "link", "javascript:alert(1)"),
    ("<a href=\"javascript:alert(1)\">map</a>", "link", "javascript:alert(1)"),
    ("<a href=\"JaVaScRiPt:alert(1)\">map</a>", "link", "JaVaScRiPt:alert(1)"),
    ("<a href=\"jav&#x61;script:alert(1)\">map</a>", "link", "javascript:alert(1)"),
    ("<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">m</a>",
     "link", "javascript:alert(1)"),
    ("<a href=\" javascript:alert(1)\">map</a>", "link", " javascript:alert(1)"),
    ("<a href=\"java&#09;script:alert(1)\">map</a>", "link", "java\tscript:alert(1)"),
    ("<a href=\"java&#x0A;script:alert(1)\">map</a>", "link", "java\nscript:alert(1)"),
    ("[map](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "link",
     "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("<a href=\"vbscript:msgbox(1)\">map</a>", "link", "vbscript:msgbox(1)"),
    ("[map][1]\n\n[1]: javascript:alert(1)", "link", "javascript:alert(1)"),
    ("<iframe src=\"javascript:alert(1)\"></iframe>", "link", "javascript:alert(1)"),
    ("<form action=\"javascript:alert(1)\"><button>Go</button></form>", "link",
     "javascript:alert(1)"),
    ("![map](javascript:alert(1))", "image", "javascript:alert(1)"),
    ("<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">", "image",
     "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"),
    ("![tracker](https://evil.example/pixel.png)", "image", "https://evil.example/pixel.png"),
    ("<img src=\"//evil.example/pixel.png\" width=1>", "image", "//evil.example/pixel.png"),
    ("<img src=\"\\\\evil.example\\pixel.png\">", "image", "\\\\evil.example\\pixel.png"),
]


# --- the site under attack -----------------------------------------------------------------------


def _record(fields: dict, body: str = "") -> str:
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n" + body


def _attacked_site(root: Path) -> Path:
    """A small site with an attack in every field a template prints and in every body."""
    content = root / "content"
    for folder in ("sources", "events", "pages"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text(yaml.safe_dump({
        "title": f"Bridge watch {TEXT}",
        "description": f"How two outlets told it. {TEXT}",
        "base_url": "https://example.org/\"><script>alert('base')</script>/",
        "timezone": "Europe/London",
        "window": "2021-03-01/2021-03-03",
    }, sort_keys=False))
    (content / "credited.yaml").write_text(yaml.safe_dump({"port-authority": {
        "name": f"Port Authority {TEXT}",
        "kind": "organisation",
        "spellings": [f"the port {TEXT}"],
        "note": f"The harbour's body. {TEXT}",
    }}, sort_keys=False))
    (content / "sources" / "ledger.md").write_text(_record({
        "outlet": f"The Ledger {TEXT}",
        "title": f"Bridge shut {TEXT}",
        "byline": f"A. Writer {TEXT}",
        "published": "2021-03-02",
        "url": "https://ledger.example.org/a\"onmouseover=\"alert('url')\"><script>x</script>",
        "copy_read": {
            "site": f"archive.example.net {TEXT}",
            "url": "https://archive.example.net/x'><script>alert('copy')</script>",
            "confidence": {"level": "inferred", "reason": f"the archive's date {TEXT}"},
        },
        "confidence": {
            "outlet": "confirmed", "byline": "confirmed", "url": "confirmed",
            "published": {"level": "inferred", "reason": f"no date on the page {TEXT}"},
        },
    }, f"The source note.\n\n{PAYLOAD}\n"))
    (content / "sources" / "radio.md").write_text(_record({
        "outlet": "Harbour Radio", "title": "Bridge closes", "published": "2021-03-02",
        "url": "https://radio.example.org/bridge",
        "confidence": {"outlet": "confirmed", "byline": "unknown", "published": "confirmed",
                       "url": "confirmed"},
    }))
    (content / "events" / "2021-03-01-bridge-closed.md").write_text(_record({
        "title": f"The bridge is closed {TEXT}",
        "when": "2021-03-01",
        "place": f"Harbour Bridge {TEXT}",
        "accounts": [
            {"source": "ledger",
             "quotes": [{"text": f"closed the bridge on Monday {TEXT}",
                         "via": [{"party": "port-authority",
                                  "credit": f"the Port Authority said {TEXT}",
                                  "identified": [f"the port {TEXT}"]}]},
                        f"in its own voice {TEXT}"],
             "time_words": [{"said": f"on Monday {TEXT}", "resolved_as": "2021-03-01"}],
             "note": f"The editors' note {TEXT}",
             "outside_note": {"text": f"From elsewhere {TEXT}", "source": f"A record {TEXT}"},
             "figures": [{"topic": f"cars diverted {TEXT}", "value": 12000,
                          "as_written": f"12,000 cars {TEXT}",
                          "via": [{"party": "port-authority", "credit": f"said {TEXT}"}]}]},
            {"source": "radio", "quotes": ["the bridge closed yesterday"],
             "time_words": [{"said": "yesterday"}]},
        ],
    }, f"The event summary.\n\n{PAYLOAD}\n"))
    (content / "pages" / "about.md").write_text(_record(
        {"title": f"About {TEXT}", "menu": 0}, f"The page.\n\n{PAYLOAD}\n"))
    # An unclosed <style> or <textarea> swallows the rest of a body: one page per attack
    # proves each of them on its own.
    for number, attack in enumerate(RAW_HTML, start=1):
        (content / "pages" / f"attack-{number}.md").write_text(_record(
            {"title": f"Attack {number}"}, f"Attack {number} follows.\n\n{attack}\n"))
    return content


class _Page(HTMLParser):
    """Every element of a page, the text of its scripts, and all its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts.append((dict(attrs), ""))
            self._in_script = True

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
                  "background", "cite", "longdesc", "ping", "manifest", "icon", "srcdoc"}
OUR_SVG = {"defs", "key", "marks", "ctx-strip", "range", "where", "swatch", "amount"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "style", "base", "form", "input", "button",
                      "textarea", "math", "frame", "frameset", "applet", "video", "audio",
                      "source"}


def _scheme(url: str) -> str:
    """The scheme a browser sees: tabs and line breaks anywhere are dropped, and leading and
    trailing spaces and control characters."""
    cleaned = re.sub(r"[\t\n\r]", "", url).lower()
    cleaned = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$", "", cleaned)
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def audit(site: Path) -> list[str]:
    """Everything unsafe in the built site, as readable findings (empty when it is safe)."""
    findings: list[str] = []
    static = {p.relative_to(site / "static").as_posix() for p in (site / "static").rglob("*")
              if p.is_file()}
    pages = sorted(site.rglob("*.html"))
    assert pages
    for path in pages:
        name = path.relative_to(site).as_posix()
        page = _parse(path)
        ids = [attrs["id"] for _, attrs in page.elements if attrs.get("id")]
        findings += [f"{name}: id={i!r} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
        search = _search_controls(page, name)
        for index, (tag, attrs) in enumerate(page.elements):
            for attribute, value in attrs.items():
                if attribute.startswith("on"):
                    findings.append(f"{name}: <{tag} {attribute}=...>")
                if attribute == "style":
                    findings.append(f"{name}: <{tag} style=...>")
                if attribute in URL_ATTRIBUTES and value is not None and _scheme(value) in (
                        "javascript", "data", "vbscript"):
                    findings.append(f"{name}: <{tag} {attribute}={value!r}>")
            if tag in FORBIDDEN_ELEMENTS and index not in search:
                findings.append(f"{name}: <{tag}>")
            # The timelines and range plots are inline SVG drawn by the templates, each with a
            # class of its own; any other SVG came from content.
            if tag == "svg" and not set((attrs.get("class") or "").split()) & OUR_SVG:
                findings.append(f"{name}: <svg>")
            if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
                findings.append(f"{name}: <meta http-equiv=refresh>")
            if tag == "link" and not _own_file(attrs.get("href") or "", path, site) and (
                    attrs.get("rel") or "") in ("stylesheet", "preload", "icon", "modulepreload"):
                findings.append(f"{name}: <link href={attrs.get('href')!r}> loads from elsewhere")
            if tag == "img" and attrs.get("src") and not _own_file(attrs["src"], path, site):
                findings.append(f"{name}: <img src={attrs.get('src')!r}> loads from elsewhere")
        for attrs, text in page.scripts:
            kind = (attrs.get("type") or "").lower()
            if kind == "application/ld+json":
                try:
                    json.loads(text)
                except ValueError:
                    findings.append(f"{name}: a JSON-LD script that is not JSON: {text[:80]!r}")
                continue
            source = attrs.get("src") or ""
            own = _own_file(source, path, site) and (
                (path.parent / source).resolve().relative_to((site / "static").resolve()).as_posix()
                in static)
            if text.strip() or not own:
                findings.append(f"{name}: <script src={source!r}>{text[:60]!r}")
    for path in sorted(site.rglob("*.xml")):
        root = ElementTree.parse(path).getroot()
        if any(element.tag.rsplit("}", 1)[-1] == "script" for element in root.iter()):
            findings.append(f"{path.relative_to(site)}: a script element")
    return findings


# The templates' own search forms: a GET form to the search page in every page's masthead, and
# the search page's form. Each control is allowed once, exactly as the templates write it.
SEARCH_CONTROLS = [
    ("form", {"class": "site-search", "role": "search", "method": "get"}),
    ("input", {"id": "site-search-words", "type": "search", "name": "q"}),
    ("button", {"type": "submit"}),
]
SEARCH_PAGE_CONTROLS = [
    ("form", {"class": "search", "role": "search", "method": "get", "action": "./"}),
    ("input", {"id": "search-words", "type": "search", "name": "q"}),
    ("button", {"type": "submit"}),
]


def _search_controls(page: _Page, name: str) -> set[int]:
    """The indexes of the templates' search controls among the page's elements."""
    wanted = SEARCH_CONTROLS + (SEARCH_PAGE_CONTROLS if name == "search/index.html" else [])
    found: set[int] = set()
    for tag, attrs in wanted:
        for index, (seen, given) in enumerate(page.elements):
            if index in found or seen != tag or any(given.get(k) != v for k, v in attrs.items()):
                continue
            if tag == "form" and attrs["class"] == "site-search" and not (
                    given.get("action") or "").endswith("search/"):
                continue
            found.add(index)
            break
    return found


def _own_file(url: str, page: Path, site: Path) -> bool:
    """A relative address that stays inside the site."""
    if not url or _scheme(url) or url.startswith(("//", "\\", "/\\")):
        return False
    if url.startswith("/"):
        return True  # the site's own host (the 404 page links from the site's root)
    target = (page.parent / url.split("#")[0].split("?")[0]).resolve()
    return target.is_relative_to(site.resolve())


@pytest.fixture(scope="module")
def attacked(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("attacked")
    content = _attacked_site(root)
    out = root / "site"
    code = main(["build", "--content", str(content), "--out", str(out)])
    assert code == 0, "the attacked site must build: its payloads are sanitized, not refused"
    return out


def test_no_attack_survives_on_any_page(attacked):
    assert audit(attacked) == []


def test_every_page_and_body_was_under_attack(attacked):
    """The audit above proves something only if the payloads reached the pages."""
    for name in ("events/2021-03-01-bridge-closed/index.html", "sources/ledger/index.html",
                 "about/index.html"):
        html = (attacked / name).read_text()
        assert "The page." in html or "summary." in html or "source note." in html, name
    for number in range(1, len(RAW_HTML) + 1):
        text = "".join(_parse(attacked / f"attack-{number}" / "index.html").text)
        assert f"Attack {number} follows." in text
    furniture = RAW_HTML.index(next(a for a in RAW_HTML if "furniture" in a)) + 1
    html = (attacked / f"attack-{furniture}" / "index.html").read_text()
    assert "<p>dressed as the site&#39;s own furniture</p>" in html.replace("'", "&#39;")


def test_front_matter_text_is_shown_as_text(attacked):
    page = _parse(attacked / "events" / "2021-03-01-bridge-closed" / "index.html")
    text = "".join(page.text)
    for field in ("The bridge is closed", "Harbour Bridge", "closed the bridge on Monday",
                  "in its own voice", "The editors' note", "12,000 cars", "From elsewhere",
                  "A record"):
        assert f"{field} {TEXT}" in text, field
    source = "".join(_parse(attacked / "sources" / "ledger" / "index.html").text)
    for field in ("The Ledger", "Bridge shut", "A. Writer"):
        assert f"{field} {TEXT}" in source, field


def test_sanitizer_keeps_what_editors_need():
    from parallax.markup import convert

    html, bad = convert("## Accounts\n\nSee [the map](https://example.org/map \"Map\") "
                        "and ![the bridge](../static/bridge.jpg).[^1]\n\n"
                        "<p class=\"lead note masthead\">Lead.</p>\n\n[^1]: A footnote.")
    assert bad == []
    assert '<h2 id="section-accounts">Accounts</h2>' in html
    assert '<a href="https://example.org/map" title="Map" rel="noopener noreferrer">' in html
    assert '<img alt="the bridge" src="../static/bridge.jpg">' in html
    assert '<p class="lead note">Lead.</p>' in html
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"' in html
    assert '<li id="fn:1">' in html


@pytest.mark.parametrize("markdown, what, address", BAD_LINKS,
                         ids=[f"{i}-{what}" for i, (_, what, _) in enumerate(BAD_LINKS)])
def test_a_dangerous_link_is_an_error(markdown, what, address, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    page = content / "pages" / "about.md"
    page.write_text("---\ntitle: About\n---\nFirst line.\n\n" + markdown + "\n")
    out = tmp_path / "site"
    code = main(["build", "--content", str(content), "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    if what == "link":
        message = (f"the link address {address!r} is not allowed; links may only be http, "
                   "https, mailto or relative addresses")
    else:
        message = (f"the image address {address!r} is not allowed; images must be files of "
                   "this site, given by a relative address (readers' browsers never fetch "
                   "anything from elsewhere)")
    line = 8 if "[1]:" in markdown else 6
    assert err[0] == str(Problem("content/pages/about.md", line, "body", message))
    assert not out.exists()


@pytest.mark.parametrize("field, value", [
    ("url", "javascript:alert(1)"),
    ("url", "data:text/html,<script>alert(1)</script>"),
    ("url", "//evil.example/a"),
])
def test_a_dangerous_address_in_front_matter_is_an_error(field, value, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    source = content / "sources" / "ledger.md"
    source.write_text(source.read_text().replace(
        "url: https://ledger.example.org/bridge-shut", f"{field}: \"{value}\""))
    code = main(["build", "--content", str(content), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0] == (f"content/sources/ledger.md:7: url: {value!r} is not a web address: write "
                      "the full address, starting with https://")


# --- Content-Security-Policy ---------------------------------------------------------------------


def _policy(path: Path) -> dict[str, list[str]]:
    page = _parse(path)
    metas = [(i, attrs) for i, (tag, attrs) in enumerate(page.elements)
             if tag == "meta" and (attrs.get("http-equiv") or "").lower()
             == "content-security-policy"]
    assert len(metas) == 1, f"{path}: one Content-Security-Policy meta tag"
    index, attrs = metas[0]
    loads = [i for i, (tag, _) in enumerate(page.elements) if tag in ("script", "link", "img",
                                                                       "style")]
    assert not loads or index < min(loads), f"{path}: the policy must come before what it governs"
    policy: dict[str, list[str]] = {}
    for directive in (attrs.get("content") or "").split(";"):
        words = directive.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


@pytest.mark.parametrize("site", ["basic", "attacked"])
def test_every_page_allows_only_the_sites_own_files(site, attacked, tmp_path):
    if site == "basic":
        out = tmp_path / "site"
        assert main(["build", "--content", str(BASIC), "--out", str(out)]) == 0
    else:
        out = attacked
    for path in sorted(out.rglob("*.html")):
        policy = _policy(path)
        search_page = path.relative_to(out).as_posix() == "search/index.html"
        assert policy["default-src"] == ["'self'"], path
        # Only the search page compiles WebAssembly (Pagefind's search runs as WebAssembly).
        assert policy["script-src"] == ["'self'"] + ["'wasm-unsafe-eval'"] * search_page, path
        assert policy["form-action"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        for directive, sources in policy.items():
            for source in sources:
                assert source in ("'self'", "'none'") or (
                    search_page and directive == "script-src"), f"{path}: {directive} {source}"


def test_the_audit_allows_only_the_templates_search_forms(tmp_path):
    """The masthead's search form passes; a form, box or button any other markup adds does not."""
    out = tmp_path / "site"
    assert main(["build", "--content", str(BASIC), "--out", str(out)]) == 0
    assert audit(out) == []
    page = out / "about" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</main>", '<form class="site-search" role="search" method="get" action="https://evil.example/">'
        '<input type="search" name="q"><button type="submit">Go</button></form></main>'),
        encoding="utf-8")
    assert audit(out) == ["about/index.html: <form>", "about/index.html: <input>",
                          "about/index.html: <button>"]


# --- hostile names: ids and the paths written under site/ ------------------------------------------


def _build(content: Path, out: Path, capsys, *extra: str) -> tuple[int, list[str]]:
    code = main(["build", "--content", str(content), "--out", str(out), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err.splitlines()


@pytest.mark.parametrize("name, shown", [
    ("2021-03-04-bridge-closed\n", "2021-03-04-bridge-closed\\n.md"),
    ("2021-03-04-bridge-closed\t", "2021-03-04-bridge-closed\\t.md"),
    ("2021-03-04-bridge\rclosed", "2021-03-04-bridge\\rclosed.md"),
    ("2021-03-04-bridge-closed\x1b", "2021-03-04-bridge-closed\\x1b.md"),
])
def test_a_file_name_with_a_control_character_is_not_an_id(name, shown, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    event.rename(event.with_name(name + ".md"))
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert err[0].startswith(f"content/events/{shown}:1: the file name '{shown}' cannot be an "
                             "id: rename the file"), err
    assert not (tmp_path / "site").exists()


def test_an_id_of_exactly_the_longest_length_builds(tmp_path, capsys):
    from parallax.models import MAX_ID_LENGTH

    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    longest = ("bridge-" * 20)[:MAX_ID_LENGTH - 1] + "x"
    event.rename(event.with_name(longest + ".md"))
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err
    assert (tmp_path / "site" / "events" / longest / "index.html").is_file()
    event = content / "events" / (longest + ".md")
    event.rename(event.with_name(longest + "y.md"))
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert f"it is {MAX_ID_LENGTH + 1} characters long, and an id has at most {MAX_ID_LENGTH}" in err[0]


@pytest.mark.parametrize("path, why", [
    ("events/a\nb/index.html", "it holds a control character or a backslash"),
    ("events/a\x00b/index.html", "it holds a control character or a backslash"),
    ("events/a\u2028b/index.html", "it holds a control character or a backslash"),
    ("events\\..\\x/index.html", "it holds a control character or a backslash"),
    ("events/../../x/index.html", "it has an empty, '.' or '..' part"),
    ("events//index.html", "it has an empty, '.' or '..' part"),
    ("/etc/index.html", "it has an empty, '.' or '..' part"),
    ("events/" + "é" * 128 + "/index.html", "a part of it is longer than 255 bytes"),
])
def test_no_unsafe_path_is_written_under_site(path, why, tmp_path):
    from parallax.errors import ContentError
    from parallax.write import unsafe_paths, write_site

    assert unsafe_paths(["index.html", "events/" + "e" * 255 + "/index.html"]) == []
    problems = unsafe_paths(["index.html", path])
    assert [p.message for p in problems] == [
        f"this file cannot be written: {why}; rename what it is made from"]

    with pytest.raises(ContentError):
        write_site({"index.html": b"x", path: b"y"}, tmp_path / "site")
    assert not (tmp_path / "site").exists()


# --- what the check and the sanitizer read differently ---------------------------------------------


@pytest.mark.parametrize("markup_text, address", [
    ('<!--> <a href="javascript:alert(1)">x</a> -->', "javascript:alert(1)"),
    ('<!---> <a href="https://evil.example/">x</a> -->', "https://evil.example/"),
    ('<!--> <img src="https://evil.example/pixel.png"> -->', "https://evil.example/pixel.png"),
])
def test_a_link_hidden_from_the_check_is_a_warning_and_an_error_under_strict(
        markup_text, address, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    (content / "pages" / "about.md").write_text(
        "---\ntitle: About\n---\nFirst line.\n\n" + markup_text + "\n", encoding="utf-8")
    message = str(Problem("content/pages/about.md", 6, "body", (
        f"the address {address!r} is hidden from Parallax's check in markup that browsers "
        "read differently (such as '<!-->'); write the link plainly, or remove it")))
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0
    assert "warning: " + message in err
    page = (tmp_path / "site" / "about" / "index.html").read_text()
    assert "javascript:" not in page and "evil.example/pixel" not in page
    code, err = _build(content, tmp_path / "strict", capsys, "--strict")
    assert code == 1 and message in err
    assert not (tmp_path / "strict").exists()


def test_a_plain_comment_is_no_warning(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    (content / "pages" / "about.md").write_text(
        "---\ntitle: About\n---\nFirst <!-- a note to editors --> line. [A](https://example.org/)\n",
        encoding="utf-8")
    code, err = _build(content, tmp_path / "site", capsys, "--strict")
    assert code == 0, err


# --- files that are not plain files ----------------------------------------------------------------


def _hostile_copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    return content


def _make_socket(path: Path) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def _special(kind: str, content: Path, tmp_path: Path) -> tuple[str, str]:
    """Puts one hostile entry in `content`; returns (its path as shown, the expected message)."""
    events = content / "events"
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    if kind == "pipe":
        os.mkfifo(events / "2021-03-09-pipe.md")
        return "content/events/2021-03-09-pipe.md", (
            "this is a named pipe, not a file; Parallax reads only plain files: remove it from "
            "the content folder")
    if kind == "socket":
        _make_socket(content / "sources" / "sock.md")
        return "content/sources/sock.md", (
            "this is a socket, not a file; Parallax reads only plain files: remove it from the "
            "content folder")
    if kind == "device":
        if os.geteuid() != 0:
            pytest.skip("making a device needs root")
        os.mknod(content / "pages" / "null.md", stat.S_IFCHR | 0o644, os.makedev(1, 3))
        return "content/pages/null.md", (
            "this is a device, not a file; Parallax reads only plain files: remove it from the "
            "content folder")
    if kind == "link-to-device":
        os.symlink("/dev/zero", content / "pages" / "zero.md")
        return "content/pages/zero.md", (
            "this symbolic link leads out of the content folder (to '/dev/zero'); Parallax does "
            "not follow it: put the file itself in the content folder")
    if kind == "link-out":
        secret = outside / "secret.md"
        secret.write_text((events / "2021-03-03-crack-found.md").read_text())
        os.symlink(secret, events / "2021-03-09-leak.md")
        return "content/events/2021-03-09-leak.md", (
            f"this symbolic link leads out of the content folder (to {str(secret.resolve())!r}); "
            "Parallax does not follow it: put the file itself in the content folder")
    if kind == "folder-link-out":
        (outside / "more").mkdir()
        (outside / "more" / "2021-03-09-x.md").write_text(
            (events / "2021-03-03-crack-found.md").read_text())
        os.symlink(outside / "more", events / "more")
        return "content/events/more", (
            f"this symbolic link leads out of the content folder (to "
            f"{str((outside / 'more').resolve())!r}); Parallax does not follow it: put the "
            "file itself in the content folder")
    if kind == "loop":
        os.symlink("loop-b.md", events / "loop-a.md")
        os.symlink("loop-a.md", events / "loop-b.md")
        return "content/events/loop-a.md", "this symbolic link leads round in a loop; remove it"
    if kind == "dangling":
        os.symlink("nowhere.md", events / "2021-03-09-gone.md")
        return "content/events/2021-03-09-gone.md", (
            "this symbolic link leads to 'nowhere.md', which does not exist; remove it, or put "
            "the file itself here")
    raise AssertionError(kind)


SPECIAL = ["pipe", "socket", "device", "link-to-device", "link-out", "folder-link-out", "loop", "dangling"]


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_special_file_is_named_not_read(kind, command, tmp_path, capsys):
    import threading

    content = _hostile_copy(tmp_path)
    shown, message = _special(kind, content, tmp_path)
    out = tmp_path / "site"
    assert main(["build", "--content", str(BASIC), "--out", str(out)]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(
        [command, "--content", str(content), "--out", str(out)])), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # a pipe nobody writes to: let the reader go, then fail
        with open(content / "events" / "2021-03-09-pipe.md", "wb"):
            pass
        pytest.fail(f"{command} hung on {kind}")
    err = capsys.readouterr().err.splitlines()
    assert result == [1]
    assert f"{shown}:1: {message}" in err
    assert "Traceback" not in "\n".join(err)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_link_inside_the_content_folder_is_followed(tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    os.symlink("2021-03-03-crack-found.md", content / "events" / "2021-03-05-same-crack.md")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err
    assert (tmp_path / "site" / "events" / "2021-03-05-same-crack" / "index.html").is_file()


def test_an_unreadable_file_is_named(tmp_path, capsys, monkeypatch):
    content = _hostile_copy(tmp_path)
    target = content / "events" / "2021-03-03-crack-found.md"
    if os.geteuid() != 0:
        target.chmod(0)
    else:  # root reads anything: make this one file refuse it, as permissions would
        real_access, real_open = os.access, Path.open

        def access(path, mode, *args, **kwargs):
            return False if Path(path) == target else real_access(path, mode, *args, **kwargs)

        def open_(self, *args, **kwargs):
            if self == target:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
        monkeypatch.setattr(Path, "open", open_)
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert ("content/events/2021-03-03-crack-found.md:1: this file cannot be read (permission "
            "denied); check its permissions") in err


def test_a_record_just_under_the_size_limit_builds(tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    about = content / "pages" / "about.md"
    head = "---\ntitle: About\n---\n"
    limit = 32 * 1024
    about.write_bytes((head + "word " * (limit // 5)).encode()[:limit])
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err
    about.write_bytes(about.read_bytes() + b"x")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert err[0] == ("content/pages/about.md:1: the file is 32.1 KB, over the limit of 32 KB "
                      "a record may be (max_record_kb in site.yaml); split it, or raise the limit")
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "max_record_kb: 33\n")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err


# --- every pathological input finishes, or is refused, within 5 s ----------------------------------

SECONDS = 5.0


def _nested_list(depth: int) -> str:
    return "".join("    " * i + "- item\n" for i in range(depth))


def _fill(head: str, piece: str, count: int, end: str = "") -> str:
    """A record of `head` and as many paragraphs of `count` pieces as fit in 32 KB, then
    `end`: the most inline markup the body check lets through."""
    paragraph = (piece * count).strip() + "\n\n"
    room = 32 * 1024 - len(head.encode()) - len(end)
    return head + paragraph * (room // len(paragraph)) + end


# Bodies that must build (in time); every other case must be refused (in time).
BUILDS = {"largest body allowed", "links at the limit", "references at the limit",
          "images at the limit", "code spans at the limit", "emphasis at the limit",
          "escapes at the limit", "tags and entities at the limit"}

# (name, the file under content/ it replaces or adds, its text)
_EVENT = "events/2021-03-03-crack-found.md"
_HEAD = ("---\ntitle: Engineers find a crack in the bridge\nwhen: 2021-03-03\n"
         "accounts:\n  - source: ledger\n    quotes: [\"Engineers found a crack on Wednesday\"]\n"
         "    time_words:\n      - said: on Wednesday\n---\n")
PATHOLOGICAL = [
    ("link openers", _EVENT, _HEAD + "[a](" * 8000),
    ("open brackets", _EVENT, _HEAD + "[" * 40000),
    ("nested brackets", _EVENT, _HEAD + "[" * 20000 + "]" * 20000),
    ("emphasis and brackets", _EVENT, _HEAD + "*[" * 4000),
    ("open tags", _EVENT, _HEAD + "<a " * 5000),
    ("nested list", _EVENT, _HEAD + _nested_list(1000)),
    ("nested quotation", _EVENT, _HEAD + ">" * 50000 + " x\n"),
    ("footnote references", _EVENT, _HEAD + " ".join("x[^1]" for _ in range(3000))
     + "\n\n[^1]: note\n"),
    ("headings", _EVENT, _HEAD + "# heading\n" * 5000),
    ("10 MB body", _EVENT, _HEAD + "word " * (2 * 1024 * 1024)),
    ("50 MB body", _EVENT, _HEAD + "word " * (10 * 1024 * 1024)),
    ("largest body allowed", _EVENT, _fill(_HEAD, "*a* [b](c) `d` <i>e</i> ", 32)),
    ("links at the limit", _EVENT, _fill(_HEAD, "[b](c) ", 64)),
    ("references at the limit", _EVENT, _fill(_HEAD, "[b][c] ", 32, "[c]: d\n")),
    ("images at the limit", _EVENT, _fill(_HEAD, "![b](c) ", 64)),
    ("code spans at the limit", _EVENT, _fill(_HEAD, "`d` ", 64)),
    ("emphasis at the limit", _EVENT, _fill(_HEAD, "*a* _b_ **c** ", 42)),
    ("escapes at the limit", _EVENT, _fill(_HEAD, "\\* ", 256)),
    ("tags and entities at the limit", _EVENT, _fill(_HEAD, "<i>e</i> &amp; ", 85)),
    ("escapes in one paragraph", _EVENT, _HEAD + "\\* " * 8000),
    ("emphasis in one paragraph", _EVENT, _HEAD + "_a " * 8000),
    ("links after escaped backslashes", _EVENT, _HEAD + "\\\\[b](c) " * 65),
    ("links in one paragraph", _EVENT, (_HEAD + "*a* [b](c) `d` <i>e</i>\n" * 2000)[:32 * 1024]),
    ("deep YAML brackets", _EVENT, "---\ntitle: " + "[" * 100000 + "]" * 100000 + "\n---\n"),
    ("deep YAML mappings", _EVENT, "---\ntitle: " + "{a: " * 100000 + "}" * 100000 + "\n---\n"),
    ("deep YAML indentation", _EVENT, "---\n" + "".join(" " * i + "a:\n" for i in range(5000))
     + "---\n"),
    ("many YAML keys", _EVENT, "---\n" + "".join(f"k{i}: v\n" for i in range(3000)) + "---\n"),
    ("end of the calendar", _EVENT, _HEAD.replace("when: 2021-03-03", "when: 9999-12-31")),
    ("offset at year 1", _EVENT, _HEAD.replace("when: 2021-03-03",
                                               "when: 0001-01-01T00:00+14:00")),
    ("time zone folder", "site.yaml", None),
    ("long id", "events/" + "a" * 250 + ".md", _HEAD),
    ("control characters", _EVENT, _HEAD.replace("Engineers find", "Engineers \\x1b\\0 find")
     .replace("title: E", "title: \"E").replace("bridge\n", "bridge\"\n", 1)),
]


@pytest.mark.parametrize("name, file, text", PATHOLOGICAL, ids=[p[0] for p in PATHOLOGICAL])
def test_a_pathological_input_finishes_or_is_refused_in_time(name, file, text, tmp_path, capsys):
    import threading
    import time

    content = _hostile_copy(tmp_path)
    if text is None:
        settings = content / "site.yaml"
        settings.write_text(re.sub(r"timezone: .*", "timezone: America", settings.read_text()))
    else:
        (content / file).write_text(text, encoding="utf-8")
    result: list[int] = []
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: result.append(main(
        ["check", "--content", str(content), "--out", str(tmp_path / "site")])), daemon=True)
    worker.start()
    worker.join(SECONDS * 4)
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    assert result, f"{name}: still running after {seconds:.1f} s"
    assert seconds < SECONDS, f"{name}: took {seconds:.1f} s"
    assert result[0] in (0, 1) and "Traceback" not in err, err[-2000:]
    assert result == ([0] if name in BUILDS else [1]), err[-2000:]


def test_a_paragraph_with_too_many_links_is_refused_with_the_line(tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    paragraph = "See [one](a) and `code`. " * 32 + "[last](z)\n"
    (content / _EVENT).write_text(_HEAD + "Intro.\n\n" + paragraph.replace(". S", ".\nS"),
                                  encoding="utf-8")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert err[0] == (
        "content/events/2021-03-03-crack-found.md:43: body: 65 '[' brackets and code spans in "
        "one paragraph, over the 64 read (a link or image takes one, a reference link two); "
        "Markdown's time grows with the square of their number, so this text is not read: split "
        "the paragraph with a blank line, or write \\[ for a bracket that is only text")
    # The same words in two paragraphs build.
    text = (content / _EVENT).read_text(encoding="utf-8").replace("See [one](a) and `code`.\nS",
                                                                   "See [one](a) and `code`.\n\nS")
    (content / _EVENT).write_text(text, encoding="utf-8")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err


def test_a_paragraph_with_too_much_inline_markup_is_refused_with_the_line(tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    lines = ["Some *stress* and \\* a _mark_ &amp; <b>tag</b>." for _ in range(32)]
    lines.append("The last _straw_.")
    (content / _EVENT).write_text(_HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert err[0] == (
        "content/events/2021-03-03-crack-found.md:42: body: 258 marks of inline Markdown in one "
        "paragraph (links, code, emphasis, escapes, tags, entities: [ ` * _ \\ < &), over the "
        "256 read; Markdown's time grows with the square of their number, so this text is not "
        "read: split the paragraph with a blank line")


# --- the static folder is read by the content folder's rule ----------------------------------------

def _static_copy(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    shutil.copytree(PROJECT_STATIC, static)
    return static


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("kind", ["link-out", "folder-link-out", "dangling", "pipe"])
def test_a_static_file_that_is_not_the_folders_own_is_refused(kind, command, tmp_path, capsys):
    static = _static_copy(tmp_path)
    secret = tmp_path / "repository" / ".git" / "config"
    secret.parent.mkdir(parents=True)
    secret.write_text("[remote \"origin\"]\n\turl = https://token@example.org/\n")
    if kind == "link-out":
        os.symlink(secret, static / "config.txt")
        shown, why = "static/config.txt", (
            f"this symbolic link leads out of the static folder (to {str(secret)!r}); Parallax "
            "does not follow it: put the file itself in the static folder")
    elif kind == "folder-link-out":
        os.symlink(secret.parent, static / "git")
        shown, why = "static/git", (
            f"this symbolic link leads out of the static folder (to {str(secret.parent)!r}); "
            "Parallax does not follow it: put the file itself in the static folder")
    elif kind == "dangling":
        os.symlink("nowhere.css", static / "gone.css")
        shown, why = "static/gone.css", ("this symbolic link leads to 'nowhere.css', which does "
                                         "not exist; remove it, or put the file itself here")
    else:
        os.mkfifo(static / "feed.css")
        shown, why = "static/feed.css", ("this is a named pipe, not a file; Parallax reads only "
                                         "plain files: remove it from the static folder")
    out = tmp_path / "site"
    assert main(["build", "--content", str(BASIC), "--out", str(out)]) == 0
    before = snapshot_tree(out)
    capsys.readouterr()
    code = main([command, "--content", str(BASIC), "--out", str(out), "--static", str(static)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0] == f"{shown}:1: {why}"
    assert "Traceback" not in "\n".join(err)
    assert snapshot_tree(out) == before
    assert not any(b"token@" in data for data in before.values())


def test_a_link_inside_the_static_folder_is_followed_and_hidden_files_are_not_published(
        tmp_path, capsys):
    static = _static_copy(tmp_path)
    os.symlink("style.css", static / "print.css")
    (static / ".cache").mkdir()
    (static / ".cache" / "notes.txt").write_text("private")
    out = tmp_path / "site"
    code = main(["build", "--content", str(BASIC), "--out", str(out), "--static", str(static)])
    assert code == 0, capsys.readouterr().err
    assert (out / "static" / "print.css").read_bytes() == (static / "style.css").read_bytes()
    assert not (out / "static" / ".cache").exists()


# --- names every system can check out ----------------------------------------------------------------

@pytest.mark.parametrize("where, name, shown, why", [
    ("events", "con.md", "content/events/con.md",
     ("'con.md' is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9): "
     "a file or folder of that name cannot be checked out there; rename it (e.g. 'con-1')")),
    ("events", "nul", "content/events/nul",
     ("'nul' is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9): a "
     "file or folder of that name cannot be checked out there; rename it (e.g. 'nul-1')")),
    ("pages", "Aux.md", "content/pages/Aux.md",
     ("'Aux.md' is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9): "
     "a file or folder of that name cannot be checked out there; rename it (e.g. 'Aux-1')")),
    ("sources", "lpt9.md", "content/sources/lpt9.md",
     ("'lpt9.md' is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9): "
     "a file or folder of that name cannot be checked out there; rename it (e.g. 'lpt9-1')")),
    ("events", "2021-03-01.", "content/events/2021-03-01.",
     ("the name '2021-03-01.' ends with a dot, which Windows drops: a file or folder of that name "
     "cannot be checked out there; rename it")),
    ("events", "march ", "content/events/march ",
     ("the name 'march ' ends with a space, which Windows drops: a file or folder of that name "
     "cannot be checked out there; rename it")),
])
def test_a_name_windows_cannot_check_out_is_refused(where, name, shown, why, tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    target = content / where / name
    if name in ("nul", "2021-03-01.", "march "):
        target.mkdir()
        shutil.copy(content / _EVENT, target / "2021-03-09-inside.md")
    else:
        shutil.copy(content / _EVENT, target)
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert f"{shown}:1: {why}" in err


@pytest.mark.parametrize("field, text", [
    ("tags", "com1"),
    ("parties", None),
])
def test_a_device_name_is_no_id(field, text, tmp_path, capsys):
    content = _hostile_copy(tmp_path)
    if text:
        event = content / _EVENT
        event.write_text(re.sub(r"tags: \[([^]]*)\]", rf"tags: [\1, {text}]", event.read_text()))
        where = "content/events/2021-03-03-crack-found.md"
    else:
        (content / "credited.yaml").write_text("prn:\n  name: Printer\n  kind: organisation\n")
        where = "content/credited.yaml"
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 1
    assert any(line.startswith(where) and "is a name Windows keeps for a device" in line
               for line in err), err


def test_a_window_of_centuries_is_refused_at_once(tmp_path, capsys):
    import time

    content = _hostile_copy(tmp_path)
    settings = content / "site.yaml"
    text = re.sub(r"window: .*", "window: 1900-01-01/2099-12-31", settings.read_text())
    settings.write_text(text)
    started = time.perf_counter()
    code, err = _build(content, tmp_path / "site", capsys)
    assert time.perf_counter() - started < 5
    assert code == 1
    assert err[0] == (
        "content/site.yaml:6: window: the window is 73,049 days long, and at most 92 are drawn: "
        "every page draws each day of the window in full, so a longer one would make every page "
        "larger and the build slower with no event more; give the weeks the story is about "
        "(events before and after it go to the timeline's 'before' and 'after' bands)")
    settings.write_text(re.sub(r"window: .*", "window: 2021-01-01/2021-04-02", text))
    code, err = _build(content, tmp_path / "site", capsys)
    assert code == 0, err  # 92 days: the longest window drawn


def _brackets_char_by_char(paragraph):
    """The rule of `markup._open_brackets`, written as a walk over every character: the
    reference that its faster scan is checked against."""
    depth = deepest = 0
    unclosed = {"[": 0, "(": 0, "<": 0}
    escaped = False
    for index, char in enumerate(paragraph):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
            continue
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
            unclosed["["] += 1
        elif char == "]":
            if depth:
                depth -= 1
                unclosed["["] -= 1
        elif char in "(<":
            unclosed[char] += 1
        elif char in ")>":
            opening = "(" if char == ")" else "<"
            if unclosed[opening]:
                unclosed[opening] -= 1
        else:
            continue
        if deepest > markup.MAX_OPEN:
            return index, "[", "nested"
        if max(unclosed.values()) > markup.MAX_OPEN:
            return index, max(unclosed, key=lambda k: unclosed[k]), "left open"
    return None


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(st.lists(st.sampled_from(["[", "]", "(", ")", "<", ">", "\\", "a", " ", "\n",
                                 "[" * 30, "(" * 30, "<" * 30, "\\[" * 10, "]" * 20,
                                 ")" * 20, "\\\n"]),
                max_size=40))
def test_the_bracket_scan_finds_what_a_walk_over_every_character_finds(pieces):
    paragraph = "".join(pieces)
    assert markup._open_brackets(paragraph) == _brackets_char_by_char(paragraph)


# Markdown's own constructs, every one it can write a link, an image, an id or an attribute
# with, and the characters HTML reads specially, character references in addresses among them.
_MARKDOWN_PIECES = [
    "[a](http://x.example/?q=1&b=2)", "![i](pic.png \"t\")", "[r][1]\n\n[1]: javascript:alert(1)",
    "[j](javascript:alert(1))", "![d](data:image/png,x)", "&amp;", "&lt;a href=x&gt;", "&#60;",
    "&#x3C;img src=x&#x3E;", "&notit;", "&not", "\"", "'", "`code`", "    indented\n",
    "```\nfenced\n```\n", "{: #id .note data=\"javascript:x\" }", "{: href=\"javascript:x\" }",
    "*[HTML]: Hyper \"Text\"", "HTML", "[^1]\n\n[^1]: note [n](ftp://x)", "# Heading {: #h }",
    "| a | b |\n|---|---|\n| [c](vbscript:x) | d |\n", "Term\n: definition", "> quote",
    "1. one\n2. two", "* item", "**strong** _em_", "\\[not a link\\]", "[a]( http://x )",
    "-->", "!--", "]]>", "?>", "\n\n", " ", "x", "=", "/", "&",
    # References an address check and a browser read differently (with '&': read twice).
    "[x](?a&notit;)", "[x](a&#1;b)", "![i](a&ampx;.png)", "[x](http://e.example/?q&copyx;)",
    "{: title=\"a&notit;\" }",
]


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.lists(st.sampled_from(_MARKDOWN_PIECES), max_size=12))
def test_a_text_read_once_hides_no_address(pieces):
    """quiet_changes does not read a text without '<' or '&' a second time: its HTML is
    Markdown's own, which the sanitizer reads as the address check does. Whatever the text,
    it finds what reading it twice finds."""
    text = " ".join(pieces)
    assert markup.quiet_changes(text) == markup._hidden_addresses(text)
    if "<" not in text and "&" not in text:
        assert markup._hidden_addresses(text) == []
