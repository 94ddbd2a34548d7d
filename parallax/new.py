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
from typing import TYPE_CHECKING

from pydantic import BaseModel

from . import colours
from .docs import field_doc
from .errors import ContentError, Problem
from .load import KINDS, MAX_SNAPSHOT_KB, display_path, parse_markdown
from .models import (
    Account,
    Confidence,
    Copy,
    Correction,
    CountedFrom,
    Credit,
    Event,
    Figure,
    LeftOut,
    OutsideNote,
    PageFrontMatter,
    Quote,
    SourceConfidence,
    SourceFrontMatter,
    TimeWords,
    device_name,
    device_problem,
)
from .paths import Paths
from .validate import PLACEHOLDER, suggest_id
from .when import FORMS, WhenError, parse_when

if TYPE_CHECKING:  # the module that knows trafilatura is imported only when a page is read
    from .extract import PageArticle

FOLDERS = {kind: folder for folder, kind in KINDS.items()}
WIDTH = 96
ID_WORDS = 8
"""At most this many words of the title go into a file name."""
FROM_PAGE_HELP = (
    " With --from PAGE --snapshots DIR, read the outlet, headline, byline, date and address "
    "from a web page saved from the browser, write the article's plain text into DIR, and "
    "list what to confirm; the outlet and --date, when given, take the place of what the "
    "page says.")


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
        description = f"Write content/{FOLDERS[kind]}/<id>.md to fill in."
        if kind == "source":
            description += FROM_PAGE_HELP
        sub = kinds.add_parser(kind, help=f"a new {kind} in content/{FOLDERS[kind]}/",
                               description=description)
        # A source read from a page takes its outlet and date from the page.
        sub.add_argument("title", help=title, **({"nargs": "?"} if kind == "source" else {}))
        if date_help:
            sub.add_argument("--date", required=kind == "event", help=date_help)
        sub.add_argument("--id", help="the file name without '.md' (default: "
                         + ("the date and the title" if kind == "event" else "from the title")
                         + ", in lower-case words joined by hyphens)")
        if kind == "source":
            sub.add_argument("--from", dest="page", metavar="PAGE",
                             help="a web page saved from the browser (.html): the record's facts "
                                  "and the snapshot are read from it; with --fetch, an address")
            sub.add_argument("--snapshots", metavar="DIR",
                             help="with --from: the folder the plain-text snapshot is written to "
                                  "(the one `check --snapshots DIR` reads)")
            sub.add_argument("--fetch", action="store_true",
                             help="with --from ADDRESS: download the page (otherwise an address "
                                  "is refused, and nothing is downloaded)")
            sub.add_argument("--fetch-local", action="store_true",
                             help="with --fetch: also from an address of this computer or a "
                                  "private network (refused otherwise, at every redirect)")
        site_options(sub)
        sub.set_defaults(run=run, parser=sub)


def run(args: argparse.Namespace, paths: Paths) -> int:
    if args.kind == "source":
        if getattr(args, "page", None):
            if not args.snapshots:
                args.parser.error("--from needs --snapshots DIR: the folder the article's "
                                  "plain-text snapshot goes to")
            return run_from_page(args, paths)
        if args.snapshots or args.fetch or args.fetch_local:
            args.parser.error("--snapshots and --fetch go with --from PAGE")
        missing = [name for name, value in (("title", args.title), ("--date", args.date))
                   if value is None]
        if missing:
            args.parser.error(f"the following arguments are required: {', '.join(missing)} "
                              "(or read them from a saved page with --from PAGE --snapshots DIR)")
    content = paths.content
    _check_content_folder(content)
    date = getattr(args, "date", None)
    if date is not None:
        try:
            parse_when(date, _utc())
        except WhenError as error:
            raise ContentError([Problem("--date", 1, "", str(error))]) from None
    record_id = args.id or default_id(args.kind, args.title, date)
    path, shown = new_record_path(content, args.kind, record_id)
    look = _free_look(content, record_id) if args.kind == "source" else None
    text = skeleton(args.kind, args.title, date, _source_ids(content), look)
    _check_skeleton(text, shown, args.kind, record_id, args.title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {shown}: replace every '{PLACEHOLDER} …]', then see it with "
          "`python build.py serve`.")
    return 0


