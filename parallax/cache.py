"""Build cache (the engine's storage): what earlier builds worked out, in one folder that is safe to delete.

It knows nothing of the stages: the engine (parallax/engine/) says what to keep. It lives in
`.cache/parallax/` beside the output folder (for `site/`, the project's `.cache/parallax/`),
and keeps two things:

- Memos: results of pure functions of the content, by a hash of their arguments: a record
  file's parsed front matter, a Markdown text's HTML and checks, an article's time words read
  against a date. One file per kind; each save keeps only what the latest build used, so a
  file holds one site's worth.
- The last build into each output folder: a fingerprint of every input (each content, template
  and static file, Parallax's own code, its libraries' versions, SOURCE_DATE_EPOCH, the site
  address given by `--base-url` or PARALLAX_BASE_URL), its warnings and totals, the size and
  modification time of every file it wrote, every output's key (what its maker declared it
  reads, as content hashes), and a pack of the files' bytes, appended to after an edit. A
  build whose fingerprint is the same renders nothing: it checks site/ against that list and
  restores from the pack only what is missing or was changed by hand; a build after an edit
  takes from the pack every output whose key is unchanged.

Every cache file is written under a temporary name and renamed into place (the pack is
appended to, its earlier bytes untouched). One that cannot be read (cut short, written by other
code) counts as empty, and the build does the work itself.

Nothing in the folder is trusted because of where it lies: a cache folder can come with a
branch (a file force-added beside a typo fix) or sit in a folder others can write, and
unpickling a file runs whatever the file says. So every file that is decoded (pickle or
marshal) ends with an HMAC-SHA256 of its bytes under a key of this user's own, kept outside
any work tree (`key_path`: the user's config folder, mode 0600, owner and mode checked before
use), and its signature is checked before a byte of it is decoded. A file that fails is ignored
with one line and the build goes on; a key that cannot be trusted turns the cache off. The
pack holds only the site's bytes, never decoded as objects.
"""

from __future__ import annotations

import errno
import functools
import gc
import hashlib
import hmac
import marshal
import mmap
import os
import pickle
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, Any, BinaryIO, Self

from .errors import Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not kept apart
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .paths import Paths

FOLDER = Path(".cache") / "parallax"
on_step: Callable[[str, str], None] | None = None
"""Called with (what, path) before each write and rename of a cache file (tests only)."""


def _step(what: str, path: object) -> None:
    if on_step is not None:
        on_step(what, str(path))


LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "pydantic", "pydantic_core", "yaml",
             "dateutil", "pagefind_bin")
"""The libraries whose results the cache keeps (Jinja's escaping is markupsafe's), each by its
installed distribution's version (markupsafe's `__version__` warns that it goes)."""
_DISTRIBUTIONS = {"yaml": "PyYAML", "dateutil": "python-dateutil", "markupsafe": "MarkupSafe"}
_FORMAT = 2
HEADER = 33
"""generation() (32 bytes) and the kind of body (b"p" pickle, b"m" marshal)."""
SIGNATURE = 32
"""HMAC-SHA256 of everything before it, at the end of every decoded cache file."""


def folder_for(out: Path) -> Path:
    """The cache folder for builds into `out`: `.cache/parallax/` beside it."""
    return out.resolve().parent / FOLDER


def _code(digest: Any, package: Path) -> None:
    """The modules of `package` into `digest`, each by its path in it and its bytes: those of
    its packages too (the engine's rooms decide what the snapshot holds)."""
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")


@functools.cache
def generation() -> bytes:
    """A fingerprint of the code that turns content into a site: Parallax's own modules (those
    of its packages included) and the versions of Python and of the libraries it calls. Any
    change empties every memo and the snapshot, and makes the next build a new one. Worked out
    once a process: it describes the code that is running, whatever is on disk later."""
    digest = hashlib.sha256(f"{_FORMAT} {sys.version}".encode())
    _code(digest, Path(__file__).resolve().parent)
    for name in LIBRARIES:
        digest.update(f"{name}={_installed(_DISTRIBUTIONS.get(name, name))}\0".encode())
    _zone_rules(digest)
    return digest.digest()


