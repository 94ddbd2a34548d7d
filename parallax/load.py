"""Load stage: files under content/ → `RawRecord`s (YAML front matter with a line for every key).

The only module that knows PyYAML. Nothing here judges the content beyond "is this readable
YAML between --- lines"; the validate stage does the rest. Every message is written for editors,
not programmers: it names the line and says what to type.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem
from .models import device_name, device_problem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as text, so validation can explain an impossible date."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

# YAML 1.1 reads these bare words as true/false; an editor usually meant the word.
BOOLEAN_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false"}
_STR = "tag:yaml.org,2002:str"
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RawRecord:
    """One record as read: its front matter as plain data, and where each key stands."""

    kind: str
    """source, event, page, site or party."""
    id: str
    path: str
    """The path shown to editors, relative to the content folder's parent."""
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    """The line of each key or list item, by its location in the data."""
    booleans: frozenset[Loc] = frozenset()
    """Locations of bare words YAML read as booleans (yes, no, on, off)."""
    body: str = ""
    body_line: int = 1
    line: int = 1
    """Where the record starts (the '---' line, or its key in a registry file)."""
    bare: dict[Loc, str] = field(default_factory=dict)
    """Unquoted numbers and yes/no words as written (e.g. '2016', 'no'), by location: where
    text was meant, the message can show exactly what to put in quotes."""
    problems: tuple[Problem, ...] = ()
    """Mistakes found while reading that do not stop the record being validated (a key given
    twice: the last one counts), so the rest of it is still checked in the same run."""
    marked: tuple[tuple[int, str], ...] = ()
    """(line, comment) of each front-matter comment that still holds a skeleton's placeholder:
    it follows a value filled in for the editor to check (comments are not in `data`)."""

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest known location on `loc`'s way."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return self.line


@dataclass(frozen=True)
class RawContent:
    """Everything under content/, read but not yet judged."""

    root: Path
    records: tuple[RawRecord, ...]
    problems: tuple[Problem, ...] = ()
    """Files that could not be read; validation reports them with its own findings."""
    warnings: tuple[Problem, ...] = ()
    """Files that were not read because they are not records (e.g. 'notes.txt' in events/)."""


Parse = Callable[[str, str, str, str], RawRecord]
"""(text, shown path, kind, id) → RawRecord: how a Markdown record file is read."""

PLACEHOLDER = "[to do"
"""How `python build.py new` marks what an editor still has to write; the build warns about it."""
EXAMPLE = "[example"
"""How `parallax init` marks its example records, in a comment of their front matter; the build
warns about each until it is replaced or deleted."""
# The mark in a YAML comment, after a value the skeleton filled in but the editor must check,
# or on an example record.
_MARKED_COMMENT = re.compile(r"(?:^|(?<=\s))#.*(?:" + re.escape(PLACEHOLDER) + "|"
                             + re.escape(EXAMPLE) + ").*", re.IGNORECASE)
KINDS = {"sources": "source", "events": "event", "pages": "page"}
SETTINGS_FILE = "site.yaml"
PARTIES_FILE = "credited.yaml"
RECORD_SUFFIX = ".md"
MAX_RECORD_KB = 32
"""The largest record file read, in KB, unless site.yaml sets `max_record_kb`: far above any
real record, and small enough that no record adds seconds to a build."""
MAX_SNAPSHOT_KB = 2048
"""The largest article snapshot read (`check --snapshots`), in KB: an article's plain text, long
form included, runs to a few hundred KB; records are kept small, articles are what they are."""
REGISTRY_TIMES = 16
"""credited.yaml lists every credited party in one file: it may be this many times larger."""
MAX_NESTING = 32
"""The deepest nesting of fields (lists in lists, fields under fields) that is read; a record
needs five or six levels. Deeper nesting is refused before YAML reads it."""


def display_path(path: Path, root: Path) -> str:
    """The path as editors see it in messages: relative to the content folder's parent."""
    return path.relative_to(root.parent).as_posix()


