"""The reader-facing pages: the shared timeline's lanes, the event, source, party and
differences pages, read back from the built HTML with the standard library's parser.

Expected grid columns are worked out here from the fixture's dates by hand (the window is
3–5 March 2021; a day is four columns: night, morning, afternoon, evening), not by asking
parallax.views.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parallax import views
from parallax.build import Paths, build
from parallax.cli import main
from parallax.views import Grid, Slot, slot_for, stack, text_fragment
from parallax.when import parse_when

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = PROJECT / "tests" / "fixtures" / "basic" / "content"
REAL = PROJECT / "content"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- a small DOM ---------------------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return " ".join("".join(c if isinstance(c, str) else " " + c.text() + " "
                                for c in self.children).split())

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if ((tag is None or child.tag == tag) and (cls is None or cls in child.classes)
                    and all(child.attrs.get(k.rstrip("_").replace("_", "-")) == v
                            for k, v in attrs.items())):
                found.append(child)
            found.extend(child.all(tag, cls, **attrs))
        return found

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def ancestor(self, cls: str) -> Node | None:
        node = self.parent
        while node is not None and cls not in node.classes:
            node = node.parent
        return node


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(path: Path) -> Node:
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


# --- the sites under test ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("views") / "site"
    assert main(["build", "--content", str(FIXTURE), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not (REAL / "site.yaml").is_file():
        pytest.skip("content/ has no site.yaml yet")
    out = tmp_path_factory.mktemp("views-real") / "site"
    result = build(Paths(REAL, out, PROJECT / "templates", PROJECT / "static"))
    return out, result.timeline


@dataclass(frozen=True)
class Mark:
    """An account as the home page draws it: a link in its event's row."""

    event: str
    source: str
    left: float
    width: float
    """Percent of the axis."""
    top: float
    classes: tuple[str, ...]
    name: str
    node: Node


def percent(value: str) -> float:
    assert value.endswith("%"), value
    return float(value[:-1])


def drawn_marks(page: Node) -> list[Mark]:
    out = []
    for row in page.all("li", cls="row"):
        for link in row.all("a", cls="m"):
            _path, anchor = link.attrs["href"].split("#")
            assert anchor.startswith("account-")
            bar = link.one("rect", cls="bar")
            out.append(Mark(row.attrs["data-event"], anchor.removeprefix("account-"),
                            percent(bar.attrs["x"]), percent(bar.attrs["width"]),
                            float(bar.attrs["y"]), tuple(link.classes), link.attrs["aria-label"],
                            link))
    return out


def third(days: float) -> float:
    """A share of the fixture's three-day window, in percent, as the page rounds it."""
    return round(100 * days / 3, 3)


MARCH_3 = date(2021, 3, 3)


# --- the shared timeline -------------------------------------------------------------------------


def test_one_row_per_event_of_the_window_with_a_mark_per_account(site):
    home = parse(site / "index.html")
    rows = home.all("li", cls="row")
    assert [r.attrs["data-event"] for r in rows] == ["2021-03-03-crack-found",
                                                     "2021-03-04-bridge-closed"]
    # Each title with its count of independent origins (shown as a badge, said in words).
    assert [r.one("a", cls="ev").text() for r in rows] == [
        "1 Engineers find a crack in the bridge , from 1 independent origin",
        "4 The bridge is closed to traffic , from 4 independent origins corrected"]
    assert sorted((m.event, m.source) for m in drawn_marks(home)) == sorted(
        (e, s) for e in ("2021-03-03-crack-found", "2021-03-04-bridge-closed")
        for s in ("ledger", "radio"))
    # Rows sit under the day the editors date them, each day a heading to jump to.
    assert [h.attrs["id"] for h in home.all("h3", cls="day")] == ["day-2021-03-03", "day-2021-03-04"]
    assert [a.attrs["href"] for a in home.one("nav", cls="jump").all("a")] == [
        "#day-2021-03-03", "#day-2021-03-04"]


def test_each_mark_sits_at_the_time_its_own_outlet_gives(site):
    marks = {(m.source, m.event): m for m in drawn_marks(parse(site / "index.html"))}
    # 'on Wednesday' in the Ledger of Friday 5 March: all of Wednesday 3 March.
    crack = marks["ledger", "2021-03-03-crack-found"]
    assert (crack.left, crack.width) == (0, third(1))
    # 'Thursday morning': 06:00 to 12:00 on 4 March.
    closed = marks["ledger", "2021-03-04-bridge-closed"]
    assert (closed.left, closed.width) == (third(1.25), third(0.25))
    # Radio's 'yesterday', counted from its date known only as 4–5 March, is 3–4 March; its
    # 'overnight' reaches 06:00 on the 5th: the mark spans both sets of its time words.
    yesterday = marks["radio", "2021-03-04-bridge-closed"]
    assert (yesterday.left, yesterday.width) == (0, third(2.25))
    # Radio's 'two days ago' is 2–3 March: cut at the window's first day, and said so.
    two_days = marks["radio", "2021-03-03-crack-found"]
    assert (two_days.left, two_days.width) == (0, third(1))
    assert "; from before the days shown; article published 4–5 Mar 2021; “" in two_days.name
    # Its accessible name: the outlet (in its own voice: no chain), its words, what they were
    # read as, when its article was published, and its key quote cut to about 60 characters.
    assert closed.name == ("The Morning Ledger: “Thursday morning”, read as Thu 4 Mar 2021, "
                           "morning; article published Fri 5 Mar 2021; “closed the bridge to all "
                           "traffic on Thursday morning and…”")
    assert closed.node.one("title").text() == closed.name


def test_each_outlet_keeps_its_track_colour_and_shape_in_every_row(site):
    home = parse(site / "index.html")
    by_source: dict[str, set] = {}
    for m in drawn_marks(home):
        shape = m.node.one("use").attrs["href"]
        by_source.setdefault(m.source, set()).add((m.top, next(c for c in m.classes if c[0] == "o"), shape))
    # Neither record sets a look: each is derived from the id (ledger's a circle, radio's a
    # triangle), whatever the other sources are.
    assert by_source == {"ledger": {(1.5, "o1", "#s1")}, "radio": {(9.5, "o2", "#s3")}}
    legend = home.one("ul", cls="legend")
    assert [li.text() for li in legend.all("li", cls="outlet")] == ["The Morning Ledger", "Harbour Radio"]
    assert [li.one("use").attrs["href"] for li in legend.all("li", cls="outlet")] == ["#s1", "#s3"]
    shapes = home.one("svg", cls="defs")
    assert {"s1", "s3"} <= {n.attrs.get("id") for n in shapes.all()}


def test_marks_of_the_same_time_line_up_and_different_times_do_not(site):
    marks = {(m.source, m.event): m for m in drawn_marks(parse(site / "index.html"))}
    ledger, radio = (marks[s, "2021-03-03-crack-found"] for s in ("ledger", "radio"))
    assert (ledger.left, ledger.width) == (radio.left, radio.width)
    closed = [marks[s, "2021-03-04-bridge-closed"] for s in ("ledger", "radio")]
    assert (closed[0].left, closed[0].width) != (closed[1].left, closed[1].width)


