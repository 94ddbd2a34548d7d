"""Arbitrary text in every string field and body of a small site: the build never crashes.

Hypothesis writes any text (with a bias towards attacks: markup, dangerous links, formula
cells, control characters, YAML's own syntax) into each string field and each body, then
builds. The build must exit 0 or 1 without a traceback; a site it writes must hold no unsafe
markup or link and no CSV text cell that a spreadsheet would run as a formula; a build that
fails must leave the previous site/ exactly as it was.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import snapshot_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_safety import audit

from parallax.cli import main

ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "<!--> <a href=\"javascript:alert(1)\">x</a> -->", "<a href=\"data:text/html,x\">x</a>",
    "=HYPERLINK(\"http://evil.example\",\"open\")", "+1", "-1", "@SUM(1)", "\t=1", "\r=1",
    "\x00", "\x1b[31m", "\u202e", "\u2028", "---", "...", "'", "\"", "\\", ": ", "- ", "#",
    "&a", "*a", "!tag", "{", "[", "%", "`", "|", ">", "~2016", "yes", "null", "1e400", "\n",
    "[a](", "[" * 70, "    " * 40 + "- x", "[^1]", "<", "javascript:alert(1)",
    "https://evil.example/", "//evil.example/", "\\\\evil.example\\x", "\ufeff", "\U0001F600",
]
text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40),
    st.sampled_from(ATTACKS),
    st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=8)), max_size=6).map("".join),
)
bodies = st.one_of(text, st.lists(text, max_size=8).map("\n".join))

FIELDS = ["site.title", "site.description", "party.name", "party.spelling", "party.note",
          "source.outlet", "source.title", "source.byline", "source.copy_site",
          "source.reason", "event.title", "event.place", "event.quote", "event.said_when",
          "event.own_quote", "event.note", "event.outside", "event.outside_source", "event.why",
          "event.topic", "event.as_written", "source.left_out", "source.left_out_why",
          "page.title"]
BODIES = ["source", "event", "page"]


def write_site(content: Path, values: dict[str, str], body: dict[str, str]) -> None:
    for folder in ("sources", "events", "pages"):
        (content / folder).mkdir(parents=True, exist_ok=True)

    def dump(data: dict) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    def record(data: dict, text: str) -> str:
        return "---\n" + dump(data) + "---\n" + text

    v = values.get
    (content / "site.yaml").write_text(dump({
        "title": v("site.title", "Bridge watch"),
        "description": v("site.description", "How two outlets told it."),
        "base_url": "https://example.org/bridge/", "timezone": "Europe/London",
        "window": "2021-03-01/2021-03-03"}), encoding="utf-8")
    (content / "credited.yaml").write_text(dump({"port-authority": {
        "name": v("party.name", "Port Authority"), "kind": "organisation",
        "spellings": [v("party.spelling", "the port")], "note": v("party.note", "")}}),
        encoding="utf-8")
    (content / "sources" / "ledger.md").write_text(record({
        "outlet": v("source.outlet", "The Ledger"), "title": v("source.title", "Bridge shut"),
        "byline": v("source.byline", "A. Writer"), "published": "2021-03-02",
        "copy_read": {"site": v("source.copy_site", "archive.example.net"),
                      "confidence": {"level": "inferred",
                                     "reason": v("source.reason", "the archive's date")}},
        "confidence": {"outlet": {"level": "inferred", "reason": v("source.reason", "masthead")},
                       "byline": {"level": "inferred", "reason": v("source.reason", "byline")},
                       "url": "unknown",
                       "published": {"level": "inferred", "reason": v("source.reason", "date")}},
        "left_out": [{"text": v("source.left_out", "Leave a comment"),
                      "why": v("source.left_out_why", "page furniture")}],
    }, body.get("source", "A note.")), encoding="utf-8")
    (content / "events" / "2021-03-01-bridge-closed.md").write_text(record({
        "title": v("event.title", "The bridge is closed"), "when": "2021-03-01",
        "place": v("event.place", "Harbour"),
        "checked": {"one_source": v("event.checked", "no other source reports it"),
                    "title": v("event.checked", "checked")},
        "accounts": [{
            "source": "ledger",
            # The time words stand in the quote they date, so the site builds whatever they are.
            "quotes": [{"text": v("event.quote", "closed the bridge") + " "
                        + v("event.said_when", "on Monday"), "via": [{"party": "port-authority",
                                                         "credit": v("event.credit", "the port")}]},
                       v("event.own_quote", "in its own words")],
            "time_words": [{"said": v("event.said_when", "on Monday"), "quotes": [1],
                            "counted_from": {"date": "2021-03-02",
                                             "why": v("event.why", "the article's date")}}],
            "figures": [{"topic": v("event.topic", "cars"), "value": -5,
                         "as_written": v("event.as_written", "-5 cars"),
                         "via": [{"party": "port-authority",
                                                         "credit": v("event.credit", "the port")}]}],
            "note": v("event.note", ""),
            "outside_note": {"text": v("event.outside", "Known from elsewhere."),
                             "source": v("event.outside_source", "A public record")},
        }],
    }, body.get("event", "The closure.")), encoding="utf-8")
    (content / "pages" / "about.md").write_text(record(
        {"title": v("page.title", "About")}, body.get("page", "About this site.")),
        encoding="utf-8")


NUMBERS = {"value", "low", "high"}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A folder of the session's own (removed with it), and the site a sound build of the
    small site writes there: what every failed build must leave as it was."""
    work = tmp_path_factory.mktemp("hostile")
    write_site(work / "good" / "content", {}, {})
    assert main(["build", "--content", str(work / "good" / "content"),
                 "--out", str(work / "good" / "site")]) == 0
    return work, snapshot_tree(work / "good" / "site")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(FIELDS), text, max_size=4),
       body=st.dictionaries(st.sampled_from(BODIES), bodies, max_size=2))
def test_any_text_in_any_field_builds_safely_or_fails_cleanly(good, values, body, capsys):
    work, expected = good
    root = Path(tempfile.mkdtemp(dir=work))
    try:
        shutil.copytree(work / "good" / "site", root / "site")
        write_site(root / "content", values, body)
        code = main(["build", "--content", str(root / "content"), "--out", str(root / "site")])
        captured = capsys.readouterr()
        assert code in (0, 1), captured.err
        assert "Traceback" not in captured.err
        site = root / "site"
        if code == 1:
            assert snapshot_tree(site) == expected, "a failed build changed site/"
            assert not [p for p in root.iterdir() if p.name.startswith(".site")]
            return
        assert audit(site) == []
        for table in sorted((site / "data").glob("*.csv")):
            for row in csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"), newline="")):
                for column, cell in row.items():
                    if column not in NUMBERS:
                        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (
                            table.name, column, cell)
    finally:
        shutil.rmtree(root, ignore_errors=True)
