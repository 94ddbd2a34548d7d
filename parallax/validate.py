"""Validate stage: `RawContent` → `Content` (frozen models, cross-references checked).

Every problem in every record is collected before anything is raised, so editors see them
all in one run, each as `path:line: field: message`. Messages are written for editors: they
say what is wrong in the words of the content, and what to write instead when that is known.
"""

from __future__ import annotations

import difflib
import functools
import html
import math
import re
import types
import typing
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import colours, markup
from .errors import ContentError, Problem
from .load import EXAMPLE, PARTIES_FILE, PLACEHOLDER, Loc, RawContent, RawRecord, loc_text
from .models import (
    MAX_ID_LENGTH,
    REPORTING_VERBS,
    SLUG,
    Account,
    Attributed,
    BaseUrl,
    Dates,
    EventCheck,
    EventRecord,
    Page,
    Party,
    SiteSettings,
    Source,
    device_name,
    device_problem,
)
from .paths import BUILT_IN


@dataclass(frozen=True)
class Content:
    """All records, validated, with where each came from (for later stages' messages)."""

    site: SiteSettings
    sources: tuple[Source, ...]
    events: tuple[EventRecord, ...]
    pages: tuple[Page, ...]
    parties: dict[str, Party]
    origins: dict[tuple[str, str], RawRecord]
    warnings: tuple[Problem, ...]

    def problem(self, kind: str, record_id: str, loc: Loc, message: str) -> Problem:
        """A Problem pointing at `loc` inside a record (e.g. ('accounts', 0, 'time_words'))."""
        raw = self.origins[(kind, record_id)]
        shown = (record_id,) + loc if kind == "party" else loc
        return Problem(raw.path, raw.line_of(loc), loc_text(shown), message)


MODELS: dict[str, type[BaseModel]] = {
    "source": Source,
    "event": EventRecord,
    "page": Page,
    "party": Party,
    "site": SiteSettings,
}
PLURALS = {"source": "sources", "event": "events", "page": "pages", "party": "credited parties"}
_SLUG = re.compile(SLUG)


# Keys of the earlier record format, and how the same thing is written now.
_IN_A_SET = ("goes inside its set of time words: 'time_words:' then '- said: <the words>' with "
             "'{name}:' under it")
RENAMED = {
    ("Account", "said_when"): ("time words are written as 'time_words:' then '- said: <the "
                               "words>' (one set per expression, each naming the quotes it dates)"),
    ("Account", "counted_from"): _IN_A_SET.format(name="counted_from"),
    ("Account", "resolved_as"): _IN_A_SET.format(name="resolved_as"),
    ("Account", "credits"): ("attribution goes on each quote and figure: write the quote as "
                             "'- text: <the words>' with 'via: [{party: <id>, credit: <the "
                             "article's words>}, ...]' (no 'via' for the outlet's own voice)"),
    ("Figure", "credited_to"): ("a figure names whose number it is with 'via: [{party: <id>, "
                                "credit: <the article's words>}, ...]'"),
    ("EventRecord", "reported_by_one"): ("a checked warning now says why: write 'checked: "
                                         "{one_source: <why no other source reports it>}'"),
}


def is_id(text: str) -> bool:
    """Whether `text` is an id: the whole of it (a trailing line break is not), and not longer
    than a folder name may be."""
    return (len(text) <= MAX_ID_LENGTH and _SLUG.fullmatch(text) is not None
            and not device_name(text))


def _id_problem(text: str) -> str:
    """Why `text` is not an id, and the id to write instead."""
    if _SLUG.fullmatch(text) and device_name(text):
        return device_problem(text)
    if _SLUG.fullmatch(text):
        return (f"it is {len(text)} characters long; an id has at most {MAX_ID_LENGTH}: "
                f"shorten it (e.g. '{suggest_id(text)}')")
    return (f"use lower-case letters, digits and single hyphens (e.g. '{suggest_id(text)}')")


@dataclass(frozen=True)
class Known:
    """The ids a record may refer to, for messages that list them."""

    sources: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    outlets: tuple[tuple[str, str], ...] = ()
    """(outlet name, source id): an account that names its source by the outlet is pointed
    to the id."""


@dataclass(frozen=True)
class Rules:
    """What site.yaml sets that a record is judged by (`of` the site; the site is read first,
    and the defaults, `Rules()`, hold until then)."""

    quote_limit: int = SiteSettings.model_fields["quote_max_words"].default
    reporting_verbs: tuple[tuple[str, ...], ...] = field(
        default_factory=lambda: _word_list(REPORTING_VERBS))
    """The reporting verbs, as `_word_list` gives them: time words beside one date a report
    (none: the check is off)."""

    @classmethod
    def of(cls, site: SiteSettings) -> Rules:
        return cls(site.quote_max_words, _word_list(site.reporting_verbs))


@dataclass(frozen=True)
class Checked:
    """One record judged on its own: its model (None when it has mistakes), its problems and
    its warnings. Everything here depends on the record, the ids it may refer to (`known`) and
    the site's `Rules` alone, so a record that did not change is judged the same again."""

    model: BaseModel | None
    problems: tuple[Problem, ...]
    """Mistakes in the record's own fields."""
    references: tuple[Problem, ...]
    """Mistakes in what it points to: links in its body, the ids its accounts cite."""
    warnings: tuple[Problem, ...]
    cites: frozenset[str] = frozenset()
    """An event's sources."""
    credits: frozenset[str] = frozenset()
    """The parties an event's quotes and figures credit."""