def _installed(distribution: str) -> str:
    try:
        from importlib.metadata import version

        return version(distribution)
    except Exception:  # noqa: BLE001 - an unknown version only makes the cache stricter
        return "?"


def _zone_rules(digest: Any) -> None:
    """The time-zone rules events are placed by (the memos keep placings): zoneinfo reads a
    zone from the first folder of its search path that has it, else from the tzdata package.
    Each such folder counts by its tzdata.zi (the whole of its rules, with their release), else
    by its +VERSION file (the release alone), else by where it really is and when it last
    changed (an update that replaces the zone files at its top, or moves the link to it); the
    package by its version."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        try:
            rules = hashlib.sha256(Path(folder, "tzdata.zi").read_bytes()).hexdigest()
        except OSError:
            try:
                rules = "release " + Path(folder, "+VERSION").read_text(errors="replace").strip()
            except OSError:
                try:
                    rules = f"{os.path.realpath(folder)} {os.stat(folder).st_mtime_ns}"
                except OSError:
                    continue
        digest.update(f"zones {folder}={rules}\0".encode())
    digest.update(f"tzdata={_installed('tzdata')}\0".encode())


def text_key(text: str) -> bytes | None:
    if not isinstance(text, str):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def record_key(text: str, shown: str, kind: str, record_id: str) -> tuple[Any, ...]:
    """A record file's key: its text and everything else that ends up in its RawRecord."""
    return (text_key(text), shown, kind, record_id)


def flatten(record: Any) -> tuple[Any, ...]:
    """A frozen dataclass (a RawRecord) as plain data, its Problems as tuples."""
    return tuple(
        tuple(tuple(p.__dict__.values()) for p in value) if name == "problems" else value
        for name, value in ((f, getattr(record, f)) for f in record.__dataclass_fields__)
    )


def unflatten(cls: type, row: tuple[Any, ...]) -> Any:
    values = dict(zip(cls.__dataclass_fields__, row, strict=True))
    if "problems" in values:
        values["problems"] = tuple(Problem(*p) for p in values["problems"])
    return cls(**values)


def _zone(tz: Any) -> str:
    return getattr(tz, "key", None) or repr(tz)


def _instant(moment: Any) -> tuple[str, int, str]:
    """A datetime with its zone's name: two equal instants in different zones read differently."""
    return (moment.replace(tzinfo=None).isoformat(), moment.fold, _zone(moment.tzinfo))


def time_words_key(words: Any, reference: Any, site_tz: Any) -> tuple[Any, ...] | None:
    if not isinstance(words, str):
        return None
    return (words, _instant(reference.start), _instant(reference.end), reference.precision.value,
            reference.approximate, _zone(site_tz))


# --- memos ---------------------------------------------------------------------------------------


