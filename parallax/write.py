"""Write stage: the site's files (bytes by path) → site/, changed all at once or not at all.

Every build that changes anything makes a new tree beside site/ (`.site.new-<pid>`): each file
whose bytes are the ones site/ holds is a hard link to site/'s file (no bytes copied, its
modification time kept; a copy with its modification time where links cannot be made), every
other file is written. Once the whole tree is on disk it takes site/'s place in one step
(Linux's renameat2 RENAME_EXCHANGE swaps the two folders; elsewhere two renames), and the old
tree is removed. A reader or a web server sees the old site or the new one, never a mix, and
site/ stays a real folder. A build that fails, is interrupted or is killed before the swap
leaves site/ as it was; whatever it left beside site/ is removed by the next build into it
(`clear_leftovers`), which first puts back the old site/ when a build was killed between the
two renames.

The new tree's folders take the permissions (setgid included) and group of site/'s folders of
the same name; their ACLs, SELinux labels and other extended attributes are not carried over.

An output folder that is a mount point (a bind mount among them: /proc/self/mountinfo is read
as well) cannot be renamed: its new tree is made inside it (`.parallax-new-<pid>`), and each of
its top-level entries is swapped in turn (each one whole; a reader may see some new and some
old for the moment the swaps take). The same is done when site/ turns out not to be renamable
(EXDEV or EBUSY: an overlay's lower layer, an undetected mount point). An entry the file system
cannot swap whole either (a folder in an overlay's lower layer) is changed file by file, and a
notice says so once. A failure halfway through undoes the swaps already made, so that site/ is
as it was.

`on_step`, when set (by the tests), is called before every write, link, rename and removal,
so that a build can be stopped at each of them.
"""

from __future__ import annotations

import errno
import functools
import os
import platform
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem

on_step: Callable[[str, str], None] | None = None
"""Called with (what, path) before each step that changes the file system (tests only)."""

NEW = "new"
"""The tag of a new tree's name (`.site.new-<pid>`, `.parallax-new-<pid>` in a mount point)."""
OLD = "old"
"""The tag of an old tree's name (`.site.old-<pid>`; `.parallax-old-<pid>` in a mount point
holds what a swap entry by entry took out)."""
IN_MOUNT = ".parallax-"

_said: set[str] = set()


def notice(line: str) -> None:
    """One line on standard error, once per process."""
    if line not in _said:
        _said.add(line)
        print(line, file=sys.stderr, flush=True)


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


FILE_SYSTEM_OWN = frozenset({"lost+found"})
"""What a file system keeps at its root: an output folder that is a mount point keeps it."""


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
                if not prefix and skip_top and (entry.name.startswith(skip_top)
                                                or entry.name in FILE_SYSTEM_OWN):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, prefix + entry.name + "/"))
                else:
                    found[prefix + entry.name] = (entry.path, entry.is_file(follow_symlinks=False))
    return found


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _mount_points() -> frozenset[str]:
    """Every mount point /proc/self/mountinfo lists (none where there is no such file)."""
    try:
        with open("/proc/self/mountinfo", "rb") as stream:
            text = stream.read()
    except OSError:
        return frozenset()
    points = set()
    for line in text.splitlines():
        fields = line.split(b" ")
        if len(fields) > 4:
            # Spaces, tabs, line breaks and backslashes are written as octal escapes.
            point = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), fields[4])
            points.add(os.fsdecode(point))
    return frozenset(points)


def is_mount(out: Path) -> bool:
    """Whether `out` is a mount point (a folder that cannot be renamed): one of another device
    than its parent's, or one /proc/self/mountinfo lists (a bind mount of a folder of the same
    file system)."""
    return os.path.ismount(out) or os.path.realpath(out) in _mount_points()