def load_content(root: Path, parse: Parse | None = None,
                 read: Callable[..., str] | None = None) -> RawContent:
    """Read every record under `root`; unreadable files become problems, not exceptions, so
    validation can still report everything else in the same run. `read(path, shown, limit)`
    gives a file's text (default `read_text`) and `parse` turns a Markdown record file's text
    into its record (default `parse_markdown`); the engine passes ones that remember."""
    parse = parse or parse_markdown
    read = read or read_text
    records: list[RawRecord] = []
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "", (
            "the content folder does not exist; give its path with --content"))])

    refused = refused_files(root)
    problems.extend(refused.values())
    limit = MAX_RECORD_KB * 1024
    settings = root / SETTINGS_FILE
    if settings in refused:
        pass
    elif settings.is_file():
        _collect(problems, records, lambda: [_read_yaml_file(settings, root, "site", "site")])
        limit = _record_limit(records)
    else:
        problems.append(_missing_settings(root))
    parties = root / PARTIES_FILE
    if parties.is_file() and parties not in refused:
        _collect(problems, records,
                 lambda: _read_registry(parties, root, "party", limit * REGISTRY_TIMES))

    files = _files(root, refused)
    prefix = display_path(root / "_", root)[:-1]  # each file's shown path, without pathlib's cost
    for folder, kind in KINDS.items():
        for relative in files:
            if relative[0] == folder and len(relative) > 1 and relative[-1].endswith(RECORD_SUFFIX):
                path = os.path.join(root, *relative)  # a str: pathlib costs at 10,000 files
                if refused and _refused(Path(path), refused):
                    continue
                shown = prefix + "/".join(relative)
                stem = relative[-1][: -len(RECORD_SUFFIX)]
                _collect(problems, records, lambda path=path, kind=kind, shown=shown, stem=stem: [
                    parse(read(path, shown, limit), shown, kind, stem)])
    misnamed, stray = _stray_files(root, files, refused)
    # A misnamed site.yml is already reported as the missing settings file.
    problems.extend(p for p in misnamed if settings.is_file() or not p.path.endswith("site.yml"))
    return RawContent(root, tuple(records), tuple(problems), tuple(stray))


def _missing_settings(root: Path) -> Problem:
    shown = display_path(root / SETTINGS_FILE, root)
    for other in ("site.yml", "Site.yaml", "site.yaml.txt", "site.txt"):
        if (root / other).is_file():
            return Problem(shown, 1, "", f"the site settings file is missing, but there is "
                           f"'{other}': rename it to '{SETTINGS_FILE}'")
    return Problem(shown, 1, "", "the site settings file is missing; create it with title, "
                   "description, timezone and window (see docs/editing.md)")


def _record_limit(records: list[RawRecord]) -> int:
    """The largest record file to read, in bytes: site.yaml's `max_record_kb` when it is a
    sound value (validation reports it when it is not), else the default."""
    settings = next((r for r in records if r.kind == "site"), None)
    value = settings.data.get("max_record_kb") if settings else None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_RECORD_KB_SETTING:
        return value * 1024
    return MAX_RECORD_KB * 1024


MAX_RECORD_KB_SETTING = 100 * 1024
"""The largest `max_record_kb` (as models.SiteSettings allows)."""


_SPECIAL = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def refused_files(root: Path, called: str = "content folder") -> dict[Path, Problem]:
    """Everything under `root` that Parallax will not read, with why: pipes, sockets and devices
    (reading one would wait for ever, or for ever read), files it may not read, and symbolic
    links that lead out of `root`, nowhere, or round in a loop. Nothing here is opened: only
    looked at. The one rule for every folder a build reads (the content folder, the static
    folder); `called` names it in the messages."""
    refused: dict[Path, Problem] = {}
    inside = root.resolve()

    def refuse(path: Path, message: str) -> None:
        refused[path] = Problem(display_path(path, root), 1, "", message)

    def unreadable(error: OSError) -> None:
        path = Path(error.filename) if error.filename else root
        refuse(path, f"this folder cannot be read ({error.strerror}); check its permissions")

    def look(folder: str) -> list[str]:
        """Judge the folder's entries; its subfolders, to look at next."""
        # os.scandir rather than os.walk and a stat of each entry: the kind of an entry comes
        # with the listing, so a plain file costs one system call (may it be read?), not three.
        try:
            with os.scandir(folder) as listing:
                entries = sorted((e for e in listing if not e.name.startswith(".")),
                                 key=lambda e: e.name)  # dot files: editors' tools'; never read
        except OSError as error:
            unreadable(error)
            return []
        folders = []
        for entry in entries:
            unportable = _unportable(entry.name)
            if unportable:
                refuse(Path(entry.path), unportable)
                continue
            try:
                if entry.is_symlink():
                    problem = _link_problem(Path(entry.path), inside, called)
                    if problem:
                        refuse(Path(entry.path), problem)
                        continue
                    mode = os.stat(entry.path).st_mode  # not walked into, as os.walk does not
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                    continue
                elif entry.is_file(follow_symlinks=False):
                    mode = stat.S_IFREG
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as error:
                refuse(Path(entry.path), f"this cannot be read ({error.strerror})")
                continue
            what = next((w for test, w in _SPECIAL if test(mode)), None)
            if what:
                refuse(Path(entry.path), f"this is {what}, not a file; Parallax reads only plain "
                                         f"files: remove it from the {called}")
            elif stat.S_ISREG(mode) and not os.access(entry.path, os.R_OK):
                refuse(Path(entry.path), "this file cannot be read (permission denied); check "
                                         "its permissions")
        return folders

    waiting = [str(root)]  # depth first, in name order, as os.walk goes
    while waiting:
        waiting.extend(reversed(look(waiting.pop())))
    return refused


