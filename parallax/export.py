"""Render stage helper: the open data files under site/data/ (timeline.json and its schema)."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from . import __version__
from .models import Event, Party, PageFrontMatter, SiteSettings, SourceFrontMatter
from .resolve import PlacedAccount, PlacedEvent, Timeline
from .when import Interval

SCHEMA_VERSION = 1


def interval_json(interval: Interval) -> dict[str, Any]:
    return {
        "start": interval.start.isoformat(),
        "end": interval.end.isoformat(),
        "precision": interval.precision.value,
        "approximate": interval.approximate,
        "label": interval.describe(),
    }


def account_json(placed: PlacedAccount) -> dict[str, Any]:
    return {
        "id": placed.id,
        **placed.account.model_dump(mode="json"),
        "resolved": {**interval_json(placed.time), "basis": placed.basis,
                     "explanation": placed.explanation},
        "differs_from_event": placed.differs,
    }


def event_json(placed: PlacedEvent) -> dict[str, Any]:
    event = placed.event.model_dump(mode="json", exclude={"accounts", "body", "id"})
    return {
        "id": placed.id,
        "title": placed.event.title,
        "start": placed.placement.start.isoformat(),
        "end": placed.placement.end.isoformat(),
        "precision": placed.placement.precision.value,
        "approximate": placed.placement.approximate,
        "label": placed.placement.describe(),
        "band": placed.band,
        "page": f"events/{placed.id}/",
        **{k: v for k, v in event.items() if k != "title"},
        "summary": placed.event.body.strip(),
        "accounts": [account_json(a) for a in placed.accounts],
        "silent_sources": list(placed.silent_sources),
        "timing_differences": [d.message for d in placed.differences],
    }


def timeline_json(timeline: Timeline) -> dict[str, Any]:
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
        "events": [event_json(e) for e in timeline.events],
    }


def content_schema() -> dict[str, Any]:
    """JSON Schema of every kind of record editors write, derived from the models."""
    _, schema = models_json_schema(
        [(m, "validation") for m in (SiteSettings, SourceFrontMatter, Event, PageFrontMatter, Party)],
        title="Parallax content",
        ref_template="#/$defs/{model}",
    )
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def dumps(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def data_files(timeline: Timeline, renderer: Any = None) -> dict[str, bytes]:
    return {
        "data/timeline.json": dumps(timeline_json(timeline)),
        "data/schema.json": dumps(content_schema()),
    }
