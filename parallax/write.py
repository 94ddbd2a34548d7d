"""Write stage: the site's files (bytes by path) → files under site/, swapped in only once all are written.

A first build writes everything into a fresh folder beside site/ and renames it into place.
Later builds write only the files whose bytes changed, into a staging folder beside site/;
once every one of them is written, each is renamed into place and files the new build no
longer has are removed. Nothing under site/ changes until the whole set is on disk, and a build
that fails before this stage writes nothing at all.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    changed: frozenset[str] | None = None
    """The paths written, when some files were left as they were (None: all were written)."""


def describe(totals: str, report: WriteReport | None, seconds: float) -> str:
    """The line `build` prints: what was built, what was written, how long it took."""
    line = totals
    if report:
        line += f"; {report.written} written, {report.unchanged} unchanged, {report.removed} removed"
    return f"{line} in {seconds:.2f} s"


def write_now(out: Path, relative: str, data: bytes) -> None:
    """One file put in place at once (for serve's edited page: written before the rest),
    renamed into place so that a reader never sees half of it."""
    if unsafe_paths([relative]):
        return  # the whole build reports it
    target = out.resolve() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.now")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _existing(out: Path) -> dict[str, str]:
    """Every file under `out`: its full path by its path under `out` ('events/x/index.html').
    Plain strings: a site holds thousands of files, and path objects for each cost more than
    the walk. A link to a folder is not walked into (nor taken for a file), as os.walk does."""
    found: dict[str, str] = {}
    folders = [(str(out), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        folders.append((entry.path, prefix + entry.name + "/"))
                else:
                    found[prefix + entry.name] = entry.path
    return found


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _staging(out: Path, tag: str) -> Path:
    staging = out.with_name(f".{out.name}.{tag}-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    return staging


# A name under site/ that a file system, a web server or a terminal could misread: control
# characters (a line break in a folder name ends up in links and the sitemap), a name longer
# than file systems allow, or a part that climbs out of site/.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
MAX_NAME_BYTES = 255


def unsafe_paths(paths: Iterable[str]) -> list[Problem]:
    """Every path that may not be written under site/, with why."""
    problems = []
    for relative in paths:
        parts = relative.split("/")
        why = ""
        if _UNSAFE_NAME.search(relative):
            why = "it holds a control character or a backslash"
        elif any(part in ("", ".", "..") for part in parts):
            why = "it has an empty, '.' or '..' part"
        elif any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in parts):
            why = f"a part of it is longer than {MAX_NAME_BYTES} bytes"
        if why:
            shown = relative if len(relative) <= 200 else relative[:200] + "…"
            problems.append(Problem(f"site/{shown}", 1, "", (
                f"this file cannot be written: {why}; rename what it is made from")))
    return problems


class Staging:
    """Files being written beside `out` (`add`, as many times as needed), put in place only
    by `commit`, once all are on disk; `discard` drops them. `unchanged`: paths the caller
    knows site/ already holds with the bytes it will give (the build cache's record of what
    it wrote last), so they are neither read back to compare nor asked of the files given."""

    def __init__(self, out: Path, unchanged: frozenset[str] = frozenset()):
        self.out = out.resolve()
        self.unchanged = unchanged
        self.fresh = not self.out.exists()
        self.existing = {} if self.fresh else _existing(self.out)
        self.folder = _staging(self.out, "new" if self.fresh else "staging")
        self.given: set[str] = set()
        self.changed: list[str] = []
        self._made: set[Path] = set()

    def add(self, files: Mapping[str, bytes]) -> None:
        """Write the files that differ from site/'s to the staging folder (ContentError, and
        nothing written, when a path may not be written under site/)."""
        unsafe = unsafe_paths(files)
        if unsafe:
            raise ContentError(unsafe)
        for relative in files:
            self.given.add(relative)
            path = self.existing.get(relative)
            if path is not None and relative in self.unchanged:
                continue
            data = files[relative]
            if self.fresh or path is None or os.stat(path).st_size != len(data) or (
                    _read(path) != data):
                target = self.folder / relative
                if target.parent not in self._made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._made.add(target.parent)
                target.write_bytes(data)
                self.changed.append(relative)

    def commit(self) -> WriteReport:
        """Put the staged files in place and remove those of site/ that were not given."""
        if self.fresh:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.folder.rename(self.out)
            except BaseException:
                self.discard()
                raise
            return WriteReport(written=len(self.given), unchanged=0, removed=0)
        try:
            for relative in self.changed:
                target = self.out / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.folder / relative, target)
        finally:
            self.discard()
        stale = sorted(set(self.existing) - self.given)
        for relative in stale:
            (self.out / relative).unlink()
        if stale:
            for folder, _dirs, _names in os.walk(self.out, topdown=False):
                if folder != str(self.out) and not os.listdir(folder):
                    os.rmdir(folder)
        return WriteReport(written=len(self.changed), unchanged=len(self.given) - len(self.changed),
                           removed=len(stale), changed=frozenset(self.changed))

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def write_site(files: Mapping[str, bytes], out: Path,
               unchanged: frozenset[str] = frozenset()) -> WriteReport:
    """Write `files` under `out` (see `Staging`): nothing under it changes until all are on
    disk."""
    staging = Staging(out, unchanged)
    try:
        staging.add(files)
    except BaseException:
        staging.discard()
        raise
    return staging.commit()
