"""The last good build's files: each one's key (what it was made from), how to get its bytes,
and which of them site/ still holds as that build wrote them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import cache
from ..write import Staging


class Files(Mapping[str, bytes]):
    """The files of a build: new bytes where made, else the last build's (asked only when
    site/ does not hold them already)."""

    def __init__(self, fresh: dict[str, bytes], kept: dict[str, Callable[[], bytes]]):
        self.fresh = fresh
        self.kept = kept
        self.order = sorted(fresh.keys() | kept.keys())

    def __getitem__(self, path: str) -> bytes:
        if path in self.fresh:
            return self.fresh[path]
        return self.kept[path]()

    def __contains__(self, path: object) -> bool:
        # Asking whether a file is here never reads it (Mapping's own way would, from the pack).
        return path in self.fresh or path in self.kept

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)


class Built:
    """What the last good build (or the cache folder's record of it) made."""

    def __init__(self, out: Path):
        self.out = out
        self.files: dict[str, tuple[Any, Callable[[], bytes]]] = {}
        """Each file of the last good build: its key and how to get its bytes."""
        self.facts: dict[str, tuple[Any, bytes, bool]] = {}
        """Each page's key, a hash of its bytes, and whether it asks to be in the search
        index."""
        self.on_disk: dict[str, Any] = {}
        """Key of each file this engine knows site/ holds as the last build made it."""
        self.verified: frozenset[str] = frozenset()
        """The files `adopt` found in site/ as the cache folder's record of them says."""
        self.adopted = False
        """Whether this engine started from the cache folder's last build (`adopt`)."""
        self.checked_keys: dict[str, Any] = {}
        """The key of each page the last check rendered or found proven (`know`)."""
        self.proven: dict[str, Any] = {}
        """The key of each page this check rendered or found proven."""
        self.last_files: Files | None = None
        """The files of this engine's last good build."""
        self._unverified: cache.LastBuild | None = None
        self._packed: cache.Packed | None = None

    def changed(self, path: str, key: Any) -> bool:
        """Whether the file must be made: the last build did not make it from these inputs."""
        return path not in self.files or self.files[path][0] != key

    def unproven(self, path: str, key: Any) -> bool:
        """Whether a check must render the page: neither the last build nor the last check
        rendered it from these inputs."""
        return self.changed(path, key) and self.checked_keys.get(path) != key

    def know(self, last: cache.LastBuild | None, checked: cache.LastBuild | None) -> None:
        """Take the keys of the last build's outputs, not their bytes, and of the pages the
        last check rendered (a check renders only pages whose inputs changed since)."""
        if last is not None:
            self.files = {path: (key, _unread) for path, key in last.keys.items()}
        if checked is not None:
            self.checked_keys = dict(checked.keys)

    def adopt(self, store: cache.BuildCache, last: cache.LastBuild) -> None:
        """Start from the last build into the same folder: its outputs' keys, their bytes in the
        pack, and which of them site/ still holds as written."""
        packed = store.pack(self.out, last)
        self._packed = packed
        self.adopted = True
        self.files = {path: (key, _packed(packed, path)) for path, key in last.keys.items()
                      if path in last.index}
        self.facts = dict(last.facts)
        self._unverified = last  # which files site/ still holds: looked at when it is written

    def verify(self) -> None:
        """`on_disk`: the files of the adopted build that site/ still holds as it wrote them."""
        last, self._unverified = self._unverified, None
        if last is None:
            return
        out = self.out.resolve()
        on_disk = {}
        if out.is_dir() and last.outputs:
            for relative, (size, mtime) in last.outputs.items():
                try:
                    stat = os.stat(os.path.join(out, relative))
                except OSError:
                    continue
                if stat.st_size == size and stat.st_mtime_ns == mtime and relative in last.keys:
                    on_disk[relative] = last.keys[relative]
        self.on_disk = on_disk
        self.verified = frozenset(on_disk)

    def stage(self, keys: dict[str, Any], fresh: dict[str, bytes]) -> Staging:
        """Stage a build's files beside site/: those site/ holds as they are need no copy."""
        self.verify()
        staging = Staging(self.out, unchanged=frozenset(
            p for p, key in keys.items() if self.on_disk.get(p) == key))
        try:
            staging.add(Files({p: fresh[p] for p in keys if p in fresh},
                              {p: self.files[p][1] for p in keys if p not in fresh}))
        except BaseException:
            staging.discard()
            raise
        return staging

    def keep(self, keys: dict[str, Any], fresh: dict[str, bytes], staging: Staging | None
             ) -> Any:
        """A good build's files become the last build's (put in site/ when staged); the
        write report, or None when nothing was staged."""
        kept = {path: self.files[path][1] for path in keys if path not in fresh}
        files = Files(fresh, kept)
        report = None
        if staging is not None:
            report = staging.commit()
            self.on_disk = dict(keys)
        else:
            self.on_disk = {}
        self.files = {path: (keys[path], _getter(fresh, path) if path in fresh else kept[path])
                      for path in keys}
        self.last_files = files
        return report

    def forget_damaged(self, damaged: cache.Damaged) -> None:
        """Drop every damaged file of the last build's pack, and the files made with it."""
        packed = self._packed
        bad = packed.damaged() if packed is not None else [damaged.path]
        cache.notice(f"{damaged.pack}:1: cache: {len(bad)} of the last build's files in it "
                     f"are damaged (the first: {damaged.path}); they are made again")
        # Files made together share their key (the data files, the search index): all of them
        # are made again when one is.
        keys = {self.files[path][0] for path in bad if path in self.files}
        bad += [path for path, (key, _) in self.files.items() if key in keys]
        for path in bad:
            self.files.pop(path, None)
            self.facts.pop(path, None)
            self.on_disk.pop(path, None)


def _unread() -> bytes:
    raise AssertionError("a check reads no output")


def _packed(packed: cache.Packed, path: str) -> Callable[[], bytes]:
    return lambda: packed[path]


def _getter(files: dict[str, bytes], path: str) -> Callable[[], bytes]:
    data = files[path]
    return lambda: data
