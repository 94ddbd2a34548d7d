"""Validate stage's types: what editors write, as frozen pydantic models (no I/O here).

Each class is a declared schema: its fields' docstrings become the descriptions in
`site/data/schema.json` and in the field reference of `docs/editing.md`.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal
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

from .colours import SHAPES, colour_problem
from .when import WhenError, parse_when

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_ID_LENGTH = 80
"""An id names a folder under site/ (events/<id>/): short enough for any file system."""

WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})
"""Names Windows keeps for devices, with any extension and in any case: a file or folder so
named cannot be checked out there, and an id names a file (its record) and a folder (its page)."""


def device_name(name: str) -> bool:
    """Whether Windows reads the file or folder name `name` as a device."""
    return name.split(".", 1)[0].rstrip(" ").lower() in WINDOWS_DEVICES


def device_problem(text: str) -> str:
    return (f"'{text}' is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, "
            "LPT0-LPT9): a file or folder of that name cannot be checked out there; choose "
            f"another (e.g. '{text.split('.', 1)[0]}-1')")


def _not_a_device(text: str) -> str:
    if device_name(text):
        raise ValueError(f"{device_problem(text)}")
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=MAX_ID_LENGTH),
                 AfterValidator(_not_a_device)]


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


def _check_plain_date(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"{text!r} is not a plain date; write it as YYYY-MM-DD (e.g. 2026-12-05)")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the calendar; write a real day as "
                         "YYYY-MM-DD") from None
    return text


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
# A plain calendar date, YYYY-MM-DD: the day a record was published or corrected on the site.
PlainDate = Annotated[str, AfterValidator(_check_plain_date)]
# A date in the editors' form (see when.FORMS): 2016-12-10, 2016-12-10 evening, 2016-12-10T14:30,
# 2016-12, 2016, or a range of two joined by '/'; '~' in front marks it approximate. Each field
# keeps its own docstring as its description.
When = Annotated[str, AfterValidator(_check_when)]

MAX_WINDOW_DAYS = 92
"""The longest window: every page draws each of its days in full, in a column of its own, so
its length, not the events, would set every page's size and the build's time (a five-year
window made each event page 270 KB); the story's weeks are what it is for."""


def _check_window(text: str) -> str:
    interval = parse_when(_check_when(text), ZoneInfo("UTC"))
    days = (interval.last_day() - interval.first_day()).days + 1
    if days > MAX_WINDOW_DAYS:
        raise ValueError(
            f"the window is {days:,} days long, and at most {MAX_WINDOW_DAYS} are drawn: every "
            "page draws each day of the window in full, so a longer one would make every page "
            "larger and the build slower with no event more; give the weeks the story is about "
            "(events before and after it go to the timeline's 'before' and 'after' bands)")
    return text


Window = Annotated[str, AfterValidator(_check_window)]
# A site's published address: http(s), no spaces, ending in '/'.
BaseUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+/$"),
                    AfterValidator(_check_base_url)]


class Record(BaseModel):
    """Shared configuration: frozen, strict about unknown keys, docstrings as descriptions."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False
    )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its values and which were given: pydantic's own way restores each model
        # through a Python-level __setstate__, which is a third of the time a new process takes
        # to read the build cache's tens of thousands of models.
        return (_revive, (type(self), self.__dict__, self.__pydantic_fields_set__))


def _revive(cls: type[Record], values: dict[str, Any], given: set[str]) -> Record:
    """A model as `Record.__reduce__` pickled it (no extra keys and no private attributes:
    the configuration forbids the one, and no model has the other)."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", given)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


# --- site settings ---------------------------------------------------------------------------


HEDGES = ("appeared", "appears", "appear", "apparently", "reportedly", "allegedly", "alleged",
          "claims that", "claimed that", "claim that", "said to", "may", "might", "if",
          "possibly", "perhaps", "likely", "unconfirmed", "suggest", "suggests", "suspected",
          "believed to", "thought to", "seems", "seemed", "could", "would")
REPORTING_VERBS = ("said", "says", "say", "reported", "reports", "report", "told", "tells",
                   "according to", "announced", "stated", "claimed", "claims", "added", "adds",
                   "wrote", "writes", "quoted", "cited")