def test_an_account_without_time_words_is_hollow_and_says_so(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text().replace("    time_words:\n      - said: two days ago\n", ""))
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    marks = {(m.source, m.event): m for m in drawn_marks(parse(out / "index.html"))}
    undated = marks["radio", "2021-03-03-crack-found"]
    assert "h" in undated.classes
    assert undated.name == ("Harbour Radio, citing Jo Marsh: no time words of its own; shown at "
                            "the editors’ date, Wed 3 Mar 2021; article published 4–5 Mar 2021; "
                            "“Jo Marsh of the port authority "
                            "said a crack was found two…”")
    assert (undated.left, undated.width) == (0, third(1))
    assert "h" not in marks["ledger", "2021-03-03-crack-found"].classes


def test_outlets_that_do_not_mention_an_event_show_as_absent(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    text = event.read_text()
    start = text.index("  - source: radio")
    end = text.find("\n  - source:", start + 1)
    text = text[:start] + (text[end + 1:] if end > 0 else text[text.index("---", start):])
    # A correction that names the account says it was taken off (validate checks it).
    event.write_text(text.replace("    account: radio\n", "    account: radio\n    removed: true\n"))
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    row = parse(out / "index.html").one("li", cls="row", data_event="2021-03-04-bridge-closed")
    assert [a.attrs["href"] for a in row.all("a", cls="m")] == [
        "events/2021-03-04-bridge-closed/#account-ledger"]
    assert [line.classes for line in row.all("line", cls="absent")] == [["absent", "o2"]]
    assert row.one("div", cls="strip").all("span", cls="vh")[-1].text() == (
        "Not mentioned by Harbour Radio.")
    assert row.one("p", cls="said-absent").text() == "Not mentioned by Harbour Radio."


# --- a row opened in place ------------------------------------------------------------------------


def built_copy(tmp_path: Path, change) -> tuple[Path, object]:
    """The fixture site with `change(content)` applied, built: (site folder, timeline)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    change(content)
    out = tmp_path / "site"
    result = build(Paths(content, out, PROJECT / "templates", PROJECT / "static"))
    return out, result.timeline


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def opened(page: Node, event_id: str) -> list[tuple[str, str, str, str]]:
    """A row's opened part: per outlet, (its link's address, who says it, the quote, the time)."""
    row = page.one("li", cls="row", data_event=event_id)
    details = row.one("details", cls="said")
    return [(item.one("p", cls="said-who").all("a")[0].attrs["href"],
             item.one("p", cls="said-who").text(), item.one("blockquote").text(),
             item.one("p", cls="said-when").text())
            for item in details.all("li", cls="said-item")]


def test_a_row_opens_to_each_outlets_key_quote_chain_and_time_words(site):
    page = parse(site / "index.html")
    row = page.one("li", cls="row", data_event="2021-03-04-bridge-closed")
    details = row.one("details", cls="said")
    # The disclosure control names the event; the opened part carries the event's id, so an
    # address naming the event opens it.
    assert details.one("summary").text() == "What each outlet says: The bridge is closed to traffic"
    assert details.one("div", cls="said-body").attrs["id"] == "2021-03-04-bridge-closed"
    assert opened(page, "2021-03-04-bridge-closed") == [
        ("events/2021-03-04-bridge-closed/#account-ledger", "The Morning Ledger :",
         "closed the bridge to all traffic on Thursday morning and 12,000 vehicles were diverted",
         "“Thursday morning”, read as Thu 4 Mar 2021, morning; article published Fri 5 Mar 2021."),
        ("events/2021-03-04-bridge-closed/#account-radio", "Harbour Radio , citing Jo Marsh :",
         "Some 10,000 to 15,000 cars, she said, were sent the long way round yesterday",
         ("“yesterday”, read as 3–4 Mar 2021; “overnight”, read as 3–5 Mar 2021; article published "
          "4–5 Mar 2021.")),
    ]
    # Each outlet's link leads where its mark leads.
    assert [h for h, *_ in opened(page, "2021-03-04-bridge-closed")] == [
        m.attrs["href"] for m in row.all("a", cls="m")]
    # Every outlet tells it: no line of outlets that do not.
    assert not row.all("p", cls="said-absent")


def test_a_single_events_own_page_does_not_open_its_row(site):
    page = parse(site / "events" / "2021-03-04-bridge-closed" / "index.html")
    assert page.all("li", cls="row") and not page.all("details", cls="said")


def test_a_page_with_more_rows_than_the_limit_does_not_open_them(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "OPEN_LIMIT", 1)
    out, _ = built_copy(tmp_path, lambda content: None)
    page = parse(out / "index.html")
    assert len(page.all("li", cls="row")) == 2 and not page.all("details", cls="said")
    # The marks keep their names, without the quotes the rows would have shown.
    for mark in drawn_marks(page):
        assert mark.name.startswith(("The Morning Ledger", "Harbour Radio"))
        assert "; “" not in mark.name, mark.name


def test_a_quote_marked_key_stands_for_its_account(tmp_path):
    def mark_fourth(content):
        edit(content / "events" / "2021-03-04-bridge-closed.md",
             "      - text: \"council claims that", "      - key: true\n        text: \"council claims that")
    event = "2021-03-04-bridge-closed"
    out, timeline = built_copy(tmp_path, mark_fourth)
    placed = next(e for e in timeline.events if e.id == event)
    compared = views.comparison(timeline, [placed], timeline.window)
    ledger = compared.days[0].rows[0].marks[0]
    assert ledger.placed.account.key_quote == 4
    assert ledger.key is ledger.placed.account.quotes[3]
    _, who, quote, _ = opened(parse(out / "index.html"), event)[0]
    assert who == "The Morning Ledger , citing City council , which The Morning Ledger disputes :"
    assert quote == ledger.key.text
    mark = next(m for m in drawn_marks(parse(out / "index.html"))
                if (m.event, m.source) == (event, "ledger"))
    assert mark.name.startswith("The Morning Ledger, citing City council, which The Morning "
                                "Ledger disputes: “Thursday morning”")
    assert mark.name.endswith("; “council claims that the bridge had passed its inspection…”")


def test_words_that_date_a_report_are_shown_as_such_never_as_the_events_time(tmp_path):
    def report_words(content):
        edit(content / "events" / "2021-03-03-crack-found.md",
             "      - said: two days ago\n",
             "      - said: two days ago\n        dates: report\n")
    out, timeline = built_copy(tmp_path, report_words)
    event = "2021-03-03-crack-found"
    radio = next(a for e in timeline.events if e.id == event for a in e.accounts
                 if a.account.source == "radio")
    compared = views.comparison(timeline, [e for e in timeline.events if e.id == event],
                                timeline.window)
    mark = next(m for m in compared.days[0].rows[0].marks if m.outlet.source.id == "radio")
    assert mark.event_datings == () and [d.words.said for d in mark.report_datings] == ["two days ago"]
    assert not mark.own_words
    _, _, _, when = next(o for o in opened(parse(out / "index.html"), event) if "radio" in o[0])
    assert when == ("No time words of its own; shown at the editors’ date, "
                    f"{radio.time.describe()}; “two days ago” dates the report, not the event: "
                    f"{radio.datings[0].time.describe()} ; article published 4–5 Mar 2021.")
    drawn = next(m for m in drawn_marks(parse(out / "index.html"))
                 if (m.event, m.source) == (event, "radio"))
    assert "h" in drawn.classes
    assert "“two days ago” dates the report, not the event" in drawn.name
    assert "“two days ago”, read as" not in drawn.name + when


def test_a_publication_time_on_the_axis_is_a_tick_on_its_outlets_track(tmp_path):
    def timed(content):
        edit(content / "sources" / "ledger.md", "published: 2021-03-05\n",
             "published: 2021-03-05T08:15\n")
    out, timeline = built_copy(tmp_path, timed)
    compared = views.comparison(timeline, [e for e in timeline.events if e.band == "window"],
                                timeline.window)
    assert compared.published
    for day in compared.days:
        for row in day.rows:
            for m in row.marks:
                if m.outlet.source.id == "ledger":
                    # 08:15 on the third of three days: (2 + 8.25 / 24) / 3 of the width.
                    assert m.published.left == round(100 * (2 + 8.25 / 24) / 3, 3)
                    assert m.published.width == 0
                else:
                    # A date alone (4–5 March, of 3–5 March): the stretch of days it covers.
                    assert (m.published.left, m.published.width) == (33.333, 66.667)
    page = parse(out / "index.html")
    ticks = [t for t in page.all("line", cls="pub") if "o1" in t.classes]
    legend = [t for t in page.one("ul", cls="legend").all("li") if t.all("line", cls="pub")]
    assert len(legend) == 1
    assert legend[0].text() == "the day its article was published (a single line: the time)"
    in_rows = [t for t in ticks if t.ancestor("row")]
    assert len(in_rows) == 2
    for tick in in_rows:
        assert tick.classes == ["pub", "o1"]
        assert tick.attrs["x1"] == tick.attrs["x2"] == "78.125%"
        assert (float(tick.attrs["y1"]), float(tick.attrs["y2"])) == (-1, 9)
    mark = next(m for m in drawn_marks(page) if m.source == "ledger")
    assert "; article published Fri 5 Mar 2021, 08:15;" in mark.name


def test_a_publication_date_is_the_stretch_of_days_it_covers_on_its_outlets_track(site):
    """The Morning Ledger (o1) is dated 5 March, Harbour Radio (o2) 4–5 March, on an axis of
    3–5 March: each is drawn from the start of its first day to the end of its last, as two
    ticks and the line between them."""
    page = parse(site / "index.html")
    expected = {"o1": ("66.667%", "100%"), "o2": ("33.333%", "100%")}
    for row in page.all("li", cls="row"):
        for outlet, (start, end) in expected.items():
            lines = [t for t in row.all("line", cls="pub") if outlet in t.classes]
            if not lines:
                continue
            ticks = [(t.attrs["x1"], t.attrs["x2"]) for t in lines]
            assert ticks == [(start, start), (start, end), (end, end)], (outlet, ticks)
    legend = [t for t in page.one("ul", cls="legend").all("li") if t.all("line", cls="pub")]
    assert len(legend) == 1
    mark = next(m for m in drawn_marks(page) if m.source == "radio")
    assert "; article published 4–5 Mar 2021" in mark.name


def test_an_event_page_shows_where_each_outlet_puts_it(site):
    page = parse(site / "events" / "2021-03-04-bridge-closed" / "index.html")
    section = page.one("section", cls="tl-event")
    marks = {m.source: (m.left, m.width) for m in drawn_marks(section)}
    assert marks == {"ledger": (third(1.25), third(0.25)), "radio": (0, third(2.25))}
    assert len(page.all("h1")) == 1
    # A context event outside the window has no such row.
    assert not parse(site / "events" / "2020-11-repairs-planned" / "index.html").all(
        "section", cls="tl-event")


def test_each_account_links_to_its_event_page_at_that_account(site):
    for m in drawn_marks(parse(site / "index.html")):
        assert m.node.attrs["href"] == f"events/{m.event}/#account-{m.source}"
        page = parse(site / "events" / m.event / "index.html")
        assert page.one("article", id=f"account-{m.source}")


def test_context_events_are_on_a_scaled_strip(site):
    home = parse(site / "index.html")
    strip = home.one("div", cls="is-before")
    assert strip.one("h3").text() == "Before these days: 1 event, Nov 2020"
    (link,) = strip.all("a", cls="cm")
    assert link.attrs["href"] == "events/2020-11-repairs-planned/"
    assert link.attrs["aria-label"] == "Report that repairs to the bridge were planned, Nov 2020"
    # Ticks a week and a month before the window, the week nearer the window's edge (right).
    ticks = {t.text(): percent(t.attrs["x"]) for t in strip.all("text")}
    assert ticks["a month"] < ticks["a week"] < 100
    assert not home.all("div", cls="is-after")


def test_the_home_page_reads_completely_without_script(site):
    """Every account is a link with a name saying its time; a link skips past the timeline;
    the CSP's script-src 'self' and style-src 'self' hold (no inline script or style)."""
    home = parse(site / "index.html")
    marks = drawn_marks(home)
    assert len(marks) == 4 and all("read as" in m.name for m in marks)
    skip = home.one("a", cls="skip-tl")
    assert skip.attrs["href"] == "#after-timeline"
    assert home.one(id="after-timeline").tag == "section"
    for node in home.all():
        assert "style" not in node.attrs, node.tag
        if node.tag == "script":
            assert node.attrs.get("src") or node.attrs.get("type") == "application/ld+json"
    script = home.one("script", src="static/timeline.js")
    assert "defer" in script.attrs
    assert len(home.all("h1")) == 1