class Memo:
    """A pure function's results by a key of its arguments. Hits are shared objects: callers
    treat them as read-only, as they already treat frozen models."""

    def __init__(self, name: str, function: Callable, key: Callable[..., Any],
                 encode: Callable[[Any], Any] | None = None,
                 decode: Callable[[Any], Any] | None = None):
        self.name = name
        self.function = function
        self.key = key
        self.encode = encode
        self.decode = decode
        self.entries: dict[Any, Any] = {}
        self.stored: dict[Any, Any] = {}
        """Entries read from the cache folder and not asked for yet, still encoded."""
        self.used: set[Any] = set()
        """Keys asked for since the latest build began (`begin_build`)."""
        self.on_disk: set[Any] = set()
        self.loaded_from: Path | None = None
        self.deferred: tuple[Path, int] | None = None
        """(folder, misses left): the file not read yet, and how many results may still be
        worked out before it is (see `load`)."""
        self.misses = 0
        """Results worked out, not found (for the tests and the benchmark)."""
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any) -> Any:
        key = self.key(*args)
        if key is None:  # arguments the memo does not keep (the function reports them)
            return self.function(*args)
        self.used.add(key)
        try:
            return self.entries[key]
        except KeyError:
            pass
        if self.deferred is not None:
            folder, left = self.deferred
            if left > 0:
                self.deferred = (folder, left - 1)
            else:
                self._read(folder)
        if key in self.stored:
            value = self.stored.pop(key)
            value = self.entries[key] = self.decode(value) if self.decode else value
            return value
        value = self.entries[key] = self.function(*args)
        self.misses += 1
        return value

    def missing(self, keys: list[Any]) -> list[Any]:
        """The keys among `keys` that would be worked out (for work spread over the cores)."""
        if self.deferred is not None:
            self._read(self.deferred[0])
        return [k for k in keys if k not in self.entries and k not in self.stored]

    def remember(self, key: Any, value: Any) -> None:
        """A result worked out elsewhere (by a worker process)."""
        self.entries[key] = value
        self.misses += 1

    # On disk: marshal when every value is plain data (several times faster to read back than
    # pickle), else pickle.
    def path(self, folder: Path) -> Path:
        return folder / f"{self.name}.memo"

    def load(self, folder: Path, defer: int = 0) -> None:
        """Take the entries kept in `folder`. `defer`: read the file only once more than that
        many results were not found in memory (a build that starts from the engine's snapshot
        misses only what was edited: reading a whole site's worth would cost more than
        working those few out)."""
        if defer:
            self.deferred = (folder, defer)
        else:
            self._read(folder)

    def _read(self, folder: Path) -> None:
        self.deferred = None
        self.loaded_from = folder
        data = _read(self.path(folder))
        data = data if isinstance(data, dict) else {}
        self.on_disk = set(data)
        self.stored = {k: v for k, v in data.items() if k not in self.entries}

    def save(self, folder: Path) -> None:
        """Write what the latest build used (and nothing else) to `folder`; a file never read
        (`load`'s `defer`) is left as it is: the few results worked out instead are kept in
        the engine's snapshot."""
        if self.deferred is not None and self.deferred[0] == folder:
            return
        if self.loaded_from == folder and self.used == self.on_disk:
            return  # the file already holds exactly that
        kept: dict[Any, Any] = {}
        for key in self.used:
            if key in self.entries:
                value = self.entries[key]
                kept[key] = self.encode(value) if self.encode else value
            elif key in self.stored:
                kept[key] = self.stored[key]
        _write(self.path(folder), kept)
        self.on_disk = set(kept)
        self.loaded_from = folder

    def forget_unused(self) -> None:
        """Drop what the latest build did not use (so a long `serve` keeps one site's worth)."""
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.stored.clear()
        self.on_disk = set()

    def begin(self) -> None:
        """From now on, count what the memo is asked for: that is what `save` keeps."""
        self.used = set()


# --- the key: only what this user's own builds wrote is decoded ---------------------------------

_said: set[str] = set()
_untrusted: set[Path] = set()


def notice(line: str) -> None:
    """One line on standard error, once per process: the cache is an aid, never a failure."""
    if line not in _said:
        _said.add(line)
        print(line, file=sys.stderr, flush=True)


