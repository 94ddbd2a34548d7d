"""Serve's first pages: the edited events' pages made from the last good run, with only those
records read, judged and placed again, before the content folder is read."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from .. import load
from ..errors import ContentError
from ..render import Compiled, Renderer, common_context, event_specs, render_page
from ..resolve import PlacedEvent, Timeline, place_event
from ..validate import Content, check_record
from .memo import Memory


def quick_pages(memory: Memory, last: tuple[Content, Timeline] | None, changed: set[str],
                templates: Sequence[Path], compiled: Compiled) -> dict[str, bytes]:
    """The pages of the edited events (`changed`: absolute paths), made from the last good run
    (`last`) with only those records read, judged and placed again (and put in their new
    order), before anything else is looked at: serve shows them at once; the run that follows
    makes them again, with every page that lists them, and checks them against these. Nothing
    when a changed file is not an event the last run placed, or when one has a mistake: the
    run reports it."""
    if last is None or memory.judged_with is None:
        return {}
    content, timeline = last
    known, rules = memory.judged_with
    shown_of = {hit[0][6]: shown for shown, hit in memory.texts.items()}
    by_id = {e.id: n for n, e in enumerate(timeline.events)}
    events = list(timeline.events)
    origins = dict(content.origins)
    for path in changed:
        shown = shown_of.get(path)
        parsed = memory.parsed.get(shown) if shown else None
        if parsed is None or parsed[1][0] != "event" or parsed[1][1] not in by_id:
            return {}
        kind, record_id = parsed[1]
        try:
            text = load.read_text(path, shown, memory.texts[shown][0][2])
        except (ContentError, OSError):
            return {}
        record = memory.memos["records"](text, shown, kind, record_id)
        if record.problems:
            return {}
        checked = check_record(record, known, rules, addresses=memory.memos["addresses"],
                               quiet=memory.memos["quiet"])
        if checked.model is None or checked.problems or checked.references:
            return {}
        placed = place_event(checked.model, memory.kept_around, words=memory.memos["timewords"])
        if not isinstance(placed, PlacedEvent):
            return {}
        events[by_id[record_id]] = placed
        origins[("event", record_id)] = record
    events.sort(key=lambda e: (e.placement.start, e.placement.end, e.id))
    timeline = dataclasses.replace(timeline, events=tuple(events))
    renderer = Renderer(timeline, origins, templates, markdown=memory.memos["html"],
                        compiled=compiled)
    wanted = {memory.parsed[shown_of[path]][1][1] for path in changed}
    specs = event_specs(timeline, renderer, common_context(timeline), only=wanted)
    return {spec.path: render_page(renderer, spec) for spec in specs}
