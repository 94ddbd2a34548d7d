"""The origins, event and differences pages at a glance, measured in Chromium at 1440×900 and
375×812: every label of the origins matrix can be read whole and is at least 12 px on a phone,
its cells count what the data holds; an event page opens on the accounts side by side across
a wide screen; the differences page lists disagreements first and names whose each mark is."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import expect

from parallax.views import origin_keys, statements

SIZES = {1440: {"width": 1440, "height": 900}, 375: {"width": 375, "height": 812}}
SMALLEST_TEXT = 12

# Every text of the origins page's main part that cannot be read whole where it stands: cut by
# its own box, by the page's width or its drawing's, or (in the matrix' scrolling frame) wider than what the
# frame shows beside the claimants' column, or under that column when scrolled to. Also every
# text smaller than `least` px as shown. The frame is scrolled to each cell in turn, then back.
ORIGINS_UNREADABLE = """(least) => {
  const found = [];
  const width = document.documentElement.clientWidth;
  const boxes = node => { const r = document.createRange(); r.selectNodeContents(node);
                          return [...r.getClientRects()].filter(b => b.width > 0); };
  const texts = root => { const out = [], walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n; (n = walk.nextNode());) {
      if (!n.textContent.trim() || n.parentElement.closest('.vh, [aria-hidden=true], svg title')) continue;
      out.push(n);
    }
    return out; };
  const name = n => n.textContent.trim().slice(0, 40);
  for (const n of texts(document.querySelector('main'))) {
    // A drawing's text is as large as its drawing is scaled.
    const scale = n.parentElement instanceof SVGGraphicsElement ? n.parentElement.getScreenCTM().a : 1;
    const size = Math.round(parseFloat(getComputedStyle(n.parentElement).fontSize) * scale * 10) / 10;
    if (size < least) found.push(`${name(n)}: ${size} px`);
    if (!n.parentElement.closest('.table-frame')) {
      const drawing = n.parentElement.closest('svg');
      const within = drawing ? drawing.getBoundingClientRect() : {left: 0, right: width};
      for (const b of boxes(n))
        if (b.left < Math.max(0, within.left) - 0.5 || b.right > Math.min(width, within.right) + 0.5)
          found.push(`${name(n)}: ${Math.round(b.left)}–${Math.round(b.right)} px, outside its page or drawing`);
    }
    const cell = n.parentElement.closest('th, td, p, h1, li');
    if (cell && (cell.scrollWidth > cell.clientWidth + 1 || cell.scrollHeight > cell.clientHeight + 1)
        && getComputedStyle(cell).overflow !== 'visible')
      found.push(`${name(n)}: cut by its own box`);
  }
  for (const frame of document.querySelectorAll('main .table-frame')) {
    const shown = frame.getBoundingClientRect();
    if (shown.left < 0 || shown.right > width + 0.5) found.push('a frame wider than the page');
    const table = frame.querySelector('table');
    for (const row of table.rows) {
      // The cells that stay in view at the frame's left as it scrolls sideways.
      const sticky = [...row.cells].filter(c => getComputedStyle(c).position === 'sticky'
                                               && getComputedStyle(c).left !== 'auto');
      const stickyRight = sticky.length ? Math.max(...sticky.map(c => c.getBoundingClientRect().right)) : shown.left;
      for (const cell of row.cells) {
        const isSticky = sticky.includes(cell);
        if (!isSticky) frame.scrollLeft = Math.max(0, cell.offsetLeft - (stickyRight - shown.left));
        const lead = isSticky ? shown.left : Math.max(...sticky.map(c => c.getBoundingClientRect().right), shown.left);
        for (const n of texts(cell)) for (const b of boxes(n)) {
          if (b.left < lead - 0.5 || b.right > shown.right + 0.5 || b.left < -0.5 || b.right > width + 0.5)
            found.push(`${name(n)}: ${Math.round(b.left)}–${Math.round(b.right)} px, `
                       + `shown ${Math.round(lead)}–${Math.round(Math.min(shown.right, width))} px`);
        }
      }
    }
    frame.scrollLeft = 0;
  }
  return found;
}"""


@pytest.mark.parametrize("width", [1440, 375])
def test_every_origins_label_is_read_whole_and_large_enough(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url + "origins/")
    assert site_page.locator("table.origins-matrix tbody tr").count() > 0
    assert site_page.evaluate(ORIGINS_UNREADABLE, SMALLEST_TEXT) == []
    assert site_page.evaluate("document.documentElement.scrollWidth") <= width
    frame = site_page.locator(".matrix-frame")
    if width == 1440:
        # On a wide screen the whole matrix shows at once, no scrolling inside its frame.
        assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")
    else:
        # A frame that scrolls is named, and reachable from the keyboard.
        assert frame.get_attribute("role") == "region" and frame.get_attribute("tabindex") == "0"
        expect(frame).to_have_accessible_name(
            site_page.locator("#" + frame.get_attribute("aria-labelledby")).inner_text())


def test_the_origins_measure_finds_a_cut_label_and_small_text(site_page, site):
    """The measure above can fail: a claimant's name cut by a narrow box, and small text."""
    site_page.set_viewport_size(SIZES[375])
    site_page.goto(site.url + "origins/")
    site_page.evaluate("""() => {
      const th = document.querySelector('.origins-matrix tbody th');
      th.style.cssText = 'max-width: 2rem; white-space: nowrap; overflow: hidden';
      document.querySelector('.origins-matrix td.has .ways').style.fontSize = '9px';
    }""")
    found = site_page.evaluate(ORIGINS_UNREADABLE, SMALLEST_TEXT)
    assert any("cut by its own box" in f for f in found), found
    assert any(f.endswith(": 9 px") for f in found), found