def leftovers(out: Path) -> list[Path]:
    """What builds into `out` that were killed may have left: new and old trees beside it (and
    inside it, when it is a mount point)."""
    found = []
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.({NEW}|{OLD}|staging)-\d+$")
    inside = re.compile(rf"^{re.escape(IN_MOUNT)}({NEW}|{OLD})-\d+$")
    try:
        found += sorted(p for p in out.parent.iterdir() if pattern.match(p.name))
        if out.is_dir():
            found += sorted(p for p in out.iterdir() if inside.match(p.name))
    except OSError:
        pass
    return found


def clear_leftovers(out: Path) -> None:
    """Remove what killed builds into `out` left (the caller holds the output's lock, so no
    other build is making them now). A build killed between the two renames of a swap (where
    folders cannot be exchanged in one step) left no site/ and the old one beside it, its
    only whole copy: that is put back first."""
    out = out.resolve()
    found = leftovers(out)
    if not os.path.lexists(out):
        old = [p for p in found if p.name.startswith(f".{out.name}.{OLD}-") and p.is_dir()
               and not p.is_symlink()]
        if old:
            # (one at most: a build removes the old tree before another can make one)
            last = max(old, key=lambda p: os.lstat(p).st_ctime_ns)
            _step("rename", out)
            os.rename(last, out)
            found.remove(last)
    for path in found:
        _remove_tree(path)


def _remove_tree(path: Path | str, files: Iterable[str] = ()) -> None:
    """A tree of the build's own removed, its read-only folders made writable first. `files`:
    the paths under it it is known to hold, removed first without listing its folders (a
    third faster than listing them); whatever else is there is found and removed after."""
    _step("remove", path)
    if files and _folder(str(path)):
        folders = set()
        for relative in files:
            folder = relative.rpartition("/")[0]
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
            try:
                os.unlink(os.path.join(path, relative))
            except OSError:
                pass
        for folder in sorted(folders, reverse=True):  # (children sort after their parents)
            try:
                os.rmdir(os.path.join(path, folder))
            except OSError:
                pass

    def retry(function, name, _info):
        parent = os.path.dirname(name)
        try:
            os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
            function(name)
        except OSError:
            pass

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=retry)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# renameat2's number where the C library has no renameat2 (glibc before 2.28): only those
# known for certain.
_SYS_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276}


@functools.cache
def _renameat2() -> Callable[[bytes, bytes], int] | None:
    """Linux's renameat2 with RENAME_EXCHANGE (returning 0, or -1 with ctypes' errno set), or
    None where there is none to call."""
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None
    try:
        function = libc.renameat2
    except AttributeError:
        number = _SYS_RENAMEAT2.get(platform.machine().lower())
        try:
            syscall = libc.syscall
        except AttributeError:
            return None
        if number is None:
            return None
        syscall.restype = ctypes.c_long
        return lambda first, second: syscall(
            ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(first),
            ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(second), ctypes.c_uint(_RENAME_EXCHANGE))
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return lambda first, second: function(_AT_FDCWD, first, _AT_FDCWD, second,
                                          _RENAME_EXCHANGE)


