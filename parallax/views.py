"""Render stage helper: `Timeline` → what the reader-facing pages show (lanes, tables, links).

Pure data, no Jinja and no HTML: the shared timeline laid out on a grid of quarter days (so
the browser only draws it), figures compared topic by topic, which source covers which event,
whom each source credits, and links into the articles themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil, floor, log1p, log10, sqrt
from typing import Any
from urllib.parse import quote

from . import colours
from .models import Account, Attributed, Correction, Dates, Figure, Party, Quote, Source, Stance
from .resolve import Dating, PlacedAccount, PlacedEvent, Timeline
from .when import Interval, Precision

# The four parts a day is split into on the timeline, with their first hour.
QUARTERS = (("night", 0), ("morning", 6), ("afternoon", 12), ("evening", 18))
QUARTER_HOURS = 6
# Columns a label needs to be read: one day. A shorter time still shows at its true width
# (the bar); its title runs on to the right, and stacking keeps it clear of the next one.
LABEL_COLUMNS = 4
# Width of the 'before' and 'after' bands, in the same columns as the days.
BAND_COLUMNS = 4
# A band of the home page lists its accounts while every lane's band holds at most this many;
# past that, the bands show months instead, each a link to a timeline page of its own, so the
# home page stays the same size whatever the number of events.
BAND_LIMIT = 60
# An index (events, a source's accounts, a party's claims, the timing differences and the
# coverage table) longer than this is split into one page per year.
LIST_LIMIT = 300
# Figures listed in one cell of the differences table before it links on to the years.
FIGURES_PER_CELL = 5
# A timeline page's rows open in place (each outlet's key quote, on whose word, its time words)
# while it has at most this many rows; past that, as on a month of a newsroom-sized site, they
# lead to the event pages only, and the marks' names leave out the quotes, so the page keeps
# within its size budget.
OPEN_LIMIT = 300


# --- the shared timeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """The timeline's columns: 'before', four per day of the window (one on a month's page),
    'after'.

    Numbered as CSS grid lines from 1: the axis counts all of them; a lane's list of accounts
    within the window counts from the window's first quarter.
    """

    days: tuple[date, ...]
    per_day: int = len(QUARTERS)
    """Columns per day: a quarter day each on the home page, a whole day on a month's page."""

    @property
    def quarters(self) -> int:
        """Columns within the window."""
        return len(self.days) * self.per_day

    @property
    def first_quarter(self) -> int:
        """The axis line where the window's first quarter starts."""
        return 1 + BAND_COLUMNS

    @property
    def after_line(self) -> int:
        return self.first_quarter + self.quarters

    @property
    def columns(self) -> int:
        return BAND_COLUMNS + self.quarters + BAND_COLUMNS

    def quarter_index(self, moment: datetime, *, end: bool = False) -> int:
        """Columns from the window's first midnight to `moment` (wall clock in the site's zone);
        an end is rounded up, so the column covers it."""
        days = (moment.date() - self.days[0]).days
        minutes = moment.hour * 60 + moment.minute + (moment.second > 0 or moment.microsecond > 0)
        step = 24 * 60 // self.per_day
        within = ceil(minutes / step) if end else minutes // step
        return days * self.per_day + within


@dataclass(frozen=True)
class Slot:
    """Where an account sits in its lane: band, grid lines and sub-row."""

    band: str
    """'before', 'window' or 'after'."""
    column: int
    """The grid line its box starts at, counted from the window's first quarter (1)."""
    span: int
    """How many columns its box covers (its time, widened to LABEL_COLUMNS for the title)."""
    bar_column: int
    """Where its time bar starts, counted inside its box (1 = the box's first column)."""
    bar_span: int
    """How many columns its time covers."""
    starts_earlier: bool
    """Its time begins before the window (cut at the window's edge)."""
    ends_later: bool
    """Its time runs on after the window."""
    row: int = 1
    """Its sub-row among the lane's accounts within the window, from 1, so that no two boxes
    overlap; a band lists its accounts one under the other."""


@dataclass(frozen=True)
class Mark:
    """Why a placement is uncertain (or worth a look), shown as a sign and said in words."""

    name: str
    sign: str
    words: str


MARKS = {
    "approximate": Mark("approximate", "≈", "approximate"),
    "wide": Mark("wide", "↔", "only known within a span of days, a month or a year"),
    "undated": Mark("undated", "?", "no time words; shown at the editors' date"),
    "differs": Mark("differs", "≠", "differs from the editors' date"),
}

WIDE = {
    Precision.days: "only known within a span of days",
    Precision.month: "only known to the month",
    Precision.year: "only known to the year",
}


def marks_of(placed: PlacedAccount) -> tuple[Mark, ...]:
    """The marks of an account's placement, in a fixed order."""
    found = []
    if placed.time.approximate:
        found.append(MARKS["approximate"])
    if placed.time.precision.rank >= Precision.days.rank:
        found.append(Mark("wide", MARKS["wide"].sign, WIDE[placed.time.precision]))
    if placed.basis == "event":
        found.append(MARKS["undated"])
    if placed.differs:
        found.append(MARKS["differs"])
    return tuple(found)


@dataclass(frozen=True)
class LaneItem:
    """One account in its source's lane."""

    placed: PlacedAccount
    event: PlacedEvent
    slot: Slot
    marks: tuple[Mark, ...]

    @property
    def uncertain(self) -> bool:
        return any(m.name in ("approximate", "wide", "undated") for m in self.marks)


@dataclass(frozen=True)
class Lane:
    """One source's version of the story: its accounts in the order of its own times."""

    source: Source
    reference: Interval
    """The article's date, which its time words count from."""
    items: tuple[LaneItem, ...]
    rows: int
    """How many sub-rows its accounts within the window need (at least 1)."""

    def band(self, name: str) -> tuple[LaneItem, ...]:
        return tuple(item for item in self.items if item.slot.band == name)


@dataclass(frozen=True)
class Layout:
    grid: Grid
    lanes: tuple[Lane, ...]
    rows: int
    """The most sub-rows any lane needs."""


def slot_for(time: Interval, grid: Grid, window: Interval) -> Slot:
    """Where a time goes: a band when it is outside the window, or coarser than days and not
    within it (a month fits a month's page), else the columns it covers (cut at the window's
    edges)."""
    coarse = (time.precision in (Precision.month, Precision.year)
              and not (window.start <= time.start and time.end <= window.end))
    if time.end <= window.start or (coarse and time.start < window.start):
        return Slot("before", 1, BAND_COLUMNS, 1, BAND_COLUMNS, False, False)
    if time.start >= window.end or coarse:
        return Slot("after", 1, BAND_COLUMNS, 1, BAND_COLUMNS, False, False)
    first = grid.quarter_index(time.start)
    last = grid.quarter_index(time.end, end=True)
    starts_earlier, ends_later = first < 0, last > grid.quarters
    first, last = max(first, 0), min(last, grid.quarters)
    last = max(last, first + 1)
    span = max(last - first, LABEL_COLUMNS)
    box = min(first, grid.quarters - span) if span <= grid.quarters else 0
    span = min(span, grid.quarters)
    return Slot("window", 1 + box, span, first - box + 1, last - first,
                starts_earlier, ends_later)


