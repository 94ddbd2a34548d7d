"""Engine: the one build path of `build`, `check` and `serve` — the stages in order, around them
what earlier builds worked out.

The stages (load → validate → resolve → render → write) are pure functions and know nothing of
this. The engine hands them per-record functions that remember their results (each record
file's parse, each Markdown text's HTML and links, each record's judgement, each event's
placing and data-file rows), and renders a page again only when something it declares it
reads has changed: every page spec names the records it reads (render.PageSpec.reads), and its
key is a hash of their content hashes, the templates and the site's settings, sources, parties
and content pages. An edit therefore redoes what depends on it and nothing else.

`serve` keeps one Engine between edits; `build` and `check` start one per run, with what the
cache folder kept (cache.py): the memos, and the engine's own snapshot (STATE), from which a
new process finds every unchanged record's results as a warm engine does. Only serve asks for
the edited pages early (`run(early=...)`), and gets them made from its last run before the
content folder is read again (`_quick_pages`).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache, export, load, markup, parallel, search, timewords
from .errors import ContentError, Problem
from .load import RawRecord
from .paths import Paths
from .render import (
    Compiled,
    Renderer,
    collisions,
    common_context,
    event_specs,
    page_specs,
    render_page,
    static_files,
)
from .resolve import Around, PlacedEvent, Timeline, place_event, resolve_timeline
from .validate import Checked, Content, Known, check_record, validate_content
from .write import Staging, WriteReport, clear_leftovers, describe, unsafe_paths, write_site

STATE = "engine.pickle"
"""The engine's snapshot in the cache folder: what it worked out for each record (the file's
text and parse, its judgement, its placing, its data-file rows), kept as objects that still
share what they shared, so a new process finds its hits as a warm serve engine does."""
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

NO_ADDRESS = ("the site has no address, so its pages have no canonical link or og:url, there is "
              "no sitemap.xml, and each cite line gives the page's path; give the address with "
              "--base-url, PARALLAX_BASE_URL or base_url in site.yaml")


@dataclass(frozen=True)
class BuildResult:
    content: Content
    timeline: Timeline
    pages: int
    files: int
    report: WriteReport | None
    warnings: tuple[Problem, ...]
    seconds: float
    rendered: int = 0
    """Pages rendered by this build (the rest were as the last build made them)."""
    made: frozenset[str] = frozenset()
    """The files this build made anew (pages rendered, data files written out again)."""

    def totals(self) -> str:
        """What was built, e.g. '6 records (3 events, 5 accounts, 2 sources), 9 pages, 16 files'."""
        records = len(self.timeline.sources) + len(self.timeline.events) + len(self.timeline.pages)
        accounts = sum(len(e.accounts) for e in self.timeline.events)
        return (f"{records} records ({len(self.timeline.events)} events, {accounts} accounts, "
                f"{len(self.timeline.sources)} sources), {self.pages} pages, {self.files} files")

    def summary(self) -> str:
        return describe(self.totals(), self.report, self.seconds)

    @property
    def notices(self) -> tuple[str, ...]:
        """What the editor should know about the output that is not a problem in the content."""
        return () if self.timeline.site.base_url else (NO_ADDRESS,)


@dataclass(frozen=True)
class ReusedBuild:
    """A build answered from the cache: the inputs were byte for byte those of the last one."""

    report: WriteReport | None
    warnings: tuple[Problem, ...]
    seconds: float
    totals: str
    notices: tuple[str, ...] = ()

    def summary(self) -> str:
        return describe(self.totals, self.report, self.seconds) + " (inputs unchanged since the last build)"


def _digest(*parts: Any) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def _front(text: str, body: str) -> str:
    """A record file's text without its body (all of it when the body is not its tail)."""
    return text[: len(text) - len(body)] if body and text.endswith(body) else text


class _Outputs(Mapping[str, bytes]):
    """The files of a build: new bytes where made, else the last build's (asked only when
    site/ does not hold them already)."""

    def __init__(self, fresh: dict[str, bytes], kept: dict[str, Callable[[], bytes]]):
        self.fresh = fresh
        self.kept = kept
        self.order = sorted(fresh.keys() | kept.keys())

    def __getitem__(self, path: str) -> bytes:
        if path in self.fresh:
            return self.fresh[path]
        return self.kept[path]()

    def __contains__(self, path: object) -> bool:
        # Asking whether a file is here never reads it (Mapping's own way would, from the pack).
        return path in self.fresh or path in self.kept

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)


