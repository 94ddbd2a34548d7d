"""Corrections: the model, the order readers see them in, and where the fixture site shows them
(a record's Corrections section, the home row's mark, the corrections page, JSON-LD, CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT
from pydantic import ValidationError

from parallax.build import Paths, build
from parallax.models import Correction
from parallax.views import record_corrections, site_corrections

BASIC = FIXTURES / "basic" / "content"
CLOSED = "2021-03-04-bridge-closed"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("corrections") / "site"
    return build(Paths(content=BASIC, out=out, templates=PROJECT / "templates",
                       static=PROJECT / "static")), out


@pytest.fixture(scope="module")
def result(built):
    return built[0]


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[1]


# --- the model -------------------------------------------------------------------------------------


def _correction(**fields) -> Correction:
    return Correction.model_validate({"date": "2021-03-08", "kind": "correction",
                                      "before": "a", "now": "b", "why": "c", **fields})


def test_a_correction_takes_a_plain_date_a_kind_and_three_texts():
    assert _correction().kind.value == "correction"
    for date in ("2021-03-08 evening", "2021-3-8", "2021-02-30", "2021-03"):
        with pytest.raises(ValidationError):
            _correction(date=date)
    for missing in ("before", "now", "why", "kind"):
        with pytest.raises(ValidationError):
            Correction.model_validate({k: v for k, v in _correction().model_dump(
                mode="json").items() if k != missing})
    with pytest.raises(ValidationError, match="at most 40 characters"):
        _correction(field="x" * 41)
    with pytest.raises(ValidationError, match="name it with 'account: <source id>'"):
        _correction(removed=True)
    assert _correction(account="radio", removed=True).removed


# --- the order readers see ---------------------------------------------------------------------------


def test_a_record_shows_its_corrections_newest_first_numbered_within_a_day(result):
    placed = result.timeline.event(CLOSED)
    shown = record_corrections(result.timeline, "event", placed.event)
    assert [(c.correction.date, c.n, c.position) for c in shown] == [
        ("2021-03-10", 1, 2), ("2021-03-08", 2, 1), ("2021-03-08", 1, 0)]
    assert shown[2].account_name == "Harbour Radio"
    assert shown[2].account_page == f"events/{CLOSED}/#account-radio"
    # An account taken off whose source is gone too is named, not linked.
    assert (shown[0].account_name, shown[0].account_page) == ("gazette", None)


def test_the_site_lists_every_correction_newest_first(result):
    shown = site_corrections(result.timeline)
    assert [(c.kind, c.record_id, c.correction.date, c.n) for c in shown] == [
        ("event", CLOSED, "2021-03-10", 1), ("event", CLOSED, "2021-03-08", 2),
        ("event", CLOSED, "2021-03-08", 1), ("source", "radio", "2021-03-07", 1)]


# --- the pages ---------------------------------------------------------------------------------------


def _linked_data(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert found
    return json.loads(found.group(1))


def test_the_event_page_has_a_corrections_section_and_schema_org_correction(site):
    page = (site / "events" / CLOSED / "index.html").read_text(encoding="utf-8")
    section = page.split('<h2 id="corrections">Corrections</h2>')[1].split("</section>")[0]
    assert re.findall(r'id="(correction-[^"]+)"', section) == [
        "correction-2021-03-10-1", "correction-2021-03-08-2", "correction-2021-03-08-1"]
    assert ('account: <a href="../../events/2021-03-04-bridge-closed/#account-radio">Harbour '
            'Radio</a>') in section
    assert '<a href="../../corrections/">' in section
    # Escaped: the editors' quotation marks and apostrophes are text.
    assert "They are credited to Jo Marsh (&#34;she said&#34;)." in section
    comments = _linked_data(page)["mainEntityOfPage"]["correction"]
    assert [c["datePublished"] for c in comments] == ["2021-03-10", "2021-03-08", "2021-03-08"]
    assert all(c["@type"] == "CorrectionComment" for c in comments)
    assert comments[2]["text"].startswith("Correction (Harbour Radio): credit: before: ")


def test_a_page_without_corrections_has_no_section_and_no_correction(site):
    page = (site / "events" / "2021-03-03-crack-found" / "index.html").read_text(encoding="utf-8")
    assert 'id="corrections"' not in page
    assert "correction" not in json.dumps(_linked_data(page))


def test_the_source_page_shows_its_corrections(site):
    page = (site / "sources" / "radio" / "index.html").read_text(encoding="utf-8")
    assert 'id="correction-2021-03-07-1"' in page
    assert _linked_data(page)["correction"][0]["datePublished"] == "2021-03-07"


def test_the_home_row_of_a_corrected_event_carries_a_mark(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<a class="ev" href="events/([^/]+)/">(.*?)</a>', home)
    marked = {event for event, inner in rows if '<span class="corrected">corrected</span>' in inner}
    assert marked == {CLOSED}


def test_the_corrections_page_lists_them_under_the_policy(site):
    page = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    main = page.split('<main id="main">')[1]
    assert main.index("A <strong>correction</strong> fixes an error") < main.index(
        "Every correction, newest first")
    links = re.findall(r'<time datetime="([^"]+)">[^<]+</time>: <a href="([^"]+)">', main)
    assert links == [("2021-03-10", f"../events/{CLOSED}/"), ("2021-03-08", f"../events/{CLOSED}/"),
                     ("2021-03-08", f"../events/{CLOSED}/"), ("2021-03-07", "../sources/radio/")]
    assert '<a href="../feeds/corrections.xml">the corrections feed</a>' in main
    assert '<li><a href="../corrections/">Corrections</a></li>' in page  # in the menu


def test_corrections_csv_and_timeline_json_carry_the_log(site):
    rows = list(csv.DictReader(io.StringIO((site / "data" / "corrections.csv").read_text())))
    assert [r["id"] for r in rows] == [
        f"event:{CLOSED}:2021-03-10:1", f"event:{CLOSED}:2021-03-08:2",
        f"event:{CLOSED}:2021-03-08:1", "source:radio:2021-03-07:1"]
    assert rows[0]["removed"] == "true" and rows[0]["account"] == "gazette"
    assert rows[3]["url"] == "https://example.org/bridge/sources/radio/#correction-2021-03-07-1"
    data = json.loads((site / "data" / "timeline.json").read_text())
    closed = next(e for e in data["events"] if e["id"] == CLOSED)
    assert closed["added"] == "2021-03-06"
    assert [c["date"] for c in closed["corrections"]] == ["2021-03-08", "2021-03-08", "2021-03-10"]
    radio = next(s for s in data["sources"] if s["id"] == "radio")
    assert radio["corrections"][0]["field"] == "published"


def test_an_account_taken_off_and_put_back_is_named_by_both_corrections(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    record = content / "events" / f"{CLOSED}.md"
    last = "    why: The Gazette's page gave no more than the Ledger's words, credited to it.\n"
    text = record.read_text(encoding="utf-8")
    removed_then_back = last + (
        "  - date: 2021-03-11\n    kind: update\n    account: radio\n    removed: true\n"
        "    before: Radio's account.\n    now: None.\n    why: Its page was gone.\n"
        "  - date: 2021-03-12\n    kind: update\n    account: radio\n"
        "    before: None.\n    now: Radio's account.\n    why: The page is back.\n")
    record.write_text(text.replace(last, removed_then_back), encoding="utf-8")
    build(Paths(content=content, out=tmp_path / "site", templates=PROJECT / "templates",
                static=PROJECT / "static"))
    page = (tmp_path / "site" / "corrections" / "index.html").read_text(encoding="utf-8")
    assert page.index("12 March 2021") < page.index("11 March 2021")