def key_path() -> Path:
    """Where this user's cache key is kept: the user's config folder (XDG_CONFIG_HOME, else
    ~/.config), outside any work tree, so that no branch and no shared folder can bring one."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "parallax" / "cache-key"


def _private(info: os.stat_result, what: str) -> str | None:
    """Why a file or folder with this stat may not be trusted, or None."""
    if info.st_uid != os.geteuid():
        return f"{what} belongs to another user (uid {info.st_uid})"
    if info.st_mode & (0o077 if what == "the key" else 0o022):
        return f"{what} may be {'read or ' if what == 'the key' else ''}written by others " \
               f"(mode {info.st_mode & 0o777:o})"
    return None


@functools.cache
def _key() -> bytes | None:
    """This user's cache key, made on first use (32 random bytes, mode 0600); None, with one
    line saying why, when it cannot be made or trusted: the build then works without a cache."""
    path = key_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = os.stat(path.parent, follow_symlinks=False)
        problem = (_private(folder, "its folder") if S_ISDIR(folder.st_mode)
                   else "its folder is not a folder")
        if problem is None:
            _make_key(path)
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(descriptor, "rb") as stream:
                info = os.fstat(stream.fileno())
                key = stream.read(SIGNATURE + 1)
            problem = ("the key is not a plain file" if not S_ISREG(info.st_mode)
                       else _private(info, "the key"))
            if problem is None and len(key) != SIGNATURE:
                problem = f"the key is {len(key)} bytes, not {SIGNATURE}"
    except OSError as error:
        problem = f"the key cannot be made or read ({error.strerror or error})"
    if problem:
        notice(f"{path}:1: cache: {problem}; builds go on without the cache (delete the file, "
                "or make its folder and it private to you, and the next build makes a new key)")
        return None
    return key


def _make_key(path: Path) -> None:
    """A new key at `path` unless there is one: written whole under another name first, then
    linked into place, so that a build running at the same time never reads half a key."""
    if os.path.lexists(path):
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(secrets.token_bytes(SIGNATURE))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


class _Signing:
    """A stream that signs what passes through it (the signature goes at the end)."""

    def __init__(self, stream: BinaryIO, key: bytes):
        self.stream = stream
        self.mac = hmac.new(key, digestmod=hashlib.sha256)

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.stream.write(data)

    def writelines(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)


def _signed(fill: Callable[[BinaryIO], None], key: bytes) -> Callable[[BinaryIO], None]:
    def write(stream: BinaryIO) -> None:
        signing = _Signing(stream, key)
        fill(signing)  # type: ignore[arg-type]
        stream.write(signing.mac.digest())

    return write


def _read(path: Path) -> Any:
    """A cache file's data, or None when it is missing, damaged, from other code, or not
    signed with this user's key (said in one line: it is never decoded)."""
    try:
        with path.open("rb") as stream:
            header = stream.read(HEADER)
            if len(header) != HEADER or header[:32] != generation():
                return None  # another version's (or no) cache: nothing to say
            key = _key()
            if key is None:
                return None
            # Into this process's own memory first: what is checked is what is decoded, even
            # if someone rewrites the file meanwhile (a mapping of it would change with it).
            whole = header + stream.read()
        return _verified(path, header, whole, key)
    except Exception:  # noqa: BLE001 - a damaged cache file is an empty one: the build redoes the work
        return None


def _verified(path: Path, header: bytes, whole: bytes, key: bytes) -> Any:
    """The decoded body of the file read into `whole`, after its signature is checked."""
    view = memoryview(whole)
    signed, signature, body = (view[:-SIGNATURE], view[-SIGNATURE:], view[HEADER:-SIGNATURE])
    try:
        if len(view) < HEADER + SIGNATURE or not hmac.compare_digest(
                hmac.digest(key, signed, "sha256"), signature):
            if path.parent not in _untrusted:  # one line for a folder, at its first such file
                _untrusted.add(path.parent)
                notice(f"{path}:1: cache: not signed by this user's builds (damaged, or made "
                        f"elsewhere); it and any other such file in {path.parent}/ are ignored, "
                        "and the build goes on without them")
            return None
        # decoded from a view: no second copy of the body
        return pickle.loads(body) if header[32:] == b"p" else marshal.loads(body)
    finally:
        for part in (body, signature, signed, view):
            part.release()


def _write(path: Path, data: Any) -> None:
    key = _key()
    if key is None:
        return
    try:
        body, kind = marshal.dumps(data), b"m"
    except ValueError:
        body, kind = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), b"p"
    _atomic_write(path, _signed(_chunks([generation() + kind, body]), key))


def read_state(path: Path) -> Any:
    """A snapshot's data (pickled objects, which keep what they share), or None when it is
    missing, damaged or from other code. The collector is held off while it is read: its
    passes over millions of new objects, none of them garbage, would cost more than the
    reading."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = _read(path)
        # They live as long as the engine that reads them: later passes need not visit them
        # either (the engine's runs set aside what it keeps in the same way).
        gc.freeze()
        return data
    finally:
        if enabled:
            gc.enable()


def write_state(path: Path, data: Any) -> None:
    """Keep a snapshot (see `read_state`), pickled straight into the file (not first into
    memory: a site's snapshot is over a hundred megabytes)."""
    key = _key()
    if key is None:
        return

    def fill(stream: BinaryIO) -> None:
        stream.write(generation() + b"p")
        pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)

    _atomic_write(path, _signed(fill, key))


