"""Open data and page metadata: site/data/*, sitemap.xml, robots.txt, Open Graph and JSON-LD.

Each test builds the fixture site (or a copy of it, changed) into a temporary folder and reads
the files back the way an outside user would: json, csv.DictReader, xml.etree, an HTML parser.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from parallax.build import Paths, build

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "fixtures" / "basic" / "content"
BASE_URL = "https://example.org/bridge/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

# The TimelineJS3 JSON format, from https://timeline.knightlab.com/docs/json-format.html: a
# timeline has `events` (slides, required), an optional `title` slide, `eras` and `scale`; a slide
# needs `start_date` (except the title slide); a date needs `year`; months run 1-12, hours 0-23.
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {"type": "array", "items": {"$ref": "#/$defs/event_slide"}},
        "title": {"$ref": "#/$defs/slide"},
        "eras": {"type": "array", "items": {
            "type": "object", "required": ["start_date", "end_date"],
            "properties": {"start_date": {"$ref": "#/$defs/date"},
                           "end_date": {"$ref": "#/$defs/date"},
                           "text": {"$ref": "#/$defs/text"}},
        }},
        "scale": {"enum": ["human", "cosmological"]},
    },
    "$defs": {
        "date": {
            "type": "object",
            "required": ["year"],
            "additionalProperties": False,
            "properties": {
                "year": {"type": "integer"},
                "month": {"type": "integer", "minimum": 1, "maximum": 12},
                "day": {"type": "integer", "minimum": 1, "maximum": 31},
                "hour": {"type": "integer", "minimum": 0, "maximum": 23},
                "minute": {"type": "integer", "minimum": 0, "maximum": 59},
                "second": {"type": "integer", "minimum": 0, "maximum": 59},
                "millisecond": {"type": "integer", "minimum": 0},
                "display_date": {"type": "string"},
                "format": {"type": "string"},
            },
            # A finer field only with every coarser one: TimelineJS reads them in this order.
            "dependentRequired": {"month": ["year"], "day": ["month"], "hour": ["day"],
                                  "minute": ["hour"]},
        },
        "text": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
        },
        "slide": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "start_date": {"$ref": "#/$defs/date"},
                "end_date": {"$ref": "#/$defs/date"},
                "text": {"$ref": "#/$defs/text"},
                "media": {"type": "object", "required": ["url"]},
                "group": {"type": "string"},
                "display_date": {"type": "string"},
                "background": {"type": "object"},
                "autolink": {"type": "boolean"},
                "unique_id": {"type": "string", "minLength": 1},
            },
        },
        "event_slide": {"allOf": [{"$ref": "#/$defs/slide"}, {"required": ["start_date"]}]},
    },
}


def build_into(content: Path, out: Path) -> Path:
    build(Paths(content=content, out=out, templates=PROJECT / "templates",
                static=PROJECT / "static"))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_into(FIXTURE, tmp_path_factory.mktemp("export") / "site")


def changed_fixture(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the fixture content with one piece of text in one file replaced."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    path = content / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return content


def read_json(site: Path, name: str):
    return json.loads((site / name).read_text(encoding="utf-8"))


def read_csv(site: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    raw = (site / "data" / name).read_bytes()
    assert b"\r" not in raw.replace(b'\r"', b""), f"{name}: line ends must be \\n"
    assert raw.endswith(b"\n")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_url(path: str) -> str:
    return BASE_URL + (path.removesuffix("index.html") if path.endswith("index.html") else path)


class Head(HTMLParser):
    """The metadata of one page: <meta property>, <link rel=canonical>, JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.og: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.json_ld: list[str] = []
        self.cite: list[str] = []
        self._in_ld = False
        self._in_cite = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("property", "").startswith("og:"):
            self.og[a["property"]] = a.get("content") or ""
        elif tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content") or ""
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag == "p" and "cite" in (a.get("class") or "").split():
            self._in_cite = 1
            self.cite.append("")
        elif self._in_cite and tag == "a":
            self.cite[-1] += f"[{a.get('href')}]"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False
        if tag == "p":
            self._in_cite = 0

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data
        if self._in_cite:
            self.cite[-1] += data


def head_of(site: Path, path: str) -> Head:
    parser = Head()
    parser.feed((site / path).read_text(encoding="utf-8"))
    return parser


# --- timeline.json -------------------------------------------------------------------------------


