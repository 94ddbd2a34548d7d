"""Safe output: nothing an editor writes (by mistake, or pasted from a hostile page) can run in a
reader's browser or make it contact another site.

Raw HTML in Markdown is cut down to an allow-list; text in the front matter is escaped by the
templates; links to javascript:, data: or vbscript: addresses are reported as errors. Every page
of a site full of the usual attacks is parsed to prove that none survives, and every page
carries a Content-Security-Policy that allows only the site's own files.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from conftest import FIXTURES

from parallax.cli import main
from parallax.errors import Problem

BASIC = FIXTURES / "basic" / "content"

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
        "confidence": {"outlet": "confirmed", "byline": "unknown", "published": "confirmed",
                       "url": "unknown"},
    }))
    (content / "events" / "2021-03-01-bridge-closed.md").write_text(_record({
        "title": f"The bridge is closed {TEXT}",
        "when": "2021-03-01",
        "place": f"Harbour Bridge {TEXT}",
        "accounts": [
            {"source": "ledger",
             "quotes": [{"text": f"closed the bridge on Monday {TEXT}",
                         "via": ["port-authority"]}, f"in its own voice {TEXT}"],
             "time_words": [{"said": f"on Monday {TEXT}", "resolved_as": "2021-03-01"}],
             "note": f"The editors' note {TEXT}",
             "outside_note": {"text": f"From elsewhere {TEXT}", "source": f"A record {TEXT}"},
             "figures": [{"topic": f"cars diverted {TEXT}", "value": 12000,
                          "as_written": f"12,000 cars {TEXT}", "via": ["port-authority"]}]},
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
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "style", "base", "form", "input", "button",
                      "textarea", "svg", "math", "frame", "frameset", "applet", "video", "audio",
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
        for tag, attrs in page.elements:
            for attribute, value in attrs.items():
                if attribute.startswith("on"):
                    findings.append(f"{name}: <{tag} {attribute}=...>")
                if attribute == "style":
                    findings.append(f"{name}: <{tag} style=...>")
                if attribute in URL_ATTRIBUTES and value is not None and _scheme(value) in (
                        "javascript", "data", "vbscript"):
                    findings.append(f"{name}: <{tag} {attribute}={value!r}>")
            # The origins page draws its graph as inline SVG from the templates, never from content.
            if tag in FORBIDDEN_ELEMENTS and not (tag == "svg" and name == "origins/index.html"):
                findings.append(f"{name}: <{tag}>")
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
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        for directive, sources in policy.items():
            for source in sources:
                assert source in ("'self'", "'none'"), f"{path}: {directive} {source}"


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