def _atomic_write(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """`fill` writes the file's bytes to a stream: a file of a temporary name, renamed into
    place once complete."""
    private_folders(path.parent)
    # A new file of a name no one can guess (and never through a link someone left there).
    # Its name holds the process id: one a killed build left is removed by a later one.
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMPORARY,
                                        dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            _step("write", temporary)
            fill(stream)
        _step("rename", path)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


TEMPORARY = ".tmp"


def forget_temporary(folder: Path) -> None:
    """Cache files half-written by builds that were killed (their process is gone)."""
    try:
        for path in folder.glob(f".*{TEMPORARY}"):
            parts = path.name.split(".")
            pid = next((p for p in parts if p.isdigit()), None)
            if pid is not None and int(pid) != os.getpid() and not alive(int(pid)):
                path.unlink(missing_ok=True)
    except OSError:
        pass  # they only take room


def alive(pid: int) -> bool:
    """Whether a process of that id runs (anyone's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's: alive
    return True


def private_folders(folder: Path) -> None:
    """`folder` and every folder above it that does not exist yet, made with mode 0700 whatever
    the umask (only this user may read or change what the build keeps there)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)
        os.chmod(made, 0o700)


def _chunks(chunks: Iterable[bytes]) -> Callable[[BinaryIO], None]:
    return lambda stream: stream.writelines(chunks)


# --- the last build into each output folder ------------------------------------------------------


Signature = tuple[int, int, bytes, int, int, bool]
"""(size, modification time in ns, sha256 of the bytes, change time in ns, inode, settled)."""

STEP_NS = 2_000_000_000
"""The coarsest step of a file system's timestamps that the build allows for: FAT's 2 s (most
keep 1 s or nanoseconds, but even those take the time from a clock that moves in ticks of a
few milliseconds). Two saves within one step can leave a file with the same size and times."""


def now_ns() -> int:
    """The wall clock (a function, so that a test can make the build run later)."""
    return time.time_ns()


def file_stat(path: str | os.PathLike[str]) -> os.stat_result:
    """os.stat, through one function (a test can give a file system's coarser timestamps)."""
    return os.stat(path)


def settled(stat: os.stat_result, now: int) -> bool:
    """Whether a file's size and times, seen `now`, will tell any later change to it (git's
    "racy" rule): only when its modification and change times are older than `now` by more
    than a timestamp step. A file changed within the step of being read could be changed again
    within the same step, its size kept, and show the same times; and a modification time put
    back (rsync -t, tar, some editors) still moves the change time on."""
    return stat.st_mtime_ns < now - STEP_NS and stat.st_ctime_ns < now - STEP_NS


def _fingerprint(folders: list[tuple[str, Path]], earlier: dict[str, Signature],
                 base_url: str | None = None) -> tuple[bytes, dict[str, Signature]]:
    """A hash over every file under the folders and the address given to the build, and each
    file's signature. The content's hash decides; a file is not read again only when its size,
    modification and change times and inode are those seen last time and were settled then
    (`settled`)."""
    now = now_ns()
    files: dict[str, Signature] = {}
    for label, folder in folders:
        if not folder.is_dir():
            files[f"{label}:"] = (0, 0, b"missing", 0, 0, False)
            continue
        top = os.fspath(folder)
        for where, dirs, names in os.walk(top):
            dirs.sort()
            # Each file's path under the folder, as os.path.relpath gives it, without its cost
            # (it makes both paths absolute) at thousands of files.
            prefix = f"{label}:" + ("" if where == top else os.path.relpath(where, top) + os.sep)
            for name in dirs:
                path = os.path.join(where, name)
                if os.path.islink(path):  # not walked into; where it leads is part of the key
                    files[prefix + name] = (0, 0, b"link to " + os.fsencode(os.readlink(path)),
                                            0, 0, False)
            for name in sorted(names):
                path = os.path.join(where, name)
                shown = prefix + name
                try:
                    stat = file_stat(path)
                except OSError:  # a link that leads nowhere, or round in a loop
                    files[shown] = (0, 0, b"cannot be read", 0, 0, False)
                    continue
                if not S_ISREG(stat.st_mode):
                    # A pipe, socket or device: opening one could wait for ever. The load
                    # stage reports it; its kind is all the key needs.
                    files[shown] = (0, stat.st_mode, b"not a plain file", 0, 0, False)
                    continue
                seen = earlier.get(shown)
                if (seen and len(seen) == 6 and seen[5] and seen[0] == stat.st_size
                        and seen[1] == stat.st_mtime_ns and seen[3] == stat.st_ctime_ns
                        and seen[4] == stat.st_ino):
                    files[shown] = seen
                    continue
                try:
                    with open(path, "rb") as stream:
                        digest = hashlib.sha256(stream.read()).digest()
                except OSError:  # not ours to read: the load stage says so
                    files[shown] = (0, 0, b"cannot be read", 0, 0, False)
                    continue
                files[shown] = (stat.st_size, stat.st_mtime_ns, digest, stat.st_ctime_ns,
                                stat.st_ino, settled(stat, now))
    whole = hashlib.sha256(generation())
    whole.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    # Every page's canonical address starts with it: a build for another address is another site.
    whole.update(b"-" if base_url is None else b"+" + base_url.encode("utf-8", "surrogateescape"))
    whole.update(b"\0")
    for shown in sorted(files):
        whole.update(shown.encode("utf-8", "surrogateescape") + b"\0" + files[shown][2])
    return whole.digest(), files


