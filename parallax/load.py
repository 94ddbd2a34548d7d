"""Load stage: files under content/ → `RawRecord`s (YAML front matter with a line for every key).

The only module that knows PyYAML. Nothing here judges the content beyond "is this readable
YAML between --- lines"; the validate stage does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as text, so validation can explain an impossible date."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

# YAML 1.1 reads these bare words as true/false; an editor usually meant the word.
BOOLEAN_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false"}

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


KINDS = {"sources": "source", "events": "event", "pages": "page"}
SETTINGS_FILE = "site.yaml"
PARTIES_FILE = "credited.yaml"


def display_path(path: Path, root: Path) -> str:
    """The path as editors see it in messages: relative to the content folder's parent."""
    return path.relative_to(root.parent).as_posix()


def load_content(root: Path) -> RawContent:
    """Read every record under `root`; unreadable files become problems, not exceptions, so
    validation can still report everything else in the same run."""
    records: list[RawRecord] = []
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "", "the content folder does not exist")])

    settings = root / SETTINGS_FILE
    if settings.is_file():
        _collect(problems, records, lambda: [_read_yaml_file(settings, root, "site", "site")])
    else:
        problems.append(
            Problem(display_path(settings, root), 1, "", "the site settings file is missing; "
                    "create it with title, description, base_url, language, timezone and window")
        )
    parties = root / PARTIES_FILE
    if parties.is_file():
        _collect(problems, records, lambda: _read_registry(parties, root, "party"))

    for folder, kind in KINDS.items():
        for path in sorted((root / folder).rglob("*.md")):
            _collect(problems, records, lambda path=path, kind=kind: [_read_markdown(path, root, kind)])
    return RawContent(root, tuple(records), tuple(problems))


def _collect(problems: list[Problem], records: list[RawRecord], read) -> None:
    try:
        records.extend(read())
    except ContentError as error:
        problems.extend(error.problems)


def read_text(path: Path, shown: str) -> str:
    """A file's text: UTF-8 (a byte-order mark is fine), line endings made '\\n'."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError([Problem(shown, line, "", (
            f"the file is not UTF-8 (byte 0x{data[error.start]:02x} at position {error.start}); "
            "re-save it with the UTF-8 encoding"
        ))]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_markdown(path: Path, root: Path, kind: str) -> RawRecord:
    shown = display_path(path, root)
    text = read_text(path, shown)
    record_id = path.stem
    if not text.strip():
        raise ContentError([Problem(shown, 1, "", (
            f"the file is empty; a {kind} starts with front matter between '---' lines "
            f"(`python build.py new {kind} \"Title\"` writes a skeleton)"
        ))])
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ContentError([Problem(shown, 1, "", (
            "no front matter: the file must start with a line '---', then the fields, "
            "then another '---'"
        ))])
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            end = index
            break
    else:
        raise ContentError([Problem(shown, 1, "", (
            "the front matter is not closed: add a line '---' after the last field"
        ))])
    front = "\n".join(lines[1:end]) + "\n"
    data, where, booleans = _parse_yaml(front, shown, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, 2, "", "the front matter must be 'key: value' lines")])
    body = "\n".join(lines[end + 1:])
    return RawRecord(kind, record_id, shown, data, where, booleans, body, body_line=end + 2, line=1)


def _read_yaml_file(path: Path, root: Path, kind: str, record_id: str) -> RawRecord:
    shown = display_path(path, root)
    text = read_text(path, shown)
    data, where, booleans = _parse_yaml(text, shown, first_line=1)
    if not isinstance(data, dict):
        raise ContentError([Problem(shown, 1, "", "the file must be 'key: value' lines")])
    return RawRecord(kind, record_id, shown, data, where, booleans, line=1)


def _read_registry(path: Path, root: Path, kind: str) -> list[RawRecord]:
    """A YAML mapping of id → record, one RawRecord per entry (e.g. content/credited.yaml)."""
    whole = _read_yaml_file(path, root, kind, path.stem)
    records = []
    for key, value in whole.data.items():
        inner = {loc[1:]: line for loc, line in whole.lines.items() if loc[:1] == (key,) and len(loc) > 1}
        booleans = frozenset(loc[1:] for loc in whole.booleans if loc[:1] == (key,))
        records.append(RawRecord(
            kind, str(key), whole.path, value, inner, booleans, line=whole.lines.get((key,), 1)
        ))
    return records


def _yaml_problem(error: yaml.YAMLError, shown: str, first_line: int, text: str) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    opened = getattr(error, "context_mark", None)
    if context.startswith(("while parsing a flow", "while scanning a quoted")) and opened is not None:
        # The mistake is where the bracket or quote was opened, not where YAML gave up.
        closer = {"sequence": "']'", "mapping": "'}'"}.get(context.split()[-1], "quote")
        return Problem(shown, first_line + opened.line, "", (
            f"invalid YAML: the closing {closer} for this line is missing; add it, "
            "or put the whole value in quotes"))
    line = first_line + (mark.line if mark else 0)
    source_line = text.split("\n")[mark.line] if mark and mark.line < len(text.split("\n")) else ""
    if "\t" in source_line[: (mark.column + 1 if mark else 0)] or "found character '\\t'" in problem:
        hint = "a tab is used for indenting; YAML needs spaces"
    elif "mapping values are not allowed" in problem:
        hint = "a value contains ': '; put the whole value in quotes"
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        hint = "the indentation is off; line the keys up with the ones above"
    elif "found undefined alias" in problem or "found unknown escape" in problem:
        hint = f"{problem}; put the value in single quotes"
    else:
        hint = problem
    return Problem(shown, line, "", f"invalid YAML: {hint}")


def _parse_yaml(text: str, shown: str, first_line: int) -> tuple[Any, dict[Loc, int], frozenset[Loc]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, frozenset()
        where: dict[Loc, int] = {}
        booleans: set[Loc] = set()
        problems: list[Problem] = []
        _walk(node, (), where, booleans, problems, shown, first_line)
        if problems:
            raise ContentError(problems)
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise ContentError([_yaml_problem(error, shown, first_line, text)]) from None
    finally:
        loader.dispose()
    return data, where, frozenset(booleans)


def _walk(node, loc: Loc, where, booleans, problems, shown, first_line) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = first_line + key_node.start_mark.line
            if key in seen:
                problems.append(Problem(shown, line, loc_text(loc + (key,)), (
                    f"duplicate key '{key}' (first at line {seen[key]}); keep one"
                )))
                continue
            seen[key] = line
            where[loc + (key,)] = line
            _walk(value_node, loc + (key,), where, booleans, problems, shown, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            where[loc + (index,)] = first_line + item.start_mark.line
            _walk(item, loc + (index,), where, booleans, problems, shown, first_line)
    elif isinstance(node, yaml.ScalarNode):
        if not node.style and node.tag.endswith(":bool") and node.value.lower() in BOOLEAN_WORDS:
            booleans.add(loc)


def loc_text(loc: Loc) -> str:
    """A location as editors read it: accounts[2].quotes[1] (lists counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


