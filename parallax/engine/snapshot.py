"""The snapshot: what the engine keeps in the cache folder between processes, and reads back
when a new one starts, so that a new process finds every unchanged record's results as a
warm serve engine does.

Each kept thing is one file written whole by cache.write_state (under the cache's one
version key): the memo store (STATE), the last run's list of pages (PAGES), the compiled
templates (TEMPLATES) and where each event's part of the data files is (PARTS); the memos
keep their own files (cache.Memo).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import cache
from ..load import RawRecord
from ..render import Compiled
from .datafiles import DataParts
from .memo import Kept, Memory
from .planner import Planner

STATE = "engine.pickle"
"""The memo store: what the engine worked out for each record (the file's text and parse, its
judgement, its placing), kept as objects that still share what they shared."""
PARTS = "engine-parts.pickle"
"""Where each event's share of the data files is in the last build's files, and what it was
made from (read only by a run that makes the data files: a check does not)."""
STATE_SLACK = 64
"""How many records the snapshot may lag behind before it is written again (writing it costs
about as much as working out a few hundred records; each record it lags by costs about a
millisecond per build)."""
PAGES = "pages.pickle"
"""The last run's list of pages (path, template, what each reads), with the key of what the
list is made from."""
TEMPLATES = "templates.pickle"
"""The templates as Jinja compiled them (Jinja checks each against its template's source)."""


class Snapshot:
    """The engine's files in the cache folder `folder` (None: nothing is kept)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.taken = False
        """Whether the cache folder holds a snapshot of the memo store (give or take
        `Memory.worked`)."""
        self._shape: Any = None
        self._templates: dict[str, bytes] = {}

    def restore(self, memory: Memory, planner: Planner, compiled: Compiled,
                parts: DataParts) -> None:
        """Start the engine's rooms from what the cache folder keeps."""
        folder = self.folder
        if folder is None:
            return
        shape = cache.read_state(folder / PAGES)
        if isinstance(shape, tuple) and len(shape) == 2:
            planner.shape = self._shape = shape
        code = cache.read_state(folder / TEMPLATES)
        if isinstance(code, dict):
            compiled.code.update(code)
            self._templates = dict(code)
        state = cache.read_state(folder / STATE)
        if isinstance(state, tuple) and len(state) == 5:
            memory.restore(*state)
            parts.parts = None
            parts.unread = lambda: cache.read_state(folder / PARTS)
            self.taken = True
        for memo in memory.memos.values():
            memo.load(folder, defer=STATE_SLACK if self.taken else 0)

    def save(self, memory: Memory, planner: Planner, compiled: Compiled,
             parts: DataParts) -> None:
        """Keep what the engine's latest run used, and the memo store when the snapshot of it
        lags too far behind."""
        folder = self.folder
        if folder is None:
            return
        for memo in memory.memos.values():
            if memo.used:
                memo.save(folder)
        if planner.shape is not None and planner.shape is not self._shape:
            cache.write_state(folder / PAGES, planner.shape)
            self._shape = planner.shape
        if compiled.code != self._templates:
            self._templates = dict(compiled.code)
            cache.write_state(folder / TEMPLATES, self._templates)
        if not parts.saved and parts.parts is not None:
            cache.write_state(folder / PARTS, (parts.key, parts.parts))
            parts.saved = True
        if not self.taken or memory.worked > STATE_SLACK:
            cache.write_state(folder / STATE, _kept(memory))
            self.taken = True
            memory.worked = 0


def _kept(memory: Memory) -> tuple[Any, ...]:
    """What the snapshot keeps of the memo store: each event's parse without its front
    matter's data and lines (see memo.Kept)."""
    kept: dict[int, RawRecord] = {}

    def slim(record: RawRecord, text: str) -> RawRecord:
        if record.kind != "event" or isinstance(record, Kept):
            return record
        if id(record) not in kept:
            kept[id(record)] = Kept(record, text)
        return kept[id(record)]

    parsed = {shown: (text, what, slim(record, text))
              for shown, (text, what, record) in memory.parsed.items()}
    checked = {key: (kept.get(id(record), record), known, result)
               for key, (record, known, result) in memory.checked.items()}
    return (memory.texts, parsed, checked, memory.placed, memory.hashes)