def stack(slots: list[Slot]) -> list[Slot]:
    """Give each window slot, in order, the first sub-row where it overlaps nothing placed
    before. Band slots keep row 1: a band is a plain list beside the window's rows."""
    rows: list[list[tuple[int, int]]] = []
    out = []
    for slot in slots:
        if slot.band != "window":
            out.append(slot)
            continue
        begin, end = slot.column, slot.column + slot.span
        for index, taken in enumerate(rows):
            if all(end <= a or b <= begin for a, b in taken):
                taken.append((begin, end))
                break
        else:
            index = len(rows)
            rows.append([(begin, end)])
        out.append(Slot(**{**slot.__dict__, "row": index + 1}))
    return out


Told = list[tuple[PlacedEvent, PlacedAccount]]


def told_by(timeline: Timeline) -> dict[str, Told]:
    """Each source's accounts in the order of its own times (ties: the events' order)."""
    told: dict[str, Told] = {s.id: [] for s in timeline.sources}
    for event in timeline.events:
        for placed in event.accounts:
            told[placed.account.source].append((event, placed))
    order = {e.id: n for n, e in enumerate(timeline.events)}
    for accounts in told.values():
        accounts.sort(key=lambda pair: (pair[1].time.start, pair[1].time.end, order[pair[0].id]))
    return told


def layout(timeline: Timeline, told_by_source: dict[str, Told],
           window: Interval | None = None, per_day: int = len(QUARTERS)) -> Layout:
    """Every source's lane, each account in the columns its own source's time gives it; the
    days shown are the site's window unless another is given (a month's page)."""
    window = (window or timeline.window).astimezone(timeline.tz)
    first, last = window.first_day(), window.last_day()
    grid = Grid(tuple(first + timedelta(days=n) for n in range((last - first).days + 1)), per_day)
    lanes = []
    for source in timeline.sources:
        told = told_by_source[source.id]
        slots = stack([slot_for(a.time.astimezone(timeline.tz), grid, window) for _, a in told])
        items = tuple(LaneItem(a, e, slot, marks_of(a)) for (e, a), slot in zip(told, slots))
        lanes.append(Lane(source, timeline.source_dates[source.id], items,
                          max((s.row for s in slots if s.band == "window"), default=1)))
    return Layout(grid, tuple(lanes), max((lane.rows for lane in lanes), default=1))


# --- the comparison: one row per event ------------------------------------------------------------

# Each outlet is told apart by a colour and a shape (never colour alone), set in its source
# record or derived from its id (parallax.colours): never from its place among the sources.
SHAPES = colours.SHAPES
COLOURS = len(colours.PALETTE)
# A row gives each outlet a track this many pixels tall, in the sources' order, and is at
# least ROW_PX tall.
TRACK_PX = 8
ROW_PX = 40
# The narrowest a mark is drawn, as a share of the axis (an instant still shows).
MIN_WIDTH = 0.4


@dataclass(frozen=True)
class Outlet:
    """A source as the comparison draws it: its track, colour and shape."""

    source: Source
    number: int
    """From 1, in the sources' order: its track in every row and its class (o1, o2...)."""

    @property
    def look(self) -> tuple[str, str]:
        """(colour, shape name): as its record sets them, the rest derived from its id."""
        return colours.look(self.source.id, self.source.colour, self.source.shape)

    @property
    def shape(self) -> int:
        """Which of SHAPES marks it, from 1 (the symbol #s1 … #s6)."""
        return SHAPES.index(self.shape_name) + 1

    @property
    def shape_name(self) -> str:
        return self.look[1]

    @property
    def colour(self) -> str:
        """A palette name or '#rrggbb'."""
        return self.look[0]

    @property
    def css_colour(self) -> str:
        """Its colour as the stylesheet writes it (the palette's variable, or the hex)."""
        return colours.css_colour(self.colour)

    @property
    def top(self) -> int:
        """Its track's top edge in a row, in pixels."""
        return (self.number - 1) * TRACK_PX


def outlets_of(timeline: Timeline) -> tuple[Outlet, ...]:
    return tuple(Outlet(source, n) for n, source in enumerate(timeline.sources, 1))


def _at(x: float) -> str:
    """A position or width on a timeline's axis, as a percentage to three decimals."""
    return f"{x:.3f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Span:
    """Where an interval is drawn across an axis, as percentages of its width."""

    left: float
    width: float
    cut_start: bool
    """It begins before the axis' first day (drawn from the edge)."""
    cut_end: bool
    """It runs on after the axis' last day."""

    @property
    def x(self) -> str:
        return _at(self.left)

    @property
    def w(self) -> str:
        return _at(self.width)

    @property
    def outside(self) -> str | None:
        """'before' or 'after' when the whole interval lies off the axis (drawn at its edge)."""
        if self.cut_start and self.left == 0 and self.width <= MIN_WIDTH and not self.cut_end:
            return "before"
        if self.cut_end and self.left + self.width >= 100 and not self.cut_start \
                and self.width <= MIN_WIDTH:
            return "after"
        return None


@dataclass(frozen=True)
class Axis:
    """Days across the width, each the same width (wall-clock days in the site's zone)."""

    days: tuple[date, ...]
    parts: tuple[tuple[str, int], ...]
    """The parts each day is divided into, with their first hour (none on a month's page)."""

    def position(self, moment: datetime) -> float:
        """Percent of the width from the first day's midnight to `moment` (local wall clock)."""
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        days = (moment.date() - self.days[0]).days + seconds / 86400
        return 100 * days / len(self.days)

    def span(self, interval: Interval, tz) -> Span:
        local = interval.astimezone(tz)
        start, end = self.position(local.start), self.position(local.end)
        cut_start, cut_end = start < 0, end > 100
        start, end = min(max(start, 0.0), 100.0), min(max(end, 0.0), 100.0)
        width = max(end - start, MIN_WIDTH)
        start = min(start, 100 - width)
        return Span(round(start, 3), round(width, 3), cut_start, cut_end)


@dataclass(frozen=True)
class Published:
    """An article's publication time or day, where it falls on the axis: a time is one tick on
    its outlet's track, a day (or days) two ticks, at its start and its end."""

    time: Interval
    left: float
    """Percent of the axis' width."""
    width: float = 0.0
    """Percent of the axis' width: 0 for a time of day."""

    @property
    def x(self) -> str:
        return _at(self.left)

    @property
    def x2(self) -> str:
        return _at(self.left + self.width)


