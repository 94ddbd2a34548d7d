"""Search stage: the rendered pages → their full-text search index (pagefind/).

The only module that knows Pagefind. Its indexer reads the rendered pages, so this step comes
after render and before write: the pages are copied to a temporary folder, Pagefind indexes
them there, and its bundle joins the site's files. site/ is written only once the index
exists, so a failed indexer leaves the last good site/ as it was.

The index is one, made by one Pagefind run over every indexed page: Pagefind cannot add one
page to an index, so an edit that changes an indexed page indexes them all again (the engine
runs nothing when the indexed pages are as they were). One index ranks the pages as one (parts
indexed apart, and merged in the browser, rank a word by each part's own counts) and costs a
reader's first search the fewest bytes (bench/README.md).

Pages mark what is indexed (`data-pagefind-body`; event pages), what is left out
(`data-pagefind-ignore`) and the outlets a search can be narrowed to (`data-pagefind-filter`).
The version is pinned (PAGEFIND_VERSION, and pyproject.toml), and what it writes is put in a
fixed form (`_in_order`): the same pages then give a byte-identical index, whatever order the
file system lists them in, which the build relies on.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Self

try:
    import fcntl
except ImportError:  # not on Windows: the pages are copied afresh for each run
    fcntl = None  # type: ignore[assignment]

from .cache import alive, private_folders
from .errors import ContentError, Problem
from .parallel import die_with_parent

PAGEFIND_VERSION = "1.5.2"
INSTALL = f"pip install 'pagefind[bin]=={PAGEFIND_VERSION}'"
BUNDLE = "pagefind"
"""Where the index goes under site/; search.js loads pagefind.js from there."""
ENTRY = f"{BUNDLE}/pagefind-entry.json"
"""The index's entry file, which every index has."""
MARK = b"data-pagefind-body"
TIMEOUT_BASE = 120.0
TIMEOUT_PER_PAGE = 0.05
"""Seconds Pagefind may take before the build gives up on it (it never hangs the build)."""

# The files the search page uses: the API, its worker, the WebAssembly search and the index.
# Pagefind's own ready-made interfaces (pagefind-ui.*, modular and component UIs, highlight)
# are left out: the site has its own results list (static/search.js).
_KEPT_FILES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_KEPT_SUFFIXES = (".pf_meta", ".pagefind", ".pf_index", ".pf_fragment", ".pf_filter")


def _problem(message: str) -> ContentError:
    return ContentError([Problem(BUNDLE, 1, "search index", message)])


def executable() -> Path:
    """Pagefind's binary: PAGEFIND_BINARY_PATH when set (as Pagefind's own tools read it), else
    the one the `pagefind[bin]` package installs."""
    given = os.environ.get("PAGEFIND_BINARY_PATH")
    if given:
        return Path(given)
    try:
        import pagefind_bin
    except ImportError:
        raise _problem(f"Pagefind is not installed; install it with {INSTALL}") from None
    try:
        return Path(pagefind_bin.get_executable())
    except (OSError, FileNotFoundError) as error:
        raise _problem(f"Pagefind's binary is missing ({error}); reinstall it with {INSTALL}"
                       ) from None


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        # Pagefind ends with the build: a killed build leaves none writing into a folder the
        # next build removes.
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL, errors="replace",
                              preexec_fn=die_with_parent)
    except subprocess.TimeoutExpired:
        raise _problem(f"Pagefind did not finish within {timeout:.0f} s") from None
    except OSError as error:
        raise _problem(f"Pagefind could not be run ({command[0]}: {error.strerror or error}); "
                       f"reinstall it with {INSTALL}") from None


def _check_version(binary: Path) -> None:
    found = _run([str(binary), "--version"], 30).stdout.strip()
    if found != f"pagefind {PAGEFIND_VERSION}":
        raise _problem(f"Pagefind {PAGEFIND_VERSION} is needed for a reproducible index, found "
                       f"{found or 'no version'!r} at {binary}; install it with {INSTALL}")


def _tail(text: str, lines: int = 8) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept) or "no output"


