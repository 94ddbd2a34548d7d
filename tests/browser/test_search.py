"""Search in a real browser: the box on every page leads to the search page, which lists each
matching event with its outlets and the words around the match, narrows to one outlet, works
by keyboard, says what it found to a screen reader, passes axe in light and dark, and without
JavaScript points to the events index.

Most tests run on the fixture site (tests/fixtures/basic), whose words are known; one runs on
the real content, when it is the Palmyra site; the last on a generated site of forty events.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote_plus

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import RARE_WORD, watch
from .test_accessibility import WCAG_TAGS, violations_report

HITS = "#search-results > li.hit"
BRIDGE_CLOSED = "The bridge is closed to traffic"
QUOTE_ONLY_WORD = "stayed"
"""In one quote of the fixture site only: Harbour Radio's “The bridge stayed shut overnight,
our reporter saw.”, on the event 'The bridge is closed to traffic'."""


def hits(page) -> list[dict]:
    """Each listed event: its title, link, and its parts (outlet or None, link, excerpt, marks)."""
    return page.locator(HITS).evaluate_all("""items => items.map(li => ({
        title: li.querySelector('h2 a').textContent,
        href: li.querySelector('h2 a').getAttribute('href'),
        parts: [...li.querySelectorAll('.hit-parts > li')].map(part => {
            const link = part.querySelector(':scope > a');
            return {outlet: link ? link.textContent : null, href: link ? link.href : null,
                    excerpt: part.querySelector('blockquote').textContent,
                    marks: [...part.querySelectorAll('mark')].map(m => m.textContent)};
        }),
    }))""")


def search_from_the_masthead(page, site, words: str, start: str = "events/") -> None:
    page.goto(site.url + start)
    page.fill("#site-search-words", words)
    page.press("#site-search-words", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")


def test_typing_a_word_in_the_search_box_lists_the_matching_event(fixture_page, fixture_site):
    search_from_the_masthead(fixture_page, fixture_site, "traffic")
    found = hits(fixture_page)
    assert [h["title"] for h in found] == [BRIDGE_CLOSED]
    closed = next(e for e in fixture_site.timeline.events if e.event.title == BRIDGE_CLOSED)
    assert fixture_page.locator(f"{HITS} h2 a").first.evaluate("a => a.href") == (
        f"{fixture_site.url}events/{closed.id}/")
    assert fixture_page.locator("#search-words").input_value() == "traffic"
    assert fixture_page.locator("#search-status").inner_text() == "1 event for “traffic”."


def test_a_word_only_in_one_quote_lists_that_event_with_its_outlet_and_the_quote(
        fixture_page, fixture_site):
    search_from_the_masthead(fixture_page, fixture_site, QUOTE_ONLY_WORD)
    found = hits(fixture_page)
    assert [h["title"] for h in found] == [BRIDGE_CLOSED]
    parts = found[0]["parts"]
    assert [p["outlet"] for p in parts] == ["Harbour Radio"]
    assert "The bridge stayed shut overnight, our reporter saw." in parts[0]["excerpt"]
    assert parts[0]["marks"] == [QUOTE_ONLY_WORD]
    assert parts[0]["href"].endswith("#account-radio-name")


def test_typing_on_the_search_page_updates_the_list(fixture_page, fixture_site):
    fixture_page.goto(fixture_site.url + "search/")
    fixture_page.locator("#search-words").press_sequentially("repairs", delay=20)
    fixture_page.wait_for_selector(HITS)
    assert [h["title"] for h in hits(fixture_page)] == ["Report that repairs to the bridge were planned"]
    assert fixture_page.url.endswith("/search/?q=repairs"), "the address keeps the search"


def test_narrowing_to_one_outlet(fixture_page, fixture_site):
    told = {s.outlet: [e.event.title for e in fixture_site.timeline.events
                       if any(a.account.source == s.id for a in e.accounts)]
            for s in fixture_site.timeline.sources}
    assert told["Harbour Radio"] != told["The Morning Ledger"]
    search_from_the_masthead(fixture_page, fixture_site, "bridge")
    everything = hits(fixture_page)
    assert {p["outlet"] for h in everything for p in h["parts"]} >= {"Harbour Radio",
                                                                     "The Morning Ledger"}
    for outlet, titles in told.items():
        fixture_page.select_option("#search-outlet", outlet)
        fixture_page.wait_for_function(
            "o => document.getElementById('search-status').textContent.includes(' in ' + o)",
            arg=outlet)
        narrowed = hits(fixture_page)
        assert narrowed and {h["title"] for h in narrowed} <= set(titles), outlet
        assert {p["outlet"] for h in narrowed for p in h["parts"]} <= {outlet, None}, outlet
        # No words: every event the outlet tells.
        fixture_page.fill("#search-words", "")
        fixture_page.wait_for_function(
            "o => document.getElementById('search-status').textContent.includes('every event')")
        assert sorted(h["title"] for h in hits(fixture_page)) == sorted(titles), outlet
        assert f"outlet={outlet.replace(' ', '+')}" in fixture_page.url
        fixture_page.fill("#search-words", "bridge")
        fixture_page.wait_for_function(
            "() => document.getElementById('search-status').textContent.includes('bridge')")


def test_searching_by_keyboard_alone(fixture_page, fixture_site):
    page = fixture_page
    page.goto(fixture_site.url)
    for _ in range(40):  # Tab through the masthead to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-words":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-words"
    page.keyboard.type(QUOTE_ONLY_WORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(HITS)
    for _ in range(40):  # on to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.textContent") == BRIDGE_CLOSED
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/events/[^/]+/$"))
    assert page.locator("h1").inner_text() == BRIDGE_CLOSED


def test_a_screen_reader_hears_what_was_found(fixture_page, fixture_site):
    search_from_the_masthead(fixture_page, fixture_site, "zzxqj", start="")
    status = fixture_page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.inner_text() == "No event for “zzxqj”."
    assert fixture_page.locator("#search-words").get_attribute("aria-describedby") == "search-status"
    assert fixture_page.get_by_role("search", name="Site").count() == 1
    assert fixture_page.get_by_role("search", name="Events").count() == 1
    assert fixture_page.get_by_label("Outlet").count() == 1
    fixture_page.fill("#search-words", "crack")
    fixture_page.wait_for_selector(HITS)
    assert status.inner_text() == "1 event for “crack”."
    # Each event found is a heading of its own, linking to it.
    assert fixture_page.get_by_role("heading", level=2, name="Engineers find a crack in the bridge"
                                    ).count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_passes_axe(fixture_page, fixture_site, scheme):
    fixture_page.emulate_media(color_scheme=scheme)
    search_from_the_masthead(fixture_page, fixture_site, "bridge")
    fixture_page.select_option("#search-outlet", "Harbour Radio")
    fixture_page.wait_for_function(
        "() => document.getElementById('search-status').textContent.includes('Harbour Radio')")
    results = Axe().run(fixture_page, options={
        "runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, (
        f"search ({scheme}):\n{violations_report(results.response)}")
    assert fixture_page.locator("mark").count() > 0, "axe saw the highlighted words"


def test_without_javascript_the_form_still_leads_to_the_search_page(browser, fixture_site):
    context = browser.new_context(java_script_enabled=False)
    seen = watch(context, fixture_site)
    try:
        page = context.new_page()
        page.goto(fixture_site.url + "about/")
        page.fill("#site-search-words", "bridge")
        page.press("#site-search-words", "Enter")
        page.wait_for_url(re.compile(r"/search/\?q=bridge$"))
        link = page.locator(".search-fallback a", has_text="events index")
        assert link.get_attribute("href") == "../events/"
        link.click()
        page.wait_for_url(re.compile(r"/events/$"))
        assert page.locator("h1").inner_text() == "Events"
    finally:
        context.close()
    seen.check()


def test_the_real_site_finds_lavrov_and_a_word_of_one_quote(site_page, site):
    """On the Palmyra content: "Lavrov" lists the event about Lavrov; a word found in one quote
    only lists that event, with the quote's outlet and the quote."""
    lavrov = [e for e in site.timeline.events if "Lavrov" in e.event.title]
    if not site.is_real or not lavrov:
        pytest.skip("content/ is not the Palmyra site")
    search_from_the_masthead(site_page, site, "Lavrov", start="")
    titles = [h["title"] for h in hits(site_page)]
    assert lavrov[0].event.title in titles
    assert titles[0] == lavrov[0].event.title, "the event about Lavrov comes first"

    word, event, outlet, _quote = only_in_one_quote(site)
    search_from_the_masthead(site_page, site, word, start="")
    found = {h["title"]: h for h in hits(site_page)}
    assert event.event.title in found, word
    parts = [p for p in found[event.event.title]["parts"] if p["outlet"] == outlet]
    assert parts, f"{word}: {outlet} is listed"
    assert any(word.lower() in m.lower() for p in parts for m in p["marks"]), word


