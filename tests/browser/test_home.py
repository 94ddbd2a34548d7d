"""The home page's shared timeline in a real browser: lanes, highlighting, hiding lanes, the
keyboard, a phone-sized screen, no JavaScript; and screenshots for a person to look at."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "screenshots"

LANE = ".tl .lane[data-lane]"
ACCOUNT = ".acct > a[data-event]"
TOGGLES = ".lane-toggles input[type=checkbox]"


def accounts_by_source(site) -> dict[str, list[str]]:
    """Each source's id → the ids of the events it gives an account of, in timeline order."""
    return {s.id: [e.id for e in site.timeline.events
                   if any(a.account.source == s.id for a in e.accounts)]
            for s in site.timeline.sources}


def shared_event(site):
    """The event with the most accounts (at least two), to see highlighting across lanes."""
    placed = max(site.timeline.events, key=lambda e: (len(e.accounts), e.id))
    if len(placed.accounts) < 2:
        pytest.skip("no event has accounts from two sources")
    return placed


def lane_events(page, source_id: str) -> list[str]:
    return page.locator(f"#lane-{source_id} {ACCOUNT}").evaluate_all(
        "links => links.map(a => a.dataset.event)")


def highlighted(page) -> list[tuple[str, str]]:
    """(lane id, event id) of every highlighted account link."""
    return [tuple(pair) for pair in page.locator(f"{ACCOUNT}.hl").evaluate_all(
        "links => links.map(a => [a.closest('.lane').id, a.dataset.event])")]


def look(locator) -> dict:
    return locator.evaluate("""el => { const s = getComputedStyle(el);
        return {background: s.backgroundColor, shadow: s.boxShadow, outline: s.outlineStyle}; }""")


# --- lanes ---------------------------------------------------------------------------------------


def test_one_lane_per_source_with_its_accounts(site_page, site):
    site_page.goto(site.url)
    lanes = site_page.locator(LANE)
    assert lanes.evaluate_all("ls => ls.map(l => l.id)") == [
        f"lane-{s.id}" for s in site.timeline.sources]
    for source in site.timeline.sources:
        lane = site_page.locator(f"#lane-{source.id}")
        assert lane.get_attribute("data-lane") == source.outlet
        assert source.outlet in lane.locator("h3").inner_text()
        assert sorted(lane_events(site_page, source.id)) == sorted(accounts_by_source(site)[source.id])
        for link in lane.locator(ACCOUNT).all()[:3]:
            assert link.is_visible()


def test_pointing_at_an_account_highlights_its_event_in_every_lane(site_page, site):
    placed = shared_event(site)
    first, other = placed.accounts[0].account.source, placed.accounts[1].account.source
    site_page.goto(site.url)
    target = site_page.locator(f'#lane-{other} {ACCOUNT}[data-event="{placed.id}"]')
    before = look(target)
    site_page.locator(f'#lane-{first} {ACCOUNT}[data-event="{placed.id}"]').hover()
    assert sorted(highlighted(site_page)) == sorted(
        (f"lane-{a.account.source}", placed.id) for a in placed.accounts)
    assert look(target) != before, "the highlight does not change how the account looks"
    site_page.locator("h1").hover()
    assert highlighted(site_page) == []


def test_focusing_an_account_highlights_its_event_and_escape_clears_it(site_page, site):
    placed = shared_event(site)
    site_page.goto(site.url)
    site_page.locator(f'#lane-{placed.accounts[-1].account.source} '
                      f'{ACCOUNT}[data-event="{placed.id}"]').focus()
    assert {event for _, event in highlighted(site_page)} == {placed.id}
    assert len(highlighted(site_page)) == len(placed.accounts)
    site_page.keyboard.press("Escape")
    assert highlighted(site_page) == []


