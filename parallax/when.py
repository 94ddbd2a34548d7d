"""Times as intervals: the editors' date forms (`2016-12-10 evening`, `2016-03`, `A/B`, `~…`).

Used by validation (is the form readable?) and by the resolve stage (where is it on the
timeline?). An `Interval` is half-open, [start, end), in one time zone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


class WhenError(ValueError):
    """A date form or time words that cannot be read; the message says what to write."""


class Precision(str, Enum):
    """How finely a time is known, finest first."""

    time = "time"
    part_of_day = "part_of_day"
    day = "day"
    days = "days"
    month = "month"
    year = "year"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {precision: n for n, precision in enumerate(Precision)}


# Parts of the day, as hours from the day's midnight; night runs into the next morning.
PARTS_OF_DAY: dict[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 24),
    "night": (20, 30),
}

FORMS = (
    "2016-12-10, 2016-12-10 evening (morning, afternoon, evening, night), 2016-12-10T14:30, "
    "2016-12, 2016, or two of these joined by '/' for a range; '~' in front marks it approximate"
)


@dataclass(frozen=True)
class Interval:
    """A stretch of time [start, end) with how precisely it is known."""

    start: datetime
    end: datetime
    precision: Precision
    approximate: bool = False

    def astimezone(self, tz: ZoneInfo) -> Interval:
        return Interval(self.start.astimezone(tz), self.end.astimezone(tz), self.precision, self.approximate)

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def hull(self, other: Interval) -> Interval:
        start, end = min(self.start, other.start), max(self.end, other.end)
        same = (start, end) == (self.start, self.end)
        precision = self.precision if same else max(self.precision, other.precision, Precision.days, key=lambda p: p.rank)
        return Interval(start, end, precision, self.approximate or other.approximate)

    def first_day(self) -> date:
        return self.start.date()

    def last_day(self) -> date:
        """The last calendar day the interval touches."""
        return (self.end - timedelta(microseconds=1)).date()

    def describe(self) -> str:
        """Plain English, e.g. 'Sat 10 Dec 2016, evening', '10–11 Dec 2016', 'Mar 2016'."""
        start, end = self.start, self.end
        # Intervals are equal when their instants are, in whatever zone, but the words are the
        # wall clock's: the key holds each end's zone, and its fold (which of an hour that
        # comes twice, when the clocks go back, it is).
        return _described(start, start.tzinfo, start.fold, end, end.tzinfo, end.fold,
                          self.precision, self.approximate)


@functools.lru_cache(maxsize=1 << 16)
def _described(start: datetime, start_zone: tzinfo | None, start_fold: int, end: datetime,
               end_zone: tzinfo | None, end_fold: int, precision: Precision, approximate: bool) -> str:
    """`Interval.describe`, worked out once for each interval: a site's pages describe the same
    times again and again (an account's time on its event's page, its source's, its parties')."""
    text = _describe(Interval(start, end, precision, approximate))
    return f"about {text}" if approximate else text


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _clock_end(start: datetime, end: datetime) -> str:
    """An end time as a clock reading; a midnight that closes the start's day reads 24:00."""
    if end.date() > start.date() and end.time() == time():
        return "24:00"
    return f"{end:%H:%M}"


def _describe(iv: Interval) -> str:
    first, last = iv.first_day(), iv.last_day()
    if iv.precision is Precision.year:
        return str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
    if iv.precision is Precision.month:
        if (first.year, first.month) == (last.year, last.month):
            return f"{first:%b %Y}"
        if first.year == last.year:
            return f"{first:%b}–{last:%b %Y}"
        return f"{first:%b %Y}–{last:%b %Y}"
    if iv.precision is Precision.time:
        if iv.end - iv.start <= timedelta(minutes=1):
            return f"{_day(first)}, {iv.start:%H:%M}"
        if first == last:
            return f"{_day(first)}, {iv.start:%H:%M}–{_clock_end(iv.start, iv.end)}"
        return f"{_day(first)} {iv.start:%H:%M} – {_day(last)} {iv.end:%H:%M}"
    if iv.precision is Precision.part_of_day:
        for name, (a, b) in PARTS_OF_DAY.items():
            midnight = datetime.combine(first, time(), iv.start.tzinfo)
            if iv.start == midnight + timedelta(hours=a) and iv.end == midnight + timedelta(hours=b):
                if name == "night":
                    return f"night of {first.day}–{(first + timedelta(days=1)).day} {first:%b %Y}"
                return f"{_day(first)}, {name}"
        if first == last:
            return f"{_day(first)}, {iv.start:%H:%M}–{_clock_end(iv.start, iv.end)}"
        return f"{_day(first)} {iv.start:%H:%M} – {_day(last)} {iv.end:%H:%M}"
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


_SINGLE = re.compile(
    r"""^(?P<year>\d{4})
        (?:-(?P<month>\d{2})
           (?:-(?P<day>\d{2})
              (?:(?:[ ](?P<part>[a-z]+))
                |(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?P<offset>Z|[+-]\d{2}:\d{2})?))?
           )?
        )?$""",
    re.VERBOSE,
)