@dataclass
class LastBuild:
    """What the cache knows of the last successful build into one output folder."""

    key: bytes
    inputs: dict[str, Signature]
    warnings: list[tuple[str, int, str, str]]
    totals: str
    """The build's summary up to the report, e.g. '6 records (...), 15 pages, 21 files'."""
    notices: tuple[str, ...] = ()
    outputs: dict[str, tuple[int, int]] | None = None
    """(size, modification time in ns) of every file written, by path under the output folder;
    None after a `check`, which writes nothing."""
    index: dict[str, tuple[int, int]] = field(default_factory=dict)
    """(offset, length) of every file's bytes in the pack."""
    facts: dict[str, Any] = field(default_factory=dict)
    """Each page's key, a hash of its bytes and whether the search index reads it."""
    keys: dict[str, Any] = field(default_factory=dict)
    """The key of every output: a hash of what its maker declared it reads. An output whose
    key is the same in the next build is taken from the pack, not made again."""
    pack_ends: list[int] = field(default_factory=list)
    """Where each part of the pack ends: the whole of it when it was written, then each
    build's additions (what a build cut short added after the last is not this record's)."""
    sums: dict[str, bytes] = field(default_factory=dict)
    """SHA-256 of every file's bytes in the pack: each file taken from the pack is checked
    against it first, so that a damaged pack (a disk's fault, a build cut short) or one put in
    the cache folder by anything but this user's builds (a branch that force-adds one: git
    overwrites ignored files) never reaches site/. The record holding them is signed."""


class Damaged(ValueError):
    """A file of the pack whose bytes are not the ones its record holds the sum of."""

    def __init__(self, pack: Path, path: str):
        super().__init__(f"{pack}: {path}")
        self.pack = pack
        self.path = path


def _sum(data: Any) -> bytes:
    return hashlib.sha256(data).digest()


class Packed(Mapping[str, bytes]):
    """The files of the last build, read from the pack only when asked for, each checked
    against its sum in the (signed) record (Damaged when it does not match)."""

    def __init__(self, pack: Path, index: dict[str, tuple[int, int]],
                 ends: list[int] | None = None, sums: dict[str, bytes] | None = None):
        self.pack = pack
        self._index = index
        self._sums = sums or {}
        with pack.open("rb") as stream:
            self._map = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) if index else b""
        if not index:
            return
        if not ends or len(self._map) < ends[-1] or max(o + n for o, n in index.values()) > ends[-1]:
            raise ValueError("the pack does not match its index")

    def __getitem__(self, path: str) -> bytes:
        offset, length = self._index[path]
        data = bytes(self._map[offset:offset + length])
        if not hmac.compare_digest(_sum(data), self._sums.get(path, b"")):
            raise Damaged(self.pack, path)
        return data

    def damaged(self) -> list[str]:
        """Every file of the pack whose bytes do not match their sum."""
        bad = []
        for path in self._index:
            try:
                self[path]
            except Damaged:
                bad.append(path)
        return bad

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class Busy(Exception):
    """Another process is building into the output folder and will not stop (a `serve`)."""


