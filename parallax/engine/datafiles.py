"""The data-file parts: each event's share of the data files (its rows of the tables, its
entries in the JSON files), taken from the last build's files when it was made from the same
inputs (the event's record, what placing reads, the site), else made by the export stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import export, feeds
from ..resolve import PlacedEvent, Timeline
from .keys import digest
from .memo import Memory
from .outputs import Built
from .planner import SiteKeys

Parts = dict[tuple[str, str], tuple[tuple[bytes, bytes, bytes], int, int]]
"""Where each event's part of each data file is in the last build's file, by (part, event
id): what it was made from (the event's record text, what placing reads and the site, as
hashes), its offset and length."""


class DataParts:
    """The parts of the last build's data files, kept between runs."""

    def __init__(self) -> None:
        self.parts: Parts | None = {}
        """None: still in the cache folder (`unread`)."""
        self.key: bytes | None = None
        """The key of the data files `parts` points into."""
        self.saved = True
        """Whether the cache folder holds `parts` as they are."""
        self.unread: Callable[[], Any] | None = None
        """Reads the parts the cache folder keeps (set while `parts` is None)."""

    def data_key(self, site: SiteKeys, timeline: Timeline, paths: list[str]) -> bytes:
        """What the data files and the sitemap read: every event whole, and the list of pages."""
        return digest(site.site, *(site.event(e.id)[0] for e in timeline.events), *paths)

    def make(self, memory: Memory, built: Built, site: SiteKeys, timeline: Timeline,
             paths: list[str], keys: dict[str, Any], fresh: dict[str, bytes]) -> None:
        """The data files and the crawler files (keys and, when made, bytes into `keys` and
        `fresh`), made again only when what they read changed; each event's part is then
        taken from the last build's files when it can be."""
        data_key = self.data_key(site, timeline, paths)
        if not built.changed("data/timeline.json", data_key):
            for path, (key, _) in built.files.items():
                if key == data_key and path not in keys:
                    keys[path] = data_key
            return
        run = _PartsRun(self, memory, built, site)
        places: export.Places = {}
        files = export.data_files(timeline, part=run.part, places=places)
        files.update(export.crawler_files(timeline.site, paths))
        files.update(feeds.feed_files(timeline))
        for path, data in files.items():
            keys[path] = data_key
            fresh[path] = data
        self.parts = {key: (made_from, *places[key]) for key, made_from in run.now.items()}
        self.key = data_key
        self.saved = False


class _PartsRun:
    """One making of the data files: which parts it took, and from what."""

    def __init__(self, kept: DataParts, memory: Memory, built: Built, site: SiteKeys):
        self.kept = kept
        self.memory = memory
        self.built = built
        self.site = site
        self.now: dict[tuple[str, str], tuple[bytes, bytes, bytes]] = {}
        self._made_from: dict[str, tuple[bytes, bytes, bytes]] = {}
        self._views: dict[str, memoryview | None] = {}

    def part(self, name: str, placed: PlacedEvent, make: Callable[[PlacedEvent], Any]) -> Any:
        """An event's part of a data file: the bytes the last build's file has for it, when
        it was made from the same inputs; else made."""
        kept = self.kept
        if kept.parts is None:
            found = kept.unread() if kept.unread is not None else None
            kept.key, kept.parts = found if isinstance(found, tuple) and len(found) == 2 else (
                None, {})
        key = (name, placed.id)
        made_from = self._made_from.get(placed.id)
        if made_from is None:
            made_from = self._made_from[placed.id] = (
                self.site.event(placed.id)[0], self.memory.around[1], self.site.site)
        self.now[key] = made_from
        hit = kept.parts.get(key)
        if hit is not None and hit[0] == made_from:
            found_file = self._last_file(name)
            if found_file is not None:
                return found_file[hit[1]:hit[1] + hit[2]]
        self.memory.worked += 1
        return make(placed)

    def _last_file(self, name: str) -> memoryview | None:
        """The last build's data file of this part, if the kept parts point into it."""
        if name not in self._views:
            last = self.built.files.get(export.PART_FILES[name])
            self._views[name] = (memoryview(last[1]()) if last is not None
                                 and last[0] == self.kept.key else None)
        return self._views[name]

