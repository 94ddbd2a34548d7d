"""Where a build reads and writes: the one type every command starts from (kept light to import)."""

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
