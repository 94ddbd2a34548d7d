"""Validate stage's types: what editors write, as frozen pydantic models (no I/O here).

Each class is a declared schema: its fields' docstrings become the descriptions in
`site/data/schema.json` and in the field reference of `docs/editing.md`.
"""

from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from .when import WhenError, parse_when

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_ID_LENGTH = 80
"""An id names a folder under site/ (events/<id>/): short enough for any file system."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=MAX_ID_LENGTH)]


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_timezone(name: str) -> str:
    # Only the zones' own names: a folder of them ('America'), a path or a file that is not a
    # zone would otherwise reach the time-zone files themselves.
    try:
        if name not in _zone_names():
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        last = name.lower().split("/")[-1]
        close = [z for z in sorted(_zone_names()) if last and z.lower().endswith(last)]
        hint = f" (did you mean {close[0]}?)" if close else " (e.g. Asia/Damascus, America/New_York, UTC)"
        shown = name if len(name) <= 60 else name[:57] + "..."
        raise ValueError(f"unknown time zone {shown!r}; use an IANA name{hint}") from None
    return name


def _check_when(text: str) -> str:
    try:
        parse_when(text, ZoneInfo("UTC"))
    except WhenError as error:
        raise ValueError(str(error)) from None
    return text


def _check_base_url(url: str) -> str:
    """The site's address, checked part by part and written one way (scheme and host in lower
    case): every canonical link, and the 404 page's links, start with it."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = path.split("/")[1:-1]
    if not parts.hostname or parts.netloc.startswith(("[", ":")) and "]" not in parts.netloc:
        raise ValueError(f"{url!r} has no host name after '//'")
    if "@" in parts.netloc:
        raise ValueError(f"{url!r} holds a user name or password (before '@'); leave it out")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(f"{url!r} has a '?' or '#' part; the site's address ends with its "
                         "folder and '/'")
    if "\\" in url:
        raise ValueError(f"{url!r} holds a backslash; write '/' between the parts")
    if any(segment in ("", ".", "..") for segment in segments):
        fixed = "/".join(s for s in segments if s not in ("", ".", ".."))
        suggestion = f"{parts.scheme}://{parts.netloc}/" + (fixed + "/" if fixed else "")
        raise ValueError(
            f"{url!r} has an empty, '.' or '..' part in its path (as in '//'), which would "
            f"send the 404 page's links to another address; write {suggestion!r}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
# A date in the editors' form (see when.FORMS): 2016-12-10, 2016-12-10 evening, 2016-12-10T14:30,
# 2016-12, 2016, or a range of two joined by '/'; '~' in front marks it approximate. Each field
# keeps its own docstring as its description.
When = Annotated[str, AfterValidator(_check_when)]


class Record(BaseModel):
    """Shared configuration: frozen, strict about unknown keys, docstrings as descriptions."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False
    )


# --- site settings ---------------------------------------------------------------------------


class SiteSettings(Record):
    """The site's own settings, from `content/site.yaml`."""

    title: Text
    """The site's name, shown on every page and in feeds."""
    description: Text
    """One or two sentences on what the site covers, for the home page and search engines."""
    base_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+/$"),
                        AfterValidator(_check_base_url)]
    """The published address of the site's root, ending in '/'; canonical links start here."""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    """The language of the editors' text, as a BCP 47 tag (e.g. en, en-GB, fr)."""
    timezone: TimeZoneName
    """The IANA time zone the shared timeline is drawn in (e.g. Asia/Damascus)."""
    window: When
    """The days the timeline shows in full, as a range (e.g. 2016-12-08/2016-12-12); events
    outside it go to the 'before' and 'after' bands."""
    quote_max_words: Annotated[int, Field(ge=5, le=500)] = 50
    """The longest quote allowed, in words: cite with several short quotes, not one long one."""
    max_record_kb: Annotated[int, Field(ge=1, le=102400)] = 32
    """The largest record file read, in KB (credited.yaml may be 16 times this): far above
    any real record, and small enough that no record slows the build down by seconds."""