Addresses = Callable[[str], list[tuple[str, str]]]
CheckRecord = Callable[[RawRecord, Known, Rules], Checked]


def check_record(record: RawRecord, known: Known, rules: Rules,
                 addresses: Addresses | None = None, quiet: Addresses | None = None) -> Checked:
    """A record on its own: its model, its own mistakes (fields, links in its body, the ids its
    accounts cite, quotes over the limit, time words beside a reporting verb, by the site's
    `rules`) and its warnings (placeholders left, an event with one account, links that
    browsers and the check read differently). `addresses` and `quiet` are markup's
    `address_problems` and `quiet_changes` unless the engine passes ones that remember."""
    problems: list[Problem] = list(record.problems)
    problems.extend(control_characters(record))
    model = built_model(record, problems, known)
    warnings = _placeholders(record)
    for address, message in (quiet or markup.quiet_changes)(record.body) if record.body else ():
        warnings.append(Problem(record.path, _line_in_body(record, address), "body", message))
    references: list[Problem] = []
    if model is not None and record.kind in ("source", "event", "page"):
        for address, message in (addresses or markup.address_problems)(record.body):
            references.append(Problem(record.path, _line_in_body(record, address), "body", message))
    if isinstance(model, EventRecord):
        references.extend(_event_references(model, record, known, rules.quote_limit))
        # With what site.yaml sets, as the quote limit: held back, as references are, when
        # site.yaml itself fails (its own verbs are then unknown).
        references.extend(_report_dating_words(model, record, rules.reporting_verbs))
        if len(model.accounts) == 1 and EventCheck.one_source not in model.checked:
            warnings.append(_problem_at(record, "event", ("accounts",), (
                "only one source reports this event; check the others, and if none reports "
                "it, add 'checked: {one_source: <why>}'")))
    cites: frozenset[str] = frozenset()
    credits: frozenset[str] = frozenset()
    if isinstance(model, EventRecord):
        cites = frozenset(a.source for a in model.accounts)
        credits = frozenset(p for a in model.accounts for said in (*a.quotes, *a.figures)
                            for p in said.parties)
    return Checked(model, tuple(problems), tuple(references), tuple(warnings), cites, credits)


def _problem_at(raw: RawRecord, kind: str, loc: Loc, message: str) -> Problem:
    shown = (raw.id,) + loc if kind == "party" else loc
    return Problem(raw.path, raw.line_of(loc), loc_text(shown), message)


def validate_content(raw: RawContent, base_url: str | None = None,
                     check: CheckRecord | None = None) -> Content:
    """The records as models, checked one by one and against each other. `base_url` (from
    `--base-url` or PARALLAX_BASE_URL, checked by `base_url_problem`) takes the place of
    site.yaml's. `check` judges one record (default `check_record`; the engine passes one that
    remembers its earlier judgements)."""
    check = check or check_record
    problems: list[Problem] = list(raw.problems)
    warnings: list[Problem] = list(raw.warnings)
    built: dict[str, list[Any]] = {kind: [] for kind in MODELS}
    origins: dict[tuple[str, str], RawRecord] = {}
    # Records that fail still count as known ids, so one broken file does not make every
    # account that cites it "unknown" too.
    known = Known(
        sources=tuple(sorted({r.id for r in raw.records if r.kind == "source"})),
        # A party whose id is not an id is reported; accounts that already use the id it
        # should have are not.
        parties=tuple(sorted({r.id if is_id(r.id) else suggest_id(r.id)
                              for r in raw.records if r.kind == "party"})),
        outlets=tuple(sorted(
            (str(r.data["outlet"]), r.id) for r in raw.records
            if r.kind == "source" and isinstance(r.data, dict) and "outlet" in r.data)),
    )
    rules = Rules()
    references: list[Problem] = []
    cited: set[str] = set()
    credited: set[str] = set()

    for record in raw.records:
        key = (record.kind, record.id)
        if key in origins:
            first = origins[key]
            problems.append(Problem(record.path, record.line, "", (
                f"two {PLURALS[record.kind]} have the id '{record.id}' (the file name): "
                f"{first.path} and {record.path}; rename one of the files"
            )))
            continue
        origins[key] = record
        checked = check(record, known, rules)
        problems.extend(checked.problems)
        references.extend(checked.references)
        warnings.extend(checked.warnings)
        if isinstance(checked.model, SiteSettings):  # read first: the other records' rules
            rules = Rules.of(checked.model)
        if checked.model is not None:
            built[record.kind].append((record.id, checked.model))
            cited |= checked.cites
            credited |= checked.credits

    if not built["site"]:
        raise ContentError(problems)

    def models(kind: str) -> list[Any]:
        return [model for _, model in sorted(built[kind], key=lambda pair: pair[0])]

    site = built["site"][0][1]
    if base_url is not None:  # the one place the address given to the build meets site.yaml's
        site = site.model_copy(update={"base_url": base_url})
    content = Content(
        site=site,
        sources=tuple(models("source")),
        events=tuple(models("event")),
        pages=tuple(models("page")),
        parties=dict(sorted(built["party"], key=lambda pair: pair[0])),
        origins=origins,
        warnings=(),
    )
    problems.extend(references)
    problems.extend(_party_references(content, known))
    problems.extend(_page_addresses(content))
    problems.extend(_correction_problems(content))
    if problems:
        raise ContentError(problems)
    warnings.extend(_unhedged_titles(content))
    return _with_warnings(content, tuple(warnings), cited, credited)


