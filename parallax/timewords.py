"""Resolve stage helper: an article's time words → an interval on the site's time zone.

`resolve_words("on Saturday", reference, site_tz)` reads the words an article uses for when
something happened and counts them from `reference`, the date they count from (normally the
article's publication date, `parse_when(published, article_tz)`, so `reference.start.tzinfo` is
the article's time zone).

Rules:

- The reference day is the *local* date of `reference.start` in the article's zone. When the
  reference has a clock time, that local date is what counts: `2016-12-12T01:30Z` in an
  America/New_York article is 11 Dec 20:30 local, so "yesterday" is 10 Dec.
- A reference covering several days (`2016-12-11/2016-12-12`, or a month) is resolved against
  its first and its last day and the two results are joined (`Interval.hull`); the precision
  widens to `days` when they differ.
- Calendar results (precision day, part of day, days, month, year) are calendar statements: the
  same wall-clock dates and hours, attached to the site's zone ("yesterday" in a New York
  article of 11 Dec is 10 Dec 00:00 – 11 Dec 00:00 in the site's zone). Only clock times
  ("at 3 pm", "at 14:30") are instants, converted from the article's zone (or from UTC for
  "14:30 GMT") to the site's zone.
- A weekday, a date without a year, and a month without a year mean the most recent one on or
  before the reference day (month): "Saturday" in an article of Saturday is that day. "last"
  means strictly before: "last Friday" in an article of a Friday is a week earlier, "last March"
  in an article of March is the year before. "next" means strictly after.
- Weeks run Monday to Sunday.
- Vague words get deliberately wide, approximate ranges (D is the reference day):
  "a couple of days ago" D−3…D−1; "days ago", "a few days ago" D−5…D−1; "several days ago"
  D−7…D−2 (the same widths forwards for "… later"); "in recent days" D−5…D; "the other day"
  D−7…D−1; "recently", "lately" D−14…D; "in recent weeks" D−28…D; "a few weeks ago" D−35…D−14;
  "N weeks ago" D−7N±N days; "N months ago", "N years ago" the calendar month (year) that far
  back, approximate. "hours earlier", "earlier today", "hours ago" mean D 00:00–12:00,
  approximate; "early Sunday" Sunday 00:00–12:00, "late Sunday" Sunday evening, "the early
  hours of Sunday" 00:00–06:00, all approximate; "early/mid/late March" the 1st–10th,
  11th–20th, 21st–last day of the month, approximate.
- An approximate reference ("~2016-12-11") makes the result approximate too.

Anything not understood raises `WhenError` asking the editors for `resolved_as:`.
`PHRASES` lists every phrase kind with examples, for the editors' guide.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from .when import PARTS_OF_DAY, Interval, Precision, WhenError, edge_of_calendar, in_calendar
from .when import local_time as _local


@dataclass(frozen=True)
class Resolution:
    """What an article's time words mean on the site's timeline, and how they were read."""

    interval: Interval
    """In the site's time zone."""
    kind: str
    """Which phrase kind matched (see `PHRASES`), e.g. 'weekday'."""
    explanation: str
    """For readers, e.g. "'yesterday', counted from Sun 11 Dec 2016 → Sat 10 Dec 2016"."""


