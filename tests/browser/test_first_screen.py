"""The home page's first screen, measured in a real browser at 1440×900 and 375×812: the events
most outlets tell lead it (the one told by the most outlets inside the first screen, at least
three events on a phone's), and the timeline's filters are kept in the address, so that a page
reloaded from it shows the same rows. What the page should show is worked out here from the
content, never by asking parallax.views."""

from __future__ import annotations

import importlib.util
import math
from urllib.parse import parse_qs, urlsplit

import pytest

from parallax import views

from .conftest import PROJECT, _build, _served

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENS = [pytest.param(DESKTOP, id="1440x900"), pytest.param(PHONE, id="375x812")]

# Every event shown near the top: the strip's entries and the timeline's rows, with their boxes.
SHOWN = """() => [
  ...[...document.querySelectorAll('.lead-events li')].map(li => ({where: 'strip',
      event: li.querySelector('a.to-row').getAttribute('href').slice(1), box: li.getBoundingClientRect().toJSON()})),
  ...[...document.querySelectorAll('.tl li.row')].filter(r => !r.hidden).map(r => ({where: 'row',
      event: r.dataset.event, box: r.getBoundingClientRect().toJSON()}))]"""
ROWS_SHOWN = """() => [...document.querySelectorAll('.tl li.row')]
    .filter(r => r.getClientRects().length > 0).map(r => r.dataset.event)"""
MARKS_SHOWN = """() => [...document.querySelectorAll('.tl a.m')].filter(m => m.getClientRects().length > 0)
    .map(m => [m.closest('li.row').dataset.event, m.getAttribute('href').split('#account-')[1]])"""


def window_events(site) -> list:
    return [e for e in site.timeline.events if e.band == "window"]


def outlets_telling(event) -> int:
    return len({a.account.source for a in event.accounts})


def in_screen(box: dict, screen: dict) -> bool:
    return (box["height"] > 0 and box["top"] >= 0 and box["bottom"] <= screen["height"]
            and box["left"] >= 0 and box["right"] <= screen["width"])


# --- the first screen ----------------------------------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS)
def test_the_event_told_by_the_most_outlets_is_in_the_first_screen(watched_context, site, screen):
    events = window_events(site)
    if not events:
        pytest.skip("no events in the window")
    most = max(outlets_telling(e) for e in events)
    wanted = {e.id for e in events if outlets_telling(e) == most}
    page = watched_context(viewport=screen).new_page()
    page.goto(site.url)
    shown = [s for s in page.evaluate(SHOWN) if s["event"] in wanted]
    inside = [s for s in shown if in_screen(s["box"], screen)]
    first = min(shown, key=lambda s: s["box"]["top"])
    print(f"\n{screen['width']} px: the first event told by {most} outlets is at "
          f"{first['box']['top']:.0f}–{first['box']['bottom']:.0f} px ({first['where']})")
    assert inside, f"no event told by {most} outlets inside the first {screen['height']} px"


def test_a_phones_first_screen_holds_three_events(watched_context, site):
    if len(window_events(site)) < 3:
        pytest.skip("fewer than three events")
    page = watched_context(viewport=PHONE).new_page()
    page.goto(site.url)
    shown = page.evaluate(SHOWN)
    inside = [s for s in shown if in_screen(s["box"], PHONE)]
    print(f"\n375 px: {len(inside)} events fully inside the first 812 px; the timeline's first "
          f"row starts at {min(s['box']['top'] for s in shown if s['where'] == 'row'):.0f} px")
    assert len(inside) >= 3, [(s["event"], s["box"]["top"], s["box"]["bottom"]) for s in shown[:6]]


