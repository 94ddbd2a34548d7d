"""The page planner: which pages the site has, what each reads, and the key each is made from.

Every page spec names the records it reads (render.PageSpec.reads); a page's key is the
content hashes of those records, with the templates and the site's settings, sources, parties
and content pages (`SiteKeys`). A page whose key is the one the last build made it from is
not rendered again. Which pages the site has follows from everything but the events' bodies,
so the last run's list of pages (`Planner.shape`, kept in the cache folder) holds after an
edit to a body alone, and only the pages to render again need their specs.
"""

from __future__ import annotations

import os
from typing import Any

from .. import cache
from ..errors import ContentError
from ..paths import Paths
from ..render import PageSpec, Renderer, collisions, common_context, event_specs, page_specs
from ..resolve import Timeline
from .keys import digest, tree_digest

Shape = tuple[bytes, tuple[tuple[str, str, tuple[str, ...]], ...]]
"""A run's pages (path, template, reads), with a hash of what decides which pages the site
has: the site's settings, sources, parties, content pages and templates, and every event's
front matter (not the events' bodies)."""


class SiteKeys:
    """One run's hashes of what pages read."""

    def __init__(self, site: bytes, events: bytes, event_paths: dict[str, str],
                 hashes: dict[str, tuple[bytes, bytes]]):
        self.site = site
        """What every page reads: the settings, sources, parties, content pages, templates."""
        self.events = events
        """Every event's front matter (what the pages that list events read)."""
        self.event_paths = event_paths
        self.hashes = hashes

    def event(self, event_id: str) -> tuple[bytes, bytes]:
        """An event's (whole record, front matter) hash."""
        return self.hashes.get(self.event_paths.get(event_id, ""), (b"?", b"?"))

    def page(self, template: str, reads: tuple[str, ...]) -> tuple[Any, ...]:
        """What the page declares it reads, as content hashes (a tuple: comparing one costs
        less than hashing it again, thousands of times per edit)."""
        parts: list[Any] = [self.site, template]
        for read in reads:
            kind, _, name = read.partition(":")
            parts.append(read)
            if kind == "event" or kind == "meta":
                if name:
                    parts.append(self.event(name)[0 if kind == "event" else 1])
            else:
                parts.append(self.events)
        return tuple(parts)


def site_keys(raw: Any, hashes: dict[str, tuple[bytes, bytes]], paths: Paths) -> SiteKeys:
    """A hash of what every page reads: the settings (with the address given to the
    build), the sources, parties and content pages, the templates; and, for the pages
    that list events, every event's front matter."""
    small: list[Any] = [cache.generation(), paths.base_url,
                        os.environ.get("SOURCE_DATE_EPOCH", "")]
    events: list[Any] = []
    event_paths = {}
    for record in raw.records:
        if record.kind == "event":
            event_paths[record.id] = record.path
            events.append(record.path)
            events.append(hashes.get(record.path, (b"?", b"?"))[1])
        elif record.path in hashes:
            small += [record.path, hashes[record.path][0]]
        else:  # site.yaml and credited.yaml: read whole, they are small
            small += [record.path, repr(record.data)]
    small += [tree_digest(folder) for folder in paths.template_folders]
    return SiteKeys(digest(*small), digest(*events), event_paths, hashes)


class Planner:
    """Plans each run's pages, keeping the last run's list between runs."""

    def __init__(self) -> None:
        self.shape: Shape | None = None
        """The last run's pages (see `Shape`)."""

    def begin(self, site: SiteKeys, timeline: Timeline, renderer: Renderer) -> PagePlan:
        """This run's plan, with the event pages' specs and keys (`PagePlan.settle` adds the
        rest)."""
        return PagePlan(self.shape, site, timeline, renderer)


class PagePlan:
    """One run's pages: their specs (made when asked for) and keys."""

    def __init__(self, last: Shape | None, site: SiteKeys, timeline: Timeline,
                 renderer: Renderer):
        self.last = last
        self.site = site
        self.timeline = timeline
        self.renderer = renderer
        self.common = common_context(timeline)
        self.events = event_specs(timeline, renderer, self.common)
        """The event pages' specs."""
        self.keys: dict[str, Any] = {spec.path: site.page(spec.template, spec.reads)
                                     for spec in self.events}
        """The key of each file of the site: the pages' (the event pages' first, the others
        once settled); the run adds the data files', static files' and search index's."""
        self.shape: Shape | None = None
        self.paths: list[str] = []
        """Every page's path, in the order the page specs give them."""
        self._all: list[PageSpec] | None = None

    def settle(self) -> None:
        """Which pages the site has: the last run's list when what decides it is unchanged,
        else every page's spec (two pages that would write the same path are an error)."""
        shape_key = digest(self.site.site, self.site.events)
        if self.last is not None and self.last[0] == shape_key:
            shape = self.last
        else:
            self._all = page_specs(self.timeline, self.renderer, self.common, self.events)
            problems = collisions(self._all)
            if problems:
                raise ContentError(problems)
            shape = (shape_key, tuple((s.path, s.template, s.reads) for s in self._all))
        self.shape = shape
        self.paths = [path for path, _, _ in shape[1]]
        for path, template, reads in shape[1]:
            if path not in self.keys:
                self.keys[path] = self.site.page(template, reads)

    @property
    def pages(self) -> int:
        """How many HTML pages the site has."""
        return sum(1 for path in self.paths if path.endswith(".html"))

    def specs_of(self, wanted: list[str]) -> list[PageSpec]:
        """The specs of the pages at these paths (every page's made only when one is not an
        event's)."""
        by_path = {spec.path: spec for spec in self.events}
        if self._all is None and any(p not in by_path for p in wanted):
            self._all = page_specs(self.timeline, self.renderer, self.common, self.events)
        if self._all is not None:
            by_path = {spec.path: spec for spec in self._all}
        return [by_path[path] for path in wanted]
