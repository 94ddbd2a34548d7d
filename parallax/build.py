"""The build's entry points: `build` (no cache) and `cached_build` (with the cache folder).

Both run the one engine (parallax/engine/), whose `Engine.run` reads as the table of contents:
load → validate → resolve times → render → write.
"""

from __future__ import annotations

from .engine import BuildResult, ReusedBuild, build, cached_build
from .paths import Paths

__all__ = ["BuildResult", "Paths", "ReusedBuild", "build", "cached_build"]
