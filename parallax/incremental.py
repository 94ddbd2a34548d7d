"""Serve's builder: one full build, then rebuilds that redo only what an edit touched.

A rebuild runs the same stages as `build.build`, with the output identical to a full build's
(tests/test_cache.py compares them byte for byte), but:

- the load and validate stages find every unchanged record file and Markdown text in the
  memos (cache.py), and the resolve stage every unchanged article's time words;
- the render stage renders a page again only when something its templates can read differs
  from the last build: a variable of its context, a template's source, or the part of the
  timeline a template function reads (see `_page_inputs`); every other page keeps its bytes;
- the search index is built again only when the pages it indexes changed (a memo, search.py);
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

import jinja2
import jinja2.bccache
from jinja2 import meta, nodes

from . import cache, export
from .build import BuildResult, Paths
from .errors import ContentError
from .load import load_content
from .parallel import default_jobs, pages_on, read_ahead
from .render import PageSpec, Renderer, render_page, render_site
from .resolve import Timeline, resolve_timeline
from .search import index_site
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
        self.analysed: dict[str, Any] = {}
        self.compiled = _Compiled()
        self.reused = 0
        """Pages the last rebuild did not render again."""
        export.keep_between_builds(True)
        self.runs = 0
        """Builds begun, good or not: only the first may fork workers (serve's later ones run
        beside its web server and watcher threads, and forking a process with threads is
        not safe)."""

    def build(self) -> BuildResult:
        """A full build (memos from the cache folder; pages on every core the first time)."""
        return self._run(first=True)

    def rebuild(self, changed: Iterable[Path] | None = None) -> BuildResult:
        """Build again after a change; the first call (or any until one succeeds) is a full
        build. `changed` (the files serve saw change) is for messages only: every input is
        looked at, and unchanged ones cost a memo look-up. Raises ContentError as `build()`
        does, leaving site/ as it was."""
        del changed
        return self._run(first=not self.pages)

    def close(self) -> None:
        """Keep this session's memos for the next build."""
        export.keep_between_builds(False)
        cache.use(self.cache_folder)
        try:
            cache.save_memos()
        finally:
            cache.use(None)

    def _run(self, first: bool) -> BuildResult:
        started = time.perf_counter()
        jobs = self.jobs if self.runs == 0 else 1
        self.runs += 1
        cache.use(self.cache_folder if first else None)
        cache.begin_build()
        try:
            read_ahead(self.paths.content, jobs)
            raw = load_content(self.paths.content)
            content = validate_content(raw, self.paths.base_url)
            timeline = resolve_timeline(content)
            render_pages = pages_on(jobs)
            site = render_site(timeline, content.origins, self.paths.templates, self.paths.static,
                               render_pages=self._recorder(timeline, render_pages))
            if self.strict and content.warnings:
                raise ContentError(list(content.warnings))
            site = index_site(site)
            unchanged = frozenset(p for p, data in site.files.items()
                                  if p in self.written and self.written[p] == data)
            report = write_site(site, self.paths.out, unchanged=unchanged)
        finally:
            cache.use(None)
        self.written = dict(site.files)
        cache.forget_unused()  # a long session keeps one site's worth
        return BuildResult(content, timeline, site, report, content.warnings,
                           time.perf_counter() - started)

    def _recorder(self, timeline: Timeline, render_all: Any) -> Any:
        """A `render_pages` that reuses unchanged pages and remembers this build's."""

        def render_pages(renderer: Renderer, specs: list[PageSpec]) -> dict[str, bytes]:
            renderer.env.bytecode_cache = self.compiled  # no template is loaded before this
            inputs = _PageInputs(renderer, self.timeline, timeline, self.template_sources,
                                 self.analysed)
            todo = [s for s in specs if not inputs.unchanged(s, self.pages.get(s.path))]
            if render_all and len(todo) == len(specs):
                fresh = render_all(renderer, todo)
            else:
                fresh = {spec.path: render_page(renderer, spec) for spec in todo}
            self.reused = len(specs) - len(todo)
            pages = {}
            for spec in specs:
                html = fresh[spec.path] if spec.path in fresh else self.pages[spec.path].html
                pages[spec.path] = _Page(spec.template, spec.context, html)
            # Only once every page is rendered: the next build compares with what these pages
            # were made from (a build that fails here leaves the last good pages' inputs).
            self.pages = pages
            self.template_sources = inputs.sources
            self.timeline = timeline
            return {path: page.html for path, page in pages.items()}

        return render_pages


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates, kept between rebuilds (each build has a new Jinja environment);
    Jinja checks each against its template's source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class _PageInputs:
    """Decides, page by page, whether everything a page's templates can read is as it was."""

    def __init__(self, renderer: Renderer, before: Timeline | None, now: Timeline,
                 sources_before: dict[str, str], analysed: dict[str, Any]):
        self.env = renderer.env
        self.analysed = analysed
        """The builder's: each template's sources and reads, as long as the sources stay."""
        self.renderer = renderer
        self.before = before
        self.now = now
        self.sources_before = sources_before
        self.sources: dict[str, str] = {}
        """'template:<name>' → source, for every template this build's pages use."""
        self._reads: dict[str, dict[str, set[str] | None] | None] = {}
        self._equal: dict[tuple[int, int], bool] = {}

    def unchanged(self, spec: PageSpec, page: _Page | None) -> bool:
        reads = self.reads(spec.template)
        if reads is None or page is None or page.template != spec.template or self.before is None:
            return False
        return all(self._same_input(name, parts, spec.context, page.context)
                   for name, parts in sorted(reads.items()))

    def _same_input(self, name: str, parts: set[str] | None, now: dict[str, Any],
                    before: dict[str, Any]) -> bool:
        if name.startswith("template:"):
            return self.sources[name] == self.sources_before.get(name)
        if name in now or name in before:
            return name in now and name in before and self.same_parts(now[name], before[name], parts)
        if name in ("path", "root", "asset"):
            return True  # the same path, so the same relative prefix and asset addresses
        value = self.env.globals.get(name, self.env.filters.get(name, self.env.tests.get(name)))
        if value is None:
            return True  # a name Jinja provides (loop, caller, range, ...)
        if not callable(value):
            return True  # a constant set when the renderer was made
        if not _closes_over_timeline(value, self.now, self.renderer):
            return True  # a function of its arguments only
        return self.same_parts(self.now, self.before, TIMELINE_READS.get(name))

    def same_parts(self, a: Any, b: Any, parts: Iterable[str] | None) -> bool:
        """Whether `a` and `b` are equal in the attributes `parts` (None: in everything)."""
        if parts is None:
            return self.same(a, b)
        return all(self.same(_part(a, p), _part(b, p)) for p in sorted(parts))

    def same(self, a: Any, b: Any) -> bool:
        """Equality, worked out once per pair of objects (many pages share their values)."""
        if a is b:
            return True
        key = (id(a), id(b))
        found = self._equal.get(key)
        if found is None:
            found = self._equal[key] = type(a) is type(b) and a == b
        return found

    def reads(self, template: str) -> dict[str, set[str] | None] | None:
        """What the template and the templates it extends, includes or imports look up: each
        name, with the attributes read of it (None: it is used as a whole), and
        'template:<name>' for each of their sources. None when a template is chosen at run
        time."""
        if template in self._reads:
            return self._reads[template]
        earlier = self.analysed.get(template)
        if earlier is not None:
            sources, found = earlier
            now = {name: self.env.loader.get_source(self.env, name.removeprefix("template:"))[0]
                   for name in sources}
            if now == sources:
                self.sources.update(now)
                self._reads[template] = found
                return found
        trees: dict[str, nodes.Template] = {}
        undeclared: set[str] = set()
        todo = [template]
        while todo:
            name = todo.pop()
            if name in trees:
                continue
            source, _, _ = self.env.loader.get_source(self.env, name)
            self.sources[f"template:{name}"] = source
            trees[name] = tree = self.env.parse(source)
            undeclared |= meta.find_undeclared_variables(tree)
            undeclared |= {n.name for n in tree.find_all((nodes.Filter, nodes.Test))}
            for child in meta.find_referenced_templates(tree):
                if child is None:  # chosen at run time: no telling what the page reads
                    self._reads[template] = None
                    return None
                todo.append(child)
        macros = {m.name: m for tree in trees.values() for m in tree.find_all(nodes.Macro)}
        found: dict[str, set[str] | None] = {f"template:{name}": set() for name in trees}
        for name in undeclared:
            parts: set[str] | None = set()
            for tree in trees.values():
                parts = _merge(parts, _attributes_read(tree, name, macros, depth=3))
            found[name] = parts
        self._reads[template] = found
        self.analysed[template] = ({f"template:{n}": self.sources[f"template:{n}"] for n in trees},
                                   found)
        return found


