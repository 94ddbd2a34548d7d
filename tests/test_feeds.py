"""The Atom feeds (parallax/feeds.py): valid against RFC 4287's RELAX NG schema, read by a
well-kept feed parser, with entry ids that stay put, dates only from the records, and no feed
for a site without an address or a feed id."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree
from lxml import etree

from parallax.build import Paths, build
from parallax.engine import Engine

BASIC = FIXTURES / "basic" / "content"
SCHEMA = Path(__file__).resolve().parent / "feeds" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_ID = "tag:example.org,2021:bridge"


@pytest.fixture(scope="module")
def relax_ng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("feeds") / "site"
    build(Paths(content=BASIC, out=out, templates=PROJECT / "templates",
                static=PROJECT / "static"))
    return out


def _copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    return content


def _build(content: Path, out: Path) -> Path:
    build(Paths(content=content, out=out, templates=PROJECT / "templates",
                static=PROJECT / "static"))
    return out


def _entries(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall(f"{ATOM}entry")


def _ids(path: Path) -> list[str]:
    return [entry.findtext(f"{ATOM}id") for entry in _entries(path)]


# --- valid Atom ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["events", "corrections"])
def test_each_feed_is_valid_atom(built, relax_ng, name):
    document = etree.parse(str(built / "feeds" / f"{name}.xml"))
    assert relax_ng.validate(document), relax_ng.error_log
    root = document.getroot()
    # Appendix B's two Schematron rules, which RELAX NG leaves to annotations.
    assert root.find(f"{ATOM}author") is not None
    for entry in root.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None


@pytest.mark.parametrize("broken", [
    # No id.
    ("<id>" + FEED_ID + ":feed:events</id>", ""),
    # A date that is not a date-time.
    ("<updated>2021-03-10T00:00:00Z</updated>", "<updated>2021-03-10</updated>"),
    # An Atom element Atom does not have.
    ("<subtitle>", "<tagline>x</tagline><subtitle>"),
])
def test_the_schema_rejects_a_broken_feed(built, relax_ng, broken):
    """The schema is not one that accepts anything: each of these breaks the events feed."""
    text = (built / "feeds" / "events.xml").read_text(encoding="utf-8")
    old, new = broken
    assert old in text
    document = etree.fromstring(text.replace(old, new, 1).encode("utf-8"))
    assert not relax_ng.validate(document)


def test_a_feed_reader_reads_them(built):
    feedparser = pytest.importorskip("feedparser")
    events = feedparser.parse((built / "feeds" / "events.xml").read_bytes())
    assert not events.bozo, events.get("bozo_exception")
    assert events.version == "atom10"
    assert events.feed.title == "The Harbour Bridge closure: events"
    # Newest update first, then newest published, then by id.
    assert [e.id for e in events.entries] == [
        f"{FEED_ID}:event:2021-03-04-bridge-closed", f"{FEED_ID}:event:2020-11-repairs-planned",
        f"{FEED_ID}:event:2021-03-03-crack-found"]
    closed = events.entries[0]
    assert closed.link == "https://example.org/bridge/events/2021-03-04-bridge-closed/"
    assert closed.published == "2021-03-06T00:00:00Z"
    assert closed.updated == "2021-03-10T00:00:00Z"  # its newest correction
    assert tuple(closed.updated_parsed)[:3] == (2021, 3, 10)

    corrections = feedparser.parse((built / "feeds" / "corrections.xml").read_bytes())
    assert not corrections.bozo, corrections.get("bozo_exception")
    assert [(e.id, e.updated[:10]) for e in corrections.entries] == [
        (f"{FEED_ID}:correction:event:2021-03-04-bridge-closed:2021-03-10:1", "2021-03-10"),
        (f"{FEED_ID}:correction:event:2021-03-04-bridge-closed:2021-03-08:2", "2021-03-08"),
        (f"{FEED_ID}:correction:event:2021-03-04-bridge-closed:2021-03-08:1", "2021-03-08"),
        (f"{FEED_ID}:correction:source:radio:2021-03-07:1", "2021-03-07"),
    ]
    first = corrections.entries[2]
    assert first.title == "Correction: The bridge is closed to traffic (Harbour Radio)"
    assert first.link == ("https://example.org/bridge/events/2021-03-04-bridge-closed/"
                          "#correction-2021-03-08-1")
    assert "Why: The station credits the number to the port authority's Jo Marsh." in first.summary
    assert corrections.feed.links[1].href == "https://example.org/bridge/corrections/"


def test_each_entry_links_to_a_page_and_anchor_the_site_has(built):
    for name in ("events", "corrections"):
        for entry in _entries(built / "feeds" / f"{name}.xml"):
            href = entry.find(f"{ATOM}link").get("href")
            path, _, anchor = href.removeprefix("https://example.org/bridge/").partition("#")
            page = (built / path / "index.html").read_text(encoding="utf-8")
            if anchor:
                assert f'id="{anchor}"' in page, href


def test_every_page_names_the_feeds_in_its_head(built):
    for page in ("index.html", "events/2021-03-04-bridge-closed/index.html", "404.html",
                 "corrections/index.html"):
        head = (built / page).read_text(encoding="utf-8").split("</head>")[0]
        found = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" '
                           r'href="([^"]+)">', head)
        assert [title for title, _ in found] == ["The Harbour Bridge closure: events",
                                                 "The Harbour Bridge closure: corrections"]
        assert [href.rsplit("/", 2)[-2:] for _, href in found] == [
            ["feeds", "events.xml"], ["feeds", "corrections.xml"]], page


# --- dates and ids from the records ----------------------------------------------------------------


def test_an_event_without_added_is_left_out_and_the_build_says_so(tmp_path, run_cli):
    content = _copy(tmp_path)
    record = content / "events" / "2020-11-repairs-planned.md"
    record.write_text(record.read_text(encoding="utf-8").replace("added: 2021-03-06\n", ""),
                      encoding="utf-8")
    code, _, err = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 0
    assert [line for line in err.splitlines() if line.startswith("note: ")] == [
        ("note: 1 of 3 events has no 'added:' date and is left out of the events feed; give "
        "each the day it was first published on the site")]
    assert _ids(tmp_path / "site" / "feeds" / "events.xml") == [
        f"{FEED_ID}:event:2021-03-04-bridge-closed", f"{FEED_ID}:event:2021-03-03-crack-found"]


def test_ids_stay_when_a_correction_is_added_and_the_address_changes(built, tmp_path):
    content = _copy(tmp_path)
    record = content / "events" / "2021-03-04-bridge-closed.md"
    text = record.read_text(encoding="utf-8")
    # A later correction of the same day as two others, written last (oldest first).
    last = "    why: The Gazette's page gave no more than the Ledger's words, credited to it.\n"
    assert text.count(last) == 1
    record.write_text(text.replace(last, last + (
        "  - date: 2021-03-10\n    kind: clarification\n    before: a\n    now: b\n"
        "    why: c\n")), encoding="utf-8")
    site = (content / "site.yaml").read_text(encoding="utf-8")
    (content / "site.yaml").write_text(site.replace("https://example.org/bridge/",
                                                    "https://bridge.example.net/"),
                                       encoding="utf-8")
    out = _build(content, tmp_path / "site")
    before = _ids(built / "feeds" / "corrections.xml")
    after = _ids(out / "feeds" / "corrections.xml")
    assert after[0] == f"{FEED_ID}:correction:event:2021-03-04-bridge-closed:2021-03-10:2"
    assert after[1:] == before
    assert _ids(out / "feeds" / "events.xml") == _ids(built / "feeds" / "events.xml")
    assert "https://bridge.example.net/events/" in (out / "feeds" / "events.xml").read_text()


def test_feeds_are_the_same_bytes_from_build_to_build(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    again = _build(BASIC, tmp_path / "again")
    for name in ("feeds/events.xml", "feeds/corrections.xml", "corrections/index.html",
                 "data/corrections.csv"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_a_feed_with_no_entry_is_dated_from_the_records(tmp_path, relax_ng):
    content = _copy(tmp_path)
    for record in (content / "events").glob("*.md"):
        text = record.read_text(encoding="utf-8")
        text = re.sub(r"\nadded: .*", "", text)
        text = re.sub(r"\ncorrections:\n(  .*\n)+", "\n", text)
        record.write_text(text, encoding="utf-8")
    out = _build(content, tmp_path / "site")
    events = etree.parse(str(out / "feeds" / "events.xml"))
    assert relax_ng.validate(events), relax_ng.error_log
    assert not events.getroot().findall(f"{ATOM}entry")
    # The newest date any record gives: the source's correction.
    assert events.getroot().findtext(f"{ATOM}updated") == "2021-03-07T00:00:00Z"


@pytest.mark.parametrize("drop, note", [
    ("base_url", ("note: the site has no address, so its pages have no canonical link or "
                 "og:url, there is no sitemap.xml and no Atom feed, and each cite line gives "
                 "the page's path; give the address with --base-url, PARALLAX_BASE_URL or "
                 "base_url in site.yaml")),
    ("feed_id", ("note: the site has no feed id, so no Atom feed is written (feeds/events.xml, "
                "feeds/corrections.xml); give feed_id in site.yaml, a tag URI that stays the "
                "site's whatever its address (e.g. tag:example.org,2026:site)")),
])
def test_without_an_address_or_a_feed_id_no_feed_is_written(tmp_path, run_cli, drop, note):
    content = _copy(tmp_path)
    settings = content / "site.yaml"
    settings.write_text("".join(line for line in settings.read_text().splitlines(True)
                                if not line.startswith(drop + ":")), encoding="utf-8")
    code, _, err = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 0
    assert not (tmp_path / "site" / "feeds").exists()
    assert [line for line in err.splitlines() if line.startswith("note: ")] == [note]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in home
    assert "the corrections feed" not in (tmp_path / "site" / "corrections" / "index.html").read_text()


# --- the engine: an edit to a record's corrections --------------------------------------------------


def test_an_edit_to_corrections_remakes_the_page_the_log_and_the_feeds(tmp_path):
    content = _copy(tmp_path)
    paths = Paths(content, tmp_path / "site", PROJECT / "templates", PROJECT / "static")
    engine = Engine(paths)
    engine.run()
    record = content / "events" / "2021-03-03-crack-found.md"
    record.write_text(record.read_text(encoding="utf-8").replace("added: 2021-03-06\n", (
        "added: 2021-03-06\ncorrections:\n  - date: 2021-03-11\n    kind: update\n"
        "    account: ledger\n    before: One account.\n    now: Two accounts.\n"
        "    why: The Ledger's story was found.\n")), encoding="utf-8")
    result = engine.run()
    for path in ("events/2021-03-03-crack-found/index.html", "corrections/index.html",
                 "index.html", "feeds/events.xml", "feeds/corrections.xml",
                 "data/corrections.csv", "data/timeline.json"):
        assert path in result.made, path
    assert snapshot_tree(paths.out) == snapshot_tree(_build(content, tmp_path / "cold"))
    log = (paths.out / "corrections" / "index.html").read_text(encoding="utf-8")
    assert log.index("11 March 2021") < log.index("10 March 2021")


def test_a_character_xml_does_not_allow_leaves_the_feed_well_formed(tmp_path, relax_ng):
    """YAML's escapes can write U+FFFE into a record; the feed shows U+FFFD instead."""
    content = _copy(tmp_path)
    record = content / "events" / "2021-03-03-crack-found.md"
    record.write_text(record.read_text(encoding="utf-8").replace("added: 2021-03-06\n", (
        'added: 2021-03-06\ncorrections:\n  - date: 2021-03-11\n    kind: update\n'
        '    before: "old \\uFFFE"\n    now: new\n    why: "odd \\uFFFF text"\n')),
        encoding="utf-8")
    out = _build(content, tmp_path / "site")
    document = etree.parse(str(out / "feeds" / "corrections.xml"))
    assert relax_ng.validate(document), relax_ng.error_log
    assert "Why: odd \ufffd text" in document.getroot().find(f"{ATOM}entry").findtext(
        f"{ATOM}summary")
