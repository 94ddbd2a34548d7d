"""Engine helper: independent pieces of work spread over every core, same result.

The engine uses it for the slow parts of a cold build at newsroom scale: reading the record
files (YAML) with their Markdown, and rendering the pages (Jinja). Workers are forked, so each
starts with everything the build has in memory, and the build's own process works beside them
(one core each: one worker fewer, so one copy fewer of its memory); they return plain data,
and the results are put together in the order a single process would have produced them. Lists of fewer than
MIN_ITEMS items are worked through in one process: there forking costs more than it saves.
This module knows nothing of the stages.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .errors import ContentError, Problem

MIN_ITEMS = 400


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# What the forked workers run: set just before forking, so they inherit it with everything else.
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(bounds: tuple[int, int]) -> tuple[str, Any]:
    assert _work is not None
    function, items = _work
    try:
        return "done", [function(items[i]) for i in range(*bounds)]
    except ContentError as error:  # its problems, not its message, must reach the parent
        return "problems", [tuple(p.__dict__.values()) for p in error.problems]


def _quiet() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it ends the workers); a worker that
    took it too would print a traceback of its own. SIGTERM, which the pool sends its workers
    when it closes, ends a worker plainly (the parent's own handler, which a forked worker
    inherits, would print a traceback). A worker ends with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
    gc.enable()  # (the parent may hold it off) for what the worker makes


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child process (on Linux): the system ends it when its parent ends, however the
    parent ends, so that a killed build leaves no worker or indexer running behind it (and
    writing into folders the next build removes). Elsewhere nothing is done."""
    if sys.platform != "linux":
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def give_back_memory() -> None:
    """Hand back to the system the memory this process has freed but its allocator still
    holds (glibc's `malloc_trim`): before a large process starts beside it (Pagefind, once the
    workers are gone), so that the peak summed over the build's processes holds less of this
    one (about 26 MB of 563 at 4,000 events). Elsewhere nothing is done."""
    if sys.platform != "linux":
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # a libc without it (musl)
        return


def _work_here(batches: list[tuple[int, int]], futures: list[Future[Any]],
               outcomes: list[Any]) -> None:
    """This process is one of the `jobs` too: it works through the batches from the end of
    the list while the workers take them from its start, each batch that no worker has
    begun (one fewer worker: one fewer copy of this process's memory, and no core idle). Its
    collector runs meanwhile, as a worker's does, over what it makes here only."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        for n in range(len(batches) - 1, -1, -1):
            if not futures[n].cancel():
                return  # a worker has it: the workers have the rest
            outcomes[n] = _run(batches[n])
    finally:
        if not enabled:
            gc.disable()


def fork_map(function: Callable[[Any], Any], items: Sequence[Any], jobs: int) -> list[Any]:
    """[function(item) for item in items], worked out by this process and `jobs` - 1 forked
    ones.

    Small batches are handed out in order, so the costly items that lead a list (the big
    overview pages) are spread over the workers first. A ContentError raised for one item is
    raised here with its problems; a bug keeps its traceback (concurrent.futures attaches it).
    A worker that dies (killed, out of memory) costs time, never the result or a hang."""
    global _work
    if jobs < 2 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [function(item) for item in items]
    size = max(1, min(64, len(items) // (jobs * 16)))
    batches = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _work = (function, items)
    # What the workers inherit is set aside from their collector of reference cycles: its
    # passes would write to every object (its header), which copies each page of the
    # parent's memory into each worker, and costs as much time as it costs memory.
    frozen = gc.get_freeze_count()
    gc.freeze()
    outcomes: list[Any] = [None] * len(batches)
    try:
        # concurrent.futures notices a worker that dies (multiprocessing's Pool would wait for
        # it for ever): the work is then done here, in this process, with the same result.
        with ProcessPoolExecutor(jobs - 1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_quiet) as pool:
            futures = [pool.submit(_run, batch) for batch in batches]
            try:
                _work_here(batches, futures, outcomes)
                for n, future in enumerate(futures):
                    if outcomes[n] is None:
                        outcomes[n] = future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool:
        outcomes = [done if done is not None else _run(batch)
                    for done, batch in zip(outcomes, batches, strict=True)]
    finally:
        _work = None
        if not frozen:
            gc.unfreeze()  # as it was: the caller's objects set aside only if they were
    results: list[Any] = []
    for status, value in outcomes:
        if status == "problems":
            raise ContentError([Problem(*p) for p in value])
        results.extend(value)
    return results