def built_model(record: RawRecord, problems: list[Problem], known: Known = Known()) -> BaseModel | None:
    model = MODELS[record.kind]
    data = record.data
    if record.kind == "party" and not is_id(record.id):
        problems.append(Problem(record.path, record.line, _shown_id(record.id), (
            f"{_shown_id(record.id)!r} cannot be an id: {_id_problem(record.id)}")))
        return None
    if not isinstance(data, dict):
        fields = ", ".join(_fields(model))
        problems.append(Problem(record.path, record.line, record.id if record.kind == "party" else "", (
            f"should be 'key: value' lines under it ({fields}), not {_shown(data)}"
        )))
        return None
    extra: dict[str, Any] = {}
    if record.kind in ("source", "event", "page"):
        file_name = record.path.rsplit("/", 1)[-1]
        if not is_id(record.id):
            if _SLUG.fullmatch(record.id) and device_name(record.id):
                fix = device_problem(record.id).replace("choose another (e.g. '",
                                                        "rename the file (e.g. '")
                fix = fix[:-2] + ".md')"
            elif _SLUG.fullmatch(record.id):
                fix = (f"it is {len(record.id)} characters long, and an id has at most "
                       f"{MAX_ID_LENGTH}: shorten the file name")
            else:
                fix = ("rename the file with lower-case letters, digits and single hyphens "
                       f"only (e.g. '{suggest_id(record.id)}.md')")
            problems.append(Problem(record.path, record.line, "", (
                f"the file name {_shown_id(file_name)!r} cannot be an id: {fix}")))
            return None
        for reserved, why in (("id", "the file name is the id"),
                              ("body", "the text after the front matter is the body")):
            if reserved in data:
                problems.append(Problem(record.path, record.line_of((reserved,)), reserved, (
                    f"'{reserved}' cannot be set here: {why}; remove this line")))
                return None
        extra = {"id": record.id, "body": record.body}
    try:
        return model.model_validate({**data, **extra})
    except ValidationError as error:
        prefix: Loc = (record.id,) if record.kind == "party" else ()
        details = error.errors(include_url=False)
        # 'sourse:' is one mistake, not also a missing 'source:'.
        misspelt = {tuple(d["loc"][:-1]) + (_close(d["loc"][-1], _fields(_model_at(model, d["loc"]))),)
                    for d in details if d["type"] == "extra_forbidden"}
        for detail in details:
            loc = tuple(detail["loc"])
            if detail["type"] == "missing" and loc in misspelt:
                continue
            loc = _named_field(model, loc, detail, record) or loc
            problems.append(Problem(
                record.path, _line_for(record, loc, detail), loc_text(prefix + loc),
                explain(model, loc, detail, record, known),
            ))
        return None


def _line_for(record: RawRecord, loc: Loc, detail: dict) -> int:
    if detail["type"] == "missing":
        return record.line_of(loc[:-1]) if len(loc) > 1 else record.line
    return record.line_of(loc)


def _named_field(model: type[BaseModel], loc: Loc, detail: dict, record: RawRecord) -> Loc | None:
    """For a check across several fields (e.g. "byline is not given, so confidence.byline must
    be 'unknown'"), the first field the message names that the record has: the line to show."""
    if detail["type"] != "value_error" or _model_at(model, loc + ("",)) is None:
        return None
    for word in re.findall(r"[a-z_]+(?:\.[a-z_]+)*", detail["msg"]):
        candidate = loc + tuple(word.split("."))
        if candidate in record.lines:
            return candidate
    return None


def suggest_id(text: str) -> str:
    """An id made from any text: 'Bridge Closed!' → 'bridge-closed'."""
    ascii_text = unicodedata.normalize("NFKD", text[:1000]).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    suggestion = "-".join(words)[:MAX_ID_LENGTH].strip("-")
    return suggestion or "record"


def _shown_id(text: str) -> str:
    """A wrong id in a message: in full unless it is far too long to read."""
    return text if len(text) <= 2 * MAX_ID_LENGTH else text[:MAX_ID_LENGTH] + "…"


# --- messages ------------------------------------------------------------------------------------


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that holds the last key of `loc`."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """Unwrap Optional[...], list[...] and Annotated[...] down to a model class if there is one."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        return None
    return annotation


def _fields(model: type[BaseModel] | None) -> list[str]:
    """The fields editors write (not those Parallax fills in from the file)."""
    return [k for k in (model.model_fields if model else {}) if k not in ("id", "body")]


