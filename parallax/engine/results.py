"""What a build or a check tells its caller: what it made, its warnings, how long it took."""

from __future__ import annotations

from dataclasses import dataclass

from .. import feeds
from ..errors import Problem
from ..resolve import Timeline
from ..validate import Content
from ..write import WriteReport, describe

NO_ADDRESS = ("the site has no address, so its pages have no canonical link or og:url, there is "
              "no sitemap.xml and no Atom feed, and each cite line gives the page's path; give "
              "the address with --base-url, PARALLAX_BASE_URL or base_url in site.yaml")


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
        if not self.timeline.site.base_url:
            found = [NO_ADDRESS]
        else:
            found = [feeds.missing(self.timeline), feeds.undated(self.timeline)]
        found.append(feeds.unlisted(self.timeline))
        return tuple(notice for notice in found if notice)


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
