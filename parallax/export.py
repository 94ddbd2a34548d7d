"""Render stage helper: open data (site/data/), linked data for pages, sitemap.xml and robots.txt.

Everything here is plain data in, bytes or dicts out: the render stage decides where it goes.
Files under site/data/:

- timeline.json: the whole timeline (its contract: timeline.schema.json beside it);
- schema.json: the JSON Schema of what editors write;
- events.csv, accounts.csv, figures.csv, sources.csv, parties.csv: one row per record, joined
  by their ids (accounts.event_id, accounts.source_id, figures.account_id, ...);
- corrections.csv: one row per correction of an event or a source, newest first;
- timelinejs.json: the accounts as a TimelineJS3 timeline, one group per source.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from . import __version__
from .models import (
    Attributed,
    Event,
    Level,
    PageFrontMatter,
    Party,
    SiteSettings,
    Source,
    SourceFrontMatter,
)
from .resolve import PlacedAccount, PlacedEvent, Timeline
from .views import LoggedCorrection, event_origins, site_corrections
from .when import Interval, Precision

SCHEMA_VERSION = 2


def _label(interval: Interval) -> str:
    return _wording(interval, interval.start.tzinfo, interval.end.tzinfo)


# Each account's time is worded in four files, and wording it is much of what they cost. The
# time zones are part of the key: equal instants in two zones are equal Intervals, worded
# differently.
@functools.lru_cache(maxsize=1 << 14)
def _wording(interval: Interval, start_zone: Any, end_zone: Any) -> str:
    return interval.describe()


def interval_json(interval: Interval) -> dict[str, Any]:
    return {
        "start": interval.start.isoformat(),
        "end": interval.end.isoformat(),
        "precision": interval.precision.value,
        "approximate": interval.approximate,
        "label": _label(interval),
    }


def chain_json(said: Attributed) -> dict[str, Any]:
    """A quote's or figure's attribution: whose voice, through which chain, with what stance."""
    return {
        "voice": "relayed" if said.via else "own",
        "via": [link.model_dump(mode="json") for link in said.via] if said.via else None,
        "stance": said.stance.value if said.via else None,
        "claimants": list(said.claimants),
    }


def account_json(placed: PlacedAccount) -> dict[str, Any]:
    account = placed.account
    return {
        "id": placed.id,
        "source": account.source,
        "quotes": [{"n": n, "text": q.text, **chain_json(q)}
                   for n, q in enumerate(account.quotes, start=1)],
        "time_words": [{
            **d.words.model_dump(mode="json", exclude={"quotes"}),
            "quotes": list(d.quotes),
            "resolved": {**interval_json(d.time), "basis": d.basis, "explanation": d.explanation},
        } for d in placed.datings],
        "figures": [{**f.model_dump(mode="json", exclude={"via", "stance"}), **chain_json(f)}
                    for f in account.figures],
        "note": account.note,
        "outside_note": account.outside_note and account.outside_note.model_dump(mode="json"),
        "resolved": {**interval_json(placed.time), "basis": placed.basis,
                     "explanation": placed.explanation},
        "differs_from_event": placed.differs,
    }


def origins_json(origins: Any) -> list[dict[str, Any]]:
    return [{"kind": o.kind, "id": o.id, "name": o.name, "outlets": list(o.outlets),
             "statements": o.statements} for o in origins]


def event_json(placed: PlacedEvent, origins: Any = ()) -> dict[str, Any]:
    event = placed.event.model_dump(mode="json", exclude={"accounts", "body", "id"})
    return {
        "id": placed.id,
        "title": placed.event.title,
        "start": placed.placement.start.isoformat(),
        "end": placed.placement.end.isoformat(),
        "precision": placed.placement.precision.value,
        "approximate": placed.placement.approximate,
        "label": _label(placed.placement),
        "band": placed.band,
        "page": f"events/{placed.id}/",
        **{k: v for k, v in event.items() if k != "title"},
        "summary": placed.event.body.strip(),
        "accounts": [account_json(a) for a in placed.accounts],
        "silent_sources": list(placed.silent_sources),
        "timing_differences": [d.message for d in placed.differences],
        "origins": origins_json(origins),
    }


def timeline_json(timeline: Timeline, event: Callable[[PlacedEvent], Any] | None = None
                  ) -> dict[str, Any]:
    event = event or (lambda e: event_json(e, event_origins(timeline, e)))
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"Parallax {__version__}",
        "site": timeline.site.model_dump(mode="json"),
        "sources": [
            {
                "id": s.id,
                **s.model_dump(mode="json", exclude={"id", "body"}),
                "note": s.body.strip(),
                "page": f"sources/{s.id}/",
                "reference": interval_json(timeline.source_dates[s.id]),
            }
            for s in timeline.sources
        ],
        "parties": [
            {"id": party_id, **party.model_dump(mode="json"), "page": f"credited/{party_id}/"}
            for party_id, party in timeline.parties.items()
        ],
        "events": [event(e) for e in timeline.events],
    }


def content_schema() -> dict[str, Any]:
    """JSON Schema of every kind of record editors write, derived from the models."""
    from pydantic.json_schema import models_json_schema  # only here: it takes long to import

    _, schema = models_json_schema(
        [(m, "validation") for m in (SiteSettings, SourceFrontMatter, Event, PageFrontMatter, Party)],
        title="Parallax content",
        ref_template="#/$defs/{model}",
    )
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


@functools.cache
def _content_schema_file() -> bytes:
    return dumps(content_schema())  # the models' alone: the same for every build of this code


def dumps(data: Any) -> bytes:
    """Indented JSON, for the small files people read (the schemas)."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _compact(value: Any) -> str:
    # Without `indent`, json runs its C encoder: the pure-Python one it falls back to for
    # indented output takes seconds over a newsroom's timeline.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _encoded(item: Any) -> bytes:
    """One line of JSON (UTF-8) for `item`."""
    return _compact(item).encode("utf-8")