def _about(model: type[BaseModel] | None, name: str) -> str:
    """The first sentence of a field's description, as a reminder of what it is for."""
    field = model.model_fields.get(name) if model else None
    text = " ".join((field.description or "").split()) if field else ""
    sentence = re.split(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])", text)[0]
    first = re.sub(r" \([^()]*\)", "", sentence).rstrip(".")
    return first[:1].lower() + first[1:] if first else ""


def _shown(value: Any) -> str:
    """A value as editors wrote it, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _close(value: Any, choices: typing.Iterable[str]) -> str | None:
    found = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def explain(model: type[BaseModel], loc: Loc, detail: dict, record: RawRecord,
            known: Known = Known()) -> str:
    kind, message, value = detail["type"], detail["msg"], detail.get("input")
    name = str(loc[-1]) if loc else ""
    holder = _model_at(model, loc) if loc else model
    written = record.bare.get(loc)

    if kind == "extra_forbidden":
        allowed = _fields(holder)
        if holder is not None and (holder.__name__, name) in RENAMED:
            return f"unknown key '{name}': {RENAMED[(holder.__name__, name)]}"
        elsewhere = [k for k, m in MODELS.items() if m is not model and name in _fields(m)]
        if elsewhere and not loc[:-1]:
            where = "site.yaml" if elsewhere[0] == "site" else PLURALS[elsewhere[0]]
            return (f"unknown key '{name}': it belongs in {where}, not in "
                    f"{PLURALS.get(record.kind, record.kind)}; the keys here are: "
                    f"{', '.join(allowed)}")
        close = _close(name, allowed)
        if close:
            return f"unknown key '{name}'; did you mean '{close}'?"
        return f"unknown key '{name}'; the keys here are: {', '.join(allowed)}"
    if kind == "missing":
        about = _about(holder, name)
        return f"required field missing; add '{name}:'" + (f" ({about})" if about else "")

    if loc in record.booleans and kind in ("string_type", "date_type", "int_type", "float_type",
                                           "enum", "string_pattern_mismatch"):
        word = written or ("yes" if value else "no")
        return (f"YAML reads the bare word {word} as {'true' if value else 'false'}, not as "
                f"text; put it in quotes: '{word}'")

    if kind == "string_type":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = written or _shown(value)
            return (f"YAML reads {shown} as a number, but this field is text; put it in "
                    f"quotes: '{shown}'")
        if value is None:
            return "is empty; write the text after the colon, or remove the line"
        if isinstance(value, dict) and len(value) == 1:
            (key, inner), = value.items()
            joined = f"{key}: {inner}"
            return (f"YAML split this at ': ' and read it as a field; put the whole text in "
                    f"quotes: \"{joined}\"")
        return f"should be text, not {_shown(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"should be true or false, not {_shown(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"should be a whole number, not {_shown(value)}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        hint = ""
        if isinstance(value, str) and re.fullmatch(r"[\d.,\s]+", value.strip()):
            digits = re.sub(r"[,\s]", "", value)
            hint = f": write it without commas or spaces ({digits})"
        elif name in ("value", "low", "high"):
            hint = "; the article's own words go in 'as_written'"
        return f"should be a number, not {_shown(value)}{hint}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"should be at least {detail['ctx'].get('ge', detail['ctx'].get('gt'))}, not {_shown(value)}"
    if kind in ("less_than_equal", "less_than"):
        return f"should be at most {detail['ctx'].get('le', detail['ctx'].get('lt'))}, not {_shown(value)}"
    if kind == "string_too_long":
        limit = detail["ctx"]["max_length"]
        if limit == MAX_ID_LENGTH and isinstance(value, str) and _SLUG.fullmatch(value):
            return (f"{_shown(value)} is {len(value)} characters long; an id has at most "
                    f"{limit}")
        return f"too long: at most {limit} characters (this is {len(str(value))})"
    if kind == "string_too_short":
        if value is not None and str(value).strip():
            return (f"too short: at least {detail['ctx']['min_length']} characters "
                    f"(got {_shown(value)})")
        return "is empty; write the text after the colon, or remove the line"
    if kind == "too_short":
        item = {"accounts": "account (one per source that reports it)",
                "quotes": "quote"}.get(name, "item")
        return f"needs at least one {item}; the list is empty"
    if kind == "enum":
        choices = re.findall(r"'([^']*)'", str(detail.get("ctx", {}).get("expected", "")))
        close = _close(value, choices)
        hint = f"did you mean '{close}'? " if close else ""
        return f"{_shown(value)} is not allowed here; {hint}write one of: {', '.join(choices)}"
    if kind == "string_pattern_mismatch":
        return _pattern_message(name, loc, str(value), known)
    if kind in ("value_error", "assertion_error"):
        text = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return text
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        inner = _model_at(model, loc + ("",))
        fields = f" ({', '.join(_fields(inner))})" if inner else ""
        return f"should be 'key: value' lines{fields}, not {_shown(value)}"
    if kind in ("list_type", "tuple_type"):
        if isinstance(value, str):
            return (f"should be a list, even of one item: write it as [\"{value}\"], or on the "
                    "next line as '- ' and the item")
        return f"should be a list (one '- item' per line, or [a, b]), not {_shown(value)}"
    return f"{message[0].lower()}{message[1:]} (got {_shown(value)})"


def base_url_problem(value: str) -> str | None:
    """What is wrong with a site address given outside site.yaml, or None when it will do."""
    try:
        TypeAdapter(BaseUrl).validate_python(value)
    except ValidationError:
        return _pattern_message("base_url", ("base_url",), value, Known())
    return None


def _pattern_message(name: str, loc: Loc, value: str, known: Known) -> str:
    if name in ("url", "base_url"):
        if re.search(r"\s", value):
            return f"{value!r} is not a web address: an address cannot contain spaces"
        if not re.match(r"https?://", value):
            return (f"{value!r} is not a web address: write the full address, starting "
                    "with https://")
        if name == "base_url" and not value.endswith("/"):
            return f"the site's address must end with '/': write '{value}/'"
        return f"{value!r} is not a web address"
    if name == "language":
        return f"{value!r} is not a language tag; write e.g. en, en-GB or fr"
    if name == "snapshot":
        return f"{value!r} should be a file name only, without folders"
    suggestion = suggest_id(value)
    if name == "source":
        by_outlet = [i for outlet, i in known.outlets if outlet.lower() == value.lower()]
        return _unknown("source", value, list(known.sources), by_outlet[0] if by_outlet
                        else suggestion, "sources are named by their file name without '.md'")
    if name in ("via", "part_of") or "via" in loc:
        return _unknown("credited party", value, list(known.parties), suggestion,
                        f"credited parties are named by their id in {PARTIES_FILE}")
    return (f"{value!r} cannot be an id: use lower-case letters, digits and single hyphens "
            f"(e.g. '{suggestion}')")


# --- cross-references ----------------------------------------------------------------------------


def _unknown(what: str, value: str, known: list[str], suggestion: str | None = None,
             how: str = "") -> str:
    close = _close(value, known) or (suggestion if suggestion in known else None)
    hint = f"did you mean '{close}'? " if close else ""
    how = f"{how}; " if how else ""
    plural = "credited parties" if what == "credited party" else f"{what}s"
    if not known:
        listed = f"there are no {plural} yet"
    elif len(known) > 12:
        listed = f"known {plural} include {', '.join(known[:12])} ({len(known)} in all)"
    else:
        listed = f"known {plural}: {', '.join(known)}"
    return f"unknown {what} '{value}'; {hint}{how}{listed}"


def _party_references(content: Content, known: Known) -> list[Problem]:
    problems: list[Problem] = []
    party_ids = list(known.parties)
    for party_id, party in content.parties.items():
        if party.part_of and party.part_of not in party_ids:
            problems.append(content.problem("party", party_id, ("part_of",),
                                            _unknown("credited party", party.part_of, party_ids)))
    return problems


def _event_references(event: EventRecord, raw: RawRecord, known: Known,
                      limit: int) -> list[Problem]:
    """What one event cites: sources and parties that exist, quotes within the limit, numbers
    that are numbers, time words found in the quotes they date."""
    problems: list[Problem] = []
    source_ids, party_ids = list(known.sources), list(known.parties)

    def problem(loc: Loc, message: str) -> Problem:
        return _problem_at(raw, "event", loc, message)

    for a, account in enumerate(event.accounts):
        here: Loc = ("accounts", a)
        if account.source not in source_ids:
            problems.append(problem(here + ("source",), _unknown("source", account.source, source_ids)))
        for q, quote in enumerate(account.quotes):
            problems.extend(_chain_problems(problem, here + ("quotes", q), quote, party_ids))
            words = len(quote.text.replace("…", " ").split())
            if words > limit:
                problems.append(problem(here + ("quotes", q), (
                    f"the quote is {words} words, over the limit of {limit} "
                    "(quote_max_words in site.yaml); cite it as several shorter quotes, "
                    "or keep the parts that matter and join them with '…'"
                )))
        keys = [q for q, quote in enumerate(account.quotes) if quote.key]
        for q in keys[1:]:
            problems.append(problem(here + ("quotes", q, "key"), (
                f"quote {keys[0] + 1} is already this account's key quote; an account has at "
                "most one: leave 'key: true' on the quote a timeline row should show")))
        for f, figure in enumerate(account.figures):
            for name in ("value", "low", "high"):
                number = getattr(figure, name)
                if number is not None and not math.isfinite(number):
                    problems.append(problem(here + ("figures", f, name), (
                        f"{number} is not a number an article gives; write the number, "
                        "or leave the line out")))
            problems.extend(_chain_problems(problem, here + ("figures", f), figure, party_ids))
        problems.extend(_time_word_problems(problem, here, account))
    return problems


def _chain_problems(problem: Callable[[Loc, str], Problem], here: Loc, said: Attributed,
                    party_ids: list[str]) -> list[Problem]:
    problems = []
    for n, link in enumerate(said.via or ()):
        members = [(link.party, (n, "party"))] if isinstance(link.party, str) else [
            (member, (n, "party", m)) for m, member in enumerate(link.party)]
        for party_id, at in members:
            if party_id not in party_ids:
                problems.append(problem(here + ("via",) + at,
                                        _unknown("credited party", party_id, party_ids)))
    return problems


def _time_word_problems(problem: Callable[[Loc, str], Problem], here: Loc,
                        account: Account) -> list[Problem]:
    problems = []
    sets = account.time_words
    count = len(account.quotes)
    for t, words in enumerate(sets):
        at = here + ("time_words", t)
        if len(sets) > 1 and not words.quotes:
            problems.append(problem(at + ("said",), (
                f"the account has {len(sets)} sets of time words, so each names the quotes it "
                f"dates: add 'quotes: [1]' (quotes count from 1; this account has {count})")))
        bad = [n for n in words.quotes if n > count]
        for n in bad:
            problems.append(problem(at + ("quotes",), (
                f"quote {n} does not exist: this account has {count} "
                f"quote{'s' if count != 1 else ''}, numbered from 1")))
        if bad:
            continue
        dated = [account.quotes[n - 1].text for n in words.quotes] or [
            q.text for q in account.quotes]
        if not any(_folded(words.said) in _folded(text) for text in dated):
            which = ("the quotes it dates" if words.quotes else "the account's quotes")
            problems.append(problem(at + ("said",), (
                f"'{words.said}' is not in {which}; time words are copied from a quote "
                "(add the quote that holds them, or correct the words)")))
    return problems


def _folded(text: str) -> str:
    """Text compared loosely: case, curly quotes and runs of spaces do not matter."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.casefold().split())