def test_timeline_json_keeps_its_documented_contract(site):
    timeline = read_json(site, "data/timeline.json")
    assert timeline["schema_version"] == 2
    assert [s["id"] for s in timeline["sources"]] == ["ledger", "radio"]
    assert [e["id"] for e in timeline["events"]] == [
        "2020-11-repairs-planned", "2021-03-03-crack-found", "2021-03-04-bridge-closed"]
    for event in timeline["events"]:
        assert {"id", "title", "start", "end", "accounts"} <= event.keys()
        for account in event["accounts"]:
            assert {"source", "quotes", "time_words", "resolved"} <= account.keys()
            assert "credits" not in account
            assert {"start", "end", "precision"} <= account["resolved"].keys()
    radio = timeline["events"][2]["accounts"][1]
    # Two sets of time words, each resolved on its own; the account spans them both.
    assert [(t["said"], t["quotes"]) for t in radio["time_words"]] == [
        ("yesterday", [1]), ("overnight", [2])]
    assert radio["time_words"][0]["resolved"]["start"] == "2021-03-03T00:00:00+00:00"
    assert radio["time_words"][0]["resolved"]["end"] == "2021-03-05T00:00:00+00:00"
    assert radio["resolved"]["start"] == "2021-03-03T00:00:00+00:00"
    assert radio["resolved"]["end"] == max(t["resolved"]["end"] for t in radio["time_words"])
    assert radio["resolved"]["precision"] == "days"
    assert [q["voice"] for q in radio["quotes"]] == ["relayed", "own"]


def test_timeline_json_gives_each_quote_its_own_attribution(site):
    timeline = read_json(site, "data/timeline.json")
    closed = timeline["events"][2]
    ledger = closed["accounts"][0]
    shapes = [(q["voice"], q["via"], q["stance"], q["claimants"]) for q in ledger["quotes"]]
    assert shapes == [
        ("own", None, None, []),
        ("relayed", [_link("harbour-gazette", "The Harbour Gazette"),
                     _link("radio-norte", "citing Radio Norte"),
                     _link("jo-marsh", "reported that Jo Marsh")], "reported", ["jo-marsh"]),
        ("relayed", [_link(["port-authority", "city-council"],
                           "The Port Authority and the city council said")], "reported",
         ["port-authority", "city-council"]),
        ("relayed", [_link("city-council", "council claims that")], "disputed",
         ["city-council"]),
    ]
    assert [(f["voice"], f["via"]) for a in closed["accounts"] for f in a["figures"]] == [
        ("own", None), ("relayed", [_link("jo-marsh", "she said",
                                          ["Jo Marsh of the port authority"])])]
    # Jo Marsh counts as the Port Authority she speaks for; each outlet's own voice is an origin.
    assert [(o["kind"], o["id"], o["outlets"]) for o in closed["origins"]] == [
        ("party", "port-authority", ["ledger", "radio"]),
        ("party", "city-council", ["ledger"]),
        ("outlet", "ledger", ["ledger"]),
        ("outlet", "radio", ["radio"]),
    ]


def _link(party, credit, identified=()):
    """A chain link as the open data gives it: the party and the article's crediting words."""
    return {"party": party, "credit": credit, "identified": list(identified), "continues": None}


def test_quotes_csv_has_one_row_per_quote_with_its_chain(site):
    fields, rows = read_csv(site, "quotes.csv")
    assert fields == ["id", "account_id", "event_id", "source_id", "n", "text", "voice",
                      "chain", "credits", "stance", "claimants", "time_words", "url"]
    by_id = {r["id"]: r for r in rows}
    chain = by_id["2021-03-04-bridge-closed--ledger--q2"]
    assert (chain["voice"], chain["chain"], chain["stance"], chain["claimants"]) == (
        "relayed", "harbour-gazette > radio-norte > jo-marsh", "reported", "jo-marsh")
    assert chain["credits"] == ("The Harbour Gazette > citing Radio Norte > reported that "
                                "Jo Marsh")
    group = by_id["2021-03-04-bridge-closed--ledger--q3"]
    assert group["chain"] == "port-authority+city-council"
    assert group["claimants"] == "port-authority city-council"
    own = by_id["2021-03-04-bridge-closed--ledger--q1"]
    assert (own["voice"], own["chain"], own["stance"]) == ("own", "", "")
    assert own["time_words"] == "Thursday morning"
    assert by_id["2021-03-04-bridge-closed--radio--q2"]["time_words"] == "overnight"
    assert own["url"].endswith("events/2021-03-04-bridge-closed/#account-ledger-quote-1")


