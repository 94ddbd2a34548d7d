"""Outlets in a real browser: each keeps its colour and shape when a source is added; marks,
hollow marks and the editors' band have 3:1 against the page in light and dark (WCAG 2.2
1.4.11), measured from computed styles; the legend's and day links are 24 px targets (2.5.8)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from parallax.colours import MIN_CONTRAST, contrast

from .conftest import FIXTURE_CONTENT, _served, watch

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}

# Each outlet as the page draws it: the legend's key and every mark, with computed colours.
LOOKS = """() => {
  const legend = [...document.querySelectorAll('.legend li.outlet')].map(li => ({
    source: li.querySelector('a').getAttribute('href').match(/sources\\/([^/]+)\\//)[1],
    colour: getComputedStyle(li.querySelector('svg.key')).color,
    shape: li.querySelector('svg.key use').getAttribute('href')}));
  const marks = [...document.querySelectorAll('.tl a.m')].map(m => {
    const use = m.querySelector('use'), style = getComputedStyle(use);
    return {source: m.getAttribute('href').split('#account-')[1],
            hollow: m.classList.contains('h'), colour: getComputedStyle(m).color,
            fill: style.fill, stroke: style.stroke, shape: use.getAttribute('href'),
            strokeWidth: parseFloat(style.strokeWidth)};
  });
  return {legend, marks};
}"""

PAGE_BACKGROUND = """() => {
  for (const el of [document.body, document.documentElement]) {
    const c = getComputedStyle(el).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
  }
  return 'rgb(255, 255, 255)';
}"""

BANDS = """() => [...document.querySelectorAll('.tl svg.marks rect.ed')].map(r => {
  const s = getComputedStyle(r), box = r.getBoundingClientRect();
  return {fill: s.fill, stroke: s.stroke, strokeWidth: parseFloat(s.strokeWidth),
          width: box.width, height: box.height};
})"""

# WCAG 2.2 2.5.8: a target is at least 24 × 24 CSS px, or a 24 px circle on its centre meets
# no other target and no other undersized target's circle (the spacing exception).
TARGETS = """(selector) => {
  const all = [...document.querySelectorAll('a[href], button, input, select, summary')]
    .filter(e => !e.closest('svg.marks'))
    .map(e => ({e, box: e.getBoundingClientRect()})).filter(t => t.box.width && t.box.height);
  const small = t => t.box.width < 24 || t.box.height < 24;
  const centre = b => [b.left + b.width / 2, b.top + b.height / 2];
  const meets = (c, b) => Math.hypot(Math.max(b.left - c[0], 0, c[0] - b.right),
                                     Math.max(b.top - c[1], 0, c[1] - b.bottom)) < 12;
  return all.filter(t => t.e.matches(selector)).map(t => {
    const c = centre(t.box);
    const crowded = small(t) && all.some(o => o !== t && (meets(c, o.box) ||
      (small(o) && Math.hypot(...centre(o.box).map((v, i) => v - c[i])) < 24)));
    return {what: t.e.tagName + ' ' + (t.e.textContent || t.e.getAttribute('aria-label') || '').trim(),
            width: t.box.width, height: t.box.height, small: small(t), crowded};
  });
}"""


def rgb(css: str) -> tuple[float, float, float]:
    """'rgb(r, g, b)' as the browser computes it (an opaque colour) → (r, g, b)."""
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css)
    assert found, css
    assert found[4] is None or float(found[4]) == 1, f"{css} is not opaque"
    return tuple(float(found[n]) for n in (1, 2, 3))


def _looks_of(browser, content: Path, folder: Path) -> tuple[dict[str, set], list[str]]:
    """`content` built into `folder` and served: each outlet's (colour, shape) as the home page
    draws it, and the legend's outlets in their order."""
    served = _served(content, folder)
    site = next(served)
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    seen = watch(context, site)
    page = context.new_page()
    try:
        page.goto(site.url)
        drawn = page.evaluate(LOOKS)
        seen.check()
    finally:
        context.close()
        served.close()
    looks: dict[str, set[tuple[str, str]]] = {}
    for item in drawn["legend"] + drawn["marks"]:
        looks.setdefault(item["source"], set()).add((item["colour"], item["shape"]))
    return looks, [item["source"] for item in drawn["legend"]]


def test_an_outlet_keeps_its_colour_and_shape_when_a_source_is_added(browser, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    before, _ = _looks_of(browser, content, tmp_path / "before")
    assert len(before) >= 2
    for source, found in before.items():
        assert len(found) == 1, f"{source} is drawn in more than one way: {found}"
    assert len({next(iter(f)) for f in before.values()}) == len(before), "two outlets alike"

    # A new outlet whose id sorts first: it takes the first track, every other moves down.
    first = min(before)
    text = (content / "sources" / f"{first}.md").read_text(encoding="utf-8")
    added = "aaa-" + first
    (content / "sources" / f"{added}.md").write_text(
        re.sub(r"^outlet: .*$", "outlet: An Added Outlet", text, count=1, flags=re.MULTILINE),
        encoding="utf-8")
    after, order = _looks_of(browser, content, tmp_path / "after")

    assert order[0] == added and order[1:] == sorted(before)
    for source, found in before.items():
        assert after[source] == found, f"{source} changed from {found} to {after[source]}"


def _schemes_measured(site_page, site, scheme: str):
    site_page.emulate_media(color_scheme=scheme)
    site_page.set_viewport_size(DESKTOP)
    site_page.goto(site.url)
    background = rgb(site_page.evaluate(PAGE_BACKGROUND))
    return background, site_page.evaluate(LOOKS), site_page.evaluate(BANDS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_marks_hollow_marks_and_the_band_have_3_to_1_against_the_page(site_page, site,
                                                                          scheme):
    background, drawn, bands = _schemes_measured(site_page, site, scheme)
    expected_background = (255, 255, 255) if scheme == "light" else (20, 20, 20)
    assert background == expected_background, "the page's background is not the scheme's"

    # Every outlet's colour, as its legend key and its marks are drawn.
    outlets = {item["source"]: rgb(item["colour"]) for item in drawn["legend"]}
    assert len(outlets) == len(site.timeline.sources)
    for source, colour in outlets.items():
        ratio = contrast(colour, background)
        assert ratio >= MIN_CONTRAST, (scheme, source, round(ratio, 2))

    solid = [m for m in drawn["marks"] if not m["hollow"]]
    hollow = [m for m in drawn["marks"] if m["hollow"]]
    assert solid and hollow, "the site should show both kinds of mark"
    for mark in solid:
        assert contrast(rgb(mark["fill"]), background) >= MIN_CONTRAST, mark
    # A hollow mark is its outline: the page's colour inside, the outlet's colour around it.
    for mark in hollow:
        assert rgb(mark["fill"]) == background, mark
        assert mark["strokeWidth"] >= 1, mark
        assert contrast(rgb(mark["stroke"]), background) >= MIN_CONTRAST, mark
        assert rgb(mark["stroke"]) == outlets[mark["source"]], mark

    # The editors' band: its fill is faint (marks sit on it), so its extent is outlined.
    assert bands
    for band in bands:
        fill, outline = rgb(band["fill"]), rgb(band["stroke"])
        assert (contrast(fill, background) >= MIN_CONTRAST
                or (band["strokeWidth"] >= 1 and contrast(outline, background) >= MIN_CONTRAST)), band
    ratios = sorted({round(contrast(rgb(b["stroke"]), background), 2) for b in bands})
    print(f"{scheme}: band outline {ratios}, outlets "
          f"{ {s: round(contrast(c, background), 2) for s, c in outlets.items()} }")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "375"])
def test_legend_day_and_control_targets_are_24_px(site_page, site, viewport):
    site_page.set_viewport_size(viewport)
    site_page.goto(site.url)
    site_page.wait_for_selector(".legend input[type=checkbox]")  # the script's controls
    groups = {
        "legend links": (".legend a", True),
        "day links": (".jump a", True),
        "the tools' controls": (".tl-tools select, .tl-tools button", True),
        "the masthead's links": (".masthead a", True),
        "the legend's checkboxes": (".legend input[type=checkbox]", False),
    }
    for name, (selector, full_size) in groups.items():
        found = site_page.evaluate(TARGETS, selector)
        assert found, f"no {name} on the home page"
        if full_size:
            small = [t for t in found if t["small"]]
            assert small == [], f"{name} under 24 × 24 px: {small}"
        crowded = [t for t in found if t["crowded"]]
        assert crowded == [], f"{name} under 24 px and too near another target: {crowded}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_differences_pages_open_ended_bars_and_the_absent_line_have_3_to_1(site_page, site,
                                                                                   scheme):
    """A figure given as "more than" or "as many as" is a paler bar: its outline keeps its
    outlet's colour; the line of an outlet that does not mention an event keeps 3:1 too."""
    site_page.emulate_media(color_scheme=scheme)
    site_page.goto(site.url + "differences/")
    background = rgb(site_page.evaluate(PAGE_BACKGROUND))
    edges = site_page.evaluate("""() => [...document.querySelectorAll('.range .bar.open, .swatch rect.open')]
      .map(b => { const s = getComputedStyle(b);
                  return {stroke: s.stroke, width: parseFloat(s.strokeWidth), opacity: s.strokeOpacity}; })""")
    for edge in edges:
        assert edge["width"] >= 1 and float(edge["opacity"]) == 1, edge
        assert contrast(rgb(edge["stroke"]), background) >= MIN_CONTRAST, edge
    site_page.goto(site.url)
    absent = site_page.evaluate("""() => [...document.querySelectorAll('.tl line.absent')].slice(0, 5)
      .map(l => { const s = getComputedStyle(l); return {stroke: s.stroke, opacity: s.opacity}; })""")
    assert absent, "no outlet leaves an event unmentioned"
    for line in absent:
        assert float(line["opacity"]) == 1, line
        assert contrast(rgb(line["stroke"]), background) >= MIN_CONTRAST, line