def _run_pagefind(binary: Path, root: Path, out: Path, count: int
                  ) -> subprocess.CompletedProcess[str]:
    """One Pagefind run: the `count` pages copied under `root`, indexed into `out`."""
    return _run([str(binary), "--site", str(root), "--output-path", str(out), "--silent"],
                TIMEOUT_BASE + TIMEOUT_PER_PAGE * count)


class Indexing:
    """The index being made, in three steps, so that the indexing can go on beside the build's
    other work: the indexed pages are copied to a folder (here, by the caller, who has their
    bytes): a temporary one, or, given a folder to `keep` them in (in the project's cache
    folder), one kept between runs, where only the pages that changed are written again; `run`
    (fit for a thread of its own: it only starts Pagefind's process and waits on it, so it never
    competes with the caller's work for the interpreter) indexes them; `bundle` (the caller
    again) reads what Pagefind wrote. Closing it removes the temporary folder (also when the
    build fails or is interrupted).

    Nothing is trusted for where it lies: the kept folder is used only when it and the folder
    holding it are this user's and no one else may write them (a cache folder beside an output
    folder in a shared place could have been made by anyone); otherwise every copy is fresh.
    The temporary folder is a private one (tempfile's, mode 0700): beside the kept copy when
    there is one, else in `scratch` (the output's cache folder), else in the system's
    temporary folder. Where the copies lie does not change the index: Pagefind numbers the
    pages in the order their file system lists them, but the bundle is rewritten with the pages
    in the order of their URLs (`_in_order`)."""

    def __init__(self, pages: Mapping[str, bytes], paths: Sequence[str], keep: Path | None = None,
                 scratch: Path | None = None):
        self.pages = pages
        self.paths = tuple(sorted(paths))
        """The pages to index: none, nothing is indexed (no folder made, no Pagefind run)."""
        self._done: subprocess.CompletedProcess[str] | None = None
        self._error: ContentError | None = None
        self._locks: list[BinaryIO] = []
        _forget_old_copies()
        self._root: Path | None = None
        self._out: Path | None = None
        self._temporary: tempfile.TemporaryDirectory | None = None
        if not self.paths:
            return
        kept = keep if keep is not None and _private(keep) else None
        if kept is not None:
            forget_leftovers(kept.parent)
            self._forget_other_copies(kept)
        # The temporary folder goes where the kept copy is, else to `scratch` (the output's
        # cache folder, whether or not it is trusted: a private folder of a name no one can
        # guess is safe anywhere), where the next build removes what a killed one left
        # (`forget_leftovers`).
        where = kept.parent if kept is not None else None
        if where is None and scratch is not None:
            try:
                private_folders(scratch)  # like the cache folder it lies in: this user's only
                forget_leftovers(scratch)
                where = scratch
            except OSError:
                where = None
        self._temporary = tempfile.TemporaryDirectory(prefix=f"{LEFTOVER}{os.getpid()}-",
                                                      dir=where)
        self._out = Path(self._temporary.name) / BUNDLE
        try:
            root = self._kept_copy(kept) if kept is not None else None
            if root is None:
                root = Path(self._temporary.name) / "site"
                _copy_out(root, self.paths, pages)
            self._root = root
        except BaseException:
            self.close()
            raise

    def _lock(self, folder: Path) -> BinaryIO | None:
        """The folder's lock, held until `close`; None when another process holds it."""
        if fcntl is None:
            return None
        lock = (folder / "lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return None
        self._locks.append(lock)
        return lock

    def _forget_other_copies(self, kept: Path) -> None:
        """Remove the copies that earlier versions kept beside `kept`: one for each output
        folder (a folder named by 16 hex digits), or one for each part of an index made in
        parts (in pages/), part by part (not one another process is using)."""
        try:
            for folder in kept.parent.iterdir():
                if folder == kept or not folder.is_dir() or not (
                        _OLD_COPY.fullmatch(folder.name) or folder.name == _OLD_PARTS):
                    continue
                for part in [f for f in folder.iterdir() if f.is_dir()]:
                    if self._lock(part) is not None:
                        shutil.rmtree(part, ignore_errors=True)
                if not any(f.is_dir() for f in folder.iterdir()):
                    shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # they only take room

    def _kept_copy(self, kept: Path) -> Path | None:
        """The pages in the folder kept between runs, as the last run there left them with the
        pages that changed since written again in place, or copied afresh when they are not
        the same pages, or its files not as that run left them. None (a temporary copy
        instead) when another process is using the folder or it cannot be written."""
        try:
            if self._lock(kept) is None:
                return None
        except OSError:
            return None
        try:
            return self._refresh(kept)
        except OSError:
            # (A full disk, say.) A copy half refreshed is no use to the next run, and would
            # keep the disk full: it goes (the folder is this run's: it holds its lock).
            shutil.rmtree(kept / "site", ignore_errors=True)
            return None

    def _refresh(self, folder: Path) -> Path:
        """The kept copy of the pages, each read back and compared with the page (a copy
        changed or damaged since, even to the same size and time, is written again in place);
        copied afresh when it holds other pages, or one is missing."""
        listed, root = folder / "pages.json", folder / "site"
        try:
            last = json.loads(listed.read_bytes())
        except (OSError, ValueError):
            last = None
        listed.unlink(missing_ok=True)  # until the folder holds these pages again
        same = isinstance(last, dict) and last.get("paths") == list(self.paths)
        differ: list[str] = []
        if same:
            for path in self.paths:
                try:
                    with open(root / path, "rb") as stream:
                        if stream.read() != self.pages[path]:
                            differ.append(path)
                except OSError:
                    same = False
                    break
        if same:
            for path in differ:
                with open(root / path, "wb") as stream:
                    stream.write(self.pages[path])
        else:
            shutil.rmtree(root, ignore_errors=True)
            _copy_out(root, self.paths, self.pages)
        listed.write_text(json.dumps({"paths": list(self.paths)}), encoding="utf-8")
        return root

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(stopped=kind is not None)

    def close(self, stopped: bool = False) -> None:
        """Remove the temporary folder. A build `stopped` (interrupted, failed) may have left
        Pagefind writing in it: what cannot be removed then is left to the next build, which
        removes what a build left (`forget_leftovers`), rather than hide why it stopped."""
        if self._temporary is not None:
            try:
                self._temporary.cleanup()
            except OSError:
                if not stopped:
                    raise
        for lock in self._locks:
            lock.close()
        self._locks = []

    def run(self) -> None:
        """Pagefind over the pages (nothing when there are none)."""
        if not self.paths:
            return
        assert self._root is not None and self._out is not None
        try:
            binary = executable()
            _check_version(binary)
            self._done = _run_pagefind(binary, self._root, self._out, len(self.paths))
        except ContentError as error:
            self._error = error

    def bundle(self) -> dict[str, bytes]:
        """The index (path under site/ → bytes); empty when there were no pages to index.
        Raises ContentError when Pagefind failed, or when the site already has a file where
        the index goes."""
        if self._error is not None:
            raise self._error
        if not self.paths:
            return {}
        assert self._done is not None and self._out is not None, "run() indexed the pages"
        if self._done.returncode != 0:
            raise _problem(f"Pagefind failed (exit status {self._done.returncode}): "
                           f"{_tail(self._done.stdout + self._done.stderr)}")
        bundle = _bundle(self._out)
        clash = sorted(p for p in bundle if p in self.pages)
        if clash:
            raise _problem(f"the site already has a file at {clash[0]}, where the search "
                           "index goes")
        return bundle


def _copy_out(root: Path, paths: Sequence[str], pages: Mapping[str, bytes]) -> None:
    """The pages into a new folder `root`, in their (sorted) order."""
    root.mkdir(parents=True)
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pages[path])