def _check_skeleton(text: str, shown: str, kind: str, record_id: str, title: str) -> None:
    """A new record must load as written, whatever its title: read back the way a build reads
    it, its title checked as every text is. Nothing is written otherwise."""
    from .validate import control_characters

    raw = parse_markdown(text, shown, kind, record_id)
    problems = [*raw.problems, *control_characters(raw)]
    if not title.strip():
        problems.append(Problem("title", 1, "", f"the title is empty; give the {kind}'s title"))
    if problems:
        raise ContentError([Problem("title", 1, "", (
            f"{problem.message.removeprefix('invalid YAML: ')}; nothing was written"))
            for problem in problems[:1]])


def _check_content_folder(content: Path) -> None:
    if not content.is_dir():
        raise ContentError([Problem(str(content), 1, "", (
            "the content folder does not exist; give its path with --content"))])


def new_record_path(content: Path, kind: str, record_id: str) -> tuple[Path, str]:
    """Where a new record with this id goes, and how messages show it; refused when the id
    cannot be one or the file exists (nothing is ever overwritten)."""
    if suggest_id(record_id) != record_id:
        raise ContentError([Problem("--id", 1, "", (
            f"'{record_id}' cannot be an id: use lower-case letters, digits and single "
            f"hyphens (e.g. '{suggest_id(record_id)}')"))])
    if device_name(record_id):
        raise ContentError([Problem("--id", 1, "", (
            f"{device_problem(record_id)}; give another title or --id"))])
    path = content / FOLDERS[kind] / f"{record_id}.md"
    shown = display_path(path, content)
    if path.exists():
        raise ContentError([Problem(shown, 1, "", (
            "this file already exists and is left as it is; choose another title or --id"))])
    return path, shown


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


def _free_look(content: Path, record_id: str) -> tuple[str, str]:
    """A colour and shape no other source has (as its record sets them or its id gives them):
    the new outlet's own, written into its record."""
    taken = set()
    for path in sorted((content / "sources").glob("*.md")):
        if path.stem == record_id:
            continue
        data: dict = {}
        try:
            parsed = parse_markdown(path.read_text(encoding="utf-8"), path.name, "source",
                                    path.stem).data
            data = parsed if isinstance(parsed, dict) else {}
        except (ContentError, OSError, UnicodeDecodeError):
            pass  # a broken record is reported by the build; its id still gives its look
        colour, shape = data.get("colour"), data.get("shape")
        taken.add(colours.look(path.stem, colour if isinstance(colour, str) else None,
                               shape if isinstance(shape, str) else None))
    return colours.free_look(record_id, taken)


# --- a source read from a saved page ------------------------------------------------------------


