"""The build, as a table of contents: load → validate → resolve times → render → write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem
from .load import load_content
from .render import RenderedSite, render_site
from .resolve import Timeline, resolve_timeline
from .validate import Content, validate_content
from .write import WriteReport, write_site


@dataclass(frozen=True)
class Paths:
    """Where the site's content, theme and output live."""

    content: Path
    out: Path
    templates: Path
    static: Path


@dataclass(frozen=True)
class BuildResult:
    content: Content
    timeline: Timeline
    site: RenderedSite
    report: WriteReport | None
    warnings: tuple[Problem, ...]
    seconds: float

    def summary(self) -> str:
        records = len(self.timeline.sources) + len(self.timeline.events) + len(self.timeline.pages)
        accounts = sum(len(e.accounts) for e in self.timeline.events)
        line = (f"{records} records ({len(self.timeline.events)} events, {accounts} accounts, "
                f"{len(self.timeline.sources)} sources), {self.site.pages} pages, "
                f"{len(self.site.files)} files")
        if self.report:
            line += (f"; {self.report.written} written, {self.report.unchanged} unchanged, "
                     f"{self.report.removed} removed")
        return f"{line} in {self.seconds:.2f} s"


def build(paths: Paths, *, write: bool = True, strict: bool = False) -> BuildResult:
    """Read and check everything, then (only then) write site/. Raises ContentError."""
    started = time.perf_counter()
    raw = load_content(paths.content)
    content = validate_content(raw)
    timeline = resolve_timeline(content)
    site = render_site(timeline, content.origins, paths.templates, paths.static)
    if strict and content.warnings:
        raise ContentError(list(content.warnings))
    report = write_site(site, paths.out) if write else None
    return BuildResult(content, timeline, site, report, content.warnings, time.perf_counter() - started)