@dataclass(frozen=True)
class RowMark:
    """One account in its event's row, at the time its own outlet gives."""

    outlet: Outlet
    placed: PlacedAccount
    span: Span
    published: Published | None = None
    """Where its article's publication time or day falls on the axis (None off the axis)."""
    article: Interval | None = None
    """Its article's publication date or time, on the axis or not."""

    @property
    def key(self) -> Quote:
        """The quote that stands for the account when its row is opened."""
        account = self.placed.account
        return account.quotes[account.key_quote - 1]

    @property
    def event_datings(self) -> tuple[Dating, ...]:
        """Its time words that date the event (what place the mark)."""
        return tuple(d for d in self.placed.datings if d.words.dates is Dates.event)

    @property
    def report_datings(self) -> tuple[Dating, ...]:
        """Its time words that date a report of the event, never the event itself."""
        return tuple(d for d in self.placed.datings if d.words.dates is Dates.report)

    @property
    def own_words(self) -> bool:
        """False when the article gives no time words for it (drawn hollow, at the editors' date)."""
        return self.placed.basis != "event"

    @property
    def words(self) -> str | None:
        """The article's own time words for it."""
        return self.placed.account.said or None

    @property
    def y(self) -> int:
        return self.outlet.top


@dataclass(frozen=True)
class Row:
    """An event across the axis: the editors' date behind, each outlet's account on its track."""

    event: PlacedEvent
    placement: Span
    marks: tuple[RowMark, ...]
    absent: tuple[Outlet, ...]
    """The outlets that do not mention it."""


@dataclass(frozen=True)
class RowDay:
    """A day of the axis and the rows whose editors' date starts on it."""

    day: date
    rows: tuple[Row, ...]

    @property
    def id(self) -> str:
        return f"day-{self.day.isoformat()}"

    @property
    def label(self) -> str:
        return day_label(self.day)


@dataclass(frozen=True)
class Comparison:
    """What a timeline page draws: its axis, the outlets, and the events' rows day by day."""

    axis: Axis
    outlets: tuple[Outlet, ...]
    days: tuple[RowDay, ...]
    height: int
    """Every row's height in pixels: a track per outlet, at least ROW_PX."""
    parties: dict[str, Party] = field(compare=False, hash=False)
    """The credited parties, by id: whose words each opened row's quotes are."""
    published: bool = False
    """Whether any row marks an article's publication time."""

    @property
    def rows(self) -> int:
        return sum(len(day.rows) for day in self.days)

    @property
    def opens(self) -> bool:
        """Whether its rows open in place to show the accounts' words (OPEN_LIMIT)."""
        return self.rows <= OPEN_LIMIT


def comparison(timeline: Timeline, events: list[PlacedEvent], window: Interval,
               parts: bool = True) -> Comparison:
    """One row per event on the days of `window` (the site's window, or a month); each row
    under the day its editors' date starts on (the first day when it starts earlier)."""
    window = window.astimezone(timeline.tz)
    first, last = window.first_day(), window.last_day()
    axis = Axis(tuple(first + timedelta(days=n) for n in range((last - first).days + 1)),
                QUARTERS if parts else ())
    outlets = outlets_of(timeline)
    by_id = {o.source.id: o for o in outlets}
    published = {o.source.id: publication(timeline, o.source, axis) for o in outlets}
    groups: dict[date, list[Row]] = {}
    for event in events:
        marks = tuple(RowMark(by_id[a.account.source], a, axis.span(a.time, timeline.tz),
                              published[a.account.source],
                              timeline.source_dates[a.account.source])
                      for a in event.accounts)
        absent = tuple(by_id[s] for s in event.silent_sources)
        day = max(event.placement.start.astimezone(timeline.tz).date(), first)
        groups.setdefault(min(day, last), []).append(
            Row(event, axis.span(event.placement, timeline.tz), marks, absent))
    days = tuple(RowDay(day, tuple(rows)) for day, rows in sorted(groups.items()))
    shown = {m.outlet.source.id for day in days for row in day.rows for m in row.marks}
    return Comparison(axis, outlets, days, max(ROW_PX, TRACK_PX * len(outlets)),
                      timeline.parties, any(published[s] for s in shown))


def publication(timeline: Timeline, source: Source, axis: Axis) -> Published | None:
    """Where a source's article was published on the axis: a time of day as a point, a date (or
    dates) as the stretch of the axis it covers; None when it falls off the axis' days."""
    time = timeline.source_dates[source.id]
    if time.precision is Precision.time:
        left = axis.position(time.start.astimezone(timeline.tz))
        return Published(time, round(left, 3)) if 0 <= left <= 100 else None
    start = axis.position(time.start.astimezone(timeline.tz))
    end = axis.position(time.end.astimezone(timeline.tz))
    if end <= 0 or start >= 100:
        return None
    start, end = max(start, 0.0), min(end, 100.0)
    return Published(time, round(start, 3), round(end - start, 3))


@dataclass(frozen=True)
class StripMark:
    event: PlacedEvent
    left: float
    width: float
    track: int

    @property
    def x(self) -> str:
        return f"{self.left:.2f}%"

    @property
    def w(self) -> str:
        return f"{self.width:.2f}%"


@dataclass(frozen=True)
class Strip:
    """The events before (or after) the window on a compact axis whose scale shrinks with the
    distance from the window (a week, a month and a year apart each get room)."""

    band: str
    marks: tuple[StripMark, ...]
    ticks: tuple[tuple[float, str], ...]
    """(percent, label) along the axis."""
    tracks: int

    @property
    def first(self) -> PlacedEvent:
        return min((m.event for m in self.marks), key=lambda e: e.placement.start)

    @property
    def last(self) -> PlacedEvent:
        return max((m.event for m in self.marks), key=lambda e: e.placement.start)


# Ticks of a context strip: days from the window's edge, with their labels.
STRIP_TICKS = ((7, "a week"), (30, "a month"), (365, "a year"), (5 * 365, "5 years"),
               (10 * 365, "10 years"), (50 * 365, "50 years"))
STRIP_MIN = 0.8


def strip(timeline: Timeline, band: str) -> Strip | None:
    """The context events of a band on a logarithmic axis of days from the window's edge: the
    axis runs from the farthest event (left, before the window) to the window's edge, or from
    the edge to the farthest (after)."""
    events = [e for e in timeline.events if e.band == band]
    if not events:
        return None
    window = timeline.window
    before = band == "before"

    def distance(moment: datetime) -> float:
        days = ((window.start - moment) if before else (moment - window.end)).total_seconds() / 86400
        return max(days, 0.0)

    far = max(distance(e.placement.start if before else e.placement.end) for e in events)
    scale = log1p(max(far, 1.0))

    def position(moment: datetime) -> float:
        share = 100 * log1p(distance(moment)) / scale
        return 100 - share if before else share

    tracks: list[float] = []
    marks = []
    for event in sorted(events, key=lambda e: (e.placement.start, e.placement.end, e.id)):
        a, b = sorted((position(event.placement.start), position(event.placement.end)))
        b = max(b, a + STRIP_MIN)
        if b > 100:
            a, b = 100 - (b - a), 100.0
        for track, end in enumerate(tracks):
            if end <= a:
                tracks[track] = b
                break
        else:
            track = len(tracks)
            tracks.append(b)
        marks.append(StripMark(event, round(a, 2), round(b - a, 2), track))
    ticks = tuple((round(position(window.start - timedelta(days=d) if before
                                  else window.end + timedelta(days=d)), 2), label)
                  for d, label in STRIP_TICKS if d <= far)
    return Strip(band, tuple(marks), ticks, len(tracks))


