"""Build and check: one engine per run, with the cache folder beside the output (cache.py):
the last build's result when no input changed, else an engine started from what the cache
folder keeps, and afterwards the record of this build kept there."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import cache, parallel, search
from ..errors import ContentError, Problem
from ..paths import Paths
from ..write import clear_leftovers, write_site
from .core import Engine
from .results import BuildResult, ReusedBuild


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
    if engine.snapshot.taken and last is not None:
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

    def keep_early() -> None:
        # The snapshot (seconds of pickling at newsroom scale) kept while Pagefind works,
        # rather than after it on one core; what fails here is tried again, and said, below.
        try:
            engine.save()
        except OSError:
            pass

    result = engine.run(write=write, strict=strict, progress=progress, prove=not write,
                        meanwhile=keep_early)
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
        files = engine.built.last_files
        # A file the build left as it was, and which matched the last build's record before
        # it, still does; the others are looked at again.
        written = result.report.changed if result.report is not None else None
        kept = {} if written is None or last is None or last.outputs is None else {
            p: last.outputs[p] for p in engine.built.verified if p not in written and p in files}
        found = cache.stat_outputs(paths.out.resolve(), [p for p in files if p not in kept])
        outputs = {p: kept[p] if p in kept else found[p] for p in files}
        record = cache.LastBuild(
            key=key, inputs=inputs,
            warnings=[(w.path, w.line, w.field, w.message) for w in result.warnings],
            totals=result.totals(), notices=result.notices, outputs=outputs,
            keys={path: k for path, (k, _) in engine.built.files.items()}, facts=engine.built.facts,
        )
        store.save(paths.out, record, files, earlier=last if engine.built.adopted else None,
                   made=result.made)
    else:
        store.save(checks, cache.LastBuild(
            key=key, inputs=inputs,
            warnings=[(w.path, w.line, w.field, w.message) for w in result.warnings],
            totals=result.totals(), notices=result.notices, outputs=None,
            keys=engine.built.proven), None)


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
