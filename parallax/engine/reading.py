"""Reading ahead: the record files the memo store does not know yet, parsed with their bodies'
Markdown on every core before the load stage asks for them one by one; then the events judged
and placed on every core before the validate and resolve stages ask for them one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import cache, load, markup, parallel
from ..errors import ContentError
from ..load import RawContent, RawRecord
from ..models import SiteSettings
from ..resolve import PlacedEvent, around_of, place_event
from ..validate import Rules, check_record, known_of
from .memo import Kept, Memory, around_key, same_file, signature


def read_ahead(memory: Memory, root: Path, jobs: int) -> None:
    """Parse the record files under `root` the memos do not know yet, with their bodies'
    Markdown, on `jobs` cores; the stages then find them in the memos. Files that cannot be
    read are left for the load stage to report."""
    found = []
    for folder, kind in load.KINDS.items():
        for path in sorted((root / folder).rglob("*" + load.RECORD_SUFFIX)):
            if path.is_file() and not path.is_symlink():  # links: the load stage judges them
                found.append((path, kind))
    memo = memory.memos["records"]
    items = []
    for path, kind in found:
        shown = load.display_path(path, root)
        hit = memory.texts.get(shown)
        try:
            if hit is not None and same_file(hit[0], signature(path, hit[0][2])):
                continue  # read before, unchanged: the snapshot has its parse
        except OSError:
            continue
        try:
            text = load.read_text(path, shown)
        except (ContentError, OSError):
            continue
        items.append((text, shown, kind, path.stem))
    if len(items) < parallel.MIN_ITEMS:
        return
    wanted = set(memo.missing([memo.key(*item) for item in items]))
    todo = [item for item in items if memo.key(*item) in wanted]
    for item, (record, results) in zip(todo, parallel.fork_map(_read_one, todo, jobs),
                                       strict=True):
        if record is None:
            continue
        memo.remember(memo.key(*item), cache.unflatten(RawRecord, record))
        for name, key, value in results:
            memory.memos[name].remember(key, value)


def _read_one(item: tuple[str, str, str, str]) -> tuple[Any, list[tuple[str, Any, Any]]]:
    """In a worker: one record file's front matter, and its body's Markdown results."""
    text, shown, kind, record_id = item
    try:
        record = load.parse_markdown(text, shown, kind, record_id)
    except ContentError:
        return None, []  # the load stage reports it, in order with everything else
    return cache.flatten(record), [
        ("addresses", cache.text_key(record.body), markup.address_problems(record.body)),
        ("html", cache.text_key(record.body), markup.convert(record.body)),
        ("quiet", cache.text_key(record.body), markup.quiet_changes(record.body)),
    ]


def judge_ahead(memory: Memory, raw: RawContent, jobs: int) -> None:
    """Judge and place, on `jobs` cores, the events whose judgement the memo store does not
    hold for what they are judged by now; the validate and resolve stages then find them in
    the memos. What they are judged and placed by (the ids, site.yaml's rules, the time zone,
    window and sources) is worked out here as those stages work it out; nothing is done when
    site.yaml or a source has a mistake (the stages report it)."""
    events = [r for r in raw.records if r.kind == "event" and not isinstance(r, Kept)]
    if len(events) < parallel.MIN_ITEMS:
        return
    first: dict[tuple[str, str], RawRecord] = {}  # the stages judge an id's first record
    for record in raw.records:
        first.setdefault((record.kind, record.id), record)
    known = known_of(raw.records)
    site = first.get(("site", "site"))
    settings = check_record(site, known, Rules()).model if site is not None else None
    if not isinstance(settings, SiteSettings):
        return
    rules = Rules.of(settings)
    sources = []
    for key in sorted(key for key in first if key[0] == "source"):
        model = check_record(first[key], known, rules).model
        if model is None:
            return
        sources.append(model)
    around = around_of(settings, tuple(sources))
    checked = memory.checked
    todo = [r for r in events if first[(r.kind, r.id)] is r and not (
        (hit := checked.get((id(r), rules))) is not None and hit[0] is r and hit[1] == known)]
    if len(todo) < parallel.MIN_ITEMS:
        return
    memos = memory.memos

    def judge(record: RawRecord) -> tuple[Any, PlacedEvent | tuple | None]:
        done = check_record(record, known, rules, addresses=memos["addresses"],
                            quiet=memos["quiet"])
        if done.model is None:
            return done, None
        return done, place_event(done.model, around, words=memos["timewords"])

    placed_by = around_key(around)
    for record, (done, placed) in zip(todo, parallel.fork_map(judge, todo, jobs), strict=True):
        checked[(id(record), rules)] = (record, known, done)
        memory.worked += 1
        if placed is not None:
            memory.placed[id(done.model)] = (done.model, placed_by, placed)
            memory.worked += 1
