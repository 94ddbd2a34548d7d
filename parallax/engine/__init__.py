"""Engine: the one build path of `build`, `check` and `serve` (core.py), and the entry points
that run it with the cache folder (cached.py)."""

from .cached import build, cached_build, progress_line
from .core import PAGES, PARTS, STATE, STATE_SLACK, TEMPLATES, Engine
from .results import NO_ADDRESS, BuildResult, ReusedBuild

__all__ = ["NO_ADDRESS", "PAGES", "PARTS", "STATE", "STATE_SLACK", "TEMPLATES", "BuildResult",
           "Engine", "ReusedBuild", "build", "cached_build", "progress_line"]