def test_the_timeline_stylesheet_covers_every_outlet_and_day(site):
    css = (site / "static" / "timeline.css").read_text()
    assert ".tl { --days: 3; }" in css
    for n, colour in ((1, "purple"), (2, "slate")):  # derived from 'ledger' and 'radio'
        assert f".o{n} {{ color: var(--c-{colour}); }}" in css
        assert f".tl.hide-o{n} .m.o{n}" in css
    for day in (1, 2):
        assert f".tl.day-{day} " in css


# --- event, source, party and differences pages --------------------------------------------------


def test_event_page_shows_time_words_their_reading_and_the_way_to_the_words(site):
    page = parse(site / "events" / "2021-03-04-bridge-closed" / "index.html")
    radio = page.one("article", id="account-radio").text()
    assert "“yesterday”" in radio
    assert "'yesterday', counted from 4–5 Mar 2021 → 3–4 Mar 2021" in radio
    assert "Harbour Radio , citing Jo Marsh (“she said”; identified as “Jo Marsh of the port authority”) ; dated by “yesterday”" in radio
    assert "Harbour Radio , in its own voice ; dated by “overnight”" in radio
    quotes = page.one("article", id="account-ledger").all("li", cls="quote")
    assert [q.one("p", cls="attribution").text() for q in quotes] == [
        "The Morning Ledger , in its own voice",
        ("The Morning Ledger , citing The Harbour Gazette (“The Harbour Gazette”) , citing "
         "Radio Norte (“citing Radio Norte”) , citing Jo Marsh (“reported that Jo Marsh”)"),
        ("The Morning Ledger , citing Port Authority and City council together (“The Port "
         "Authority and the city council said”)"),
        ("The Morning Ledger , citing City council (“council claims that”) , which The Morning "
         "Ledger disputes"),
    ]
    origins = page.one("p", cls="origins-count").text()
    assert origins.startswith("Told by 2 of 2 outlets, from 4 independent origins:")
    link = page.one("article", id="account-radio").one("a", cls="out")
    assert link.attrs["href"] == ("https://archive.example.net/radio/bridge"
                                  "#:~:text=Some%2010%2C000%20to%2015%2C000%20cars%2C%20she%20said%2C%20were")
    assert "in a repost on archive.example.net" in link.text()
    ledger = page.one("article", id="account-ledger")
    assert ledger.one("a", cls="out").attrs["href"] == (
        "https://ledger.example.org/bridge-shut"
        "#:~:text=closed%20the%20bridge%20to%20all%20traffic%20on%20Thursday")
    assert "Thu 4 Mar 2021, morning" in ledger.text()
    pager = page.one("nav", cls="pager")
    assert [a.attrs["rel"] for a in pager.all("a")] == ["prev"]
    silent = page.one("section", aria_labelledby="silent").text()
    assert silent.endswith("Every article mentions it.")


