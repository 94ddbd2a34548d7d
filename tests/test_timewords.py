"""Tests for parallax.timewords: an article's time words → an interval on the site's time zone.

Expected intervals are written in the editors' date forms and read with `parse_when` in the site's
zone, so `"2016-12-10"` means 10 Dec 00:00 – 11 Dec 00:00 in Asia/Damascus.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parallax.timewords import PHRASES, Resolution, resolve_words
from parallax.when import Interval, Precision, WhenError, parse_when

SITE = ZoneInfo("Asia/Damascus")  # UTC+2 in December 2016, UTC+3 in summer 2016
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def resolve(words: str, reference: str, article_tz: ZoneInfo = SITE) -> Resolution:
    return resolve_words(words, parse_when(reference, article_tz), SITE)


def expect(resolution: Resolution, form: str, kind: str | None = None) -> None:
    """The resolution is exactly the editors' form `form` read in the site's zone."""
    expected = parse_when(form, SITE)
    assert resolution.interval == expected, resolution.explanation
    assert resolution.interval.start.tzinfo == SITE
    assert resolution.interval.end.tzinfo == SITE
    assert resolution.interval.start.replace(tzinfo=None) == expected.start.replace(tzinfo=None)
    if kind is not None:
        assert resolution.kind == kind


# --- the Palmyra accounts (site in Asia/Damascus) ------------------------------------------------


def test_palmyra_duran_yesterday():
    result = resolve("yesterday", "2016-12-11")
    expect(result, "2016-12-10", "relative-day")
    assert result.interval.precision is Precision.day
    assert result.explanation == "'yesterday', counted from Sun 11 Dec 2016 → Sat 10 Dec 2016"


def test_palmyra_four_days_ago():
    expect(resolve("four days ago", "2016-12-11"), "2016-12-07", "days-ago")


def test_palmyra_breitbart_on_saturday_in_new_york():
    result = resolve("on Saturday", "2016-12-12", NEW_YORK)
    expect(result, "2016-12-10", "weekday")
    assert result.explanation == "'on Saturday', counted from Mon 12 Dec 2016 → Sat 10 Dec 2016"


def test_palmyra_overnight():
    result = resolve("overnight", "2016-12-11")
    expect(result, "2016-12-10 night", "part-of-day")
    assert result.interval.describe() == "night of 10–11 Dec 2016"


def test_palmyra_by_sunday_evening():
    result = resolve("By Sunday evening", "2016-12-11")
    expect(result, "2016-12-11 evening", "part-of-day")
    assert result.interval.precision is Precision.part_of_day


def test_palmyra_on_december_8():
    expect(resolve("On December 8", "2016-12-21"), "2016-12-08", "absolute-date")


def test_palmyra_in_march():
    result = resolve("in March", "2016-12-21")
    expect(result, "2016-03", "month")
    assert result.interval.precision is Precision.month


def test_palmyra_the_next_day():
    expect(resolve("the next day", "2016-12-11"), "2016-12-12", "relative-day")


# --- weekdays ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("Saturday", "2016-12-11", "2016-12-10"),
        ("on Saturday", "2016-12-11", "2016-12-10"),
        ("On Sunday", "2016-12-11", "2016-12-11"),  # the reference day itself
        ("This Sunday", "2016-12-13", "2016-12-11"),
        ("on Thursday", "2016-12-11", "2016-12-08"),
        ("on Monday", "2016-12-11", "2016-12-05"),
        ("on Monday", "2016-12-12", "2016-12-12"),
        ("by Sunday", "2016-12-14", "2016-12-11"),
        ("since Friday", "2016-12-11", "2016-12-09"),
        ("Sat.", "2016-12-11", "2016-12-10"),
        ("last Friday", "2016-12-11", "2016-12-09"),
        ("last Friday", "2016-12-09", "2016-12-02"),  # 'last' is strictly before
        ("next Monday", "2016-12-12", "2016-12-19"),
        ("on Saturday", "2017-01-02", "2016-12-31"),  # across a year boundary
        ("on Wednesday", "2016-03-01", "2016-02-24"),  # across a month boundary
        ("on Monday", "2016-03-01", "2016-02-29"),  # a leap day
    ],
)
def test_weekday(words, reference, expected):
    result = resolve(words, reference)
    expect(result, expected, "weekday")
    assert result.interval.precision is Precision.day


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("By Sunday evening", "2016-12-11 evening"),
        ("Saturday night", "2016-12-10 night"),
        ("on Saturday morning", "2016-12-10 morning"),
        ("Friday afternoon", "2016-12-09 afternoon"),
        ("Saturday in the evening", "2016-12-10 evening"),
    ],
)
def test_weekday_with_part_of_day(words, expected):
    expect(resolve(words, "2016-12-11"), expected, "part-of-day")


# --- relative days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected", "kind"),
    [
        ("today", "2016-12-11", "2016-12-11", "relative-day"),
        ("yesterday", "2016-12-11", "2016-12-10", "relative-day"),
        ("yesterday", "2017-01-01", "2016-12-31", "relative-day"),
        ("yesterday", "2016-03-01", "2016-02-29", "relative-day"),
        ("tomorrow", "2016-12-31", "2017-01-01", "relative-day"),
        ("the day before", "2016-12-11", "2016-12-10", "relative-day"),
        ("the day before yesterday", "2016-12-11", "2016-12-09", "relative-day"),
        ("the next day", "2016-12-31", "2017-01-01", "relative-day"),
        ("a day later", "2016-12-11", "2016-12-12", "relative-day"),
        ("the following day", "2016-12-11", "2016-12-12", "relative-day"),
        ("two days later", "2016-12-30", "2017-01-01", "relative-day"),
        ("two days before", "2016-12-11", "2016-12-09", "relative-day"),
        ("5 days after", "2016-12-11", "2016-12-16", "relative-day"),
        ("3 days earlier", "2016-12-02", "2016-11-29", "relative-day"),
        ("four days ago", "2017-01-02", "2016-12-29", "days-ago"),
        ("a day ago", "2016-12-11", "2016-12-10", "days-ago"),
        ("12 days ago", "2016-12-11", "2016-11-29", "days-ago"),
        ("twelve days ago", "2016-12-11", "2016-11-29", "days-ago"),
        ("one day ago", "2016-12-11", "2016-12-10", "days-ago"),
    ],
)
def test_relative_day(words, reference, expected, kind):
    result = resolve(words, reference)
    expect(result, expected, kind)
    assert result.interval.precision is Precision.day


# --- parts of the day ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("this morning", "2016-12-11", "2016-12-11 morning"),
        ("this afternoon", "2016-12-11", "2016-12-11 afternoon"),
        ("this evening", "2016-12-11", "2016-12-11 evening"),
        ("tonight", "2016-12-11", "2016-12-11 night"),
        ("overnight", "2017-01-01", "2016-12-31 night"),
        ("last night", "2016-12-11", "2016-12-10 night"),
        ("the night before", "2016-12-11", "2016-12-10 night"),
        ("overnight into Sunday", "2016-12-12", "2016-12-10 night"),
        ("yesterday morning", "2016-12-11", "2016-12-10 morning"),
        ("yesterday evening", "2017-01-01", "2016-12-31 evening"),
        ("tomorrow night", "2016-12-11", "2016-12-12 night"),
        ("the night of December 10", "2016-12-21", "2016-12-10 night"),
        ("on the evening of 8 December", "2016-12-21", "2016-12-08 evening"),
    ],
)
def test_part_of_day(words, reference, expected):
    result = resolve(words, reference)
    expect(result, expected, "part-of-day")
    assert result.interval.precision is Precision.part_of_day
    assert not result.interval.approximate


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("hours earlier", "~2016-12-11T00:00/2016-12-11T12:00"),
        ("earlier today", "~2016-12-11T00:00/2016-12-11T12:00"),
        ("hours ago", "~2016-12-11T00:00/2016-12-11T12:00"),
        ("a few hours ago", "~2016-12-11T00:00/2016-12-11T12:00"),
        ("early Sunday", "~2016-12-11T00:00/2016-12-11T12:00"),
        ("early on Saturday", "~2016-12-10T00:00/2016-12-10T12:00"),
        ("late on Saturday", "~2016-12-10 evening"),
        ("in the early hours of Sunday", "~2016-12-11T00:00/2016-12-11T06:00"),
        ("early this morning", "~2016-12-11 morning"),
    ],
)
def test_approximate_part_of_day(words, expected):
    result = resolve(words, "2016-12-11")
    expect(result, expected, "part-of-day")
    assert result.interval.precision is Precision.part_of_day
    assert result.interval.approximate


# --- vague days and weeks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("a few days before", "2016-12-11", "~2016-12-06/2016-12-10"),
        ("a few days ago", "2016-12-11", "~2016-12-06/2016-12-10"),
        ("days ago", "2016-12-11", "~2016-12-06/2016-12-10"),
        ("a few days ago", "2017-01-02", "~2016-12-28/2017-01-01"),
        ("several days ago", "2016-12-11", "~2016-12-04/2016-12-09"),
        ("a couple of days ago", "2016-12-11", "~2016-12-08/2016-12-10"),
        ("a few days later", "2016-12-11", "~2016-12-12/2016-12-16"),
        ("recently", "2016-12-11", "~2016-11-27/2016-12-11"),
        ("in recent days", "2016-12-11", "~2016-12-06/2016-12-11"),
        ("the other day", "2016-12-11", "~2016-12-04/2016-12-10"),
        ("in recent weeks", "2016-12-11", "~2016-11-13/2016-12-11"),
        ("a few weeks ago", "2016-12-11", "~2016-11-06/2016-11-27"),
    ],
)
def test_vague_days(words, reference, expected):
    result = resolve(words, reference)
    expect(result, expected, "vague-days")
    assert result.interval.precision is Precision.days
    assert result.interval.approximate


@pytest.mark.parametrize(
    ("words", "reference", "expected", "kind"),
    [
        ("this week", "2016-12-11", "2016-12-05/2016-12-11", "week"),
        ("earlier this week", "2016-12-14", "2016-12-12/2016-12-13", "week"),
        ("last week", "2017-01-04", "2016-12-26/2017-01-01", "week"),
        ("next week", "2016-12-11", "2016-12-12/2016-12-18", "week"),
        ("over the weekend", "2016-12-12", "2016-12-10/2016-12-11", "week"),
        ("last weekend", "2016-12-11", "2016-12-03/2016-12-04", "week"),
        ("last weekend", "2016-12-12", "2016-12-10/2016-12-11", "week"),
        ("a week ago", "2016-12-11", "~2016-12-03/2016-12-05", "weeks-ago"),
        ("two weeks ago", "2016-12-11", "~2016-11-25/2016-11-29", "weeks-ago"),
    ],
)
def test_weeks(words, reference, expected, kind):
    expect(resolve(words, reference), expected, kind)


# --- absolute dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("On December 8", "2016-12-21", "2016-12-08"),
        ("December 8", "2016-12-21", "2016-12-08"),
        ("8 December", "2016-12-21", "2016-12-08"),
        ("By December 11", "2016-12-21", "2016-12-11"),
        ("on September 20", "2016-12-21", "2016-09-20"),
        ("on 19th November 2016", "2016-12-21", "2016-11-19"),
        ("on 2nd November 2016", "2016-12-21", "2016-11-02"),
        ("Dec. 8", "2016-12-21", "2016-12-08"),
        ("the 8th of December", "2016-12-21", "2016-12-08"),
        ("December 8, 2015", "2016-12-21", "2015-12-08"),
        ("Saturday, December 10", "2016-12-21", "2016-12-10"),
        ("December 8 last year", "2016-12-21", "2015-12-08"),
        ("December 8", "2017-01-05", "2016-12-08"),  # no year: the most recent one
        ("December 21", "2016-12-21", "2016-12-21"),  # the reference day itself counts
        ("December 22", "2016-12-21", "2015-12-22"),
        ("February 29", "2017-03-01", "2016-02-29"),
        ("2016-12-08", "2016-12-21", "2016-12-08"),
    ],
)
def test_absolute_date(words, reference, expected):
    result = resolve(words, reference)
    expect(result, expected, "absolute-date")
    assert result.interval.precision is Precision.day


@pytest.mark.parametrize(
    "words",
    ["Friday, December 10", "February 30", "on 31 November 2016", "December 32"],
)
def test_impossible_or_contradictory_dates_are_not_resolved(words):
    with pytest.raises(WhenError, match="cannot resolve the time words"):
        resolve(words, "2016-12-21")


# --- months and years ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("in March", "2016-12-21", "2016-03"),
        ("earlier in March this year", "2016-12-21", "2016-03"),
        ("in May 2015", "2016-12-21", "2015-05"),
        ("in August", "2016-12-21", "2016-08"),
        ("in October this year", "2016-12-21", "2016-10"),
        ("back in July this year", "2016-12-21", "2016-07"),
        ("in November", "2017-01-05", "2016-11"),  # from January: last year's November
        ("in January", "2017-01-05", "2017-01"),  # the reference month itself counts
        ("in December this year", "2016-03-01", "2016-12"),
        ("in March last year", "2016-12-21", "2015-03"),
        ("last March", "2016-12-21", "2016-03"),
        ("last March", "2016-03-15", "2015-03"),  # 'last' is strictly before
        ("Sept.", "2016-12-21", "2016-09"),
    ],
)
def test_month(words, reference, expected):
    result = resolve(words, reference)
    expect(result, expected, "month")
    assert result.interval.precision is Precision.month


@pytest.mark.parametrize(
    ("words", "reference", "expected"),
    [
        ("early December", "2016-12-21", "~2016-12-01/2016-12-10"),
        ("mid-November", "2016-12-21", "~2016-11-11/2016-11-20"),
        ("late February", "2016-03-05", "~2016-02-21/2016-02-29"),
        ("the end of last month", "2017-01-05", "~2016-12-21/2016-12-31"),
    ],
)
def test_part_of_month(words, reference, expected):
    expect(resolve(words, reference), expected, "part-of-month")


@pytest.mark.parametrize(
    ("words", "reference", "expected", "kind"),
    [
        ("eight months ago", "2016-12-11", "~2016-04", "relative-month"),
        ("nine months ago", "2016-12-11", "~2016-03", "relative-month"),
        ("a month ago", "2017-01-05", "~2016-12", "relative-month"),
        ("last month", "2017-01-05", "2016-12", "relative-month"),
        ("this month", "2016-12-11", "2016-12", "relative-month"),
        ("earlier this month", "2016-12-11", "2016-12", "relative-month"),
        ("next month", "2016-12-11", "2017-01", "relative-month"),
        ("last year", "2017-01-05", "2016", "relative-year"),
        ("this year", "2016-12-11", "2016", "relative-year"),
        ("earlier this year", "2016-12-11", "2016", "relative-year"),
        ("next year", "2016-12-11", "2017", "relative-year"),
        ("a year ago", "2016-12-11", "~2015", "relative-year"),
        ("in 2015", "2016-12-11", "2015", "year"),
        ("back in 2014", "2016-12-11", "2014", "year"),
    ],
)
def test_relative_month_and_year(words, reference, expected, kind):
    expect(resolve(words, reference), expected, kind)


# --- clock times and time zones ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "reference", "article_tz", "expected"),
    [
        ("at 3 pm", "2016-12-11", NEW_YORK, "2016-12-11T22:00"),  # 20:00 UTC
        ("at 14:30", "2016-12-11", LONDON, "2016-12-11T16:30"),
        ("Saturday at 10 am", "2016-12-12", NEW_YORK, "2016-12-10T17:00"),
        ("at 10 am on Saturday", "2016-12-12", NEW_YORK, "2016-12-10T17:00"),
        ("yesterday at 9:15 p.m.", "2016-12-11", SITE, "2016-12-10T21:15"),
        ("at 11 pm", "2016-12-31", NEW_YORK, "2017-01-01T06:00"),  # a new year on the site
        ("at 3 pm", "2016-07-01", NEW_YORK, "2016-07-01T22:00"),  # summer: EDT and UTC+3
        ("at 14:30 GMT", "2016-12-11", NEW_YORK, "2016-12-11T16:30"),
        ("last night at 2 am", "2016-12-11", SITE, "2016-12-11T02:00"),
        ("last night at 11 pm", "2016-12-11", SITE, "2016-12-10T23:00"),
        ("at noon", "2016-12-11", UTC, "2016-12-11T14:00"),
        ("around noon", "2016-12-11", UTC, "~2016-12-11T14:00"),
    ],
)
def test_clock_time_is_an_instant_converted_to_the_site_zone(words, reference, article_tz, expected):
    result = resolve(words, reference, article_tz)
    expect(result, expected, "clock-time")
    assert result.interval.precision is Precision.time
    assert result.interval.end - result.interval.start == timedelta(minutes=1)


@pytest.mark.parametrize("words", ["at 25:00", "at 13 pm", "this morning at 3 pm"])
def test_impossible_clock_times_are_not_resolved(words):
    with pytest.raises(WhenError):
        resolve(words, "2016-12-11")


def test_calendar_results_keep_their_wall_clock_in_the_site_zone():
    result = resolve("yesterday", "2016-12-11", NEW_YORK)
    expect(result, "2016-12-10", "relative-day")
    assert (result.interval.start.hour, result.interval.end.hour) == (0, 0)
    expect(resolve("yesterday evening", "2016-12-11", NEW_YORK), "2016-12-10 evening")
    expect(resolve("in March", "2016-12-21", NEW_YORK), "2016-03")


def test_utc_stamped_reference_counts_from_the_local_day():
    # 01:30 UTC on 12 Dec is 20:30 on 11 Dec in New York: the article's day is the 11th.
    reference = parse_when("2016-12-12T01:30Z", NEW_YORK)
    assert reference.precision is Precision.time
    yesterday = resolve_words("yesterday", reference, SITE)
    expect(yesterday, "2016-12-10", "relative-day")
    assert yesterday.explanation == "'yesterday', counted from Sun 11 Dec 2016 → Sat 10 Dec 2016"
    expect(resolve_words("today", reference, SITE), "2016-12-11")
    expect(resolve_words("at 3 pm", reference, SITE), "2016-12-11T22:00", "clock-time")


def test_utc_stamped_reference_after_local_midnight():
    # 22:30 UTC on 10 Dec is 00:30 on 11 Dec in Damascus.
    reference = parse_when("2016-12-10T22:30Z", SITE)
    expect(resolve_words("yesterday", reference, SITE), "2016-12-10")
    expect(resolve_words("on Saturday", reference, SITE), "2016-12-10")


# --- range and approximate references ------------------------------------------------------------


def test_range_reference_gives_the_hull():
    result = resolve("yesterday", "2016-12-11/2016-12-12")
    expect(result, "2016-12-10/2016-12-11", "relative-day")
    assert result.interval.precision is Precision.days
    assert result.explanation == "'yesterday', counted from 11–12 Dec 2016 → 10–11 Dec 2016"


def test_range_reference_keeps_precision_when_both_ends_agree():
    saturday = resolve("on Saturday", "2016-12-11/2016-12-12", NEW_YORK)
    expect(saturday, "2016-12-10", "weekday")
    assert saturday.interval.precision is Precision.day
    expect(resolve("in March", "2016-12-11/2016-12-12"), "2016-03", "month")


def test_range_reference_with_a_clock_time_widens_to_days():
    result = resolve("at 3 pm", "2016-12-11/2016-12-12", NEW_YORK)
    assert result.interval == Interval(
        parse_when("2016-12-11T22:00", SITE).start,
        parse_when("2016-12-12T22:00", SITE).end,
        Precision.days,
    )


def test_approximate_reference_makes_the_result_approximate():
    result = resolve("yesterday", "~2016-12-11")
    expect(result, "~2016-12-10")
    assert result.explanation == (
        "'yesterday', counted from about Sun 11 Dec 2016 → about Sat 10 Dec 2016"
    )


# --- reading the words ---------------------------------------------------------------------------


@pytest.mark.parametrize("words", ["  Yesterday. ", "YESTERDAY", "(yesterday)", "“yesterday,”"])
def test_case_whitespace_and_punctuation_are_ignored(words):
    expect(resolve(words, "2016-12-11"), "2016-12-10", "relative-day")


@pytest.mark.parametrize(
    "words", ["the fortnight of doom", "", "   ", "on Blursday", "soon", "that day", "13 days hence"]
)
def test_unreadable_words_ask_for_resolved_as(words):
    with pytest.raises(WhenError) as error:
        resolve(words, "2016-12-11")
    assert str(error.value) == (
        f"cannot resolve the time words {words!r}; add resolved_as: with the date they mean "
        "(e.g. 2016-12-10, 2016-12-10 evening, 2016-12 or 2016-12-08/2016-12-11)"
    )


def test_unreadable_words_message_exactly():
    with pytest.raises(WhenError) as error:
        resolve("in the fullness of time", "2016-12-11")
    assert str(error.value) == (
        "cannot resolve the time words 'in the fullness of time'; add resolved_as: with the date "
        "they mean (e.g. 2016-12-10, 2016-12-10 evening, 2016-12 or 2016-12-08/2016-12-11)"
    )


def test_every_example_in_the_guide_resolves_to_its_kind():
    kinds = [kind for kind, _, _ in PHRASES]
    assert len(kinds) == len(set(kinds))
    reference = parse_when("2016-12-11", NEW_YORK)
    for kind, examples, meaning in PHRASES:
        assert examples and meaning
        for words in examples:
            assert resolve_words(words, reference, SITE).kind == kind, words


# --- properties ----------------------------------------------------------------------------------

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ZONES = [SITE, NEW_YORK, UTC, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/Adak")]


@given(
    prefix=st.sampled_from(["", "on ", "On ", "this ", "This ", "by ", "By "]),
    weekday=st.integers(min_value=0, max_value=6),
    upper=st.booleans(),
    reference=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    article_tz=st.sampled_from(ZONES),
)
def test_weekday_is_one_of_the_seven_days_ending_at_the_reference(
    prefix, weekday, upper, reference, article_tz
):
    name = WEEKDAY_NAMES[weekday].upper() if upper else WEEKDAY_NAMES[weekday]
    result = resolve_words(prefix + name, parse_when(reference.isoformat(), article_tz), SITE)
    interval = result.interval
    day = interval.first_day()
    assert interval == parse_when(day.isoformat(), SITE)
    assert interval.precision is Precision.day and not interval.approximate
    assert reference - timedelta(days=6) <= day <= reference
    assert day.weekday() == weekday


@given(
    weekday=st.integers(min_value=0, max_value=6),
    reference=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
)
def test_last_weekday_is_strictly_before_the_reference(weekday, reference):
    words = f"last {WEEKDAY_NAMES[weekday]}"
    day = resolve_words(words, parse_when(reference.isoformat(), SITE), SITE).interval.first_day()
    assert reference - timedelta(days=7) <= day < reference
    assert day.weekday() == weekday