def run_from_page(args: argparse.Namespace, paths: Paths) -> int:
    """`new source --from PAGE --snapshots DIR`: the record and the snapshot, both or neither."""
    from . import extract

    content = paths.content
    _check_content_folder(content)
    if args.date is not None:
        try:
            parse_when(args.date, _utc())
        except WhenError as error:
            raise ContentError([Problem("--date", 1, "", str(error))]) from None
    if args.fetch_local and not args.fetch:
        args.parser.error("--fetch-local goes with --fetch")
    article = _read_page(args.page, args.fetch, args.fetch_local)

    def problem(field: str, message: str) -> ContentError:
        return ContentError([Problem(args.page, 1, field, message)])

    # What the editor gives takes the place of what the page says; its confidence is left for
    # the editor to set, as `new source` does.
    found: dict[str, extract.Fact | None] = {
        "outlet": None if args.title else article.outlet,
        "title": article.title,
        "byline": article.byline,
        "published": None if args.date else article.published,
        "url": article.url,
    }
    outlet = args.title or (found["outlet"].value if found["outlet"] else None)
    published = args.date or (found["published"].value if found["published"] else None)
    if published is None:
        raise problem("published", (
            "no publication date in the page's metadata, in a date marked up in it or in its "
            "address; give the date with --date (a date is never guessed)"))
    name = outlet or (article.title.value if article.title else None)
    if not args.id and not name:
        raise problem("", "the page names neither its outlet nor its headline; give an id with --id")
    record_id = args.id or default_id("source", name, None)
    path, shown = new_record_path(content, "source", record_id)
    snapshots = Path(args.snapshots)
    snapshot = snapshots / f"{record_id}.txt"
    if snapshot.exists():
        raise ContentError([Problem(str(snapshot), 1, "", (
            "this snapshot already exists and is left as it is; choose another --id"))])
    size = len(article.text.encode("utf-8"))
    if size > MAX_SNAPSHOT_KB * 1024:  # never write a snapshot that `check` would refuse
        raise ContentError([Problem(str(snapshot), 1, "", (
            f"the article's text is {-(-size // 1024):,} KB, over the limit of "
            f"{MAX_SNAPSHOT_KB:,} KB a snapshot may be; nothing was written: save the page "
            "with the article alone (its print view, or reader mode)"))])

    confidence = {}
    for fact in ("outlet", "byline", "published", "url"):
        clue = found[fact]
        confidence[fact] = ("inferred", clue.reason) if clue else ("unknown", "")
    text = _source_read(outlet, found["title"].value if found["title"] else None, published,
                        found["byline"].value if found["byline"] else None,
                        found["url"].value if found["url"] else None, snapshot.name, confidence,
                        _free_look(content, record_id))
    _check_record(text, shown)

    snapshots.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write_text(article.text, encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    print(_to_confirm(shown, snapshot, article, found, given={
        "outlet": args.title, "published": args.date}))
    return 0


def _read_page(page: str, fetch: bool, local: bool = False) -> PageArticle:
    from . import extract

    address = None
    if fetch and not page.startswith(("http://", "https://")):
        raise ContentError([Problem(page, 1, "", (
            "--fetch downloads a page from an http:// or https:// address; this is not one"))])
    if page.startswith(("http://", "https://")):
        if not fetch:
            raise ContentError([Problem(page, 1, "", (
                "this is a web address, and nothing is downloaded unless you ask: add --fetch, "
                "or save the page from your browser and give the file"))])
        address = page
    try:
        if address:
            data = extract.fetch(address, local)
        else:
            path = Path(page)
            if not path.is_file():
                raise ContentError([Problem(page, 1, "", (
                    "no such file; give the path of a page saved from the browser (.html)"))])
            with path.open("rb") as stream:
                data = stream.read(extract.MAX_PAGE_BYTES + 1)
            if len(data) > extract.MAX_PAGE_BYTES:
                raise ContentError([Problem(page, 1, "", (
                    f"this file is larger than {extract.MAX_PAGE_BYTES // (1024 * 1024)} MB, "
                    "more than any saved article: save the page again as 'Web Page, HTML "
                    "only'"))])
        return extract.read_article(data, address)
    except extract.PageError as error:
        raise ContentError([Problem(page, 1, "", str(error))]) from None


def _check_record(text: str, shown: str) -> None:
    """The record must build as written (a value read from a page could be anything)."""
    from pydantic import ValidationError

    try:
        data = parse_markdown(text, shown, "source", Path(shown).stem).data
        SourceFrontMatter.model_validate(data)
    except (ContentError, ValidationError) as error:
        raise ContentError([Problem(shown, 1, "", (
            f"the record read from the page would not build, so nothing was written: {error}"))])


def _to_confirm(shown: str, snapshot: Path, article: PageArticle, found: dict,
                given: dict) -> str:
    lines = [f"Wrote {shown} and the snapshot {snapshot} ({article.words} words).",
             ("Confirm against the article itself, then make each fact's confidence 'confirmed' "
              "(or keep 'inferred' with its reason):")]
    missing = []
    for fact in ("outlet", "title", "byline", "published", "url"):
        clue = found[fact]
        if given.get(fact):
            lines.append(f"  {fact}: {given[fact]} (as you gave it; its confidence is 'unknown' "
                         "until you set it)")
        elif clue:
            lines.append(f"  {fact}: {clue.value} ({clue.reason})")
        else:
            missing.append(fact)
    for fact in missing:
        what = ("left as a '[to do …]' placeholder" if fact in ("outlet", "title")
                else "left out and marked unknown")
        lines.append(f"  {fact}: not found in the page; {what}")
    published = found["published"]
    if article.address_date and published and published.value != article.address_date:
        lines.append(f"  note: the address gives another date, {article.address_date}")
    lines += ["  timezone: not read from pages; add the outlet's IANA time zone if you know it",
              (f"Read {snapshot} through: it must hold the article's text only. Quote from it, "
               f"and `python build.py check --snapshots {snapshot.parent}` checks every quote "
               "against it.")]
    return "\n".join(lines)


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


_CHAIN = '[{party: port-authority, credit: "the Port Authority said"}]'


def _credit_comments(indent: int) -> list[str]:
    """What each link of a chain holds, field by field."""
    lines = _comment(f"Each link is {_lower(Credit.__doc__)}", indent)
    for name in Credit.model_fields:
        lines += _comment(f"`{name}`: {field_doc(Credit, name)}", indent)
    return lines


def _lower(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text[:1].lower() + text[1:]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _todo(what: str) -> str:
    return _quoted(f"{PLACEHOLDER}: {what}]")


def skeleton(kind: str, title: str, date: str | None, source_ids: list[str],
             look: tuple[str, str] | None = None) -> str:
    """`look`: a new source's (colour, shape), one no other source has."""
    if kind == "event":
        return _event(title, date or "", source_ids)
    if kind == "source":
        return _source(title, date or "", look)
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
    lines += _field(Event, "checked", '{one_source: "none of the other articles reports it"}',
                    optional=True)
    lines += _field(Event, "accounts", "")
    lines += _comment(f"Each account is {_lower(Account.__doc__)}", 2)
    lines += _field(Account, "source", source, 4, first="- ")
    # A guess the editor must confirm: marked so that the build warns until they do.
    lines[-1] += f"  # {PLACEHOLDER}: the source of this account]"
    lines += _comment(known, 4)
    lines += _field(Account, "quotes", "", 4)
    lines += _comment(f"Each quote is {_lower(Quote.__doc__)}", 6)
    lines += _field(Quote, "text", _todo("the words of the article, exactly as printed"), 8,
                    first="- ")
    lines += _field(Quote, "via", _CHAIN, 8, optional=True)
    lines += _credit_comments(10)
    lines += _field(Quote, "stance", "disputed", 8, optional=True)
    lines += _field(Quote, "key", "true", 8, optional=True)
    lines += _field(Quote, "checked", '{cut: "the hedge governs another clause"}', 8,
                    optional=True)
    lines += _field(Account, "time_words", "", 4, optional=True)
    lines += _comment(f"Each set is {_lower(TimeWords.__doc__)}", 6)
    lines += _field(TimeWords, "said", _quoted("on Saturday"), 8, optional=True, first="- ")
    lines += _field(TimeWords, "quotes", "[1]", 8, optional=True)
    lines += _field(TimeWords, "resolved_as", "2016-12-10 evening", 8, optional=True)
    lines += _field(TimeWords, "dates", "report", 8, optional=True)
    lines += _field(TimeWords, "checked", _quoted("the words date the closure, not the statement"),
                    8, optional=True)
    lines += _field(TimeWords, "counted_from", "", 8, optional=True)
    lines += _field(CountedFrom, "date", "2016-12-11", 10, optional=True)
    lines += _field(CountedFrom, "why", _quoted("inside a quotation of another outlet"), 10,
                    optional=True)
    lines += _field(Account, "figures", "", 4, optional=True)
    lines += _comment(f"Each figure is {_lower(Figure.__doc__)}", 6)
    lines += _field(Figure, "topic", _quoted("cars diverted"), 8, optional=True, first="- ")
    lines += _field(Figure, "value", "12000", 8, optional=True)
    lines += _field(Figure, "low", "10000", 8, optional=True)
    lines += _field(Figure, "high", "15000", 8, optional=True)
    lines += _field(Figure, "as_written", _quoted("some 12,000 cars"), 8, optional=True)
    lines += _field(Figure, "via", _CHAIN, 8, optional=True)
    lines += _field(Figure, "stance", "disputed", 8, optional=True)
    lines += _field(Account, "note", _quoted("The article gives no year."), 4, optional=True)
    lines += _field(Account, "outside_note", "", 4, optional=True)
    lines += _field(OutsideNote, "text", _quoted("What the editors know from elsewhere."), 6,
                    optional=True)
    lines += _field(OutsideNote, "source", _quoted("Where it comes from"), 6, optional=True)
    lines += _corrections(Event, "2026-12-01", source)
    lines += ["---", _todo("the editors' neutral summary of what happened (Markdown)")[1:-1], ""]
    return "\n".join(lines)


def _look(look: tuple[str, str] | None) -> list[str]:
    """The outlet's colour and shape: a free pair when one is given, else commented out."""
    colour, shape = look or ("blue", "circle")
    lines = _field(SourceFrontMatter, "colour", colour, optional=look is None)
    lines += _field(SourceFrontMatter, "shape", shape, optional=look is None)
    if look:
        lines += _comment("No other source has this colour and shape.", 0)
    return lines


def _source(outlet: str, date: str, look: tuple[str, str] | None = None) -> str:
    lines = ["---"]
    lines += _field(SourceFrontMatter, "outlet", _quoted(outlet))
    lines += _field(SourceFrontMatter, "title", _todo("the headline, exactly as published"))
    lines += _field(SourceFrontMatter, "published", date)
    lines += _comment(f"Date forms: {FORMS}.", 0)
    lines += _field(SourceFrontMatter, "byline", _quoted("A. Writer"), optional=True)
    lines += _field(SourceFrontMatter, "timezone", "Europe/London", optional=True)
    lines += _field(SourceFrontMatter, "url", "https://example.org/the-article", optional=True)
    lines += _field(SourceFrontMatter, "snapshot", "the-article.txt", optional=True)
    lines += _look(look)
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
    lines += _field(SourceFrontMatter, "left_out", "", optional=True)
    lines += _field(LeftOut, "text", _quoted("Leave a comment"), 4, optional=True, first="- ")
    lines += _field(LeftOut, "why", _quoted("page furniture: the comment box"), 4,
                    optional=True)
    lines += _corrections(SourceFrontMatter, "2026-12-01")
    lines += ["---", _todo("the editors' note on this article (Markdown)")[1:-1], ""]
    return "\n".join(lines)


def _corrections(model: type[BaseModel], added: str, account: str | None = None) -> list[str]:
    """`added` and an example of `corrections` (with `account` and `removed` for an event), all
    commented out: a new record has none until it is published and changed."""
    lines = _field(model, "added", added, optional=True)
    lines += _field(model, "corrections", "", optional=True)
    lines += _comment(f"Each one is {_lower(Correction.__doc__)}", 2)
    lines += _field(Correction, "date", "2026-12-05", 4, optional=True, first="- ")
    lines += _field(Correction, "kind", "correction", 4, optional=True)
    if account is not None:
        lines += _field(Correction, "account", account, 4, optional=True)
        lines += _field(Correction, "removed", "true", 4, optional=True)
    lines += _field(Correction, "field", "credit", 4, optional=True)
    lines += _field(Correction, "before", _quoted("Given as the outlet's own words."), 4,
                    optional=True)
    lines += _field(Correction, "now", _quoted("Credited to the police (\"police said\")."), 4,
                    optional=True)
    lines += _field(Correction, "why", _quoted("The article credits the police."), 4,
                    optional=True)
    return lines


def _source_read(outlet: str | None, title: str | None, published: str, byline: str | None,
                 url: str | None, snapshot: str, confidence: dict[str, tuple[str, str]],
                 look: tuple[str, str] | None = None) -> str:
    """The source record written from a page: the skeleton's layout and explanations, with what
    was found filled in; `confidence` gives each fact's (level, reason)."""
    lines = ["---"]
    lines += _field(SourceFrontMatter, "outlet",
                    _quoted(outlet) if outlet else _todo("the outlet's name, as it writes it"))
    lines += _field(SourceFrontMatter, "title",
                    _quoted(title) if title else _todo("the headline, exactly as published"))
    lines += _field(SourceFrontMatter, "published", published)
    lines += _comment(f"Date forms: {FORMS}.", 0)
    lines += _field(SourceFrontMatter, "byline", _quoted(byline or "A. Writer"),
                    optional=byline is None)
    lines += _field(SourceFrontMatter, "timezone", "Europe/London", optional=True)
    lines += _field(SourceFrontMatter, "url", _quoted(url or "https://example.org/the-article"),
                    optional=url is None)
    lines += _field(SourceFrontMatter, "snapshot", _quoted(snapshot))
    lines += _look(look)
    lines += _field(SourceFrontMatter, "copy_read", "", optional=True)
    lines += _field(Copy, "site", "archive.example.net", 2, optional=True)
    lines += _field(Copy, "url", "https://archive.example.net/the-article", 2, optional=True)
    lines += _field(Copy, "published", "2016-12-12", 2, optional=True)
    lines += _field(Copy, "confidence", "confirmed", 2, optional=True)
    lines += _field(SourceFrontMatter, "confidence", "")
    level = field_doc(Confidence, "level").rstrip(".")
    lines += _comment(f"Each one is a level ({level}), or a level with the reason for it. "
                      f"{field_doc(Confidence, 'reason')} Once you have checked a fact against "
                      "the article, make it confirmed.", 2)
    for name in ("outlet", "byline", "published", "url"):
        level, reason = confidence[name]
        if reason:
            lines += _field(SourceConfidence, name, "", 2)
            lines += [f"    level: {level}", f"    reason: {_quoted(reason)}"]
        else:
            lines += _field(SourceConfidence, name, level, 2)
    lines += ["---", _todo("the editors' note on this article (Markdown)")[1:-1], ""]
    return "\n".join(lines)


def _page(title: str) -> str:
    lines = ["---"]
    lines += _field(PageFrontMatter, "title", _quoted(title))
    lines += _field(PageFrontMatter, "slug", "about-the-site", optional=True)
    lines += _field(PageFrontMatter, "menu", "1", optional=True)
    lines += _field(PageFrontMatter, "lists", "corrections", optional=True)
    lines += ["---", _todo("the page's text (Markdown)")[1:-1], ""]
    return "\n".join(lines)
