"""Render stage helper: the site's Atom feeds (RFC 4287), one of events and one of corrections.

Plain data in, bytes out, written by hand (the format is small and fixed; no library). Every
date comes from the records, so the same content writes the same bytes:

- a date in a record is a day (`added`, a correction's `date`), written as that day's midnight
  in UTC (2026-12-05T00:00:00Z);
- events feed: one entry per event that has `added`, published on that day and updated on its
  newest correction's day (or its `added`); newest update first, then newest published, then
  by id;
- corrections feed: one entry per correction, newest first in the order of the corrections
  page (views.site_corrections);
- a feed's own `updated` is its newest entry's; a feed with no entry takes the newest date of
  any record, else the first day of the site's window.

Each entry's id is a tag URI made from the site's `feed_id` (RFC 4151), never from its address,
so a reader's subscription survives a move:

- `<feed_id>:event:<event id>`
- `<feed_id>:correction:<event|source>:<record id>:<date>:<n>`, n counting from 1 among that
  record's corrections of that date in the order written (corrections are written oldest first,
  so a new one never renumbers an earlier one).

Feeds need absolute addresses: a site without an address or a feed id has none (`missing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from .resolve import PlacedEvent, Timeline
from .views import LoggedCorrection, corrections_page, site_corrections

EVENTS = "feeds/events.xml"
CORRECTIONS = "feeds/corrections.xml"
FEEDS = (EVENTS, CORRECTIONS)

KIND_WORD = {"correction": "Correction", "clarification": "Clarification", "update": "Update"}


def missing(timeline: Timeline) -> str | None:
    """Why the site has no feeds (a notice for the build to give once), or None."""
    site = timeline.site
    lacking = [what for what, value in (("no address", site.base_url),
                                        ("no feed id", site.feed_id)) if value is None]
    if not lacking:
        return None
    return (f"the site has {' and '.join(lacking)}, so no Atom feed is written "
            "(feeds/events.xml, feeds/corrections.xml); give feed_id in site.yaml, a tag URI "
            "that stays the site's whatever its address (e.g. tag:example.org,2026:site)")


def undated(timeline: Timeline) -> str | None:
    """How many events the events feed leaves out for want of `added` (a notice), or None."""
    count = sum(1 for e in timeline.events if e.event.added is None)
    if not count or missing(timeline):
        return None
    return (f"{count} of {len(timeline.events)} event{'s' if len(timeline.events) != 1 else ''} "
            f"{'has' if count == 1 else 'have'} no 'added:' date and "
            f"{'is' if count == 1 else 'are'} left out of the events feed; give each the day "
            "it was first published on the site")


def unlisted(timeline: Timeline) -> str | None:
    """A notice when records have corrections but no content page lists them, or None."""
    if corrections_page(timeline) is not None or not any(
            record.corrections for record in (*timeline.sources,
                                              *(e.event for e in timeline.events))):
        return None
    return ("the records have corrections, but no content page lists them: add one (e.g. "
            "content/pages/corrections.md) with 'lists: corrections' and the site's "
            "corrections policy as its text")


def stamp(day: str) -> str:
    """A day (YYYY-MM-DD) as an Atom date: its midnight in UTC."""
    return f"{day}T00:00:00Z"


def event_id(feed_id: str, event: str) -> str:
    return f"{feed_id}:event:{event}"


def correction_id(feed_id: str, logged: LoggedCorrection) -> str:
    return (f"{feed_id}:correction:{logged.kind}:{logged.record_id}:"
            f"{logged.correction.date}:{logged.n}")


def correction_anchor(logged: LoggedCorrection) -> str:
    """The correction's id on its record's page."""
    return f"correction-{logged.correction.date}-{logged.n}"


def event_updated(placed: PlacedEvent) -> str | None:
    """An event's day in the events feed: its newest correction's, else its `added`."""
    event = placed.event
    if event.added is None:
        return None
    return max([event.added, *(c.date for c in event.corrections)])


def feed_files(timeline: Timeline) -> dict[str, bytes]:
    """Both feeds by path, or nothing for a site without an address or a feed id."""
    if missing(timeline):
        return {}
    return {EVENTS: events_feed(timeline), CORRECTIONS: corrections_feed(timeline)}


def _newest_record_day(timeline: Timeline) -> str:
    days = [d for e in timeline.events for d in (e.event.added, *(c.date for c in e.event.corrections))
            if d is not None]
    days += [d for s in timeline.sources for d in (s.added, *(c.date for c in s.corrections))
             if d is not None]
    return max(days) if days else timeline.window.first_day().isoformat()


def _feed(timeline: Timeline, name: str, title: str, subtitle: str, alternate: str,
          entries: list[tuple[str, str]]) -> bytes:
    """A feed of `entries` (each: its updated day, its XML) under `name`."""
    site = timeline.site
    base = site.base_url or ""
    updated = max((day for day, _ in entries), default=_newest_record_day(timeline))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_attr(site.language)}">',
        f"  <id>{_text(site.feed_id or '')}:feed:{name}</id>",
        f"  <title>{_text(title)}</title>",
        f"  <subtitle>{_text(subtitle)}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href="{_attr(base + "feeds/" + name + ".xml")}"/>',
        f'  <link rel="alternate" type="text/html" href="{_attr(base + alternate)}"/>',
        f"  <updated>{stamp(updated)}</updated>",
        f"  <author><name>{_text(site.title)}</name></author>",
        *(xml for _, xml in entries),
        "</feed>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _entry(entry_id: str, title: str, href: str, published: str, updated: str,
           summary: str) -> str:
    """One feed entry's XML: its id, title, link, days and summary."""
    return "\n".join([
        "  <entry>",
        f"    <id>{_text(entry_id)}</id>",
        f"    <title>{_text(title)}</title>",
        f'    <link rel="alternate" type="text/html" href="{_attr(href)}"/>',
        f"    <published>{stamp(published)}</published>",
        f"    <updated>{stamp(updated)}</updated>",
        f"    <summary>{_text(summary)}</summary>",
        "  </entry>",
    ])