KEPT = "index"
"""The folder, in the cache folder's search/, where the indexed pages are kept between runs
(one copy, whatever output folders the cache folder serves)."""
_OLD_COPY = re.compile(r"[0-9a-f]{16}")
"""The name of a folder of copies kept by an earlier version, one for each output folder."""
_OLD_PARTS = "pages"
"""The folder of copies kept by an earlier version that made the index in parts."""

LEFTOVER = ".parallax-search-"
"""The temporary folders' names begin so, then the process id (see `forget_leftovers`)."""


def _private(folder: Path) -> bool:
    """Whether `folder` (made if need be, mode 0700) and the three folders above it (in the
    cache folder: search/, parallax/ and .cache/) are this user's own, real folders that no one
    else may write: anyone who could write one of them could swap what is below it."""
    try:
        private_folders(folder)
        for path in (folder, *list(folder.parents)[:3]):
            info = os.lstat(path)
            if (not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022
                    or hasattr(os, "geteuid") and info.st_uid != os.geteuid()):
                return False
    except OSError:
        return False
    return True


def forget_leftovers(folder: Path) -> None:
    """Temporary folders that builds killed outright (SIGKILL, a power cut) left in `folder`:
    removed when the process that made each is gone."""
    try:
        for path in folder.glob(f"{LEFTOVER}*"):
            pid = path.name.removeprefix(LEFTOVER).split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass  # they only take room