def test_the_strip_lists_the_events_most_outlets_tell_in_order_with_their_marks(site_page, site):
    events = window_events(site)
    if not any(outlets_telling(e) >= 2 for e in events):
        pytest.skip("no event told by two outlets")
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    order = {e.id: n for n, e in enumerate(events)}
    expected = sorted((e for e in events if outlets_telling(e) >= 2),
                      key=lambda e: (-outlets_telling(e), e.placement.start, e.placement.end,
                                     order[e.id]))
    items = site_page.locator(".lead-events li")
    count = items.count()
    assert 5 <= count or count == len(expected)
    ids = [items.nth(n).locator("a.to-row").get_attribute("href")[1:] for n in range(count)]
    assert ids == [e.id for e in expected[:count]]
    numbers = {s.id: n for n, s in enumerate(site.timeline.sources, 1)}
    for n, event in enumerate(expected[:count]):
        item = items.nth(n)
        assert item.get_by_role("link", name="event page").get_attribute("href") == \
            f"events/{event.id}/"
        # One mark per outlet telling it, each in the colour its marks have on the timeline.
        drawn = item.evaluate("""li => [...li.querySelectorAll('svg.key')].map(k =>
            [+k.getAttribute('class').match(/\\bo(\\d+)\\b/)[1], getComputedStyle(k).color])""")
        told = sorted(numbers[a.account.source] for a in event.accounts)
        assert sorted(number for number, _ in drawn) == sorted(set(told))
        for number, colour in drawn:
            source = site.timeline.sources[number - 1].id
            mark = site_page.locator(f'.tl li.row[data-event="{event.id}"] a.m[href$="#account-{source}"]')
            assert mark.evaluate("m => getComputedStyle(m).color") == colour
        name = item.locator("a.to-row").evaluate("a => a.textContent")
        assert event.event.title in name and f"{outlets_telling(event)} outlets" in name


def test_without_script_the_strip_and_rows_are_there_and_no_tools(watched_context, site):
    page = watched_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(site.url)
    assert page.locator(".lead-events li").count() > 0 or not any(
        outlets_telling(e) >= 2 for e in window_events(site))
    assert len(page.evaluate(ROWS_SHOWN)) == len(window_events(site))
    assert page.locator(".tl-tools").count() == 0
    assert page.locator("template.claimants option").evaluate_all(
        "os => os.every(o => o.getClientRects().length === 0)")


# --- filters kept in the address -----------------------------------------------------------------


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def reload_from_address(page):
    """The page opened afresh from the address it shows."""
    address = page.url
    page.goto("about:blank")
    page.goto(address)


def top_party(parties, party_id: str) -> str:
    seen = {party_id}
    while parties[party_id].part_of and parties[party_id].part_of not in seen:
        party_id = parties[party_id].part_of
        seen.add(party_id)
    return party_id


def rests_on(site, event) -> set[str]:
    """The original claimants of an event's quotes and figures: the last link of each chain
    (counted as the body a person is part of), or the outlet itself when it speaks for itself."""
    found = set()
    for placed in event.accounts:
        account = placed.account
        for said in (*account.quotes, *account.figures):
            if not said.via:
                found.add(f"outlet:{account.source}")
                continue
            last = said.via[-1].party
            for member in (last if isinstance(last, list) else [last]):
                found.add(f"party:{top_party(site.timeline.parties, member)}")
    return found


def bounds(figure) -> tuple[float, float] | None:
    if figure.value is not None:
        return figure.value, figure.value
    if figure.low is None and figure.high is None:
        return None
    return (-math.inf if figure.low is None else figure.low,
            math.inf if figure.high is None else figure.high)


def disputed(site) -> set[str]:
    """Events where an outlet relays a claim it disputes, or whose figure for a topic cannot be
    true together with another outlet's figure for it."""
    found = set()
    by_topic: dict[str, list] = {}
    for event in site.timeline.events:
        for placed in event.accounts:
            account = placed.account
            for said in (*account.quotes, *account.figures):
                if said.via and said.stance.value == "disputed":
                    found.add(event.id)
            for figure in account.figures:
                if bounds(figure):
                    by_topic.setdefault(figure.topic, []).append(
                        (event.id, account.source, bounds(figure)))
    for figures in by_topic.values():
        for event_a, source_a, (low_a, high_a) in figures:
            for event_b, source_b, (low_b, high_b) in figures:
                if source_a != source_b and (high_a < low_b or high_b < low_a):
                    found.update((event_a, event_b))
    return found


def test_an_outlet_hidden_is_kept_in_the_address(site_page, site):
    if len(site.timeline.sources) < 2:
        pytest.skip("one outlet")
    hidden = site.timeline.sources[-1]
    site_page.goto(site.url)
    site_page.get_by_role("checkbox", name=f"Show {hidden.outlet}", exact=True).uncheck()
    assert query(site_page)["hide"] == [hidden.id]
    reload_from_address(site_page)
    assert not site_page.get_by_role("checkbox", name=f"Show {hidden.outlet}", exact=True).is_checked()
    marks = site_page.evaluate(MARKS_SHOWN)
    assert marks and hidden.id not in {source for _, source in marks}
    assert len(marks) == sum(1 for e in window_events(site) for a in e.accounts
                             if a.account.source != hidden.id)