def _merge(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    return None if a is None or b is None else a | b


def _part(value: Any, name: str) -> Any:
    """`value.name` as a template reads it; the whole value when that is a method."""
    found = getattr(value, name, _MISSING)
    if found is _MISSING and isinstance(value, dict):
        found = value.get(name, _MISSING)
    return value if found is _MISSING or callable(found) else found


_MISSING = object()


def _attributes_read(node: nodes.Node, name: str, macros: dict[str, nodes.Macro],
                     depth: int) -> set[str] | None:
    """The attributes read of the variable `name` under `node`; None when it is used as a
    whole (or handed on through more than `depth` macro calls). A macro whose parameter has
    the same name does not read it; an argument handed to a macro is read as the macro reads
    that parameter."""
    found: set[str] | None = set()
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Macro) and name in {a.name for a in child.args}:
            continue
        if isinstance(child, nodes.Getattr) and _is_name(child.node, name):
            found = _merge(found, {child.attr})
        elif isinstance(child, nodes.Call) and _hands_on(child, name):
            found = _merge(found, _read_by_macro(child, name, macros, depth))
        elif _is_name(child, name):
            return None
        else:
            found = _merge(found, _attributes_read(child, name, macros, depth))
        if found is None:
            return None
    return found


def _hands_on(call: nodes.Call, name: str) -> bool:
    return any(_is_name(a, name) for a in call.args) or any(
        _is_name(k.value, name) for k in call.kwargs)