_held: set[int] = set()
"""The descriptors of the locks this process holds. A forked child (a worker) closes its
copies at once: the lock stays the parent's, and a worker left behind by a killed parent
does not hold it."""


def _close_held_in_child() -> None:
    for descriptor in list(_held):
        try:
            os.close(descriptor)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


class OutputLock:
    """One build at a time into an output folder: an flock on a file in the cache folder, held
    for as long as the build (or `serve`) lasts and let go by the system when its process ends,
    however it ends. The file names its holder (`build 1234`, `serve 1234`): a build waits for
    another build, saying so; a `serve` keeps the folder as long as it runs, so a build into it
    is refused at once."""

    def __init__(self, path: Path, out: Path, role: str,
                 say: Callable[[str], None] | None = None):
        self.path = path
        self.out = out
        self.role = role
        self.say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self._descriptor: int | None = None

    def __enter__(self) -> Self:
        if fcntl is None:  # pragma: no cover - not on POSIX
            return self
        private_folders(self.path.parent)
        flags = os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(self.path, os.O_RDWR | flags, 0o600)
        except OSError as error:
            if error.errno not in (errno.EROFS, errno.EACCES) or not self.path.exists():
                raise
            # A lock on a read-only file system locks as well (it just cannot name its holder);
            # the build then says what it cannot write.
            descriptor = os.open(self.path, os.O_RDONLY | flags)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                role, pid = self._holder(descriptor)
                # (A holder that has not named itself yet is waited for.)
                if role == "serve":
                    raise Busy(
                        f"{self.out}: `parallax serve` (pid {pid}) is serving this folder and "
                        "rebuilds it on every save; stop it (Ctrl-C) before building into it, "
                        "or build into another folder with --out") from None
                self.say(f"waiting for another build into {self.out}/ (pid {pid}) to finish …")
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, f"{self.role} {os.getpid()}\n".encode(), 0)
            except OSError:
                pass  # read-only: see above
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor
        _held.add(descriptor)
        forget_temporary(self.path.parent)
        return self

    @staticmethod
    def _holder(descriptor: int) -> tuple[str, str]:
        try:
            role, _, pid = os.pread(descriptor, 64, 0).decode("ascii", "replace").partition(" ")
        except OSError:
            return "", "?"
        return role, pid.strip() or "?"

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._descriptor is not None:
            _held.discard(self._descriptor)
            os.close(self._descriptor)
            self._descriptor = None