def test_a_tag_is_kept_in_the_address(site_page, site):
    tags = sorted({t for e in window_events(site) for t in e.event.tags})
    if not tags:
        pytest.skip("no tags")
    tag = min(tags, key=lambda t: (sum(t in e.event.tags for e in window_events(site)), t))
    site_page.goto(site.url)
    site_page.get_by_label("Events tagged").select_option(tag)
    assert query(site_page)["tag"] == [tag]
    reload_from_address(site_page)
    assert site_page.get_by_label("Events tagged").input_value() == tag
    assert site_page.evaluate(ROWS_SHOWN) == [e.id for e in window_events(site) if tag in e.event.tags]


def test_an_original_claimant_narrows_the_rows_and_is_kept_in_the_address(site_page, site):
    events = window_events(site)
    claimants = {c for e in events for c in rests_on(site, e)}
    if not claimants:
        pytest.skip("no statements")
    # A claimant some events rest on and others do not, credited parties first.
    def rows_of(claimant):
        return [e.id for e in events if claimant in rests_on(site, e)]
    claimant = min(claimants, key=lambda c: (not c.startswith("party:"),
                                             abs(len(rows_of(c)) - len(events) / 4), c))
    site_page.goto(site.url)
    box = site_page.get_by_label("On the word of")
    values = box.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert sorted(v for v in values if v) == sorted(claimants)
    box.select_option(claimant)
    assert query(site_page)["claimant"] == [claimant]
    assert site_page.evaluate(ROWS_SHOWN) == rows_of(claimant)
    status = site_page.locator(".tl-tools [role=status]").inner_text()
    assert status == f"{len(rows_of(claimant))} of {len(events)} events shown."
    reload_from_address(site_page)
    assert site_page.get_by_label("On the word of").input_value() == claimant
    assert site_page.evaluate(ROWS_SHOWN) == rows_of(claimant)


def test_disputed_only_narrows_the_rows_and_is_kept_in_the_address(site_page, site):
    expected = [e.id for e in window_events(site) if e.id in disputed(site)]
    site_page.goto(site.url)
    box = site_page.get_by_role("checkbox", name="Disputed only")
    if not expected:
        assert box.count() == 0
        pytest.skip("nothing disputed in the window")
    box.check()
    assert query(site_page)["disputed"] == ["1"]
    assert site_page.evaluate(ROWS_SHOWN) == expected
    reload_from_address(site_page)
    assert site_page.get_by_role("checkbox", name="Disputed only").is_checked()
    assert site_page.evaluate(ROWS_SHOWN) == expected


def test_only_the_outlets_own_times_is_kept_in_the_address(site_page, site):
    own = sorted((e.id, a.account.source) for e in window_events(site) for a in e.accounts
                 if a.basis != "event")
    every = sum(len(e.accounts) for e in window_events(site))
    if len(own) == every:
        pytest.skip("every account has time words of its own")
    site_page.goto(site.url)
    # The rows left are those with a time of an outlet's own: no row is left empty.
    rows = [e.id for e in window_events(site) if any(a.basis != "event" for a in e.accounts)]
    site_page.get_by_role("checkbox", name="Only the outlets’ own times").check()
    assert query(site_page)["own"] == ["1"]
    assert sorted(map(tuple, site_page.evaluate(MARKS_SHOWN))) == own
    assert site_page.evaluate(ROWS_SHOWN) == rows
    assert site_page.locator(".tl-tools [role=status]").inner_text() == (
        f"Only the outlets’ own times shown: {len(rows)} of {len(window_events(site))} events shown.")
    reload_from_address(site_page)
    assert site_page.get_by_role("checkbox", name="Only the outlets’ own times").is_checked()
    assert sorted(map(tuple, site_page.evaluate(MARKS_SHOWN))) == own
    assert site_page.evaluate(ROWS_SHOWN) == rows
    site_page.get_by_role("checkbox", name="Only the outlets’ own times").uncheck()
    assert "own" not in query(site_page)
    assert len(site_page.evaluate(MARKS_SHOWN)) == every