def test_event_page_names_the_sources_that_do_not_mention_it(site):
    page = parse(site / "events" / "2020-11-repairs-planned" / "index.html")
    silent = page.one("section", aria_labelledby="silent")
    assert [a.attrs["href"] for a in silent.all("a")] == ["../../sources/radio/"]


def test_source_page_tells_its_own_sequence_provenance_and_credits(site):
    page = parse(site / "sources" / "radio" / "index.html")
    provenance = page.one("dl", cls="provenance").text()
    assert "Byline unknown" in provenance
    assert ("inferred (no date on the page; 'yesterday' and 'this morning' fit 4 or 5 March)"
            in provenance)
    assert "Address unknown" in provenance
    sequence = [a.attrs["href"] for a in page.one("ol", cls="sequence").all("a")
                if a.attrs["href"].startswith("../../events/")]
    # In the order of Harbour Radio's own times: 2–3 March before 3–4 March.
    assert sequence == ["../../events/2021-03-03-crack-found/#account-radio",
                        "../../events/2021-03-04-bridge-closed/#account-radio"]
    credits = page.one("ul", cls="counts").text()
    assert credits == "Jo Marsh : 2 accounts"
    untold = page.one("section", aria_labelledby="untold").text()
    assert "Report that repairs to the bridge were planned" in untold


def test_party_page_lists_every_claim_and_who_relays_it(site):
    page = parse(site / "credited" / "port-authority" / "index.html")
    first_hand = page.one("section", aria_labelledby="first-hand")
    assert len(first_hand.all("li", cls="claim")) == 2
    only_relayed = page.one("section", aria_labelledby="relayed-only")
    assert not only_relayed.all("li", cls="claim")
    relayed = page.one("ul", cls="counts").text()
    assert relayed == "The Morning Ledger : 2 accounts"
    assert "Jo Marsh" in page.text()  # a member of it
    index = parse(site / "credited" / "index.html").text()
    assert "Port Authority organisation — named in 2 accounts of 1 article" in index
    # The Harbour Gazette only passed Radio Norte's report on; Jo Marsh said it first-hand.
    gazette = parse(site / "credited" / "harbour-gazette" / "index.html")
    assert not gazette.one("section", aria_labelledby="first-hand").all("li", cls="claim")
    assert len(gazette.one("section", aria_labelledby="relayed-only").all("li", cls="claim")) == 1


def test_differences_page_compares_figures_topic_by_topic(site):
    page = parse(site / "differences" / "index.html")
    table = page.one("table", cls="compare")
    assert [th.text() for th in table.one("thead").all("th")] == [
        "Topic", "The Morning Ledger", "Harbour Radio"]
    rows = table.one("tbody").all("tr")
    assert [row.one("th").text() for row in rows] == ["vehicles diverted"]
    assert rows[0].one("th").attrs["scope"] == "row"
    ledger, radio = rows[0].all("td")
    assert "“12,000 vehicles” (12,000)" in ledger.text()
    assert "The Morning Ledger , in its own voice" in ledger.text()
    assert "“Some 10,000 to 15,000 cars” (10,000–15,000)" in radio.text()
    assert "Harbour Radio , citing Jo Marsh" in radio.text()


def test_differences_page_has_a_coverage_matrix_with_counts(site):
    page = parse(site / "differences" / "index.html")
    table = page.one("table", cls="coverage")
    caption = page.one("p", id=table.attrs["aria-labelledby"])
    assert caption.text().startswith("Events (rows) by article (columns)")
    frame = table.parent
    assert "tall" in frame.classes and frame.attrs["role"] == "region"
    assert [th.text() for th in table.one("thead").all("th")] == [
        "Event", "Outlets", "The Morning Ledger", "Harbour Radio"]
    assert all(th.attrs["scope"] == "col" for th in table.one("thead").all("th"))
    cells = {}
    for row in table.one("tbody").all("tr"):
        event = row.one("th").one("a").attrs["href"].split("/")[-2]
        assert row.one("th").attrs["scope"] == "row"
        cells[event] = [td.text() for td in row.all("td")]
    assert cells == {
        "2020-11-repairs-planned": ["1", "✓ Nov 2020", "— not mentioned"],
        "2021-03-03-crack-found": ["2", "✓ Wed 3 Mar", "✓ 2–3 Mar"],
        "2021-03-04-bridge-closed": ["2", "✓ Thu 4 Mar, morning", "✓ 3–5 Mar"],
    }
    total = table.one("tfoot").one("tr")
    assert total.one("th").text() == "Events mentioned, of 3"
    assert [td.text() for td in total.all("td")] == ["", "3", "2"]


# --- figures drawn, and an event's accounts field by field ---------------------------------------


def figure_row(*cells):
    """A FigureRow of bare figures: one list per outlet of (value, low, high, words)."""
    from parallax.models import Figure
    mentions = []
    for cell in cells:
        mentions.append(tuple(
            views.FigureMention(None, None, Figure(topic="fighters", value=v, low=lo, high=hi,
                                                    as_written=words))
            for v, lo, hi, words in cell))
    return views.FigureRow("fighters", tuple(mentions))


OUTLETS = tuple(views.Outlet(None, n) for n in range(1, 5))


def test_a_range_plot_draws_a_value_as_a_dot_a_range_as_a_bar_and_more_than_open_ended():
    row = figure_row([(4000, None, None, "4,000"), (None, None, 2000, "as many as 2,000")],
                     [(5000, None, None, "5,000")],
                     [(None, 4000, 5000, "4,000 to 5,000")],
                     [(None, 4000, None, "more than 4,000"), (None, None, None, "scores")])
    plot = views.range_plot(row, OUTLETS)
    # The greatest number is 5,000; a 'more than' bar needs room to run on: 5,000 x 1.25 is
    # 6,250, and the next round number is 8,000.
    assert (plot.low, plot.high) == (0.0, 8000)
    drawn = [(m.outlet.number, m.kind, m.left, m.width) for m in plot.marks]
    assert drawn == [(1, "value", 50.0, 0.0), (1, "upto", 0.0, 25.0), (2, "value", 62.5, 0.0),
                     (3, "range", 50.0, 12.5), (4, "from", 50.0, 50.0)]
    assert [m.x for m in plot.marks] == ["50%", "0%", "62.5%", "50%", "50%"]
    assert plot.ticks == (("0%", "0"), ("25%", "2,000"), ("50%", "4,000"), ("75%", "6,000"),
                          ("100%", "8,000"))
    assert [(o.number, m.figure.as_written) for o, m in plot.words_only] == [(4, "scores")]
    # 4,000 and 5,000 cannot both be true; 'as many as 2,000' fits neither; the range and the
    # open bar overlap everything from 4,000 up.
    assert [(a.mention.figure.as_written, b.mention.figure.as_written)
            for a, b in plot.clashes] == [("4,000", "5,000"), ("as many as 2,000", "5,000"),
                                          ("as many as 2,000", "4,000 to 5,000"),
                                          ("as many as 2,000", "more than 4,000")]
    assert plot.outlets == 4