def only_in_one_quote(site):
    """A word (seven letters or more) that is in exactly one quote of the site and in no other
    event page's text, nor in its own event's title or summary, with that quote's event,
    outlet and text."""
    pages = {e.id: (site.folder / "events" / e.id / "index.html").read_text(encoding="utf-8")
             for e in site.timeline.events}
    outlets = {s.id: s.outlet for s in site.timeline.sources}
    seen: dict[str, list] = {}
    for placed in site.timeline.events:
        for a in placed.accounts:
            for q in a.account.quotes:
                for word in set(re.findall(r"[A-Za-z]{7,}", q.text)):
                    seen.setdefault(word.lower(), []).append((word, placed, outlets[a.account.source],
                                                              q.text))
    for key in sorted(seen):
        found = seen[key]
        if len(found) != 1:
            continue
        word, placed, outlet, text = found[0]
        # Pagefind finds other forms of a word too ("reporter" finds "report"): its stem is
        # taken as the word less its last three letters.
        pattern = re.compile(rf"\b{re.escape(key[:max(5, len(key) - 3)])}", re.IGNORECASE)
        elsewhere = [i for i, html in pages.items() if i != placed.id and pattern.search(html)]
        own = placed.event.title + " " + placed.event.body
        if not elsewhere and not pattern.search(own):
            return word, placed, outlet, text
    pytest.fail("no word of the site is in one quote only")