def test_timeline_json_validates_against_its_published_schema(site):
    schema = read_json(site, "data/timeline.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(read_json(site, "data/timeline.json"))


@pytest.mark.parametrize("name, records", [("timeline.json", ("sources", "parties", "events")),
                                           ("timelinejs.json", ("events",))])
def test_large_data_files_hold_one_record_per_line(site, name, records):
    lines = (site / "data" / name).read_text(encoding="utf-8").splitlines()
    data = read_json(site, f"data/{name}")
    for key in records:
        assert data[key], f"the fixture has {key}"
        start = lines.index(f'"{key}":[') + 1
        for n, record in enumerate(data[key]):
            assert json.loads(lines[start + n].removesuffix(",")) == record
        assert lines[start + len(data[key])] in ("]", "],")
    assert lines[0] == "{" and lines[-1] == "}"


def test_data_files_with_no_records_are_still_json():
    from parallax.export import dumps_by_line

    data = {"title": "x", "events": [], "more": [1]}
    text = dumps_by_line(data).decode()
    assert json.loads(text) == data
    assert text == '{\n"title":"x",\n"events":[],\n"more":[\n1\n]\n}\n'


def test_timeline_schema_rejects_an_account_without_its_resolved_time(site):
    schema = read_json(site, "data/timeline.schema.json")
    timeline = read_json(site, "data/timeline.json")
    del timeline["events"][1]["accounts"][0]["resolved"]["precision"]
    with pytest.raises(jsonschema.ValidationError, match="'precision' is a required property"):
        jsonschema.validate(timeline, schema, cls=jsonschema.Draft202012Validator)


def test_content_schema_is_a_json_schema(site):
    jsonschema.Draft202012Validator.check_schema(read_json(site, "data/schema.json"))


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_files_have_their_headers_and_one_row_per_record(site):
    timeline = read_json(site, "data/timeline.json")
    accounts = [a for e in timeline["events"] for a in e["accounts"]]
    figures = [f for a in accounts for f in a["figures"]]
    expected = {
        "events.csv": (["id", "title", "when", "start", "end", "precision", "approximate",
                        "band", "place", "context", "tags", "sources", "silent_sources",
                        "summary", "url"], len(timeline["events"])),
        "accounts.csv": (["id", "event_id", "source_id", "time_words", "counted_from",
                          "counted_from_why", "resolved_as", "when", "start", "end", "precision",
                          "approximate", "basis", "explanation", "differs_from_event", "parties",
                          "quotes", "note", "outside_note", "outside_note_source", "url"],
                         len(accounts)),
        "quotes.csv": (["id", "account_id", "event_id", "source_id", "n", "text", "voice",
                        "chain", "credits", "stance", "claimants", "time_words", "url"],
                       sum(len(a["quotes"]) for a in accounts)),
        "figures.csv": (["id", "account_id", "event_id", "source_id", "topic", "value", "low",
                         "high", "as_written", "voice", "chain", "credits", "stance",
                         "claimants"],
                        len(figures)),
        "sources.csv": (["id", "outlet", "title", "byline", "published", "published_start",
                         "published_end", "timezone", "url", "copy_read_site", "copy_read_url",
                         "confidence_outlet", "confidence_byline", "confidence_published",
                         "confidence_url", "note", "page_url"], len(timeline["sources"])),
        "parties.csv": (["id", "name", "kind", "part_of", "spellings", "note", "page_url"],
                        len(timeline["parties"])),
    }
    for name, (header, count) in expected.items():
        fields, rows = read_csv(site, name)
        assert fields == header, name
        assert len(rows) == count, name
        ids = [row["id"] for row in rows]
        assert len(set(ids)) == len(ids), f"{name}: ids repeat"
    assert (len(accounts), len(figures)) == (5, 2)


def test_csv_ids_refer_to_each_other(site):
    events = {r["id"]: r for r in read_csv(site, "events.csv")[1]}
    accounts = {r["id"]: r for r in read_csv(site, "accounts.csv")[1]}
    figures = read_csv(site, "figures.csv")[1]
    sources = {r["id"] for r in read_csv(site, "sources.csv")[1]}
    parties = {r["id"]: r for r in read_csv(site, "parties.csv")[1]}
    for account in accounts.values():
        assert account["event_id"] in events
        assert account["source_id"] in sources
        assert account["id"] == f"{account['event_id']}--{account['source_id']}"
        assert set(account["parties"].split()) <= parties.keys()
    for event in events.values():
        told = {a["source_id"] for a in accounts.values() if a["event_id"] == event["id"]}
        assert set(event["sources"].split()) == told
        assert set(event["silent_sources"].split()) == sources - told
    for figure in figures:
        account = accounts[figure["account_id"]]
        assert (figure["event_id"], figure["source_id"]) == (account["event_id"],
                                                             account["source_id"])
        assert set(figure["claimants"].split()) <= parties.keys()
    for party in parties.values():
        assert party["part_of"] == "" or party["part_of"] in parties


def test_csv_values_are_written_plainly(site):
    figures = {r["id"]: r for r in read_csv(site, "figures.csv")[1]}
    ledger = figures["2021-03-04-bridge-closed--ledger--1"]
    radio = figures["2021-03-04-bridge-closed--radio--1"]
    assert (ledger["value"], ledger["low"], ledger["high"]) == ("12000", "", "")
    assert (radio["value"], radio["low"], radio["high"]) == ("", "10000", "15000")
    assert radio["as_written"] == "Some 10,000 to 15,000 cars"

    accounts = {r["id"]: r for r in read_csv(site, "accounts.csv")[1]}
    radio_account = accounts["2021-03-04-bridge-closed--radio"]
    assert radio_account["quotes"] == (
        "Some 10,000 to 15,000 cars, she said, were sent the long way round yesterday\n"
        "The bridge stayed shut overnight, our reporter saw.")
    assert radio_account["time_words"] == "yesterday\novernight"
    assert radio_account["parties"] == "jo-marsh"
    assert radio_account["differs_from_event"] == "false"
    assert radio_account["url"] == BASE_URL + "events/2021-03-04-bridge-closed/#account-radio"

    parties = {r["id"]: r for r in read_csv(site, "parties.csv")[1]}
    assert parties["jo-marsh"]["spellings"].split("\n") == ["Jo Marsh", "Joanne Marsh"]

    sources = {r["id"]: r for r in read_csv(site, "sources.csv")[1]}
    assert sources["radio"]["byline"] == "" and sources["radio"]["url"] == ""
    assert sources["radio"]["confidence_published"] == "inferred"
    assert sources["ledger"]["published_start"] == "2021-03-05T00:00:00+00:00"


def test_csv_keeps_commas_quotes_and_line_breaks_inside_cells(tmp_path):
    content = changed_fixture(tmp_path, "events/2021-03-03-crack-found.md",
                              '"Engineers found a crack on Wednesday"',
                              "'Engineers found a \"crack\", on Wednesday'")
    site = build_into(content, tmp_path / "site")
    accounts = {r["id"]: r for r in read_csv(site, "accounts.csv")[1]}
    assert accounts["2021-03-03-crack-found--ledger"]["quotes"] == (
        'Engineers found a "crack", on Wednesday')
    events = {r["id"]: r for r in read_csv(site, "events.csv")[1]}
    assert "\n" in events["2021-03-03-crack-found"]["summary"]


def test_csv_text_a_spreadsheet_would_run_as_a_formula_is_led_by_an_apostrophe(tmp_path):
    content = changed_fixture(tmp_path, "events/2021-03-04-bridge-closed.md",
                              "title: The bridge is closed to traffic\nwhen: 2021-03-04 morning\n"
                              "place: Harbour Bridge",
                              "title: '=HYPERLINK(\"http://evil.example\",\"open\")'\n"
                              "when: 2021-03-04 morning\nplace: '+1 Harbour Bridge'")
    path = content / "events/2021-03-04-bridge-closed.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace('as_written: "12,000 vehicles"', 'as_written: "-12,000 vehicles"')
    text = text.replace("value: 12000", "value: -12000")
    text = text.replace('      - topic: vehicles diverted\n        low',
                        '      - topic: "@SUM(1+1)"\n        low')
    text = text.replace("\nThe outlets agree", "\n\tThe outlets agree")
    path.write_text(text + "\r", encoding="utf-8")
    site = build_into(content, tmp_path / "site")
    events = {r["id"]: r for r in read_csv(site, "events.csv")[1]}
    event = events["2021-03-04-bridge-closed"]
    assert event["title"] == "'=HYPERLINK(\"http://evil.example\",\"open\")"
    assert event["place"] == "'+1 Harbour Bridge"
    figures = {r["id"]: r for r in read_csv(site, "figures.csv")[1]}
    ledger = figures["2021-03-04-bridge-closed--ledger--1"]
    assert ledger["value"] == "-12000", "a number stays a number"
    assert ledger["as_written"] == "'-12,000 vehicles"
    assert figures["2021-03-04-bridge-closed--radio--1"]["topic"] == "'@SUM(1+1)"
    for name in ("events.csv", "accounts.csv", "figures.csv", "sources.csv", "parties.csv"):
        _header, rows = read_csv(site, name)
        numeric = {"value", "low", "high"}
        for row in rows:
            for column, cell in row.items():
                if column not in numeric:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, column)
    # The JSON keeps the text exactly as written.
    timeline = read_json(site, "data/timeline.json")
    titles = {e["id"]: e["title"] for e in timeline["events"]}
    assert titles["2021-03-04-bridge-closed"] == '=HYPERLINK("http://evil.example","open")'