def test_figures_that_overlap_or_share_an_outlet_are_no_disagreement():
    same = figure_row([(4000, None, None, "4,000"), (5000, None, None, "5,000")],
                      [(None, 4000, None, "over 4,000")])
    plot = views.range_plot(same, OUTLETS)
    assert plot.clashes == ()
    # A range narrower than can be seen is drawn at a minimum width, inside the axis.
    tight = views.range_plot(figure_row([(None, 999, 1000, "999 or 1,000")],
                                        [(100, None, None, "100")]), OUTLETS)
    mark = tight.marks[0]
    assert tight.high == 1200 and mark.left == 83.25
    assert mark.width == views.RANGE_MIN_WIDTH and mark.left + mark.width <= 100


def test_the_same_words_about_two_events_are_called_out_once():
    row = figure_row([(4000, None, None, "4,000"), (4000, None, None, "4,000")],
                     [(5000, None, None, "5,000")])
    assert len(views.range_plot(row, OUTLETS).clashes) == 1


def _brute_clashing(marks):
    """Every mark in some pair of different outlets' marks that do not overlap: the rule
    written out pair by pair."""
    return [m for m in marks if any(o.outlet.number != m.outlet.number and not m.overlaps(o)
                                    for o in marks)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["value", "range", "from", "upto"]),
                          st.integers(-5, 5), st.integers(0, 4)), max_size=12))
def test_the_marks_in_a_clash_are_found_without_making_every_pair(figures):
    cells = [[] for _ in OUTLETS]
    for outlet, kind, at, width in figures:
        value, low, high = {"value": (at, None, None), "range": (None, at, at + width),
                            "from": (None, at, None), "upto": (None, None, at)}[kind]
        cells[outlet].append((value, low, high, f"{kind} {at} {width}"))
    plot = views.range_plot(figure_row(*cells), OUTLETS)
    marks = list(plot.marks)
    assert views.clashing(marks) == _brute_clashing(marks)
    # The plot's pairs (the same words named once) are among them, and name every outlet's
    # words that clash.
    named = {(m.outlet.number, m.mention.figure.as_written) for pair in plot.clashes for m in pair}
    assert named == {(m.outlet.number, m.mention.figure.as_written)
                     for m in views.clashing(marks)}


def test_round_numbers_for_the_axis():
    assert [views.nice_ceiling(x) for x in (0, 0.7, 1, 64, 70.4, 101, 2200, 6250)] == [
        1.0, 0.8, 1, 80, 80, 120, 2500, 8000]
    assert [views.tick_step(x) for x in (1, 80, 120, 2500, 8000)] == pytest.approx(
        [0.2, 20, 25, 500, 2000])


def test_the_differences_page_draws_each_figure_topic_across_the_outlets(site):
    page = parse(site / "differences" / "index.html")
    plots = page.all("figure", cls="range-plot")
    assert [p.one("h3").text() for p in plots] == ["vehicles diverted"]
    plot = plots[0]
    rows = [li for li in plot.one("ol", cls="range-rows").all("li") if "axis" not in li.classes]
    # Each row names whose figure it is: the outlet, and the chain it credits.
    assert [li.one("span", cls="who").one("span", cls="voice").text() for li in rows] == [
        "The Morning Ledger", "Harbour Radio , citing Jo Marsh"]
    ledger, radio = (li.one("svg", cls="range") for li in rows)
    assert ledger.attrs["class"] == "range o1" and radio.attrs["class"] == "range o2"
    # Each row's name carries a key of its mark's shape in its mark's colour.
    keys = [li.one("span", cls="who").one("svg", cls="swatch") for li in rows]
    assert [k.attrs["class"] for k in keys] == ["swatch o1", "swatch o2"]
    assert keys[0].all("circle") and keys[1].all("rect")
    assert ledger.attrs["aria-label"].startswith("The Morning Ledger: “12,000 vehicles” (12,000)")
    # 0 to 20,000 (15,000 x 1.1 = 16,500, rounded up): 12,000 at 60%, the range from 10,000
    # to 15,000 from the middle across a quarter of the width.
    assert ledger.one("circle", cls="dot").attrs["cx"] == "60%"
    bar = radio.one("rect", cls="bar")
    assert (bar.attrs["x"], bar.attrs["width"]) == ("50%", "25%")
    assert "the figures overlap" in plot.one("figcaption").text()
    assert plot.all("ul", cls="clashes") == []
    axis = plot.one("li", cls="axis").one("svg")
    assert [t.text() for t in axis.all("text")] == ["0", "5,000", "10,000", "15,000", "20,000"]