TITLE_HEDGES = ("report", "reports", "reported", "reportedly", "claim", "claims", "claimed",
                "says", "said", "according", "alleges", "alleged", "allegedly", "suspicion",
                "suggests", "asks", "accuses", "blames", "forecast", "forecasts", "questioned",
                "fears", "analysis", "view", "warns", "suggest")


class SiteSettings(Record):
    """The site's own settings, from `content/site.yaml`."""

    title: Text
    """The site's name, shown on every page and in feeds."""
    description: Text
    """One or two sentences on what the site covers, for the home page and search engines."""
    base_url: BaseUrl | None = None
    """The published address of the site's root, ending in '/' (e.g.
    https://<user>.github.io/<repository>/); canonical links, Open Graph and the sitemap start
    here. Optional: `--base-url` or the PARALLAX_BASE_URL environment variable take its place,
    and a site without one has no canonical links or sitemap."""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    """The language of the editors' text, as a BCP 47 tag (e.g. en, en-GB, fr)."""
    timezone: TimeZoneName
    """The IANA time zone the shared timeline is drawn in (e.g. Asia/Damascus)."""
    window: Window
    """The days the timeline shows in full, as a range of at most 92 days (e.g.
    2016-12-08/2016-12-12); events outside it go to the 'before' and 'after' bands."""
    window_note: Text | None = None
    """Why the timeline's days are not quite those the title names, shown under the
    timeline's heading (e.g. 'It runs to 12 December for the reports of that day')."""
    quote_max_words: Annotated[int, Field(ge=5, le=500)] = 50
    """The longest quote allowed, in words: cite with several short quotes, not one long one."""
    hedges: list[Text] = list(HEDGES)
    """Words that hedge a claim: a quote that leaves one of its sentence's out is listed by
    `check --snapshots` (English by default: appeared, reportedly, allegedly, claims that, ...)."""
    reporting_verbs: list[Text] = list(REPORTING_VERBS)
    """Verbs that credit a statement ('said', 'reported', 'told'): listed when a quote cuts
    them off, and time words beside one are read as dating the report."""
    title_hedges: list[Text] = list(TITLE_HEDGES)
    """Words that tell a title rests on one outlet or one relayed party ('Report', 'Claim',
    'says'); a one-account event's title needs one."""
    max_record_kb: Annotated[int, Field(ge=1, le=102400)] = 32
    """The largest record file read, in KB (credited.yaml may be 16 times this): far above
    any real record, and small enough that no record slows the build down by seconds."""
    feed_id: Annotated[str, StringConstraints(
        pattern=r"^tag:[a-z0-9.-]+\.[a-z]+,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+$",
        max_length=200)] | None = None
    """The site's tag URI (RFC 4151: tag:<domain you own>,<year>:<name>, e.g.
    tag:example.org,2026:palmyra), from which every feed entry's id is made, so the ids stay
    the same when the site's address changes. The feeds are written only when the site has
    this and an address."""
    corrections_max_chars: Annotated[int, Field(ge=20, le=5000)] = 300
    """The longest a correction's before, now and why may each be, in characters: a
    correction says what changed in a sentence or two; the page itself has the rest."""


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
    unnamed: bool = False
    """True for a party the articles describe but never name ('several accounts', 'unofficial
    reports'): its credit words need not hold a spelling."""
    note: str = ""
    """A short neutral description (who they are, as the articles describe them)."""


# --- corrections -------------------------------------------------------------------------------


class CorrectionKind(str, Enum):
    correction = "correction"
    clarification = "clarification"
    update = "update"


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Correction(Record):
    """One change made to a record after it was published, shown to readers with the record
    (newest first), on the corrections page and in the corrections feed."""

    date: PlainDate
    """The day the change was published on the site (YYYY-MM-DD); on or after the record's
    `added` date."""
    kind: CorrectionKind
    """correction (an error fixed: a wrong credit, a wrong time, a title that dropped a hedge, a
    quote not verbatim), clarification (wording made clearer, no fact or credit changed) or
    update (information added)."""
    account: Slug | None = None
    """Events only: the source id of the account the change concerns; an account the event
    has, unless `removed` is true. Leave out for a change to the event as a whole."""
    removed: bool = False
    """True when the change took the account named by `account` off the record."""
    field: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=40)] | None = None
    """What part changed, in a few words (e.g. title, summary, credit, time words, quote);
    at most 40 characters."""
    before: Short
    """What the page said before, in short (an outlet's words in quotation marks, exactly)."""
    now: Short
    """What it says now, in short."""
    why: Short
    """Why it changed."""

    @model_validator(mode="after")
    def _removed_names_an_account(self) -> Correction:
        if self.removed and self.account is None:
            raise ValueError("'removed: true' says an account was taken off the record; name "
                             "it with 'account: <source id>'")
        return self