def _richest_cell(site):
    """From the data alone: the (claimant, outlet) pair whose statements come by the most
    ways, then the most statements; its count and the chains of parties they pass through."""
    counts: Counter = Counter()
    ways: dict = {}
    for event in site.timeline.events:
        for placed in event.accounts:
            source = placed.account.source
            for said in statements(placed.account):
                for key in origin_keys(said, source, site.timeline.parties):
                    counts[(key, source)] += 1
                    ways.setdefault((key, source), set()).add(said.intermediaries)
    pair = max(counts, key=lambda p: (len(ways[p]), counts[p], p))
    return pair, counts[pair], ways[pair]


@pytest.mark.parametrize("width", [1440, 375])
def test_an_origins_cell_counts_the_statements_the_data_holds(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url + "origins/")
    ((kind, claimant), source), count, chains = _richest_cell(site)
    link = f"credited/{claimant}/" if kind == "party" else f"sources/{claimant}/"
    row = site_page.locator("table.origins-matrix tbody tr").filter(
        has=site_page.locator(f"th a[href$='{link}']"))
    expect(row).to_have_count(1)
    heads = site_page.locator("table.origins-matrix thead th")
    column = next(n for n in range(heads.count())
                  if heads.nth(n).locator(f"a[href$='sources/{source}/']").count())
    cell = row.locator("th, td").nth(column)
    assert cell.locator(".n").inner_text() == str(count)
    parties = site.timeline.parties
    said = {"via " + ", then ".join(parties[p].name for p in chain) if chain else
            ("in its own voice" if kind == "outlet" else "directly") for chain in chains}
    ways = cell.locator(".way").all_inner_texts()
    shown = {w.split(" ", 1)[1] if len(ways) > 1 else w for w in ways}
    assert shown == said
    if len(ways) > 1:
        assert sum(int(w.split(" ", 1)[0]) for w in ways) == count
    # A reader sees it whole on screen once the cell is scrolled to.
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= width


