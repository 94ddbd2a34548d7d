"""A timeline row opened in place, in a real browser at 1440×900 and 375×812: each telling
outlet's key quote, on whose word and its time words, linked to the account; an address naming
an event opens its row, with and without script; every mark's address offered by a link of at
least 24×24 px; the disclosure control reached by keyboard, named and visibly focused; closed
rows no taller than their title and marks; publication times as ticks where the data puts them.
Events are chosen from the data, never by name."""

from __future__ import annotations

import shutil
from datetime import datetime, time

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import FIXTURE_CONTENT, _served, watch
from .test_accessibility import WCAG_TAGS, violations_report

SIZES = {1440: {"width": 1440, "height": 900}, 375: {"width": 375, "height": 812}}
WIDTHS = pytest.mark.parametrize("width", [1440, 375])


def window_events(site) -> list:
    return [e for e in site.timeline.events if e.band == "window"]


def most_told(site):
    """The event of the window told by the most outlets (ties: the latest id)."""
    return max(window_events(site), key=lambda e: (len(e.accounts), e.id))


def outlet(site, source_id: str) -> str:
    return next(s.outlet for s in site.timeline.sources if s.id == source_id)


def key_quote(account):
    return account.quotes[account.key_quote - 1]


def row_of(page, event_id: str):
    return page.locator(f'li.row[data-event="{event_id}"]')


def open_every_row(page) -> None:
    page.evaluate("() => document.querySelectorAll('.tl li.row details').forEach(d => d.open = true)")


# --- a row opened ----------------------------------------------------------------------------------


@WIDTHS
def test_an_opened_row_shows_each_outlets_quote_chain_and_time_words(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url)
    event = most_told(site)
    row = row_of(site_page, event.id)
    body = row.locator(".said-body")
    assert not body.is_visible()
    row.locator("summary").click()
    assert body.is_visible()
    items = body.locator(".said-item")
    assert items.count() == len(event.accounts)
    parties = site.timeline.parties
    for n, placed in enumerate(event.accounts):
        account = placed.account
        item = items.nth(n)
        quote = key_quote(account)
        who = item.locator(".said-who").inner_text().strip()
        # The outlet, then each party of the key quote's chain, in order: "ZeroHedge, citing
        # Deutsche Welle:"; the outlet's own voice is the outlet alone.
        assert who.startswith(outlet(site, account.source)), who
        assert who.count(", citing ") == len(quote.via or ()), who
        rest = who
        for party in quote.parties:
            assert parties[party].name in rest, (who, party)
            rest = rest[rest.index(parties[party].name):]
        assert "in its own voice" not in who
        # The quote, verbatim from the record, shown in full.
        assert item.locator("blockquote").inner_text() == quote.text
        box = item.locator("blockquote").bounding_box()
        assert box["width"] > 100 and box["x"] >= 0 and box["x"] + box["width"] <= width
        # Its time words and what they are read as; words dating a report said to be so.
        when = item.locator(".said-when").inner_text()
        for d in placed.datings:
            if d.words.dates.value == "report":
                assert f"“{d.words.said}” dates the report, not the event: {d.time.describe()}" in when
                assert f"“{d.words.said}”, read as" not in when
            else:
                assert f"“{d.words.said}”, read as {d.time.describe()}" in when
        if placed.basis == "event":
            assert when.startswith("No time words of its own; shown at the editors’ date, "
                                   + placed.time.describe())
    # Outlets that do not tell it, in one line.
    silent = body.locator(".said-absent")
    if event.silent_sources:
        assert silent.inner_text() == "Not mentioned by " + ", ".join(
            outlet(site, s) for s in event.silent_sources) + "."
    else:
        assert silent.count() == 0
    # Each outlet's name leads to its full account on the event page.
    first = event.accounts[0].account.source
    link = items.first.locator(".said-who a").first
    assert link.inner_text() == outlet(site, first)
    link.click()
    site_page.wait_for_url(f"**/events/{event.id}/#account-{first}")
    assert site_page.locator(f"#account-{first}").is_visible()


