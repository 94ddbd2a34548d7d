"""Reading an article from a saved web page: its facts with where each was found, a fact the page
does not give left as None, and a plain text that holds the article and none of the page around
it. The pages are in tests/fixtures/pages/; nothing here uses the network."""

from __future__ import annotations

import socket

import pytest
from conftest import FIXTURES

from parallax import extract
from parallax.extract import Fact, PageError, fetch, read_article

PAGES = FIXTURES / "pages"


def _read(name: str):
    return read_article((PAGES / name).read_bytes())


def test_a_page_with_full_metadata():
    article = _read("full-metadata.html")
    meta = extract.METADATA
    assert article.outlet == Fact("The Harbour Courier", meta)
    assert article.title == Fact("Harbour crossing shut overnight", meta)
    assert article.byline == Fact("Sam Quill", meta)
    # The publication time, not the later modification time the page also gives.
    assert article.published == Fact("2021-03-05", meta)
    assert article.url == Fact("https://courier.example.org/news/harbour-crossing-shut", meta)
    assert article.text.startswith(
        "Harbour crossing shut overnight\n\n"
        "The Harbour Bridge was closed to all traffic on Wednesday night after engineers found "
        "a crack in one of its main supports, the port authority said on Thursday.\n\n"
        "The crossing was shut on Wednesday night,")
    assert article.text.endswith(
        "extra sailings from Friday for foot passengers and cyclists while the crossing stays "
        "closed.\n")
    assert article.text.count("\n\n") == 5, "the headline and five paragraphs"
    for furniture in ("Subscribe", "Weather", "All rights reserved", "About us", "transport reporter"):
        assert furniture not in article.text
    assert article.words == len(article.text.split())


def test_a_page_with_no_date_gives_none_and_no_guess():
    article = _read("no-date.html")
    assert article.published is None and article.address_date is None
    assert article.byline is None
    assert article.outlet == Fact("Harbour Gazette", extract.METADATA)
    assert article.url == Fact("https://gazette.example.org/news/bridge-reopens-to-buses",
                               extract.METADATA)
    assert "Passengers on the first bus across cheered" in article.text
    assert "Letters" not in article.text


def test_comments_related_articles_and_disclaimers_stay_out_of_the_text():
    article = _read("comments-and-related.html")
    text = article.text
    for paragraph in ("The ferry company will run extra boats across the harbour",
                      "Since then drivers have queued for the tunnel",
                      "The first of the extra sailings leaves the north quay",
                      '"Nobody told us how long this would last," said one.'):
        assert paragraph in text
    for furniture in (
        "About time the ferry company", "nobody in charge ever listened",  # comments
        "harbourwatcher", "thoughts on", "Leave a Reply", "email address will not be published",
        "Post Comment",
        "Related", "Crack found in harbour bridge support", "Tunnel tolls to rise",  # related
        "You may also like", "Harbour festival returns", "Ferry timetable changes",
        "Recent Posts", "Council meets over bridge closure",  # sidebar
        "DISCLAIMER", "do not necessarily represent",  # disclaimer
        "Share this", "Twitter", "Facebook", "Donate", "Opinion", "powered by WordPress",
    ):
        assert furniture not in text, furniture
    assert text.splitlines()[0] == "Ferries added as bridge stays shut"


def test_dates_of_comments_and_related_articles_are_not_the_articles():
    article = _read("comments-and-related.html")
    # The comments are dated 7 and 8 March, a related article 4 March; the article's date is
    # only in its address.
    assert article.published == Fact("2021-03-05", extract.ADDRESS)
    assert article.url == Fact(
        "https://islandvoice.example.net/2021/03/05/ferries-added-as-bridge-stays-shut",
        extract.SAVED_FROM)
    assert article.byline == Fact("Rowan Tide", extract.BYLINE)


def test_the_outlet_after_a_headline_is_not_part_of_it():
    page = (PAGES / "full-metadata.html").read_bytes().replace(
        b'content="Harbour crossing shut overnight"',
        b'content="Harbour crossing shut overnight | The Harbour Courier"')
    assert read_article(page).title == Fact("Harbour crossing shut overnight", extract.METADATA)
    page = page.replace(b"| The Harbour Courier", b"| Another Paper")
    assert read_article(page).title.value == "Harbour crossing shut overnight | Another Paper"


def test_a_page_that_is_not_an_article_is_refused():
    with pytest.raises(PageError) as error:
        _read("not-an-article.html")
    assert str(error.value).startswith("no article found: the page's main text has 0 words of "
                                       "running prose (an article has at least 40)")


@pytest.mark.parametrize("data", [
    b"", b"Just a few notes, not a web page.\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
])
def test_what_is_not_html_is_refused(data):
    with pytest.raises(PageError, match="^this is not an HTML page"):
        read_article(data)


def test_a_fetched_page_gives_its_address_when_the_page_does_not():
    page = (PAGES / "no-date.html").read_bytes().replace(
        b'<link rel="canonical" href="https://gazette.example.org/news/bridge-reopens-to-buses">', b"")
    article = read_article(page, "https://gazette.example.org/2021/03/09/buses")
    assert article.url == Fact("https://gazette.example.org/2021/03/09/buses", extract.FETCHED)
    assert article.published == Fact("2021-03-09", extract.ADDRESS)


def test_no_network_is_a_clear_message():
    with socket.socket() as probe:  # a local port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PageError) as error:
        fetch(f"http://127.0.0.1:{port}/article", local=True)
    message = str(error.value)
    assert message.startswith(f"could not fetch http://127.0.0.1:{port}/article (")
    assert "this computer may have no network" in message and "give the saved file" in message


def test_every_reason_written_is_explained():
    reasons = {value for name, value in vars(extract).items()
               if name.isupper() and isinstance(value, str) and value.startswith("from ")}
    explained = {reason for _, clues in extract.CLUES for reason, _ in clues}
    assert reasons == explained