# --- a larger site: one index of forty events -------------------------------------------------


def test_a_word_in_the_last_page_indexed_is_found(generated_page, generated_site):
    entry = json.loads((generated_site.folder / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 40, "one index of every event"
    holder = [e for e in generated_site.timeline.events if RARE_WORD in e.event.body]
    assert len(holder) == 1
    search_from_the_masthead(generated_page, generated_site, RARE_WORD)
    found = hits(generated_page)
    assert [h["title"] for h in found] == [holder[0].event.title]
    assert found[0]["href"] == f"/palmyra/events/{holder[0].id}/"
    assert {m.lower() for p in found[0]["parts"] for m in p["marks"]} == {RARE_WORD}
    assert generated_page.locator("#search-status").inner_text() == f"1 event for “{RARE_WORD}”."


def test_narrowing_to_one_outlet_on_a_larger_site(generated_page, generated_site):
    site = generated_site
    for source in site.timeline.sources:
        told = [e for e in site.timeline.events
                if any(a.account.source == source.id for a in e.accounts)]
        assert len(told) > 1, "told in several events"
        generated_page.goto(f"{site.url}search/?outlet={quote_plus(source.outlet)}")
        generated_page.wait_for_function(
            "o => document.getElementById('search-status').textContent.includes(' in ' + o)",
            arg=source.outlet)
        assert sorted(h["title"] for h in hits(generated_page)) == sorted(
            e.event.title for e in told), source.outlet
        count = "1 event" if len(told) == 1 else f"{len(told)} events"
        assert generated_page.locator("#search-status").inner_text() == (
            f"{count} for every event in {source.outlet}.")
    # Words and an outlet: the word's event, only under an outlet that tells it.
    holder = next(e for e in site.timeline.events if RARE_WORD in e.event.body)
    tells = {s.outlet for s in site.timeline.sources
             if any(a.account.source == s.id for a in holder.accounts)}
    for source in site.timeline.sources:
        generated_page.goto(f"{site.url}search/?q={RARE_WORD}&outlet={quote_plus(source.outlet)}")
        generated_page.wait_for_function(
            "() => document.getElementById('search-status').textContent !== ''")
        titles = [h["title"] for h in hits(generated_page)]
        assert titles == ([holder.event.title] if source.outlet in tells else []), source.outlet