@WIDTHS
@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_an_address_naming_an_event_opens_its_row_in_view(watched_context, site, width, script):
    context = watched_context(viewport=SIZES[width], java_script_enabled=script)
    page = context.new_page()
    # The last event of the window: its row lies far below the first screen.
    event = window_events(site)[-1]
    page.goto(f"{site.url}#{event.id}")
    page.wait_for_load_state("load")

    def in_view(event_id: str) -> None:
        row = row_of(page, event_id)
        assert row.locator("details").evaluate("d => d.open")
        top = row.evaluate("r => r.getBoundingClientRect().top")
        head = page.locator(".tl .head").evaluate("h => h.getBoundingClientRect().bottom")
        # The row's title and marks are in view, below the sticky day header.
        assert head - 1 <= top and top + 40 <= SIZES[width]["height"], (top, head)
        assert row.locator(".said-body").is_visible()

    in_view(event.id)
    if script:
        # A new address on the same page opens that row too.
        other = most_told(site)
        page.evaluate(f"() => {{ location.hash = {other.id!r}; }}")
        page.wait_for_function(f"() => document.getElementById({other.id!r}).closest('details').open")
        in_view(other.id)


def test_an_address_naming_an_event_shows_it_even_where_a_filter_hid_it(site_page, site):
    """A shared address with filters and an event the filters leave out: the event asked for
    is shown, opened, with its day's heading."""
    tags = {t for e in window_events(site) for t in e.event.tags}
    untagged = [(e, t) for e in window_events(site) for t in sorted(tags) if t not in e.event.tags]
    if not untagged:
        pytest.skip("every event has every tag")
    event, tag = untagged[-1]
    site_page.goto(f"{site.url}?tag={tag}#{event.id}")
    row = row_of(site_page, event.id)
    assert row.is_visible() and row.locator("details").evaluate("d => d.open")
    day = row.evaluate("r => r.parentNode.previousElementSibling.hidden")
    assert day is False
    # The others the filter leaves out stay hidden.
    hidden = [e.id for e in window_events(site) if tag not in e.event.tags and e.id != event.id]
    for other in hidden[:3]:
        assert not row_of(site_page, other).is_visible()


@WIDTHS
def test_every_marks_address_is_offered_by_a_24px_link_in_its_opened_row(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url)
    open_every_row(site_page)
    found = site_page.evaluate("""() => [...document.querySelectorAll('.tl li.row')].map(row => {
        const links = [...row.querySelectorAll('.said-body a')].map(a => {
            const b = a.getBoundingClientRect();
            return {href: a.href, w: b.width, h: b.height}; });
        return {event: row.dataset.event, links,
                marks: [...row.querySelectorAll('a.m')].map(m => new URL(m.getAttribute('href'), document.baseURI).href)};
    })""")
    assert sum(len(r["marks"]) for r in found) == sum(len(e.accounts) for e in window_events(site))
    smallest = min((min(link["w"], link["h"]) for r in found for link in r["links"]), default=0)
    print(f"\n{width} px: the smallest link in the opened rows is {smallest:.1f} px")
    for row in found:
        # Every link in the opened part is at least 24×24 px (WCAG 2.2, 2.5.8) ...
        for link in row["links"]:
            assert link["w"] >= 24 and link["h"] >= 24, (row["event"], link)
        # ... and each mark's address is one of them.
        offered = {link["href"] for link in row["links"]}
        for href in row["marks"]:
            assert href in offered, (row["event"], href)


