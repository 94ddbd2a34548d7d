"""Resolve stage: `Content` → `Timeline` (every event and account placed in the site's time zone).

Each account is placed where its own source puts it: its time words resolved against the
article's date (or the date it counts from), or the editors' `resolved_as`; an account with no
time words is placed at the editors' placement of its event and marked so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from .errors import ContentError, Problem
from .load import Loc
from .models import Account, Dates, EventRecord, Page, Party, SiteSettings, Source, TimeWords
from .timewords import Resolution, resolve_words
from .validate import Content
from .when import Interval, WhenError, parse_when


@dataclass(frozen=True)
class Dating:
    """One set of an account's time words, resolved."""

    words: TimeWords
    quotes: tuple[int, ...]
    """The quotes (numbered from 1) these words date."""
    time: Interval
    basis: str
    """'words' (resolved from the words) or 'resolved_as' (the editors' reading)."""
    explanation: str


@dataclass(frozen=True)
class PlacedAccount:
    """An account with the time its source gives it."""

    id: str
    """'<event id>--<source id>': stable across builds."""
    event_id: str
    account: Account
    time: Interval
    """Where this account goes on the timeline, in the site's time zone."""
    basis: str
    """'words' (resolved from its time words), 'resolved_as' (every set given by the editors),
    or 'event' (no time words: placed at the event's placement)."""
    explanation: str
    """For readers: how the words were read."""
    differs: bool
    """True when this time does not overlap the editors' placement of the event."""
    datings: tuple[Dating, ...] = ()
    """Each set of time words resolved on its own; `time` is the span covering them all."""


@dataclass(frozen=True)
class TimingDifference:
    event_id: str
    account_id: str
    source_id: str
    message: str


@dataclass(frozen=True)
class PlacedEvent:
    event: EventRecord
    placement: Interval
    band: str
    """'before', 'window' or 'after': where the timeline shows it."""
    accounts: tuple[PlacedAccount, ...]
    silent_sources: tuple[str, ...]
    """Ids of the sources that do not mention this event."""
    differences: tuple[TimingDifference, ...]
    id: str = field(init=False, repr=False, compare=False)
    """The event's id (asked for hundreds of thousands of times in a large site's build)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.event.id)


@dataclass(frozen=True)
class Timeline:
    """The content placed in time: what the render stage draws."""

    site: SiteSettings
    tz: ZoneInfo
    window: Interval
    days: tuple[date, ...]
    sources: tuple[Source, ...]
    source_dates: dict[str, Interval]
    """Each source's publication date as the reference its time words count from."""
    events: tuple[PlacedEvent, ...]
    """Chronological: by placement start, then end, then id."""
    pages: tuple[Page, ...]
    parties: dict[str, Party]
    warnings: tuple[Problem, ...]

    def event(self, event_id: str) -> PlacedEvent:
        return next(e for e in self.events if e.id == event_id)


def article_zone(source: Source, site_tz: ZoneInfo) -> ZoneInfo:
    return ZoneInfo(source.timezone) if source.timezone else site_tz


Words = Callable[[str, Interval, ZoneInfo], Resolution]
"""(time words, the date they count from, the site's zone) → what they mean."""


@dataclass(frozen=True)
class Around:
    """What placing one event reads besides the event itself."""

    tz: ZoneInfo
    window: Interval
    sources: tuple[Source, ...]
    source_dates: dict[str, Interval]


Misplaced = tuple[tuple[Loc, str], ...]
"""Where in an event its time words could not be read, and why."""
Place = Callable[[EventRecord, Around], "PlacedEvent | Misplaced"]


def place_event(event: EventRecord, around: Around, words: Words | None = None,
                ) -> PlacedEvent | Misplaced:
    """One event placed in time with its accounts, or what stops it being placed."""
    words = words or resolve_words
    tz = around.tz
    sources = {s.id: s for s in around.sources}
    problems: list[tuple[Loc, str]] = []
    placement = parse_when(event.when, tz)
    accounts = []
    for a, account in enumerate(event.accounts):
        datings = []
        for t, said in enumerate(account.time_words):
            try:
                datings.append(_date_words(said, len(account.quotes), sources[account.source],
                                           around.source_dates, tz, words))
            except WhenError as error:
                problems.append((("accounts", a, "time_words", t, "said"), str(error)))
        if len(datings) == len(account.time_words):
            accounts.append(_place_account(event, account, placement, tuple(datings)))
    if problems:
        return tuple(problems)
    order = {s.id: i for i, s in enumerate(around.sources)}
    accounts.sort(key=lambda p: order[p.account.source])
    cited = {p.account.source for p in accounts}
    return PlacedEvent(
        event=event,
        placement=placement,
        band=_band(placement, around.window, event.context),
        accounts=tuple(accounts),
        silent_sources=tuple(s.id for s in around.sources if s.id not in cited),
        differences=_differences(event, placement, accounts, sources),
    )


