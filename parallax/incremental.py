"""Serve's builder: one full build, then rebuilds that redo only what an edit touched.

A rebuild runs the same stages as `build.build`, with the output identical to a full build's
(tests/test_cache.py compares them byte for byte), but:

- the load and validate stages find every unchanged record file and Markdown text in the
  memos (cache.py), and the resolve stage every unchanged article's time words;
- the render stage renders a page again only when something its templates can read differs
  from the last build: a variable of its context, a template's source, or the part of the
  timeline a template function reads (see `_page_inputs`); every other page keeps its bytes;
- the write stage rewrites only the files whose bytes differ from what this builder last
  wrote, without reading site/ back.

`serve` calls `rebuild()` on every change; see the README of bench/ for what it costs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import meta, nodes

from . import cache
from .build import BuildResult, Paths
from .errors import ContentError
from .load import load_content
from .parallel import default_jobs, pages_on, read_ahead
from .render import PageSpec, Renderer, render_page, render_site
from .resolve import Timeline, resolve_timeline
from .validate import validate_content
from .write import write_site

# What the renderer's template functions read of the timeline, when they close over it. A
# function that closes over the timeline and is not listed here counts as reading all of it
# (so every page that calls it is rendered again after any edit).
TIMELINE_READS: dict[str, tuple[str, ...]] = {
    "page_url": ("site",),
    "linked_data": ("site", "sources", "source_dates"),
}


@dataclass(frozen=True)
class _Page:
    template: str
    context: dict[str, Any]
    html: bytes


class IncrementalBuild:
    """Builds `paths` once, then again on every change, reusing what did not change."""

    def __init__(self, paths: Paths, *, strict: bool = False,
                 cache_folder: Path | None = None, jobs: int | None = None):
        self.paths = paths
        self.strict = strict
        self.cache_folder = cache_folder or cache.folder_for(paths.out)
        self.jobs = default_jobs() if jobs is None else jobs
        self.pages: dict[str, _Page] = {}
        self.written: dict[str, bytes] = {}
        self.timeline: Timeline | None = None
        self.template_sources: dict[str, str] = {}
        self.reused = 0
        """Pages the last rebuild did not render again."""

    def build(self) -> BuildResult:
        """A full build (memos from the cache folder, pages on every core)."""
        return self._run(first=True)

    def rebuild(self, changed: Iterable[Path] | None = None) -> BuildResult:
        """Build again after a change. `changed` (the files serve saw change) is for messages
        only: every input is looked at, and unchanged ones cost a memo look-up. Raises
        ContentError as `build()` does, leaving site/ as it was."""
        del changed
        return self._run(first=not self.pages)

    def close(self) -> None:
        """Keep this session's memos for the next build."""
        cache.use(self.cache_folder)
        try:
            cache.save_memos()
        finally:
            cache.use(None)

    def _run(self, first: bool) -> BuildResult:
        started = time.perf_counter()
        cache.use(self.cache_folder if first else None)
        cache.begin_build()
        try:
            if first:
                read_ahead(self.paths.content, self.jobs)
            raw = load_content(self.paths.content)
            content = validate_content(raw)
            timeline = resolve_timeline(content)
            render_pages = pages_on(self.jobs) if first else None
            site = render_site(timeline, content.origins, self.paths.templates, self.paths.static,
                               render_pages=self._recorder(timeline, render_pages))
            if self.strict and content.warnings:
                raise ContentError(list(content.warnings))
            unchanged = frozenset(p for p, data in site.files.items()
                                  if p in self.written and self.written[p] == data)
            report = write_site(site, self.paths.out, unchanged=unchanged)
        finally:
            cache.use(None)
        self.written = dict(site.files)
        self.timeline = timeline
        cache.forget_unused()  # a long session keeps one site's worth
        return BuildResult(content, timeline, site, report, content.warnings,
                           time.perf_counter() - started)

    def _recorder(self, timeline: Timeline, render_all: Any) -> Any:
        """A `render_pages` that reuses unchanged pages and remembers this build's."""

        def render_pages(renderer: Renderer, specs: list[PageSpec]) -> dict[str, bytes]:
            inputs = _PageInputs(renderer, self.timeline, timeline, self.template_sources)
            todo = [s for s in specs if not inputs.unchanged(s, self.pages.get(s.path))]
            self.template_sources = inputs.sources
            if render_all and len(todo) == len(specs):
                fresh = render_all(renderer, todo)
            else:
                fresh = {spec.path: render_page(renderer, spec) for spec in todo}
            self.reused = len(specs) - len(todo)
            pages = {}
            for spec in specs:
                html = fresh[spec.path] if spec.path in fresh else self.pages[spec.path].html
                pages[spec.path] = _Page(spec.template, spec.context, html)
            self.pages = pages
            return {path: page.html for path, page in pages.items()}

        return render_pages