def test_figure_topics_that_disagree_come_first_in_the_plots_and_the_table(tmp_path):
    """The fixture's one topic overlaps; a second one, which first comes up after it and on
    which the two outlets cannot both be right, is listed before it."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    text = event.read_text()
    text = text.replace("        as_written: \"12,000 vehicles\"\n",
                        "        as_written: \"12,000 vehicles\"\n"
                        "      - topic: lanes shut\n        value: 4\n"
                        "        as_written: four lanes\n", 1)
    text = text.replace("        as_written: \"Some 10,000 to 15,000 cars\"\n",
                        "        as_written: \"Some 10,000 to 15,000 cars\"\n"
                        "      - topic: lanes shut\n        value: 2\n"
                        "        as_written: two lanes\n", 1)
    event.write_text(text)
    build(Paths(content=content, out=tmp_path / "site", templates=PROJECT / "templates",
                static=PROJECT / "static"))
    page = parse(tmp_path / "site" / "differences" / "index.html")
    plots = page.all("figure", cls="range-plot")
    assert [p.one("h3").text() for p in plots] == ["lanes shut", "vehicles diverted"]
    assert ["has-clash" in p.classes for p in plots] == [True, False]
    table = page.one("table", cls="compare")
    assert [th.text() for th in table.one("tbody").all("th")] == ["lanes shut", "vehicles diverted"]


def test_the_origins_matrix_gives_each_claimant_and_outlet_its_statements_and_ways(site):
    page = parse(site / "origins" / "index.html")
    matrix = page.one("table", cls="origins-matrix")
    assert [th.text() for th in matrix.one("thead").all("th")] == [
        "Original claimant", "The Morning Ledger", "Harbour Radio"]
    rows = {row.one("th").text(): [td.text() for td in row.all("td")]
            for row in matrix.one("tbody").all("tr")}
    # The Port Authority reaches the Ledger by its own word on the crack and in the joint
    # statement (directly), and through the Gazette and Radio Norte by Jo Marsh, who counts
    # as the Port Authority; it reaches the Radio by Jo Marsh three times, directly.
    assert rows["Port Authority"] == [
        "3 2 directly ; 1 via The Harbour Gazette, then Radio Norte", "3 directly"]
    assert rows["City council"] == ["2 directly", "— none"]
    assert rows["The Morning Ledger (own voice)"] == ["3 in its own voice", "— none"]
    # The Ledger rests on the Port Authority, the council and itself; the Radio on the Port
    # Authority and itself.
    assert [c.text() for c in matrix.one("tfoot").one("tr").all()] == ["Original claimants", "3", "2"]
    # The fullest cell has the longest bar; a bar grows with the count, never to nothing.
    bars = {row.one("th").text(): [float(r.attrs["width"].rstrip("%")) for r in row.all("rect")]
            for row in matrix.one("tbody").all("tr")}
    assert bars["Port Authority"] == [100, 100]
    assert 0 < bars["City council"][0] < bars["Port Authority"][0]
    # No hub: no column of parties every claimant must pass through; one row per claimant,
    # no more than the table of paths names.
    paths = page.one("table", cls="origins-table").one("tbody").all("tr")
    assert len(rows) == len({tr.one("th").text() for tr in paths})
    assert sum(len(td.all("span", cls="way")) for tr in matrix.one("tbody").all("tr")
               for td in tr.all("td")) == len(paths)


def test_an_event_page_lays_the_accounts_out_field_by_field(site):
    page = parse(site / "events" / "2021-03-04-bridge-closed" / "index.html")
    table = page.one("table", cls="fields")
    head = [th.text() for th in table.one("thead").all("th")]
    assert head == ["Field", "The Morning Ledger", "Harbour Radio"]
    assert [a.attrs["href"] for a in table.one("thead").all("a")] == [
        "#account-ledger", "#account-radio"]
    rows = {row.one("th").text(): [td.text() for td in row.all("td")]
            for row in table.one("tbody").all("tr")}
    # The outlets' own words first.
    assert list(rows) == ["Quotes, and whose words", "Time words", "Placed at",
                          "Independent origins", "Figure: vehicles diverted"]
    assert rows["Figure: vehicles diverted"] == [
        "“12,000 vehicles” (12,000) The Morning Ledger , in its own voice",
        "“Some 10,000 to 15,000 cars” (10,000–15,000) Harbour Radio , citing Jo Marsh (“she said”; identified as “Jo Marsh of the port authority”)"]
    # Jo Marsh counts as the Port Authority she speaks for.
    assert rows["Independent origins"] == [
        "3: City council ; Port Authority ; The Morning Ledger, in its own voice",
        "2: Port Authority ; Harbour Radio, in its own voice"]
    radio_quotes = table.one("tbody").all("tr")[0].all("td")[1].all("a")
    assert [a.attrs["href"] for a in radio_quotes if a.attrs["href"].startswith("#")] == [
        "#account-radio-quote-1", "#account-radio-quote-2"]
    # The page opens on the accounts side by side; the editors' summary follows them.
    headings = [h.attrs.get("id") for h in page.one("article", cls="event").all("h2")]
    assert headings[:3] == ["fields", "summary", "origins"], headings
    assert {"accounts", "silent", "timing"} <= set(headings)
    # The anchors the home page and quotes.csv link to are still on the page.
    for anchor in ("account-ledger", "account-radio", "account-radio-quote-2"):
        assert page.all(id=anchor), anchor


def test_a_figure_topic_only_one_outlet_gives_still_has_a_row_of_its_own(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    text = event.read_text()
    event.write_text(text.replace("        as_written: \"12,000 vehicles\"\n",
                                  "        as_written: \"12,000 vehicles\"\n"
                                  "      - topic: lanes shut\n        value: 4\n"
                                  "        as_written: four lanes\n", 1))
    build(Paths(content=content, out=tmp_path / "site", templates=PROJECT / "templates",
                static=PROJECT / "static"))
    table = parse(tmp_path / "site" / "events" / "2021-03-04-bridge-closed" / "index.html"
                  ).one("table", cls="fields")
    rows = {row.one("th").text(): [td.text() for td in row.all("td")]
            for row in table.one("tbody").all("tr")}
    assert rows["Figure: lanes shut"] == ["“four lanes” (4) The Morning Ledger , in its own voice",
                                          "— not given"]


def test_an_editors_top_heading_sits_below_the_pages_title():
    from parallax.markup import below_title, convert
    assert convert("# How\n\n## Why")[0] == (
        '<h2 id="section-how">How</h2>\n<h3 id="section-why">Why</h3>')
    assert convert("## Why")[0] == '<h2 id="section-why">Why</h2>'
    assert below_title("<h1>a</h1><h6>b</h6>") == "<h2>a</h2><h6>b</h6>"


def test_events_index_lists_every_event_with_each_articles_time(site):
    page = parse(site / "events" / "index.html")
    headings = [h.text() for h in page.one("main").all("h2")]
    assert headings == ["Before 3–5 Mar 2021", "Wednesday 3 March 2021", "Thursday 4 March 2021"]
    assert "Harbour Radio : 2–3 Mar 2021 (“two days ago”)" in page.text()


# --- the layout's own rules ----------------------------------------------------------------------


def test_times_are_cut_to_the_window_and_coarse_ones_go_to_the_bands():
    tz = ZoneInfo("Asia/Damascus")
    window = parse_when("2016-12-08/2016-12-12", tz)
    grid = Grid(tuple(date(2016, 12, d) for d in range(8, 13)))
    night = slot_for(parse_when("2016-12-10 night", tz), grid, window)
    # 20:00 on the 10th is in the evening column of the 10th; 06:00 on the 11th ends its night.
    assert (night.column - 1 + night.bar_column - 1, night.bar_span) == (2 * 4 + 3, 2)
    late = slot_for(parse_when("2016-12-12 evening", tz), grid, window)
    assert (late.column, late.span, late.bar_column, late.bar_span) == (17, 4, 4, 1)
    assert slot_for(parse_when("2016-12", tz), grid, window).band == "before"
    assert slot_for(parse_when("2016-12-13", tz), grid, window).band == "after"
    assert slot_for(parse_when("2017", tz), grid, window).band == "after"
    spill = slot_for(parse_when("2016-12-12/2016-12-14", tz), grid, window)
    assert (spill.band, spill.ends_later, spill.bar_span) == ("window", True, 4)


def test_stacking_uses_the_first_free_row_in_order():
    def at(column, span):
        return Slot("window", column, span, 1, span, False, False)
    rows = [s.row for s in stack([at(1, 4), at(3, 4), at(5, 4), at(2, 2), at(9, 4)])]
    assert rows == [1, 2, 1, 3, 1]


def test_text_fragments_encode_the_quotes_first_words():
    assert text_fragment("a crack-found, here & there … later words") == (
        "#:~:text=a%20crack%2Dfound%2C%20here%20%26%20there")
    assert text_fragment("one two three four five six seven eight nine") == (
        "#:~:text=one%20two%20three%20four%20five%20six%20seven%20eight")


# --- the real content ----------------------------------------------------------------------------


def times_said(real, source: str, *words: str) -> list[Mark]:
    folder, _ = real
    found = [m for m in drawn_marks(parse(folder / "index.html"))
             if m.source == source and any(f": “{w}”, read as" in m.name for w in words)]
    if not found:
        pytest.skip(f"no account of {source} says {' or '.join(words)} yet")
    return found


def day_span(real, day: date) -> tuple[float, float]:
    days = real[1].days
    share = 100 / len(days)
    return round((day - days[0]).days * share, 3), round(share, 3)


def test_the_durans_yesterday_sits_on_10_december(real):
    for m in times_said(real, "the-duran", "yesterday"):
        assert (m.left, m.width) == day_span(real, date(2016, 12, 10)), m.event


def test_breitbarts_on_saturday_sits_on_10_december(real):
    # Breitbart relays CNN's words: "Saturday", in an article of Monday 12 December.
    for m in times_said(real, "breitbart", "on Saturday", "Saturday"):
        assert (m.left, m.width) == day_span(real, date(2016, 12, 10)), m.event


def test_every_account_of_the_windows_events_is_drawn_once(real):
    folder, timeline = real
    drawn = sorted((m.event, m.source) for m in drawn_marks(parse(folder / "index.html")))
    assert drawn == sorted((e.id, a.account.source) for e in timeline.events
                           if e.band == "window" for a in e.accounts)
    assert len(set(drawn)) == len(drawn)


# --- at scale: overviews split into months and years ---------------------------------------------


def generate_site(folder: Path, events: int, sources: int = 4) -> Path:
    """bench/generate.py's synthetic content (seeded, so the same every time)."""
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, events, sources, seed=3)