def events_feed(timeline: Timeline) -> bytes:
    site = timeline.site
    base = site.base_url or ""
    dated = [(event_updated(e), e) for e in timeline.events if e.event.added is not None]
    dated.sort(key=lambda pair: pair[1].id)
    dated.sort(key=lambda pair: (pair[0], pair[1].event.added), reverse=True)
    entries = []
    for updated, placed in dated:
        event = placed.event
        newest = max(event.corrections, key=lambda c: c.date, default=None)
        summary = placed.event.title + ", " + placed.placement.describe() + "."
        if newest is not None:
            count = len(event.corrections)
            summary += (f" Corrected {count} time{'s' if count != 1 else ''}, last on "
                        f"{newest.date} ({newest.kind.value}): {newest.why}")
        entries.append((updated, _entry(event_id(site.feed_id or "", placed.id), event.title,
                                        base + "events/" + placed.id + "/", event.added or "",
                                        updated or "", summary)))
    return _feed(timeline, "events", f"{site.title}: events",
                 "Each event when it is first published, and again when it is corrected.",
                 "", entries)


def corrections_feed(timeline: Timeline) -> bytes:
    site = timeline.site
    base = site.base_url or ""
    entries = []
    for logged in site_corrections(timeline):
        correction = logged.correction
        what = KIND_WORD[correction.kind.value]
        about = f"{what}: {logged.title}"
        if logged.account_name:
            about += f" ({logged.account_name}{', account removed' if correction.removed else ''})"
        parts = []
        if correction.field:
            parts.append(f"Changed: {correction.field}.")
        parts += [f"Before: {correction.before}", f"Now: {correction.now}",
                  f"Why: {correction.why}"]
        entries.append((correction.date, _entry(
            correction_id(site.feed_id or "", logged), about,
            base + logged.page + "#" + correction_anchor(logged), correction.date,
            correction.date, "\n".join(parts))))
    return _feed(timeline, "corrections", f"{site.title}: corrections",
                 "Every correction, clarification and update to the site's records.",
                 corrections_page(timeline) or "", entries)


# Characters XML 1.0 does not allow, which a YAML escape ("\uFFFE") can still write into a
# record: shown as U+FFFD, so a feed stays well-formed whatever the text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value), quote=False)


def _attr(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value), quote=True)


def head_links(timeline: Timeline) -> Iterable[tuple[str, str]]:
    """(title, path under the root) of each feed, for every page's head."""
    if missing(timeline):
        return ()
    title = timeline.site.title
    return ((f"{title}: events", EVENTS), (f"{title}: corrections", CORRECTIONS))