class _PageInputs:
    """Decides, page by page, whether everything a page's templates can read is as it was."""

    def __init__(self, renderer: Renderer, before: Timeline | None, now: Timeline,
                 sources_before: dict[str, str]):
        self.env = renderer.env
        self.renderer = renderer
        self.before = before
        self.now = now
        self.sources_before = sources_before
        self.sources: dict[str, str] = {}
        """'template:<name>' → source, for every template this build's pages use."""
        self._names: dict[str, set[str] | None] = {}
        self._equal: dict[tuple[int, int], bool] = {}

    def unchanged(self, spec: PageSpec, page: _Page | None) -> bool:
        names = self.names(spec.template)
        if names is None or page is None or page.template != spec.template or self.before is None:
            return False
        return all(self._same_input(name, spec.context, page.context) for name in sorted(names))

    def _same_input(self, name: str, now: dict[str, Any], before: dict[str, Any]) -> bool:
        if name.startswith("template:"):
            return self.sources[name] == self.sources_before.get(name)
        if name in now or name in before:
            return name in now and name in before and self.same(now[name], before[name])
        if name in ("path", "root", "asset"):
            return True  # the same path, so the same relative prefix and asset addresses
        value = self.env.globals.get(name, self.env.filters.get(name, self.env.tests.get(name)))
        if value is None:
            return True  # a name Jinja provides (loop, caller, range, ...)
        if not callable(value):
            return True  # a constant set when the renderer was made
        if not _closes_over_timeline(value, self.now, self.renderer):
            return True  # a function of its arguments only
        parts = TIMELINE_READS.get(name)
        if parts is None:
            return self.same(self.now, self.before)
        return all(self.same(getattr(self.now, p), getattr(self.before, p)) for p in parts)

    def same(self, a: Any, b: Any) -> bool:
        """Equality, worked out once per pair of objects (many pages share their values)."""
        if a is b:
            return True
        key = (id(a), id(b))
        found = self._equal.get(key)
        if found is None:
            found = self._equal[key] = type(a) is type(b) and a == b
        return found

    def names(self, template: str) -> set[str] | None:
        """Every name the template and the templates it extends, includes or imports look up,
        plus 'template:<name>' for each of their sources; None when one is chosen at run time."""
        if template in self._names:
            return self._names[template]
        found: set[str] | None = set()
        todo, seen = [template], set()
        while todo and found is not None:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            source, _, _ = self.env.loader.get_source(self.env, name)
            self.sources[f"template:{name}"] = source
            found.add(f"template:{name}")
            tree = self.env.parse(source)
            found |= meta.find_undeclared_variables(tree)
            found |= {n.name for n in tree.find_all((nodes.Filter, nodes.Test))}
            for child in meta.find_referenced_templates(tree):
                if child is None:
                    found = None
                    break
                todo.append(child)
        self._names[template] = found
        return found


def _closes_over_timeline(function: Any, timeline: Timeline, renderer: Renderer) -> bool:
    cells = getattr(function, "__closure__", None) or ()
    for cell in cells:
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if value is timeline or value is renderer or isinstance(value, Timeline | Renderer):
            return True
    return False