@WIDTHS
def test_the_disclosure_control_is_reached_by_keyboard_named_and_visibly_focused(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url)
    event = most_told(site)
    row = row_of(site_page, event.id)
    # Met where the eye meets it: after the row above, before the row's title and marks.
    row.locator("a.ev").focus()
    site_page.keyboard.press("Shift+Tab")
    focused = site_page.evaluate("""() => { const s = document.activeElement;
        const style = getComputedStyle(s), box = s.getBoundingClientRect();
        return {tag: s.tagName, event: s.closest('li.row').dataset.event, text: s.textContent,
                outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                box: [box.left, box.top, box.width, box.height]}; }""")
    assert (focused["tag"], focused["event"]) == ("SUMMARY", event.id)
    assert event.event.title in focused["text"]
    assert focused["outline"] != "none" and focused["width"] >= 2
    left, _, w, h = focused["box"]
    assert w >= 24 and h >= 24 and left >= 0
    # Its accessible name, as Chromium gives it, names the event.
    snapshot = row.locator("details").aria_snapshot()
    assert event.event.title in snapshot.splitlines()[0] or event.event.title in snapshot
    site_page.keyboard.press("Enter")
    assert row.locator("details").evaluate("d => d.open")
    site_page.keyboard.press("Enter")
    assert not row.locator("details").evaluate("d => d.open")


@WIDTHS
def test_closed_rows_are_no_taller_than_their_title_and_marks(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url)
    rows = site_page.evaluate("""() => [...document.querySelectorAll('.tl li.row')].map(r => {
        const box = r.getBoundingClientRect(), style = getComputedStyle(r);
        const part = s => r.querySelector(s).getBoundingClientRect();
        const ev = part('.ev'), strip = part('.strip'), summary = part('summary');
        return {event: r.dataset.event, height: box.height, top: box.top,
                padding: parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
                         + parseFloat(style.borderBottomWidth),
                ev: [ev.left, ev.top, ev.bottom], strip: [strip.left, strip.top, strip.bottom, strip.height],
                details: part('details').height,
                summary: [summary.left, summary.top, summary.right, summary.bottom]};
    })""")
    heights = [r["height"] for r in rows]
    print(f"\n{width} px: closed rows {min(heights):.1f}–{max(heights):.1f} px tall, "
          f"{sum(heights):.0f} px in all")
    for r in rows:
        # Closed, the disclosure takes no height of its own: the row is its title and marks.
        assert r["details"] == 0, r["event"]
        content = max(r["ev"][2], r["strip"][2]) - min(r["ev"][1], r["strip"][1])
        assert r["height"] <= content + r["padding"] + 0.5, r
        # The control sits inside the row, clear of the marks.
        left, top, right, bottom = r["summary"]
        assert r["top"] <= top and bottom <= r["top"] + r["height"] + 0.5, r["event"]
        assert left >= 0
        if width == 1440:
            assert right <= r["strip"][0] and r["height"] <= r["strip"][3] + 1.5, r["event"]
        else:
            assert bottom <= r["strip"][1] + 0.5, r["event"]


@WIDTHS
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_opened_rows_pass_axe(site_page, site, width, scheme):
    site_page.set_viewport_size(SIZES[width])
    site_page.emulate_media(color_scheme=scheme)
    site_page.goto(site.url)
    open_every_row(site_page)
    results = Axe().run(site_page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                            "resultTypes": ["violations"]})
    assert results.violations_count == 0, violations_report(results.response)
    overflow = site_page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0


# --- publication times -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def timed_site(tmp_path_factory):
    """The fixture site with its first source's article published at a time of day inside the
    window (the real content gives dates only)."""
    folder = tmp_path_factory.mktemp("rows-timed")
    content = folder / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    first = min((content / "sources").glob("*.md"))
    text = first.read_text(encoding="utf-8")
    day = next(line.split(":", 1)[1].strip() for line in text.splitlines()
               if line.startswith("published:"))
    first.write_text(text.replace(f"published: {day}\n", f"published: {day}T08:15\n", 1),
                     encoding="utf-8")
    yield from _served(content, folder / "site")