# --- credited parties --------------------------------------------------------------------------


class PartyKind(str, Enum):
    organisation = "organisation"
    person = "person"
    outlet = "outlet"
    other = "other"


class Party(Record):
    """An organisation or person an article credits for a claim (`content/credited.yaml`)."""

    name: Text
    """The name the site shows."""
    kind: PartyKind
    """organisation, person, outlet (a news organisation), or other (e.g. 'unofficial reports')."""
    spellings: list[Text] = []
    """Every spelling of the name as it appears in the articles, for readers and searching."""
    part_of: Slug | None = None
    """The id of the organisation this person or body belongs to, if any."""
    note: str = ""
    """A short neutral description (who they are, as the articles describe them)."""


# --- sources -----------------------------------------------------------------------------------


class Level(str, Enum):
    confirmed = "confirmed"
    inferred = "inferred"
    unknown = "unknown"


class Confidence(Record):
    """How well a fact about an article is established."""

    level: Level
    """confirmed (seen at its address with the same text), inferred (reasoned from clues), or
    unknown (not established)."""
    reason: str = ""
    """Why: required for 'inferred' (the clue it is reasoned from); optional otherwise."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, str):
            return {"level": value}
        return value

    @model_validator(mode="after")
    def _reason_for_inferred(self) -> Confidence:
        if self.level is Level.inferred and not self.reason.strip():
            raise ValueError("'inferred' needs a reason: write {level: inferred, reason: '...'}")
        return self


class SourceConfidence(Record):
    """The confidence of each fact about an article."""

    outlet: Confidence
    """How sure the outlet is."""
    byline: Confidence
    """How sure the byline is (unknown when no byline is given)."""
    published: Confidence
    """How sure the publication date is."""
    url: Confidence
    """How sure the address is (unknown when no address is given)."""


class Copy(Record):
    """Where the text Parallax quotes was read, when it is a repost of the original."""

    site: Text
    """The site that reposted the article (e.g. centinel2012.com)."""
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    """The repost's address."""
    published: When | None = None
    """The repost's date."""
    confidence: Confidence
    """How sure it is that the text is this repost."""


class SourceFrontMatter(Record):
    """One article: one outlet's piece (`content/sources/*.md`). The body is the editors' note."""

    outlet: Text
    """The outlet that wrote the article (not a site that reposted it)."""
    title: Text
    """The article's headline as published."""
    byline: Text | None = None
    """Who wrote it, as printed; leave out when not known."""
    published: When
    """The date (or time) the original was published, in its own time zone; a range
    (2016-12-11/2016-12-12) when only known within it. Time words count from it."""
    timezone: TimeZoneName | None = None
    """The IANA time zone the outlet published in; leave out when not known."""
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    """The original article's address; leave out when not known."""
    copy_read: Copy | None = None
    """Set when the text quoted is a repost: where it was read."""
    snapshot: Annotated[str, StringConstraints(pattern=r"^[^/\\]+$")] | None = None
    """The file name of the plain-text snapshot that `check --snapshots DIR` checks quotes against."""
    confidence: SourceConfidence
    """The confidence of each fact above."""

    @model_validator(mode="after")
    def _unknown_stays_unknown(self) -> SourceFrontMatter:
        for name in ("byline", "url"):
            value, level = getattr(self, name), getattr(self.confidence, name).level
            if value is None and level is not Level.unknown:
                raise ValueError(
                    f"{name} is not given, so confidence.{name} must be 'unknown' (it is '{level.value}')"
                )
            if value is not None and level is Level.unknown:
                raise ValueError(
                    f"confidence.{name} is 'unknown', so leave {name} out: the site never shows a guess"
                )
        return self


class Source(SourceFrontMatter):
    """A validated article record, with what its file adds."""

    id: Slug
    """The file name without '.md'; accounts name their source by it."""
    body: str = ""
    """The editors' note (Markdown)."""


# --- events ------------------------------------------------------------------------------------