def _unportable(name: str) -> str | None:
    """Why a file or folder of this name cannot be checked out on every system, or None."""
    if name.endswith((".", " ")):
        return (f"the name {name!r} ends with a {'dot' if name.endswith('.') else 'space'}, "
                "which Windows drops: a file or folder of that name cannot be checked out "
                "there; rename it")
    if device_name(name):
        return device_problem(name).replace("choose another", "rename it")
    return None


def _refused(path: Path, refused: dict[Path, Problem]) -> bool:
    """Whether `path` was refused, or lies under a folder that was (a link out of the folder)."""
    return bool(refused) and (path in refused or any(p in refused for p in path.parents))


def _link_problem(path: Path, inside: Path, folder: str) -> str | None:
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "this symbolic link leads round in a loop; remove it"
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "this symbolic link leads round in a loop; remove it"
        return (f"this symbolic link leads to {os.readlink(path)!r}, which does not exist; "
                "remove it, or put the file itself here")
    if not target.is_relative_to(inside):
        return (f"this symbolic link leads out of the {folder} (to {str(target)!r}); "
                f"Parallax does not follow it: put the file itself in the {folder}")
    return None


def _hidden(path: Path, root: Path) -> bool:
    """Editors' tools leave hidden files and backups (.DS_Store, .x.md.swp, x.md~) around."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _files(root: Path, refused: dict[Path, Problem]) -> list[tuple[str, ...]]:
    """Every file under `root` that is not hidden (editors' tools leave hidden files and
    folders around: .DS_Store, .x.md.swp), as the parts of its path under `root`, in order;
    links to folders inside it are followed, refused ones (out of it, in a loop) are not."""
    found: list[tuple[str, ...]] = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not (refused and Path(folder, d) in refused)]
        here = os.path.relpath(folder, root)
        parts = () if here == "." else tuple(here.split(os.sep))
        found.extend(parts + (name,) for name in names if not name.startswith("."))
    found.sort()
    return found


def _stray_files(root: Path, files: list[tuple[str, ...]],
                 refused: dict[Path, Problem] | None = None) -> tuple[list[Problem], list[Problem]]:
    """Files in the content folder that Parallax does not read: said, never silently skipped.
    (misnamed settings or registry files, such as credited.yml: errors, since their content
    would be lost; any other file: warnings)."""
    known = {SETTINGS_FILE, PARTIES_FILE, *KINDS}
    misnamed: list[Problem] = []
    found: list[Problem] = []
    for parts in files:
        top = parts[0]
        if (top in KINDS and len(parts) > 1 and parts[-1].endswith(RECORD_SUFFIX)
                or top in (SETTINGS_FILE, PARTIES_FILE) or parts[-1].endswith("~")):
            continue  # records (read already), and editors' backups
        relative = Path(*parts)
        path = root / relative
        if refused and _refused(path, refused):
            continue
        if not path.is_file() or top in KINDS and path.suffix == RECORD_SUFFIX:
            continue
        if top in KINDS:
            hint = (f"only '{RECORD_SUFFIX}' files are read here; rename it to "
                    f"'{path.stem}{RECORD_SUFFIX}' if it is a record")
        elif top == relative.as_posix() and f"{path.stem}.yaml" in (SETTINGS_FILE, PARTIES_FILE):
            misnamed.append(Problem(display_path(path, root), 1, "", (
                f"this file is not read: rename it to '{path.stem}.yaml'")))
            continue
        elif top == relative.as_posix() and top not in known:
            hint = (f"Parallax reads only {SETTINGS_FILE}, {PARTIES_FILE} and the folders "
                    f"{', '.join(KINDS)} here; move it out of the content folder")
        else:
            hint = (f"Parallax reads only the folders {', '.join(KINDS)}; "
                    "move it out of the content folder")
        found.append(Problem(display_path(path, root), 1, "", f"this file is not read: {hint}"))
    return misnamed, found


def _collect(problems: list[Problem], records: list[RawRecord], read) -> None:
    try:
        records.extend(read())
    except ContentError as error:
        problems.extend(error.problems)


def read_text(path: str | Path, shown: str, limit: int | None = None,
              snapshot: bool = False) -> str:
    """A file's text: UTF-8 (a byte-order mark is fine), line endings made '\\n'. A file
    larger than `limit` bytes (a record's limit, or for a `snapshot` a snapshot's) is refused
    unread."""
    if limit is None:
        limit = (MAX_SNAPSHOT_KB if snapshot else MAX_RECORD_KB) * 1024
    try:
        with open(path, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise ContentError([Problem(shown, 1, "", (
                    "this is not a plain file; Parallax reads only plain files"))])
            data = stream.read(limit + 1)
    except OSError as error:
        raise ContentError([Problem(shown, 1, "", (
            f"this file cannot be read ({error.strerror})"))]) from None
    if len(data) > limit:
        size = os.stat(path).st_size
        raise ContentError([Problem(shown, 1, "", (
            f"the snapshot is {_kb(size)} KB, over the limit of {limit // 1024} KB an article's "
            "plain text may be; check that it holds the article's text alone (no page around "
            "it, no images or scripts)" if snapshot else
            f"the file is {_kb(size)} KB, over the limit of {limit // 1024} KB a record may "
            "be (max_record_kb in site.yaml); split it, or raise the limit"))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentError([Problem(shown, line, "", (
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at column {column} "
            f"cannot be read); {_encoding_hint(data, error.start, shown)}"
        ))]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _encoding_hint(data: bytes, at: int, shown: str) -> str:
    """What the bytes look like (charset_normalizer's guess, shown on the line that failed so
    that the editor can tell whether it is right) and how to make them UTF-8."""
    import codecs

    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:MAX_RECORD_KB * 1024]).best()
    if best is None:
        return ("its encoding cannot be told: open it in your editor and save it again as "
                "UTF-8")
    name = codecs.lookup(best.encoding).name  # e.g. cp1252, utf-16, iso8859-1
    wide = name.startswith(("utf-16", "utf-32"))
    if wide:
        lines = data.decode(name, errors="replace").splitlines()
        preview = next((line for line in lines if any(c.isalnum() for c in line)), "")
    else:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        preview = data[start:None if end < 0 else end].decode(name, errors="replace")
    preview = preview.strip()[:80]
    label = name.upper().replace("_", "-")
    where = "its first line of words" if wide else "that line"
    return (f"it looks like {label} text, in which {where} reads {preview!r}. If that is "
            f"right, convert it: iconv -f {label} -t UTF-8 {shown} > converted.md, then replace "
            "the file with converted.md (or in your editor, save it again with the encoding "
            "UTF-8)")


def _kb(size: int) -> str:
    """Rounded up, so a file one byte over 32 KB does not read as '32 KB'."""
    return f"{-(-size * 10 // 1024) / 10:,.1f}"


_CLOSING_LOOKALIKE = re.compile(r"^\s*(?:-{2,}|—+|–+|\.{3}|\+\+\+|- - -)\s*$")


def parse_markdown(text: str, shown: str, kind: str, record_id: str) -> RawRecord:
    """A Markdown record's text → RawRecord: front matter between '---' lines, then the body."""
    if not text.strip():
        raise ContentError([Problem(shown, 1, "", (
            f"the file is empty; {_article(kind)} {kind} starts with its fields between two "
            "'---' lines "
            f"(`python build.py new {kind} \"Title\"` writes one to start from)"
        ))])
    lines = text.split("\n")
    # Blank lines above the opening '---' are harmless; count past them.
    start = next(i for i, line in enumerate(lines) if line.strip())
    opening = lines[start].rstrip()
    if opening != "---":
        if opening == "+++":
            message = ("the fields are between '+++' lines (TOML); Parallax reads YAML "
                       "between '---' lines: change both '+++' lines to '---'")
        elif _CLOSING_LOOKALIKE.match(opening):
            message = f"the first line is {opening!r}; it must be exactly '---'"
        else:
            message = ("no front matter: the file must start with a line '---', then the "
                       "fields (title: ...), then another '---' line; the text comes after it")
        raise ContentError([Problem(shown, start + 1, "", message)])
    end = None
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            end = index
            break
    if end is None:
        for index in range(start + 1, len(lines)):
            if _CLOSING_LOOKALIKE.match(lines[index]):
                raise ContentError([Problem(shown, index + 1, "", (
                    f"this line ({lines[index].strip()!r}) looks like the end of the front "
                    "matter, which must be exactly '---'"
                ))])
        raise ContentError([Problem(shown, start + 1, "", (
            f"the front matter that starts on line {start + 1} is never closed: add a line "
            "'---' after the last field"
        ))])
    front = "\n".join(lines[start + 1:end]) + "\n"
    data, parsed = _parse_yaml(front, shown, first_line=start + 2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, start + 2, "", _not_a_mapping("the front matter", data))])
    body = "\n".join(lines[end + 1:])
    marked = tuple((index + 1, found.group().strip()) for index in range(start + 1, end)
                   if (found := _MARKED_COMMENT.search(lines[index])))
    return RawRecord(kind, record_id, shown, data, parsed.lines, frozenset(parsed.booleans),
                     body, body_line=end + 2, line=start + 1, bare=parsed.bare,
                     problems=tuple(p for _, p in parsed.repeated), marked=marked)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _not_a_mapping(what: str, data: Any) -> str:
    shape = "a list" if isinstance(data, list) else "a single value"
    return (f"{what} must be 'key: value' lines (e.g. 'title: The city falls'); "
            f"this is {shape}")


