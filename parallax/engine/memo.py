"""The memo store: what earlier runs worked out from each record (its file's text and parse,
its judgement, its placing), kept between runs by what it was worked out from.

The stages are handed one run's lookups (`RunMemo`: read, parse, check, place), which answer
from the store when the inputs are the same, work the result out when they are not, and note
what this run used; what a run did not use is forgotten when it ends (`loaded`, `judged`).
The per-text results (Markdown, addresses, time words, parses by text) are `cache.Memo`s,
which the cache folder keeps too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import cache, load, markup, timewords
from ..load import RawRecord
from ..resolve import Around, PlacedEvent, place_event
from ..validate import Checked, Known, Rules, check_record
from .keys import digest


def new_memos() -> dict[str, cache.Memo]:
    """The results kept by the text they were worked out from."""
    return {
        "records": cache.Memo("records", load.parse_markdown, cache.record_key,
                              cache.flatten, lambda row: cache.unflatten(RawRecord, row)),
        "addresses": cache.Memo("addresses", markup.address_problems, cache.text_key),
        "html": cache.Memo("html", markup.convert, cache.text_key),
        "quiet": cache.Memo("quiet", markup.quiet_changes, cache.text_key),
        "timewords": cache.Memo("timewords", timewords.resolve_words, cache.time_words_key),
    }


class Memory:
    """What the runs of one engine worked out for each record, kept between runs."""

    def __init__(self) -> None:
        self.memos = new_memos()
        self.texts: dict[str, tuple[tuple[Any, ...], str]] = {}
        """Each record file's signature when read (`signature`) and text, by its shown path."""
        self.parsed: dict[str, tuple[str, tuple[str, str], RawRecord]] = {}
        """Each record file's parse, with the text and (kind, id) it was parsed from."""
        self.hashes: dict[str, tuple[bytes, bytes]] = {}
        """Each Markdown record file's (whole, front matter) hash, by its shown path."""
        self.checked: dict[tuple[int, Rules], tuple[RawRecord, Known, Checked]] = {}
        """Each record's judgement, by the record's identity and the site's rules."""
        self.placed: dict[int, tuple[Any, bytes, PlacedEvent | tuple]] = {}
        """Each event's placing, by the model's identity, with a hash of what it was placed
        around."""
        self.worked = 0
        """Records worked out rather than found (parsed, judged, placed or exported) since the
        snapshot in the cache folder was written."""
        self.judged_with: tuple[Known, Rules] | None = None
        """What the last run judged events against (serve's quick pages judge with it)."""
        self.around: tuple[int, bytes] = (0, b"")
        """The identity of what the last events were placed around, and its hash."""
        self.kept_around: Around | None = None

    def restore(self, texts: dict, parsed: dict, checked: dict, placed: dict, hashes: dict) -> None:
        """Take what a snapshot kept. The judgements and placings are kept by the identity of
        the objects they were worked out from, which the snapshot preserves (one pickle), but
        not their ids."""
        self.texts, self.parsed, self.hashes = texts, parsed, hashes
        self.checked = {(id(hit[0]), rules): hit for (_, rules), hit in checked.items()}
        self.placed = {id(hit[0]): hit for hit in placed.values()}

    def begin(self, changed: set[str] | None) -> RunMemo:
        """One run's lookups. `changed`: the paths of the files changed since the last run
        (None: look at every file)."""
        for memo in self.memos.values():
            memo.begin()
        return RunMemo(self, None if changed is None else {os.path.abspath(p) for p in changed})

    def forget_unused(self) -> None:
        """A long session keeps one site's worth."""
        for memo in self.memos.values():
            memo.forget_unused()


