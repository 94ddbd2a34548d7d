"""Coverage-guided fuzzing of the load and validate stages (and the time placement after them).

Each input becomes one record file (a source, an event, a page, site.yaml or credited.yaml,
chosen by its first byte) beside a small sound site; the site is then loaded, validated and
placed on the timeline. An editor's mistake must come out as a ContentError; anything else
(an uncaught exception, a hang past --timeout) is a finding, saved by libFuzzer as crash-*,
timeout-* or oom-* in the current folder.

    pip install atheris
    python fuzz/fuzz_load.py --seconds 600 --corpus /tmp/fuzz-load
"""

from __future__ import annotations

import shutil
from pathlib import Path

import atheris
from _common import run, scratch

with atheris.instrument_imports(include=["parallax"]):
    from parallax.errors import ContentError
    from parallax.load import load_content
    from parallax.resolve import resolve_timeline
    from parallax.validate import validate_content

SITE = """\
title: Bridge watch
description: How two outlets told the closure of a bridge.
base_url: https://example.org/bridge/
timezone: Europe/London
window: 2021-03-01/2021-03-03
"""
PARTIES = "port-authority:\n  name: Port Authority\n  kind: organisation\n"
SOURCE = """\
---
outlet: The Ledger
title: Bridge shut
published: 2021-03-02
confidence: {outlet: confirmed, byline: unknown, published: confirmed, url: unknown}
---
A daily paper.
"""
EVENT = """\
---
title: The bridge is closed
when: 2021-03-01
reported_by_one: true
accounts:
  - source: ledger
    quotes: ["closed the bridge on Monday"]
    said_when: on Monday
    credits: [port-authority]
---
The closure.
"""
PLACES = ("sources/fuzzed.md", "events/fuzzed.md", "pages/fuzzed.md", "site.yaml",
          "credited.yaml")

_root = scratch("load")


def _fresh_site() -> Path:
    content = _root / "content"
    if content.exists():
        shutil.rmtree(content)
    for folder in ("sources", "events", "pages"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text(SITE, encoding="utf-8")
    (content / "credited.yaml").write_text(PARTIES, encoding="utf-8")
    (content / "sources" / "ledger.md").write_text(SOURCE, encoding="utf-8")
    (content / "events" / "2021-03-01-bridge-closed.md").write_text(EVENT, encoding="utf-8")
    return content


def test_one(data: bytes) -> None:
    if not data:
        return
    content = _fresh_site()
    (content / PLACES[data[0] % len(PLACES)]).write_bytes(data[1:])
    try:
        resolve_timeline(validate_content(load_content(content)))
    except ContentError as error:
        for problem in error.problems:
            text = str(problem)
            assert "\n" not in text and "Traceback" not in text, text


if __name__ == "__main__":
    run(atheris, test_one, __doc__.splitlines()[0])
