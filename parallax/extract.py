"""Editors' helper for `new source --from`: an article's text and facts, read from a saved web page.

The only module that knows trafilatura (the article's text and its metadata), htmldate (its
publication date) and lxml (the parsed page). Each fact comes with where it was found; a fact the
page does not give is None, never a guess.
"""

from __future__ import annotations

import copy
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import htmldate
import trafilatura
from lxml import etree
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

# Where a fact was found: the reason the record gives for its confidence `inferred`.
METADATA = "from the page's metadata"
MARKED_DATE = "from a date marked up in the page"
HEADLINE = "from the page's headline"
BYLINE = "from the byline printed on the page"
PAGE_TITLE = "from the page's title"
ADDRESS = "from the address"
HOST = "from the address: the site's host name"
SAVED_FROM = "from the address the browser noted when saving the page"
FETCHED = "from the address the page was fetched from"

CLUES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("outlet", ((METADATA, "`og:site_name`, a publisher in `<meta>` or JSON-LD"),
                (PAGE_TITLE, "a site name with a dot in the page's `<title>`"),
                (HOST, "the host name of the address below, without `www.`"))),
    ("title", ((METADATA, "`og:title`, a headline in `<meta>` or JSON-LD, less a ` | Outlet`"),
               (HEADLINE, "the only `<h1>`, a title element, the `<title>` or a heading"))),
    ("byline", ((METADATA, "an author in `<meta>` or JSON-LD"),
                (BYLINE, "an element marked as the byline or author"))),
    ("published", ((METADATA, "the publication date in the page's `<head>`"),
                   (MARKED_DATE, "a `<time>` or date element, not in comments or sidebars"),
                   (ADDRESS, "a date in the address, such as `/2016/12/11/`"))),
    ("url", ((METADATA, "`og:url`, JSON-LD or the canonical link"),
             (SAVED_FROM, "the `<!-- saved from url=... -->` line a browser adds"),
             (FETCHED, "with `--fetch`, the address given"))),
)
"""For each fact, where it is looked for, in order: (the reason written, what that means)."""

MIN_PROSE_WORDS = 40
"""An article has at least this many words in paragraphs of running prose."""
PROSE_LINE_WORDS = 12
"""A paragraph of running prose has at least this many words (a link in a list has fewer)."""
FETCH_SECONDS = 60
"""`--fetch` gives up after this long in all: connecting, every redirect and every byte."""
READ_SECONDS = 20
"""... or after this long without a byte."""
MAX_PAGE_BYTES = 20 * 1024 * 1024
"""The largest page read (fetched, before and after decompression, or saved): pages of news
sites run to a few MB with everything inlined."""

_HTML = re.compile(rb"<(!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$")


def _marked(*words: str) -> str:
    """An XPath for the elements whose class or id contains one of `words` (any case)."""
    tests = [f"contains(translate(@{attribute}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
             f"'abcdefghijklmnopqrstuvwxyz'), '{word}')"
             for word in words for attribute in ("class", "id")]
    return f"//*[{' or '.join(tests)}]"


_DISCLAIMER = _marked("disclaimer")
_FURNITURE = ("//nav | //aside | //footer | //form | "
              + _marked("comment", "related", "sidebar", "widget", "share", "newsletter",
                        "disclaimer"))
"""Page furniture whose dates are not the article's: comments, related articles, sidebars."""


class PageError(Exception):
    """The page cannot give an article; the message says why, for the editor."""


@dataclass(frozen=True)
class Fact:
    """One fact about the article, and where it was found."""

    value: str
    reason: str


@dataclass(frozen=True)
class PageArticle:
    """What a saved page says about its article. A fact the page does not give is None."""

    text: str
    """The article's plain text: its headline, a blank line, then its paragraphs."""
    words: int
    title: Fact | None
    outlet: Fact | None
    byline: Fact | None
    published: Fact | None
    url: Fact | None
    address_date: str | None
    """The date in the address, when there is one (to compare with a date found elsewhere)."""