LOW_LIST_LIMIT = 12


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    """120 generated events built with limits low enough that every overview splits."""
    folder = tmp_path_factory.mktemp("split")
    content = generate_site(folder, 120)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "BAND_LIMIT", 3)
        patch.setattr(views, "LIST_LIMIT", LOW_LIST_LIMIT)
        result = build(Paths(content, folder / "site", PROJECT / "templates",
                             PROJECT / "static"))
    return folder / "site", result.timeline


def links_of(page: Node) -> list[str]:
    return [a.attrs["href"] for a in page.all("a") if "href" in a.attrs]


def target(site: Path, page: Path, href: str) -> Path:
    """The file a relative link on `page` leads to."""
    path = (page.parent / href.split("#")[0]).resolve()
    return path / "index.html" if href.split("#")[0].endswith("/") or path.is_dir() else path


def row_accounts(page: Node) -> list[tuple[str, str]]:
    """(source id, event id) of every mark in the page's rows."""
    return [(m.source, m.event) for m in drawn_marks(page)]


def test_the_fixture_site_is_small_enough_to_keep_every_list_whole(site):
    assert not (site / "timeline").exists()
    assert not (site / "events" / "2021").exists()
    assert not parse(site / "index.html").all("div", cls="months")


def test_long_bands_become_months_linking_to_a_timeline_page_each(split):
    site, timeline = split
    home = parse(site / "index.html")
    overviews = home.all("div", cls="months")
    assert [o.attrs["id"] for o in overviews] == ["months-before", "months-after"]
    linked = set()
    for overview in overviews:
        for href in links_of(overview):
            assert href.startswith("timeline/"), href
            assert target(site, site / "index.html", href).is_file(), href
            linked.add(href)
    written = {f"timeline/{p.name}/" for p in (site / "timeline").iterdir()}
    window = timeline.window.start.strftime("%Y-%m")
    # Every month page is linked from a band, but for a month holding only the window's days.
    assert linked <= written and written - linked <= {f"timeline/{window}/"}
    # No strip for a split band; the rows are the window's events.
    assert not home.all("div", cls="ctx")
    assert sorted(r.attrs["data-event"] for r in home.all("li", cls="row")) == sorted(
        e.id for e in timeline.events if e.band == "window")


def test_every_account_starting_in_a_month_is_drawn_on_its_page(split):
    site, timeline = split
    tz = timeline.tz
    for folder in sorted((site / "timeline").iterdir()):
        page = parse(folder / "index.html")
        year, month = map(int, folder.name.split("-"))
        assert page.one("h1").text() == f"{date(year, month, 1):%B} {year}"
        drawn = set(row_accounts(page))
        starting = {(a.account.source, e.id) for e in timeline.events for a in e.accounts
                    if (a.time.start.astimezone(tz).year, a.time.start.astimezone(tz).month)
                    == (year, month)}
        assert starting and starting <= drawn, folder.name
        # A row shows every account of its event, cut at the month's edges when need be.
        for row in page.all("li", cls="row"):
            event = timeline.event(row.attrs["data-event"])
            assert len(row.all("a", cls="m")) == len(event.accounts)
        days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
        assert f"d{days}" in page.one("section", cls="tl").classes
        assert len(page.one("div", cls="axis-days").all("span", cls="d")) == days


def test_month_pages_link_to_the_months_before_and_after_and_to_the_overview(split):
    site, _ = split
    months = sorted(p.name for p in (site / "timeline").iterdir())
    assert len(months) > 12
    walked = [months[0]]
    page = site / "timeline" / months[0] / "index.html"
    while True:
        tree = parse(page)
        assert "../../" in links_of(tree), "a month page links back to the overview"
        nexts = {a.attrs["href"] for a in tree.all("a", rel="next")}
        if not nexts:
            break
        (href,) = nexts
        page = target(site, page, href)
        walked.append(page.parent.name)
        prevs = {target(site, page, a.attrs["href"]) for a in parse(page).all("a", rel="prev")}
        assert prevs == {site / "timeline" / walked[-2] / "index.html"}
    assert walked == months


def test_the_stylesheet_covers_every_month_pages_days(split):
    site, _ = split
    css = (site / "static" / "timeline.css").read_text()
    for folder in (site / "timeline").iterdir():
        frame = parse(folder / "index.html").one("section", cls="tl")
        days = next(c for c in frame.classes if c[0] == "d" and c[1:].isdigit())
        assert f".tl.{days} {{ --days: {days[1:]}; }}" in css


def test_a_long_events_index_is_split_by_year_and_lists_each_event_once(split):
    site, timeline = split
    index = parse(site / "events" / "index.html")
    years = [target(site, site / "events" / "index.html", a.attrs["href"])
             for a in index.one("nav", cls="years").all("a")]
    assert years == [site / "events" / str(y) / "index.html" for y in sorted(
        {e.placement.start.astimezone(timeline.tz).year for e in timeline.events})]
    assert not index.all("a", cls="event-title")
    listed = []
    for path in years:
        page = parse(path)
        assert site / "events" / "index.html" in {target(site, path, h) for h in links_of(page)}
        listed += [target(site, path, a.attrs["href"]) for a in page.all("a", cls="event-title")]
    assert sorted(listed) == sorted(site / "events" / e.id / "index.html"
                                    for e in timeline.events)


def test_a_long_differences_page_caps_its_cells_and_moves_the_rest_to_months(split):
    site, timeline = split
    main_page = parse(site / "differences" / "index.html")
    assert not main_page.all("table", cls="coverage")
    cells = main_page.one("table", cls="compare").all("td")
    assert max(len(td.all("p", cls="figure")) for td in cells) == views.FIGURES_PER_CELL
    assert any(td.all("p", cls="more-figures") for td in cells)
    months = [a.attrs["href"] for a in main_page.one("nav", cls="months").all("a")]
    rows = []
    for href in months:
        page = target(site, site / "differences" / "index.html", href)
        assert page.is_file(), href
        rows += [tr.one("th").one("a").attrs["href"]
                 for tr in parse(page).one("table", cls="coverage").one("tbody").all("tr")]
    assert sorted(rows) == sorted(f"../../events/{e.id}/" for e in timeline.events)