@dataclass(frozen=True)
class Day:
    """A day of the window with the events the editors place on it (for the list view)."""

    label: str
    events: tuple[PlacedEvent, ...]
    band: str = "window"
    """'before' and 'after' gather the events outside the window under one heading each."""


def events_by_day(timeline: Timeline) -> list[Day]:
    """Every event, in order, under 'Before', each day it starts on, and 'After'."""
    groups: dict[tuple[int, date | None], list[PlacedEvent]] = {}
    for placed in timeline.events:
        if placed.band == "window":
            start = max(placed.placement.start.astimezone(timeline.tz), timeline.window.start)
            key: tuple[int, date | None] = (1, start.date())
        else:
            key = (0 if placed.band == "before" else 2, None)
        groups.setdefault(key, []).append(placed)
    window = timeline.window.describe()
    days = []
    for (band, day), events in sorted(groups.items(),
                                      key=lambda kv: (kv[0][0], kv[0][1] or date.min)):
        if day is not None:
            days.append(Day(day_label(day), tuple(events)))
        else:
            name = "before" if band == 0 else "after"
            days.append(Day(f"{name.capitalize()} {window}", tuple(events), name))
    return days


def day_label(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def days_of(events: list[PlacedEvent], timeline: Timeline) -> list[Day]:
    """Events under each day their editors' date starts on (the list of one year), in order."""
    groups: dict[date, list[PlacedEvent]] = {}
    for placed in events:
        groups.setdefault(placed.placement.start.astimezone(timeline.tz).date(), []).append(placed)
    return [Day(day_label(day), tuple(found)) for day, found in sorted(groups.items())]


def short_time(interval: Interval) -> str:
    """A compact label for a table cell: 'Sat 10 Dec', 'Sat 10 Dec, evening', '8–9 Dec'; a
    month or a year keeps its year ('May 2015')."""
    text = interval.describe()
    if interval.precision.rank > Precision.days.rank:
        return text
    for year in sorted({str(interval.start.year), str(interval.end.year)}):
        text = text.replace(f" {year}", "")
    return text


# --- links into the articles ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleLink:
    """Where a reader can read an account's words in the article itself."""

    href: str | None
    """The address (with a text fragment pointing at the quote), or None when unknown."""
    repost: str | None = None
    """The site of the repost it goes to, when the original's address is unknown."""
    address: str | None = None
    """The address without the text fragment (what a printed page shows)."""


FRAGMENT_WORDS = 8


def text_fragment(quote_text: str) -> str:
    """`#:~:text=` + the quote's first words, so browsers scroll to and mark them."""
    first = quote_text.split("…")[0].split("...")[0].strip().strip("\"'“”‘’")
    words = " ".join(first.split()[:FRAGMENT_WORDS])
    # '-', ',' and '&' have meanings in a text directive, so they are encoded as well.
    encoded = quote(words, safe="").replace("-", "%2D")
    return f"#:~:text={encoded}" if encoded else ""


def article_link(source: Source, quote_text: str | None = None) -> ArticleLink:
    """The original's address when known, else the repost's (named), else unknown."""
    fragment = text_fragment(quote_text) if quote_text else ""
    if source.url:
        return ArticleLink(source.url + fragment, address=source.url)
    if source.copy_read and source.copy_read.url:
        url = source.copy_read.url
        return ArticleLink(url + fragment, repost=source.copy_read.site, address=url)
    return ArticleLink(None)


# --- attribution ---------------------------------------------------------------------------------


def top_party(parties: dict[str, Party], party_id: str) -> str:
    """The organisation a party counts as: followed up its `part_of` links (a person counts as
    the body they speak for)."""
    seen = {party_id}
    while parties[party_id].part_of and parties[party_id].part_of not in seen:
        party_id = parties[party_id].part_of
        seen.add(party_id)
    return party_id


@dataclass(frozen=True)
class Origin:
    """An independent original claimant: a credited party (counted as the body it is part of),
    or an outlet speaking in its own voice."""

    kind: str
    """'party' or 'outlet'."""
    id: str
    """The party's id, or the source's id for an outlet's own voice."""
    name: str
    outlets: tuple[str, ...]
    """The sources through which its statements reach the reader, in the sources' order."""
    statements: int
    """How many quotes and figures rest on it."""


def origin_keys(said: Attributed, source_id: str,
                parties: dict[str, Party]) -> tuple[tuple[str, str], ...]:
    """Whom a quote or figure rests on: each original claimant, or the outlet itself."""
    if not said.via:
        return (("outlet", source_id),)
    return tuple(dict.fromkeys(("party", top_party(parties, c)) for c in said.claimants))


def statements(account: Account) -> tuple[Attributed, ...]:
    return (*account.quotes, *account.figures)


def event_origins(timeline: Timeline, event: PlacedEvent) -> tuple[Origin, ...]:
    """The distinct original claimants behind an event's quotes and figures, most outlets first."""
    return _origins(timeline, [(placed.account.source, said) for placed in event.accounts
                               for said in statements(placed.account)])


def _origins(timeline: Timeline, said_by: list[tuple[str, Attributed]]) -> tuple[Origin, ...]:
    sources = {s.id: s for s in timeline.sources}
    order = {s.id: i for i, s in enumerate(timeline.sources)}
    outlets: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for source_id, said in said_by:
        for key in origin_keys(said, source_id, timeline.parties):
            outlets.setdefault(key, set()).add(source_id)
            counts[key] += 1
    found = []
    for (kind, key_id), through in outlets.items():
        name = timeline.parties[key_id].name if kind == "party" else sources[key_id].outlet
        found.append(Origin(kind, key_id, name, tuple(sorted(through, key=order.__getitem__)),
                            counts[(kind, key_id)]))
    return tuple(sorted(found, key=lambda o: (-len(o.outlets), -o.statements, o.name, o.id)))


@dataclass(frozen=True)
class OriginPath:
    """One way an original claimant's statements reach an outlet: through these parties."""

    origin: Origin
    source: Source
    intermediaries: tuple[str, ...]
    statements: int
    events: tuple[str, ...]
    """The ids of the events these statements belong to, in the timeline's order."""


def origin_paths(timeline: Timeline) -> tuple[tuple[Origin, ...], tuple[OriginPath, ...]]:
    """For the whole site: every original claimant, and each path from it to an outlet."""
    said_by = [(placed.account.source, said) for event in timeline.events
               for placed in event.accounts for said in statements(placed.account)]
    origins = _origins(timeline, said_by)
    by_key = {(o.kind, o.id): o for o in origins}
    sources = {s.id: s for s in timeline.sources}
    order = {s.id: i for i, s in enumerate(timeline.sources)}
    paths: dict[tuple, list] = {}
    for event in timeline.events:
        for placed in event.accounts:
            source_id = placed.account.source
            for said in statements(placed.account):
                for key in origin_keys(said, source_id, timeline.parties):
                    entry = paths.setdefault((key, source_id, said.intermediaries), [0, []])
                    entry[0] += 1
                    if event.id not in entry[1]:
                        entry[1].append(event.id)
    out = [OriginPath(by_key[key], sources[source_id], via, n, tuple(events))
           for (key, source_id, via), (n, events) in paths.items()]
    rank = {(o.kind, o.id): i for i, o in enumerate(origins)}
    out.sort(key=lambda p: (rank[(p.origin.kind, p.origin.id)], order[p.source.id],
                            p.intermediaries))
    return origins, tuple(out)


@dataclass(frozen=True)
class MatrixCell:
    """What one original claimant gives one outlet: how many statements, and by which ways."""

    statements: int
    ways: tuple[tuple[tuple[str, ...], int], ...]
    """Each chain of parties the statements pass through (none: directly), with how many take
    it; most first."""
    share: float
    """The bar drawn beside it, from 0 to 1: the square root of its statements as a share of
    the fullest cell's, so that cells of a few statements still tell apart."""

    @property
    def bar(self) -> str:
        """The bar's width, as a percentage of the widest."""
        return _percent(max(self.share * 100, 2.0))


@dataclass(frozen=True)
class MatrixRow:
    origin: Origin
    cells: tuple[MatrixCell | None, ...]
    """One per source, in the sources' order; None where none of its statements reach it."""


@dataclass(frozen=True)
class OriginsMatrix:
    """Who feeds whom: the original claimants (rows) by the outlets (columns)."""

    sources: tuple[Source, ...]
    rows: tuple[MatrixRow, ...]

    @property
    def claimants(self) -> tuple[int, ...]:
        """How many original claimants each outlet's statements rest on, its own voice one."""
        return tuple(sum(1 for row in self.rows if row.cells[n] is not None)
                     for n in range(len(self.sources)))


def origins_matrix(timeline: Timeline, origins: tuple[Origin, ...],
                   paths: tuple[OriginPath, ...]) -> OriginsMatrix:
    """The paths gathered per claimant and outlet: each cell counts the statements that reach
    the outlet from the claimant, and says through whom, so no party stands for all the rest."""
    column = {s.id: n for n, s in enumerate(timeline.sources)}
    ways: dict[tuple[str, str], list[list]] = {}
    for path in paths:
        ways.setdefault((path.origin.kind, path.origin.id), [[] for _ in timeline.sources])[
            column[path.source.id]].append((path.intermediaries, path.statements))
    most = max((sum(n for _, n in cell) for cells in ways.values() for cell in cells), default=1)
    rows = []
    for origin in origins:
        cells = []
        for found in ways.get((origin.kind, origin.id), [[] for _ in timeline.sources]):
            total = sum(n for _, n in found)
            ordered = sorted(found, key=lambda w: (-w[1], len(w[0]), w[0]))
            cells.append(MatrixCell(total, tuple(ordered), round(sqrt(total / most), 3))
                         if found else None)
        rows.append(MatrixRow(origin, tuple(cells)))
    return OriginsMatrix(timeline.sources, tuple(rows))


def credits_of(timeline: Timeline, told: Told) -> list[tuple[str, Party, int]]:
    """The parties a source credits, with how many of its accounts credit each (most first)."""
    counts: Counter[str] = Counter()
    for _, placed in told:
        counts.update({p for said in statements(placed.account) for p in said.parties})
    parties = timeline.parties
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], parties[kv[0]].name, kv[0]))
    return [(p, parties[p], n) for p, n in ranked]