class Engine:
    """Builds one site (`paths`) as often as asked, each time redoing only what changed."""

    def __init__(self, paths: Paths, *, folder: Path | None = None, jobs: int = 1):
        self.paths = paths
        self.folder = folder
        """The cache folder, or None: keep what is worked out in memory only."""
        self.jobs = jobs
        self.store = cache.BuildCache(folder) if folder else None
        self.memos = {
            "records": cache.Memo("records", load.parse_markdown, cache.record_key,
                                  cache.flatten, lambda row: cache.unflatten(RawRecord, row)),
            "addresses": cache.Memo("addresses", markup.address_problems, cache.text_key),
            "html": cache.Memo("html", markup.convert, cache.text_key),
            "quiet": cache.Memo("quiet", markup.quiet_changes, cache.text_key),
            "timewords": cache.Memo("timewords", timewords.resolve_words, cache.time_words_key),
        }
        self.texts: dict[str, tuple[tuple[Any, ...], str]] = {}
        self.parsed: dict[str, tuple[str, tuple[str, str], RawRecord]] = {}
        self.compiled = Compiled()
        self.hashes: dict[str, tuple[bytes, bytes]] = {}
        self.changed: set[str] | None = None
        self.adopted = False
        self.facts: dict[str, tuple[Any, bytes, bool]] = {}
        """Each page's key, a hash of its bytes, and whether it asks to be in the search
        index."""
        """Whether this engine started from the cache folder's last build (`adopt`)."""
        """Each Markdown record file's (whole, front matter) hash, by its shown path."""
        self.checked: dict[tuple[int, int], tuple[RawRecord, Known, Checked]] = {}
        self.placed: dict[int, tuple[Any, bytes, PlacedEvent | tuple]] = {}
        self.parts: dict[tuple[str, str], tuple[tuple[bytes, bytes, bytes], int, int]] | None = {}
        """Where each event's part of each data file is in the last build's file, by (part,
        event id): what it was made from (the event's record text, what placing reads and
        the site, as hashes), its offset and length; None: still in the cache folder."""
        self.parts_key: bytes | None = None
        """The key of the data files `parts` points into."""
        self._parts_kept = True
        self._views: dict[str, memoryview | None] = {}
        self.outputs: dict[str, tuple[Any, Callable[[], bytes]]] = {}
        """Each file of the last good build: its key and how to get its bytes."""
        self.on_disk: dict[str, Any] = {}
        """Key of each file this engine knows site/ holds as the last build made it."""
        self.verified: frozenset[str] = frozenset()
        """The files `adopt` found in site/ as the cache folder's record of them says."""
        self._unverified: cache.LastBuild | None = None
        self._packed: cache.Packed | None = None
        self.checked_keys: dict[str, Any] = {}
        """The key of each page the last check rendered or found proven (`know`)."""
        self.proven: dict[str, Any] = {}
        """The key of each page this check rendered or found proven."""
        self.runs = 0
        self.last: tuple[Content, Timeline] | None = None
        """The content and timeline of this engine's last good run (serve's quick pages)."""
        self._judged_with: tuple[Known, int] | None = None
        self._around: tuple[int, bytes] = (0, b"")
        self._site_key = b""
        self.worked = 0
        """Records worked out rather than found (parsed, judged, placed or exported) since the
        snapshot in the cache folder was written."""
        self.read_ahead = True
        """Whether the first run parses new record files on every core first (its caller may
        know that too few changed for that to pay)."""
        self.snapshot = False
        """Whether the cache folder holds a snapshot of this engine (give or take `worked`)."""
        self._compiled_kept: dict[str, bytes] = {}
        self.shape: tuple[bytes, tuple[tuple[str, str, tuple[str, ...]], ...]] | None = None
        """The last run's pages (path, template, reads), with a hash of what decides which
        pages the site has: the site's settings, sources, parties, content pages and
        templates, and every event's front matter (not the events' bodies)."""
        self._shape_kept: Any = None
        if folder:
            shape = cache.read_state(folder / PAGES)
            if isinstance(shape, tuple) and len(shape) == 2:
                self.shape = self._shape_kept = shape
            code = cache.read_state(folder / TEMPLATES)
            if isinstance(code, dict):
                self.compiled.code.update(code)
                self._compiled_kept = dict(code)
            self.snapshot = self._load_state(folder / STATE)
            for memo in self.memos.values():
                memo.load(folder, defer=STATE_SLACK if self.snapshot else 0)

    def _load_state(self, path: Path) -> bool:
        state = cache.read_state(path)
        if not (isinstance(state, tuple) and len(state) == 5):
            return False
        texts, parsed, checked, placed, hashes = state
        # Kept by the identity of the objects they were worked out from, which the snapshot
        # preserves (one pickle), but not their ids.
        self.texts, self.parsed, self.hashes = texts, parsed, hashes
        self.checked = {(id(hit[0]), limit): hit for (_, limit), hit in checked.items()}
        self.placed = {id(hit[0]): hit for hit in placed.values()}
        self.parts = None
        return True

    # --- what the stages are given ---------------------------------------------------------

    def read(self, path: str | Path, shown: str, limit: int | None = None) -> str:
        """A file's text, read again unless its size and times are those seen when it was
        read before, and were settled then (cache.settled: a file changed within a timestamp
        step of being read is read again)."""
        hit = self.texts.get(shown)
        if hit is not None and hit[0][2] == limit and self.changed is not None and (
                os.path.abspath(path) not in self.changed):
            self.texts_now[shown] = hit  # serve's watcher saw no change to it
            return hit[1]
        signature = _signature(path, limit)
        if hit is not None and _same_file(hit[0], signature):
            self.texts_now[shown] = hit
            return hit[1]
        text = load.read_text(path, shown, limit)
        if hit is not None and hit[0][2] == limit and hit[1] == text:
            text = hit[1]  # the same text: what was worked out from it still holds
        self.texts_now[shown] = (signature, text)
        return text

    def parse(self, text: str, shown: str, kind: str, record_id: str) -> RawRecord:
        hit = self.parsed.get(shown)
        if hit is not None and hit[0] is text and hit[1] == (kind, record_id):
            self.parsed_now[shown] = hit
            return hit[2]
        record = self.memos["records"](text, shown, kind, record_id)
        self.worked += 1
        self.hashes[shown] = (_digest(text), _digest(_front(text, record.body)))
        self.parsed_now[shown] = (text, (kind, record_id), record)
        return record

    def check(self, record: RawRecord, known: Known, limit: int) -> Checked:
        if record.kind == "event":
            self._judged_with = (known, limit)
        key = (id(record), limit)
        hit = self.checked.get(key)
        if hit is not None and hit[0] is record and hit[1] == known:
            self.checked_now[key] = hit
            return hit[2]
        whole = record if not isinstance(record, _Kept) else self.memos["records"](
            record.text, record.path, record.kind, record.id)
        checked = check_record(whole, known, limit, addresses=self.memos["addresses"],
                               quiet=self.memos["quiet"])
        self.worked += 1
        self.checked_now[key] = (record, known, checked)
        return checked

    def place(self, event: Any, around: Around) -> PlacedEvent | tuple:
        if self._around[0] != id(around):
            self._around = (id(around), _digest(around.tz, around.window, around.sources,
                                                sorted(around.source_dates.items())))
            self._keep_around = around
        around_key = self._around[1]
        hit = self.placed.get(id(event))
        if hit is not None and hit[0] is event and hit[1] == around_key:
            self.placed_now[id(event)] = hit
            return hit[2]
        placed = place_event(event, around, words=self.memos["timewords"])
        self.worked += 1
        self.placed_now[id(event)] = (event, around_key, placed)
        return placed

    def part(self, name: str, placed: PlacedEvent, make: Callable[[PlacedEvent], Any]) -> Any:
        """An event's part of a data file: the bytes the last build's file has for it, when
        it was made from the same inputs; else made."""
        if self.parts is None:
            kept = cache.read_state(self.folder / PARTS) if self.folder else None
            self.parts_key, self.parts = kept if isinstance(kept, tuple) and len(kept) == 2 else (
                None, {})
        key = (name, placed.id)
        made_from = self._made_from.get(placed.id)
        if made_from is None:
            made_from = self._made_from[placed.id] = (
                self._event_hash(placed.id)[0], self._around[1], self._site_key)
        self.parts_now[key] = made_from
        hit = self.parts.get(key)
        if hit is not None and hit[0] == made_from:
            found = self._last_file(name)
            if found is not None:
                return found[hit[1]:hit[1] + hit[2]]
        self.worked += 1
        return make(placed)

    def _last_file(self, name: str) -> memoryview | None:
        """The last build's data file of this part, if `parts` points into it."""
        if name not in self._views:
            last = self.outputs.get(export.PART_FILES[name])
            self._views[name] = (memoryview(last[1]()) if last is not None
                                 and last[0] == self.parts_key else None)
        return self._views[name]

    # --- one build ---------------------------------------------------------------------------

    def run(self, **options: Any) -> BuildResult:
        """Build the site (see `_run`). The collector of reference cycles is held off while a
        run lasts, and what the engine kept from earlier runs set aside from it: its passes
        over the objects a run makes and keeps (the records, their models, the timeline, the
        pages: a million objects at 4,000 events, next to no garbage) grow with what it has
        already made, and cost a cold build at newsroom scale a third of its time; over a
        warm engine's memos, more than the run itself. It runs again, as usual, after the
        run (for serve, between edits)."""
        enabled = gc.isenabled()
        gc.disable()
        gc.freeze()
        try:
            try:
                return self._run(**options)
            except cache.Damaged as damaged:
                # A file of the last build's pack is not what its record says: every damaged
                # one is dropped, and the run made again without them.
                self._forget_damaged(damaged)
                return self._run(**options)
        finally:
            gc.unfreeze()
            if enabled:
                gc.enable()

    def _forget_damaged(self, damaged: cache.Damaged) -> None:
        packed = self._packed
        bad = packed.damaged() if packed is not None else [damaged.path]
        cache.notice(f"{damaged.pack}:1: cache: {len(bad)} of the last build's files in it "
                     f"are damaged (the first: {damaged.path}); they are made again")
        # Files made together share their key (the data files, the search index): all of them
        # are made again when one is.
        keys = {self.outputs[path][0] for path in bad if path in self.outputs}
        bad += [path for path, (key, _) in self.outputs.items() if key in keys]
        for path in bad:
            self.outputs.pop(path, None)
            self.facts.pop(path, None)
            self.on_disk.pop(path, None)

    def _run(self, *, write: bool = True, strict: bool = False,
             changed: set[str] | None = None, prove: bool = False,
            early: Callable[[dict[str, bytes]], None] | None = None,
            progress: Callable[[str], None] | None = None) -> BuildResult:
        """Build the site; raises ContentError (site/ untouched: only `early`, serve's, may
        have put the edited pages in place before the rest). `early` is handed the changed
        event pages (bytes by path) first, before the overview pages and data files are made.
        `changed`: the absolute paths of the files changed since the last run (serve's watcher
        knows them), so that the others are not even looked at; None: look at every file.
        `prove` (check's): everything up to rendering, then every page whose inputs changed
        since the last check or build rendered, as a build would; nothing else is made or
        written."""
        started = time.perf_counter()
        say = progress or (lambda text: None)
        jobs = self.jobs if self.runs == 0 else 1  # later runs are serve's, beside its threads
        self.runs += 1
        self.checked_now: dict = {}
        self.placed_now: dict = {}
        self.parts_now: dict = {}
        self._views = {}
        self._made_from: dict[str, tuple[bytes, bytes, bytes]] = {}
        self.texts_now: dict = {}
        self.changed = None if changed is None else {os.path.abspath(p) for p in changed}
        self.parsed_now: dict = {}
        for memo in self.memos.values():
            memo.begin()
        quick: dict[str, bytes] = {}
        if early is not None and self.changed:
            quick = self._quick_pages(self.changed)
            if quick:
                early(dict(quick))
        if jobs > 1 and self.read_ahead:
            self._read_ahead(jobs)

        raw = load.load_content(self.paths.content, parse=self.parse, read=self.read)
        self.texts, self.parsed = self.texts_now, self.parsed_now
        say(f"{len(raw.records)} records read")
        content = validate_content(raw, self.paths.base_url, check=self.check)
        timeline = resolve_timeline(content, place=self.place)
        if strict and content.warnings:
            raise ContentError(list(content.warnings))
        self.checked, self.placed = self.checked_now, self.placed_now

        site_key = self._site_fingerprint(raw, timeline)
        self._site_key = site_key
        renderer = Renderer(timeline, content.origins, self.paths.templates,
                            markdown=self.memos["html"], compiled=self.compiled)
        common = common_context(timeline)
        events = event_specs(timeline, renderer, common)
        fresh: dict[str, bytes] = {}
        keys: dict[str, Any] = {}
        for spec in events:
            keys[spec.path] = self._page_key(spec.template, spec.reads, site_key)
        if early is not None:
            for spec in events:
                if self._changed(spec.path, keys[spec.path]):
                    fresh[spec.path] = render_page(renderer, spec)
            news = {path: data for path, data in fresh.items() if quick.get(path) != data}
            if news:
                early(news)

        # Which pages the site has (and what each reads) follows from everything but the
        # events' bodies: after an edit to a body alone, the last run's list holds, and only
        # the pages to render again need their specs (an event's own page, as a rule).
        shape_key = _digest(site_key, self._events_key)
        all_specs: list[Any] | None = None
        if self.shape is not None and self.shape[0] == shape_key:
            shape = self.shape
        else:
            all_specs = page_specs(timeline, renderer, common, events)
            problems = collisions(all_specs)
            if problems:
                raise ContentError(problems)
            shape = (shape_key, tuple((s.path, s.template, s.reads) for s in all_specs))
        paths = [path for path, _, _ in shape[1]]
        for path, template, reads in shape[1]:
            if path not in keys:
                keys[path] = self._page_key(template, reads, site_key)
        event_specs_by_path = {spec.path: spec for spec in events}

        def specs_of(wanted: list[str]) -> list[Any]:
            nonlocal all_specs
            if all_specs is None and any(p not in event_specs_by_path for p in wanted):
                all_specs = page_specs(timeline, renderer, common, events)
            by_path = event_specs_by_path if all_specs is None else {
                spec.path: spec for spec in all_specs}
            return [by_path[path] for path in wanted]

        pages = sum(1 for path in paths if path.endswith(".html"))
        if prove:
            # `check` writes nothing.
            static = static_files(self.paths.static)
            unsafe = unsafe_paths([*paths, *static])
            if unsafe:
                raise ContentError(unsafe)
            # Every page whose inputs changed since the last check or build into the same
            # folder (all of them when there is neither) is rendered, as a build would: a
            # template that fails on one page only fails the check too.
            todo = [path for path, _, _ in shape[1] if self._unproven(path, keys[path])]
            self._render(renderer, specs_of(todo), jobs)
            self.proven = {path: keys[path] for path, _, _ in shape[1]}
            self.shape = shape
            extra = len(export.DATA_FILES) + len(export.crawler_files(timeline.site, []))
            count = len(paths) + len(static) + extra
            return BuildResult(content, timeline, pages, count, None, content.warnings,
                               time.perf_counter() - started, rendered=len(todo))
        todo = specs_of([p for p in paths if p not in fresh and self._changed(p, keys[p])])
        say(f"{len(paths)} pages, {len(todo) + len(fresh)} to render")
        fresh.update(self._render(renderer, todo, jobs))
        rendered = len(fresh)

        # The search index reads every page that asks to be indexed (or all, when none does),
        # keyed by their bytes: an edit to a page that is not indexed, or one that leaves the
        # indexed pages as they were, runs no indexer; any other indexes them all again.
        html = sorted(p for p in keys if p.endswith(".html"))
        facts = {}
        for path in html:
            fact = self.facts.get(path)
            if path in fresh or fact is None or fact[0] != keys[path]:
                data = fresh[path] if path in fresh else self.outputs[path][1]()
                fact = (keys[path], _digest(data), search.MARK in data)
            facts[path] = fact
        self.facts = facts
        indexed = [p for p in html if facts[p][2]] or html
        index_key = _digest(search.PAGEFIND_VERSION,
                            *(f"{p}\0".encode() + facts[p][1] for p in indexed))
        todo = indexed if self._changed(search.ENTRY, index_key) else []
        if not todo:
            for path, (key, _) in self.outputs.items():
                if key == index_key and path not in keys:
                    keys[path] = key
        # Pagefind runs in processes of its own: the data files are made meanwhile (the
        # thread only waits on those processes).
        indexable = _Outputs({p: fresh[p] for p in html if p in fresh},
                             {p: self.outputs[p][1] for p in html if p not in fresh})
        if todo:
            say(f"search index: {len(todo)} pages to index")
        # The data files and the sitemap read every event whole, and the list of pages.
        data_key = _digest(site_key, *(self._event_hash(e.id)[0] for e in timeline.events),
                           *paths)
        staging: Staging | None = None
        try:
            # The indexed pages are kept in the cache folder: one copy, whatever the output
            # folder (builds into a new folder each time leave no copy behind for each).
            keep = self.folder / "search" / search.KEPT if self.folder else None
            scratch = cache.folder_for(self.paths.out) / "search"
            if todo:
                parallel.give_back_memory()  # the workers are gone: Pagefind's peak comes next
            with search.Indexing(indexable, todo, keep=keep, scratch=scratch) as indexing:
                waiting = threading.Thread(target=indexing.run, daemon=True)
                waiting.start()
                try:
                    made_data = self._changed("data/timeline.json", data_key)
                    if made_data:
                        places: export.Places = {}
                        files = export.data_files(timeline, part=self.part, places=places)
                        files.update(export.crawler_files(timeline.site, paths))
                        for path, data in files.items():
                            keys[path] = data_key
                            fresh[path] = data
                        self.parts = {key: (made_from, *places[key])
                                      for key, made_from in self.parts_now.items()}
                        self.parts_key = data_key
                        self._parts_kept = False
                        self._views = {}
                    else:
                        for path, (key, _) in self.outputs.items():
                            if key == data_key and path not in keys:
                                keys[path] = data_key
                    for path, data in static_files(self.paths.static).items():
                        keys[path] = _digest(b"static", data)
                        if self._changed(path, keys[path]):
                            fresh[path] = data
                    if write:
                        # While Pagefind works, everything but the new index is staged.
                        self._verify()
                        staging = Staging(self.paths.out, unchanged=frozenset(
                            p for p, key in keys.items() if self.on_disk.get(p) == key))
                        staging.add(_Outputs({p: fresh[p] for p in keys if p in fresh},
                                             {p: self.outputs[p][1] for p in keys
                                              if p not in fresh}))
                finally:
                    waiting.join()
                bundle = indexing.bundle()
            for path, data in bundle.items():
                keys[path] = index_key
                fresh[path] = data
            if staging is not None:
                staging.add(bundle)
        except BaseException:
            if staging is not None:
                staging.discard()
            raise

        kept = {path: self.outputs[path][1] for path in keys if path not in fresh}
        files = _Outputs(fresh, kept)
        report = None
        if staging is not None:
            report = staging.commit()
            self.on_disk = dict(keys)
        else:
            self.on_disk = {}
        self.outputs = {path: (keys[path], _getter(fresh, path) if path in fresh else kept[path])
                        for path in keys}
        self.last_files = files
        self.last = (content, timeline)
        self.shape = shape
        return BuildResult(content, timeline, pages, len(keys), report, content.warnings,
                           time.perf_counter() - started, rendered=rendered,
                           made=frozenset(fresh))

    def _quick_pages(self, changed: set[str]) -> dict[str, bytes]:
        """The pages of the edited events, made from the last good run with only those records
        read, judged and placed again (and put in their new order), before anything else is
        looked at: serve shows them at once; the run that follows makes them again, with every
        page that lists them, and checks them against these. Nothing when a changed file is not
        an event the last run placed, or when one has a mistake: the run reports it."""
        if self.last is None or self._judged_with is None:
            return {}
        content, timeline = self.last
        known, limit = self._judged_with
        shown_of = {hit[0][6]: shown for shown, hit in self.texts.items()}
        by_id = {e.id: n for n, e in enumerate(timeline.events)}
        events = list(timeline.events)
        origins = dict(content.origins)
        for path in changed:
            shown = shown_of.get(path)
            parsed = self.parsed.get(shown) if shown else None
            if parsed is None or parsed[1][0] != "event" or parsed[1][1] not in by_id:
                return {}
            kind, record_id = parsed[1]
            try:
                text = load.read_text(path, shown, self.texts[shown][0][2])
            except (ContentError, OSError):
                return {}
            record = self.memos["records"](text, shown, kind, record_id)
            if record.problems:
                return {}
            checked = check_record(record, known, limit, addresses=self.memos["addresses"],
                                   quiet=self.memos["quiet"])
            if checked.model is None or checked.problems or checked.references:
                return {}
            placed = place_event(checked.model, self._keep_around, words=self.memos["timewords"])
            if not isinstance(placed, PlacedEvent):
                return {}
            events[by_id[record_id]] = placed
            origins[("event", record_id)] = record
        events.sort(key=lambda e: (e.placement.start, e.placement.end, e.id))
        timeline = dataclasses.replace(timeline, events=tuple(events))
        renderer = Renderer(timeline, origins, self.paths.templates,
                            markdown=self.memos["html"], compiled=self.compiled)
        wanted = {self.parsed[shown_of[path]][1][1] for path in changed}
        specs = event_specs(timeline, renderer, common_context(timeline), only=wanted)
        return {spec.path: render_page(renderer, spec) for spec in specs}

    def _unproven(self, path: str, key: Any) -> bool:
        """Whether a check must render the page: neither the last build nor the last check
        rendered it from these inputs."""
        return self._changed(path, key) and self.checked_keys.get(path) != key

    def _changed(self, path: str, key: Any) -> bool:
        return path not in self.outputs or self.outputs[path][0] != key

    def _page_key(self, template: str, reads: tuple[str, ...], site_key: bytes
                  ) -> tuple[Any, ...]:
        """What the page declares it reads, as content hashes (a tuple: comparing one costs
        less than hashing it again, thousands of times per edit)."""
        parts: list[Any] = [site_key, template]
        for read in reads:
            kind, _, name = read.partition(":")
            parts.append(read)
            if kind == "event" or kind == "meta":
                if name:
                    parts.append(self._event_hash(name)[0 if kind == "event" else 1])
            else:
                parts.append(self._events_key)
        return tuple(parts)

    def _event_hash(self, event_id: str) -> tuple[bytes, bytes]:
        return self.hashes.get(self._event_paths.get(event_id, ""), (b"?", b"?"))

    def _site_fingerprint(self, raw: Any, timeline: Timeline) -> bytes:
        """A hash of what every page reads: the settings (with the address given to the
        build), the sources, parties and content pages, the templates; and, for the pages
        that list events, every event's front matter."""
        small: list[Any] = [cache.generation(), self.paths.base_url,
                            os.environ.get("SOURCE_DATE_EPOCH", "")]
        events: list[Any] = []
        self._event_paths = {}
        for record in raw.records:
            if record.kind == "event":
                self._event_paths[record.id] = record.path
                events.append(record.path)
                events.append(self.hashes.get(record.path, (b"?", b"?"))[1])
            elif record.path in self.hashes:
                small += [record.path, self.hashes[record.path][0]]
            else:  # site.yaml and credited.yaml: read whole, they are small
                small += [record.path, repr(record.data)]
        small.append(_tree_digest(self.paths.templates))
        self._events_key = _digest(*events)
        return _digest(*small)

    def _render(self, renderer: Renderer, specs: list[Any], jobs: int) -> dict[str, bytes]:
        renderer.compile(spec.template for spec in specs)
        pages = parallel.fork_map(lambda spec: render_page(renderer, spec), specs, jobs)
        return {spec.path: page for spec, page in zip(specs, pages, strict=True)}

    def _read_ahead(self, jobs: int) -> None:
        """Parse the record files the memos do not know yet, with their bodies' Markdown, on
        every core; the stages then find them in the memos. Files that cannot be read are left
        for the load stage to report."""
        root = self.paths.content
        found = []
        for folder, kind in load.KINDS.items():
            for path in sorted((root / folder).rglob("*" + load.RECORD_SUFFIX)):
                if path.is_file() and not path.is_symlink():  # links: the load stage judges them
                    found.append((path, kind))
        memo = self.memos["records"]
        items = []
        for path, kind in found:
            shown = load.display_path(path, root)
            hit = self.texts.get(shown)
            try:
                if hit is not None and _same_file(hit[0], _signature(path, hit[0][2])):
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
                self.memos[name].remember(key, value)

    def know(self, last: cache.LastBuild | None, checked: cache.LastBuild | None) -> None:
        """Take the keys of the last build's outputs, not their bytes, and of the pages the
        last check rendered (a check renders only pages whose inputs changed since)."""
        if last is not None:
            self.outputs = {path: (key, _unread) for path, key in last.keys.items()}
        if checked is not None:
            self.checked_keys = dict(checked.keys)

    def adopt(self, store: cache.BuildCache, last: cache.LastBuild) -> None:
        """Start from the last build into the same folder: its outputs' keys, their bytes in the
        pack, and which of them site/ still holds as written."""
        packed = store.pack(self.paths.out, last)
        self._packed = packed
        self.adopted = True
        self.outputs = {path: (key, _packed(packed, path)) for path, key in last.keys.items()
                        if path in last.index}
        self.facts = dict(last.facts)
        self._unverified = last  # which files site/ still holds: looked at when it is written

    def _verify(self) -> None:
        """`on_disk`: the files of the adopted build that site/ still holds as it wrote them."""
        last, self._unverified = self._unverified, None
        if last is None:
            return
        out = self.paths.out.resolve()
        on_disk = {}
        if out.is_dir() and last.outputs:
            for relative, (size, mtime) in last.outputs.items():
                try:
                    stat = os.stat(os.path.join(out, relative))
                except OSError:
                    continue
                if stat.st_size == size and stat.st_mtime_ns == mtime and relative in last.keys:
                    on_disk[relative] = last.keys[relative]
        self.on_disk = on_disk
        self.verified = frozenset(on_disk)

    def save(self) -> None:
        """Keep what this engine's latest build used in the cache folder, and a snapshot of
        the engine when the one there lags too far behind."""
        if self.folder:
            for memo in self.memos.values():
                if memo.used:
                    memo.save(self.folder)
            if self.shape is not None and self.shape is not self._shape_kept:
                cache.write_state(self.folder / PAGES, self.shape)
                self._shape_kept = self.shape
            if self.compiled.code != self._compiled_kept:
                self._compiled_kept = dict(self.compiled.code)
                cache.write_state(self.folder / TEMPLATES, self._compiled_kept)
            if not self._parts_kept and self.parts is not None:
                cache.write_state(self.folder / PARTS, (self.parts_key, self.parts))
                self._parts_kept = True
            if not self.snapshot or self.worked > STATE_SLACK:
                cache.write_state(self.folder / STATE, self._snapshot())
                self.snapshot = True
                self.worked = 0

    def _snapshot(self) -> tuple[Any, ...]:
        """What the snapshot keeps: the engine's records, each event's parse without its front
        matter's data and lines (see `_Kept`)."""
        kept: dict[int, RawRecord] = {}

        def slim(record: RawRecord, text: str) -> RawRecord:
            if record.kind != "event" or isinstance(record, _Kept):
                return record
            if id(record) not in kept:
                kept[id(record)] = _Kept(record, text)
            return kept[id(record)]

        parsed = {shown: (text, what, slim(record, text))
                  for shown, (text, what, record) in self.parsed.items()}
        checked = {key: (kept.get(id(record), record), known, result)
                   for key, (record, known, result) in self.checked.items()}
        return (self.texts, parsed, checked, self.placed, self.hashes)

    def forget_unused(self) -> None:
        """A long session keeps one site's worth."""
        for memo in self.memos.values():
            memo.forget_unused()


