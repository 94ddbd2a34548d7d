"""Editors' helper: `python build.py new event|source|page "Title"` writes a skeleton record.

The skeleton explains every field in comments taken from the models' field docstrings, fills
in what the command was told, and marks everything else with a '[to do: ...]' placeholder:
it builds at once (so the preview shows it), and the build warns about each placeholder until
it is replaced (`--strict` refuses them).
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from pydantic import BaseModel

from .docs import field_doc
from .errors import ContentError, Problem
from .load import KINDS, display_path
from .models import (
    Account,
    Confidence,
    Copy,
    CountedFrom,
    Event,
    Figure,
    PageFrontMatter,
    SourceConfidence,
    SourceFrontMatter,
)
from .paths import Paths
from .validate import PLACEHOLDER, suggest_id
from .when import FORMS, WhenError, parse_when

FOLDERS = {kind: folder for folder, kind in KINDS.items()}
WIDTH = 96
ID_WORDS = 8
"""At most this many words of the title go into a file name."""


def add_parser(commands: argparse._SubParsersAction, site_options) -> None:
    parser = commands.add_parser(
        "new", help="write a skeleton event, source or page to fill in",
        description="Write a new record with every field explained in comments. Nothing is "
                    "overwritten: an existing file is an error.")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, title, date_help in (
        ("event", "the event's short neutral title",
         ("when it happened, in the editors' date form (e.g. 2016-12-10 or 2016-12-10 evening); "
         "required: it starts the file name and is never guessed")),
        ("source", ("the outlet's name (e.g. 'The Morning Ledger'); it gives the file name, the "
                   "id accounts cite"),
         "the article's publication date (e.g. 2016-12-11); required: it is never guessed"),
        ("page", "the page's title", None),
    ):
        sub = kinds.add_parser(kind, help=f"a new {kind} in content/{FOLDERS[kind]}/",
                               description=f"Write content/{FOLDERS[kind]}/<id>.md to fill in.")
        sub.add_argument("title", help=title)
        if date_help:
            sub.add_argument("--date", required=True, help=date_help)
        sub.add_argument("--id", help="the file name without '.md' (default: "
                         + ("the date and the title" if kind == "event" else "from the title")
                         + ", in lower-case words joined by hyphens)")
        site_options(sub)
        sub.set_defaults(run=run)


def run(args: argparse.Namespace, paths: Paths) -> int:
    content = paths.content
    if not content.is_dir():
        raise ContentError([Problem(str(content), 1, "", (
            "the content folder does not exist; give its path with --content"))])
    date = getattr(args, "date", None)
    if date is not None:
        try:
            parse_when(date, _utc())
        except WhenError as error:
            raise ContentError([Problem("--date", 1, "", str(error))]) from None
    record_id = args.id or default_id(args.kind, args.title, date)
    if suggest_id(record_id) != record_id:
        raise ContentError([Problem("--id", 1, "", (
            f"'{record_id}' cannot be an id: use lower-case letters, digits and single "
            f"hyphens (e.g. '{suggest_id(record_id)}')"))])
    path = content / FOLDERS[args.kind] / f"{record_id}.md"
    shown = display_path(path, content)
    if path.exists():
        raise ContentError([Problem(shown, 1, "", (
            "this file already exists and is left as it is; choose another title or --id"))])
    text = skeleton(args.kind, args.title, date, _source_ids(content))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {shown}: replace every '{PLACEHOLDER} …]', then see it with "
          "`python build.py serve`.")
    return 0


def default_id(kind: str, title: str, date: str | None) -> str:
    words = suggest_id(title).split("-")[:ID_WORDS]
    name = "-".join(words)
    if kind == "event" and date:
        day = date.lstrip("~").split("/")[0].strip().split(" ")[0].split("T")[0]
        name = f"{day}-{name}"
    return name


def _utc():
    from zoneinfo import ZoneInfo

    return ZoneInfo("UTC")


def _source_ids(content: Path) -> list[str]:
    return sorted(p.stem for p in (content / "sources").glob("*.md"))


# --- the skeletons -------------------------------------------------------------------------------


def _comment(text: str, indent: int) -> list[str]:
    prefix = " " * indent + "# "
    return textwrap.wrap(text, WIDTH - len(prefix), initial_indent=prefix,
                         subsequent_indent=prefix, break_on_hyphens=False)


def _field(model: type[BaseModel], name: str, value: str, indent: int = 0, *,
           optional: bool = False, first: str = "") -> list[str]:
    """The field's explanation, then `name: value` (commented out when optional)."""
    lines = _comment(field_doc(model, name), indent)
    # The first key of a list item: '- ' takes the place of two spaces of its indentation.
    # An optional field is commented out where it stands: deleting '# ' makes it count.
    lead = " " * (indent - len(first)) + ("# " if optional else "")
    return lines + [f"{lead}{first}{name}:{' ' + value if value else ''}"]