def _lines_of(items: Any) -> bytes:
    """Items of a top-level list, one line of JSON each (the engine keeps each event's)."""
    return b",\n".join(_encoded(item) for item in items)


Bytes = bytes | memoryview
"""Lines already made: an event's part of a data file (a view of the last build's file when
the engine kept it)."""


def dumps_by_line(data: dict[str, Any],
                  places: dict[tuple[str, int], tuple[int, int]] | None = None) -> bytes:
    """JSON with one top-level key per line and one item of each top-level list per line:
    compact enough for tens of thousands of records, and a change to one record is a change
    to one line. An item of a top-level list given as bytes is lines of JSON already made
    (`_lines_of`; empty: no items); `places` is told where each such item went: (offset,
    length) in the result, by (key, index in its list)."""
    chunks: list[Bytes] = []
    size = 0

    def add(chunk: Bytes) -> None:
        nonlocal size
        chunks.append(chunk)
        size += len(chunk)

    add(b"{\n")
    last = len(data) - 1
    for n, (key, value) in enumerate(data.items()):
        comma = b"," if n < last else b""
        name = _encoded(key)
        if not isinstance(value, list):
            add(name + b":" + _encoded(value) + comma + b"\n")
            continue
        add(name + b":[")
        first = True
        for index, item in enumerate(value):
            made = isinstance(item, (bytes, memoryview))
            if made and not len(item):
                if places is not None:
                    places[(key, index)] = (size, 0)
                continue
            add(b"\n" if first else b",\n")
            first = False
            if made and places is not None:
                places[(key, index)] = (size, len(item))
            add(item if made else _encoded(item))
        add(b"]" + comma + b"\n" if first else b"\n]" + comma + b"\n")
    add(b"}\n")
    return b"".join(chunks)


Part = Callable[[str, PlacedEvent, Callable[[PlacedEvent], Any]], Any]
"""(part name, event, how to make it) → what the event gives one data file; the engine passes
one that remembers each event's part, so an edit redoes only the edited event's rows."""


def _make(part: str, placed: PlacedEvent, make: Callable[[PlacedEvent], Any]) -> Any:
    return make(placed)


DATA_FILES = ("data/timeline.json", "data/timeline.schema.json", "data/schema.json",
              "data/events.csv", "data/accounts.csv", "data/quotes.csv", "data/figures.csv",
              "data/sources.csv", "data/parties.csv", "data/corrections.csv",
              "data/timelinejs.json")
"""The data files every build writes (`data_files` makes them)."""


PART_FILES = {"timeline": "data/timeline.json", "events": "data/events.csv",
              "accounts": "data/accounts.csv", "quotes": "data/quotes.csv",
              "figures": "data/figures.csv", "slides": "data/timelinejs.json"}
"""The data file each kind of an event's part goes to."""

Places = dict[tuple[str, str], tuple[int, int]]
"""Where each event's part went in its data file: (offset, length) by (part, event id)."""


