"""Render stage helper: editors' Markdown → safe HTML (Python-Markdown, then nh3's allow-list).

The only module that knows Markdown and nh3. Links may only go to http, https, mailto or
relative addresses; anything else is reported to the editor, and whatever raw HTML gets past
Markdown is cut down to the allow-list below.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3

ALLOWED_SCHEMES = {"http", "https", "mailto"}

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Classes Python-Markdown's footnotes write, and the ones the templates style.
CLASSES = {"footnote", "footnote-ref", "footnote-backref", "note", "lead"}
ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "sup": {"id", "class"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{h: {"id"} for h in HEADINGS},
}

_md = markdown.Markdown(
    extensions=["extra", "sane_lists", "toc"],
    extension_configs={"toc": {"permalink": False}},
    output_format="html",
)


def link_is_allowed(address: str) -> bool:
    """http, https, mailto and relative addresses (no scheme) only."""
    cleaned = "".join(ch for ch in address if ch > " ").lower()
    scheme = urlsplit(cleaned).scheme
    return scheme == "" or scheme in ALLOWED_SCHEMES


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                self.addresses.append(value)


def bad_links(html: str) -> list[str]:
    """Addresses in `html` that are neither http(s), mailto nor relative."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return [a for a in parser.addresses if not link_is_allowed(a)]


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if c in CLASSES]
        return " ".join(kept) or None
    if tag == "img" and attribute == "src" and urlsplit(value).scheme:
        return None  # images from other hosts would be a request leaving the site
    return value


def convert(text: str) -> tuple[str, list[str]]:
    """Markdown → (HTML that is safe to put in a page as is, the disallowed link addresses)."""
    _md.reset()
    raw = _md.convert(text)
    return sanitize(raw), bad_links(raw)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
