"""The build, as a table of contents: load → validate → resolve times → render → index for
search → write."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import ContentError, Problem
from .load import load_content
from .parallel import pages_on, read_ahead
from .paths import Paths
from .render import RenderedSite, render_site
from .resolve import Timeline, resolve_timeline
from .search import index_site
from .validate import Content, validate_content
from .write import WriteReport, describe, unsafe_paths, write_site

NO_ADDRESS = ("the site has no address, so its pages have no canonical link or og:url, there is "
              "no sitemap.xml, and each cite line gives the page's path; give the address with "
              "--base-url, PARALLAX_BASE_URL or base_url in site.yaml")


@dataclass(frozen=True)
class BuildResult:
    content: Content
    timeline: Timeline
    site: RenderedSite
    report: WriteReport | None
    warnings: tuple[Problem, ...]
    seconds: float

    def totals(self) -> str:
        """What was built, e.g. '6 records (3 events, 5 accounts, 2 sources), 9 pages, 16 files'."""
        records = len(self.timeline.sources) + len(self.timeline.events) + len(self.timeline.pages)
        accounts = sum(len(e.accounts) for e in self.timeline.events)
        return (f"{records} records ({len(self.timeline.events)} events, {accounts} accounts, "
                f"{len(self.timeline.sources)} sources), {self.site.pages} pages, "
                f"{len(self.site.files)} files")

    def summary(self) -> str:
        return describe(self.totals(), self.report, self.seconds)

    @property
    def notices(self) -> tuple[str, ...]:
        """What the editor should know about the output that is not a problem in the content."""
        return () if self.timeline.site.base_url else (NO_ADDRESS,)


def build(paths: Paths, *, write: bool = True, strict: bool = False, jobs: int = 1) -> BuildResult:
    """Read and check everything, then (only then) write site/. Raises ContentError.

    With `jobs` > 1, a large site's files are read and its pages rendered on that many cores
    (parallel.py); the output is the same. `cache.cached_build` adds what earlier builds kept."""
    started = time.perf_counter()
    read_ahead(paths.content, jobs)
    raw = load_content(paths.content)
    content = validate_content(raw, paths.base_url)
    timeline = resolve_timeline(content)
    site = render_site(timeline, content.origins, paths.templates, paths.static,
                       render_pages=pages_on(jobs))
    unsafe = unsafe_paths(site.files)  # `check` says so too, not only a build that writes
    if unsafe:
        raise ContentError(unsafe)
    if strict and content.warnings:
        raise ContentError(list(content.warnings))
    site = index_site(site)
    report = write_site(site, paths.out) if write else None
    return BuildResult(content, timeline, site, report, content.warnings, time.perf_counter() - started)
