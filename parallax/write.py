"""Write stage: the site's files (bytes by path) → site/, changed all at once or not at all.

Every build that changes anything makes a new tree beside site/ (`.site.new-<pid>`): each file
whose bytes are the ones site/ holds is a hard link to site/'s file (no bytes copied, its
modification time kept), every other file is written. Once the whole tree is on disk it takes
site/'s place in one step (Linux's renameat2 RENAME_EXCHANGE swaps the two folders; elsewhere
two renames), and the old tree is removed. A reader or a web server sees the old site or the
new one, never a mix, and site/ stays a real folder. A build that fails, is interrupted or is
killed before the swap leaves site/ as it was; whatever it left beside site/ is removed by the
next build into it (`clear_leftovers`).

An output folder that is a mount point cannot be renamed: its new tree is made inside it
(`.parallax-new-<pid>`), and each of its top-level entries is swapped in turn (each one whole;
a reader may see some new and some old for the moment the swaps take).

`on_step`, when set (by the tests), is called before every write, link, rename and removal,
so that a build can be stopped at each of them.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem

on_step: Callable[[str, str], None] | None = None
"""Called with (what, path) before each step that changes the file system (tests only)."""

NEW = "new"
"""The tag of a new tree's name (`.site.new-<pid>`, `.parallax-new-<pid>` in a mount point)."""
IN_MOUNT = ".parallax-"


def _step(what: str, path: object) -> None:
    if on_step is not None:
        on_step(what, str(path))


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


def _existing(out: Path, skip_top: str | None = None) -> dict[str, tuple[str, bool]]:
    """Every file under `out`: (its full path, whether it is a plain file) by its path under
    `out` ('events/x/index.html'). Plain strings: a site holds thousands of files, and path
    objects for each cost more than the walk. A link to a folder is not walked into (nor taken
    for a file), as os.walk does. `skip_top`: a prefix of names left out at the top (a mount
    point's own new tree)."""
    found: dict[str, tuple[str, bool]] = {}
    folders = [(str(out), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and skip_top and entry.name.startswith(skip_top):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + entry.name + "/"))
                else:
                    found[prefix + entry.name] = (entry.path, entry.is_file(follow_symlinks=False))
    return found


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def is_mount(out: Path) -> bool:
    """Whether `out` is a mount point (a folder that cannot be renamed)."""
    return os.path.ismount(out)


def leftovers(out: Path) -> list[Path]:
    """What builds into `out` that were killed may have left: new and old trees beside it (and
    inside it, when it is a mount point)."""
    found = []
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(new|old|staging)-\d+$")
    try:
        found += [p for p in out.parent.iterdir() if pattern.match(p.name)]
        if out.is_dir():
            found += [p for p in out.iterdir() if p.name.startswith(IN_MOUNT + NEW + "-")]
    except OSError:
        pass
    return found


def clear_leftovers(out: Path) -> None:
    """Remove what killed builds into `out` left (the caller holds the output's lock, so no
    other build is making them now)."""
    for path in leftovers(out.resolve()):
        _remove_tree(path)