# --- TimelineJS ------------------------------------------------------------------------------------


def test_timelinejs_file_follows_the_timelinejs3_format(site):
    jsonschema.Draft202012Validator.check_schema(TIMELINEJS_SCHEMA)
    jsonschema.validate(read_json(site, "data/timelinejs.json"), TIMELINEJS_SCHEMA,
                        cls=jsonschema.Draft202012Validator)


def test_timelinejs_schema_catches_a_broken_date():
    broken = {"events": [{"start_date": {"year": 2021, "month": 13}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, TIMELINEJS_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_timelinejs_has_one_group_per_source_and_one_slide_per_account(site):
    data = read_json(site, "data/timelinejs.json")
    timeline = read_json(site, "data/timeline.json")
    slides = {s["unique_id"]: s for s in data["events"]}
    accounts = [a for e in timeline["events"] for a in e["accounts"]]
    assert sorted(slides) == sorted(a["id"] for a in accounts)
    assert len(slides) == len(data["events"])
    assert {s["group"] for s in data["events"]} == {"The Morning Ledger", "Harbour Radio"}
    assert data["title"]["text"]["headline"] == "The Harbour Bridge closure"
    assert data["title"]["unique_id"] not in slides

    ledger = slides["2021-03-04-bridge-closed--ledger"]
    assert ledger["start_date"] == {"year": 2021, "month": 3, "day": 4, "hour": 6}
    assert ledger["end_date"] == {"year": 2021, "month": 3, "day": 4, "hour": 12}
    assert ledger["display_date"] == "Thu 4 Mar 2021, morning"
    assert ledger["text"]["headline"] == "The bridge is closed to traffic"
    radio = slides["2021-03-03-crack-found--radio"]
    assert radio["start_date"] == {"year": 2021, "month": 3, "day": 2}
    assert radio["end_date"] == {"year": 2021, "month": 3, "day": 3}
    month = slides["2020-11-repairs-planned--ledger"]
    assert month["start_date"] == {"year": 2020, "month": 11} and "end_date" not in month


def test_timelinejs_text_is_html_escaped(tmp_path):
    content = changed_fixture(tmp_path, "events/2021-03-03-crack-found.md",
                              '"Engineers found a crack on Wednesday"',
                              '"Engineers found a <b>crack</b> & more on Wednesday"')
    site = build_into(content, tmp_path / "site")
    slides = {s["unique_id"]: s for s in read_json(site, "data/timelinejs.json")["events"]}
    text = slides["2021-03-03-crack-found--ledger"]["text"]["text"]
    assert "Engineers found a &lt;b&gt;crack&lt;/b&gt; &amp; more on Wednesday" in text
    assert "<b>" not in text


# --- sitemap.xml and robots.txt --------------------------------------------------------------------


def test_sitemap_lists_every_page_but_the_404_page(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    urls = [loc.text for loc in root.iter(f"{{{SITEMAP_NS}}}loc")]
    assert len(root) == len(urls)
    expected = sorted(page_url(p) for p in html_pages(site) if p != "404.html")
    assert urls == expected
    assert BASE_URL in urls and BASE_URL + "events/2021-03-03-crack-found/" in urls
    assert not any("404" in u or u.endswith("index.html") for u in urls)
    assert "lastmod" not in (site / "sitemap.xml").read_text()


def test_robots_txt_allows_all_and_points_at_the_sitemap(site):
    assert (site / "robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/bridge/sitemap.xml\n")


# --- Open Graph, canonical address, JSON-LD ------------------------------------------------------


def test_every_page_has_a_canonical_address_and_open_graph_tags(site):
    pages = html_pages(site)
    assert len(pages) == 20
    for path in pages:
        head = head_of(site, path)
        assert head.canonical == [page_url(path)], path
        assert head.og.keys() == {"og:title", "og:description", "og:url", "og:type",
                                  "og:site_name", "og:locale"}, path
        assert all(head.og.values()), path
        assert head.og["og:url"] == page_url(path)
        assert head.og["og:site_name"] == "The Harbour Bridge closure"
        assert head.og["og:locale"] == "en"
        assert head.og["og:description"] == head.meta["description"]
        assert ("robots" in head.meta) == (path == "404.html"), path
    event = head_of(site, "events/2021-03-03-crack-found/index.html")
    assert event.og["og:type"] == "article"
    assert event.og["og:title"].startswith("Engineers find a crack in the bridge")
    assert head_of(site, "index.html").og["og:type"] == "website"


def test_every_page_has_one_json_ld_block_of_its_kind(site):
    for path in html_pages(site):
        head = head_of(site, path)
        assert len(head.json_ld) == 1, path
        data = json.loads(head.json_ld[0])
        assert data["@context"] == "https://schema.org"
        kind = ("Event" if path.startswith("events/") and path != "events/index.html"
                else "WebSite" if path == "index.html" else "WebPage")
        assert data["@type"] == kind, path
        if kind != "Event":
            assert data["url"] == (BASE_URL if kind == "WebSite" else page_url(path))
    home = json.loads(head_of(site, "index.html").json_ld[0])
    assert home["name"] == "The Harbour Bridge closure"
    about = json.loads(head_of(site, "about/index.html").json_ld[0])
    assert about["isPartOf"] == {"@type": "WebSite", "name": "The Harbour Bridge closure",
                                 "url": BASE_URL}


def test_an_event_page_cites_each_account_as_a_news_article(site):
    data = json.loads(head_of(site, "events/2021-03-04-bridge-closed/index.html").json_ld[0])
    assert data["name"] == "The bridge is closed to traffic"
    assert data["url"] == BASE_URL + "events/2021-03-04-bridge-closed/"
    assert (data["startDate"], data["endDate"]) == ("2021-03-04T06:00:00+00:00",
                                                    "2021-03-04T12:00:00+00:00")
    assert data["location"] == {"@type": "Place", "name": "Harbour Bridge"}
    assert data["citation"] == [
        {"@type": "NewsArticle", "headline": "Bridge shut after crack found",
         "publisher": {"@type": "Organization", "name": "The Morning Ledger"},
         "datePublished": "2021-03-05", "url": "https://ledger.example.org/bridge-shut",
         "author": {"@type": "Person", "name": "A. Writer"}},
        # Harbour Radio's date is only known within two days, and it has no byline or address.
        {"@type": "NewsArticle", "headline": "Bridge reopens",
         "publisher": {"@type": "Organization", "name": "Harbour Radio"}},
    ]
    context = json.loads(head_of(site, "events/2020-11-repairs-planned/index.html").json_ld[0])
    assert (context["startDate"], context["endDate"]) == ("2020-11-01", "2020-11-30")
    assert len(context["citation"]) == 1


def test_an_event_page_gives_each_quote_as_a_claim_by_its_original_claimant(site):
    data = json.loads(head_of(site, "events/2021-03-04-bridge-closed/index.html").json_ld[0])
    claims = data["subjectOf"]
    assert [c["@type"] for c in claims] == ["Claim"] * 6
    assert claims[0]["author"] == {"@type": "Organization", "name": "The Morning Ledger"}
    assert claims[1]["author"] == {"@type": "Person", "name": "Jo Marsh"}
    assert claims[2]["author"] == [{"@type": "Organization", "name": "Port Authority"},
                                   {"@type": "Organization", "name": "City council"}]
    assert claims[1]["appearance"]["headline"] == "Bridge shut after crack found"
    assert claims[5]["text"] == "The bridge stayed shut overnight, our reporter saw."


def test_json_ld_cannot_end_its_script_element(tmp_path):
    title = 'Closed </script><script>alert(1)</script> & "shut" <!--'
    content = changed_fixture(tmp_path, "events/2021-03-04-bridge-closed.md",
                              "title: The bridge is closed to traffic",
                              f"title: '{title}'")
    site = build_into(content, tmp_path / "site")
    page = (site / "events/2021-03-04-bridge-closed/index.html").read_text()
    block = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["name"] == title
    head = head_of(site, "events/2021-03-04-bridge-closed/index.html")
    assert json.loads(head.json_ld[0])["name"] == title
    assert head.og["og:title"].startswith(title)


# --- cite line ---------------------------------------------------------------------------------


def test_each_event_page_says_how_to_cite_it(site):
    for path in html_pages(site):
        cite = head_of(site, path).cite
        if not (path.startswith("events/") and path != "events/index.html"):
            assert cite == [], path
            continue
        url = page_url(path)
        assert len(cite) == 1, path
        assert f"[{url}]{url}." in cite[0]
    cite = head_of(site, "events/2021-03-04-bridge-closed/index.html").cite[0]
    assert cite == (
        "Cite this page: “The bridge is closed to traffic” (Thu 4 Mar 2021, morning), in The "
        "Harbour Bridge closure, [https://example.org/bridge/events/2021-03-04-bridge-closed/]"
        "https://example.org/bridge/events/2021-03-04-bridge-closed/.")


# --- determinism -------------------------------------------------------------------------------


def test_data_and_metadata_files_are_the_same_from_build_to_build(site, tmp_path):
    again = build_into(FIXTURE, tmp_path / "again")
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (site / name).read_bytes() == (again / name).read_bytes(), name


def test_equal_instants_in_two_time_zones_are_worded_each_in_its_own():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from parallax.export import interval_json
    from parallax.when import Interval, Precision

    utc = Interval(datetime(2021, 3, 3, 23, 30, tzinfo=UTC),
                   datetime(2021, 3, 3, 23, 31, tzinfo=UTC), Precision.time)
    berlin = utc.astimezone(ZoneInfo("Europe/Berlin"))
    assert utc == berlin
    assert interval_json(utc)["label"] == "Wed 3 Mar 2021, 23:30"
    assert interval_json(berlin)["label"] == "Thu 4 Mar 2021, 00:30"


# --- the site's address ----------------------------------------------------------------------------

PAGES_URL = "https://editors.github.io/bridge/"


def absolute_addresses(site: Path) -> set[str]:
    """Every http(s) address written anywhere in the built site."""
    import re

    found: set[str] = set()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".json", ".csv"):
            found |= set(re.findall(r"https?://[^\s\"'<>\\,\]\)]+", path.read_text(encoding="utf-8")))
    return found


def article_addresses(content: Path) -> set[str]:
    import re

    found: set[str] = set()
    for path in (content / "sources").glob("*.md"):
        found |= set(re.findall(r"https?://[^\s\"']+", path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def no_address(tmp_path_factory) -> tuple[Path, Path, str]:
    """The fixture site with no base_url in site.yaml, built by the command line."""
    from parallax.cli import main

    folder = tmp_path_factory.mktemp("no-address")
    content = folder / "content"
    shutil.copytree(FIXTURE, content)
    settings = content / "site.yaml"
    settings.write_text(settings.read_text().replace(f"base_url: {BASE_URL}\n", ""))
    assert "base_url" not in settings.read_text()
    out = folder / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PARALLAX_BASE_URL", raising=False)
        err = io.StringIO()
        patch.setattr("sys.stderr", err)
        assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    return content, out, err.getvalue()


def test_without_an_address_no_page_claims_one(no_address):
    content, site, _ = no_address
    assert not (site / "sitemap.xml").exists()
    assert (site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    for path in html_pages(site):
        head = head_of(site, path)
        assert head.canonical == [] and "og:url" not in head.og, path
        assert head.og.keys() == {"og:title", "og:description", "og:type", "og:site_name",
                                  "og:locale"}, path
        data = json.loads(head.json_ld[0])
        assert "url" not in data and "url" not in data.get("isPartOf", {}), path
    # The only absolute addresses left are the articles' own, and the vocabularies' names.
    hosts = {urlsplit(url).hostname for url in absolute_addresses(site)}
    articles = {urlsplit(url).hostname for url in article_addresses(content)}
    assert hosts - articles == {"schema.org", "json-schema.org"}
    timeline = json.loads((site / "data" / "timeline.json").read_text())
    assert timeline["site"]["base_url"] is None
    jsonschema.validate(timeline, json.loads((site / "data" / "timeline.schema.json").read_text()))
    for name, column in (("events.csv", "url"), ("accounts.csv", "url"),
                         ("sources.csv", "page_url"), ("parties.csv", "page_url")):
        rows = list(csv.DictReader(io.StringIO((site / "data" / name).read_text())))
        assert rows and all(row[column] == "" for row in rows), name


def test_without_an_address_the_cite_line_gives_the_page_path(no_address):
    _, site, _ = no_address
    cite = head_of(site, "events/2021-03-04-bridge-closed/index.html").cite
    assert cite == [(
        "Cite this page: “The bridge is closed to traffic” (Thu 4 Mar 2021, morning), in The "
        "Harbour Bridge closure, [../../events/2021-03-04-bridge-closed/]"
        "events/2021-03-04-bridge-closed/.")]
    assert '<a href="/">home page</a>' in (site / "404.html").read_text()


def test_without_an_address_the_build_says_so_once(no_address):
    _, _, err = no_address
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert notes == [(
        "note: the site has no address, so its pages have no canonical link or og:url, there is "
        "no sitemap.xml and no Atom feed, and each cite line gives the page's path; give the "
        "address with --base-url, PARALLAX_BASE_URL or base_url in site.yaml")]


def _build_cli(tmp_path: Path, *args: str) -> tuple[int, Path]:
    from parallax.cli import main

    out = tmp_path / "site"
    return main(["build", "--content", str(FIXTURE), "--out", str(out), *args]), out


def _canonical(site: Path) -> str:
    return head_of(site, "index.html").canonical[0]


def test_the_address_given_to_the_build_is_in_every_canonical_cite_and_sitemap_line(
        tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PARALLAX_BASE_URL", raising=False)
    code, site = _build_cli(tmp_path, "--base-url", PAGES_URL)
    assert code == 0 and "note:" not in capsys.readouterr().err
    for path in html_pages(site):
        head = head_of(site, path)
        expected = PAGES_URL + (path.removesuffix("index.html") if path.endswith("index.html")
                                else path)
        assert head.canonical == [expected] and head.og["og:url"] == expected, path
        for line in head.cite:
            assert f"[{expected}]{expected}." in line, path
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(f"{{{SITEMAP_NS}}}loc")]
    assert locs and all(loc.startswith(PAGES_URL) for loc in locs)
    assert (site / "robots.txt").read_text().endswith(f"Sitemap: {PAGES_URL}sitemap.xml\n")
    assert not any(url.startswith(BASE_URL) for url in absolute_addresses(site)), \
        "site.yaml's address gives way entirely"


def test_the_address_comes_from_the_flag_then_the_environment_then_site_yaml(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PARALLAX_BASE_URL", "https://from-the-environment.github.io/bridge/")
    assert _build_cli(tmp_path / "a", "--base-url", PAGES_URL)[0] == 0
    assert _canonical(tmp_path / "a" / "site") == PAGES_URL
    assert _build_cli(tmp_path / "b")[0] == 0
    assert _canonical(tmp_path / "b" / "site") == "https://from-the-environment.github.io/bridge/"
    monkeypatch.setenv("PARALLAX_BASE_URL", "")  # set but empty, as a workflow may leave it
    assert _build_cli(tmp_path / "c")[0] == 0
    assert _canonical(tmp_path / "c" / "site") == BASE_URL
    capsys.readouterr()


@pytest.mark.parametrize(("given", "message"), [
    (("--base-url", "https://editors.github.io/bridge"),
     "--base-url: the site's address must end with '/': write 'https://editors.github.io/bridge/'"),
    (("--base-url", "editors.github.io/bridge/"),
     ("--base-url: 'editors.github.io/bridge/' is not a web address: write the full address, "
      "starting with https://")),
    ((), ("PARALLAX_BASE_URL: 'ftp://editors.github.io/' is not a web address: write the full "
          "address, starting with https://")),
])
def test_a_bad_address_is_refused_before_anything_is_built(tmp_path, monkeypatch, capsys,
                                                          given, message):
    monkeypatch.setenv("PARALLAX_BASE_URL", "ftp://editors.github.io/")
    with pytest.raises(SystemExit) as exit_info:
        _build_cli(tmp_path, *given)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"error: {message}") and "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_no_markup_from_any_record_reaches_the_timelinejs_file(tmp_path):
    """TimelineJS renders its text fields (and its group labels) as HTML: every text that comes
    from a record arrives escaped, whichever field it is in."""
    payload = "<img src=x onerror=alert(1)>"
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    for file, key in [("sources/ledger.md", "outlet"), ("sources/ledger.md", "title"),
                      ("events/2021-03-03-crack-found.md", "title"), ("site.yaml", "title"),
                      ("site.yaml", "description")]:
        path = content / file
        lines = path.read_text(encoding="utf-8").split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}: "))
        value = lines[at].removeprefix(f"{key}: ").strip("'\"")
        lines[at] = f"{key}: '{value} {payload}'"
        path.write_text("\n".join(lines), encoding="utf-8")
    site = build_into(content, tmp_path / "site")
    text = (site / "data" / "timelinejs.json").read_text(encoding="utf-8")
    data = json.loads(text)
    strings: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    assert not [s for s in strings if "<img" in s], "markup from a record in timelinejs.json"
    assert sum("&lt;img src=x onerror=alert(1)&gt;" in s for s in strings) >= 5