Corrections = tuple[Correction, ...]
"""A record's corrections, oldest first (validate checks the order and the dates)."""


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


class LeftOut(Record):
    """A sentence of the snapshot that no quote needs to cover, and why."""

    text: Text
    """The sentence exactly as the snapshot gives it (as `check --coverage` lists it)."""
    why: Text
    """Why it is left out: e.g. 'page furniture: the comment box', 'no claim: a transition'."""


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
    left_out: tuple[LeftOut, ...] = ()
    """Sentences of the snapshot left out of every account on purpose (page furniture, or no
    claim in it), each by its exact text with the reason; `check --coverage` counts them as
    accounted for."""
    colour: str | None = None
    """The outlet's colour on the timelines: one of the palette's names (blue, orange, green,
    purple, ochre, magenta, slate, olive) or '#rrggbb' with at least 3:1 contrast against the
    page in the light and the dark scheme; left out, it is derived from the id (never from the
    order of the sources), so adding or removing a source changes no other outlet's colour."""
    shape: str | None = None
    """The outlet's mark: circle, square, triangle, diamond, down or bar; left out, it is
    derived from the id. Two outlets of one colour must differ in shape."""
    added: PlainDate | None = None
    """The day the source was first published on the site (YYYY-MM-DD)."""
    corrections: Corrections = ()
    """Every change made to this record after it was published, oldest first: {date, kind,
    field, before, now, why} (no account)."""

    @field_validator("colour", mode="after")
    @classmethod
    def _legible_colour(cls, value: str | None) -> str | None:
        problem = colour_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("shape", mode="after")
    @classmethod
    def _known_shape(cls, value: str | None) -> str | None:
        if value is not None and value not in SHAPES:
            raise ValueError(f"'{value}' is not a shape; write one of: {', '.join(SHAPES)}")
        return value

    @model_validator(mode="after")
    def _confirmed_at_its_address(self) -> SourceFrontMatter:
        if self.url is None:
            for name in ("outlet", "byline", "published"):
                if getattr(self.confidence, name).level is Level.confirmed:
                    raise ValueError(
                        f"confidence.{name} is 'confirmed', but the article's own address is "
                        "not known (url is left out): a fact is confirmed only when seen at "
                        "its own address with the same text; write {level: inferred, reason: "
                        "'<the clue>'} (a repost's address goes under copy_read)")
        return self

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


class Stance(str, Enum):
    reported = "reported"
    disputed = "disputed"


