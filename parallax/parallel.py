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
SWITCH = 0.0002
"""How long (seconds) a thread may hold the interpreter while others wait, during fork_map."""


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# What the forked workers run: set just before forking, so they inherit it with everything else.
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _run(batch: tuple[int, int, int]) -> tuple[str, Any]:
    """The items of one batch (range(*batch)): their results, or the first failing item's
    place in the list and its problems."""
    assert _work is not None
    function, items = _work
    done = []
    for i in range(*batch):
        try:
            done.append(function(items[i]))
        except ContentError as error:  # its problems, not its message, must reach the parent
            return "problems", (i, [tuple(p.__dict__.values()) for p in error.problems])
    return "done", done


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


def _work_here(batches: list[tuple[int, int, int]], futures: list[Future[Any]],
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

    Each batch takes every so many items across the list (batch n: items n, n + B, n + 2B
    ... for B batches), so the costly items that lead a list (the big overview pages) are
    spread evenly over the batches, and when this process (working from the last batch)
    meets the workers, what is left to them is a few batches of average cost. (Batches of
    consecutive items left one worker rendering the overview pages alone for 11 s at the end
    of a cold build at 4,000 events.) A ContentError raised for an item is raised here with
    its problems, the first failing item's in the list's order, as one process would raise
    it; a bug keeps its traceback (concurrent.futures attaches it). A worker that dies
    (killed, out of memory) costs time, never the result or a hang."""
    global _work
    if jobs < 2 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [function(item) for item in items]
    size = max(1, min(64, len(items) // (jobs * 16)))
    count = -(-len(items) // size)
    batches = [(n, len(items), count) for n in range(count)]
    _work = (function, items)
    # What the workers inherit is set aside from their collector of reference cycles: its
    # passes would write to every object (its header), which copies each page of the
    # parent's memory into each worker, and costs as much time as it costs memory.
    frozen = gc.get_freeze_count()
    gc.freeze()
    outcomes: list[Any] = [None] * len(batches)
    # This process works through batches itself, holding the interpreter while it does;
    # the pool's threads that hand batches to the workers and read back what they made (a
    # batch of pages is megabytes, read from a pipe 64 KB at a time, the interpreter taken
    # again for each) wait their turn for it. At the usual 5 ms a turn, the worker sat idle
    # more than half of a cold build's render at 4,000 events (4.3 s busy of 10.7 s);
    # at SWITCH, 7.0 of 8.1 s.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH)
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
        sys.setswitchinterval(interval)
        _work = None
        if not frozen:
            gc.unfreeze()  # as it was: the caller's objects set aside only if they were
    failed = [value for status, value in outcomes if status == "problems"]
    if failed:
        raise ContentError([Problem(*p) for p in min(failed, key=lambda f: f[0])[1]])
    results: list[Any] = [None] * len(items)
    for n, (_, value) in enumerate(outcomes):
        results[n::count] = value
    return results