def _lower(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text[:1].lower() + text[1:]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _todo(what: str) -> str:
    return _quoted(f"{PLACEHOLDER}: {what}]")


def skeleton(kind: str, title: str, date: str | None, source_ids: list[str]) -> str:
    if kind == "event":
        return _event(title, date or "", source_ids)
    if kind == "source":
        return _source(title, date or "")
    return _page(title)


def _event(title: str, date: str, source_ids: list[str]) -> str:
    source = source_ids[0] if source_ids else "(no sources yet)"
    known = (f"The sources there are: {', '.join(source_ids)}." if source_ids else
             "There are no sources yet: add one with `python build.py new source \"Outlet\"`.")
    lines = ["---"]
    lines += _field(Event, "title", _quoted(title))
    lines += _field(Event, "when", date)
    lines += _comment(f"Date forms: {FORMS}.", 0)
    lines += _field(Event, "place", _quoted("Harbour Bridge"), optional=True)
    lines += _field(Event, "context", "true", optional=True)
    lines += _field(Event, "tags", "[closures]", optional=True)
    lines += _field(Event, "reported_by_one", "true", optional=True)
    lines += _field(Event, "accounts", "")
    lines += _comment(f"Each account is {_lower(Account.__doc__)}", 2)
    lines += _field(Account, "source", source, 4, first="- ")
    # A guess the editor must confirm: marked so that the build warns until they do.
    lines[-1] += f"  # {PLACEHOLDER}: the source of this account]"
    lines += _comment(known, 4)
    lines += _field(Account, "quotes", "", 4)
    lines += [f"      - {_todo('the words of the article, exactly as printed')}"]
    lines += _field(Account, "said_when", _quoted("on Saturday"), 4, optional=True)
    lines += _field(Account, "resolved_as", "2016-12-10 evening", 4, optional=True)
    lines += _field(Account, "counted_from", "", 4, optional=True)
    lines += _field(CountedFrom, "date", "2016-12-11", 6, optional=True)
    lines += _field(CountedFrom, "why", _quoted("inside a quotation of another outlet"), 6,
                    optional=True)
    lines += _field(Account, "credits", "[port-authority]", 4, optional=True)
    lines += _field(Account, "figures", "", 4, optional=True)
    lines += _comment(f"Each figure is {_lower(Figure.__doc__)}", 6)
    lines += _field(Figure, "topic", _quoted("cars diverted"), 8, optional=True, first="- ")
    lines += _field(Figure, "value", "12000", 8, optional=True)
    lines += _field(Figure, "low", "10000", 8, optional=True)
    lines += _field(Figure, "high", "15000", 8, optional=True)
    lines += _field(Figure, "as_written", _quoted("some 12,000 cars"), 8, optional=True)
    lines += _field(Figure, "credited_to", "port-authority", 8, optional=True)
    lines += _field(Account, "note", _quoted("The article gives no year."), 4, optional=True)
    lines += ["---", _todo("the editors' neutral summary of what happened (Markdown)")[1:-1], ""]
    return "\n".join(lines)


def _source(outlet: str, date: str) -> str:
    lines = ["---"]
    lines += _field(SourceFrontMatter, "outlet", _quoted(outlet))
    lines += _field(SourceFrontMatter, "title", _todo("the headline, exactly as published"))
    lines += _field(SourceFrontMatter, "published", date)
    lines += _comment(f"Date forms: {FORMS}.", 0)
    lines += _field(SourceFrontMatter, "byline", _quoted("A. Writer"), optional=True)
    lines += _field(SourceFrontMatter, "timezone", "Europe/London", optional=True)
    lines += _field(SourceFrontMatter, "url", "https://example.org/the-article", optional=True)
    lines += _field(SourceFrontMatter, "snapshot", "the-article.txt", optional=True)
    lines += _field(SourceFrontMatter, "copy_read", "", optional=True)
    lines += _field(Copy, "site", "archive.example.net", 2, optional=True)
    lines += _field(Copy, "url", "https://archive.example.net/the-article", 2, optional=True)
    lines += _field(Copy, "published", "2016-12-12", 2, optional=True)
    lines += _field(Copy, "confidence", "confirmed", 2, optional=True)
    lines += _field(SourceFrontMatter, "confidence", "")
    level = field_doc(Confidence, "level").rstrip(".")
    lines += _comment(f"Each one is a level ({level}), or a level with the reason for it, "
                      "written {level: inferred, reason: \"the clue\"}. "
                      f"{field_doc(Confidence, 'reason')}", 2)
    for name in ("outlet", "byline", "published", "url"):
        lines += _field(SourceConfidence, name, "unknown", 2)
    lines += ["---", _todo("the editors' note on this article (Markdown)")[1:-1], ""]
    return "\n".join(lines)


def _page(title: str) -> str:
    lines = ["---"]
    lines += _field(PageFrontMatter, "title", _quoted(title))
    lines += _field(PageFrontMatter, "slug", "about-the-site", optional=True)
    lines += _field(PageFrontMatter, "menu", "1", optional=True)
    lines += ["---", _todo("the page's text (Markdown)")[1:-1], ""]
    return "\n".join(lines)
