"""Tests for parallax.when's descriptions, which are worked out once for each interval and kept:
intervals that are equal (the same instants) but read differently on the wall clock must each
get their own words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from parallax.when import Interval, Precision, parse_when

DAMASCUS = ZoneInfo("Asia/Damascus")  # UTC+2 in December 2016
NEW_YORK = ZoneInfo("America/New_York")


def test_different_intervals_are_described_each_in_its_own_words():
    for _ in range(2):  # the second time from what was kept
        assert parse_when("2016-12-10 evening", DAMASCUS).describe() == "Sat 10 Dec 2016, evening"
        assert parse_when("2016-12-11 evening", DAMASCUS).describe() == "Sun 11 Dec 2016, evening"
        assert parse_when("~2016-12-10 evening", DAMASCUS).describe() == (
            "about Sat 10 Dec 2016, evening")
        assert parse_when("2016-12-10/2016-12-11", DAMASCUS).describe() == "10–11 Dec 2016"
        assert parse_when("2016-12", DAMASCUS).describe() == "Dec 2016"


def test_the_same_instants_in_another_zone_read_as_that_zone_s_clock():
    """Two sites in different zones: their intervals may be equal, their words are not."""
    in_utc = parse_when("2016-12-10T22:30", ZoneInfo("UTC"))
    in_damascus = in_utc.astimezone(DAMASCUS)
    assert in_utc == in_damascus  # equal instants
    assert in_utc.describe() == "Sat 10 Dec 2016, 22:30"
    assert in_damascus.describe() == "Sun 11 Dec 2016, 00:30"
    assert in_utc.describe() == "Sat 10 Dec 2016, 22:30"


def test_an_hour_that_comes_twice_is_told_apart():
    """01:30 on the night the clocks go back, the first time and the second: equal on the wall
    clock (and as keys, but for the fold), an hour apart in time."""
    end = datetime(2016, 11, 6, 6, 31, tzinfo=UTC)
    first = Interval(datetime(2016, 11, 6, 1, 30, tzinfo=NEW_YORK), end, Precision.time)
    second = Interval(datetime(2016, 11, 6, 1, 30, fold=1, tzinfo=NEW_YORK), end, Precision.time)
    assert second.end - second.start == timedelta(minutes=1)
    assert first.describe() == "Sun 6 Nov 2016, 01:30–06:31"
    assert second.describe() == "Sun 6 Nov 2016, 01:30"
    assert first.describe() == "Sun 6 Nov 2016, 01:30–06:31"
