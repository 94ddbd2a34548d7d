"""The home page's comparison in a real browser, measured: one row per event with a mark per
account, the rows' spread and the window's height at 1440×900, marks lining up, the day header
staying in view, a phone-sized screen without sideways scrolling, the script's enhancements,
the keyboard, no JavaScript. (Screenshots: scripts/screenshots.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

ROW = ".tl li.row"
MARK = ".tl a.m"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
ROW_HEIGHT = 40
WINDOW_HEIGHT = 1800

# Every row's box and every mark's bar, measured in the page.
MEASURE = """() => [...document.querySelectorAll('.tl li.row')].filter(r => !r.hidden).map(r => {
    const box = r.getBoundingClientRect();
    return {event: r.dataset.event, top: box.top + scrollY, bottom: box.bottom + scrollY,
            left: box.left, right: box.right,
            marks: [...r.querySelectorAll('a.m')].filter(m => getComputedStyle(m).display !== 'none')
              .map(m => { const b = m.querySelector('rect.bar').getBoundingClientRect();
                return {source: m.getAttribute('href').split('#account-')[1],
                        left: b.left, right: b.right, top: b.top + scrollY, bottom: b.bottom + scrollY,
                        opacity: parseFloat(getComputedStyle(m).opacity)}; })};
})"""


def window_events(site) -> list:
    return [e for e in site.timeline.events if e.band == "window"]


def measured(page) -> dict[str, dict]:
    return {row["event"]: row for row in page.evaluate(MEASURE)}


# --- the rows, measured --------------------------------------------------------------------------


def test_one_row_per_event_with_a_mark_per_account(site_page, site):
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    rows = measured(site_page)
    assert list(rows) == [e.id for e in window_events(site)
                          if e.id in rows] and len(rows) == len(window_events(site))
    for event in window_events(site):
        drawn = sorted(m["source"] for m in rows[event.id]["marks"])
        assert drawn == sorted(a.account.source for a in event.accounts), event.id
    # Each mark is a link Chromium names with its outlet, time words and reading.
    event = max(window_events(site), key=lambda e: (len(e.accounts), e.id))
    account = event.accounts[0]
    outlet = next(s.outlet for s in site.timeline.sources if s.id == account.account.source)
    link = site_page.get_by_role("link", name=f"{outlet}: ", exact=False).filter(
        has=site_page.locator("rect")).first
    assert link.count() == 1 and link.get_attribute("aria-label").startswith(f"{outlet}: ")


def test_at_1440_each_events_accounts_lie_in_one_row_and_the_window_fits_two_screens(site_page, site):
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    rows = list(measured(site_page).values())
    for row in rows:
        assert row["bottom"] - row["top"] <= ROW_HEIGHT + 1.5, row["event"]
        if row["marks"]:
            spread = max(m["bottom"] for m in row["marks"]) - min(m["top"] for m in row["marks"])
            assert spread <= ROW_HEIGHT, (row["event"], spread)
            for m in row["marks"]:
                assert row["top"] <= m["top"] and m["bottom"] <= row["bottom"] + 0.5, row["event"]
    height = rows[-1]["bottom"] - rows[0]["top"]
    print(f"\n{len(rows)} rows, {height:.0f} px from the first to the last")
    assert height <= WINDOW_HEIGHT, f"the window's rows are {height:.0f} px tall"


def test_marks_of_one_time_line_up_and_of_disjoint_times_do_not_overlap(site_page, site):
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    rows = measured(site_page)
    drawn = []
    for event in window_events(site):
        marks = {m["source"]: m for m in rows[event.id]["marks"]}
        drawn += [(a.time, marks[a.account.source]) for a in event.accounts]
    checked = 0
    for time_a, a in drawn:
        for time_b, b in drawn:
            if (time_a.start, time_a.end) == (time_b.start, time_b.end):
                assert abs(a["left"] - b["left"]) <= 1 and abs(a["right"] - b["right"]) <= 1
                checked += 1
            elif time_a.end <= time_b.start:
                assert a["right"] <= b["left"] + 0.5, (time_a, time_b)
    assert checked > len(drawn)


def test_the_day_header_stays_in_view_while_scrolling(site_page, site):
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    site_page.locator(ROW).last.scroll_into_view_if_needed()
    site_page.mouse.wheel(0, 300)
    head = site_page.locator(".tl .head").bounding_box()
    assert site_page.evaluate("scrollY") > 800
    assert head is not None and 0 <= head["y"] <= 1 and head["height"] > 10
    days = site_page.locator(".tl .head .axis-days .d b").all_inner_texts()
    assert len(days) == len(site.timeline.days)


def test_context_events_are_on_a_compact_strip(site_page, site):
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    for band in ("before", "after"):
        events = [e for e in site.timeline.events if e.band == band]
        strip = site_page.locator(f".ctx.is-{band}")
        if not events:
            assert strip.count() == 0
            continue
        assert strip.locator("a.cm").count() == len(events)
        box = strip.bounding_box()
        assert box["height"] <= 200, f"the {band} strip is {box['height']:.0f} px tall"


# --- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_gets_the_same_rows_scaled_without_sideways_scrolling(watched_context, site, scheme):
    page = watched_context(viewport=PHONE, color_scheme=scheme).new_page()
    page.goto(site.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways at 375 px")
    rows = measured(page)
    assert len(rows) == len(window_events(site))
    for row in rows.values():
        assert 0 <= row["left"] and row["right"] <= PHONE["width"], row["event"]
        for m in row["marks"]:
            assert -6 <= m["left"] and m["right"] <= PHONE["width"], row["event"]
    # Jump to a day: the day's heading comes into view below the sticky header.
    last = page.locator(".jump a").last
    day = last.get_attribute("href")
    last.click()
    heading = page.locator(day).bounding_box()
    head = page.locator(".tl .head").bounding_box()
    assert head["y"] + head["height"] <= heading["y"] + 1 and heading["y"] < PHONE["height"]


# --- the script's enhancements -------------------------------------------------------------------


def outlet_number(site, source_id: str) -> int:
    return [s.id for s in site.timeline.sources].index(source_id) + 1


def test_pointing_at_a_mark_brings_out_its_outlet_and_escape_clears_it(site_page, site):
    if len(site.timeline.sources) < 2:
        pytest.skip("one outlet")
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    event = max(window_events(site), key=lambda e: (len(e.accounts), e.id))
    source = event.accounts[0].account.source
    mark = site_page.locator(f'li.row[data-event="{event.id}"] a.m[href$="#account-{source}"]')
    mark.focus()
    for row in measured(site_page).values():
        for m in row["marks"]:
            assert (m["opacity"] == 1) == (m["source"] == source), m
    site_page.keyboard.press("Escape")
    assert all(m["opacity"] == 1 for row in measured(site_page).values() for m in row["marks"])
    # The same from the legend.
    site_page.locator(f'.legend .outlet[data-o="{outlet_number(site, source)}"] a').hover()
    dimmed = {m["source"] for row in measured(site_page).values() for m in row["marks"]
              if m["opacity"] < 1}
    assert source not in dimmed and dimmed


def test_an_outlet_can_be_hidden_and_shown_again(site_page, site):
    if len(site.timeline.sources) < 2:
        pytest.skip("one outlet")
    hidden = site.timeline.sources[0]
    site_page.goto(site.url)
    box = site_page.get_by_role("checkbox", name=f"Show {hidden.outlet}", exact=True)
    assert box.is_checked()
    count = sum(len(r["marks"]) for r in measured(site_page).values())
    box.uncheck()
    after = [m["source"] for r in measured(site_page).values() for m in r["marks"]]
    assert hidden.id not in after and len(after) == count - sum(
        1 for e in window_events(site) for a in e.accounts if a.account.source == hidden.id)
    assert "hidden" in site_page.locator(".tl-tools [role=status]").inner_text()
    box.check()
    assert sum(len(r["marks"]) for r in measured(site_page).values()) == count


def test_rows_can_be_filtered_by_tag(site_page, site):
    tags = sorted({t for e in window_events(site) for t in e.event.tags})
    if not tags:
        pytest.skip("no tags")
    tag = tags[0]
    site_page.goto(site.url)
    site_page.get_by_label("Events tagged").select_option(tag)
    assert sorted(measured(site_page)) == sorted(e.id for e in window_events(site)
                                                  if tag in e.event.tags)
    site_page.get_by_label("Events tagged").select_option("")
    assert len(measured(site_page)) == len(window_events(site))


def test_a_day_can_be_widened_to_the_full_width(site_page, site):
    if len(site.timeline.days) < 2:
        pytest.skip("one day")
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    day = site.timeline.days[-2]
    strip = site_page.locator(f"{ROW} .strip").first.bounding_box()
    site_page.get_by_role("button", name=f"{day:%a} {day.day} {day:%b}").click()
    # An account of exactly that day now spans the strip.
    for event in window_events(site):
        for a in event.accounts:
            local = a.time.astimezone(site.timeline.tz)
            if local.start.date() == day and (local.end - local.start).days == 1 \
                    and local.start.hour == 0:
                m = next(m for m in measured(site_page)[event.id]["marks"]
                         if m["source"] == a.account.source)
                assert abs(m["left"] - strip["x"] - 5) <= 2
                assert abs(m["right"] - (strip["x"] + strip["width"] - 5)) <= 2
                site_page.get_by_role("button", name="All days").click()
                assert site_page.evaluate("document.documentElement.scrollWidth") <= 1440
                return
    pytest.skip("no account of exactly that day")


# --- keyboard ------------------------------------------------------------------------------------

FOCUSABLE = """() => {
    const all = document.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])');
    const shown = [...all].filter(el => !el.disabled && el.getClientRects().length > 0 && el.checkVisibility()
        && getComputedStyle(el).visibility !== 'hidden');
    shown.forEach((el, i) => el.dataset.tabStop = i);
    return shown.length;
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {stop: el.dataset.tabStop ?? null, tag: el.tagName, text: el.textContent.trim().slice(0, 40),
            outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), shadow: s.boxShadow,
            inView: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
                    && box.left < innerWidth && box.top < innerHeight};
}"""


def tab_through(page, limit: int) -> list[dict]:
    """Press Tab until focus leaves the page (or comes round again); what had focus, in order."""
    reached: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (reached and focused["stop"] == reached[0]["stop"]):
            break
        reached.append(focused)
    return reached


def test_every_control_is_reached_by_tab_with_a_visible_focus(site_page, site):
    site_page.goto(site.url)
    count = site_page.evaluate(FOCUSABLE)
    reached = tab_through(site_page, count + 20)
    stops = [r["stop"] for r in reached]
    assert None not in stops, f"focus went to something not focusable by Tab: {reached}"
    assert sorted(map(int, stops)) == list(range(count)), "Tab skipped some controls"
    assert reached[0]["text"] == "Skip to content" and reached[0]["inView"]
    for r in reached:
        visible = (r["outline"] != "none" and r["outlineWidth"] > 0) or r["shadow"] != "none"
        assert visible, f"no visible focus on {r['tag']} {r['text']!r}"
        assert r["inView"], f"{r['tag']} {r['text']!r} has focus but is off screen"


def test_marks_are_reached_by_keyboard_and_lead_to_the_account(site_page, site):
    site_page.goto(site.url)
    count = site_page.evaluate(FOCUSABLE)
    for _ in range(count):
        site_page.keyboard.press("Tab")
        if site_page.evaluate("() => document.activeElement.matches('a.m')"):
            break
    else:
        pytest.fail("Tab never reached a mark")
    href = site_page.evaluate("() => document.activeElement.getAttribute('href')")
    site_page.keyboard.press("Enter")
    site_page.wait_for_url("**/" + href)


def test_a_skip_link_takes_the_keyboard_past_the_timeline(site_page, site):
    site_page.goto(site.url)
    for _ in range(40):
        site_page.keyboard.press("Tab")
        if site_page.evaluate("() => document.activeElement.matches('.skip-tl')"):
            break
    else:
        pytest.fail("Tab never reached the skip link")
    site_page.keyboard.press("Enter")
    site_page.keyboard.press("Tab")
    assert site_page.evaluate("() => !document.activeElement.closest('.tl')")
    assert site_page.evaluate("() => document.activeElement.closest('#after-timeline') !== null")


# --- without script ------------------------------------------------------------------------------


def test_the_timeline_reads_without_javascript(watched_context, site):
    page = watched_context(java_script_enabled=False, viewport=DESKTOP).new_page()
    page.goto(site.url)
    rows = measured(page)
    assert len(rows) == len(window_events(site))
    assert sum(len(r["marks"]) for r in rows.values()) == sum(
        len(e.accounts) for e in window_events(site))
    assert page.locator(".tl-tools").count() == 0
