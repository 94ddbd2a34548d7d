"""The search index in the engine: which shards to index again, Pagefind running in processes
of its own while the rest of the build is made, and the bundles it made (the search stage,
search.py, knows Pagefind; this module only decides when to call it and keeps its results).

The index reads every page that asks to be indexed (or all, when none does), in shards
(search.shards), each keyed by its pages' bytes: an edit to a page that is not indexed, or one
that leaves the indexed pages as they were, runs no indexer, and an edit to one event page
runs it for that page's shard only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import cache, search
from .keys import digest
from .outputs import Built, Files


class SearchIndex:
    """One run's search index: planned from the pages (`keys`, `fresh`) when made, run with
    `running`, its files then added with `made`."""

    def __init__(self, built: Built, keys: dict[str, Any], fresh: dict[str, bytes],
                 say: Callable[[str], None]):
        self.keys = keys
        self.fresh = fresh
        html = sorted(p for p in keys if p.endswith(".html"))
        facts = {}
        for path in html:
            fact = built.facts.get(path)
            if path in fresh or fact is None or fact[0] != keys[path]:
                data = fresh[path] if path in fresh else built.files[path][1]()
                fact = (keys[path], digest(data), search.MARK in data)
            facts[path] = fact
        built.facts = facts
        indexed = [p for p in html if facts[p][2]] or html
        self.todo: list[search.Shard] = []
        self.shard_keys: list[bytes] = []
        kept_shards = set()
        for shard in search.shards(indexed):
            key = digest(search.PAGEFIND_VERSION, shard.folder, shard.count,
                         *(f"{p}\0".encode() + facts[p][1] for p in shard.paths))
            if built.changed(shard.entry, key):
                self.todo.append(shard)
                self.shard_keys.append(key)
            else:
                kept_shards.add(key)
        for path, (key, _) in built.files.items():
            if key in kept_shards and path not in keys:
                keys[path] = key
        self.pages = Files({p: fresh[p] for p in html if p in fresh},
                           {p: built.files[p][1] for p in html if p not in fresh})
        self.bundles: list[dict[str, bytes]] = []
        if self.todo:
            say(f"search index: {len(self.todo)} of {self.todo[0].count} shards to index")

    @contextmanager
    def running(self, jobs: int, folder: Path | None, out: Path) -> Iterator[None]:
        """Pagefind runs in processes of its own while the caller's block makes the rest (the
        thread only waits on those processes). The shards' pages are kept in the cache folder
        `folder`: one copy, whatever the output folder (builds into a new folder each time
        leave no copy behind for each)."""
        keep = folder / "search" / search.KEPT if folder else None
        scratch = cache.folder_for(out) / "search"
        with search.Indexing(self.pages, self.todo, keep=keep, scratch=scratch) as indexing:
            waiting = threading.Thread(target=indexing.run, args=(jobs,), daemon=True)
            waiting.start()
            try:
                yield
            finally:
                waiting.join()
            self.bundles = indexing.bundles()

    def made(self) -> dict[str, bytes]:
        """The new shards' files (their keys and bytes into the run's `keys` and `fresh`)."""
        for key, bundle in zip(self.shard_keys, self.bundles, strict=True):
            for path, data in bundle.items():
                self.keys[path] = key
                self.fresh[path] = data
        return {path: data for bundle in self.bundles for path, data in bundle.items()}