def _remove_tree(path: Path) -> None:
    """A tree of the build's own removed, its read-only folders made writable first."""
    _step("remove", path)

    def retry(function, name, _info):
        parent = os.path.dirname(name)
        try:
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            function(name)
        except OSError:
            pass

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=retry)
    else:
        try:
            path.unlink()
        except OSError:
            pass


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE); False where the
    system or file system cannot."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap(new: Path, target: Path, old: Path) -> None:
    """`new` takes `target`'s place; what was at `target` ends at `new` (or at `old`)."""
    _step("rename", target)
    if not os.path.lexists(target):
        os.rename(new, target)
    elif not _exchange(new, target):
        os.rename(target, old)
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(old, target)
            raise


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
    """A new tree for `out` (`add`, as many times as needed), put in its place only by
    `commit`, once all is on disk; `discard` drops it. `unchanged`: paths the caller knows
    site/ already holds with the bytes it will give (the build cache's record of what it wrote
    last), so they are neither read back to compare nor asked of the files given: they are
    linked. Nothing is made on disk until a file differs from site/'s, or site/ holds a file
    the build no longer has: a build that changes nothing writes nothing."""

    def __init__(self, out: Path, unchanged: frozenset[str] = frozenset()):
        self.out = out.resolve()
        self.unchanged = unchanged
        self.fresh = not self.out.exists()
        if not self.fresh and not self.out.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(self.out))
        self.mount = not self.fresh and is_mount(self.out)
        self.existing = {} if self.fresh else _existing(
            self.out, IN_MOUNT if self.mount else None)
        pid = os.getpid()
        self.folder = (self.out / f"{IN_MOUNT}{NEW}-{pid}" if self.mount
                       else self.out.with_name(f".{self.out.name}.{NEW}-{pid}"))
        self.given: dict[str, bytes | None] = {}
        """Each file of the new site: its bytes to write, or None: site/'s file is kept."""
        self.changed: list[str] = []
        self._started = False
        self._made: set[str] = set()

    def add(self, files: Mapping[str, bytes]) -> None:
        """Take the files of the new site (ContentError, and nothing taken, when a path may not
        be written under site/); those that differ from site/'s are written to the new tree."""
        unsafe = unsafe_paths(files)
        if unsafe:
            raise ContentError(unsafe)
        for relative in files:
            found = self.existing.get(relative)
            if found is not None and found[1] and relative in self.unchanged:
                self._keep(relative)
                continue
            data = files[relative]
            if found is not None and found[1] and os.stat(found[0]).st_size == len(data) and (
                    _read(found[0]) == data):
                self._keep(relative)
            else:
                self.given[relative] = data
                self.changed.append(relative)
                if self._started:
                    self._write(relative, data)
        if not self._started and (self.changed or self.fresh):
            self._start()

    def _keep(self, relative: str) -> None:
        self.given[relative] = None
        if self._started:
            self._link(relative)

    def _start(self) -> None:
        """Make the new tree, with everything taken so far."""
        self._started = True
        if os.path.lexists(self.folder):
            _remove_tree(self.folder)
        _step("mkdir", self.folder)
        self.folder.mkdir()
        for relative, data in self.given.items():
            if data is None:
                self._link(relative)
            else:
                self._write(relative, data)

    def _parent(self, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder and folder not in self._made:
            os.makedirs(os.path.join(self.folder, folder), exist_ok=True)
            self._made.add(folder)
        return os.path.join(self.folder, relative)

    def _write(self, relative: str, data: bytes) -> None:
        target = self._parent(relative)
        _step("write", target)
        with open(target, "xb") as stream:
            stream.write(data)

    def _link(self, relative: str) -> None:
        target = self._parent(relative)
        _step("link", target)
        source = self.existing[relative][0]
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO):
                raise
            # A file system without hard links (or one that refuses this one): a copy.
            data = _read(source)
            with open(target, "xb") as stream:
                stream.write(data)

    def commit(self) -> WriteReport:
        """Put the new tree in site/'s place (or, for a mount point, each of its top-level
        entries in turn) and remove the old one."""
        removed = sorted(set(self.existing) - set(self.given))
        if not self._started and removed:
            self._start()
        written = len(self.changed) if not self.fresh else len(self.given)
        report = WriteReport(
            written=written, unchanged=len(self.given) - written, removed=len(removed),
            changed=None if self.fresh else frozenset(self.changed))
        if not self._started:
            return report
        try:
            if self.mount:
                self._commit_entries()
            else:
                old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
                _swap(self.folder, self.out, old)
        finally:
            self.discard()
        return report

    def _commit_entries(self) -> None:
        new = set(os.listdir(self.folder))
        for name in sorted(new):
            target = self.out / name
            _swap(self.folder / name, target, self.folder / f".{name}.old")
        for name in sorted(os.listdir(self.out)):
            if name not in new and not name.startswith(IN_MOUNT):
                _step("rename", self.out / name)
                os.rename(self.out / name, self.folder / f".{name}.old")

    def discard(self) -> None:
        """Remove the new tree (or, after `commit`, the old one now in its place)."""
        for path in (self.folder, self.out.with_name(f".{self.out.name}.old-{os.getpid()}")):
            if os.path.lexists(path):
                _remove_tree(path)


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