def _impossible(text: str, year: int, month: str | None, day: str | None) -> str:
    if month is None or not 1 <= int(month) <= 12:
        return f"{text!r} is not a real date: there is no month {month}; months run 01 to 12"
    last = (date(year, int(month), 1) + relativedelta(months=1, days=-1)).day
    return (f"{text!r} is not a real date: {date(year, int(month), 1):%B %Y} has no day {int(day or 0)}; "
            f"its days run 01 to {last:02d}")


def local_time(d: date, hours: float, tz: ZoneInfo) -> datetime:
    """Wall-clock `hours` after the midnight that starts day `d` in `tz`."""
    return datetime.combine(d, time(), tz) + timedelta(hours=hours)


FIRST_YEAR, LAST_YEAR = 2, 9998
"""The years Parallax places: one short of the calendar's own edges (years 1 and 9999), where
a time zone's offset, the day after or the year after would fall off it."""


def edge_of_calendar(text: str) -> WhenError:
    return WhenError(f"{text!r} is at the edge of the calendar; Parallax places times from "
                     f"the year {FIRST_YEAR:04d} to {LAST_YEAR}")


def in_calendar(interval: Interval, text: str) -> Interval:
    """`interval`, if it lies within the years Parallax places."""
    if interval.start.year < FIRST_YEAR or interval.last_day().year > LAST_YEAR:
        raise edge_of_calendar(text)
    return interval


def _parse_single(text: str, tz: ZoneInfo) -> Interval:
    match = _SINGLE.fullmatch(text)
    if not match:
        raise WhenError(f"cannot read {text!r} as a date; write one of: {FORMS}")
    g = match.groupdict()
    year = int(g["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise edge_of_calendar(text)
    try:
        if g["month"] is None:
            start = datetime(year, 1, 1, tzinfo=tz)
            return Interval(start, start + relativedelta(years=1), Precision.year)
        month = int(g["month"])
        if g["day"] is None:
            start = datetime(year, month, 1, tzinfo=tz)
            return Interval(start, start + relativedelta(months=1), Precision.month)
        day = date(year, month, int(g["day"]))
    except ValueError:
        raise WhenError(_impossible(text, year, g["month"], g["day"])) from None
    if g["part"]:
        if g["part"] not in PARTS_OF_DAY:
            raise WhenError(
                f"unknown part of day {g['part']!r} in {text!r}; use one of: {', '.join(PARTS_OF_DAY)}"
            )
        a, b = PARTS_OF_DAY[g["part"]]
        return Interval(local_time(day, a, tz), local_time(day, b, tz), Precision.part_of_day)
    if g["hour"] is not None:
        hour, minute = int(g["hour"]), int(g["minute"])
        if hour > 23 or minute > 59:
            raise WhenError(f"{text!r} is not a real time of day; write one of: {FORMS}")
        if g["offset"]:
            offset = "+00:00" if g["offset"] == "Z" else g["offset"]
            if int(offset[4:6]) > 59 or offset[1:] > "14:00":
                raise WhenError(f"{offset!r} in {text!r} is not an offset from UTC, which "
                                "is at most 14 hours (e.g. 2016-12-10T14:30+03:00)")
            instant = datetime.fromisoformat(f"{day.isoformat()}T{hour:02d}:{minute:02d}{offset}")
            start = instant.astimezone(tz)
        else:
            start = local_time(day, hour + minute / 60, tz)
        return Interval(start, start + timedelta(minutes=1), Precision.time)
    return Interval(local_time(day, 0, tz), local_time(day, 24, tz), Precision.day)


def parse_when(text: str, tz: ZoneInfo) -> Interval:
    """Read the editors' date form into an interval in `tz` (see FORMS)."""
    text = str(text).strip()
    try:
        return in_calendar(_parse_when(text, tz), text)
    except OverflowError:  # an offset that moves year 2 or 9998 off the calendar
        raise edge_of_calendar(text) from None


def _parse_when(text: str, tz: ZoneInfo) -> Interval:
    approximate = text.startswith("~")
    if approximate:
        text = text[1:].strip()
    if "/" in text:
        first_text, _, last_text = text.partition("/")
        first, last = _parse_single(first_text.strip(), tz), _parse_single(last_text.strip(), tz)
        if last.end <= first.start or last.start < first.start:
            raise WhenError(f"the range {text!r} ends before it starts; put the earlier date first")
        end = last.start if last.precision is Precision.time else last.end
        coarsest = max(first.precision, last.precision, key=lambda p: p.rank)
        if coarsest.rank <= Precision.part_of_day.rank and end - first.start <= timedelta(hours=24):
            precision = Precision.part_of_day
        elif coarsest.rank <= Precision.days.rank:
            precision = Precision.days
        else:
            precision = coarsest
        return Interval(first.start, end, precision, approximate)
    single = _parse_single(text, tz)
    return Interval(single.start, single.end, single.precision, approximate)