class _Kept(RawRecord):
    """An event's parse as the snapshot keeps it: without its front matter's data and where
    each key stands (most of the snapshot's objects, and of the time it takes to read), which
    are parsed again from its text when asked for: when the record must be judged again (the
    engine then asks its memo), or a message needs a line."""

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


def _unread() -> bytes:
    raise AssertionError("a check reads no output")


def _signature(path: str | Path, limit: int | None) -> tuple[Any, ...]:
    """What tells a file's text is the one read before: its size and modification time, the
    change time too (a copy that keeps the modification time and the size still changes it),
    and the file's identity, so that another folder's file is never taken for it; and whether
    those were settled when seen (cache.settled)."""
    stat = cache.file_stat(path)
    return (stat.st_size, stat.st_mtime_ns, limit, stat.st_ctime_ns, stat.st_ino, stat.st_dev,
            os.path.abspath(path), cache.settled(stat, cache.now_ns()))


def _same_file(seen: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """Whether a file seen with signature `seen` is unchanged, its signature now `now`."""
    return len(seen) == 8 and seen[7] and seen[:7] == now[:7]


def _getter(files: dict[str, bytes], path: str) -> Callable[[], bytes]:
    data = files[path]
    return lambda: data


def _tree_digest(folder: Path) -> bytes:
    parts: list[Any] = []
    if folder.is_dir():
        for where, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(where, name)
                with open(path, "rb") as stream:
                    parts += [os.path.relpath(path, folder), stream.read()]
    return _digest(*parts)


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


# --- build and check: one engine per run, with the cache folder --------------------------------


def build(paths: Paths, *, write: bool = True, strict: bool = False, jobs: int = 1,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Read and check everything, then (only then) write site/, without a cache. Raises
    ContentError."""
    return Engine(paths, jobs=jobs).run(write=write, strict=strict, progress=progress)


def cached_build(paths: Paths, *, write: bool = True, strict: bool = False,
                 store: cache.BuildCache | None = None, jobs: int | None = None,
                 reuse: bool = True,
                 progress: Callable[[str], None] | None = None) -> BuildResult | ReusedBuild:
    """A build with the cache folder beside the output: the last build's result when no input
    changed (unless `reuse` is False: the caller needs the content itself), else a build that
    takes from the cache whatever does not depend on what changed, and keeps this one's.
    A build holds the output folder's lock while it runs (cache.OutputLock), and first removes
    what builds killed before it left. Raises ContentError as `build()` does, cache.Busy when
    `serve` holds the folder, OSError when site/ cannot be written (it is then as it was)."""
    store = store or cache.BuildCache.beside(paths.out)
    if not write:
        return _cached_build(paths, write=write, strict=strict, store=store, jobs=jobs,
                             reuse=reuse, progress=progress)
    started = time.perf_counter()
    with store.lock(paths.out):
        clear_leftovers(paths.out)
        search.forget_leftovers(store.folder / "search")
        return _cached_build(paths, write=write, strict=strict, store=store, jobs=jobs,
                             reuse=reuse, progress=progress, started=started)


def _cached_build(paths: Paths, *, write: bool, strict: bool, store: cache.BuildCache,
                  jobs: int | None, reuse: bool, progress: Callable[[str], None] | None,
                  started: float | None = None) -> BuildResult | ReusedBuild:
    started = time.perf_counter() if started is None else started
    key, inputs = store.inputs(paths)
    last = store.last(paths.out)
    # A check keeps its own record, so that it never takes the place of the last build's.
    checks = paths.out.with_name(paths.out.name + ".check")
    answer = last if write else next((r for r in (last, store.last(checks))
                                      if r is not None and r.key == key), None)
    if reuse and answer is not None and answer.key == key and not (write and answer.outputs is None):
        reused = _reuse(paths, store, answer, write=write, strict=strict, started=started)
        if reused is not None:
            return reused

    engine = Engine(paths, folder=store.folder, jobs=parallel.default_jobs() if jobs is None else jobs)
    if engine.snapshot and last is not None:
        edited = sum(1 for name, seen in inputs.items()
                     if name.startswith("content:") and last.inputs.get(name, (0, 0, b""))[2] != seen[2])
        engine.read_ahead = edited >= parallel.MIN_ITEMS
    if write and last is not None and last.keys and last.outputs is not None:
        try:
            engine.adopt(store, last)
        except (OSError, ValueError):
            pass  # a damaged pack: everything is made again
    elif not write:
        engine.know(last if last is not None and last.keys else None, store.last(checks))
    result = engine.run(write=write, strict=strict, progress=progress, prove=not write)
    try:
        _keep(engine, paths, store, result, key, inputs, last, answer, write, checks)
    except OSError as error:
        # The site is built: the cache is an aid, and the next build works without it (what
        # is kept is written whole or not at all).
        cache.notice(f"{error.filename or store.folder}:1: cache: not saved "
                     f"({error.strerror or error}); the next build makes again what it would "
                     "have kept")
    except cache.Damaged as damaged:
        # A file kept from the last build's pack, which this build did not need to read, is
        # damaged: the site is built, and the next build starts cold rather than from it.
        try:
            store.forget(paths.out)
        except OSError:
            pass
        cache.notice(f"{damaged.pack}:1: cache: the last build's copy of {damaged.path} is "
                     "damaged; the pack is dropped, and the next build makes every file again")
    return result


def _keep(engine: Engine, paths: Paths, store: cache.BuildCache, result: BuildResult,
          key: bytes, inputs: dict[str, Any], last: cache.LastBuild | None,
          answer: cache.LastBuild | None, write: bool, checks: Path) -> None:
    """Keep the engine's work and the record of this build (or check) in the cache folder."""
    engine.save()
    if write:
        files = engine.last_files
        # A file the build left as it was, and which matched the last build's record before
        # it, still does; the others are looked at again.
        written = result.report.changed if result.report is not None else None
        kept = {} if written is None or last is None or last.outputs is None else {
            p: last.outputs[p] for p in engine.verified if p not in written and p in files}
        found = cache.stat_outputs(paths.out.resolve(), [p for p in files if p not in kept])
        outputs = {p: kept[p] if p in kept else found[p] for p in files}
        record = cache.LastBuild(
            key=key, inputs=inputs,
            warnings=[(w.path, w.line, w.field, w.message) for w in result.warnings],
            totals=result.totals(), notices=result.notices, outputs=outputs,
            keys={path: k for path, (k, _) in engine.outputs.items()}, facts=engine.facts,
        )
        store.save(paths.out, record, files, earlier=last if engine.adopted else None,
                   made=result.made)
    else:
        store.save(checks, cache.LastBuild(
            key=key, inputs=inputs,
            warnings=[(w.path, w.line, w.field, w.message) for w in result.warnings],
            totals=result.totals(), notices=result.notices, outputs=None,
            keys=engine.proven), None)


def _packed(packed: cache.Packed, path: str) -> Callable[[], bytes]:
    return lambda: packed[path]


def _reuse(paths: Paths, store: cache.BuildCache, last: cache.LastBuild, *, write: bool,
           strict: bool, started: float) -> ReusedBuild | None:
    """The last build's result, with site/ made to match it (from the pack)."""
    warnings = tuple(Problem(*w) for w in last.warnings)
    if strict and warnings:
        raise ContentError(list(warnings))
    report = None
    if write:
        assert last.outputs is not None
        out = paths.out.resolve()
        unchanged = set()
        if out.is_dir():
            for relative, (size, mtime) in last.outputs.items():
                try:
                    stat = os.stat(out / relative)
                except OSError:
                    continue
                if stat.st_size == size and stat.st_mtime_ns == mtime:
                    unchanged.add(relative)
        try:
            files = store.pack(out, last)
        except (OSError, ValueError):
            return None  # a damaged pack: build instead
        try:
            report = write_site(files, out, unchanged=frozenset(unchanged))
        except cache.Damaged:
            return None  # a damaged file in the pack: build instead
        if report.written or report.removed:  # new modification times to remember
            try:
                if report.written:
                    last.outputs = cache.stat_outputs(out, last.outputs)
                store.touch(out, last)
            except OSError as error:
                cache.notice(f"{error.filename or store.folder}:1: cache: not saved "
                             f"({error.strerror or error}); the next build looks at site/ again")
    return ReusedBuild(report, warnings, time.perf_counter() - started, last.totals, last.notices)


def progress_line() -> Callable[[str], None] | None:
    """On a terminal, a line that shows how far a build has got; None (quiet) otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(text: str) -> None:
        print(f"\r\x1b[K{text} …", end="", file=sys.stderr, flush=True)

    return show
