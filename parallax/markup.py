"""Render stage helper: editors' Markdown → safe HTML (Python-Markdown, then nh3's allow-list).

The only module that knows Markdown and nh3. Links may only go to http, https, mailto or
relative addresses, and images only to the site's own files; anything else is reported to the
editor (see `address_problems`), and whatever raw HTML gets past Markdown is cut down to the
allow-list below.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode

ALLOWED_SCHEMES = {"http", "https", "mailto"}

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Classes Python-Markdown's footnotes write, and the ones the stylesheet offers for editors'
# text. Any other class could dress editors' text up as the site's own furniture.
CLASSES = {"footnote", "footnote-ref", "footnote-backref", "note", "lead"}
ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "sup": {"id", "class"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    **{h: {"id"} for h in HEADINGS},
}
# Headings in editors' text get ids with this prefix, so that a heading such as "Accounts" can
# never take an id the templates use on the same page (e.g. id="accounts").
HEADING_ID_PREFIX = "section-"
# Python-Markdown's footnotes: <li id="fn:1">, <sup id="fnref:1">.
FOOTNOTE_ID_PREFIXES = ("fn:", "fnref:")


def _heading_id(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


# Python-Markdown's "extra" (its seven extensions, in its order), "sane_lists" and "toc", given
# as instances: named, each would be looked up among every installed package's entry points
# (about 30 ms of every process's start).
_md = markdown.Markdown(
    extensions=[FencedCodeExtension(), FootnoteExtension(), AttrListExtension(),
                DefListExtension(), TableExtension(), AbbrExtension(), MarkdownInHtmlExtension(),
                SaneListExtension(), TocExtension(permalink=False, slugify=_heading_id)],
    output_format="html",
)


def _cleaned(address: str) -> str:
    """The address as a browser reads it: control characters and whitespace anywhere in it are
    ignored ('java\\tscript:'), and a backslash counts as a slash ('\\\\host' is '//host')."""
    return "".join(ch for ch in address if ch > " " and ch != "\x7f").replace("\\", "/").lower()


def link_is_allowed(address: str) -> bool:
    """http, https, mailto and relative addresses (no scheme) only."""
    scheme = urlsplit(_cleaned(address)).scheme
    return scheme == "" or scheme in ALLOWED_SCHEMES


def image_is_allowed(address: str) -> bool:
    """Only the site's own files: an image from anywhere else is a request leaving the site."""
    parts = urlsplit(_cleaned(address))
    return not parts.scheme and not parts.netloc


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if tag == "img" and name == "src":
                self.images.append(value)
            elif name in ("href", "src", "action", "formaction", "xlink:href", "data", "poster"):
                self.links.append(value)


def _addresses(html: str) -> _Addresses:
    parser = _Addresses()
    parser.feed(html)
    parser.close()
    return parser


def _bad_links(found: _Addresses) -> list[str]:
    return [a for a in found.links + found.images if not link_is_allowed(a)]


def address_problems(text: str) -> list[tuple[str, str]]:
    """(address, what is wrong) for every link or image in the Markdown `text` that the site
    will not publish; or why the text is not read at all."""
    refused = body_problem(text)
    if refused:
        return [refused]
    found = _read(text)[1]
    problems = []
    for address in found.links:
        if not link_is_allowed(address):
            problems.append((address, (
                f"the link address {address!r} is not allowed; links may only be http, https, "
                "mailto or relative addresses")))
    for address in found.images:
        if not image_is_allowed(address):
            problems.append((address, (
                f"the image address {address!r} is not allowed; images must be files of this "
                "site, given by a relative address (readers' browsers never fetch anything "
                "from elsewhere)")))
    return problems


_OTHER_SCHEMES = {"javascript", "vbscript", "data", "file", "ftp", "blob", "filesystem", "about",
                  "ws", "wss", "tel", "sms", "intent", "jar"}


def quiet_changes(text: str) -> list[tuple[str, str]]:
    """(address, what happened) for every link or image that the sanitizer's reading of the
    HTML finds but the address check did not: hidden from the check in a construct a browser
    reads differently (`<!--> <a href=...>`). The sanitizer has kept it safe; the editor should
    still know that the text does not say what it seems to.

    A text with neither '<' nor '&' holds no HTML and no character reference of its own:
    every tag and reference in its HTML is one Markdown wrote, with its text and attributes
    escaped, which every reader of HTML reads alike; such a text is not read a second time
    (0.3 ms of the 2.9 ms that reading a record costs). ('&' counts: a reference the text
    writes in an address, such as '&notit;' or '&#1;', is read one way by the check and another
    by browsers.)"""
    if body_problem(text) or not ("<" in text or "&" in text):
        return []
    return _hidden_addresses(text)