def test_a_widened_day_and_several_filters_at_once_are_kept_in_the_address(site_page, site):
    days = site.timeline.days
    if len(days) < 2 or len(site.timeline.sources) < 2:
        pytest.skip("one day or one outlet")
    day = days[1]
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    site_page.get_by_role("button", name=f"{day:%a} {day.day} {day:%b}").click()
    hidden = site.timeline.sources[0]
    site_page.get_by_role("checkbox", name=f"Show {hidden.outlet}", exact=True).uncheck()
    assert query(site_page)["day"] == ["2"] and query(site_page)["hide"] == [hidden.id]
    marks = sorted(map(tuple, site_page.evaluate(MARKS_SHOWN)))
    reload_from_address(site_page)
    button = site_page.get_by_role("button", name=f"{day:%a} {day.day} {day:%b}")
    assert button.get_attribute("aria-pressed") == "true"
    assert site_page.evaluate("document.querySelector('.tl').classList.contains('day-view')")
    assert sorted(map(tuple, site_page.evaluate(MARKS_SHOWN))) == marks
    assert site_page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    site_page.get_by_role("button", name="All days").click()
    assert "day" not in query(site_page) and query(site_page)["hide"] == [hidden.id]


# --- the controls --------------------------------------------------------------------------------

CONTROLS = """() => [...document.querySelectorAll(
    '.tl-tools select, .tl-tools input, .tl-tools summary, .tl-days button, .tl .legend input, details.how summary, .lead-events a')]
  .filter(el => el.getClientRects().length > 0).map(el => { const b = el.getBoundingClientRect();
    return {what: el.tagName + ' ' + (el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30)),
            width: b.width, height: b.height,
            named: !!(el.getAttribute('aria-label') || el.labels && el.labels.length || el.textContent.trim())}; })"""


@pytest.mark.parametrize("screen", SCREENS)
def test_every_control_is_at_least_24_px_and_named(watched_context, site, screen):
    page = watched_context(viewport=screen).new_page()
    page.goto(site.url)
    controls = page.evaluate(CONTROLS)
    assert len(controls) > 5
    for c in controls:
        assert c["width"] >= 24 and c["height"] >= 24, c
        assert c["named"], c


def test_on_a_phone_the_choices_fold_and_open_when_the_address_makes_one(watched_context, site):
    events = window_events(site)
    claimant = next(iter(sorted(rests_on(site, events[-1]))), None) if events else None
    if claimant is None:
        pytest.skip("no statements")
    page = watched_context(viewport=PHONE).new_page()
    page.goto(site.url)
    folded = page.locator(".tl-tools details")
    assert not folded.evaluate("d => d.open")
    assert not page.get_by_label("On the word of").is_visible()
    box = page.locator(".tl-tools summary").bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24
    page.goto(f"{site.url}?claimant={claimant}")
    assert page.locator(".tl-tools details").evaluate("d => d.open")
    assert page.get_by_label("On the word of").input_value() == claimant
    assert page.evaluate(ROWS_SHOWN) == [e.id for e in events if claimant in rests_on(site, e)]


# --- a month's timeline page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def months_site(tmp_path_factory):
    """60 generated events, with a band limit low enough that the home page's bands become
    months, each a timeline page of its own; built and served as the real site is."""
    folder = tmp_path_factory.mktemp("browser-months")
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    content = module.generate(folder, 60, 3, seed=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "BAND_LIMIT", 3)
        result = _build(content, folder / "site")
    yield from _served(content, folder / "site", result)


def test_a_month_page_keeps_its_filters_in_the_address_too(browser, months_site):
    site = months_site
    months = sorted(p.name for p in (site.folder / "timeline").iterdir())
    assert months
    page = browser.new_context(viewport=DESKTOP).new_page()
    events = {e.id: e for e in site.timeline.events}
    # The month with the most rows.
    best = None
    for month in months:
        page.goto(f"{site.url}timeline/{month}/")
        shown = page.evaluate(ROWS_SHOWN)
        if best is None or len(shown) > len(best[1]):
            best = (month, shown)
    month, shown = best
    claimants = sorted({c for event in shown for c in rests_on(site, events[event])})
    claimant = min(claimants, key=lambda c: (abs(sum(c in rests_on(site, events[e]) for e in shown)
                                                 - len(shown) / 3), c))
    expected = [e for e in shown if claimant in rests_on(site, events[e])]
    assert 0 < len(expected) < len(shown)
    page.goto(f"{site.url}timeline/{month}/")
    page.get_by_label("On the word of").select_option(claimant)
    page.get_by_role("checkbox", name="Only the outlets’ own times").check()
    assert query(page)["claimant"] == [claimant] and query(page)["own"] == ["1"]
    reload_from_address(page)
    assert page.get_by_label("On the word of").input_value() == claimant
    assert page.evaluate(ROWS_SHOWN) == expected
    marks = page.evaluate(MARKS_SHOWN)
    own = {(e, a.account.source) for e in expected for a in events[e].accounts
           if a.basis != "event"}
    assert {tuple(m) for m in marks} == own
    page.context.close()