class Credit(Record):
    """One link of a chain: the party an article credits, with the article's own words that
    credit it, checked against the snapshot like a quote."""

    party: Slug | list[Slug]
    """The credited party's id in content/credited.yaml, or a list of ids for parties credited
    together for one statement ('according to Syrian government media, the ISIS media wing and
    a human rights monitor'); only the chain's last link may be a group."""
    credit: Text
    """The article's own words that credit the party, verbatim (e.g. 'As Reuters adds',
    'said Rami Abdel Rahman'; '…' joins pieces that follow in order in one paragraph). They
    stand in the quote's sentence or paragraph (for a figure, in the sentence holding its
    as_written) and hold one of the party's spellings."""
    identified: list[Text] = []
    """Where the article describes rather than names a party ('a human rights monitor'): the
    article's own words that identify it, verbatim, holding one of its spellings."""
    continues: Text | None = None
    """Only when the crediting words stand in an earlier paragraph that the quote's paragraph
    plainly continues (at most three paragraphs before): why (e.g. 'the passage after "Some
    other details from the Daily Beast:" is one indented block of The Daily Beast's text')."""

    @field_validator("party", mode="after")
    @classmethod
    def _group_shape(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            if len(value) < 2:
                raise ValueError(
                    f"a group of {len(value)}: a group names at least two parties credited "
                    "together; write a single party without brackets")
            if len(set(value)) != len(value):
                raise ValueError("a party is named twice in the group")
        return value

    @property
    def members(self) -> tuple[str, ...]:
        """The party, or each member of the group."""
        return tuple(self.party) if isinstance(self.party, list) else (self.party,)

    @property
    def is_group(self) -> bool:
        return isinstance(self.party, list)


class QuoteCheck(str, Enum):
    cut = "cut"
    relayed = "relayed"


class Attributed(Record):
    """Whose words a quote or figure is: the outlet's own voice, or a chain of credited parties."""

    via: list[Credit] | None = None
    """The chain the article gives, from the party the outlet names to the original claimant,
    each link with the article's words that credit it (e.g. [{party: cnn, credit: 'CNN reported
    on Monday that'}, {party: syrian-government-media, credit: 'according to "Syrian government
    media'}]). Leave out for the outlet's own voice: where the article credits nobody, there is
    no link."""
    stance: Stance = Stance.reported
    """The outlet's stance toward what it relays, where the article makes it plain: reported,
    or disputed (e.g. 'notwithstanding US claims that ...'). Only with via."""

    @field_validator("via", mode="before")
    @classmethod
    def _chain_shape(cls, value: object) -> object:
        if value is None or not isinstance(value, list):
            return value
        if not value:
            raise ValueError("the chain is empty: name at least one credited party, or leave "
                             "'via' out for the outlet's own voice")
        seen: set[str] = set()
        for n, link in enumerate(value):
            if isinstance(link, (str, list)):
                party = link if isinstance(link, str) else "[" + ", ".join(map(str, link)) + "]"
                raise ValueError(  # noqa: TRY004 - pydantic reports ValueError, not TypeError
                    f"link {n + 1} is a bare party id ({party}); give the article's own words "
                    f"that credit it, as {{party: {party}, credit: \"<the words, verbatim>\"}}")
            if not isinstance(link, dict):
                continue
            party = link.get("party")
            members = party if isinstance(party, list) else [party]
            if isinstance(party, list) and n != len(value) - 1:
                raise ValueError(
                    f"link {n + 1} is a group, but only the chain's last link may be a "
                    "group (parties credited together for one statement)")
            for member in members:
                if isinstance(member, str) and member in seen:
                    raise ValueError(f"'{member}' is named twice in one chain; a chain runs "
                                     "from the party the outlet names to the original claimant, "
                                     "each party once")
                if isinstance(member, str):
                    seen.add(member)
        return value

    @model_validator(mode="after")
    def _stance_needs_chain(self) -> Attributed:
        if self.stance is Stance.disputed and not self.via:
            raise ValueError("stance 'disputed' needs 'via': an outlet cannot dispute its own "
                             "voice; name whose claim it disputes")
        return self

    @property
    def parties(self) -> tuple[str, ...]:
        """Every party of the chain, in order, group members included."""
        return tuple(p for link in self.via or () for p in link.members)

    @property
    def claimants(self) -> tuple[str, ...]:
        """The original claimants: the last link, or each member of a final group."""
        return self.via[-1].members if self.via else ()

    @property
    def intermediaries(self) -> tuple[str, ...]:
        """The parties the statement passed through before reaching the outlet."""
        return tuple(link.party for link in (self.via or ())[:-1]
                     if isinstance(link.party, str))


QuoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]