class BuildCache:
    """The cache folder of one output folder's builds."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._records: dict[str, LastBuild | None] = {}

    @classmethod
    def beside(cls, out: Path) -> BuildCache:
        return cls(folder_for(out))

    def _name(self, out: Path) -> str:
        return hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]

    def _record_path(self, out: Path) -> Path:
        """The record of the last build into `out` (or of the last check, for `out` + '.check'),
        a file for each: a check's record is written without the build's."""
        return self.folder / f"build-{self._name(out)}.pickle"

    def lock(self, out: Path, role: str = "build") -> OutputLock:
        """The lock of builds into `out` (see OutputLock)."""
        return OutputLock(self.folder / f"lock-{self._name(out)}", out, role)

    def _pack_path(self, out: Path) -> Path:
        return self.folder / f"site-{self._name(out)}.pack"

    def forget(self, out: Path) -> None:
        """Drop the record and the pack of the last build into `out`: the next build is a
        cold one."""
        self._records.pop(str(out.resolve()), None)
        for path in (self._record_path(out), self._pack_path(out)):
            path.unlink(missing_ok=True)

    def _record(self, out: Path) -> LastBuild | None:
        key = str(out.resolve())
        if key not in self._records:
            data = _read(self._record_path(out))
            self._records[key] = data if isinstance(data, LastBuild) else None
        return self._records[key]

    def _save_record(self, out: Path, last: LastBuild) -> None:
        self._records[str(out.resolve())] = last
        _write(self._record_path(out), last)

    def inputs(self, paths: Paths) -> tuple[bytes, dict[str, Signature]]:
        last = self._record(paths.out)
        # Every layer of templates and static files: the site's own, then Parallax's.
        layers = [(f"{kind}{n or ''}", folder) for kind, folders in (
            ("templates", paths.template_folders), ("static", paths.static_folders))
            for n, folder in enumerate(folders)]
        return _fingerprint(
            [("content", paths.content), *layers],
            last.inputs if last else {},
            paths.base_url,
        )

    def last(self, out: Path) -> LastBuild | None:
        return self._record(out)

    def pack(self, out: Path, last: LastBuild) -> Packed:
        """The files of `last`, the last build into `out` (raises OSError or ValueError when
        the pack is missing, damaged or not the one `last` describes)."""
        return Packed(self._pack_path(out), last.index, last.pack_ends, last.sums)

    def save(self, out: Path, last: LastBuild, files: Mapping[str, bytes] | None,
             earlier: LastBuild | None = None, made: frozenset[str] = frozenset()) -> None:
        """Keep `last` as the record of the last build into `out`, with a pack of its files
        when it wrote some. `earlier`, the record this build started from, and `made`, the
        files it made anew: the others are in the pack already, so only the new ones are
        added at its end (the earlier record's places in it stay as they were, so a build cut
        short leaves a pack that still matches it), unless that would leave the pack more
        than half stale: then it is written afresh."""
        if files is not None:
            last.index = self._append(out, files, earlier, made, last) or self._rewrite(
                out, files, last)
        self._save_record(out, last)

    def _rewrite(self, out: Path, files: Mapping[str, bytes], last: LastBuild
                 ) -> dict[str, tuple[int, int]]:
        offset = 0
        index: dict[str, tuple[int, int]] = {}
        sums: dict[str, bytes] = {}
        for relative, data in files.items():
            index[relative] = (offset, len(data))
            offset += len(data)
            sums[relative] = _sum(data)
        _atomic_write(self._pack_path(out), _chunks(files.values()))
        last.pack_ends, last.sums = [offset], sums
        return index

    def _append(self, out: Path, files: Mapping[str, bytes], earlier: LastBuild | None,
                made: frozenset[str], last: LastBuild) -> dict[str, tuple[int, int]] | None:
        if earlier is None or not earlier.index or not earlier.pack_ends:
            return None
        pack = self._pack_path(out)
        try:
            size = pack.stat().st_size
        except OSError:
            return None
        if size < earlier.pack_ends[-1]:
            return None  # not the pack of that record
        size = earlier.pack_ends[-1]  # what a build cut short added after it is dropped
        index: dict[str, tuple[int, int]] = {}
        with pack.open("rb") as stream:
            new = [p for p in files if p not in earlier.index or (
                p in made and not _same(stream, earlier.index[p], files[p]))]
        added = sum(len(files[p]) for p in new)
        live = sum(earlier.index[p][1] for p in files if p not in new) + added
        if size + added > 2 * live:
            return None
        offset = size
        sums: dict[str, bytes] = {}
        # Appended to only as the file it is (never through a link planted in its place).
        _step("append", pack)
        descriptor = os.open(pack, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        os.truncate(descriptor, size)
        os.lseek(descriptor, size, os.SEEK_SET)
        with os.fdopen(descriptor, "wb") as stream:
            for relative in files:
                if relative in new:
                    data = files[relative]
                    stream.write(data)
                    sums[relative] = _sum(data)
                    index[relative] = (offset, len(data))
                    offset += len(data)
                else:
                    index[relative] = earlier.index[relative]
                    sums[relative] = earlier.sums.get(relative, b"")
        last.pack_ends = [*earlier.pack_ends, offset] if offset > size else list(earlier.pack_ends)
        last.sums = sums
        return index

    def touch(self, out: Path, last: LastBuild) -> None:
        """Keep `last` again (new modification times after a restore)."""
        self._save_record(out, last)


def _same(pack: BinaryIO, place: tuple[int, int], data: bytes) -> bool:
    """Whether the pack holds `data` at `place` (a file made again, but to the same bytes)."""
    offset, length = place
    if length != len(data):
        return False
    pack.seek(offset)
    return pack.read(length) == data


def stat_outputs(out: Path, files: Iterable[str]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for relative in files:
        stat = os.stat(out / relative)
        found[relative] = (stat.st_size, stat.st_mtime_ns)
    return found
