"""Editors' guide: the generated parts of docs/editing.md, written from the code itself.

`python -m parallax.docs` rewrites every section of docs/editing.md between a pair of markers

    <!-- generated: NAME (python -m parallax.docs) -->
    <!-- end generated: NAME -->

from the content models' field docstrings (the field reference), `parallax.when.FORMS` (the
date forms), `parallax.timewords.PHRASES` (the time words) and `parallax.extract.CLUES` (where
`new source --from` looks for each fact), and writes docs/schemas/ (the
schemas editors' YAML tools use); `--check` only says whether all of it is up to date.
Everything outside the markers is the editors' own prose.
"""

from __future__ import annotations

import argparse
import ast
import enum
import functools
import inspect
import itertools
import json
import re
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import models
from .when import FORMS

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDE = DOCS / "editing.md"
BUILT_SCHEMA = "../../site/data/schema.json"
"""site/data/schema.json as seen from docs/schemas/."""
_SECTION = re.compile(
    r"(?P<start><!-- generated: (?P<name>[a-z-]+) \(python -m parallax\.docs\) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- end generated: (?P=name) -->)",
    re.DOTALL,
)

# What editors write, file by file, in the order the guide explains them.
RECORDS: list[tuple[str, type[BaseModel], str]] = [
    ("content/site.yaml", models.SiteSettings, ""),
    ("content/sources/*.md", models.SourceFrontMatter, ""),
    ("content/events/*.md", models.Event, ""),
    ("content/credited.yaml", models.Party, "id."),
    ("content/pages/*.md", models.PageFrontMatter, ""),
]


# --- what a field is -----------------------------------------------------------------------------