def test_long_source_and_party_pages_are_split_by_year(split):
    site, timeline = split
    source = timeline.sources[0]
    told = []
    for page in sorted((site / "sources" / source.id).glob("*/index.html")):
        told += [a.attrs["href"] for a in parse(page).one("ol", cls="sequence").all("a")
                 if "#account-" in a.attrs["href"]]
    assert sorted(told) == sorted(f"../../../events/{e.id}/#account-{source.id}"
                                  for e in timeline.events
                                  if any(a.account.source == source.id for a in e.accounts))
    assert not parse(site / "sources" / source.id / "index.html").all("ol", cls="sequence")
    claims = views.claims_by_party(timeline)
    party_id = max(claims, key=lambda p: (len(claims[p]), p))
    assert len(claims[party_id]) > LOW_LIST_LIMIT
    listed = []
    for page in sorted((site / "credited" / party_id).glob("*/index.html")):
        listed += parse(page).all("li", cls="claim")
    assert len(listed) == len(claims[party_id])


# --- the story first, and what the rows can be narrowed to ---------------------------------------

CRACK, CLOSED, REPAIRS = "2021-03-03-crack-found", "2021-03-04-bridge-closed", "2020-11-repairs-planned"


def fixture_timeline(folder: Path, edit=None):
    """The fixture's timeline, built from a copy of its content changed by `edit(folder)`."""
    content = folder / "content"
    shutil.copytree(FIXTURE, content)
    if edit:
        edit(content)
    return build(Paths(content, folder / "site", PROJECT / "templates",
                       PROJECT / "static")).timeline


def window_comparison(timeline):
    return views.comparison(timeline, [e for e in timeline.events if e.band == "window"],
                            timeline.window)


def test_whose_word_each_event_rests_on(tmp_path):
    narrow = views.narrowing(fixture_timeline(tmp_path))
    # Jo Marsh speaks for the Port Authority; a joint statement rests on each of its parties;
    # a quote with no chain rests on the outlet itself.
    assert narrow.rests_on == {
        REPAIRS: ("outlet:ledger",),
        CRACK: ("party:port-authority",),
        CLOSED: ("outlet:ledger", "outlet:radio", "party:city-council", "party:port-authority"),
    }
    assert narrow.names == {"outlet:ledger": "The Morning Ledger (own voice)",
                            "outlet:radio": "Harbour Radio (own voice)",
                            "party:city-council": "City council",
                            "party:port-authority": "Port Authority"}


def test_a_pages_claimants_count_its_own_rows_most_events_first(tmp_path):
    timeline = fixture_timeline(tmp_path)
    found = views.claimants_of(views.narrowing(timeline), window_comparison(timeline))
    # The context event (the ledger's own voice, before the window) is not on the page.
    assert [(c.key, c.events) for c in found] == [
        ("party:port-authority", 2), ("party:city-council", 1), ("outlet:radio", 1),
        ("outlet:ledger", 1)]


def test_an_event_is_disputed_by_a_stance_or_by_figures_that_cannot_both_be_true(tmp_path):
    def no_stance(content):
        path = content / "events" / f"{CLOSED}.md"
        path.write_text(path.read_text().replace("        stance: disputed\n", ""))

    def no_stance_figures_apart(content):
        no_stance(content)
        path = content / "events" / f"{CLOSED}.md"
        path.write_text(path.read_text().replace("value: 12000", "value: 20000"))

    assert views.disputed_events(fixture_timeline(tmp_path / "as-is")) == {CLOSED}
    assert views.disputed_events(fixture_timeline(tmp_path / "agreed", no_stance)) == set()
    assert views.disputed_events(fixture_timeline(tmp_path / "apart",
                                                  no_stance_figures_apart)) == {CLOSED}


def test_the_events_most_outlets_tell_lead_in_order(tmp_path, real):
    timeline = fixture_timeline(tmp_path)
    compared = window_comparison(timeline)
    # Both told by the two outlets: in time.
    assert [r.event.id for r in views.lead_rows(compared)] == [CRACK, CLOSED]
    assert [r.event.id for r in views.lead_rows(compared, 1)] == [CRACK]
    # The real site: most outlets first, then in time; none told by one outlet; none left out
    # that more outlets tell than the last one shown.
    _, timeline = real
    compared = window_comparison(timeline)
    lead = views.lead_rows(compared)

    def told(row):
        return len({a.account.source for a in row.event.accounts})

    keys = [(-told(r), r.event.placement.start) for r in lead]
    assert lead and keys == sorted(keys) and len(lead) <= views.LEAD_EVENTS
    assert all(told(r) >= 2 for r in lead)
    rest = [r for day in compared.days for r in day.rows if r not in lead]
    assert all(told(r) <= told(lead[-1]) for r in rest)


def test_the_home_page_leads_with_the_strip_and_its_rows_carry_what_they_rest_on(site):
    home = parse(site / "index.html")
    strip = home.one("section", cls="lead-events")
    assert [a.attrs["href"] for a in strip.all("a", cls="to-row")] == [f"#{CRACK}", f"#{CLOSED}"]
    for item, event in zip(strip.all("li"), (CRACK, CLOSED)):
        assert [k.classes[1] for k in item.all("svg", cls="key")] == ["o1", "o2"]
        assert f"events/{event}/" in links_of(item)
    rows = {r.attrs["data-event"]: r.attrs for r in home.all("li", cls="row")}
    assert rows[CRACK]["data-claimants"] == "party:port-authority"
    assert "data-disputed" in rows[CLOSED] and "data-disputed" not in rows[CRACK]
    options = home.one("template", cls="claimants").all("option")
    assert [(o.attrs["value"], o.text()) for o in options] == [
        ("party:port-authority", "Port Authority: 2 events"),
        ("party:city-council", "City council: 1 event"),
        ("outlet:radio", "Harbour Radio (own voice): 1 event"),
        ("outlet:ledger", "The Morning Ledger (own voice): 1 event")]
    # The strip comes before the timeline; the explanation is folded.
    main = home.one("main")
    order = [n for n in main.all() if n.attrs.get("class") in ("lead-events", "tl")]
    assert [n.attrs["class"] for n in order] == ["lead-events", "tl"]
    assert home.one("details", cls="how").one("summary").text() == "How to read the timeline"


def test_month_pages_rows_carry_what_they_rest_on_and_the_claimants_to_choose(split):
    site, timeline = split
    narrow = views.narrowing(timeline)
    checked = 0
    for folder in sorted((site / "timeline").iterdir()):
        page = parse(folder / "index.html")
        rows = page.all("li", cls="row")
        counts = Counter(key for r in rows for key in r.attrs["data-claimants"].split())
        for row in rows:
            event = row.attrs["data-event"]
            assert tuple(row.attrs["data-claimants"].split()) == narrow.rests_on[event]
            assert ("data-disputed" in row.attrs) == (event in narrow.disputed)
        options = page.all("option")
        assert sorted((o.attrs["value"], o.text()) for o in options) == sorted(
            (key, f"{narrow.names[key]}: {n} event{'s' if n != 1 else ''}")
            for key, n in counts.items())
        checked += bool(counts)
    assert checked