def _read_by_macro(call: nodes.Call, name: str, macros: dict[str, nodes.Macro],
                   depth: int) -> set[str] | None:
    """What a call that hands `name` to a macro reads of it."""
    macro = macros.get(call.node.name) if isinstance(call.node, nodes.Name) else None
    if macro is None or depth == 0 or call.dyn_args or call.dyn_kwargs:
        return None
    params = [a.name for a in macro.args]
    handed = [params[i] if i < len(params) else None
              for i, a in enumerate(call.args) if _is_name(a, name)]
    handed += [k.key for k in call.kwargs if _is_name(k.value, name)]
    found: set[str] | None = set()
    for param in handed:
        if param not in params:
            return None
        found = _merge(found, _attributes_read(macro, param, macros, depth - 1))
    others = [a for a in call.args if not _is_name(a, name)]
    others += [k.value for k in call.kwargs if not _is_name(k.value, name)]
    for node in [call.node, *others]:
        found = _merge(found, _attributes_read(node, name, macros, depth))
    return found


def _is_name(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name and node.ctx == "load"


def _closes_over_timeline(function: Any, timeline: Timeline, renderer: Renderer) -> bool:
    for cell in getattr(function, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if value is timeline or value is renderer or isinstance(value, Timeline | Renderer):
            return True
    return False