@functools.cache
def _forget_old_copies() -> None:
    """Copies that earlier versions of Parallax kept in the system's temporary folder
    (parallax-search-<uid>-<name>): this user's are removed, once a process; anyone else's,
    and anything that is not a real folder, left alone."""
    if not hasattr(os, "geteuid"):
        return
    try:
        for path in Path(tempfile.gettempdir()).glob(f"parallax-search-{os.geteuid()}-*"):
            info = os.lstat(path)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
                shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass


def _bundle(out: Path) -> dict[str, bytes]:
    """What Pagefind wrote to `out`, as the files the site keeps."""
    files: dict[str, bytes] = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_file() and (name in _KEPT_FILES or name.endswith(_KEPT_SUFFIXES)):
            files[f"{BUNDLE}/{name}"] = path.read_bytes()
    if ENTRY not in files or f"{BUNDLE}/pagefind.js" not in files:
        raise _problem("Pagefind wrote no index (pagefind.js and pagefind-entry.json are "
                       f"missing); reinstall it with {INSTALL}")
    return _in_order(files)


def index(pages: Mapping[str, bytes], paths: Sequence[str]) -> dict[str, bytes]:
    """The index of the `paths` among the site's `pages` (path → bytes; its HTML pages at
    least), as path under site/ → bytes, all in the caller's thread (see `Indexing`). Raises
    ContentError as `Indexing.bundle` does."""
    with Indexing(pages, paths) as indexing:
        indexing.run()
        return indexing.bundle()


# --- the same bytes from the same pages, whatever order they were read in ----------------------
# Pagefind numbers a language's pages in the order its walk meets them, which is the order the
# file system lists each folder (a disk by a hash of each name seeded per file system, a
# memory-backed folder by when each file was made), and those numbers are in its index,
# filter and metadata files; it lists a filter's values in hash-map order, which changes from
# run to run; and where two pages' or two words' names collide, which gets the longer name
# depends on that order too. So the bundle is rewritten in one form that depends on the pages
# alone: the pages numbered in the order of their URLs, each word's pages and a filter's pages
# in number order, a word's variant spellings and a filter's values sorted, and every file named
# from its bytes (fragments, index chunks, filters, then the metadata that lists them, whose
# name the entry file gives), collisions settled in that order. Only the format of the pinned
# version is read; anything else is refused.

_SIGNATURE = b"pagefind_dcd"
_NAMED_FOLDERS = {".pf_fragment": "fragment", ".pf_index": "index", ".pf_filter": "filter"}
_DIGITS = 7
"""The hex digits of a fragment's, index chunk's or filter's name, as Pagefind gives them (it
gives more to a name that would collide, which one depending on the order; so do these, in
the fixed order). A metadata file's name has as many as Pagefind gave it (8 more than its
language's name has letters), and never collides: there is one a language."""


def _unknown(path: str) -> ContentError:
    return _problem(f"Pagefind wrote {path} in a form this version of Parallax does not know; "
                    f"install it with {INSTALL}")