def data_files(timeline: Timeline, part: Part | None = None,
               places: Places | None = None) -> dict[str, bytes]:
    """Every data file. `part` makes (or finds) each event's part of a file; `places` is told
    where each part went."""
    made = part or _make
    events = timeline.events

    def kept(name: str, make: Callable[[PlacedEvent], Any]) -> Callable[[PlacedEvent], Any]:
        return lambda placed: made(name, placed, make)

    def put(name: str, found: list[tuple[int, int]]) -> None:
        if places is not None:
            for placed, where in zip(events, found, strict=True):
                places[(name, placed.id)] = where

    def table(name: str, header: list[str], make: Callable[[PlacedEvent], Bytes]) -> bytes:
        found: list[tuple[int, int]] = []
        data = joined_table(header, [made(name, e, make) for e in events], found)
        put(name, found)
        return data

    def by_line(name: str, data: dict[str, Any]) -> bytes:
        found: dict[tuple[str, int], tuple[int, int]] = {}
        encoded = dumps_by_line(data, found)
        put(name, [found[("events", n)] for n in range(len(events))])
        return encoded

    files = {
        "data/timeline.json": by_line("timeline", timeline_json(
            timeline, kept("timeline", lambda e: _encoded(
                event_json(e, event_origins(timeline, e)))))),
        "data/timeline.schema.json": dumps(TIMELINE_SCHEMA),
        "data/schema.json": _content_schema_file(),
        # One row per event, per account, per quote, per figure.
        "data/events.csv": table("events", EVENTS_HEADER, lambda e: csv_lines(
            EVENTS_HEADER, [event_row(timeline, e)])),
        "data/accounts.csv": table("accounts", ACCOUNTS_HEADER, lambda e: csv_lines(
            ACCOUNTS_HEADER, account_rows(timeline, e))),
        "data/quotes.csv": table("quotes", QUOTES_HEADER, lambda e: csv_lines(
            QUOTES_HEADER, quote_rows(timeline, e))),
        "data/figures.csv": table("figures", FIGURES_HEADER, lambda e: csv_lines(
            FIGURES_HEADER, event_figure_rows(e))),
        "data/sources.csv": sources_csv(timeline),
        "data/parties.csv": parties_csv(timeline),
        "data/corrections.csv": corrections_csv(timeline),
        "data/timelinejs.json": by_line("slides", timelinejs_json(
            timeline, kept("slides", lambda e: _lines_of(timelinejs_slides(timeline, e))))),
    }
    assert tuple(files) == DATA_FILES, "DATA_FILES names every data file"
    return files


# --- addresses -----------------------------------------------------------------------------------


def page_path(path: str) -> str:
    """The address of the page at `path` under the site's root ('events/x/index.html' → 'events/x/')."""
    if path == "index.html" or path.endswith("/index.html"):
        return path.removesuffix("index.html")
    return path


def page_url(site: SiteSettings, path: str) -> str | None:
    """The published address of the page at `path` (base_url + 'events/x/'), or None for a
    site without an address."""
    return None if site.base_url is None else site.base_url + page_path(path)


def event_url(site: SiteSettings, event_id: str) -> str | None:
    return page_url(site, f"events/{event_id}/index.html")


# --- the contract of timeline.json -----------------------------------------------------------------

_INTERVAL = {
    "type": "object",
    "required": ["start", "end", "precision", "approximate", "label"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "precision": {"enum": [p.value for p in Precision]},
        "approximate": {"type": "boolean"},
        "label": {"type": "string"},
    },
}
_ID = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}
_TEXT_OR_NULL = {"type": ["string", "null"]}

