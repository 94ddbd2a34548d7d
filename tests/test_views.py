"""The reader-facing pages: the shared timeline's lanes, the event, source, party and
differences pages, read back from the built HTML with the standard library's parser.

Expected grid columns are worked out here from the fixture's dates by hand (the window is
3–5 March 2021; a day is four columns: night, morning, afternoon, evening), not by asking
parallax.views.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
class Placed:
    """An account as the home page draws it."""

    lane: str
    event: str
    band: str
    row: int | None
    box: tuple[int, int] | None
    """The columns its box covers, [first, last), counted from the window's first quarter (0)."""
    bar: tuple[int, int] | None
    """The columns its time bar covers, the same way."""
    classes: tuple[str, ...]
    time_text: str
    node: Node


def number(classes: list[str], prefix: str) -> int:
    found = [int(c[1:]) for c in classes if c[0] == prefix and c[1:].isdigit()]
    assert len(found) == 1, f"expected one {prefix}N class in {classes}"
    return found[0]


def placed_accounts(home: Node) -> list[Placed]:
    out = []
    for lane in home.all("section", cls="lane"):
        for item in lane.all("li", cls="acct"):
            link = item.one("a")
            band_list = item.parent
            band = ("window" if "days" in band_list.classes
                    else "before" if "is-before" in band_list.classes else "after")
            box = bar = row = None
            if band == "window":
                start, span = number(item.classes, "c") - 1, number(item.classes, "s")
                box = (start, start + span)
                bar_node = link.one("span", cls="bar")
                bar_start = start + number(bar_node.classes, "c") - 1
                bar = (bar_start, bar_start + number(bar_node.classes, "s"))
                row = number(item.classes, "r")
            out.append(Placed(lane.attrs["id"], link.attrs["data-event"], band, row, box, bar,
                              tuple(item.classes), link.one("span", cls="time").text(), item))
    return out


def column(day: date, first_day: date, quarter: int = 0) -> int:
    """The window column a day's quarter (0 night, 1 morning, 2 afternoon, 3 evening) starts."""
    return (day - first_day).days * 4 + quarter


MARCH_3 = date(2021, 3, 3)


# --- the shared timeline -------------------------------------------------------------------------


def test_one_lane_per_source_labelled_with_outlet_and_article_date(site):
    home = parse(site / "index.html")
    lanes = home.all("section", cls="lane")
    assert [lane.attrs["id"] for lane in lanes] == ["lane-ledger", "lane-radio"]
    assert [lane.one("h3").text() for lane in lanes] == [
        "The Morning Ledger article of Fri 5 Mar 2021", "Harbour Radio article of 4–5 Mar 2021"]
    assert [lane.attrs["data-lane"] for lane in lanes] == ["The Morning Ledger", "Harbour Radio"]


def test_each_account_sits_in_the_columns_its_own_source_gives_it(site):
    placed = {(p.lane, p.event): p for p in placed_accounts(parse(site / "index.html"))}
    assert len(placed) == 5
    # 'on Wednesday' in the Ledger of Friday 5 March: all of Wednesday 3 March.
    crack = placed["lane-ledger", "2021-03-03-crack-found"]
    assert crack.bar == (column(MARCH_3, MARCH_3), column(date(2021, 3, 4), MARCH_3)) == (0, 4)
    # 'Thursday morning': one column, the morning of 4 March; the box runs on for the title.
    closed = placed["lane-ledger", "2021-03-04-bridge-closed"]
    morning = column(date(2021, 3, 4), MARCH_3, quarter=1)
    assert closed.bar == (morning, morning + 1) == (5, 6)
    assert closed.box == (5, 9)
    # Radio's 'yesterday', counted from its date known only as 4–5 March, is 3–4 March; its
    # 'overnight' reaches the morning of the 5th: the account spans both sets of time words.
    assert placed["lane-radio", "2021-03-04-bridge-closed"].bar == (0, 9)
    # Radio's 'two days ago' is 2–3 March: cut at the window's first column, and said so.
    two_days = placed["lane-radio", "2021-03-03-crack-found"]
    assert two_days.bar == (0, 4)
    assert "from-earlier" in two_days.node.one("span", cls="bar").classes
    assert "from before the days shown" in two_days.time_text
    # 'in November' (2020) is a month, long before the window: the 'before' band.
    repairs = placed["lane-ledger", "2020-11-repairs-planned"]
    assert (repairs.band, repairs.box) == ("before", None)
    assert repairs.time_text.startswith("Nov 2020 (“in November”)")


def test_accounts_of_the_same_event_line_up_when_the_sources_agree(site):
    placed = {(p.lane, p.event): p for p in placed_accounts(parse(site / "index.html"))}
    ledger = placed["lane-ledger", "2021-03-03-crack-found"]
    radio = placed["lane-radio", "2021-03-03-crack-found"]
    assert ledger.bar[0] == radio.bar[0]
    closed = [placed[lane, "2021-03-04-bridge-closed"] for lane in ("lane-ledger", "lane-radio")]
    assert closed[0].bar != closed[1].bar


