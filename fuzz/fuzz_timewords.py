"""Coverage-guided fuzzing of the time-words resolver and the editors' date forms.

Each input gives some time words, an article date (any year from 1 to 9999), an article time
zone and the site's, and asks `resolve_words` to place the words; it also reads the words as an
editors' date (`parse_when`). Words that cannot be read must raise WhenError; anything else (an
uncaught exception, a hang past --timeout) is a finding, saved by libFuzzer as crash-*,
timeout-* or oom-* in the current folder.

    pip install atheris
    python fuzz/fuzz_timewords.py --seconds 600 --corpus /tmp/fuzz-timewords
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import atheris
from _common import run

with atheris.instrument_imports(include=["parallax"]):
    from parallax.timewords import resolve_words
    from parallax.when import Interval, Precision, WhenError, local_time, parse_when

ZONES = [ZoneInfo(name) for name in (
    "UTC", "Asia/Damascus", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago",
    "Etc/GMT-14", "Etc/GMT+12", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns")]
HEADER = 8
"""The first bytes choose the article's date and zones; the rest, read as UTF-8, are the words
(so a corpus of real time words can be given as files)."""


def test_one(data: bytes) -> None:
    if len(data) < HEADER:
        return
    year = 2 + int.from_bytes(data[0:2], "little") % 9997
    month = 1 + data[2] % 12
    day = 1 + data[3] % (28 if month == 2 else 30)
    days = data[4] % 4
    article = ZONES[data[5] % len(ZONES)]
    site = ZONES[data[6] % len(ZONES)]
    words = data[HEADER:].decode("utf-8", "replace")
    first = date(year, month, day)
    try:
        start = local_time(first, 0, article)
        end = local_time(first, 24 * (days + 1), article)
    except (OverflowError, ValueError):
        return  # no article is dated at the calendar's very edge; the loader refuses it
    reference = Interval(start, end, Precision.day if days == 0 else Precision.days)
    try:
        resolution = resolve_words(words, reference, site)
    except WhenError:
        pass
    else:
        resolution.interval.describe()
    try:
        parse_when(words, site).describe()
    except WhenError:
        pass


if __name__ == "__main__":
    run(atheris, test_one, __doc__.splitlines()[0])