def _hidden_addresses(text: str) -> list[tuple[str, str]]:
    """`quiet_changes`, found by reading the HTML twice whatever the text holds."""
    raw, found = _read(text)
    seen = set(found.links) | set(found.images)
    # The sanitizer's own reading of the HTML, keeping addresses of every scheme it would
    # otherwise drop unseen: never published, only compared with what the check saw.
    shown = _addresses(nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES,
                                 url_schemes=ALLOWED_SCHEMES | _OTHER_SCHEMES,
                                 strip_comments=True))
    return [(address, (
        f"the address {address!r} is hidden from Parallax's check in markup that browsers read "
        "differently (such as '<!-->'); write the link plainly, or remove it"))
        for address in dict.fromkeys(shown.links + shown.images) if address not in seen]


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if c in CLASSES]
        return " ".join(kept) or None
    if attribute == "id":
        if tag in HEADINGS:
            return value if value.startswith(HEADING_ID_PREFIX) else HEADING_ID_PREFIX + value
        return value if value.startswith(FOOTNOTE_ID_PREFIXES) else None
    if tag == "img" and attribute == "src" and not image_is_allowed(value):
        return None
    return value


MAX_OPEN = 64
"""Brackets in one paragraph that Markdown would scan ahead from: nested `[`, and `[`, `(` or
`<` never closed. Python-Markdown's time grows with the square of their number (4,000 `[`
take seconds); no real paragraph has more than a few."""
MAX_INLINE = 64
"""`[` brackets (links, images, references, footnotes) and code spans (pairs of backtick runs)
in one paragraph. Python-Markdown's inline pass rescans a paragraph for each one it
replaces, so its time grows with the square of their number; how fast depends on the release
(3.11.4: 1,000 links in one paragraph take 2.3 s, 3.11.3 0.03 s; 3.8 to 3.10: 1,000 code spans
0.5 s). At 64, a 32 KB body of the worst such paragraphs takes at most 0.71 s on every
release from 3.5 to 3.11.4 (docs/contributing.md, "Locked dependencies"); real paragraphs have a few."""
MAX_MARKS = 256
"""Inline marks of any kind in one paragraph: `[`, backtick runs, backslash escapes (with the
character escaped), runs of `*` or `_`, `<` and `&`. Before 3.11 every inline match costs a rescan of the paragraph, so even
escapes crawl (8,000 `\\*` in one paragraph: 13.7 s on 3.8); at 256, under 0.5 s."""
MAX_PREFIX = 120
"""The widest nesting a line may open with (indentation, '>' and list markers): a list
nested 400 deep overflows Python-Markdown; real text nests a few levels."""
MAX_FOOTNOTES = 100
"""Footnote references ('[^'): each reference to one note costs a pass over all the others."""
MAX_HEADINGS = 300
"""Headings: each new heading's id is checked against all the others."""
_PREFIX = re.compile(r"(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])*")


@lru_cache(maxsize=8)
def body_problem(text: str) -> tuple[str, str] | None:
    """(the line, why) when the Markdown `text` would take Python-Markdown too long, or nest
    too deep for it: such text is refused before Markdown sees it. (Asked of each body three
    times in turn, by the address check, the reading and the sanitizer's check: the last few
    answers are kept.)"""
    headings = 0
    for line in text.split("\n"):
        prefix = _PREFIX.match(line).group().replace("\t", "    ")
        if len(prefix) > MAX_PREFIX:
            return line, (f"this line is nested {len(prefix)} characters deep (indentation, "
                          f"'>' or list markers); at most {MAX_PREFIX} are read: a list or "
                          "quotation this deep would make the build fail or crawl")
        if line.startswith("#"):
            headings += 1
            if headings > MAX_HEADINGS:
                return line, (f"more than {MAX_HEADINGS} headings; split the text into "
                              "several pages")
    if text.count("[^") > MAX_FOOTNOTES:
        at = text.find("[^")
        for _ in range(MAX_FOOTNOTES):
            at = text.find("[^", at + 1)
        return _line_at(text, at), (f"more than {MAX_FOOTNOTES} footnote references; "
                                    "Markdown's time grows with the square of their number: "
                                    "cite fewer notes, or split the text into several pages")
    return _brackets(text)


def _line_at(text: str, index: int) -> str:
    return text[text.rfind("\n", 0, index) + 1:].split("\n", 1)[0]


_BACKTICKS = re.compile(r"`+")
_OPENING = re.compile(r"(?<!\\)(?:\\\\)*\[")
"""A `[` that opens: after no backslash, or an even run of them (each pair an escaped one)."""
_MARKS = re.compile(r"\\.|`+|[*_]+|[\[<&]")