class RunMemo:
    """One run's use of the memo store: the functions the load, validate and resolve stages
    are handed, and what of the store this run used."""

    def __init__(self, memory: Memory, changed: set[str] | None):
        self.memory = memory
        self.changed = changed
        """The absolute paths of the files changed since the last run; None: look at all."""
        self.texts: dict[str, tuple[tuple[Any, ...], str]] = {}
        self.parsed: dict[str, tuple[str, tuple[str, str], RawRecord]] = {}
        self.checked: dict[tuple[int, Rules], tuple[RawRecord, Known, Checked]] = {}
        self.placed: dict[int, tuple[Any, bytes, PlacedEvent | tuple]] = {}

    def read(self, path: str | Path, shown: str, limit: int | None = None) -> str:
        """A file's text, read again unless its size and times are those seen when it was
        read before, and were settled then (cache.settled: a file changed within a timestamp
        step of being read is read again)."""
        hit = self.memory.texts.get(shown)
        if hit is not None and hit[0][2] == limit and self.changed is not None and (
                os.path.abspath(path) not in self.changed):
            self.texts[shown] = hit  # serve's watcher saw no change to it
            return hit[1]
        seen = signature(path, limit)
        if hit is not None and same_file(hit[0], seen):
            self.texts[shown] = hit
            return hit[1]
        text = load.read_text(path, shown, limit)
        if hit is not None and hit[0][2] == limit and hit[1] == text:
            text = hit[1]  # the same text: what was worked out from it still holds
        self.texts[shown] = (seen, text)
        return text

    def parse(self, text: str, shown: str, kind: str, record_id: str) -> RawRecord:
        memory = self.memory
        hit = memory.parsed.get(shown)
        if hit is not None and hit[0] is text and hit[1] == (kind, record_id):
            self.parsed[shown] = hit
            return hit[2]
        record = memory.memos["records"](text, shown, kind, record_id)
        memory.worked += 1
        memory.hashes[shown] = (digest(text), digest(_front(text, record.body)))
        self.parsed[shown] = (text, (kind, record_id), record)
        return record

    def check(self, record: RawRecord, known: Known, rules: Rules) -> Checked:
        memory = self.memory
        if record.kind == "event":
            memory.judged_with = (known, rules)
        key = (id(record), rules)
        hit = memory.checked.get(key)
        if hit is not None and hit[0] is record and hit[1] == known:
            self.checked[key] = hit
            return hit[2]
        whole = record if not isinstance(record, Kept) else memory.memos["records"](
            record.text, record.path, record.kind, record.id)
        checked = check_record(whole, known, rules, addresses=memory.memos["addresses"],
                               quiet=memory.memos["quiet"])
        memory.worked += 1
        self.checked[key] = (record, known, checked)
        return checked

    def place(self, event: Any, around: Around) -> PlacedEvent | tuple:
        memory = self.memory
        if memory.around[0] != id(around):
            memory.around = (id(around), digest(around.tz, around.window, around.sources,
                                                sorted(around.source_dates.items())))
            memory.kept_around = around
        around_key = memory.around[1]
        hit = memory.placed.get(id(event))
        if hit is not None and hit[0] is event and hit[1] == around_key:
            self.placed[id(event)] = hit
            return hit[2]
        placed = place_event(event, around, words=memory.memos["timewords"])
        memory.worked += 1
        self.placed[id(event)] = (event, around_key, placed)
        return placed

    def loaded(self) -> None:
        """The content is read: the store keeps the files and parses this run used."""
        self.memory.texts, self.memory.parsed = self.texts, self.parsed

    def judged(self) -> None:
        """The content is judged and placed: the store keeps the results this run used."""
        self.memory.checked, self.memory.placed = self.checked, self.placed


class Kept(RawRecord):
    """An event's parse as the snapshot keeps it: without its front matter's data and where
    each key stands (most of the snapshot's objects, and of the time it takes to read), which
    are parsed again from its text when asked for: when the record must be judged again (the
    run then asks its memo), or a message needs a line."""

    _FIELDS = ("kind", "id", "path", "body", "body_line", "line", "problems", "marked")

    def __init__(self, record: RawRecord, text: str):
        for name in self._FIELDS:
            object.__setattr__(self, name, getattr(record, name))
        object.__setattr__(self, "text", text)

    def whole(self) -> RawRecord:
        found = self.__dict__.get("_whole")
        if found is None:
            found = load.parse_markdown(self.text, self.path, self.kind, self.id)
            object.__setattr__(self, "_whole", found)
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name != "_whole"}

    data = property(lambda self: self.whole().data)
    lines = property(lambda self: self.whole().lines)
    booleans = property(lambda self: self.whole().booleans)
    bare = property(lambda self: self.whole().bare)


def signature(path: str | Path, limit: int | None) -> tuple[Any, ...]:
    """What tells a file's text is the one read before: its size and modification time, the
    change time too (a copy that keeps the modification time and the size still changes it),
    and the file's identity, so that another folder's file is never taken for it; and whether
    those were settled when seen (cache.settled)."""
    stat = cache.file_stat(path)
    return (stat.st_size, stat.st_mtime_ns, limit, stat.st_ctime_ns, stat.st_ino, stat.st_dev,
            os.path.abspath(path), cache.settled(stat, cache.now_ns()))


def same_file(seen: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """Whether a file seen with signature `seen` is unchanged, its signature now `now`."""
    return len(seen) == 8 and seen[7] and seen[:7] == now[:7]


def _front(text: str, body: str) -> str:
    """A record file's text without its body (all of it when the body is not its tail)."""
    return text[: len(text) - len(body)] if body and text.endswith(body) else text