def _read_yaml_file(path: Path, root: Path, kind: str, record_id: str) -> RawRecord:
    shown = display_path(path, root)
    return parse_yaml_file(read_text(path, shown), shown, kind, record_id)


def parse_yaml_file(text: str, shown: str, kind: str, record_id: str) -> RawRecord:
    """A YAML file's text (e.g. site.yaml) → RawRecord."""
    data, parsed = _parse_yaml(text, shown, first_line=1)
    if data is None:
        raise ContentError([Problem(shown, 1, "", "the file is empty; it needs 'key: value' lines")])
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, 1, "", _not_a_mapping("the file", data))])
    return RawRecord(kind, record_id, shown, data, parsed.lines, frozenset(parsed.booleans),
                     line=1, bare=parsed.bare, problems=tuple(p for _, p in parsed.repeated))


def _read_registry(path: Path, root: Path, kind: str, limit: int | None = None
                   ) -> list[RawRecord]:
    """A YAML mapping of id → record, one RawRecord per entry (e.g. content/credited.yaml)."""
    shown = display_path(path, root)
    text = read_text(path, shown, limit)
    data, parsed = _parse_yaml(text, shown, first_line=1)
    if data is None:
        return []  # an empty registry is fine: nobody is credited yet
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, 1, "", _not_a_mapping("the file", data))])
    records = []
    for key, value in data.items():
        booleans = frozenset(loc[1:] for loc in parsed.booleans if loc[:1] == (key,))
        records.append(RawRecord(
            kind, str(key), shown, value, _under(parsed.lines, key), booleans,
            line=parsed.lines.get((key,), 1), bare=_under(parsed.bare, key),
            problems=tuple(p for loc, p in parsed.repeated if loc[:1] == (key,)),
        ))
    return records