_BRACKET_MARKS = re.compile(r"\\.|[\[\]()<>]", re.DOTALL)
"""What `_brackets` counts: an escape (a backslash and the character it escapes, which then
counts for nothing), or a bracket. Every other character is skipped by the expression engine,
not looked at one by one in Python (which cost a cold build at 4,000 events a second of
processor time per thousand bodies)."""
_CLOSES = {")": "(", ">": "<"}


def _open_brackets(paragraph: str) -> tuple[int, str, str] | None:
    """(where, which bracket, 'nested' or 'left open') at the first bracket past MAX_OPEN
    nested `[`, or past MAX_OPEN of one kind not closed yet; None when there is none."""
    depth = deepest = 0
    unclosed = {"[": 0, "(": 0, "<": 0}
    for found in _BRACKET_MARKS.finditer(paragraph):
        char = found.group()
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
            if unclosed[_CLOSES[char]]:
                unclosed[_CLOSES[char]] -= 1
        else:
            continue  # an escape
        if deepest > MAX_OPEN:
            return found.start(), "[", "nested"
        if max(unclosed.values()) > MAX_OPEN:
            return found.start(), max(unclosed, key=lambda k: unclosed[k]), "left open"
    return None


def _brackets(text: str) -> tuple[str, str] | None:
    for paragraph_start, paragraph in _paragraphs(text):
        over = _open_brackets(paragraph)
        if over is not None:
            index, which, how = over
            return _line_at(text, paragraph_start + index), (
                f"more than {MAX_OPEN} '{which}' brackets {how} in one paragraph; "
                "Markdown's time grows with the square of their number, so this text "
                f"is not read: close the brackets, or write \\{which} for one that is "
                "only text")
        inline = len(_OPENING.findall(paragraph)) + len(_BACKTICKS.findall(paragraph)) // 2
        if inline > MAX_INLINE:
            return _line_at(text, paragraph_start + _inline_end(paragraph)), (
                f"{inline} '[' brackets and code spans in one paragraph, over the {MAX_INLINE} "
                "read (a link or image takes one, a reference link two); Markdown's time "
                "grows with the square of their number, so this text is not read: split the "
                "paragraph with a blank line, or write \\[ for a bracket that is only text")
        marks = _MARKS.findall(paragraph)
        if len(marks) > MAX_MARKS:
            at = [m.start() for m in _MARKS.finditer(paragraph)][MAX_MARKS]
            return _line_at(text, paragraph_start + at), (
                f"{len(marks)} marks of inline Markdown in one paragraph (links, code, "
                "emphasis, escapes, tags, entities: [ ` * _ \\ < &), over the "
                f"{MAX_MARKS} read; Markdown's time grows with the square of their number, "
                "so this text is not read: split the paragraph with a blank line")
    return None


def _inline_end(paragraph: str) -> int:
    """The offset in `paragraph` of the inline piece past the MAX_INLINE-th: where the
    message points."""
    pieces = sorted([m.end() - 1 for m in _OPENING.finditer(paragraph)]
                    + [m.start() for m in _BACKTICKS.finditer(paragraph)][1::2])
    return pieces[min(MAX_INLINE, len(pieces) - 1)]


def _paragraphs(text: str):
    """(offset, text) of each run of lines between blank lines."""
    offset = 0
    for part in re.split(r"(\n[ \t]*\n)", text):
        if part.strip():
            yield offset, part
        offset += len(part)


# Cached: validation checks every body's addresses, and rendering converts the same bodies;
# both read the one conversion and the one pass over its HTML.
@cache
def _read(text: str) -> tuple[str, _Addresses]:
    """The Markdown `text` as HTML (not sanitized yet), with the addresses in it; nothing for a
    text `body_problem` refuses (validation reports it). Each text's reading is kept until
    `forget_readings`: `address_problems` and `quiet_changes` are asked of every body as it is
    validated, and `convert` as its page is rendered (neither changes what it is given)."""
    if body_problem(text):
        return "", _Addresses()
    _md.reset()
    raw = _md.convert(text)
    return raw, _addresses(raw)


def forget_readings() -> None:
    """Drop the bodies' readings kept since the last call (the build engine calls this as each
    run ends: a long `serve` would otherwise keep one for every text each save made)."""
    _read.cache_clear()


def convert(text: str) -> tuple[str, list[str]]:
    """Markdown → (HTML that is safe to put in a page as is, the disallowed link addresses)."""
    raw, found = _read(text)
    return below_title(sanitize(raw)), _bad_links(found)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def below_title(html: str) -> str:
    """Every page's title is its one h1: a text that uses '# Heading' has each of its
    headings moved one level down (h1 → h2 ... h5 → h6), keeping their order."""
    if not re.search(r"<h1\b", html):
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)


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
