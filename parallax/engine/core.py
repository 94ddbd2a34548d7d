"""The Engine: the one build path of `build`, `check` and `serve`, read as a table of contents
(`Engine._run`): the stages in order, and around them the rooms that keep what earlier runs
worked out.

The stages (load → validate → resolve → render → write) are pure functions and know nothing of
this. Each run hands them the memo store's lookups (memo.py), asks the page planner which
pages to render (planner.py), renders those, indexes them for search (indexing.py), makes the
data files from the parts that changed (datafiles.py), and writes site/ from the new files and
the last build's (outputs.py). An edit therefore redoes what depends on it and nothing else.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import cache, export, feeds, load, markup, parallel
from ..errors import ContentError
from ..paths import Paths
from ..render import Compiled, PageSpec, Renderer, render_page, static_files
from ..resolve import Timeline, resolve_timeline
from ..validate import Content, validate_content
from ..write import Staging, unsafe_paths
from .datafiles import DataParts
from .indexing import SearchIndex
from .keys import digest
from .memo import Memory
from .outputs import Built
from .planner import PagePlan, Planner, SiteKeys, site_keys
from .quick import quick_pages
from .reading import read_ahead
from .results import BuildResult
from .snapshot import Snapshot


class Engine:
    """Builds one site (`paths`) as often as asked, each time redoing only what changed."""

    def __init__(self, paths: Paths, *, folder: Path | None = None, jobs: int = 1):
        self.paths = paths
        self.folder = folder
        """The cache folder, or None: keep what is worked out in memory only."""
        self.jobs = jobs
        self.memory = Memory()
        """What earlier runs worked out for each record (memo.py)."""
        self.planner = Planner()
        """The last run's list of pages (planner.py)."""
        self.compiled = Compiled()
        """The templates as Jinja compiled them."""
        self.parts = DataParts()
        """Each event's part of the last build's data files (datafiles.py)."""
        self.built = Built(paths.out)
        """The last good build's files (outputs.py)."""
        self.snapshot = Snapshot(folder)
        """What the cache folder keeps of all this between processes (snapshot.py)."""
        self.snapshot.restore(self.memory, self.planner, self.compiled, self.parts)
        self.runs = 0
        self.last: tuple[Content, Timeline] | None = None
        """The content and timeline of this engine's last good run (serve's quick pages)."""
        self.read_ahead = True
        """Whether the first run parses new record files on every core first (its caller may
        know that too few changed for that to pay)."""

    def run(self, **options: Any) -> BuildResult:
        """Build the site (see `_run`). The collector of reference cycles is held off while a
        run lasts, and what the engine kept from earlier runs set aside from it: its passes
        over the objects a run makes and keeps (the records, their models, the timeline, the
        pages: a million objects at 4,000 events, next to no garbage) grow with what it has
        already made, and cost a cold build at newsroom scale a third of its time; over a
        warm engine's memos, more than the run itself. It runs again, as usual, after the
        run (for serve, between edits). The bodies' Markdown readings the stages shared during
        the run are dropped after it: the memos keep what later runs need."""
        enabled = gc.isenabled()
        gc.disable()
        gc.freeze()
        try:
            try:
                return self._run(**options)
            except cache.Damaged as damaged:
                # A file of the last build's pack is not what its record says: every damaged
                # one is dropped, and the run made again without them.
                self.built.forget_damaged(damaged)
                return self._run(**options)
        finally:
            markup.forget_readings()
            gc.unfreeze()
            if enabled:
                gc.enable()

    def _run(self, *, write: bool = True, strict: bool = False,
             changed: set[str] | None = None, prove: bool = False,
             early: Callable[[dict[str, bytes]], None] | None = None,
             progress: Callable[[str], None] | None = None,
             meanwhile: Callable[[], None] | None = None) -> BuildResult:
        """Build the site; raises ContentError (site/ untouched: only `early`, serve's, may
        have put the edited pages in place before the rest). `early` is handed the changed
        event pages (bytes by path) first, before the overview pages and data files are made.
        `changed`: the absolute paths of the files changed since the last run (serve's watcher
        knows them), so that the others are not even looked at; None: look at every file.
        `prove` (check's): everything up to rendering, then every page whose inputs changed
        since the last check or build rendered, as a build would; nothing else is made or
        written. `meanwhile`: work of the caller's, done once everything but the search index
        is staged, while Pagefind still works (a core it leaves idle)."""
        started = time.perf_counter()
        say = progress or (lambda text: None)
        jobs = self.jobs if self.runs == 0 else 1  # later runs are serve's, beside its threads
        self.runs += 1
        memo = self.memory.begin(changed)  # this run's lookups; what they find is kept
        quick = self._quick(memo.changed, early)
        if jobs > 1 and self.read_ahead:
            read_ahead(self.memory, self.paths.content, jobs)

        raw = load.load_content(self.paths.content, parse=memo.parse, read=memo.read)
        memo.loaded()
        say(f"{len(raw.records)} records read")
        content = validate_content(raw, self.paths.base_url, check=memo.check)
        timeline = resolve_timeline(content, place=memo.place)
        if strict and content.warnings:
            raise ContentError(list(content.warnings))
        memo.judged()

        site = site_keys(raw, self.memory.hashes, self.paths)
        renderer = Renderer(timeline, content.origins, self.paths.template_folders,
                            markdown=self.memory.memos["html"], compiled=self.compiled)
        plan = self.planner.begin(site, timeline, renderer)
        fresh = self._early_pages(plan, quick, early)
        plan.settle()
        if prove:
            return self._prove(content, plan, jobs, started)
        todo = plan.specs_of([p for p in plan.paths
                              if p not in fresh and self.built.changed(p, plan.keys[p])])
        say(f"{len(plan.paths)} pages, {len(todo) + len(fresh)} to render")
        fresh.update(_render(renderer, todo, jobs))
        rendered = len(fresh)

        staging = self._index_and_stage(plan, site, fresh, write, say, meanwhile)
        report = self.built.keep(plan.keys, fresh, staging)
        self.last = (content, timeline)
        self.planner.shape = plan.shape
        return BuildResult(content, timeline, plan.pages, len(plan.keys), report,
                           content.warnings, time.perf_counter() - started, rendered=rendered,
                           made=frozenset(fresh))

    def _index_and_stage(self, plan: PagePlan, site: SiteKeys, fresh: dict[str, bytes],
                         write: bool, say: Callable[[str], None],
                         meanwhile: Callable[[], None] | None = None) -> Staging | None:
        """The search index, the data files and the static files, their keys into `plan.keys`
        and what is made anew into `fresh`; with `write`, every file staged beside site/ (the
        staging discarded if anything fails). Pagefind runs in its own processes meanwhile:
        everything but the new index is staged while it works."""
        keys = plan.keys
        index = SearchIndex(self.built, keys, fresh, say)
        staging: Staging | None = None
        try:
            with index.running(self.folder, self.paths.out):
                self.parts.make(self.memory, self.built, site, plan.timeline, plan.paths, keys,
                                fresh)
                self._static(keys, fresh)
                if write:
                    staging = self.built.stage(keys, fresh)
                if meanwhile is not None and index.todo:
                    meanwhile()
            made = index.made()
            if staging is not None:
                staging.add(made)
        except BaseException:
            if staging is not None:
                staging.discard()
            raise
        return staging

    def _quick(self, changed: set[str] | None,
               early: Callable[[dict[str, bytes]], None] | None) -> dict[str, bytes]:
        """Serve's edited event pages, made from the last run and handed over at once."""
        quick: dict[str, bytes] = {}
        if early is not None and changed:
            quick = quick_pages(self.memory, self.last, changed, self.paths.template_folders,
                                self.compiled)
            if quick:
                early(dict(quick))
        return quick

    def _early_pages(self, plan: PagePlan, quick: dict[str, bytes],
                     early: Callable[[dict[str, bytes]], None] | None) -> dict[str, bytes]:
        """For serve: the changed event pages, rendered and handed over (those the quick pages
        did not already give as they are) before the rest of the site is planned."""
        fresh: dict[str, bytes] = {}
        if early is not None:
            for spec in plan.events:
                if self.built.changed(spec.path, plan.keys[spec.path]):
                    fresh[spec.path] = render_page(plan.renderer, spec)
            news = {path: data for path, data in fresh.items() if quick.get(path) != data}
            if news:
                early(news)
        return fresh

    def _prove(self, content: Content, plan: PagePlan, jobs: int, started: float) -> BuildResult:
        """`check` writes nothing: every page whose inputs changed since the last check or
        build into the same folder (all of them when there is neither) is rendered, as a build
        would: a template that fails on one page only fails the check too."""
        static = static_files(self.paths.static_folders)
        unsafe = unsafe_paths([*plan.paths, *static])
        if unsafe:
            raise ContentError(unsafe)
        todo = [path for path in plan.paths if self.built.unproven(path, plan.keys[path])]
        _render(plan.renderer, plan.specs_of(todo), jobs)
        self.built.proven = {path: plan.keys[path] for path in plan.paths}
        self.planner.shape = plan.shape
        timeline = plan.timeline
        extra = (len(export.DATA_FILES) + len(export.crawler_files(timeline.site, []))
                 + (0 if feeds.missing(timeline) else len(feeds.FEEDS)))
        count = len(plan.paths) + len(static) + extra
        return BuildResult(content, timeline, plan.pages, count, None, content.warnings,
                           time.perf_counter() - started, rendered=len(todo))

    def _static(self, keys: dict[str, Any], fresh: dict[str, bytes]) -> None:
        """The static files, keyed by their bytes."""
        for path, data in static_files(self.paths.static_folders).items():
            keys[path] = digest(b"static", data)
            if self.built.changed(path, keys[path]):
                fresh[path] = data

    def know(self, last: cache.LastBuild | None, checked: cache.LastBuild | None) -> None:
        """A check starts from the keys of the last build's files and the last check's pages."""
        self.built.know(last, checked)

    def adopt(self, store: cache.BuildCache, last: cache.LastBuild) -> None:
        """Start from the last build into the same folder (outputs.Built.adopt)."""
        self.built.adopt(store, last)

    def save(self) -> None:
        """Keep what this engine's latest build used in the cache folder (snapshot.py)."""
        self.snapshot.save(self.memory, self.planner, self.compiled, self.parts)

    def forget_unused(self) -> None:
        """A long session keeps one site's worth."""
        self.memory.forget_unused()


def _render(renderer: Renderer, specs: list[PageSpec], jobs: int) -> dict[str, bytes]:
    renderer.compile(spec.template for spec in specs)
    pages = parallel.fork_map(lambda spec: render_page(renderer, spec), specs, jobs)
    return {spec.path: page for spec, page in zip(specs, pages, strict=True)}