TIMELINE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Parallax timeline.json",
    "description": "Every source and every event with each source's account of it, placed in "
                   "the site's time zone. Fields not listed here may be added in later versions "
                   "of the same schema_version; a field listed here changes meaning only with a "
                   "new schema_version.",
    "type": "object",
    "required": ["schema_version", "generator", "site", "sources", "parties", "events"],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "generator": {"type": "string"},
        "site": {"type": "object", "required": ["title", "base_url", "timezone", "window"],
                 "properties": {"base_url": {
                     "type": ["string", "null"],
                     "description": "The published address, ending in '/'; null when the "
                                    "site was built without one."}}},
        "sources": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "outlet", "title", "published", "url", "byline", "page",
                         "reference", "confidence"],
            "properties": {
                "id": _ID, "outlet": {"type": "string"}, "title": {"type": "string"},
                "byline": _TEXT_OR_NULL, "url": _TEXT_OR_NULL, "published": {"type": "string"},
                "page": {"type": "string"}, "reference": {"$ref": "#/$defs/interval"},
                "added": {"$ref": "#/$defs/added"},
                "corrections": {"$ref": "#/$defs/corrections"},
            },
        }},
        "parties": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "kind", "page"],
            "properties": {"id": _ID, "name": {"type": "string"}, "page": {"type": "string"}},
        }},
        "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
    },
    "$defs": {
        "interval": _INTERVAL,
        "event": {
            "type": "object",
            "required": ["id", "title", "start", "end", "precision", "approximate", "label",
                         "band", "page", "accounts", "silent_sources", "timing_differences",
                         "origins"],
            "properties": {
                "id": _ID,
                "title": {"type": "string"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "band": {"enum": ["before", "window", "after"]},
                "accounts": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/account"}},
                "silent_sources": {"type": "array", "items": _ID},
                "timing_differences": {"type": "array", "items": {"type": "string"}},
                "origins": {"type": "array", "items": {"$ref": "#/$defs/origin"}},
                "added": {"$ref": "#/$defs/added"},
                "corrections": {"$ref": "#/$defs/corrections"},
            },
        },
        "added": {"type": ["string", "null"], "format": "date",
                  "description": "The day the record was first published on the site."},
        "corrections": {
            "type": "array",
            "description": "Every change made to the record after it was published, oldest "
                           "first.",
            "items": {
                "type": "object",
                "required": ["date", "kind", "account", "removed", "field", "before", "now",
                             "why"],
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "kind": {"enum": ["correction", "clarification", "update"]},
                    "account": {"oneOf": [{"type": "null"}, _ID],
                                "description": "The source id of the account it concerns."},
                    "removed": {"type": "boolean",
                                "description": "Whether that account was taken off the record."},
                    "field": _TEXT_OR_NULL,
                    "before": {"type": "string"},
                    "now": {"type": "string"},
                    "why": {"type": "string"},
                },
            },
        },
        "attribution": {
            "type": "object",
            "required": ["voice", "via", "stance", "claimants"],
            "properties": {
                "voice": {"enum": ["own", "relayed"]},
                "via": {"oneOf": [{"type": "null"}, {"type": "array", "minItems": 1, "items": {
                    "type": "object",
                    "required": ["party", "credit", "identified", "continues"],
                    "properties": {
                        "party": {"oneOf": [_ID, {"type": "array", "minItems": 2,
                                                  "items": _ID}]},
                        "credit": {"type": "string", "minLength": 1},
                        "identified": {"type": "array", "items": {"type": "string"}},
                        "continues": {"type": ["string", "null"]},
                    }}}]},
                "stance": {"enum": ["reported", "disputed", None]},
                "claimants": {"type": "array", "items": _ID},
            },
        },
        "origin": {
            "type": "object",
            "required": ["kind", "id", "name", "outlets", "statements"],
            "properties": {
                "kind": {"enum": ["party", "outlet"]},
                "id": _ID,
                "name": {"type": "string"},
                "outlets": {"type": "array", "items": _ID},
                "statements": {"type": "integer", "minimum": 1},
            },
        },
        "resolution": {"allOf": [{"$ref": "#/$defs/interval"}, {
            "type": "object", "required": ["basis", "explanation"],
            "properties": {"basis": {"enum": ["words", "resolved_as", "event"]},
                           "explanation": {"type": "string"}},
        }]},
        "account": {
            "type": "object",
            "required": ["id", "source", "quotes", "time_words", "figures", "note",
                         "outside_note", "resolved", "differs_from_event"],
            "properties": {
                "id": {"type": "string"},
                "source": _ID,
                "quotes": {"type": "array", "minItems": 1, "items": {"allOf": [
                    {"$ref": "#/$defs/attribution"},
                    {"type": "object", "required": ["n", "text"],
                     "properties": {"n": {"type": "integer", "minimum": 1},
                                    "text": {"type": "string"}}}]}},
                "time_words": {"type": "array", "items": {
                    "type": "object", "required": ["said", "dates", "quotes", "resolved"],
                    "properties": {
                        "said": {"type": "string"},
                        "dates": {"enum": ["event", "report"]},
                        "quotes": {"type": "array", "minItems": 1,
                                   "items": {"type": "integer", "minimum": 1}},
                        "resolved": {"$ref": "#/$defs/resolution"},
                    },
                }},
                "figures": {"type": "array", "items": {"allOf": [
                    {"$ref": "#/$defs/attribution"},
                    {"type": "object", "required": ["topic", "as_written"]}]}},
                "note": {"type": "string"},
                "outside_note": {"oneOf": [{"type": "null"}, {
                    "type": "object", "required": ["text", "source"]}]},
                "resolved": {"$ref": "#/$defs/resolution"},
                "differs_from_event": {"type": "boolean"},
            },
        },
    },
}