def test_a_lane_can_be_hidden_and_shown_again(site_page, site):
    if len(site.timeline.sources) < 2:
        pytest.skip("lane switches appear with two lanes or more")
    hidden, kept = site.timeline.sources[0], site.timeline.sources[1]
    site_page.goto(site.url)
    toggles = site_page.locator(TOGGLES)
    assert toggles.count() == len(site.timeline.sources)
    box = site_page.get_by_role("checkbox", name=hidden.outlet, exact=True)
    assert box.is_checked()
    box.uncheck()
    assert site_page.locator(f"#lane-{hidden.id}").is_hidden()
    assert site_page.locator(f"#lane-{kept.id}").is_visible()
    status = site_page.locator(".lane-toggles [role=status]")
    assert hidden.outlet in status.inner_text() and "hidden" in status.inner_text()
    box.check()
    assert site_page.locator(f"#lane-{hidden.id}").is_visible()


# --- keyboard ------------------------------------------------------------------------------------

FOCUSABLE = """() => {
    const all = document.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])');
    const shown = [...all].filter(el => !el.disabled && el.getClientRects().length > 0
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


def test_lanes_and_highlights_work_from_the_keyboard_alone(site_page, site):
    if len(site.timeline.sources) < 2:
        pytest.skip("lane switches appear with two lanes or more")
    source = site.timeline.sources[0]
    site_page.goto(site.url)
    count = site_page.evaluate(FOCUSABLE)
    for _ in range(count):
        site_page.keyboard.press("Tab")
        if site_page.evaluate("() => document.activeElement.matches('.lane-toggles input')"):
            break
    else:
        pytest.fail("Tab never reached the lane switches")
    assert site_page.evaluate("() => document.activeElement.parentElement.textContent.trim()") \
        == source.outlet
    site_page.keyboard.press("Space")
    assert site_page.locator(f"#lane-{source.id}").is_hidden()
    site_page.keyboard.press("Space")
    assert site_page.locator(f"#lane-{source.id}").is_visible()

    for _ in range(count):
        site_page.keyboard.press("Tab")
        event = site_page.evaluate("() => document.activeElement.dataset.event || null")
        if event and site_page.evaluate("() => !!document.activeElement.closest('.acct')"):
            break
    else:
        pytest.fail("Tab never reached an account in a lane")
    placed = site.timeline.event(event)
    assert len(highlighted(site_page)) == len(placed.accounts)
    site_page.keyboard.press("Enter")
    site_page.wait_for_url(f"**/events/{event}/#account-*")


# --- small screens and no script -----------------------------------------------------------------


def test_a_phone_sized_screen_shows_every_event(watched_context, site):
    context = watched_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site.url)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, (
        "the page scrolls sideways at 375 px")
    for placed in site.timeline.events:
        shown = [el for el in page.locator(f'[data-event="{placed.id}"]').all() if el.is_visible()]
        assert shown, f"{placed.id} is not shown at 375 px"
        fits = [el for el in shown if (box := el.bounding_box()) and box["x"] >= 0
                and box["x"] + box["width"] <= 375]
        assert fits, f"{placed.id} is cut off at 375 px"


def test_the_timeline_reads_without_javascript(watched_context, site):
    context = watched_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url)
    assert page.locator(LANE).count() == len(site.timeline.sources)
    for source_id, events in accounts_by_source(site).items():
        assert sorted(lane_events(page, source_id)) == sorted(events)
    assert page.locator(".lane-toggles").count() == 0
    listed = page.locator('.by-event li[data-event]').evaluate_all(
        "items => items.map(li => li.dataset.event)")
    assert sorted(listed) == sorted(e.id for e in site.timeline.events)


# --- screenshots for people ----------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("name", "width", "scheme", "full"), [
    ("home-desktop", 1400, "light", True), ("home-desktop-dark", 1400, "dark", True),
    ("home-phone", 375, "light", True), ("home-phone-dark", 375, "dark", True),
    ("home-desktop-top", 1400, "light", False),
])
def test_home_page_screenshots(watched_context, site, name, width, scheme, full):
    """Written to screenshots/ (ignored by git) for a person to look at. With
    PARALLAX_README_SCREENSHOT=1, the top of the desktop page is also copied to
    docs/screenshot-home.png, the picture the README shows."""
    context = watched_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(site.url)
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    assert png_size(path)[0] == width
    if name == "home-desktop-top" and os.environ.get("PARALLAX_README_SCREENSHOT") and site.is_real:
        (PROJECT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(path, PROJECT / "docs" / "screenshot-home.png")
