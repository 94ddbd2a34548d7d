"""The search index in the engine: whether to index again, Pagefind running in a process of
its own while the rest of the build is made, and the index it made (the search stage, search.py,
knows Pagefind; this module only decides when to call it and keeps its result).

The index reads every page that asks to be indexed (or all, when none does), keyed by their
bytes: an edit to a page that is not indexed, or one that leaves the indexed pages as they
were, runs no indexer; any other indexes them all again (one index: bench/README.md has why).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import cache, parallel, search
from .keys import digest
from .outputs import Built, Files

STOPPING = 15.0
"""Seconds a stopped build waits for Pagefind to end before it ends without it."""


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
        self.key = digest(search.PAGEFIND_VERSION,
                          *(f"{p}\0".encode() + facts[p][1] for p in indexed))
        self.todo: list[str] = indexed if built.changed(search.ENTRY, self.key) else []
        if not self.todo:
            for path, (key, _) in built.files.items():
                if key == self.key and path not in keys:
                    keys[path] = key
        self.pages = Files({p: fresh[p] for p in html if p in fresh},
                           {p: built.files[p][1] for p in html if p not in fresh})
        self.bundle: dict[str, bytes] = {}
        if self.todo:
            say(f"search index: {len(self.todo)} pages to index")

    @contextmanager
    def running(self, folder: Path | None, out: Path) -> Iterator[None]:
        """Pagefind runs in a process of its own while the caller's block makes the rest (the
        thread only waits on that process). The indexed pages are kept in the cache folder
        `folder`: one copy, whatever the output folder (builds into a new folder each time
        leave no copy behind for each)."""
        keep = folder / "search" / search.KEPT if folder else None
        scratch = cache.folder_for(out) / "search"
        if self.todo:
            parallel.give_back_memory()  # the workers are gone: Pagefind's peak comes next
        with search.Indexing(self.pages, self.todo, keep=keep, scratch=scratch) as indexing:
            waiting = threading.Thread(target=indexing.run, daemon=True)
            waiting.start()
            try:
                yield
            except BaseException:
                # Stopped (Ctrl-C, a kill, a failure): Pagefind is waited for only so long. A
                # Ctrl-C that lands inside an import can leave the interpreter's import lock
                # held, and a thread that has not started Pagefind yet then never can (starting
                # a process takes that lock): the build ends without it. The thread dies with
                # the process, as Pagefind's process does with its parent.
                waiting.join(STOPPING)
                raise
            waiting.join()
            self.bundle = indexing.bundle()

    def made(self) -> dict[str, bytes]:
        """The new index's files (their key and bytes into the run's `keys` and `fresh`)."""
        for path, data in self.bundle.items():
            self.keys[path] = self.key
            self.fresh[path] = data
        return dict(self.bundle)