# --- tables (CSV) --------------------------------------------------------------------------------


def table(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 CSV with a header row and '\\n' line ends; None → empty, booleans → true/false,
    text that a spreadsheet would read as a formula → led by an apostrophe."""
    return joined_table(header, [csv_lines(header, rows)])


def csv_lines(header: list[str], rows: list[list[Any]]) -> bytes:
    """The CSV lines of `rows` (cells as `table` writes them), without the header: one
    event's share of a table, which the engine keeps between builds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row of {len(row)} cells for {len(header)} columns: {row!r}")
        writer.writerow([_cell(value) for value in row])
    return out.getvalue().encode("utf-8")


def joined_table(header: list[str], parts: list[Bytes],
                 places: list[tuple[int, int]] | None = None) -> bytes:
    """A table from its header and the CSV lines of each part, in order; `places` is given
    where each part went: (offset, length) in the result."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header)
    head = out.getvalue().encode("utf-8")
    if places is not None:
        offset = len(head)
        for part in parts:
            places.append((offset, len(part)))
            offset += len(part)
    return b"".join([head, *parts])


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP's list for CSV
# injection): `=HYPERLINK(...)` in a title would become a live link. Such text cells get a
# leading apostrophe, which spreadsheets show as text; numbers are written as numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def number(value: float) -> str:
    """12000.0 → '12000', 2.5 → '2.5': as a spreadsheet reads it, without a trailing '.0'."""
    return str(int(value)) if float(value).is_integer() else repr(value)


# Several values in one cell: ids (which have no spaces) joined by a space; free text (quotes,
# spellings) one per line, which CSV keeps inside the quoted cell.
def _ids(values: Any) -> str:
    return " ".join(values)


def _lines(values: Any) -> str:
    return "\n".join(values)


def event_row(timeline: Timeline, e: PlacedEvent) -> list[Any]:
    return [
        e.id, e.event.title, _label(e.placement), e.placement.start.isoformat(),
        e.placement.end.isoformat(), e.placement.precision.value, e.placement.approximate, e.band,
        e.event.place, e.event.context, _ids(e.event.tags),
        _ids(a.account.source for a in e.accounts), _ids(e.silent_sources), e.event.body.strip(),
        event_url(timeline.site, e.id),
    ]


EVENTS_HEADER = ["id", "title", "when", "start", "end", "precision", "approximate", "band",
                 "place", "context", "tags", "sources", "silent_sources", "summary", "url"]


def chain_text(said: Attributed) -> str:
    """A chain in one cell: links joined by ' > ' from the party the outlet names to the original
    claimant, the members of a group by '+' (cnn > syrian-government-media+syrian-observatory)."""
    return " > ".join("+".join(link.members) for link in said.via or ())


def credits_text(said: Attributed) -> str:
    """The article's words that credit each link of the chain, in the chain's order, joined by
    ' > ' as the chain is."""
    return " > ".join(link.credit for link in said.via or ())


def _attribution(said: Attributed) -> list[Any]:
    """voice, chain, credits, stance, claimants."""
    return ["relayed" if said.via else "own", chain_text(said), credits_text(said),
            said.stance.value if said.via else None, _ids(said.claimants)]


def _anchored(url: str | None, anchor: str) -> str | None:
    return None if url is None else f"{url}#{anchor}"


def account_rows(timeline: Timeline, e: PlacedEvent) -> list[list[Any]]:
    rows = []
    for a in e.accounts:
        account = a.account
        sets = account.time_words
        outside = account.outside_note
        rows.append([
            a.id, e.id, account.source, _lines(t.said for t in sets),
            _lines(t.counted_from.date if t.counted_from else "" for t in sets),
            _lines(t.counted_from.why if t.counted_from else "" for t in sets),
            _lines(t.resolved_as or "" for t in sets), _label(a.time),
            a.time.start.isoformat(), a.time.end.isoformat(), a.time.precision.value,
            a.time.approximate, a.basis, a.explanation, a.differs, _ids(account.parties),
            _lines(q.text for q in account.quotes), account.note,
            outside and outside.text, outside and outside.source,
            _anchored(event_url(timeline.site, e.id), f"account-{account.source}"),
        ])
    return rows


ACCOUNTS_HEADER = ["id", "event_id", "source_id", "time_words", "counted_from",
                   "counted_from_why", "resolved_as", "when", "start", "end", "precision",
                   "approximate", "basis", "explanation", "differs_from_event", "parties",
                   "quotes", "note", "outside_note", "outside_note_source", "url"]


QUOTES_HEADER = ["id", "account_id", "event_id", "source_id", "n", "text", "voice", "chain",
                 "credits", "stance", "claimants", "time_words", "url"]


def quote_rows(timeline: Timeline, e: PlacedEvent) -> list[list[Any]]:
    """One row per quote of the event: '<account id>--q<n>', n counting from 1 in the account's
    order."""
    rows = []
    for a in e.accounts:
        for n, quote in enumerate(a.account.quotes, start=1):
            words = [d.words.said for d in a.datings if n in d.quotes]
            rows.append([
                f"{a.id}--q{n}", a.id, e.id, a.account.source, n, quote.text,
                *_attribution(quote), _lines(words),
                _anchored(event_url(timeline.site, e.id),
                          f"account-{a.account.source}-quote-{n}"),
            ])
    return rows


FIGURES_HEADER = ["id", "account_id", "event_id", "source_id", "topic", "value", "low", "high",
                  "as_written", "voice", "chain", "credits", "stance", "claimants"]


def event_figure_rows(e: PlacedEvent) -> list[list[Any]]:
    """One row per figure of the event, its id '<account id>--<n>', n counting from 1 in the
    account's order."""
    return [[
        f"{a.id}--{n}", a.id, e.id, a.account.source, f.topic, f.value, f.low, f.high,
        f.as_written, *_attribution(f),
    ] for a in e.accounts for n, f in enumerate(a.account.figures, start=1)]


def sources_csv(timeline: Timeline) -> bytes:
    header = ["id", "outlet", "title", "byline", "published", "published_start", "published_end",
              "timezone", "url", "copy_read_site", "copy_read_url", "confidence_outlet",
              "confidence_byline", "confidence_published", "confidence_url", "note", "page_url"]
    rows = []
    for s in timeline.sources:
        reference = timeline.source_dates[s.id]
        copy = s.copy_read
        rows.append([
            s.id, s.outlet, s.title, s.byline, s.published, reference.start.isoformat(),
            reference.end.isoformat(), s.timezone, s.url, copy and copy.site, copy and copy.url,
            s.confidence.outlet.level.value, s.confidence.byline.level.value,
            s.confidence.published.level.value, s.confidence.url.level.value, s.body.strip(),
            page_url(timeline.site, f"sources/{s.id}/index.html"),
        ])
    return table(header, rows)


CORRECTIONS_HEADER = ["id", "record_kind", "record_id", "date", "n", "kind", "account",
                      "removed", "field", "before", "now", "why", "url"]


def corrections_csv(timeline: Timeline) -> bytes:
    """Every correction, newest first as on the corrections page; `id` is
    `<record kind>:<record id>:<date>:<n>` (the feed entry's id without the site's feed id)."""
    rows = [[
        f"{c.kind}:{c.record_id}:{c.correction.date}:{c.n}", c.kind, c.record_id,
        c.correction.date, c.n, c.correction.kind.value, c.correction.account,
        c.correction.removed, c.correction.field, c.correction.before, c.correction.now,
        c.correction.why, _anchored(page_url(timeline.site, c.page + "index.html"),
                                    f"correction-{c.correction.date}-{c.n}"),
    ] for c in site_corrections(timeline)]
    return table(CORRECTIONS_HEADER, rows)


def parties_csv(timeline: Timeline) -> bytes:
    header = ["id", "name", "kind", "part_of", "spellings", "note", "page_url"]
    rows = [[
        party_id, p.name, p.kind.value, p.part_of, _lines(p.spellings), p.note,
        page_url(timeline.site, f"credited/{party_id}/index.html"),
    ] for party_id, p in timeline.parties.items()]
    return table(header, rows)


# --- TimelineJS3 -----------------------------------------------------------------------------------

# The date fields TimelineJS reads, finest last, and how many of them each precision fills.
_TLJS_FIELDS = ("year", "month", "day", "hour", "minute")
_TLJS_DEPTH = {Precision.year: 1, Precision.month: 2, Precision.day: 3, Precision.days: 3,
               Precision.part_of_day: 4, Precision.time: 5}


def timelinejs_date(moment: Any, precision: Precision) -> dict[str, int]:
    values = (moment.year, moment.month, moment.day, moment.hour, moment.minute)
    return dict(zip(_TLJS_FIELDS[:_TLJS_DEPTH[precision]], values, strict=False))


def timelinejs_dates(interval: Interval) -> dict[str, Any]:
    """start_date, end_date when the time spans more than one unit of its precision, and the
    site's own wording as display_date; all in the site's time zone."""
    precision = interval.precision
    start = timelinejs_date(interval.start, precision)
    dates: dict[str, Any] = {"start_date": start}
    if precision in (Precision.time, Precision.part_of_day):
        # Hours and minutes: the end is a moment, given as it is (unless the time is one minute).
        end = timelinejs_date(interval.end, precision)
        if interval.end - interval.start > timedelta(minutes=1):
            dates["end_date"] = end
    else:
        # Days, months, years: the end is exclusive, so the last unit is the one before it.
        end = timelinejs_date(interval.end - timedelta(microseconds=1), precision)
        if end != start:
            dates["end_date"] = end
    dates["display_date"] = _label(interval)
    return dates


@functools.lru_cache(maxsize=4)
def _sources_by_id(sources: tuple[Source, ...]) -> dict[str, Source]:
    return {s.id: s for s in sources}


@functools.lru_cache(maxsize=4)
def _groups(sources: tuple[Source, ...]) -> dict[str, str]:
    """Each source's lane label: its outlet, with the headline when two sources share an outlet."""
    outlets = [s.outlet for s in sources]
    return {s.id: s.outlet if outlets.count(s.outlet) == 1 else f"{s.outlet}: {s.title}"
            for s in sources}


def timelinejs_slides(timeline: Timeline, e: PlacedEvent) -> list[dict[str, Any]]:
    """One slide per account of the event `e`."""
    site = timeline.site
    groups = _groups(timeline.sources)
    sources = _sources_by_id(timeline.sources)
    slides = []
    for a in e.accounts:
        source = sources[a.account.source]
        quotes = "".join(f"<blockquote>{html.escape(q.text)}</blockquote>"
                         for q in a.account.quotes)
        words = (f"“{html.escape(a.account.said)}”: " if a.account.said
                 else "No time words: ")
        url = event_url(site, e.id)
        see = f' See <a href="{html.escape(url)}">every account of this event</a>.' if url else ""
        slides.append({
            **timelinejs_dates(a.time),
            "text": {
                "headline": html.escape(e.event.title),
                "text": f"{quotes}<p>{html.escape(source.outlet)}. {words}"
                        f"{html.escape(_label(a.time))}.{see}</p>",
            },
            "group": html.escape(groups[source.id]),  # TimelineJS sets it as HTML too
            "unique_id": a.id,
            "autolink": False,
        })
    return slides


def timelinejs_json(timeline: Timeline,
                    slides_of: Callable[[PlacedEvent], Bytes] | None = None) -> dict[str, Any]:
    """The accounts as a TimelineJS3 timeline (https://timeline.knightlab.com/docs/json-format.html):
    one group per source, one slide per account, at the time that source gives it; each
    event's slides as lines of JSON, for `dumps_by_line`."""
    site = timeline.site
    slides_of = slides_of or (lambda e: (_lines_of(timelinejs_slides(timeline, e))))
    return {
        "title": {
            "text": {"headline": html.escape(site.title), "text": f"<p>{html.escape(site.description)}</p>"},
            "unique_id": "title",
        },
        "events": [slides_of(e) for e in timeline.events],  # each event's lines of JSON
    }


# --- linked data (JSON-LD) and Open Graph ------------------------------------------------------


def _schema_date(interval: Interval) -> tuple[str, str]:
    """schema.org start and end: dates for day-or-coarser times, date-times for finer ones."""
    if interval.precision in (Precision.time, Precision.part_of_day):
        return interval.start.isoformat(), interval.end.isoformat()
    return interval.first_day().isoformat(), interval.last_day().isoformat()


def _published(source: Source, reference: Interval) -> str | None:
    """The article's date for datePublished: only when it is one known day (or finer)."""
    if source.confidence.published.level is Level.unknown:
        return None
    if reference.precision in (Precision.time, Precision.part_of_day):
        return reference.start.isoformat()
    if reference.precision is Precision.day:
        return reference.first_day().isoformat()
    return None


def news_article(timeline: Timeline, source: Source) -> dict[str, Any]:
    article: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": source.title,
        "publisher": {"@type": "Organization", "name": source.outlet},
    }
    published = _published(source, timeline.source_dates[source.id])
    if published:
        article["datePublished"] = published
    if source.url:
        article["url"] = source.url
    if source.byline:
        article["author"] = {"@type": "Person", "name": source.byline}
    return article