@functools.cache
def _attribute_docstrings(model: type) -> dict[str, str]:
    """The docstring under each field of `model`'s own class body."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(model)))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            found[node.target.id] = inspect.cleandoc(following.value.value)
    return found


def field_doc(model: type[BaseModel], name: str) -> str:
    """What a field is for, in one paragraph: its docstring in the model (a field typed as a
    date carries the date forms as its schema description; its own docstring says more)."""
    for cls in model.__mro__:
        doc = _attribute_docstrings(cls).get(name) if isinstance(cls, type) else None
        if doc:
            return " ".join(doc.split())
    field = model.model_fields[name]
    return " ".join((field.description or "").split())


def _is_when(annotation: Any) -> bool:
    return any(getattr(m, "func", None) is models._check_when
               for m in getattr(annotation, "__metadata__", ()))


def field_kind(annotation: Any) -> str:
    """The kind of value a field takes, in editors' words."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        if _is_when(annotation):
            return "date"
        inner = typing.get_args(annotation)[0]
        metadata = annotation.__metadata__
        if any(getattr(m, "pattern", None) == models.SLUG for m in metadata):
            return "id"
        if any(getattr(m, "func", None) is models._check_timezone for m in metadata):
            return "time zone"
        if any(getattr(m, "func", None) is models._check_plain_date for m in metadata):
            return "plain date (YYYY-MM-DD)"
        if any(getattr(m, "pattern", None) and "http" in m.pattern for m in metadata):
            return "web address"
        return field_kind(inner)
    if origin in (typing.Union, types.UnionType):
        kinds = [field_kind(a) for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(kinds)
    if origin in (list, tuple):
        item = typing.get_args(annotation)[0]
        kind = field_kind(item)
        if kind == "fields below":
            return "list of entries with the fields below"
        return "list of " + {"text": "texts", "id": "ids", "number": "numbers"}.get(kind, kind)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(m.value for m in annotation)
    if origin is typing.Literal:
        return "one of: " + ", ".join(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "fields below"
    return {str: "text", bool: "true or false", int: "whole number", float: "number"}.get(
        annotation, getattr(annotation, "__name__", str(annotation)))


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def field_rows(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, kind, required?, what it is) for every field, nested fields under their parent."""
    rows = []
    for name, field in model.model_fields.items():
        if name in ("id", "body"):
            continue
        annotation = field.annotation
        if field.metadata:
            annotation = typing.Annotated[(field.annotation, *field.metadata)]
        key = f"{prefix}{name}"
        inner = _inner_model(field.annotation)
        kind = field_kind(annotation)
        if inner is models.Confidence:
            kind = "confidence level, or level and reason"
        rows.append((key, kind, "yes" if field.is_required() else "", field_doc(model, name)))
        if inner is not None and inner is not models.Confidence:
            list_of = typing.get_origin(field.annotation) in (list, tuple) or (
                typing.get_origin(field.annotation) is typing.Annotated
                and typing.get_origin(typing.get_args(field.annotation)[0]) in (list, tuple))
            rows.extend(field_rows(inner, f"{key}[]." if list_of else f"{key}."))
    return rows


# --- the generated sections ----------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def fields_section() -> str:
    out: list[str] = []
    for where, model, prefix in RECORDS:
        doc = " ".join(inspect.cleandoc(model.__doc__ or "").split())
        out += [f"### `{where}`", "", doc, ""]
        if prefix:
            out += [("Each entry is an id (lower-case words joined by hyphens) with these fields "
                    "under it:"), ""]
        out += ["| Field | Takes | Required | What it is |", "|---|---|---|---|"]
        for key, kind, required, what in field_rows(model):
            out.append(f"| `{key}` | {_cell(kind)} | {required} | {_cell(what)} |")
        out.append("")
    confidence = models.Confidence
    out += ["### Confidence levels", "",
            ("Each `confidence` entry of a source (and of `copy_read`) is a level, or a level with "
            "its reason written `{level: inferred, reason: '...'}`."), "",
            "| Field | Takes | Required | What it is |", "|---|---|---|---|"]
    for key, kind, required, what in field_rows(confidence):
        out.append(f"| `{key}` | {_cell(kind)} | {required} | {_cell(what)} |")
    out.append("")
    return "\n".join(out)


def date_forms_section() -> str:
    fields = sorted({f"`{key}`" for _, model, _ in RECORDS
                     for key, kind, _, _ in field_rows(model) if kind == "date"})
    return (f"Every date field ({', '.join(fields)}) takes one of these forms: {FORMS}.\n\n"
            "| Written | Means |\n|---|---|\n"
            "| `2016-12-10` | that day |\n"
            "| `2016-12-10 evening` | that evening, 18:00–24:00 (also morning 06–12, afternoon "
            "12–18, night 20:00–06:00) |\n"
            "| `2016-12-10T14:30` | that minute, in the site's time zone (or the article's, for "
            "`published`); `2016-12-10T14:30Z` or `+02:00` gives the zone |\n"
            "| `2016-12` | that month |\n"
            "| `2016` | that year |\n"
            "| `2016-12-08/2016-12-11` | from the first to the last, both included |\n"
            "| `~2016-12-10` | about that day: shown as approximate |\n")


def time_words_section() -> str:
    from .timewords import PHRASES

    out = ["| Kind | For example | How it is read |", "|---|---|---|"]
    for kind, examples, meaning in PHRASES:
        shown = ", ".join(f"“{e}”" for e in examples)
        out.append(f"| {kind} | {_cell(shown)} | {_cell(' '.join(meaning.split()))} |")
    return "\n".join(out) + "\n"


def from_page_section() -> str:
    from .extract import CLUES

    out = ["| Fact | Looked for, in order (and the reason written) |", "|---|---|"]
    for fact, clues in CLUES:
        where = "; ".join(f"{n}. {what} (“{reason}”)" for n, (reason, what) in enumerate(clues, 1))
        out.append(f"| `{fact}` | {_cell(where)} |")
    return "\n".join(out) + "\n"


SECTIONS = {
    "fields": fields_section,
    "from-page": from_page_section,
    "date-forms": date_forms_section,
    "time-words": time_words_section,
}


def editor_schemas(built: str = BUILT_SCHEMA) -> dict[str, str]:
    """docs/schemas/*.json: for the YAML language server, which needs a schema describing the
    whole file, one per YAML file, each pointing into the schema every build writes."""
    def schema(title: str, body: dict) -> str:
        whole = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **body}
        return json.dumps(whole, indent=1) + "\n"

    return {
        "site.schema.json": schema("Parallax: content/site.yaml",
                                   {"$ref": f"{built}#/$defs/SiteSettings"}),
        "credited.schema.json": schema("Parallax: content/credited.yaml", {
            "type": "object",
            "propertyNames": {"pattern": models.SLUG},
            "additionalProperties": {"$ref": f"{built}#/$defs/Party"},
        }),
    }


def regenerate(text: str) -> str:
    """`text` with every generated section written afresh."""
    found = {m.group("name") for m in _SECTION.finditer(text)}
    missing = sorted(set(SECTIONS) - found)
    if missing:
        raise ValueError(f"docs/editing.md has no markers for: {', '.join(missing)}")

    def fill(match: re.Match) -> str:
        name = match.group("name")
        if name not in SECTIONS:
            raise ValueError(f"unknown generated section {name!r}")
        return match.group("start") + "\n" + SECTIONS[name]() + "\n" + match.group("end")

    return _SECTION.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m parallax.docs",
        description="Rewrite the generated sections of docs/editing.md from the code.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if docs/editing.md is out of date")
    parser.add_argument("--guide", default=str(GUIDE), help="the guide (default: %(default)s)")
    args = parser.parse_args(argv)
    guide = Path(args.guide)
    wanted = {guide: regenerate(guide.read_text(encoding="utf-8"))}
    for name, text in editor_schemas().items():
        wanted[guide.parent / "schemas" / name] = text
    stale = [path for path, text in wanted.items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path} is out of date: run `python -m parallax.docs`", file=sys.stderr)
        if not stale:
            print(f"{guide} and its schemas are up to date")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path], encoding="utf-8")
        print(f"Rewrote {path}")
    if not stale:
        print(f"{guide} and its schemas were already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
