"""Validate stage: `RawContent` → `Content` (frozen models, cross-references checked).

Every problem in every record is collected before anything is raised, so editors see them
all in one run, each as `path:line: field: message`.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from .errors import ContentError, Problem
from .load import Loc, RawContent, RawRecord, loc_text
from .models import (
    EventRecord,
    Page,
    Party,
    SiteSettings,
    Source,
)


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
        """A Problem pointing at `loc` inside a record (e.g. ('accounts', 0, 'said_when'))."""
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


def validate_content(raw: RawContent) -> Content:
    problems: list[Problem] = list(raw.problems)
    built: dict[str, list[Any]] = {kind: [] for kind in MODELS}
    origins: dict[tuple[str, str], RawRecord] = {}

    for record in raw.records:
        key = (record.kind, record.id)
        if key in origins:
            first = origins[key]
            problems.append(Problem(record.path, record.line, "", (
                f"duplicate {record.kind} id '{record.id}' (also {first.path}:{first.line}); "
                "rename one of the files"
            )))
            continue
        origins[key] = record
        model = built_model(record, problems)
        if model is not None:
            built[record.kind].append((record.id, model))

    if not built["site"]:
        raise ContentError(problems)

    def models(kind: str) -> list[Any]:
        return [model for _, model in sorted(built[kind], key=lambda pair: pair[0])]

    content = Content(
        site=built["site"][0][1],
        sources=tuple(models("source")),
        events=tuple(models("event")),
        pages=tuple(models("page")),
        parties=dict(sorted(built["party"], key=lambda pair: pair[0])),
        origins=origins,
        warnings=(),
    )
    # Records that failed above still count as known ids, so one broken file does not make
    # every account that cites it "unknown" too.
    known = {kind: sorted({r.id for r in raw.records if r.kind == kind}) for kind in ("source", "party")}
    problems.extend(_cross_references(content, known["source"], known["party"]))
    if problems:
        raise ContentError(problems)
    return _with_warnings(content)


def built_model(record: RawRecord, problems: list[Problem]) -> BaseModel | None:
    model = MODELS[record.kind]
    data = record.data
    if not isinstance(data, dict):
        problems.append(Problem(record.path, record.line, record.id if record.kind == "party" else "", (
            "expected 'key: value' lines here"
        )))
        return None
    extra: dict[str, Any] = {}
    if record.kind in ("source", "event", "page"):
        for reserved in ("id", "body"):
            if reserved in data:
                problems.append(Problem(record.path, record.line_of((reserved,)), reserved, (
                    f"'{reserved}' is set by Parallax (the file name, the text after the front "
                    "matter); remove this key"
                )))
                return None
        extra = {"id": record.id, "body": record.body}
    try:
        return model.model_validate({**data, **extra})
    except ValidationError as error:
        prefix: Loc = (record.id,) if record.kind == "party" else ()
        for detail in error.errors(include_url=False):
            loc = tuple(detail["loc"])
            problems.append(Problem(
                record.path, _line_for(record, loc, detail), loc_text(prefix + loc),
                explain(model, loc, detail, record),
            ))
        return None


def _line_for(record: RawRecord, loc: Loc, detail: dict) -> int:
    if detail["type"] == "missing":
        return record.line_of(loc[:-1]) if len(loc) > 1 else record.line
    return record.line_of(loc)


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


def explain(model: type[BaseModel], loc: Loc, detail: dict, record: RawRecord) -> str:
    kind, message, value = detail["type"], detail["msg"], detail.get("input")
    if kind == "extra_forbidden":
        holder = _model_at(model, loc)
        known = sorted(k for k in (holder.model_fields if holder else {}) if k not in ("id", "body"))
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
        return f"unknown key '{loc[-1]}'; {hint}"
    if kind == "missing":
        return f"required field missing; add '{loc[-1]}:'"
    if loc in record.booleans and kind in ("string_type", "date_type", "int_type", "float_type"):
        word = "true" if value else "false"
        return (f"YAML read a bare yes/no/on/off as the boolean {word}; put the word in quotes "
                "(e.g. 'no')")
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Assertion failed, "):
        return message.removeprefix("Assertion failed, ")
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("url", "base_url"):
        return f"not a web address: {value!r}; write the full address starting with https://"
    if kind == "string_pattern_mismatch":
        return (f"{value!r} is not an id: use lower-case letters, digits and single hyphens "
                "(e.g. syrian-observatory)")
    if kind == "enum":
        return f"{message[0].lower()}{message[1:]} (got {value!r})"
    if kind in ("list_type", "dict_type", "model_type"):
        shape = {"list_type": "a list (one '- item' per line, or [a, b])",
                 "dict_type": "'key: value' lines", "model_type": "'key: value' lines"}[kind]
        return f"should be {shape}, not {_short(value)}"
    return f"{message[0].lower()}{message[1:]} (got {_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- cross-references ----------------------------------------------------------------------------


def _unknown(what: str, value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    listed = ", ".join(known) if known else "none yet"
    return f"unknown {what} '{value}'; {hint}known {what}s: {listed}"


def _cross_references(content: Content, source_ids: list[str], party_ids: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    limit = content.site.quote_max_words

    for party_id, party in content.parties.items():
        if party.part_of and party.part_of not in party_ids:
            problems.append(content.problem("party", party_id, ("part_of",),
                                            _unknown("credited party", party.part_of, party_ids)))

    for event in content.events:
        for a, account in enumerate(event.accounts):
            here: Loc = ("accounts", a)
            if account.source not in source_ids:
                problems.append(content.problem("event", event.id, here + ("source",),
                                                _unknown("source", account.source, source_ids)))
            for c, credit in enumerate(account.credits):
                if credit not in party_ids:
                    problems.append(content.problem("event", event.id, here + ("credits", c),
                                                    _unknown("credited party", credit, party_ids)))
            for f, figure in enumerate(account.figures):
                if figure.credited_to and figure.credited_to not in party_ids:
                    problems.append(content.problem(
                        "event", event.id, here + ("figures", f, "credited_to"),
                        _unknown("credited party", figure.credited_to, party_ids)))
            for q, quote in enumerate(account.quotes):
                words = len(quote.replace("…", " ").split())
                if words > limit:
                    problems.append(content.problem("event", event.id, here + ("quotes", q), (
                        f"the quote is {words} words, over the limit of {limit}; cite it as "
                        "several shorter quotes, or join the parts that matter with '…'"
                    )))
    return problems


def _with_warnings(content: Content) -> Content:
    warnings: list[Problem] = []
    cited_sources = {a.source for e in content.events for a in e.accounts}
    credited = {c for e in content.events for a in e.accounts for c in a.credits}
    credited |= {f.credited_to for e in content.events for a in e.accounts for f in a.figures}
    credited |= {p.part_of for p in content.parties.values() if p.part_of and p.part_of in credited}
    for source in content.sources:
        if source.id not in cited_sources:
            warnings.append(content.problem("source", source.id, (), (
                "no event cites this source; add an account from it, or remove the file")))
    for event in content.events:
        if len(event.accounts) == 1 and not event.reported_by_one:
            warnings.append(content.problem("event", event.id, ("accounts",), (
                "only one source reports this event; check the others, and if none reports "
                "it, add 'reported_by_one: true'")))
    for party_id in content.parties:
        if party_id not in credited:
            warnings.append(content.problem("party", party_id, (), (
                "no account credits this party; credit it from an account, or remove it")))
    return Content(**{**content.__dict__, "warnings": tuple(sorted(warnings))})