@WIDTHS
def test_publication_times_are_ticks_at_their_time_on_the_outlets_track(browser, timed_site, width):
    context = browser.new_context(viewport=SIZES[width])
    seen = watch(context, timed_site)
    page = context.new_page()
    page.goto(timed_site.url)
    timeline = timed_site.timeline
    tz = timeline.tz
    first_day = timeline.window.astimezone(tz).first_day()
    days = (timeline.window.astimezone(tz).last_day() - first_day).days + 1
    timed = {s.id: timeline.source_dates[s.id].start.astimezone(tz) for s in timeline.sources
             if timeline.source_dates[s.id].precision.value == "time"}
    assert timed, "the timed site has a publication time"
    checked = 0
    for event in (e for e in timeline.events if e.band == "window"):
        row = row_of(page, event.id)
        for placed in event.accounts:
            source = placed.account.source
            ticks = row.locator(f"line.pub.o{[s.id for s in timeline.sources].index(source) + 1}")
            if source not in timed:
                assert ticks.count() in (0, 3)  # a date: the stretch of its day(s), or off the axis
                continue
            at = timed[source]
            share = ((at.date() - first_day).days
                     + (datetime.combine(at.date(), at.time()) - datetime.combine(at.date(), time())
                        ).total_seconds() / 86400) / days
            svg = row.locator("svg.marks").bounding_box()
            tick = ticks.bounding_box()
            mark = row.locator(f'a.m[href$="#account-{source}"] rect.bar').bounding_box()
            expected = svg["x"] + share * svg["width"]
            assert abs(tick["x"] + tick["width"] / 2 - expected) <= 1, (tick, expected)
            # On its outlet's track: it spans the track the outlet's mark is drawn on.
            assert tick["y"] <= mark["y"] and mark["y"] + mark["height"] <= tick["y"] + tick["height"]
            # A thin line, not a mark: no wider than 2 px, and not a link.
            assert tick["width"] <= 2
            assert ticks.evaluate("t => t.closest('a') === null")
            checked += 1
    assert checked
    legend = page.locator(".legend li", has=page.locator("line.pub"))
    assert legend.inner_text().strip() == "the day its article was published (a single line: the time)"
    context.close()
    seen.check()


def test_a_publication_date_is_drawn_as_the_stretch_of_its_days_on_the_outlets_track(site_page, site):
    """Each article dated by day (or days) on the axis: in a row where its outlet has a mark,
    two ticks and a line between them from the start of its first day to the end of its last,
    on the outlet's track."""
    site_page.goto(site.url)
    timeline = site.timeline
    tz = timeline.tz
    first_day = timeline.window.astimezone(tz).first_day()
    days = (timeline.window.astimezone(tz).last_day() - first_day).days + 1
    ids = [s.id for s in timeline.sources]

    def share(moment) -> float:
        local = moment.astimezone(tz)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return min(max(((local.date() - first_day).days + seconds / 86400) / days, 0), 1)

    checked = set()
    for event in (e for e in timeline.events if e.band == "window"):
        row = row_of(site_page, event.id)
        svg = row.locator("svg.marks").bounding_box()
        for placed in event.accounts:
            source = placed.account.source
            dated = timeline.source_dates[source]
            if source in checked or dated.precision.value == "time":
                continue
            lines = row.locator(f"line.pub.o{ids.index(source) + 1}")
            start, end = share(dated.start), share(dated.end)
            if end <= 0 or start >= 1:
                assert lines.count() == 0
            else:
                assert lines.count() == 3
                joined = lines.nth(1).bounding_box()
                assert abs(joined["x"] - (svg["x"] + start * svg["width"])) <= 1.5
                assert abs(joined["x"] + joined["width"] - (svg["x"] + end * svg["width"])) <= 1.5
                mark = row.locator(f'a.m[href$="#account-{source}"] rect.bar').bounding_box()
                assert mark["y"] <= joined["y"] <= mark["y"] + mark["height"]
            checked.add(source)
    assert checked == {s.id for s in timeline.sources if timeline.source_dates[s.id].precision.value != "time"
                       and any(a.account.source == s.id for e in timeline.events if e.band == "window"
                               for a in e.accounts)}



