"""WCAG 2.2 A and AA, as axe-core checks it, on every kind of page in light and dark schemes."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

KINDS = ["home", "event", "source", "sources index", "events index", "differences",
         "credited index", "party", "page", "404", "origins", "event, every outlet", "search"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()


def violations_report(response: dict) -> str:
    """Each violation with where it is and what axe says, short enough to read in a test log."""
    lines = []
    for v in response["violations"]:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}"
                         .replace("\n", " "))
    return "\n".join(lines)


def _combinations() -> list:
    """Every kind of page in both schemes at both widths. The quick loop keeps one of the four
    per kind (light at 1440 and dark at 375, in turn); the other three are marked slow."""
    found = []
    for index, kind in enumerate(KINDS):
        quick = ("light", 1440) if index % 2 == 0 else ("dark", 375)
        for scheme in ("light", "dark"):
            for width in (1440, 375):
                marks = () if (scheme, width) == quick else (pytest.mark.slow,)
                found.append(pytest.param(kind, scheme, width, marks=marks,
                                          id=f"{kind}-{scheme}-{width}"))
    return found


@pytest.mark.parametrize("kind, scheme, width", _combinations())
def test_no_wcag_violations(site_page, site, kind, scheme, width):
    if kind not in site.kinds:
        pytest.skip(f"the site has no {kind} page")
    site_page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    site_page.emulate_media(color_scheme=scheme)
    site_page.goto(site.url + site.kinds[kind])
    site_page.wait_for_load_state("load")
    results = AXE.run(site_page, options={
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    })
    assert results.violations_count == 0, (
        f"{site.kinds[kind] or 'home'} ({scheme}, {width} px):\n{violations_report(results.response)}")


def test_axe_finds_a_planted_violation(site_page, site):
    """The check above can fail: a button without a name is reported."""
    site_page.goto(site.url)
    site_page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    results = AXE.run(site_page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert "button-name" in [v["id"] for v in results.response["violations"]]