def _exchange(first: Path | str, second: Path | str) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE); False where the
    system or file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    import ctypes

    if function(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap(new: Path | str, target: Path | str,
          old: Path | str | Callable[[], str]) -> Callable[[], None]:
    """`new` takes `target`'s place; what was at `target` ends at `new` (or at `old`, a path or
    what gives one when it is needed). Returns what puts both back."""
    _step("rename", target)
    if not os.path.lexists(target):
        os.rename(new, target)
        return lambda: os.rename(target, new)
    if _exchange(new, target):
        def exchange_back() -> None:
            if not _exchange(new, target):
                raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP), str(target))
        return exchange_back
    if callable(old):
        old = old()
    os.rename(target, old)
    try:
        _step("rename", new)  # (a kill here leaves no site/: see clear_leftovers)
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise

    def rename_back() -> None:
        os.rename(target, new)
        os.rename(old, target)
    return rename_back


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
        self.old = self.out.with_name(f".{self.out.name}.{OLD}-{pid}")
        """Where the old site/ goes when the two folders cannot be exchanged in one step."""
        self.holding = self.out / f"{IN_MOUNT}{OLD}-{pid}"
        """In a mount point: what swaps entry by entry took out of site/."""
        self._held = 0
        self.given: dict[str, bytes | None] = {}
        """Each file of the new site: its bytes to write, or None: site/'s file is kept."""
        self.changed: list[str] = []
        self._started = False
        self._made: dict[str, tuple[int, int]] = {}
        """Each folder of the new tree made so far ('' the root): its mode and group now."""
        self._later: list[tuple[str, int]] = []
        """Modes to give folders once all is written in them (those that deny their owner)."""
        self._keep_new = False
        self._swapped = False
        """Whether the old site/ is now the tree beside it (at `folder` or `old`)."""

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
        """Make the new tree, with everything taken so far: its folders first, each once,
        parents before children."""
        self._started = True
        self._made = {}
        self._later = []
        if os.path.lexists(self.folder):
            _remove_tree(self.folder)
        _step("mkdir", self.folder)
        os.mkdir(self.folder)
        made = os.lstat(self.folder)
        self._made[""] = (stat.S_IMODE(made.st_mode), made.st_gid)
        self._umasked = stat.S_IMODE(made.st_mode) & 0o777
        if not self.mount and not self.fresh:  # (a mount point's own root stays)
            self._like_old("", str(self.folder))
        for folder in sorted({relative.rpartition("/")[0] for relative in self.given}):
            self._folder(folder)
        for relative, data in self.given.items():
            if data is None:
                self._link(relative)
            else:
                self._write(relative, data)

    def _folder(self, folder: str) -> None:
        """Make `folder` of the new tree (a path under it) and the parents it lacks."""
        if folder in self._made:
            return
        parent = folder.rpartition("/")[0]
        if parent not in self._made:
            self._folder(parent)
        path = os.path.join(self.folder, folder)
        os.mkdir(path)
        parent_mode, parent_gid = self._made[parent]
        # What mkdir gives it (setgid and the group come from a setgid parent).
        if parent_mode & stat.S_ISGID:
            self._made[folder] = (self._umasked | stat.S_ISGID, parent_gid)
        else:
            self._made[folder] = (self._umasked, os.getegid())
        self._like_old(folder, path)

    def _like_old(self, folder: str, path: str) -> None:
        """The mode and group of site/'s folder of that name (if any) given to the new one."""
        try:
            old = os.lstat(os.path.join(self.out, folder))
        except OSError:
            return
        if not stat.S_ISDIR(old.st_mode):
            return
        mode, gid = self._made[folder]
        if old.st_gid != gid:
            try:
                os.chown(path, -1, old.st_gid)
                gid = old.st_gid
            except OSError:
                pass  # (a group the user is not in)
        wanted = stat.S_IMODE(old.st_mode)
        if wanted != mode:
            if wanted & (stat.S_IWUSR | stat.S_IXUSR) == stat.S_IWUSR | stat.S_IXUSR:
                try:
                    os.chmod(path, wanted)
                    mode = wanted
                except OSError:
                    pass
            else:  # once all is written in it
                self._later.append((path, wanted))
        self._made[folder] = (mode, gid)

    def _parent(self, relative: str) -> str:
        folder = relative.rpartition("/")[0]
        if folder not in self._made:
            self._folder(folder)
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
            # A file system without hard links (or one that refuses this one): a copy, with
            # the modification time the build cache remembers it by.
            shutil.copy2(source, target, follow_symlinks=False)

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
            if not self.mount:
                try:
                    self._modes()
                    _swap(self.folder, self.out, self.old)
                    self._swapped = True
                except OSError as error:
                    if error.errno not in (errno.EXDEV, errno.EBUSY) or self.fresh:
                        raise
                    # site/ cannot be renamed (an overlay's lower layer, a mount point that
                    # was not found as one): its entries are swapped instead.
                    self._inside()
                    self._commit_entries()
            else:
                self._commit_entries()
        finally:
            self.discard()
        return report

    def _modes(self) -> None:
        """The modes that deny their owner writing, given last (the deepest folders first)."""
        for path, mode in sorted(self._later, key=lambda item: -item[0].count("/")):
            os.chmod(path, mode)
        self._later = []

    def _inside(self) -> None:
        """The new tree moved into site/, to be swapped in entry by entry (made there again
        when it cannot be moved: another mount)."""
        inside = self.out / f"{IN_MOUNT}{NEW}-{os.getpid()}"
        if os.path.lexists(inside):
            _remove_tree(inside)
        try:
            _step("rename", inside)
            os.rename(self.folder, inside)
            self.folder = inside
            os.chmod(inside, stat.S_IRWXU)  # (its own mode matters no more: it is emptied)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            _remove_tree(self.folder)
            self.folder = inside
            self.mount = True
            self._start()
        self.mount = True

    def _commit_entries(self) -> None:
        """Each top-level entry of the new tree swapped into site/, those site/ no longer has
        taken out; a failure undoes the swaps already made."""
        self._modes()
        new = sorted(os.listdir(self.folder))
        undo: list[Callable[[], None]] = []
        try:
            for name in new:
                self._put(os.path.join(self.folder, name), os.path.join(self.out, name), undo)
            gone = set(new)
            for name in sorted(os.listdir(self.out)):
                if name not in gone and not name.startswith(IN_MOUNT) and (
                        name not in FILE_SYSTEM_OWN):
                    self._take(os.path.join(self.out, name), undo)
        except BaseException:
            for step in reversed(undo):
                try:
                    step()
                except OSError:
                    # The new tree and the holding folder hold the only copies of what was
                    # taken out: they stay.
                    self._keep_new = True
            raise

    def _hold(self) -> str:
        """A free name in the holding folder (made when first needed)."""
        if not os.path.isdir(self.holding):
            _step("mkdir", self.holding)
            os.mkdir(self.holding)
        self._held += 1
        return os.path.join(self.holding, str(self._held))

    def _put(self, new: str, target: str, undo: list[Callable[[], None]]) -> None:
        """`new` takes `target`'s place, whole, or (when the file system cannot move a folder
        there: an overlay's lower layer) entry by entry."""
        try:
            undo.append(_swap(new, target, self._hold))
            return
        except OSError as error:
            if error.errno != errno.EXDEV or not (_folder(new) and _folder(target)):
                raise
        notice(f"{self.out}/: its file system cannot swap folders in one step (an overlay's "
               "lower layer?), so it is changed file by file and a reader may see old and new "
               "files together while a build writes it; build into a folder of its own file "
               "system (a volume) with --out to have it changed all at once")
        names = sorted(os.listdir(new))
        for name in names:
            self._put(os.path.join(new, name), os.path.join(target, name), undo)
        kept = set(names)
        for name in sorted(os.listdir(target)):
            if name not in kept:
                self._take(os.path.join(target, name), undo)

    def _take(self, path: str, undo: list[Callable[[], None]], to: str | None = None) -> None:
        """`path` taken out of site/ into the holding folder (to be removed with it), whole or
        entry by entry."""
        to = to or self._hold()
        _step("rename", path)
        try:
            os.rename(path, to)
            undo.append(lambda: os.rename(to, path))
            return
        except OSError as error:
            if error.errno != errno.EXDEV or not _folder(path):
                raise
        os.mkdir(to)
        undo.append(lambda: os.rmdir(to))
        for name in sorted(os.listdir(path)):
            self._take(os.path.join(path, name), undo, os.path.join(to, name))
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        os.rmdir(path)

        def again() -> None:
            os.mkdir(path)
            os.chmod(path, mode)
        undo.append(again)

    def discard(self) -> None:
        """Remove the new tree (or, after `commit`, the old one now in its place)."""
        if self._keep_new:
            return
        known = self.existing if self._swapped else self.given
        for path in (self.folder, self.old, self.holding):
            if os.path.lexists(path):
                _remove_tree(path, () if path == self.holding else known)


def _folder(path: str) -> bool:
    """Whether `path` is a folder (not a link to one)."""
    return os.path.isdir(path) and not os.path.islink(path)


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