PHRASES: list[tuple[str, tuple[str, ...], str]] = [
    ("weekday",
     ("Saturday", "on Saturday", "this Sunday", "by Sunday", "last Friday", "next Monday"),
     ("That weekday: the most recent one on or before the article's date (the date itself if it "
     "is that weekday). 'last' means strictly before it, 'next' strictly after it.")),
    ("relative-day",
     ("today", "yesterday", "tomorrow", "the day before", "the next day", "the following day",
      "a day later", "two days later", "3 days before", "the day before yesterday"),
     "That day, counted in whole days from the article's date."),
    ("days-ago",
     ("four days ago", "a day ago", "10 days ago"),
     "The day that many days before the article's date (numbers as digits or one to twenty)."),
    ("part-of-day",
     ("this morning", "this evening", "tonight", "overnight", "last night", "yesterday morning",
      "by Sunday evening", "Saturday night", "the night of December 10", "hours earlier",
      "earlier today", "early Sunday", "late on Saturday", "in the early hours of Sunday"),
     ("Part of a day (morning 06–12, afternoon 12–18, evening 18–24, night 20–06 of the next "
     "day). 'tonight' is the night of the article's date; 'overnight' and 'last night' the "
     "night before it. 'hours earlier', 'earlier today', 'hours ago' and 'early <day>' mean "
     "00:00–12:00, 'late <day>' the evening, 'the early hours' 00:00–06:00, all approximate.")),
    ("clock-time",
     ("at 3 pm", "at 14:30", "Saturday at 10 am", "yesterday at 9:15 p.m.", "around noon",
      "at 14:30 GMT"),
     ("That minute, on the article's date or the day named, in the article's time zone (or UTC "
     "when it says GMT or UTC), converted to the site's time zone. 'around' makes it "
     "approximate.")),
    ("vague-days",
     ("a few days ago", "days ago", "several days ago", "a couple of days ago",
      "a few days later", "recently", "in recent days", "the other day", "in recent weeks",
      "a few weeks ago"),
     ("A wide, approximate range of days: a couple of days ago = 1–3 days before, days ago or a "
     "few days ago = 1–5 days before, several days ago = 2–7 days before (the same forwards "
     "for 'later'), in recent days = the 5 days up to the article's date, the other day = 1–7 "
     "days before, recently = the 14 days up to it, in recent weeks = the 28 days up to it, a "
     "few weeks ago = 14–35 days before.")),
    ("weeks-ago",
     ("a week ago", "two weeks ago", "a week later"),
     "Around the day that many weeks away, give or take a day per week; approximate."),
    ("week",
     ("this week", "earlier this week", "last week", "next week", "over the weekend",
      "last weekend"),
     ("The calendar week, Monday to Sunday ('earlier this week': Monday up to the day before "
     "the article's date); a weekend is Saturday and Sunday, the most recent one that has "
     "begun by the article's date ('last weekend': the latest one that ended before it).")),
    ("absolute-date",
     ("December 8", "on December 8", "8 December", "Dec. 8", "on 19th November 2016",
      "by December 11", "Saturday, December 10", "December 8 last year"),
     ("That date. Without a year, the most recent one on or before the article's date. A "
     "weekday given with it must agree with the date.")),
    ("month",
     ("in March", "March", "in May 2015", "earlier in March this year", "back in July this year",
      "in October this year", "in March last year", "last March"),
     ("That calendar month. Without a year, the most recent one on or before the article's "
     "month (the article's own month counts); 'last March' is strictly before it.")),
    ("part-of-month",
     ("early December", "mid-November", "late last month", "the end of March"),
     ("The 1st–10th (early, beginning, start), 11th–20th (mid, middle) or 21st–last day (late, "
     "end) of that month; approximate.")),
    ("relative-month",
     ("this month", "last month", "next month", "earlier this month", "a month ago",
      "eight months ago"),
     "That calendar month counted from the article's month; 'N months ago' is approximate."),
    ("relative-year",
     ("this year", "last year", "next year", "earlier this year", "a year ago", "two years ago"),
     "That calendar year counted from the article's year; 'N years ago' is approximate."),
    ("year",
     ("in 2015", "2015", "back in 2014"),
     "That calendar year."),
]


def _error(words: object) -> WhenError:
    return WhenError(
        f"cannot resolve the time words {words!r}; add resolved_as: with the date they mean "
        "(e.g. 2016-12-10, 2016-12-10 evening, 2016-12 or 2016-12-08/2016-12-11)"
    )


def resolve_words(words: str, reference: Interval, site_tz: ZoneInfo) -> Resolution:
    """Resolve an article's time words counted from `reference` (in the article's zone)."""
    if not isinstance(words, str):
        raise _error(words)
    try:
        resolution = _resolve(words, reference, site_tz)
    except WhenError:
        raise
    except (OverflowError, ValueError):  # counted off the calendar ('3 years ago' in year 2)
        raise edge_of_calendar(words.strip()) from None
    in_calendar(resolution.interval, words.strip())
    return resolution