def _agent(timeline: Timeline, party_id: str) -> dict[str, Any]:
    party = timeline.parties[party_id]
    return {"@type": "Person" if party.kind.value == "person" else "Organization",
            "name": party.name}


def claim(timeline: Timeline, source: Source, quote: Attributed) -> dict[str, Any]:
    """A quote as a schema.org Claim: its original claimants as `author` (the outlet for its
    own voice), the article it appears in as `appearance`."""
    authors = ([_agent(timeline, p) for p in quote.claimants] if quote.via
               else [{"@type": "Organization", "name": source.outlet}])
    return {"@type": "Claim", "text": quote.text,
            "author": authors[0] if len(authors) == 1 else authors,
            "appearance": news_article(timeline, source)}


def correction_comment(logged: LoggedCorrection) -> dict[str, Any]:
    """A correction as schema.org's CorrectionComment: its kind, what changed and why as text,
    the day it was published."""
    fix = logged.correction
    about = f" ({logged.account_name})" if logged.account_name else ""
    changed = f" {fix.field}:" if fix.field else ""
    return {"@type": "CorrectionComment",
            "text": (f"{fix.kind.value.capitalize()}{about}:{changed} before: {fix.before} "
                     f"Now: {fix.now} Why: {fix.why}"),
            "datePublished": fix.date}