def test_the_event_page_opens_on_the_accounts_side_by_side_across_the_screen(site_page, site):
    site_page.set_viewport_size(SIZES[1440])
    site_page.goto(site.url + site.kinds["event, every outlet"])
    quotes = site_page.locator("table.fields tr.f-quotes td")
    event = next(e for e in site.timeline.events
                 if site.kinds["event, every outlet"].endswith(f"/{e.id}/"))
    expect(quotes).to_have_count(len(event.accounts))
    # Each outlet's first quote is on the first screen, side by side on one line of cells.
    firsts = [quotes.nth(n).locator("li").first.bounding_box() for n in range(quotes.count())]
    assert all(b and b["y"] + b["height"] <= 900 for b in firsts), firsts
    assert len({round(b["y"]) for b in firsts}) == 1
    # The editors' summary follows the accounts, with the event's origins beside it.
    table = site_page.locator("table.fields").bounding_box()
    summary = site_page.locator(".event-summary").bounding_box()
    beside = site_page.locator(".event-origins").bounding_box()
    assert summary["y"] >= table["y"] + table["height"] - 1
    assert abs(beside["y"] - summary["y"]) < 2 and beside["x"] >= summary["x"] + summary["width"]
    # What the first screen shows spans most of its width.
    span = site_page.evaluate("""() => {
      let left = Infinity, right = -Infinity;
      const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
      for (let n; (n = walk.nextNode());) {
        if (!n.textContent.trim()) continue;
        const r = document.createRange(); r.selectNodeContents(n);
        for (const b of r.getClientRects())
          if (b.width > 0 && b.top < innerHeight && b.bottom > 0) {
            left = Math.min(left, b.left); right = Math.max(right, b.right); }
      }
      return right - left;
    }""")
    assert span > 0.6 * 1440, span


def test_the_event_page_on_a_phone_opens_on_the_accounts(site_page, site):
    site_page.set_viewport_size(SIZES[375])
    site_page.goto(site.url + site.kinds["event, every outlet"])
    first = site_page.locator("table.fields tr.f-quotes td li").first.bounding_box()
    assert first and first["y"] < 812
    assert site_page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("width", [1440, 375])
def test_differences_lists_disagreements_first_and_names_each_mark(site_page, site, width):
    site_page.set_viewport_size(SIZES[width])
    site_page.goto(site.url + "differences/")
    plots = site_page.locator("figure.range-plot")
    clash = plots.evaluate_all("ps => ps.map(p => p.classList.contains('has-clash'))")
    assert clash, "no figure topic drawn"
    if True in clash and False in clash:
        assert clash.index(False) > max(n for n, c in enumerate(clash) if c), clash
    # A plot says it disagrees exactly when it is drawn as disagreeing.
    said = plots.evaluate_all("ps => ps.map(p => p.querySelector('figcaption').textContent"
                              ".includes('disagree'))")
    assert said == clash
    marks = site_page.locator("figure.range-plot li.rr:not(.axis)")
    assert marks.count() > 0
    found = marks.evaluate_all(r"""rows => rows.map(row => {
      const who = row.querySelector('.who'), mark = row.querySelector('svg.range');
      const key = who.querySelector('svg.swatch');
      const w = who.getBoundingClientRect(), m = mark.getBoundingClientRect();
      const voice = who.querySelector('.voice');
      return {outlet: who.querySelector('a').textContent.trim(), label: mark.getAttribute('aria-label'),
              voice: voice.textContent.replace(/\s+/g, ' ').trim(),
              relayed: voice.classList.contains('is-relayed'),
              role: mark.getAttribute('role'), who: [w.top, w.bottom, w.left, w.right],
              mark: [m.top, m.bottom, m.left, m.right], keyColour: getComputedStyle(key).color,
              markColour: getComputedStyle(mark).color};
    })""")
    outlets = {s.outlet for s in site.timeline.sources}
    for f in found:
        assert f["outlet"] in outlets, f
        # Whose figure: the outlet, and for a relayed figure the chain to its claimant, in the
        # visible name and in the mark's own.
        assert f["voice"].startswith(f["outlet"]) and (", citing " in f["voice"]) == f["relayed"], f
        assert f["role"] == "img" and f["label"].startswith(f["voice"] + ": "), f
        assert f["keyColour"] == f["markColour"], f
        if width == 1440:
            # The name on the same line as its mark, just left of it.
            assert f["who"][0] < f["mark"][1] and f["mark"][0] < f["who"][1], f
            assert 0 <= f["mark"][2] - f["who"][3] <= 32, f
        else:
            # The name right above its mark.
            assert 0 <= f["mark"][0] - f["who"][1] <= 8, f
    first = site_page.locator("figure.range-plot li.rr:not(.axis) svg.range").first
    expect(first).to_have_accessible_name(found[0]["label"])