def test_accounts_in_one_lane_never_overlap(site, real):
    for folder in (site, real[0]):
        accounts = [p for p in placed_accounts(parse(folder / "index.html")) if p.band == "window"]
        for a in accounts:
            for b in accounts:
                if a is b or a.lane != b.lane or a.row != b.row:
                    continue
                assert a.box[1] <= b.box[0] or b.box[1] <= a.box[0], (a.event, b.event, a.lane)
    radio = [p for p in placed_accounts(parse(site / "index.html")) if p.lane == "lane-radio"]
    assert sorted(p.row for p in radio) == [1, 2]


def test_uncertain_accounts_are_marked_in_words_and_signs(site):
    placed = {(p.lane, p.event): p for p in placed_accounts(parse(site / "index.html"))}
    wide = placed["lane-radio", "2021-03-04-bridge-closed"]
    assert "is-wide" in wide.classes
    assert "only known within a span of days" in wide.time_text
    assert wide.node.one("span", cls="signs").text() == "↔"
    assert wide.node.one("span", cls="signs").attrs["aria-hidden"] == "true"
    month = placed["lane-ledger", "2020-11-repairs-planned"]
    assert "is-wide" in month.classes and "only known to the month" in month.time_text
    exact = placed["lane-ledger", "2021-03-04-bridge-closed"]
    assert not {"is-wide", "is-approximate", "is-undated"} & set(exact.classes)
    assert exact.node.all("span", cls="signs") == []


def test_an_account_without_time_words_is_marked_undated(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text().replace("    time_words:\n      - said: two days ago\n", ""))
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    placed = {(p.lane, p.event): p for p in placed_accounts(parse(out / "index.html"))}
    undated = placed["lane-radio", "2021-03-03-crack-found"]
    assert "is-undated" in undated.classes
    assert "no time words; shown at the editors' date" in undated.time_text
    assert undated.bar == (0, 4)


def test_each_account_links_to_its_event_page_at_that_account(site):
    for p in placed_accounts(parse(site / "index.html")):
        source = p.lane.removeprefix("lane-")
        href = p.node.one("a").attrs["href"]
        assert href == f"events/{p.event}/#account-{source}"
        page = parse(site / "events" / p.event / "index.html")
        assert page.one("article", id=f"account-{source}")


def test_the_home_page_reads_completely_without_script(site):
    """Every account is a link whose text says its time; every event is in the list view; the
    CSP's script-src 'self' and style-src 'self' hold (no inline script or style)."""
    home = parse(site / "index.html")
    accounts = placed_accounts(home)
    assert len(accounts) == 5 and all(p.time_text for p in accounts)
    listed = [li.attrs["data-event"] for li in home.one("section", cls="by-event").all("li")
              if "data-event" in li.attrs]
    assert listed == ["2020-11-repairs-planned", "2021-03-03-crack-found",
                      "2021-03-04-bridge-closed"]
    by_event = home.one("section", cls="by-event").text()
    assert "Harbour Radio : 3–5 Mar 2021 (“yesterday; overnight”)" in by_event
    for node in home.all():
        assert "style" not in node.attrs, node.tag
        if node.tag == "script":
            assert node.attrs.get("src") or node.attrs.get("type") == "application/ld+json"
    script = home.one("script", src="static/timeline.js")
    assert "defer" in script.attrs


def test_the_grid_stylesheet_covers_every_class_the_page_uses(site):
    css = (site / "static" / "timeline.css").read_text()
    home = parse(site / "index.html")
    used = {c for node in home.all() for c in node.classes if c[0] in "csr" and c[1:].isdigit()}
    assert used
    for name in sorted(used):
        assert f".{name} {{" in css, name
    assert "repeat(12, " in css  # 3 days of 4 columns


# --- event, source, party and differences pages --------------------------------------------------


def test_event_page_shows_time_words_their_reading_and_the_way_to_the_words(site):
    page = parse(site / "events" / "2021-03-04-bridge-closed" / "index.html")
    radio = page.one("article", id="account-radio").text()
    assert "“yesterday”" in radio
    assert "'yesterday', counted from 4–5 Mar 2021 → 3–4 Mar 2021" in radio
    assert "Harbour Radio , citing Jo Marsh ; dated by “yesterday”" in radio
    assert "Harbour Radio , in its own voice ; dated by “overnight”" in radio
    quotes = page.one("article", id="account-ledger").all("li", cls="quote")
    assert [q.one("p", cls="attribution").text() for q in quotes] == [
        "The Morning Ledger , in its own voice",
        "The Morning Ledger , citing The Harbour Gazette , citing Radio Norte , citing Jo Marsh",
        "The Morning Ledger , citing Port Authority and City council together",
        "The Morning Ledger , citing City council , which The Morning Ledger disputes",
    ]
    origins = page.one("p", cls="origins-count").text()
    assert origins.startswith("Told by 2 of 2 outlets, from 4 independent origins:")
    link = page.one("article", id="account-radio").one("a", cls="out")
    assert link.attrs["href"] == ("https://archive.example.net/radio/bridge"
                                  "#:~:text=Some%2010%2C000%20to%2015%2C000%20cars")
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
    assert "Repairs to the bridge are planned" in untold


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


