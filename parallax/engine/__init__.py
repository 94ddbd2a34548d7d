"""Engine: the one build path of `build`, `check` and `serve` — the stages in order, around them
what earlier builds worked out. The stages (load → validate → resolve → render → write) are
pure functions and know nothing of it.

Its rooms, each a module with one job (arrows point down the list, then to the stages):

- cached.py: build and check — one engine per run with the cache folder, or the last build's
  result when no input changed;
- core.py: the Engine, whose `_run` reads as the table of contents of a build;
- quick.py: serve's first pages, made from the last run before the content is read again;
- snapshot.py: what the engine keeps in the cache folder between processes;
- indexing.py: the search index — whether to index again, Pagefind running meanwhile;
- datafiles.py: each event's part of the data files, reused when made from the same inputs;
- planner.py: which pages the site has, what each reads, and the key each is made from;
- reading.py: the new record files parsed on every core ahead of the load stage;
- memo.py: the memo store — what each record's parse, judgement and placing were, by input;
- outputs.py: the last good build's files, their keys, and which site/ still holds;
- results.py: what a build or check tells its caller;
- keys.py: the hashes everything is keyed by.

`serve` keeps one Engine between edits; `build` and `check` start one per run.
"""

from .cached import build, cached_build, progress_line
from .core import Engine
from .results import NO_ADDRESS, BuildResult, ReusedBuild
from .snapshot import PAGES, PARTS, STATE, STATE_SLACK, TEMPLATES

__all__ = ["NO_ADDRESS", "PAGES", "PARTS", "STATE", "STATE_SLACK", "TEMPLATES", "BuildResult",
           "Engine", "ReusedBuild", "build", "cached_build", "progress_line"]
