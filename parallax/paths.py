"""Where a build reads, writes and is published: the one type every command starts from (kept light to import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    """Where the site's content, theme and output live."""

    content: Path
    out: Path
    templates: Path
    static: Path
    base_url: str | None = None
    """The site's published address when given to the command (`--base-url`, else
    PARALLAX_BASE_URL); it takes the place of site.yaml's `base_url`."""


BUILT_IN = {"": "home", "events": "events", "sources": "sources", "credited": "credited",
            "differences": "differences", "data": "data", "static": "static", "404.html": "404",
            "timeline": "timeline", "origins": "origins", "search": "search",
            "pagefind": "search index"}
"""Addresses of the pages Parallax writes itself (what each is): a content page may not take
them. Here, not in the render stage, so validation can check pages against them."""