def fetch(address: str, local: bool = False) -> bytes:
    """The page at `address`, or PageError saying why it could not be had. Only http and
    https, at most FETCH_SECONDS in all and MAX_PAGE_BYTES (as sent and as decompressed); and,
    unless `local`, never an address of this computer or its networks (loopback, private,
    link-local, or anything else not on the public internet): checked on the address actually
    connected to, at every redirect, so that no page can point the fetch at a service inside."""
    if _url(address) is None:
        raise PageError(f"could not fetch {address}: it is not an http:// or https:// address "
                        "with a host")
    guard = _Guard(address, local, time.monotonic() + FETCH_SECONDS)
    request = urllib.request.Request(address, headers={"User-Agent": "Parallax (new source --fetch)"})
    timer = threading.Timer(FETCH_SECONDS, guard.stop)
    timer.daemon = True
    timer.start()
    try:
        with guard.opener().open(request, timeout=READ_SECONDS) as response:
            return guard.read(response)
    except PageError:
        raise
    except urllib.error.HTTPError as error:
        error.close()
        raise PageError(f"could not fetch {address}: the server answered {error.code} "
                        f"{error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        if guard.stopped:
            raise PageError(f"could not fetch {address}: it did not finish within "
                            f"{FETCH_SECONDS} s") from None
        if isinstance(getattr(error, "reason", None), PageError):
            raise error.reason from None
        reason = getattr(error, "reason", error)
        raise PageError(
            f"could not fetch {address} ({reason}): this computer may have no network. Open the "
            "page in a browser, save it (Save Page As…, 'Web Page, HTML only' or 'complete') and "
            "give the saved file instead") from None
    finally:
        timer.cancel()


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `ip` is on the public internet (not loopback, private, link-local, reserved...);
    an IPv6 address that carries an IPv4 one (mapped, 6to4, Teredo, NAT64, IPv4-compatible)
    only when that IPv4 address is too: a DNS64 answer can lead to a private network."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE:
            return False
        carried = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if any(ip in network for network in _NAT64):
            carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(v4 is not None and not v4.is_global for v4 in carried):
            return False
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped.is_global
    return ip.is_global


@dataclass
class _Guard:
    """One fetch's limits: where it may connect, until when, and its sockets (closed by the
    timer when time is up, which wakes any read blocked on them)."""

    address: str
    local: bool
    deadline: float
    sockets: list[socket.socket] = field(default_factory=list)
    stopped: bool = False

    def resolve(self, host: str, port: int) -> list:
        """getaddrinfo's answer, waited for only until the deadline (the system's resolver
        cannot be interrupted: it is left to finish in a thread of its own)."""
        answer: list = []

        def lookup() -> None:
            try:
                answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except OSError as error:
                answer.append(error)

        thread = threading.Thread(target=lookup, daemon=True)
        thread.start()
        thread.join(max(0.0, self.deadline - time.monotonic()))
        if not answer:
            self.stopped = True
            raise OSError(f"looking up {host} did not finish in time")
        if isinstance(answer[0], OSError):
            raise answer[0]
        return answer[0]

    def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        problem = None
        for family, kind, proto, _, where in self.resolve(host, port):
            ip = ipaddress.ip_address(where[0].split("%", 1)[0])
            if not self.local and not _public(ip):
                problem = PageError(
                    f"could not fetch {self.address}: {host} is at {ip}, an address of this "
                    "computer or of a private network, which --fetch does not visit (add "
                    "--fetch-local if you mean to)")
                continue
            if self.stopped:
                break
            connection = socket.socket(family, kind, proto)
            self.sockets.append(connection)
            connection.settimeout(max(0.1, min(timeout, self.deadline - time.monotonic())))
            try:
                connection.connect(where)  # the very address checked above
            except OSError as error:
                connection.close()
                problem = error
                continue
            return connection
        raise problem or OSError(f"no address for {host}")

    def stop(self) -> None:
        self.stopped = True
        for connection in self.sockets:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def opener(self) -> urllib.request.OpenerDirector:
        """http and https through this guard's connections; redirects to those schemes only;
        no proxy, no file:, ftp: or data: handler."""
        guard = self

        class Plain(http.client.HTTPConnection):
            def connect(self) -> None:
                self.sock = guard.connect(self.host, self.port, self.timeout)

        class Secure(http.client.HTTPSConnection):
            def connect(self) -> None:
                raw = guard.connect(self.host, self.port, self.timeout)
                self.sock = self._context.wrap_socket(raw, server_hostname=self.host)

        class PlainHandler(urllib.request.HTTPHandler):
            def http_open(self, request):
                return self.do_open(Plain, request)

        class SecureHandler(urllib.request.HTTPSHandler):
            def https_open(self, request):
                return self.do_open(Secure, request, context=ssl.create_default_context())

        class Redirects(urllib.request.HTTPRedirectHandler):
            def http_error_302(self, request, fp, code, message, headers):
                new = headers.get("location") or headers.get("uri")
                try:
                    joined = urljoin(request.full_url, new) if new else None
                except ValueError:
                    joined = ""
                if new and _url(joined) is None:
                    fp.close()
                    raise PageError(f"could not fetch {guard.address}: it redirects to {new}, "
                                    "which is not an http:// or https:// address")
                fp.close()  # its body is not read: it could be endless
                return super().http_error_302(request, fp, code, message, headers)

            http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

        opener = urllib.request.OpenerDirector()
        for handler in (PlainHandler(), SecureHandler(), Redirects(),
                        urllib.request.HTTPDefaultErrorHandler(),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        return opener

    def read(self, response: http.client.HTTPResponse) -> bytes:
        """The body, decompressed if the server compressed it; at most MAX_PAGE_BYTES of each."""
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        inflate = (zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in ("gzip", "x-gzip")
                   else zlib.decompressobj() if encoding == "deflate" else None)
        sent = 0
        page = bytearray()
        while chunk := response.read1(65536):
            sent += len(chunk)
            if sent > MAX_PAGE_BYTES:
                raise self._too_large("as sent")
            while chunk:
                if inflate is None:
                    page += chunk
                    break
                try:
                    page += inflate.decompress(chunk, MAX_PAGE_BYTES + 1 - len(page))
                except zlib.error:
                    raise PageError(f"could not fetch {self.address}: the server said the page "
                                    f"was compressed ({encoding}), and it is not") from None
                chunk = inflate.unconsumed_tail
                if len(page) > MAX_PAGE_BYTES:
                    break
            if len(page) > MAX_PAGE_BYTES:
                raise self._too_large("decompressed" if inflate else "as sent")
        if self.stopped:  # the timer shut the socket: what came is not the whole page
            raise PageError(f"could not fetch {self.address}: it did not finish within "
                            f"{FETCH_SECONDS} s")
        return bytes(page)

    def _too_large(self, how: str) -> PageError:
        return PageError(f"could not fetch {self.address}: the page is larger than "
                         f"{MAX_PAGE_BYTES // (1024 * 1024)} MB {how}; save the article alone "
                         "from the browser and give the file instead")


def read_article(page: bytes, address: str | None = None) -> PageArticle:
    """The article in `page` (the bytes of a saved HTML page); `address` is where it was fetched
    from, if it was. PageError when the page is not HTML or holds no article, or when the
    libraries that read it stumble on it (a page can hold anything)."""
    try:
        return _read_article(page, address)
    except PageError:
        raise
    except (ValueError, TypeError, LookupError, OverflowError, AttributeError,
            etree.LxmlError) as error:
        raise PageError(f"this page could not be read ({type(error).__name__}: {error}); save "
                        "it again from the browser, or write the record by hand with "
                        "`new source TITLE --date DATE`") from None


def _read_article(page: bytes, address: str | None) -> PageArticle:
    if b"\x00" in page[:4096] or not _HTML.search(page[:65536]):
        raise PageError("this is not an HTML page; save the article from the browser as a web "
                        "page (.html)")
    tree = trafilatura.load_html(page)
    if tree is None:
        raise PageError("this page cannot be read as HTML")

    meta = extract_meta_json(tree, examine_meta(tree))
    head_text = page[:4096].decode("utf-8", errors="replace")

    url = _first((_url(meta.url) or _url(extract_url(tree)), METADATA),
                 (_url(_match(_SAVED_FROM, head_text)), SAVED_FROM),
                 (_url(address), FETCHED))
    title = _first((_clean(meta.title), METADATA), (_clean(extract_title(tree)), HEADLINE))
    # trafilatura drops a one-word author from the metadata as too unlikely to be a name.
    meta_author = _clean(meta.author) if meta.author and " " in meta.author.strip() else None
    byline = _first((meta_author, METADATA), (_clean(extract_author(tree)), BYLINE))
    host = urlsplit(url.value).hostname if url else None
    outlet = _first((_clean(meta.sitename), METADATA),
                    (_clean(extract_sitename(tree)), PAGE_TITLE),
                    (host.removeprefix("www.") if host else None, HOST))

    if title and outlet:
        title = Fact(_without_outlet(title.value, outlet.value), title.reason)

    address_date = _date(_empty_page(), url.value) if url else None
    published = _first((_date(_head_only(tree)), METADATA),
                       (_date(_without(tree, _FURNITURE)), MARKED_DATE),
                       (address_date, ADDRESS))

    text = _text(tree, title.value if title else None)
    prose = sum(len(line.split()) for line in text.split("\n")
                if len(line.split()) >= PROSE_LINE_WORDS and not line.startswith("- "))
    if prose < MIN_PROSE_WORDS:
        raise PageError(
            f"no article found: the page's main text has {prose} words of running prose "
            f"(an article has at least {MIN_PROSE_WORDS}); it reads like a front page, a list "
            "of links or an error page. Save the article's own page")
    return PageArticle(text=text, words=len(text.split()), title=title, outlet=outlet,
                       byline=byline, published=published, url=url, address_date=address_date)


# --- pieces ----------------------------------------------------------------------------------------


def _first(*candidates: tuple[str | None, str]) -> Fact | None:
    for value, reason in candidates:
        if value:
            return Fact(value, reason)
    return None


def _without_outlet(title: str, outlet: str) -> str:
    """'Headline | Outlet' → 'Headline': page titles often carry the site's name."""
    for separator in (" | ", " - ", " – ", " — ", " :: ", " · "):
        if title.endswith(separator + outlet) and len(title) > len(separator + outlet):
            return title[:-len(separator + outlet)].strip()
    return title


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return "".join(c for c in text if c.isprintable()) or None


def _url(text: str | None) -> str | None:
    """`text` when it is an http or https address that can be read (a host; brackets and a
    port, if any, well formed), else None: a page's metadata can hold anything."""
    text = (text or "").strip()
    if not _URL.match(text):
        return None
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not one
    except ValueError:
        return None
    return text if parts.hostname else None


def _match(pattern: re.Pattern, text: str) -> str | None:
    found = pattern.search(text)
    return found.group(1) if found else None


def _empty_page() -> etree._Element:
    return trafilatura.load_html("<html><head></head><body></body></html>")


def _head_only(tree) -> etree._Element:
    head_only = copy.deepcopy(tree)
    for body in head_only.findall("body"):
        head_only.remove(body)
    return head_only


def _without(tree, xpath: str) -> etree._Element:
    """A copy of `tree` without the elements `xpath` finds (never the page or article itself,
    whose classes may well mention comments)."""
    pruned = copy.deepcopy(tree)
    for element in pruned.xpath(xpath):
        parent = element.getparent()
        if parent is not None and element.tag not in ("html", "body", "main", "article"):
            parent.remove(element)
    return pruned


def _date(tree, url: str | None = None) -> str | None:
    # Only the page's markup and its address: htmldate's search of the running text would take
    # any date printed on the page (a comment's, a related article's), which is a guess.
    try:
        return htmldate.find_date(tree, extensive_search=False, original_date=True, url=url)
    except (ValueError, OverflowError, TypeError):
        # A date htmldate cannot take (a time zone offset of 80 hours, found by
        # fuzz/fuzz_from_page.py): no date found there, and the editor is asked for one.
        return None


def _text(tree, title: str | None) -> str:
    """The article's plain text: the headline, then one paragraph per line with a blank line
    between them. Comments, navigation, related articles and disclaimers are left out."""
    pruned = _without(tree, _DISCLAIMER)
    for paragraph in [p for p in pruned.iter("p")
                      if p.text_content().strip().lower().startswith("disclaimer")]:
        paragraph.getparent().remove(paragraph)
    extracted = trafilatura.extract(
        pruned, output_format="txt", include_comments=False, include_tables=True,
        include_images=False, include_links=False, include_formatting=False,
        favor_precision=True, deduplicate=False) or ""
    paragraphs = [" ".join(line.split()) for line in extracted.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    if title:
        paragraphs = [title] + paragraphs
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""