@dataclass(frozen=True)
class Claim:
    """An account's quotes and figures that name a credited party, first-hand or relayed."""

    event: PlacedEvent
    placed: PlacedAccount
    source: Source
    first_hand: bool
    """True when the party is an original claimant of these statements (the chain's last link,
    or a member of its final group); False when it only relayed them."""
    quotes: tuple[Quote, ...]
    figures: tuple[Figure, ...]


def claims_by_party(timeline: Timeline) -> dict[str, list[Claim]]:
    """For each party, every account naming it in a chain, split into what it said first-hand
    and what it only relayed, in the timeline's order."""
    sources = {s.id: s for s in timeline.sources}
    claims: dict[str, list[Claim]] = {party_id: [] for party_id in timeline.parties}
    for event in timeline.events:
        for placed in event.accounts:
            account = placed.account
            found: dict[tuple[str, bool], tuple[list, list]] = {}
            for said in statements(account):
                for party_id in said.parties:
                    entry = found.setdefault((party_id, party_id in said.claimants), ([], []))
                    (entry[0] if isinstance(said, Quote) else entry[1]).append(said)
            source = sources[account.source]
            for (party_id, first_hand), (quotes, figures) in found.items():
                claims[party_id].append(Claim(event, placed, source, first_hand,
                                              tuple(quotes), tuple(figures)))
    return claims


def relayed_by(timeline: Timeline, claims: list[Claim]) -> list[tuple[Source, int]]:
    """The outlets carrying a party's claims, in the sources' order, with how many accounts each."""
    counts = Counter(c.source.id for c in claims)
    return [(s, counts[s.id]) for s in timeline.sources if counts[s.id]]


def party_counts(claims: dict[str, list[Claim]]) -> dict[str, tuple[int, int]]:
    """For each party: how many accounts name it, by how many outlets."""
    return {p: (len({c.placed.id for c in found}), len({c.source.id for c in found}))
            for p, found in claims.items()}


# --- where the accounts differ -------------------------------------------------------------------


@dataclass(frozen=True)
class FigureMention:
    event: PlacedEvent
    placed: PlacedAccount
    figure: Figure


@dataclass(frozen=True)
class FigureRow:
    """One figure topic across the sources: each source's figures for it (maybe none)."""

    topic: str
    cells: tuple[tuple[FigureMention, ...], ...]
    """One per source, in the sources' order."""


def figure_rows(timeline: Timeline, events: list[PlacedEvent] | None = None) -> list[FigureRow]:
    """Every figure topic (of the given events, else of all): first those several sources give
    (the comparisons), then the rest; each group in the order its topics first come up."""
    mentions: dict[str, list[FigureMention]] = {}
    for event in timeline.events if events is None else events:
        for placed in event.accounts:
            for figure in placed.account.figures:
                mentions.setdefault(figure.topic, []).append(FigureMention(event, placed, figure))
    rows = []
    for topic, found in mentions.items():
        by_source: dict[str, list[FigureMention]] = {s.id: [] for s in timeline.sources}
        for mention in found:
            by_source[mention.placed.account.source].append(mention)
        rows.append(FigureRow(topic, tuple(tuple(cell) for cell in by_source.values())))
    return sorted(rows, key=lambda row: sum(1 for cell in row.cells if cell) < 2)