def linked_data(timeline: Timeline, path: str, title: str, description: str,
                placed: PlacedEvent | None = None,
                corrections: list[LoggedCorrection] | None = None) -> dict[str, Any]:
    """The schema.org description of the page at `path`: an Event (each account citing its
    article) for an event page, the WebSite for the home page, a WebPage otherwise. A record's
    `corrections` go on the page as schema.org's `correction` (an event page's WebPage is its
    Event's mainEntityOfPage, as an Event is not a creative work)."""
    site = timeline.site
    comments = [correction_comment(c) for c in corrections or ()]
    url = page_url(site, path)
    # A site without an address gives no "url" (schema.org has no relative addresses).
    address = {"url": url} if url else {}
    website = {"@type": "WebSite", "name": site.title,
               **({"url": site.base_url} if site.base_url else {})}
    if placed is not None:
        sources = {s.id: s for s in timeline.sources}
        start, end = _schema_date(placed.placement)
        event: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": placed.event.title,
            **address,
            "startDate": start,
            "endDate": end,
        }
        if placed.event.place:
            event["location"] = {"@type": "Place", "name": placed.event.place}
        event["citation"] = [news_article(timeline, sources[a.account.source])
                             for a in placed.accounts]
        # Each quote is a Claim about the event, by its original claimant, appearing in the article.
        event["subjectOf"] = [claim(timeline, sources[a.account.source], quote)
                              for a in placed.accounts for quote in a.account.quotes]
        if comments:
            event["mainEntityOfPage"] = {"@type": "WebPage", **address, "correction": comments}
        return event
    if path == "index.html":
        return {"@context": "https://schema.org", **website, "description": site.description,
                "inLanguage": site.language}
    return {"@context": "https://schema.org", "@type": "WebPage", "name": title, **address,
            "description": description, "inLanguage": site.language, "isPartOf": website,
            **({"correction": comments} if comments else {})}


def og_locale(language: str) -> str:
    """A BCP 47 tag as Open Graph writes it: en-GB → en_GB."""
    return language.replace("-", "_")


# --- for crawlers ------------------------------------------------------------------------------


def crawler_files(site: SiteSettings, page_paths: list[str]) -> dict[str, bytes]:
    """sitemap.xml (every HTML page but the 404 page, by published address) and robots.txt
    pointing at it; a site without an address (a sitemap lists only absolute addresses) gets
    robots.txt alone."""
    robots = "User-agent: *\nAllow: /\n"
    if site.base_url is None:
        return {"robots.txt": robots.encode("utf-8")}
    urls = sorted(site.base_url + page_path(p) for p in page_paths
                  if p.endswith(".html") and p != "404.html")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{html.escape(url, quote=False)}</loc></url>" for url in urls]
    lines.append("</urlset>")
    robots += f"\nSitemap: {site.base_url}sitemap.xml\n"
    return {
        "sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8"),
        "robots.txt": robots.encode("utf-8"),
    }