def test_differences_page_has_a_coverage_matrix(site):
    table = parse(site / "differences" / "index.html").one("table", cls="coverage")
    assert table.one("caption").text()
    assert all(th.attrs["scope"] == "col" for th in table.one("thead").all("th"))
    cells = {}
    for row in table.one("tbody").all("tr"):
        event = row.one("th").one("a").attrs["href"].split("/")[-2]
        assert row.one("th").attrs["scope"] == "row"
        cells[event] = [td.text() for td in row.all("td")]
    assert cells == {
        "2020-11-repairs-planned": ["✓ Nov 2020", "— not mentioned"],
        "2021-03-03-crack-found": ["✓ Wed 3 Mar", "✓ 2–3 Mar"],
        "2021-03-04-bridge-closed": ["✓ Thu 4 Mar, morning", "✓ 3–5 Mar"],
    }


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


def lane_times(real, lane: str, *words: str) -> list[Placed]:
    folder, _ = real
    found = [p for p in placed_accounts(parse(folder / "index.html"))
             if p.lane == lane and any(f"(“{w}”)" in p.time_text for w in words)]
    if not found:
        pytest.skip(f"no account in {lane} says {' or '.join(words)} yet")
    return found


def test_the_durans_yesterday_sits_on_10_december(real):
    first_day = real[1].days[0]
    for p in lane_times(real, "lane-the-duran", "yesterday"):
        assert p.bar == (column(date(2016, 12, 10), first_day),
                         column(date(2016, 12, 11), first_day)), p.event


def test_breitbarts_on_saturday_sits_on_10_december(real):
    first_day = real[1].days[0]
    # Breitbart relays CNN's words: "Saturday", in an article of Monday 12 December.
    for p in lane_times(real, "lane-breitbart", "on Saturday", "Saturday"):
        assert p.bar == (column(date(2016, 12, 10), first_day),
                         column(date(2016, 12, 11), first_day)), p.event


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


def lane_accounts(page: Node) -> list[tuple[str, str]]:
    """(source id, event id) of every account in the page's lanes."""
    found = []
    for lane in page.all("section", cls="lane"):
        source = lane.attrs["id"].removeprefix("lane-")
        found += [(source, a.attrs["data-event"]) for a in lane.all("a")
                  if "data-event" in a.attrs]
    return found


def test_the_fixture_site_is_small_enough_to_keep_every_list_whole(site):
    assert not (site / "timeline").exists()
    assert not (site / "events" / "2021").exists()
    assert not parse(site / "index.html").all("section", cls="months")


def test_long_bands_become_months_linking_to_a_timeline_page_each(split):
    site, timeline = split
    home = parse(site / "index.html")
    overviews = home.all("section", cls="months")
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
    # The lanes keep their markup; a split band holds a link to its months instead of accounts.
    for lane in home.all("section", cls="lane"):
        for band in ("before", "after"):
            box = lane.one(cls=f"is-{band}")
            assert not box.all("li", cls="acct")
            assert links_of(box) == [f"#months-{band}"]
    # What is left in the lanes is the window's days.
    accounts = home.all("li", cls="acct")
    assert accounts and all(li.ancestor("days") is not None for li in accounts)


def test_every_account_is_on_exactly_one_month_page_in_its_months_days(split):
    site, timeline = split
    seen: list[tuple[str, str]] = []
    for folder in sorted((site / "timeline").iterdir()):
        page = parse(folder / "index.html")
        accounts = lane_accounts(page)
        assert accounts, folder.name
        seen += accounts
        year, month = map(int, folder.name.split("-"))
        assert page.one("h1").text() == f"{date(year, month, 1):%B} {year}"
    expected = [(a.account.source, e.id) for e in timeline.events for a in e.accounts]
    assert sorted(seen) == sorted(expected)
    assert len(set(seen)) == len(seen)


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


def test_month_stylesheet_covers_every_class_the_month_pages_use(split):
    site, _ = split
    css = (site / "static" / "timeline-months.css").read_text()
    for folder in (site / "timeline").iterdir():
        tree = parse(folder / "index.html")
        frame = tree.one("section", cls="tl")
        days = next(c for c in frame.classes if c.startswith("d"))
        assert f".tl.{days} .lane" in css
        for node in frame.all():
            for cls in node.classes:
                if cls[0] in "csr" and cls[1:].isdigit():
                    assert f".{cls} {{" in css, (folder.name, cls)


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
