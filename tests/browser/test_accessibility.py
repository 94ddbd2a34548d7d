"""WCAG 2.2 A and AA, as axe-core checks it, on every kind of page in light and dark schemes."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

KINDS = ["home", "event", "source", "sources index", "events index", "differences",
         "credited index", "party", "page", "404", "origins", "event, every outlet", "search",
         "corrections", "corrected event", "corrected source"]
CORRECTED = ["corrections", "corrected event", "corrected source", "home"]
"""The pages that show corrections (the home page: its rows' 'corrected' mark)."""
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
    _check(site_page, site, kind, scheme, width)


@pytest.mark.parametrize("kind, scheme, width", [
    pytest.param(kind, scheme, width, id=f"{kind}-{scheme}-{width}",
                 marks=() if (scheme, width) == (("light", 1440), ("dark", 375))[n % 2]
                 else (pytest.mark.slow,))
    for n, kind in enumerate(CORRECTED) for scheme in ("light", "dark") for width in (1440, 375)])
def test_corrections_have_no_wcag_violations(fixture_page, fixture_site, kind, scheme, width):
    """The fixture site's corrections (the real site's pages are checked above once it has
    them): the corrections page, the Corrections sections of an event and a source, and the
    home page's 'corrected' mark."""
    assert kind in fixture_site.kinds
    # The record pages' Corrections sections and the home page's rows are what this adds; the
    # corrections page is checked whole (the other pages' own parts are checked above).
    part = {"corrected event": ".corrections-log", "corrected source": ".corrections-log",
            "home": ".rows"}.get(kind)
    _check(fixture_page, fixture_site, kind, scheme, width, part)
    if kind == "home":
        assert fixture_page.locator(".ev .corrected").count() == 1
    else:
        assert fixture_page.locator(".correction").count() >= 1


def _check(page, site, kind: str, scheme: str, width: int, part: str | None = None) -> None:
    """axe on the page, or on the elements `part` selects."""
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    page.emulate_media(color_scheme=scheme)
    page.goto(site.url + site.kinds[kind])
    page.wait_for_load_state("load")
    if part is not None:
        assert page.locator(part).count() >= 1, part
    results = AXE.run(page, context={"include": [[part]]} if part else None, options={
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