class Figure(Record):
    """A number the article gives, so outlets can be compared topic by topic."""

    topic: Text
    """What is counted, in the same words across events (e.g. 'Islamic State fighters in the attack')."""
    value: float | None = None
    """The number, when the article gives one number."""
    low: float | None = None
    """The lower bound, when the article gives a range or 'more than'."""
    high: float | None = None
    """The upper bound, when the article gives a range or 'as many as'."""
    as_written: Text
    """The words exactly as the article writes them (e.g. 'more than 4,000 fighters')."""
    credited_to: Slug | None = None
    """The credited party this number comes from, when not the account's first credited party."""

    @model_validator(mode="after")
    def _shape(self) -> Figure:
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either value, or low and/or high, not both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g}); swap them")
        return self


class CountedFrom(Record):
    """The date an account's time words count from, when it is not the article's own date."""

    date: When
    """The date the words count from (e.g. the date of another outlet's article being quoted)."""
    why: Text
    """Why this date: e.g. 'inside a quotation of The Daily Beast'."""


Quote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class Account(Record):
    """One source's version of an event."""

    source: Slug
    """The id of the source (its file name in content/sources without '.md')."""
    quotes: Annotated[list[Quote], Field(min_length=1)]
    """Verbatim quotes from the article. '…' joins pieces that appear in this order."""
    said_when: Text | None = None
    """The article's own time words for it, exactly as written (e.g. 'on Saturday'); leave out
    when the article gives none."""
    counted_from: CountedFrom | None = None
    """When the time words count from another date than the article's (e.g. a quoted outlet's)."""
    resolved_as: When | None = None
    """The time the words mean, given by the editors when the resolver cannot read them."""
    credits: list[Slug] = []
    """Whom the article credits for it, by id in content/credited.yaml, in the order the article
    names them (e.g. [cnn, syrian-government-media]); empty when the outlet says it in its own
    voice."""
    figures: list[Figure] = []
    """Every number this account gives."""
    note: str = ""
    """The editors' note on this account: e.g. where its time words are known to be wrong."""


class Event(Record):
    """One happening on the shared timeline (`content/events/*.md`). The body is the editors'
    neutral summary."""

    title: Text
    """A short neutral title."""
    when: When
    """When it happened as the editors place it."""
    place: Text | None = None
    """Where it happened (e.g. Palmyra)."""
    context: bool = False
    """True for earlier or later events the articles give as background; the timeline sets them
    apart."""
    tags: list[Slug] = []
    """Lower-case words to group events (e.g. air-strikes)."""
    accounts: Annotated[list[Account], Field(min_length=1)]
    """One per source that reports it."""
    reported_by_one: bool = False
    """True when the editors checked that only one source reports this event (silences the
    warning about an event with a single account)."""

    @field_validator("accounts")
    @classmethod
    def _one_account_per_source(cls, accounts: list[Account]) -> list[Account]:
        seen: set[str] = set()
        for account in accounts:
            if account.source in seen:
                raise ValueError(
                    f"two accounts from source '{account.source}': merge their quotes into one account"
                )
            seen.add(account.source)
        return accounts


class EventRecord(Event):
    """A validated event record, with what its file adds."""

    id: Slug
    """The file name without '.md'."""
    body: str = ""
    """The editors' summary (Markdown)."""


# --- pages -------------------------------------------------------------------------------------


class PageFrontMatter(Record):
    """A plain page such as 'About' (`content/pages/*.md`)."""

    title: Text
    """The page's title."""
    slug: Slug | None = None
    """The page's address under the site root; the file name when left out."""
    menu: Annotated[int, Field(ge=0)] | None = None
    """Its place in the site menu (0 first); leave out to keep it out of the menu."""


class Page(PageFrontMatter):
    """A validated page."""

    id: Slug
    """The file name without '.md'."""
    body: str = ""
    """The page's text (Markdown)."""


KIND_MODELS: dict[str, type[Record]] = {
    "source": SourceFrontMatter,
    "event": Event,
    "page": PageFrontMatter,
    "site": SiteSettings,
    "party": Party,
}

Kind = Literal["source", "event", "page", "site", "party"]