class Quote(Attributed):
    """A verbatim quote, with whose words it is. A plain string is the outlet's own voice."""

    text: QuoteText
    """The words exactly as the article writes them. '…' joins pieces that appear in this order."""
    key: bool = False
    """True for the quote a timeline row shows for this account when opened (its key quote);
    at most one per account. Without it the account's first quote is its key quote."""
    checked: dict[QuoteCheck, Text] = {}
    """Findings of `check --snapshots` the editors checked and answer, each with the reason:
    'cut' (a hedge or attribution of the quote's sentence left out of it on purpose) and
    'relayed' (words outside the relayed quotation that are still the relayed party's, e.g.
    indirect speech)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, str):
            return {"text": value}
        if isinstance(value, dict) and len(value) == 1:
            (key, inner), = value.items()
            if key not in cls.model_fields:
                # An unquoted 'Police said: the bridge closed' is one quote, not a field.
                raise ValueError("YAML split this at ': ' and read it as a field; put the whole "
                                 f"text in quotes: \"{key}: {inner}\"")
        return value


class Figure(Attributed):
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

    @model_validator(mode="after")
    def _shape(self) -> Figure:
        if self.value is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either value, or low and/or high, not both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g}); swap them")
        return self


class Dates(str, Enum):
    event = "event"
    report = "report"


class CountedFrom(Record):
    """The date an account's time words count from, when it is not the article's own date."""

    date: When
    """The date the words count from (e.g. the date of another outlet's article being quoted)."""
    why: Text
    """Why this date: e.g. 'inside a quotation of The Daily Beast'."""


class TimeWords(Record):
    """One set of the article's own time words, and the quotes they date."""

    said: Text
    """The time words exactly as written (e.g. 'on Saturday'); they appear in a quote they date."""
    quotes: list[Annotated[int, Field(ge=1)]] = []
    """The numbers of the quotes these words date, counting the account's quotes from 1; leave
    out when the account has only this one set (it then dates every quote)."""
    counted_from: CountedFrom | None = None
    """When the words count from another date than the article's (e.g. a quoted outlet's)."""
    resolved_as: When | None = None
    """The time the words mean, given by the editors when the resolver cannot read them."""
    dates: Dates = Dates.event
    """What the words date: the event (the default), or a report of it ('CNN reported on
    Monday that ...'): words that date a report never place the event."""
    checked: Text | None = None
    """Words beside a reporting verb ('said on Sunday') are refused as dating the event unless
    this gives the reason they do (e.g. 'the verb reports the attack, not a statement')."""


class OutsideNote(Record):
    """What the editors know from outside the articles, kept apart from what they report."""

    text: Text
    """The note (Markdown is not used: plain text)."""
    source: Text
    """Where it comes from (a publication, record or reference the reader can look up)."""


class Account(Record):
    """One source's version of an event."""

    source: Slug
    """The id of the source (its file name in content/sources without '.md')."""
    quotes: Annotated[list[Quote], Field(min_length=1)]
    """Verbatim quotes from the article, each a string (the outlet's own voice) or
    {text, via, stance} when the article credits the passage to someone."""
    time_words: list[TimeWords] = []
    """The article's own time words for it, one set per expression, each naming the quotes it
    dates; leave out when the article gives none."""
    figures: list[Figure] = []
    """Every number this account gives, each with its own attribution."""
    note: str = ""
    """The editors' note on this account: e.g. where its time words are known to be wrong."""
    outside_note: OutsideNote | None = None
    """What the editors know from outside the articles about it, with its source; shown marked
    as such, never in the summary or the placement."""

    @property
    def parties(self) -> tuple[str, ...]:
        """Every party its quotes and figures name, in the order they first appear."""
        return tuple(dict.fromkeys(p for said in (*self.quotes, *self.figures)
                                   for p in said.parties))

    @property
    def said(self) -> str:
        """The time words that date the event, as one line for lists and tables (words that
        date a report of it are `report_said`)."""
        return "; ".join(t.said for t in self.time_words if t.dates is Dates.event)

    @property
    def key_quote(self) -> int:
        """The number (from 1) of its key quote: the one marked `key`, else the first."""
        return next((n for n, quote in enumerate(self.quotes, 1) if quote.key), 1)

    @property
    def report_said(self) -> str:
        """The time words that date a report of the event, as one line."""
        return "; ".join(t.said for t in self.time_words if t.dates is Dates.report)


class EventCheck(str, Enum):
    one_source = "one_source"
    title = "title"


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
    checked: dict[EventCheck, Text] = {}
    """Warnings the editors checked and answer, each with the reason: 'one_source' (only one
    source reports this event) and 'title' (a one-account title without a word such as
    'Report' or 'Claim' that says so)."""
    added: PlainDate | None = None
    """The day the event was first published on the site (YYYY-MM-DD): its date in the events
    feed. Optional, but an event without it is left out of the feed."""
    corrections: Corrections = ()
    """Every change made to this record after it was published, oldest first: {date, kind,
    account, removed, field, before, now, why}; the page shows them newest first."""

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
    lists: Literal["corrections"] | None = None
    """What the site lists below the page's text: 'corrections' makes it the corrections page
    (its text the site's corrections policy, then every correction on the site, newest
    first). At most one page."""


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