@dataclass(frozen=True)
class CoverageRow:
    event: PlacedEvent
    cells: tuple[PlacedAccount | None, ...]
    """Each source's account of the event, or None when it does not mention it."""


def coverage(timeline: Timeline,
             events: list[PlacedEvent] | None = None) -> list[CoverageRow]:
    rows = []
    for event in timeline.events if events is None else events:
        by_source = {a.account.source: a for a in event.accounts}
        rows.append(CoverageRow(event, tuple(by_source.get(s.id) for s in timeline.sources)))
    return rows


# --- periods: the pages an overview is split into at scale -------------------------------------

MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Month:
    """A calendar month in the site's time zone, with every account whose time starts in it."""

    year: int
    month: int
    interval: Interval
    told: dict[str, Told]
    """Each source's accounts starting in the month, in the order of their times."""
    events: int
    """How many events have an account starting in the month."""

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def short(self) -> str:
        return MONTH_SHORT[self.month - 1]

    @property
    def label(self) -> str:
        return f"{self.interval.start:%B} {self.year}"

    @property
    def accounts(self) -> int:
        return sum(len(told) for told in self.told.values())


def month_interval(year: int, month: int, timeline: Timeline) -> Interval:
    start = datetime(year, month, 1, tzinfo=timeline.tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timeline.tz)
    return Interval(start, end, Precision.month)


def month_key(moment: datetime, timeline: Timeline) -> tuple[int, int]:
    local = moment.astimezone(timeline.tz)
    return local.year, local.month


def months(timeline: Timeline, told_by_source: dict[str, Told]) -> list[Month]:
    """Every month an account's time starts in (in the site's zone), in order: each account on
    exactly one month's page."""
    found: dict[tuple[int, int], dict[str, Told]] = {}
    for source in timeline.sources:
        for event, placed in told_by_source[source.id]:
            key = month_key(placed.time.start, timeline)
            if key not in found:
                found[key] = {s.id: [] for s in timeline.sources}
            found[key][source.id].append((event, placed))
    return [Month(year, month, month_interval(year, month, timeline), told,
                  len({e.id for pairs in told.values() for e, _ in pairs}))
            for (year, month), told in sorted(found.items())]


def split_bands(page: Layout, limit: int | None = None) -> frozenset[str]:
    """The bands too long to list on the home page: some lane has more than `limit` accounts
    in them (BAND_LIMIT unless given)."""
    limit = BAND_LIMIT if limit is None else limit
    return frozenset(band for band in ("before", "after")
                     if any(len(lane.band(band)) > limit for lane in page.lanes))


@dataclass(frozen=True)
class BandOverview:
    """What a band too long to list shows instead: its months, year by year, as links."""

    band: str
    accounts: int
    years: tuple[tuple[int, tuple[tuple[Month, int], ...]], ...]
    """Each year with its months and how many of the band's events each has."""


def band_overview(page: Layout, band: str, all_months: list[Month],
                  timeline: Timeline) -> BandOverview:
    events: dict[tuple[int, int], set[str]] = {}
    accounts = 0
    for lane in page.lanes:
        for item in lane.band(band):
            accounts += 1
            events.setdefault(month_key(item.placed.time.start, timeline), set()).add(item.event.id)
    years: dict[int, list[tuple[Month, int]]] = {}
    for month in all_months:
        if (month.year, month.month) in events:
            years.setdefault(month.year, []).append(
                (month, len(events[(month.year, month.month)])))
    return BandOverview(band, accounts,
                        tuple((year, tuple(found)) for year, found in sorted(years.items())))


def by_year(items: list, moment) -> dict[int, list]:
    """Items grouped by the year (in the site's zone, given by `moment(item)`), years in order,
    each group in the items' order."""
    groups: dict[int, list] = {}
    for item in items:
        groups.setdefault(moment(item).year, []).append(item)
    return dict(sorted(groups.items()))


def by_month(items: list, moment) -> dict[tuple[int, int], list]:
    """Items grouped by (year, month) of `moment(item)`, months in order."""
    groups: dict[tuple[int, int], list] = {}
    for item in items:
        when = moment(item)
        groups.setdefault((when.year, when.month), []).append(item)
    return dict(sorted(groups.items()))


def month_links(groups: dict[tuple[int, int], list]) -> list[tuple[int, list[tuple[str, str, int]]]]:
    """Each year with its months as (key '2016-12', 'Dec', how many items)."""
    years: dict[int, list[tuple[str, str, int]]] = {}
    for (year, month), found in groups.items():
        years.setdefault(year, []).append((f"{year:04d}-{month:02d}", MONTH_SHORT[month - 1],
                                           len(found)))
    return list(years.items())


def outlets(timeline: Timeline) -> list[tuple[str, list[str]]]:
    """Each outlet a search can be narrowed to, by name, with the ids of its sources."""
    found: dict[str, list[str]] = {}
    for source in timeline.sources:
        found.setdefault(source.outlet, []).append(source.id)
    return sorted((name, sorted(ids)) for name, ids in found.items())


# --- figures drawn: one range plot per topic -----------------------------------------------------

# How much room the axis leaves past the largest number (and for 'more than' bars to run on).
RANGE_HEADROOM = 1.1
OPEN_HEADROOM = 1.25
# The narrowest a range is drawn, as a share of the axis.
RANGE_MIN_WIDTH = 0.8
NICE = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
TICK_STEPS = (1, 2, 2.5, 5, 10)
MAX_TICKS = 5


def nice_ceiling(x: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2 ... times a power of ten) at least `x`."""
    if x <= 0:
        return 1.0
    power = 10.0 ** floor(log10(x))
    return next(m * power for m in NICE if m * power >= x * (1 - 1e-9))


def tick_step(extent: float) -> float:
    """A round step giving at most MAX_TICKS steps across `extent`."""
    power = 10.0 ** floor(log10(extent / MAX_TICKS)) if extent > 0 else 1.0
    return next(m * power for m in TICK_STEPS if extent / (m * power) <= MAX_TICKS)


def number(x: float) -> str:
    """'4,000', '2.5'."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


@dataclass(frozen=True)
class RangeMark:
    """One figure on its topic's axis: a dot (one number), a bar (a range), or a bar running
    off the axis' end ('more than') or from its start ('as many as')."""

    mention: FigureMention
    outlet: Outlet
    kind: str
    """'value', 'range', 'from' (a lower bound only) or 'upto' (an upper bound only)."""
    low: float
    """The least the figure allows (-inf for 'upto')."""
    high: float
    """The most the figure allows (inf for 'from')."""
    left: float
    """Percent of the axis' width where it starts (a dot: its centre)."""
    width: float
    """Percent of the axis' width it covers (0 for a dot)."""

    @property
    def x(self) -> str:
        return _percent(self.left)

    @property
    def w(self) -> str:
        return _percent(self.width)

    @property
    def end(self) -> str:
        return _percent(self.left + self.width)

    def overlaps(self, other: RangeMark) -> bool:
        return self.low <= other.high and other.low <= self.high


