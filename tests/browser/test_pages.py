"""Every page in a real browser: it loads with its style, asks nothing of other hosts, runs no
script that errs, and its links lead to pages that exist; the 404 page works wherever it is served."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

# Links to other pages of the site (a link to a fragment of this same page is not one).
LINKS = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => !a.getAttribute('href').startsWith('#'))
    .map(a => new URL(a.getAttribute('href'), location.href).href.split('#')[0])
    .filter(h => h.startsWith(location.origin))"""
# (new URL(...) also resolves the links of an SVG, whose `href` is not a string.)
STYLED = "() => [...document.styleSheets].some(s => s.cssRules.length > 0)"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow  # every page of the site, one after another
def test_every_page_loads_styled_and_its_links_lead_somewhere(site_page, site):
    pages = sorted(p.relative_to(site.folder).as_posix() for p in site.folder.rglob("*.html"))
    checked: dict[str, int] = {}
    for path in pages:
        address = site.url + path.removesuffix("index.html")
        response = site_page.goto(address)
        assert response is not None and response.status == 200, path
        assert site_page.evaluate(STYLED), f"{path} has no style"
        for link in site_page.evaluate(LINKS):
            if link not in checked:
                checked[link] = status(link)
            assert checked[link] == 200, f"{path} links to {link} ({checked[link]})"
    assert len(checked) > len(pages) // 2


def test_the_404_page_works_at_any_missing_address(page, site):
    response = page.goto(site.url + "no/such/page/")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert page.evaluate(STYLED), "the 404 page lost its style"
    for link in page.evaluate(LINKS):
        assert status(link) == 200, f"the 404 page links to {link}"


def test_the_recapture_shows_each_quotes_chain_and_its_independent_origins(site_page, site):
    """On the real content: the event every outlet reports shows, under each quote, whose words
    it is, and counts the event's independent origins; the origins page sets them out."""
    if not site.is_real:
        return
    site_page.goto(site.url + "events/2016-12-11-is-retakes-palmyra/")
    attributions = site_page.locator("#account-breitbart .attribution").all_inner_texts()
    # Each link of the chain shows the article's words that credit it.
    assert any(a.startswith("Breitbart News, citing CNN (“CNN reported on Monday that”), citing ")
               and " together" in a for a in attributions), attributions
    assert any("in its own voice" in a for a in attributions), attributions
    origins = site_page.locator(".origins-count").inner_text()
    assert origins.startswith("Told by 5 of 5 outlets, from "), origins
    assert "independent origins:" in origins
    site_page.goto(site.url + "origins/")
    # The matrix gives every path of the table, each in its claimant's row and outlet's column.
    ways = site_page.locator(".origins-matrix td .way")
    assert ways.count() > 10
    rows = site_page.locator(".origins-table tbody tr").count()
    assert rows == ways.count()


def test_the_site_serves_its_own_favicon_and_nothing_is_missing(site_page, site):
    answers: list[tuple[str, int]] = []
    site_page.on("response", lambda r: answers.append((r.url, r.status)))
    site_page.goto(site.url)
    site_page.wait_for_load_state("load")
    assert [u for u, code in answers if code >= 400] == []
    icon = site_page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert icon.endswith("/static/favicon.svg") and status(icon) == 200