def resolve_timeline(content: Content, place: Place | None = None) -> Timeline:
    """`place` places one event (default `place_event`; the engine passes one that remembers
    its earlier placings)."""
    place = place or place_event
    site = content.site
    tz = ZoneInfo(site.timezone)
    window = parse_when(site.window, tz)
    source_dates = {s.id: parse_when(s.published, article_zone(s, tz)) for s in content.sources}
    around = Around(tz, window, content.sources, source_dates)
    problems: list[Problem] = []
    placed: list[PlacedEvent] = []

    for event in content.events:
        result = place(event, around)
        if isinstance(result, PlacedEvent):
            placed.append(result)
        else:
            problems.extend(content.problem("event", event.id, loc, message)
                            for loc, message in result)
    if problems:
        raise ContentError(problems)

    placed.sort(key=lambda e: (e.placement.start, e.placement.end, e.id))
    first, last = window.first_day(), window.last_day()
    days = tuple(first + timedelta(days=n) for n in range((last - first).days + 1))
    return Timeline(
        site=site, tz=tz, window=window, days=days, sources=content.sources,
        source_dates=source_dates, events=tuple(placed), pages=content.pages,
        parties=content.parties, warnings=content.warnings,
    )


def _date_words(words: TimeWords, quote_count: int, source: Source,
                source_dates: dict[str, Interval], tz: ZoneInfo, resolve: Words) -> Dating:
    quotes = tuple(words.quotes) or tuple(range(1, quote_count + 1))
    if words.resolved_as:
        time = parse_when(words.resolved_as, tz)
        return Dating(words, quotes, time, "resolved_as",
                      f"'{words.said}', read by the editors as {time.describe()}")
    if words.counted_from:
        reference = parse_when(words.counted_from.date, article_zone(source, tz))
    else:
        reference = source_dates[source.id]
    resolution = resolve(words.said, reference, tz)
    explanation = resolution.explanation
    if words.counted_from:
        explanation += f" ({words.counted_from.why})"
    return Dating(words, quotes, resolution.interval, "words", explanation)


def _place_account(event, account, placement, datings: tuple[Dating, ...]) -> PlacedAccount:
    account_id = f"{event.id}--{account.source}"
    # Words that date a report of the event ('CNN reported on Monday') never place it.
    placing = [d for d in datings if d.words.dates is Dates.event]
    reports = "".join(f"; '{d.words.said}' dates the report, {d.time.describe()}, not the event"
                      for d in datings if d.words.dates is Dates.report)
    if not placing:
        time, basis = placement, "event"
        none = "no time words for the event" if reports else "no time words"
        explanation = f"{none}; shown at the editors' placement, {placement.describe()}{reports}"
    else:
        time = placing[0].time
        for dating in placing[1:]:
            time = time.hull(dating.time)
        basis = "resolved_as" if all(d.basis == "resolved_as" for d in placing) else "words"
        explanation = "; ".join(d.explanation for d in placing)
        if len(placing) > 1:
            explanation += f"; the account spans them all, {time.describe()}"
        explanation += reports
    differs = basis != "event" and not time.overlaps(placement)
    return PlacedAccount(account_id, event.id, account, time, basis, explanation, differs, datings)


def _band(placement: Interval, window: Interval, context: bool) -> str:
    """Context events go to the band on their side of the window even when they reach into it."""
    if placement.end <= window.start or (context and placement.start < window.start):
        return "before"
    if placement.start >= window.end or (context and placement.end > window.end):
        return "after"
    return "window"


def _differences(event, placement, accounts, sources) -> tuple[TimingDifference, ...]:
    out: list[TimingDifference] = []
    for placed in accounts:
        if placed.basis == "event":
            continue
        outlet = sources[placed.account.source].outlet
        if placed.differs:
            out.append(TimingDifference(event.id, placed.id, placed.account.source, (
                f"{outlet} puts it at {placed.time.describe()}; the editors place it at "
                f"{placement.describe()}"
            )))
        for other in accounts:
            if other.basis == "event" or other.account.source <= placed.account.source:
                continue
            if not placed.time.overlaps(other.time):
                out.append(TimingDifference(event.id, placed.id, placed.account.source, (
                    f"{outlet} puts it at {placed.time.describe()}; "
                    f"{sources[other.account.source].outlet} at {other.time.describe()}"
                )))
    return tuple(out)