def _under(by_loc: dict[Loc, Any], key: str) -> dict[Loc, Any]:
    """The entries below `key`, located from it."""
    return {loc[1:]: v for loc, v in by_loc.items() if loc[:1] == (key,) and len(loc) > 1}


# --- YAML ----------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    lines: dict[Loc, int] = field(default_factory=dict)
    booleans: set[Loc] = field(default_factory=set)
    bare: dict[Loc, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Mistakes that make the data meaningless (an anchor, a tag): the file stops here."""
    repeated: list[tuple[Loc, Problem]] = field(default_factory=list)
    """Keys given twice: reported, while the rest of the record is still checked."""
    rebuild: bool = False
    """The data built during the walk may differ from the loader's own (an alias, a value its
    constructor refuses or has no constructor for): the loader builds it again."""


def _too_deep(text: str) -> tuple[int, str] | None:
    """(0-based line, why) when the YAML nests deeper than MAX_NESTING: YAML's reader and
    Parallax's walk over it go one level deeper per level, and thousands of levels would
    overflow them. Counted generously: brackets inside quoted text count too."""
    return None if _shallow(text) else _nesting_by_line(text)


def _nesting_by_line(text: str) -> tuple[int, str] | None:
    """`_too_deep`'s count, line by line: the first line where it exceeds MAX_NESTING."""
    depth = 0
    indents: list[int] = []
    for row, line in enumerate(text.split("\n")):
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#") and depth == 0:
            indent = len(line) - len(stripped)
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
            dashes = len(re.match(r"(?:-[ ]+)*", stripped).group()) // 2
            if len(indents) + dashes > MAX_NESTING:
                return row, "indented"
        for char in _YAML_BRACKETS.findall(line):
            if char in "[{":
                depth += 1
                if depth + len(indents) > MAX_NESTING:
                    return row, "in brackets"
            elif depth:
                depth -= 1
    return None