def _percent(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class RangePlot:
    """A figure topic across the outlets, on one linear axis starting at zero."""

    topic: str
    marks: tuple[RangeMark, ...]
    """In the sources' order, each outlet's in the order of its events."""
    words_only: tuple[tuple[Outlet, FigureMention], ...]
    """Figures given in words without a number ('scores of fighters'): listed, not drawn."""
    low: float
    high: float
    ticks: tuple[tuple[str, str], ...]
    """(x as a percentage, label) along the axis."""
    clashes: tuple[tuple[RangeMark, RangeMark], ...]
    """Pairs of figures from different outlets whose ranges do not overlap (the same outlet's
    same words about two events named once)."""

    @property
    def outlets(self) -> int:
        return len({m.outlet.number for m in self.marks} | {o.number for o, _ in self.words_only})


def range_plot(row: FigureRow, outlets: tuple[Outlet, ...], cap: int | None = None) -> RangePlot:
    """A figure row drawn: the axis runs from zero (or the least number, when below zero) to a
    round number past the greatest, with room for 'more than' bars to run on."""
    marks, words_only, low, high = _range_marks(row, outlets, cap)
    extent = high - low
    step = tick_step(extent)
    ticks = []
    value = low
    while value <= high + 1e-9:
        ticks.append((_percent(_on_axis(value, low, extent)), number(round(value, 6))))
        value += step
    # The same outlet's same words about two events are one claim, said once. Only marks in
    # some clash can be in a pair (in the marks' order, as before).
    clashes: dict[tuple, tuple[RangeMark, RangeMark]] = {}
    candidates = clashing(marks)
    for i, a in enumerate(candidates):
        for b in candidates[i + 1:]:
            if a.outlet.number != b.outlet.number and not a.overlaps(b):
                key = ((a.outlet.number, a.mention.figure.as_written),
                       (b.outlet.number, b.mention.figure.as_written))
                clashes.setdefault(key, (a, b))
    return RangePlot(row.topic, tuple(marks), tuple(words_only), low, high, tuple(ticks),
                     tuple(clashes.values()))


def _range_marks(row: FigureRow, outlets: tuple[Outlet, ...], cap: int | None
                 ) -> tuple[list[RangeMark], list[tuple[Outlet, FigureMention]], float, float]:
    """A figure row's marks on its axis, the figures given in words only, and the axis's
    ends."""
    drawn: list[tuple[Outlet, FigureMention]] = []
    words_only = []
    for outlet, cell in zip(outlets, row.cells):
        for mention in cell[:cap] if cap else cell:
            f = mention.figure
            if f.value is None and f.low is None and f.high is None:
                words_only.append((outlet, mention))
            else:
                drawn.append((outlet, mention))
    finite = [x for _, m in drawn for x in (m.figure.value, m.figure.low, m.figure.high)
              if x is not None]
    open_ended = any(m.figure.value is None and m.figure.high is None for _, m in drawn)
    top = max(finite, default=1.0) * (OPEN_HEADROOM if open_ended else RANGE_HEADROOM)
    high = nice_ceiling(top)
    low = -nice_ceiling(-min(finite)) if finite and min(finite) < 0 else 0.0
    extent = high - low

    def at(x: float) -> float:
        return _on_axis(x, low, extent)

    marks = []
    for outlet, mention in drawn:
        f = mention.figure
        if f.value is not None:
            mark = RangeMark(mention, outlet, "value", f.value, f.value, at(f.value), 0.0)
        elif f.low is not None and f.high is not None:
            a = at(f.low)
            width = round(max(at(f.high) - a, RANGE_MIN_WIDTH), 2)
            mark = RangeMark(mention, outlet, "range", f.low, f.high, min(a, 100 - width), width)
        elif f.low is not None:
            mark = RangeMark(mention, outlet, "from", f.low, float("inf"), at(f.low),
                             round(100 - at(f.low), 2))
        else:
            mark = RangeMark(mention, outlet, "upto", float("-inf"), f.high, 0.0, at(f.high))
        marks.append(mark)
    return marks, words_only, low, high


def _on_axis(x: float, low: float, extent: float) -> float:
    """Where `x` sits on an axis from `low` across `extent`, as a percentage."""
    return round(100 * (x - low) / extent, 2)


def clashing(marks: list[RangeMark]) -> list[RangeMark]:
    """The marks whose range does not overlap some other outlet's mark of the same topic (each
    one of a pair in `RangePlot.clashes`, without making the pairs: a topic that thousands of
    events give has millions of them). A mark is clear of every other outlet's when none of
    them lies wholly above it or wholly below it: so each outlet's highest low and lowest high
    are all that is compared."""
    highest_low: dict[int, float] = {}
    lowest_high: dict[int, float] = {}
    for m in marks:
        n = m.outlet.number
        highest_low[n] = max(highest_low.get(n, m.low), m.low)
        lowest_high[n] = min(lowest_high.get(n, m.high), m.high)
    return [m for m in marks
            if any(n != m.outlet.number and (highest_low[n] > m.high or lowest_high[n] < m.low)
                   for n in highest_low)]


def range_plots(timeline: Timeline, rows: list[FigureRow],
                cap: int | None = None) -> list[RangePlot]:
    outlets = outlets_of(timeline)
    return [range_plot(row, outlets, cap) for row in rows]


def figures_compared(timeline: Timeline, events: list[PlacedEvent] | None = None,
                     cap: int | None = None) -> tuple[list[FigureRow], list[RangePlot]]:
    """Every figure topic and its plot, the topics whose figures disagree first (each group
    in figure_rows' order), so the table and the plots list them alike."""
    rows = figure_rows(timeline, events)
    plots = range_plots(timeline, rows, cap)
    order = sorted(range(len(rows)), key=lambda n: not plots[n].clashes)
    return [rows[n] for n in order], [plots[n] for n in order]


def coverage_counts(rows: list[CoverageRow]) -> tuple[int, ...]:
    """How many of the rows' events each source mentions, in the sources' order."""
    if not rows:
        return ()
    return tuple(sum(1 for row in rows if row.cells[n] is not None)
                 for n in range(len(rows[0].cells)))


# --- an event's accounts field by field ----------------------------------------------------------


@dataclass(frozen=True)
class FieldGrid:
    """An event's accounts side by side: one column per account (in the sources' order), and
    for figures one row per topic, so the same topic sits in the same row across outlets."""

    columns: tuple[PlacedAccount, ...]
    origins: tuple[tuple[Origin, ...], ...]
    """Whose words each account rests on: its independent origins, per column."""
    topics: tuple[tuple[str, tuple[tuple[Figure, ...], ...]], ...]
    """Each figure topic, in the order it first comes up, with each column's figures for it."""


def field_grid(timeline: Timeline, event: PlacedEvent) -> FieldGrid:
    order = {s.id: n for n, s in enumerate(timeline.sources)}
    columns = tuple(sorted(event.accounts, key=lambda a: order[a.account.source]))
    topics: dict[str, list[list[Figure]]] = {}
    for n, placed in enumerate(columns):
        for figure in placed.account.figures:
            topics.setdefault(figure.topic, [[] for _ in columns])[n].append(figure)
    origins = tuple(_origins(timeline, [(placed.account.source, said)
                                        for said in statements(placed.account)])
                    for placed in columns)
    return FieldGrid(columns, origins,
                     tuple((topic, tuple(tuple(c) for c in cells)) for topic, cells in topics.items()))


# --- the story first, and what the rows can be narrowed to ---------------------------------------

# How many of the events most outlets tell lead the home page, in front of the timeline.
LEAD_EVENTS = 6


def lead_rows(compared: Comparison, limit: int = LEAD_EVENTS) -> tuple[Row, ...]:
    """The rows of the events told by the most outlets (at least two), most outlets first,
    then in time (the editors' date), then in the timeline's order: at most `limit`."""
    rows = [row for day in compared.days for row in day.rows]
    order = {row.event.id: n for n, row in enumerate(rows)}

    def told(row: Row) -> int:
        return len({m.outlet.number for m in row.marks})

    ranked = sorted((row for row in rows if told(row) >= 2),
                    key=lambda row: (-told(row), row.event.placement.start,
                                     row.event.placement.end, order[row.event.id]))
    return tuple(ranked[:limit])


@dataclass(frozen=True)
class Claimant:
    """An original claimant a timeline can be narrowed to: a credited party (counted as the body
    it is part of) or an outlet in its own voice."""

    key: str
    """'party:<id>' or 'outlet:<source id>': what the rows and the page's address carry."""
    name: str
    events: int
    """How many events have a statement resting on it."""


@dataclass(frozen=True)
class Narrowing:
    """What a timeline's rows can be narrowed to: whose word each event's quotes and figures
    rest on, and which events are disputed."""

    names: dict[str, str]
    """Each original claimant's key ('party:<id>', or 'outlet:<source id>' for an outlet's own
    voice: what the rows and the page's address carry) and its name."""
    rests_on: dict[str, tuple[str, ...]]
    """For each event id, the keys of the claimants its statements rest on, in key order."""
    disputed: frozenset[str]
    """The events where an outlet disputes a claim it relays, or where outlets' figures
    disagree (as the differences page finds them)."""


def disputed_events(timeline: Timeline) -> frozenset[str]:
    """Events where an outlet relays a claim as disputed, or one of whose figures cannot be true
    together with another outlet's for the same topic (the differences page's clashes)."""
    found = {event.id for event in timeline.events for placed in event.accounts
             for said in statements(placed.account)
             if said.via and said.stance is Stance.disputed}
    outlets = outlets_of(timeline)
    for row in figure_rows(timeline):
        found.update(m.mention.event.id for m in clashing(_range_marks(row, outlets, None)[0]))
    return frozenset(found)


def narrowing(timeline: Timeline) -> Narrowing:
    """For every event, whose word its quotes and figures rest on (their original claimants,
    as the origins page counts them), and whether it is disputed."""
    sources = {s.id: s for s in timeline.sources}
    names: dict[str, str] = {}
    rests_on: dict[str, tuple[str, ...]] = {}
    for event in timeline.events:
        keys = set()
        for placed in event.accounts:
            for said in statements(placed.account):
                for kind, key_id in origin_keys(said, placed.account.source, timeline.parties):
                    key = f"{kind}:{key_id}"
                    names.setdefault(key, timeline.parties[key_id].name if kind == "party"
                                     else sources[key_id].outlet + " (own voice)")
                    keys.add(key)
        rests_on[event.id] = tuple(sorted(keys))
    return Narrowing(dict(sorted(names.items())), rests_on, disputed_events(timeline))


def claimants_of(narrow: Narrowing, compared: Comparison) -> tuple[Claimant, ...]:
    """The original claimants of a timeline page's rows, with how many of its events rest on
    each: most events first, then by name."""
    counts = Counter(key for day in compared.days for row in day.rows
                     for key in narrow.rests_on.get(row.event.id, ()))
    return tuple(sorted((Claimant(key, narrow.names[key], n) for key, n in counts.items()),
                        key=lambda c: (-c.events, c.name, c.key)))


# --- corrections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedCorrection:
    """One correction as readers see it: with the record it belongs to, and the account it
    concerns (linked while the record still has it)."""

    correction: Correction
    kind: str
    """'event' or 'source': the kind of record corrected."""
    record_id: str
    title: str
    """The record's title as the page now gives it (an event's title; a source's outlet and
    headline)."""
    page: str
    """The record's page under the site's root ('events/<id>/')."""
    n: int
    """Its place among the record's corrections of the same date, from 1: with the record and
    the date, what names it for good (feeds.correction_id)."""
    position: int
    """Its place in the record's list, from 0 (the order the editors wrote them)."""
    account_name: str | None = None
    """The outlet of the account it concerns."""
    account_page: str | None = None
    """Where that account is ('events/<id>/#account-<source>'); for an account taken off the
    record, its source's page, or None when the source is gone too."""

    @property
    def date_label(self) -> str:
        return day_label_long(date.fromisoformat(self.correction.date))


def day_label_long(day: date) -> str:
    """'5 December 2026'."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def record_corrections(timeline: Timeline, kind: str, record: Any) -> list[LoggedCorrection]:
    """A record's corrections, newest first (the latest written first among one day's)."""
    if kind == "event":
        title, page = record.title, f"events/{record.id}/"
    else:
        title, page = f"{record.outlet}: “{record.title}”", f"sources/{record.id}/"
    outlets = {s.id: s.outlet for s in timeline.sources}
    seen: Counter[str] = Counter()
    found = []
    for position, correction in enumerate(record.corrections):
        seen[correction.date] += 1
        name = where = None
        if correction.account is not None:
            name = outlets.get(correction.account, correction.account)
            if not correction.removed:
                where = f"{page}#account-{correction.account}"
            elif correction.account in outlets:  # a removed account's source may be gone too
                where = f"sources/{correction.account}/"
        found.append(LoggedCorrection(correction, kind, record.id, title, page,
                                      seen[correction.date], position, name, where))
    return sorted(found, key=lambda c: (c.correction.date, c.position), reverse=True)


def site_corrections(timeline: Timeline) -> list[LoggedCorrection]:
    """Every correction on the site, newest first; one day's by kind of record (events
    first), then record id, then the latest written first."""
    found = [c for source in timeline.sources
             for c in record_corrections(timeline, "source", source)]
    found += [c for placed in timeline.events
              for c in record_corrections(timeline, "event", placed.event)]
    found.sort(key=lambda c: (c.kind != "event", c.record_id, -c.position))
    found.sort(key=lambda c: c.correction.date, reverse=True)
    return found


def corrections_page(timeline: Timeline) -> str | None:
    """The address under the site's root of the page that lists the corrections ('corrections/'),
    or None when no content page does."""
    page = next((p for p in timeline.pages if p.lists == "corrections"), None)
    return None if page is None else f"{page.slug or page.id}/"
