"""Every kind of page, measured in Chromium: no sideways scrolling on a phone, one h1, landmark
labels told apart, text pages with readable lines, and the differences page's range plots."""

from __future__ import annotations

import pytest

TEXT_PAGES = ["page", "source", "party"]

# Landmarks (and regions, which a name makes landmarks) with the same role and name.
SAME_LANDMARKS = """() => {
  const seen = {};
  const named = document.querySelectorAll(
    'nav, aside, main, [role=region], section[aria-label], section[aria-labelledby]');
  for (const el of named) {
    let role = el.getAttribute('role') || el.tagName.toLowerCase();
    if (role === 'section') role = 'region';
    const name = el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') || '')
      .split(' ').map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    const key = role + ': ' + name;
    seen[key] = (seen[key] || 0) + 1;
  }
  return Object.entries(seen).filter(([, n]) => n > 1).map(([k]) => k);
}"""

# The most characters on one rendered line of the main text (tables, drawings and menus
# aside), found by measuring where each character sits.
LONGEST_LINE = """() => {
  let most = 0, where = '';
  for (const block of document.querySelectorAll('main p, main li, main dd, main blockquote')) {
    if (block.closest('.table-frame, svg, nav')) continue;
    const lines = new Map();
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      if (node.parentElement.closest('.vh')) continue;
      if (node.parentElement.closest('li, p, dd, blockquote') !== block) continue;
      const range = document.createRange();
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box) continue;
        const key = Math.round(box.top) + ':' + Math.round(block.getBoundingClientRect().left);
        lines.set(key, (lines.get(key) || 0) + 1);
      }
    }
    for (const n of lines.values()) if (n > most) { most = n; where = block.textContent.slice(0, 60); }
  }
  return [most, where];
}"""


def kinds(site) -> list[str]:
    return sorted(site.kinds)


@pytest.mark.parametrize("width", [375, 1440])
def test_no_page_scrolls_sideways(site_page, site, width):
    site_page.set_viewport_size({"width": width, "height": 800})
    wide = {}
    for kind in kinds(site):
        site_page.goto(site.url + site.kinds[kind])
        scroll = site_page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[kind] = scroll
    assert wide == {}, f"pages wider than {width} px: {wide}"


def test_the_planted_overflow_is_caught(site_page, site):
    """The measure above can fail: a wide block outside any frame widens the page."""
    site_page.set_viewport_size({"width": 375, "height": 800})
    site_page.goto(site.url + site.kinds["differences"])
    site_page.evaluate("""() => { const d = document.createElement('div');
        d.textContent = 'x'; d.className = 'vh'; d.style.left = '500px';
        document.querySelector('main').append(d); }""")
    assert site_page.evaluate("document.documentElement.scrollWidth") > 375


def test_every_page_has_one_h1_and_landmark_labels_of_its_own(site_page, site):
    found = {}
    for kind in kinds(site):
        site_page.goto(site.url + site.kinds[kind])
        h1 = site_page.locator("h1").count()
        same = site_page.evaluate(SAME_LANDMARKS)
        if h1 != 1 or same:
            found[kind] = (h1, same)
    assert found == {}


@pytest.mark.parametrize("kind", TEXT_PAGES)
def test_text_pages_keep_lines_to_75_characters(site_page, site, kind):
    if kind not in site.kinds:
        pytest.skip(f"the site has no {kind} page")
    site_page.set_viewport_size({"width": 1440, "height": 900})
    site_page.goto(site.url + site.kinds[kind])
    most, where = site_page.evaluate(LONGEST_LINE)
    assert 20 < most <= 75, f"{most} characters on a line of “{where}…”"


def test_every_figure_topic_is_drawn_and_disagreements_are_called_out(site_page, site):
    site_page.set_viewport_size({"width": 1440, "height": 900})
    site_page.goto(site.url + "differences/")
    topics = site_page.locator("table.compare tbody th[scope=row]").all_inner_texts()
    plots = site_page.locator("figure.range-plot h3").all_inner_texts()
    assert plots == topics
    # The topics whose figures disagree come first, in the plots as in the table.
    clash = site_page.locator("figure.range-plot").evaluate_all(
        "ps => ps.map(p => p.classList.contains('has-clash'))")
    assert clash == sorted(clash, reverse=True)
    for plot in site_page.locator("figure.range-plot").all():
        marks = plot.locator("svg.range[role=img]")
        for n in range(marks.count()):
            box = marks.nth(n).locator(".dot, .bar").first.bounding_box()
            frame = marks.nth(n).bounding_box()
            assert box and frame and box["width"] > 0
            assert frame["x"] - 6 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 6
    if site.is_real:
        attack = site_page.locator("figure.range-plot", has_text="Islamic State fighters in the attack")
        assert "the figures disagree" in attack.locator("figcaption").inner_text()
        clashes = attack.locator(".clashes li").all_inner_texts()
        assert any("“5,000 fighters”" in c and "do not overlap" in c for c in clashes), clashes


def test_the_coverage_header_stays_in_view_while_its_rows_scroll(site_page, site):
    site_page.set_viewport_size({"width": 375, "height": 700})
    site_page.goto(site.url + "differences/")
    frame = site_page.locator(".table-frame.tall")
    head = frame.locator("thead th").first
    frame.evaluate("f => f.scrollTop = f.scrollHeight")
    top = frame.bounding_box()["y"]
    assert abs(head.bounding_box()["y"] - top) <= 2


def test_an_event_page_compares_the_accounts_field_by_field(site_page, site):
    site_page.set_viewport_size({"width": 1440, "height": 900})
    site_page.goto(site.url + site.kinds["event, every outlet"])
    table = site_page.locator("table.fields")
    outlets = table.locator("thead th").all_inner_texts()[1:]
    event = next(e for e in site.timeline.events
                 if site.kinds["event, every outlet"].endswith(f"/{e.id}/"))
    assert len(outlets) == len(event.accounts)
    # The whole comparison fits a desktop screen's width without its frame scrolling.
    width = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert width[0] <= width[1]
    # Each column's head leads to that account in full.
    for link in table.locator("thead a").all():
        assert site_page.locator(link.get_attribute("href")).count() == 1