def _resolve(words: str, reference: Interval, site_tz: ZoneInfo) -> Resolution:
    text = _normalise(words)
    article_tz = reference.start.tzinfo or site_tz
    first, last = reference.start.date(), reference.last_day()
    hits = []
    for day in (first,) if first == last else (first, last):
        hit = _match(text, _Ctx(day, article_tz, site_tz))
        if hit is None:
            raise _error(words)
        hits.append(hit)
    kind, interval = hits[0]
    for _, other in hits[1:]:
        interval = interval.hull(other)
    if reference.approximate and not interval.approximate:
        interval = Interval(interval.start, interval.end, interval.precision, True)
    counted_from = Interval(
        _local(first, 0, article_tz), _local(last, 24, article_tz),
        Precision.day if first == last else Precision.days, reference.approximate,
    ).describe()
    explanation = f"'{words.strip()}', counted from {counted_from} → {interval.describe()}"
    return Resolution(interval, kind, explanation)


# --- vocabulary ----------------------------------------------------------------------------------

_EDGE = " \t\n.,;:!?\"'()[]{}“”‘’«»…–—-"

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20,
}
_NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"

_WEEKDAYS = {
    "monday": MO, "mon": MO, "tuesday": TU, "tues": TU, "tue": TU, "wednesday": WE, "wed": WE,
    "thursday": TH, "thurs": TH, "thur": TH, "thu": TH, "friday": FR, "fri": FR,
    "saturday": SA, "sat": SA, "sunday": SU, "sun": SU,
}
_WEEKDAY = "(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?"

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PART = "(?:" + "|".join(PARTS_OF_DAY) + ")"
_YEAR_OFFSETS = {"this": 0, "last": -1, "next": 1}
_BACKWARD = {"ago", "before", "earlier", "previously", "prior"}
_FORWARD = {"later", "after", "afterwards", "on"}

# Leading words tried off one at a time when the whole phrase is not understood.
_PREFIXES = ("back in ", "earlier ", "since ", "from ", "during ", "on ", "by ", "in ", "at ")


def _normalise(words: str) -> str:
    text = words.lower().replace("’", "'").replace(",", " ").replace(";", " ")
    return " ".join(text.split()).strip(_EDGE)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text]


@dataclass(frozen=True)
class _Ctx:
    day: date
    """The reference day: the local date in the article's zone."""
    article_tz: tzinfo
    site_tz: tzinfo


_Hit = tuple[str, Interval]


def _days(kind: str, first: date, last: date, ctx: _Ctx, approximate: bool = False) -> _Hit:
    precision = Precision.day if first == last else Precision.days
    return kind, Interval(
        _local(first, 0, ctx.site_tz), _local(last, 24, ctx.site_tz), precision, approximate
    )


def _hours(kind: str, d: date, a: float, b: float, ctx: _Ctx, approximate: bool) -> _Hit:
    return kind, Interval(
        _local(d, a, ctx.site_tz), _local(d, b, ctx.site_tz), Precision.part_of_day, approximate
    )


def _month_hit(kind: str, first: date, ctx: _Ctx, approximate: bool = False) -> _Hit:
    start = datetime(first.year, first.month, 1, tzinfo=ctx.site_tz)
    return kind, Interval(start, start + relativedelta(months=1), Precision.month, approximate)


def _year_hit(kind: str, year: int, ctx: _Ctx, approximate: bool = False) -> _Hit:
    start = datetime(year, 1, 1, tzinfo=ctx.site_tz)
    return kind, Interval(start, start + relativedelta(years=1), Precision.year, approximate)


# --- whole phrases -------------------------------------------------------------------------------


def _match(text: str, ctx: _Ctx) -> _Hit | None:
    """The first reading of the phrase, trying leading words off when nothing matches."""
    while text:
        for matcher in _MATCHERS:
            try:
                hit = matcher(text, ctx)
            except (ValueError, OverflowError):  # a date outside the calendar
                hit = None
            if hit is not None:
                return hit
        prefix = next((p for p in _PREFIXES if text.startswith(p)), None)
        if prefix is None:
            return None
        text = text[len(prefix):].strip()
    return None


_CLOCK = re.compile(
    r"""(?:^|\s)(?:at\s+)?
        (?P<approx>(?:around|about|approximately|roughly|shortly\s+(?:before|after))\s+)?
        (?:(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ampm>[ap])\.?\s?m\.?
          |(?P<h24>\d{1,2})[:.](?P<m24>\d{2})(?:\s*(?:hrs|h))?
          |(?P<noon>noon|midday))
        (?:\s+(?P<zone>gmt|utc|z|local\s+time))?
        (?=\s|$)""",
    re.VERBOSE,
)