def _in_order(files: dict[str, bytes], folder: str = BUNDLE) -> dict[str, bytes]:
    """The bundle in `folder` (path under site/ → bytes) in its fixed form."""
    result: dict[str, bytes] = {}
    taken: dict[str, set[str]] = {kind: set() for kind in (*_NAMED_FOLDERS.values(), "meta")}
    metas: dict[str, str] = {}
    used: set[str] = set()
    found: dict[str, str] = {}
    for path in files:
        name = path.removeprefix(f"{folder}/")
        if name.startswith("pagefind.") and name.endswith(".pf_meta") and "/" not in name:
            found[path] = name.removeprefix("pagefind.").removesuffix(".pf_meta")
    # Language by language (its metadata's name, which depends on the order, does not).
    for path, stem in sorted(found.items(), key=lambda item: item[1].rpartition("_")[0]):
        try:
            metas[stem] = _language_in_order(files, folder, path, result, taken, used)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError):
            raise _unknown(path) from None
        used.add(path)
    entry_path = f"{folder}/pagefind-entry.json"
    try:
        entry = json.loads(files[entry_path])
        languages = entry["languages"]
        for language in languages.values():
            language["hash"] = metas.pop(language["hash"])
        entry["languages"] = dict(sorted(languages.items()))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _unknown(entry_path) from None
    if metas:
        raise _unknown(f"{folder}/pagefind.{min(metas)}.pf_meta")
    result[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    for path, data in files.items():
        if path.endswith((*_NAMED_FOLDERS, ".pf_meta")):
            if path not in used:
                raise _unknown(path)  # a file no metadata lists
        elif path != entry_path:
            result[path] = data
    return dict(sorted(result.items()))


def _language_in_order(files: Mapping[str, bytes], folder: str, path: str,
                       result: dict[str, bytes], taken: dict[str, set[str]],
                       used: set[str]) -> str:
    """One language's files (its metadata at `path`, and the fragments, index chunks and
    filters it lists) in their fixed form, into `result`; the metadata's new name. Raises
    ValueError (and the like) where the files are not as the pinned version writes them."""
    meta = _strict(_unpack(files[path], path))
    version, pages, chunks, filters, sorts, fields = meta
    if version != PAGEFIND_VERSION or not all(
            _shaped(page, str, int) for page in pages) or not all(
            _shaped(chunk, str, str, str) for chunk in chunks) or not all(
            _shaped(one, str, str) for one in filters) or not all(
            isinstance(field, str) for field in fields):
        raise ValueError("metadata")
    if sorts:
        raise _problem("the search index has sort orders (data-pagefind-sort), which Parallax "
                       "cannot put in a fixed order; remove data-pagefind-sort from the templates")

    def read(kind: str, stem: str) -> bytes:
        where = f"{folder}/{kind}/{stem}.pf_{kind}"
        used.add(where)
        return _unpack(files[where], where)

    # The pages, by URL (a URL names one page; the fragment's bytes settle the rest).
    keys = []
    for stem, _ in pages:
        body = read("fragment", stem)
        url = json.loads(body[len(_SIGNATURE):])["url"]
        if not isinstance(url, str):
            raise TypeError("fragment")
        keys.append((url, body, stem))
    order = sorted(range(len(pages)), key=lambda n: keys[n][:2])
    number = [0] * len(pages)
    for new, old in enumerate(order):
        number[old] = new
    fragment_names: dict[str, str] = {}
    new_pages = []
    for old in order:
        _, body, stem = keys[old]
        if stem not in fragment_names:
            fragment_names[stem] = _renamed(stem, body, taken["fragment"], _DIGITS)
            result[f"{folder}/fragment/{fragment_names[stem]}.pf_fragment"] = files[
                f"{folder}/fragment/{stem}.pf_fragment"]
        new_pages.append([fragment_names[stem], pages[old][1]])

    new_chunks = []
    # The index is most of the bundle's bytes: zlib's default level, a size near Pagefind's own
    # (1% more than level 9's, in a third of its time). zlib lets go of the interpreter, so a
    # chunk is compressed in a thread while the next is read (a third of the time, on a core
    # of its own).
    with ThreadPoolExecutor(max_workers=1) as packer:
        packing = []
        for first, last, stem in chunks:
            body = read("index", stem)
            body = _SIGNATURE + _renumbered_words(body[len(_SIGNATURE):], number)
            new = _renamed(stem, body, taken["index"], _DIGITS)
            packing.append((f"{folder}/index/{new}.pf_index", packer.submit(_pack, body, 6)))
            new_chunks.append([first, last, new])
        for where, packed in packing:
            result[where] = packed.result()

    new_filters = []
    for name, stem in filters:
        body = read("filter", stem)
        body = _sorted_filter(body, number)
        if _strict(body)[0] != name:
            raise ValueError("filter name")
        new = _renamed(stem, body, taken["filter"], _DIGITS)
        result[f"{folder}/filter/{new}.pf_filter"] = _pack(body)
        new_filters.append([name, new])

    body = _SIGNATURE + _cbor_write([version, new_pages, new_chunks, new_filters, [], fields])
    stem = path.removeprefix(f"{folder}/pagefind.").removesuffix(".pf_meta")
    new = _renamed(stem, body, taken["meta"])
    result[f"{folder}/pagefind.{new}.pf_meta"] = _pack(body)
    return new


def _shaped(value: object, *types: type) -> bool:
    return isinstance(value, list) and len(value) == len(types) and all(
        isinstance(v, t) for v, t in zip(value, types))


def _renamed(stem: str, body: bytes, taken: set[str] | None = None, size: int | None = None
             ) -> str:
    """`en_d55ebef` → `en_` and as many hex digits of the new bytes' hash (or `size`), or more
    where that name is `taken` (which then holds the new name)."""
    language, _, digits = stem.rpartition("_")
    digest = hashlib.sha256(body).hexdigest()
    size = size or len(digits)
    while taken is not None and f"{language}_{digest[:size]}" in taken and size < len(digest):
        size += 1
    name = f"{language}_{digest[:size]}"
    if taken is not None:
        taken.add(name)
    return name


def _unpack(data: bytes, path: str) -> bytes:
    try:
        body = gzip.decompress(data)
    except (OSError, EOFError) as error:
        raise _problem(f"Pagefind wrote a damaged file {path} ({error})") from None
    if not body.startswith(_SIGNATURE):
        raise _unknown(path)
    return body


def _pack(body: bytes, level: int = 9) -> bytes:
    return gzip.compress(body, compresslevel=level, mtime=0)


def _strict(body: bytes) -> list:
    """A file's CBOR (after the signature), which must be an array written as this module
    would write it again."""
    encoded = body[len(_SIGNATURE):]
    decoded, end = _cbor_read(encoded, 0)
    if end != len(encoded) or not isinstance(decoded, list) or _cbor_write(decoded) != encoded:
        raise ValueError("not the CBOR Pagefind writes")
    return decoded


def _sorted_filter(body: bytes, number: Sequence[int] | None = None) -> bytes:
    """A filter file (CBOR: [name, [[value, [page, ...]], ...]]) with its values sorted, and
    each value's pages numbered by `number` (old → new; as they are without it) and sorted."""
    try:
        decoded = _strict(body)
        name, values = decoded
        if not isinstance(name, str) or not all(_shaped(v, str, list) for v in values):
            raise ValueError("filter")
        if not all(isinstance(p, int) and p >= 0 for _, pages in values for p in pages):
            raise ValueError("filter pages")
        values = sorted([value, sorted(number[p] if number is not None else p for p in pages)]
                        for value, pages in values)
    except (ValueError, IndexError, TypeError):
        raise _problem("Pagefind wrote a filter file this version of Parallax cannot read; "
                       f"install it with {INSTALL}") from None
    return _SIGNATURE + _cbor_write([name, values])


# An index chunk, CBOR: [[[word, pages, variants], ...]], a page [page, [int, ...], [int, ...]]
# (its number, as the difference from the page before it in the list; the word's places in
# the page; its places in the page's metadata), a variant [spelling, pages]. Large (a page's
# every word), so read as spans: only the page numbers are read and written again, the rest
# copied as it was.

def _int_size(head: int) -> int:
    kind, info = head >> 5, head & 31
    if kind > 1 or info > 27:
        return 0
    return 1 if info < 24 else 1 + (1 << (info - 24))


_INT_SIZES = bytes(_int_size(head) for head in range(256))
"""The bytes a CBOR integer (unsigned or negative) starting with each byte takes; 0: not one."""


_SMALL_UINTS = [bytes([n]) if n < 24 else bytes([24, n]) for n in range(256)]
"""The CBOR of each unsigned integer below 256."""


def _head(data: bytes, at: int) -> tuple[int, int, int]:
    """A CBOR item's major type, argument and where what follows begins."""
    head = data[at]
    info = head & 31
    if info < 24:
        return head >> 5, info, at + 1
    if info > 27:
        raise ValueError("indefinite or reserved length")
    width = 1 << (info - 24)
    return head >> 5, int.from_bytes(data[at + 1:at + 1 + width], "big"), at + 1 + width


def _expect(data: bytes, at: int, kind: int, size: int | None = None) -> tuple[int, int]:
    found, argument, at = _head(data, at)
    if found != kind or size is not None and argument != size:
        raise ValueError(f"CBOR {found}/{argument}, not {kind}/{size}")
    return argument, at


def _read_pages(data: bytes, at: int, number: Sequence[int]) -> tuple[list[tuple[int, bytes]], int]:
    """A word's (or variant's) pages from `at`, renumbered, in their new order; where the list
    ends. The hot loop of the rewrite: a page's two lists of integers are stepped over a head
    byte at a time."""
    count, at = _expect(data, at, 4)
    sizes = _INT_SIZES
    pages = []
    page = 0
    for _ in range(count):
        if data[at] != 0x83:  # an array of 3
            raise ValueError("not a page")
        step = data[at + 1]
        if step < 24:
            at += 2
        else:
            step, at = _expect(data, at + 1, 0)
        page += step
        start = at
        for _ in range(2):
            head = data[at]
            if 0x80 <= head < 0x98:  # an array of fewer than 24 items
                items, at = head - 0x80, at + 1
            else:
                items, at = _expect(data, at, 4)
            for _ in range(items):
                size = sizes[data[at]]
                if not size:
                    raise ValueError("not an integer")
                at += size
        pages.append((number[page], data[start:at]))
    pages.sort()
    return pages, at


def _write_pages(out: list[bytes], pages: list[tuple[int, bytes]]) -> None:
    out.append(_cbor_head(4, len(pages)))
    last = 0
    small = _SMALL_UINTS
    for page, rest in pages:
        step = page - last
        out += (b"\x83", small[step] if step < 256 else _cbor_head(0, step), rest)
        last = page


def _renumbered_words(data: bytes, number: Sequence[int]) -> bytes:
    """An index chunk with its pages numbered by `number` (old → new), each word's pages in
    that order and its variants in the order of their spellings."""
    _, at = _expect(data, 0, 4, 1)
    count, at = _expect(data, at, 4)
    out = [b"\x81", _cbor_head(4, count)]
    for _ in range(count):
        _, at = _expect(data, at, 4, 3)
        size, start = _expect(data, at, 3)
        word, at = data[at:start + size], start + size
        pages, at = _read_pages(data, at, number)
        variants = []
        count_variants, at = _expect(data, at, 4)
        for _ in range(count_variants):
            _, at = _expect(data, at, 4, 2)
            size, start = _expect(data, at, 3)
            spelling, at = data[at:start + size], start + size
            variant_pages, at = _read_pages(data, at, number)
            variants.append((spelling, variant_pages))
        variants.sort()
        out += (b"\x83", word)
        _write_pages(out, pages)
        out.append(_cbor_head(4, len(variants)))
        for spelling, variant_pages in variants:
            out += (b"\x82", spelling)
            _write_pages(out, variant_pages)
    if at != len(data):
        raise ValueError("bytes after the words")
    return b"".join(out)


def _cbor_read(data: bytes, at: int) -> tuple[object, int]:
    """The CBOR Pagefind writes: integers, text and arrays, of definite length."""
    kind, size, at = _head(data, at)
    if kind == 0:
        return size, at
    if kind == 1:
        return -1 - size, at
    if kind == 3:
        return data[at:at + size].decode("utf-8"), at + size
    if kind == 4:
        items = []
        for _ in range(size):
            item, at = _cbor_read(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {kind}")


def _cbor_head(kind: int, size: int) -> bytes:
    if size < 24:
        return bytes([kind << 5 | size])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if size < 1 << (8 * width):
            return bytes([kind << 5 | info]) + size.to_bytes(width, "big")
    raise ValueError("too large")


def _cbor_write(value: object) -> bytes:
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_write(v) for v in value)
    raise ValueError(f"cannot write {type(value).__name__}")