def _shallow(text: str) -> bool:
    """True when `_nesting_by_line` would find nothing, known without a step per line: its
    indented levels are at most one more than the widest indent (each is indented further than
    the one before), a line's dashes at most the spaces and dashes after its indent, and its
    brackets' depth at most their number, else their depth counted over the brackets alone."""
    # Each match is a newline and the spaces and dashes that start the line after it.
    levels = max(map(len, _LEADING.findall("\n" + text)))
    if levels + text.count("[") + text.count("{") <= MAX_NESTING:
        return True
    depth = deepest = 0
    for char in _YAML_BRACKETS.findall(text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return levels + deepest <= MAX_NESTING


_YAML_BRACKETS = re.compile(r"[\[\]{}]")
"""The characters the nesting count counts (every other one is skipped without a step in Python)."""
_LEADING = re.compile(r"\n[ -]*")
"""A line's indent and the dashes after it, from the newline before it: `_shallow` measures
the widest."""


def _parse_yaml(text: str, shown: str, first_line: int) -> tuple[Any, _Parsed]:
    deep = _too_deep(text)
    if deep:
        row, how = deep
        raise ContentError([Problem(shown, first_line + row, "", (
            f"the fields are nested ({how}) more than {MAX_NESTING} levels deep; a record "
            "needs only a few levels: check the indentation and the brackets"))])
    parsed = _Parsed()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, parsed
        data = _walk(node, (), parsed, _Source(text, shown, first_line, loader), set())
        if parsed.problems:
            raise ContentError(parsed.problems)
        if parsed.rebuild:
            data = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise ContentError([yaml_problem(error, shown, first_line, text)]) from None
    finally:
        loader.dispose()
    return data, parsed


@dataclass(frozen=True)
class _Source:
    text: str
    shown: str
    first_line: int
    loader: _Loader
    """Builds the values other than text, with the constructors its construct_document uses."""


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_BUILDERS = {tag: _Loader.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", *_NUMBER_TAGS)}
"""How the loader builds a value that is not text, by the tag its resolver gives."""
_MARKED = {
    "&": ("a value starting with '&' is read as a YAML anchor, not as text; "
          "put the whole value in quotes"),
    "!": ("a value starting with '!' is read as a YAML tag, not as text; "
          "put the whole value in quotes"),
}


def _walk(node: yaml.Node, loc: Loc, parsed: _Parsed, source: _Source, seen: set[int]) -> Any:
    """The node's data, as the loader's construct_document builds it (unless the walk sets
    `parsed.rebuild`); its lines, bare words and numbers, and its problems go to `parsed`."""
    # An anchored node appears again wherever it is aliased; walking it once is enough, and
    # keeps a self-referencing alias from looping. The loader builds such data itself.
    if id(node) in seen:
        parsed.rebuild = True
        return None
    seen.add(id(node))
    start = node.start_mark
    first = source.text[start.index: start.index + 1]
    if first in _MARKED:
        parsed.problems.append(Problem(source.shown, source.first_line + start.line,
                                       loc_text(loc), _MARKED[first]))
        return None
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag
        if not node.style:
            if tag.endswith(":bool") and node.value.lower() in BOOLEAN_WORDS:
                parsed.booleans.add(loc)
                parsed.bare[loc] = node.value
            elif tag in _NUMBER_TAGS:
                parsed.bare[loc] = node.value
        if tag == _STR:
            return node.value
        build = _BUILDERS.get(tag)
        if build is None:
            parsed.rebuild = True
            return None
        try:
            return build(source.loader, node)
        except ValueError:
            # Read as a number by its form, but not one Python makes: PyYAML itself fails on
            # it with a bare ValueError ('0b_', '0x_', or more digits than Python reads).
            parsed.problems.append(Problem(
                source.shown, source.first_line + start.line, loc_text(loc),
                _not_a_number(node.value)))
            return None
        except Exception:  # noqa: BLE001 - the loader raises it again, in its own order
            parsed.rebuild = True
            return None
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            parsed.rebuild = True
        where = None
        lines = parsed.lines
        data = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = source.first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                written = source.text[key_node.start_mark.index: key_node.end_mark.index]
                if where is None:
                    where = loc_text(loc)
                parsed.problems.append(Problem(source.shown, line, where, (
                    f"{written.strip()!r} cannot be a key: keys are field names such as "
                    "'title' (put it in quotes if it is an id)")))
                continue
            key = key_node.value
            here = loc + (key,)
            if key in first_seen:
                parsed.repeated.append((here, Problem(
                    source.shown, line, loc_text(here),
                    f"'{key}' is given twice (first on line {first_seen[key]}); keep one")))
            else:
                first_seen[key] = line
            # YAML keeps the last value given; its lines are the ones to show.
            lines[here] = line
            data[key] = _walk(value_node, here, parsed, source, seen)
        return data
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            parsed.rebuild = True
        lines = parsed.lines
        items = []
        for index, item in enumerate(node.value):
            here = loc + (index,)
            lines[here] = source.first_line + item.start_mark.line
            items.append(_walk(item, here, parsed, source, seen))
        return items
    parsed.rebuild = True
    return None


def _not_a_number(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    digits = sum(ch.isdigit() for ch in value)
    limit = sys.get_int_max_str_digits()
    if limit and digits > limit:
        return (f"'{shown}' is a number of {digits:,} digits, more than the {limit:,} read; put "
                "the whole value in quotes if it is text")
    return (f"'{shown}' looks like a number to YAML but is not one; put the whole value in "
            "quotes if it is text, or write the number with its digits")


def yaml_problem(error: yaml.YAMLError, shown: str, first_line: int, text: str) -> Problem:
    """A PyYAML error as an editor's problem: the line, and what to change on it."""
    lines = text.split("\n")
    if isinstance(error, yaml.reader.ReaderError):
        row = text.count("\n", 0, error.position)
        return Problem(shown, first_line + row, "", (
            f"invalid YAML: the invisible control character {_code(error.character)} "
            "cannot be used; delete it (it often comes with text pasted from elsewhere)"))
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    row = min(mark.line, len(lines) - 1) if mark else 0
    column = mark.column if mark else 0
    hint, row = _yaml_hint(error, lines, row, column, first_line)
    return Problem(shown, first_line + row, "", f"invalid YAML: {hint}")


def _code(character: str | int) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"


# A line that starts with a field name and a colon: `  title: ...` or `  - source: ...`.
_KEY = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[A-Za-z_][A-Za-z0-9_-]*) *:(?= |$)")


def _yaml_hint(error: yaml.YAMLError, lines: list[str], row: int, column: int,
               first_line: int) -> tuple[str, int]:
    """(what to change, the 0-based row it is on) for the common mistakes; PyYAML's own words
    otherwise."""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    context_mark = getattr(error, "context_mark", None)
    here = lines[row]
    key = _KEY.match(here)

    if "'\\t'" in problem or "\t" in _indentation(here):
        return ("this line is indented with a tab; YAML indents with spaces only: "
                "replace the tab with spaces"), row

    glued = _glued_key(lines, row)
    if glued is not None:
        text, glued_row = glued
        return (f"put a space after the colon in {text!r}: without it YAML does not see a "
                "field there"), glued_row

    if problem.startswith("mapping values are not allowed"):
        if key and here.index(":", key.end("key")) == column:
            # The colon YAML stumbled on ends a field name: the key is indented deeper than
            # the block it belongs to, so YAML took it for the rest of the value above.
            return _misaligned(key, lines, row), row
        if key:
            value = here[key.end():].strip()
            name = key.group("key")
            return (f"the value of '{name}' contains ': ', which YAML reads as the start of "
                    f"another field; put the whole value in quotes: {name}: "
                    f"\"{_escape(value)}\""), row
        above = _key_above(lines, row)
        owner = f" of '{above[1]}' (line {first_line + above[2]})" if above else ""
        return (f"the value{owner} goes on over several lines and contains ': ', which YAML "
                "reads as the start of another field; put the whole value in quotes"), row

    if problem.startswith("found character") and "cannot start any token" in problem:
        char = here[column: column + 1] or "?"
        return (f"a value cannot start with '{char}' in YAML; put the whole value in "
                "quotes"), row

    if "while parsing a flow sequence" in context and context_mark is not None:
        return (f"the list opened with '[' on line {first_line + context_mark.line} is not "
                "closed with ']' (or an item in it contains a comma or colon and needs "
                "quotes)"), context_mark.line
    if "while parsing a flow mapping" in context and context_mark is not None:
        return (f"the '{{' opened on line {first_line + context_mark.line} is not closed with "
                "'}' (or an item in it needs quotes)"), context_mark.line

    if "while scanning an alias" in context or "found undefined alias" in problem:
        return ("a value starting with '*' is read as a YAML alias, not as text; put the "
                "whole value in quotes"), row

    if "quoted scalar" in context and context_mark is not None:
        opened = min(context_mark.line, len(lines) - 1)
        if "escape" in problem:
            return ("a backslash ('\\') inside double quotes starts an escape code; use "
                    "single quotes around this value, or write the backslash twice"), row
        quote = lines[opened][context_mark.column: context_mark.column + 1] or '"'
        return (f"the quote {quote} opened on line {first_line + opened} is never closed: add "
                f"the closing {quote} at the end of the value"), opened

    if problem.startswith(("expected <block end>", "did not find expected")):
        closing = here[column - 1: column] if column else ""
        if closing in ("'", '"') and here[column: column + 1].strip():
            opened = _opening_quote(lines, row, column - 1, closing)
            if opened is not None and opened < row:
                return (f"the quote {closing} opened on line {first_line + opened} is not "
                        f"closed on that line; add the closing {closing} at the end of the "
                        "value"), opened
        if closing == "'" and here[column: column + 1].strip():
            return ("text follows the closing quote: an apostrophe inside single quotes must "
                    "be written twice (it''s), or put the value in double quotes"), row
        if closing == '"' and here[column: column + 1].strip():
            return ("text follows the closing quote: a double quote inside double quotes "
                    "must be written \\\", or put the value in single quotes"), row
        if key:
            return _misaligned(key, lines, row), row
        if here.lstrip().startswith("-"):
            return ("this list item is not lined up with the items above it; start every "
                    "'- ' of one list in the same column"), row
        return "this line is not lined up with the lines above it", row

    return problem, row


_GLUED = re.compile(r"^ *(?:- +)?[A-Za-z_][A-Za-z0-9_-]*:[^\s/:]")


def _glued_key(lines: list[str], row: int) -> tuple[str, int] | None:
    """`title:The bridge` (no space after the colon) near `row`: YAML reads the whole line as
    text, and stumbles only on a later line."""
    for r in (row, row - 1):
        if 0 <= r < len(lines) and _GLUED.match(lines[r]):
            return lines[r].strip(), r
    return None


def _opening_quote(lines: list[str], row: int, column: int, quote: str) -> int | None:
    """The row of the quote that YAML paired with the one at (row, column)."""
    for r in range(row, -1, -1):
        end = column if r == row else len(lines[r])
        if quote in lines[r][:end]:
            return r
    return None


def _misaligned(key: re.Match, lines: list[str], row: int) -> str:
    name, column = key.group("key"), key.start("key")
    above = _key_above(lines, row)
    if above is None:
        return f"'{name}' is {_indented(column)}; the first field must not be indented"
    columns = {c for c, _, _ in _keys_above(lines, row)}
    nearest = f"the nearest, '{above[1]}', is {_indented(above[0])}"
    if column in columns:
        return (f"'{name}' is {_indented(column)} ({nearest}); check the indentation of "
                "this line and the ones above it")
    return (f"'{name}' is {_indented(column)}, which lines up with no field above it "
            f"({nearest}); fields that belong together must start in the same column")


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _keys_above(lines: list[str], row: int):
    """(column, name, row) of every field name above `row`, nearest first."""
    for r in range(row - 1, -1, -1):
        match = _KEY.match(lines[r])
        if match:
            yield match.start("key"), match.group("key"), r


def _key_above(lines: list[str], row: int) -> tuple[int, str, int] | None:
    return next(_keys_above(lines, row), None)


def _indented(count: int) -> str:
    if count == 0:
        return "not indented"
    return f"indented {count} space{'s' if count != 1 else ''}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def loc_text(loc: Loc) -> str:
    """A location as editors read it: accounts[2].quotes[1] (lists counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out