def _clock(text: str, ctx: _Ctx) -> _Hit | None:
    """'at 3 pm', 'Saturday at 10 am', 'yesterday evening at 8 pm', 'at 14:30 GMT'."""
    m = _CLOCK.search(text)
    if m is None:
        return None
    if m["noon"]:
        hour, minute = 12, 0
    elif m["ampm"]:
        hour, minute = int(m["h12"]), int(m["m12"] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"] == "p" else 0)
    else:
        hour, minute = int(m["h24"]), int(m["m24"])
    if hour > 23 or minute > 59:
        return None
    rest = f"{text[: m.start()]} {text[m.end():]}".strip()
    rest = re.sub(r"\s+on$", "", rest)
    if not rest:
        day = ctx.day
    elif (found := _day(rest, ctx)) is not None:
        day = found[1]
    elif (part := _part(rest, ctx)) is not None:
        part_day, a, b, _ = part
        at = hour + minute / 60
        if a <= at < b:
            day = part_day
        elif a <= at + 24 < b:
            day = part_day + timedelta(days=1)
        else:
            return None  # "this morning at 3 pm" contradicts itself
    else:
        return None
    zone = UTC if m["zone"] in ("gmt", "utc", "z") else ctx.article_tz
    start = datetime.combine(day, time(hour, minute), zone).astimezone(ctx.site_tz)
    interval = Interval(start, start + timedelta(minutes=1), Precision.time, bool(m["approx"]))
    return "clock-time", interval


_VAGUE_COUNT = re.compile(
    r"^(?:(?P<q>a\s+couple\s+of|a\s+few|few|some|several|a\s+number\s+of)\s+)?days\s+(?P<dir>\w+)$"
)
_VAGUE_BACK = {"a couple of": (-3, -1), "several": (-7, -2)}
_VAGUE_FORWARD = {"a couple of": (1, 3), "several": (2, 7)}
_VAGUE_FIXED = {
    **dict.fromkeys(("recently", "lately", "not long ago", "a short time ago"), (-14, 0)),
    **dict.fromkeys(
        ("in recent days", "over recent days", "in the past few days", "in the last few days",
         "over the past few days", "over the last few days", "in the past days",
         "in the last days"),
        (-5, 0),
    ),
    "the other day": (-7, -1),
    **dict.fromkeys(
        ("in recent weeks", "over recent weeks", "in the past few weeks", "in the last few weeks",
         "over the past few weeks", "over the last few weeks"),
        (-28, 0),
    ),
    **dict.fromkeys(("a few weeks ago", "weeks ago", "several weeks ago", "some weeks ago"),
                    (-35, -14)),
}


def _vague(text: str, ctx: _Ctx) -> _Hit | None:
    """'a few days ago', 'several days later', 'recently', 'in recent weeks'."""
    span = _VAGUE_FIXED.get(text)
    if span is None and (m := _VAGUE_COUNT.match(text)):
        quantity = " ".join((m["q"] or "").split())
        if m["dir"] in _BACKWARD:
            span = _VAGUE_BACK.get(quantity, (-5, -1))
        elif m["dir"] in _FORWARD:
            span = _VAGUE_FORWARD.get(quantity, (1, 5))
    if span is None:
        return None
    first, last = (ctx.day + relativedelta(days=n) for n in span)
    return _days("vague-days", first, last, ctx, approximate=True)


_WEEKS_COUNT = re.compile(rf"^{_NUM}\s+weeks?\s+(?P<dir>\w+)$")
_THIS_WEEKEND = ("the weekend", "over the weekend", "at the weekend", "this weekend",
                 "on the weekend")


def _weeks(text: str, ctx: _Ctx) -> _Hit | None:
    """Calendar weeks and weekends; 'N weeks ago' as an approximate range."""
    monday = ctx.day + relativedelta(weekday=MO(-1))
    weeks = {
        "this week": (0, 6), "earlier this week": (0, max(0, (ctx.day - monday).days - 1)),
        "last week": (-7, -1), "the previous week": (-7, -1), "the week before": (-7, -1),
        "next week": (7, 13), "the following week": (7, 13), "the week after": (7, 13),
    }
    if text in weeks:
        first, last = (monday + timedelta(days=n) for n in weeks[text])
        return _days("week", first, last, ctx)
    if text in _THIS_WEEKEND or text in ("last weekend", "the previous weekend"):
        if text in _THIS_WEEKEND:
            saturday = ctx.day + relativedelta(weekday=SA(-1))
        else:
            saturday = ctx.day + relativedelta(days=-1, weekday=SU(-1)) - timedelta(days=1)
        return _days("week", saturday, saturday + timedelta(days=1), ctx)
    m = _WEEKS_COUNT.match(text)
    if m is None or m["dir"] not in _BACKWARD | _FORWARD:
        return None
    n = _number(m["n"])
    centre = ctx.day + relativedelta(weeks=-n if m["dir"] in _BACKWARD else n)
    return _days("weeks-ago", centre - timedelta(days=n), centre + timedelta(days=n), ctx, True)


# --- days and parts of days ----------------------------------------------------------------------

_RELATIVE_DAYS = {
    "today": 0, "yesterday": -1, "tomorrow": 1,
    "the day before yesterday": -2, "the day after tomorrow": 2,
    "the day before": -1, "the previous day": -1, "the preceding day": -1, "the day earlier": -1,
    "the day after": 1, "the next day": 1, "the following day": 1, "next day": 1,
}
_DAYS_COUNT = re.compile(rf"^{_NUM}\s+days?\s+(?P<dir>\w+)$")
_WEEKDAY_PHRASE = re.compile(
    rf"^(?:(?P<rel>this|last|past|previous|next|coming)\s+)?(?P<wd>{_WEEKDAY})$"
)
_DAY_NUMBER = r"\d{1,2}(?:st|nd|rd|th)?"
_ABSOLUTE = re.compile(
    rf"""^(?:(?P<wd>{_WEEKDAY})\s+)?(?:the\s+)?
        (?P<date>{_DAY_NUMBER}\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+(?:the\s+)?{_DAY_NUMBER})
        (?:\s+(?P<year>\d{{4}})|\s+(?P<yrel>this|last|next)\s+year)?$""",
    re.VERBOSE,
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(text: str, ctx: _Ctx) -> tuple[str, date] | None:
    """A phrase naming one day: relative, counted, a weekday or a date."""
    for prefix in ("on ", "by ", "since ", "from "):
        text = text.removeprefix(prefix)
    if text in _RELATIVE_DAYS:
        return "relative-day", ctx.day + relativedelta(days=_RELATIVE_DAYS[text])
    if m := _DAYS_COUNT.match(text):
        n = _number(m["n"])
        if m["dir"] in _BACKWARD:
            return ("days-ago" if m["dir"] == "ago" else "relative-day"), ctx.day - timedelta(n)
        if m["dir"] in _FORWARD:
            return "relative-day", ctx.day + timedelta(days=n)
        return None
    if m := _WEEKDAY_PHRASE.match(text):
        weekday = _WEEKDAYS[m["wd"].rstrip(".")]
        if m["rel"] in (None, "this"):
            delta = relativedelta(weekday=weekday(-1))
        elif m["rel"] in ("last", "past", "previous"):
            delta = relativedelta(days=-1, weekday=weekday(-1))
        else:
            delta = relativedelta(days=1, weekday=weekday(+1))
        return "weekday", ctx.day + delta
    return _absolute(text, ctx)


def _absolute(text: str, ctx: _Ctx) -> tuple[str, date] | None:
    """'December 8', '8th of Dec. 2016', 'Saturday, December 10': dateutil reads the date."""
    if _ISO_DATE.match(text):
        return "absolute-date", dateparser.parse(text).date()
    m = _ABSOLUTE.match(text)
    if m is None:
        return None
    date_text = re.sub(r"\bthe\s+", "", m["date"])
    if m["year"]:
        years: list[int] = [int(m["year"])]
    elif m["yrel"]:
        years = [ctx.day.year + _YEAR_OFFSETS[m["yrel"]]]
    else:  # the most recent on or before the reference day; 29 February may be 8 years back
        years = list(range(ctx.day.year, ctx.day.year - 9, -1))
    for year in years:
        try:
            found = dateparser.parse(date_text, default=datetime(year, 1, 1)).date()
        except (ValueError, OverflowError):
            continue
        if len(years) == 1 or found <= ctx.day:
            break
    else:
        return None
    if m["wd"] and found.weekday() != _WEEKDAYS[m["wd"].rstrip(".")].weekday:
        return None  # the article's weekday and date disagree: the editors must decide
    return "absolute-date", found


_NIGHT_BEFORE = ("overnight", "last night", "the previous night", "the night before",
                 "during the night", "in the night")
_HOURS_EARLIER = ("hours earlier", "earlier today", "hours ago", "a few hours ago",
                  "several hours ago", "some hours ago", "a few hours earlier",
                  "several hours earlier")
_OVERNIGHT_INTO = re.compile(r"^overnight\s+(?:into|to)\s+(?P<rest>.+)$")
_EARLY_HOURS = re.compile(r"^(?:in\s+)?(?:the\s+)?early\s+hours(?:\s+of\s+(?P<rest>.+))?$")
_EARLY_LATE = re.compile(r"^(?P<pos>early|late)\s+(?:on\s+)?(?P<rest>.+)$")
_PART_OF = re.compile(rf"^(?:in\s+|during\s+)?(?:the\s+)?(?P<part>{_PART})\s+of\s+(?P<rest>.+)$")
_DAY_PART = re.compile(rf"^(?P<rest>.+?)\s+(?:in\s+the\s+|during\s+the\s+)?(?P<part>{_PART})$")
_PREVIOUS_PART = re.compile(rf"^the\s+(?:previous\s+(?P<a>{_PART})|(?P<b>{_PART})\s+before)$")


def _part(text: str, ctx: _Ctx) -> tuple[date, float, float, bool] | None:
    """A part of one day: (the day, start hour, end hour, approximate)."""
    d = ctx.day
    if text in ("tonight", "this night"):
        return (d, *PARTS_OF_DAY["night"], False)
    if text in _NIGHT_BEFORE:
        return (d - timedelta(days=1), *PARTS_OF_DAY["night"], False)
    if text in _HOURS_EARLIER or re.fullmatch(rf"{_NUM}\s+hours?\s+(?:ago|earlier)", text):
        return d, 0, 12, True
    if m := re.fullmatch(r"this\s+(morning|afternoon|evening)", text):
        return (d, *PARTS_OF_DAY[m[1]], False)
    if m := _PREVIOUS_PART.match(text):
        return (d - timedelta(days=1), *PARTS_OF_DAY[m["a"] or m["b"]], False)
    if m := _OVERNIGHT_INTO.match(text):
        if (found := _day(m["rest"], ctx)) is None:
            return None
        return (found[1] - timedelta(days=1), *PARTS_OF_DAY["night"], False)
    if m := _EARLY_HOURS.match(text):
        found = _day(m["rest"], ctx) if m["rest"] else ("relative-day", d)
        return None if found is None else (found[1], 0, 6, True)
    if m := _EARLY_LATE.match(text):
        if (found := _day(m["rest"], ctx)) is not None:
            return (found[1], 0, 12, True) if m["pos"] == "early" else (
                found[1], *PARTS_OF_DAY["evening"], True)
        if (part := _part(m["rest"], ctx)) is not None:  # "early this morning", "late last night"
            return (*part[:3], True)
        return None
    if m := _PART_OF.match(text) or _DAY_PART.match(text):
        if (found := _day(m["rest"], ctx)) is None:
            return None
        return (found[1], *PARTS_OF_DAY[m["part"]], False)
    return None


def _part_hit(text: str, ctx: _Ctx) -> _Hit | None:
    part = _part(text, ctx)
    return None if part is None else _hours("part-of-day", *part[:3], ctx, part[3])


def _day_hit(text: str, ctx: _Ctx) -> _Hit | None:
    found = _day(text, ctx)
    return None if found is None else _days(found[0], found[1], found[1], ctx)


# --- months and years ----------------------------------------------------------------------------

_MONTH_PHRASE = re.compile(
    rf"""^(?:(?P<rel>this|last|past|previous|next|coming)\s+)?(?P<month>{_MONTH})
        (?:\s+(?:of\s+)?(?:(?P<year>\d{{4}})|(?P<yrel>this|last|next)\s+year))?$""",
    re.VERBOSE,
)


def _month(text: str, ctx: _Ctx) -> _Hit | None:
    """'in March', 'May 2015', 'October this year', 'last March'."""
    m = _MONTH_PHRASE.match(text)
    if m is None or (m["rel"] and (m["year"] or m["yrel"])):
        return None
    month = _MONTHS[m["month"].rstrip(".")]
    this_month = ctx.day.replace(day=1)
    named = this_month + relativedelta(month=month)  # that month in the reference year
    if m["year"]:
        named = named.replace(year=int(m["year"]))
    elif m["yrel"]:
        named += relativedelta(years=_YEAR_OFFSETS[m["yrel"]])
    elif m["rel"] in ("last", "past", "previous"):
        named += relativedelta(years=0 if named < this_month else -1)
    elif m["rel"] in ("next", "coming"):
        named += relativedelta(years=0 if named > this_month else 1)
    elif m["rel"] is None and named > this_month:
        named += relativedelta(years=-1)
    return _month_hit("month", named, ctx)


_RELATIVE_MONTHS = {
    "this month": 0, "last month": -1, "the previous month": -1, "the month before": -1,
    "next month": 1, "the following month": 1, "the month after": 1,
}
_RELATIVE_YEARS = {
    "this year": 0, "last year": -1, "the previous year": -1, "the year before": -1,
    "next year": 1, "the following year": 1, "the year after": 1,
}
_COUNT_MONTHS_YEARS = re.compile(rf"^{_NUM}\s+(?P<unit>month|year)s?\s+(?P<dir>\w+)$")


def _relative_month_year(text: str, ctx: _Ctx) -> _Hit | None:
    """'last month', 'this year', 'eight months ago', 'a year ago'."""
    this_month = ctx.day.replace(day=1)
    if text in _RELATIVE_MONTHS:
        return _month_hit("relative-month", this_month + relativedelta(months=_RELATIVE_MONTHS[
            text]), ctx)
    if text in _RELATIVE_YEARS:
        return _year_hit("relative-year", ctx.day.year + _RELATIVE_YEARS[text], ctx)
    m = _COUNT_MONTHS_YEARS.match(text)
    if m is None or m["dir"] not in _BACKWARD | _FORWARD:
        return None
    n = _number(m["n"]) * (-1 if m["dir"] in _BACKWARD else 1)
    if m["unit"] == "month":
        return _month_hit("relative-month", this_month + relativedelta(months=n), ctx, True)
    return _year_hit("relative-year", ctx.day.year + n, ctx, True)


_PART_OF_MONTH = re.compile(
    r"""^(?:(?P<pos>early|mid|late)(?:-|\s+)(?:in\s+)?
        |(?:at\s+|in\s+|by\s+)?the\s+(?P<edge>beginning|start|middle|end)\s+of\s+)(?P<rest>.+)$""",
    re.VERBOSE,
)
_THIRDS = {"early": 0, "beginning": 0, "start": 0, "mid": 1, "middle": 1, "late": 2, "end": 2}


def _part_of_month(text: str, ctx: _Ctx) -> _Hit | None:
    """'early December', 'mid-November', 'the end of last month'."""
    m = _PART_OF_MONTH.match(text)
    if m is None:
        return None
    hit = _month(m["rest"], ctx) or _relative_month_year(m["rest"], ctx)
    if hit is None or hit[1].precision is not Precision.month or hit[1].approximate:
        return None
    first = hit[1].start.date()
    month_last = hit[1].last_day()
    third = _THIRDS[m["pos"] or m["edge"]]
    start = first + timedelta(days=10 * third)
    end = month_last if third == 2 else first + timedelta(days=10 * third + 9)
    return _days("part-of-month", start, end, ctx, approximate=True)


def _year(text: str, ctx: _Ctx) -> _Hit | None:
    """'2015' (after 'in' or 'back in')."""
    if re.fullmatch(r"(?:the\s+year\s+)?\d{4}", text):
        return _year_hit("year", int(text[-4:]), ctx)
    return None


_MATCHERS: tuple[Callable[[str, _Ctx], _Hit | None], ...] = (
    _clock, _vague, _weeks, _part_hit, _day_hit, _part_of_month, _month,
    _relative_month_year, _year,
)