REPORT_WORDS_BEFORE = 4
"""How many words before a set of time words a reporting verb makes them date the report
('told The Daily Beast on Sunday')."""
REPORT_WORDS_AFTER = 3
"""How many words after ('On Monday, CNN reported')."""
_TOKEN = re.compile(r"[\w'’-]+")


def _word_list(words: typing.Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Each phrase as its words, casefolded: the longest first, then in alphabetical order (the
    first found is the one a message names, so the order may not depend on a set's)."""
    return tuple(sorted({tuple(w.casefold().split()) for w in words if w.split()},
                        key=lambda words: (-len(words), words)))


def _verb_beside(said: str, text: str, verbs: typing.Sequence[tuple[str, ...]]) -> str | None:
    """The reporting verb standing within a few words of the time words `said` in `text`."""
    tokens = [t.casefold().replace("’", "'") for t in _TOKEN.findall(text)]
    target = [t.casefold().replace("’", "'") for t in _TOKEN.findall(said)]
    if not target:
        return None
    for start in range(len(tokens) - len(target) + 1):
        if tokens[start:start + len(target)] != target:
            continue
        before = tokens[max(0, start - REPORT_WORDS_BEFORE):start]
        after = tokens[start + len(target):start + len(target) + REPORT_WORDS_AFTER]
        for near in (before, after):
            for verb in verbs:
                for at in range(len(near) - len(verb) + 1):
                    if tuple(near[at:at + len(verb)]) == verb:
                        return " ".join(verb)
    return None


def _report_dating_words(event: EventRecord, raw: RawRecord,
                         verbs: tuple[tuple[str, ...], ...]) -> list[Problem]:
    """Time words beside a reporting verb ('reported on Monday', 'said on Sunday') date a
    report, not the event: refused unless marked `dates: report`, or `checked` with why they
    date the event."""
    any_verb = _any_verb(verbs)
    if any_verb is None:
        return []
    problems = []
    for a, account in enumerate(event.accounts):
        for t, words in enumerate(account.time_words):
            if words.dates is Dates.report or words.checked:
                continue
            dated = [account.quotes[n - 1].text for n in words.quotes
                     if n <= len(account.quotes)] or [q.text for q in account.quotes]
            said = words.said.casefold()
            for text in dated:
                # Only the stretch around the words can hold a verb beside them.
                folded = text.casefold()
                at = folded.find(said)
                if at >= 0:
                    folded = folded[max(0, at - 120):at + len(said) + 90]
                if not any_verb.search(folded):
                    continue
                verb = _verb_beside(words.said, folded, verbs)
                if verb is None:
                    continue
                problems.append(_problem_at(raw, "event", ("accounts", a, "time_words", t, "said"), (
                    f"'{words.said}' stands beside the reporting verb '{verb}', so it "
                    "dates a report, not the event: write 'dates: report' under it "
                    "(it then never places the event), or, if it dates the event "
                    "itself, 'checked: <why>'")))
                break
    return problems


@functools.lru_cache(maxsize=8)
def _any_verb(verbs: tuple[tuple[str, ...], ...]) -> re.Pattern[str] | None:
    """A quick look for any of the reporting verbs: most quotes hold none."""
    if not verbs:
        return None
    return re.compile(r"(?<![\w'’-])(?:" + "|".join(
        r"\s+".join(re.escape(w) for w in verb) for verb in verbs) + r")(?![\w'’-])")


def _unhedged_titles(content: Content) -> list[Problem]:
    """A title of an event told by one outlet, or whose every quote and figure rests on one
    relayed party, says so ('Report that...', 'Claim that...')."""
    hedges = _word_list(content.site.title_hedges)
    warnings = []
    for event in content.events:
        if EventCheck.title in event.checked:
            continue
        claimants: set[str] = set()
        for account in event.accounts:
            for said in (*account.quotes, *account.figures):
                claimants.update(said.claimants or ("own voice",))
                if len(claimants) > 1 and len(event.accounts) > 1:
                    break
        single = len(claimants) == 1 and next(iter(claimants)) != "own voice"
        if len(event.accounts) > 1 and not single:
            continue
        title = tuple(_bare(t) for t in _TOKEN.findall(event.title))
        whose = [s.outlet for s in content.sources if s.id in {a.source for a in event.accounts}]
        for party_id in claimants:
            party = content.parties.get(party_id)
            while party is not None:
                whose += [party.name, *party.spellings]
                party = content.parties.get(party.part_of) if party.part_of else None
        named = [tuple(_bare(t) for t in _TOKEN.findall(name)) for name in whose]
        if any(_holds(title, h) for h in hedges) or any(_holds(title, n) for n in named if n):
            continue
        why = ("only one outlet tells it" if len(event.accounts) == 1 else
               f"everything its accounts quote rests on '{next(iter(claimants))}'")
        warnings.append(content.problem("event", event.id, ("title",), (
            f"{why}, and the title does not say so; start it with 'Report that', 'Claim "
            "that' or name whose word it is (the outlet, or the party it rests on), or, if it "
            "needs none, mark "
            "'checked: {title: <why>}'")))
    return warnings


def _bare(token: str) -> str:
    """A word compared loosely: case, curly apostrophes and a possessive 's do not matter."""
    token = token.casefold().replace("’", "'")
    return token.removesuffix("'s")


def _holds(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _page_addresses(content: Content) -> list[Problem]:
    """Two pages, or a page and one of Parallax's own, may not write the same address."""
    problems: list[Problem] = []
    taken: dict[str, str] = {}
    for page in content.pages:
        address = page.slug or page.id
        raw = content.origins[("page", page.id)]
        field = "slug" if page.slug else ""
        line = raw.line_of(("slug",)) if page.slug else raw.line
        given = "its slug" if page.slug else "its file name"
        if address in BUILT_IN:
            problems.append(Problem(raw.path, line, field, (
                f"this page would be published at /{address}/, which Parallax uses for its "
                f"own {BUILT_IN[address]} pages; change {given}")))
        elif address in taken:
            problems.append(Problem(raw.path, line, field, (
                f"two pages would be published at /{address}/: {taken[address]} and "
                f"{raw.path}; change {given}")))
        else:
            taken[address] = raw.path
    return problems


def _correction_problems(content: Content) -> list[Problem]:
    """Each record's corrections: dated on or after the record's `added` date, naming an
    account the event has (or had, for one removed), each text within the site's limit; and
    at most one page that lists them."""
    problems: list[Problem] = []
    limit = content.site.corrections_max_chars
    for kind, records in (("source", content.sources), ("event", content.events)):
        for record in records:
            have = {a.source for a in record.accounts} if kind == "event" else set()
            for n, correction in enumerate(record.corrections):
                here: Loc = ("corrections", n)

                def problem(loc: Loc, message: str, kind: str = kind,
                            record_id: str = record.id) -> None:
                    problems.append(content.problem(kind, record_id, loc, message))

                earlier = record.corrections[n - 1].date if n else None
                if earlier is not None and correction.date < earlier:
                    problem(here + ("date",), (
                        f"{correction.date} is before the correction above it ({earlier}); "
                        "write a record's corrections oldest first (the pages show them "
                        "newest first)"))
                if record.added is not None and correction.date < record.added:
                    problem(here + ("date",), (
                        f"{correction.date} is before the record was added ({record.added}, "
                        "'added:'); a correction is dated the day it was published, on or "
                        "after the record's own"))
                if kind == "source" and (correction.account is not None or correction.removed):
                    name = "account" if correction.account is not None else "removed"
                    problem(here + (name,), (
                        "a source's correction concerns the article's record itself and names "
                        f"no account; remove '{name}:' (an account's correction goes in its "
                        "event's record)"))
                elif correction.account is not None:
                    # Taken off and later put back: a later correction names it again.
                    back = any(c.account == correction.account
                               for c in record.corrections[n + 1:])
                    if correction.removed and correction.account in have and not back:
                        problem(here + ("removed",), (
                            f"the event still has an account from '{correction.account}', so it "
                            "was not removed; leave 'removed' out, or take the account off (an "
                            "account put back is named by a later correction)"))
                    elif not correction.removed and correction.account not in have:
                        shown = ", ".join(sorted(have))
                        problem(here + ("account",), (
                            f"the event has no account from '{correction.account}' (it has: "
                            f"{shown}); name one of them, or write 'removed: true' if the "
                            "correction took that account off"))
                for name in ("before", "now", "why"):
                    text = getattr(correction, name)
                    if len(text) > limit:
                        problem(here + (name,), (
                            f"{len(text)} characters, over the limit of {limit} "
                            "(corrections_max_chars in site.yaml); say it in short: the "
                            "page itself holds the rest"))
    listing = [page for page in content.pages if page.lists == "corrections"]
    for page in listing[1:]:
        first = content.origins[("page", listing[0].id)].path
        problems.append(content.problem("page", page.id, ("lists",), (
            f"{first} already lists the corrections; one page does: remove 'lists:' here")))
    return problems


def _line_in_body(raw: RawRecord, needle: str) -> int:
    """The body line an address came from, also when it was written with entities or spaces
    (jav&#x61;script:)."""
    squeezed = re.sub(r"\s", "", needle)
    for offset, line in enumerate(raw.body.split("\n")):
        if needle in line or (squeezed and squeezed in re.sub(r"\s", "", html.unescape(line))):
            return raw.body_line + offset
    return raw.body_line


# Invisible characters that have no place in editors' text: control characters (other than tab
# and line break), line and paragraph separators, and the bidirectional overrides that make
# text read differently from how it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def control_characters(raw: RawRecord) -> list[Problem]:
    """Every text in the record, and its body, that holds an invisible control character."""
    found: list[Problem] = []
    prefix: Loc = (raw.id,) if raw.kind == "party" else ()

    def message(text: str) -> str:
        code = f"U+{ord(_CONTROL.search(text).group()):04X}"
        return (f"contains the invisible control character {code}; delete it (it often comes "
                "with text pasted from elsewhere)")

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, loc + (key,))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, loc + (index,))
        elif isinstance(value, str) and _CONTROL.search(value):
            found.append(Problem(raw.path, raw.line_of(loc), loc_text(prefix + loc),
                                 message(value)))

    walk(raw.data, ())
    if _CONTROL.search(raw.body):
        for offset, line in enumerate(raw.body.split("\n")):
            if _CONTROL.search(line):
                found.append(Problem(raw.path, raw.body_line + offset, "body", message(line)))
                break
    return found


def _placeholders(raw: RawRecord) -> list[Problem]:
    """Every '[to do: ...]' a skeleton left in the record, and the mark of an example that
    `parallax init` wrote, so none is published by mistake."""
    found: list[Problem] = []
    prefix: Loc = (raw.id,) if raw.kind == "party" else ()

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, loc + (key,))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, loc + (index,))
        elif isinstance(value, str) and PLACEHOLDER in value.lower():
            found.append(Problem(raw.path, raw.line_of(loc), loc_text(prefix + loc),
                                 f"still the skeleton's placeholder {_shown(value)}; replace it"))

    walk(raw.data, ())
    at_line = {line: loc for loc, line in sorted(raw.lines.items(), key=lambda item: len(item[0]))}
    for line, comment in raw.marked:
        if EXAMPLE in comment.lower() and PLACEHOLDER not in comment.lower():
            found.append(Problem(raw.path, line, "example", (
                f"an example that parallax init wrote, not part of this site; replace it with "
                f"your own {raw.kind}, or delete the file")))
            continue
        found.append(Problem(raw.path, line, loc_text(prefix + at_line.get(line, ())), (
            f"still the skeleton's placeholder {_shown(comment)}; check the value, then "
            "delete the comment")))
    for offset, line in enumerate(raw.body.split("\n")):
        if PLACEHOLDER in line.lower():
            found.append(Problem(raw.path, raw.body_line + offset, "body", (
                f"still the skeleton's placeholder {_shown(line.strip())}; replace it")))
    return found


