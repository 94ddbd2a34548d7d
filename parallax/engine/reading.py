"""Reading ahead: the record files the memo store does not know yet, parsed with their bodies'
Markdown on every core before the load stage asks for them one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import cache, load, markup, parallel
from ..errors import ContentError
from ..load import RawRecord
from .memo import Memory, same_file, signature


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
