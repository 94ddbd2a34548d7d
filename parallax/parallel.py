"""Build helper: the slow, independent parts of a build spread over every core, same result.

Two parts pay for it at newsroom scale: reading the record files (YAML) with their Markdown,
and rendering the pages (Jinja). Workers are forked, so each starts with everything the build
has in memory; they return plain data, and the results are put together in the order a single
process would have produced them. Sites of fewer than MIN_ITEMS files or pages are built in one
process: there forking costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path
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


def fork_map(function: Callable[[Any], Any], items: Sequence[Any], jobs: int) -> list[Any]:
    """[function(item) for item in items], worked out by `jobs` forked processes.

    Small batches are handed out in order, so the costly items that lead a list (the big
    overview pages) are spread over the workers first. A ContentError raised for one item is
    raised here with its problems; a bug keeps its traceback (multiprocessing attaches it)."""
    global _work
    if jobs < 2 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [function(item) for item in items]
    size = max(1, min(64, len(items) // (jobs * 16)))
    batches = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _work = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            outcomes = pool.map(_run, batches, chunksize=1)
    finally:
        _work = None
    results: list[Any] = []
    for status, value in outcomes:
        if status == "problems":
            raise ContentError([Problem(*p) for p in value])
        results.extend(value)
    return results


# --- reading ahead -------------------------------------------------------------------------------


def _read_one(item: tuple[str, str, str, str]) -> tuple[Any, list[tuple[str, Any, Any]]]:
    """In a worker: one record file's front matter, and its body's Markdown results."""
    from . import load, markup
    from .cache import MEMOS

    text, shown, kind, record_id = item
    memo = MEMOS["records"]
    try:
        record = load.parse_markdown(text, shown, kind, record_id)
    except ContentError:
        return None, []  # the load stage reports it, in order with everything else
    results = []
    for name in BODY_MEMOS:
        function = getattr(markup, name)
        results.append((function.name, function.key(record.body), function(record.body)))
    return memo.encode(record) if memo.encode else record, results


BODY_MEMOS = ("address_problems", "convert", "quiet_changes")
"""The markup functions that the validate and render stages call with every record's body."""


def read_ahead(root: Path, jobs: int) -> None:
    """Parse the record files under `root` that the memos do not know yet, with their bodies'
    Markdown, on every core; the load and validate stages then find them in the memos. Files
    that cannot be read are left for the load stage to report."""
    from . import load
    from .cache import MEMOS

    if jobs < 2:
        return
    found = []
    for folder, kind in load.KINDS.items():
        for path in sorted((root / folder).rglob("*" + load.RECORD_SUFFIX)):
            if path.is_file() and not path.is_symlink():  # links: the load stage judges them
                found.append((path, kind))
    if len(found) < MIN_ITEMS:
        return
    memo = MEMOS["records"]
    items = []
    for path, kind in found:
        shown = load.display_path(path, root)
        try:
            text = load.read_text(path, shown)
        except (ContentError, OSError):
            continue
        items.append((text, shown, kind, path.stem))
    wanted = set(memo.missing([memo.key(*item) for item in items]))
    todo = [item for item in items if memo.key(*item) in wanted]
    for (text, shown, kind, record_id), (record, results) in zip(
            todo, fork_map(_read_one, todo, jobs), strict=True):
        if record is None:
            continue
        memo.remember(memo.key(text, shown, kind, record_id),
                      memo.decode(record) if memo.decode else record)
        for name, key, value in results:
            MEMOS[name].remember(key, value)


# --- rendering -----------------------------------------------------------------------------------


def pages_on(jobs: int) -> Callable[[Any, list[Any]], dict[str, bytes]] | None:
    """A `render_pages` for `render.render_site` that renders on `jobs` cores; None (render's
    own, one page after another) for one."""
    if jobs < 2:
        return None

    def render_pages(renderer: Any, specs: list[Any]) -> dict[str, bytes]:
        from .render import render_page

        pages = fork_map(lambda spec: render_page(renderer, spec), specs, jobs)
        return {spec.path: page for spec, page in zip(specs, pages, strict=True)}

    return render_pages