def _with_warnings(content: Content, found: tuple[Problem, ...], cited_sources: set[str],
                   credited: set[str]) -> Content:
    """`cited_sources`, `credited`: the sources the events cite and the parties they credit."""
    warnings: list[Problem] = list(found)
    # A body whose person or part is credited is credited through them (its origin count).
    while True:
        bodies = {p.part_of for i, p in content.parties.items() if p.part_of and i in credited}
        if bodies <= credited:
            break
        credited |= bodies
    for source in content.sources:
        if source.id not in cited_sources:
            warnings.append(content.problem("source", source.id, (), (
                "no event cites this source; add an account from it, or remove the file")))
    for party_id in content.parties:
        if party_id not in credited:
            warnings.append(content.problem("party", party_id, (), (
                "no account credits this party; credit it from an account, or remove it")))
    warnings.extend(_look_clashes(content))
    return Content(**{**content.__dict__, "warnings": tuple(sorted(warnings))})


def _look_clashes(content: Content) -> list[Problem]:
    """Two outlets drawn alike (same colour, same shape): each after the first is told which
    shape, or which pair, no outlet has yet."""
    found: list[Problem] = []
    first: dict[tuple[str, str], Source] = {}
    taken = {colours.look(s.id, s.colour, s.shape) for s in content.sources}
    for source in content.sources:
        pair = colours.look(source.id, source.colour, source.shape)
        if pair not in first:
            first[pair] = source
            continue
        other = first[pair]
        colour, shape = pair
        how = ("as its record sets them" if source.colour and source.shape
               else "derived from its id where its record sets none")
        free_shapes = [s for s in colours.SHAPES if (colour, s) not in taken]
        free = colours.free_look(source.id, taken)
        fix = (f"'shape: {free_shapes[0]}' (no {colour} outlet has it), or "
               if free_shapes else "")
        found.append(content.problem("source", source.id, ("shape",), (
            f"colour '{colour}' and shape '{shape}' ({how}) are also {other.outlet}'s "
            f"({other.id}): two outlets must differ in colour or shape; write {fix}"
            f"'colour: {free[0]}' and 'shape: {free[1]}' (a pair no outlet has)")))
    return found

