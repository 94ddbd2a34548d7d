"""`python build.py new source --from PAGE --snapshots DIR`: a source record and its plain-text
snapshot from a saved page, each fact `inferred` with where it was found, what was not found
left out as `unknown`, and a record and snapshot that pass `check --snapshots`. Offline: the
pages are in tests/fixtures/pages/, and the only address fetched is on this computer."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import FIXTURES

from parallax import views
from parallax.cli import main
from parallax.extract import read_article
from parallax.load import load_content, parse_markdown
from parallax.validate import validate_content

BASIC = FIXTURES / "basic"
PAGES = FIXTURES / "pages"


@pytest.fixture
def site(tmp_path) -> Path:
    """A copy of the small fixture site: content/ and snapshots/."""
    shutil.copytree(BASIC / "content", tmp_path / "content")
    shutil.copytree(BASIC / "snapshots", tmp_path / "snapshots")
    return tmp_path


def new_from(site: Path, page: str | Path, *more: str) -> int:
    return main(["new", "source", "--from", str(page), "--snapshots", str(site / "snapshots"),
                 "--content", str(site / "content"), *more])


def _fields(path: Path) -> dict:
    return parse_markdown(path.read_text(encoding="utf-8"), path.name, "source", path.stem).data


def _written(site: Path) -> set[str]:
    """Everything in the site copy that the fixture site does not have."""
    have = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    fixture = {p.relative_to(BASIC).as_posix() for p in BASIC.rglob("*") if p.is_file()}
    return have - fixture


def test_full_metadata_every_fact_inferred_with_its_reason(site, capsys):
    assert new_from(site, PAGES / "full-metadata.html") == 0
    assert _written(site) == {"content/sources/the-harbour-courier.md",
                              "snapshots/the-harbour-courier.txt"}
    record = _fields(site / "content" / "sources" / "the-harbour-courier.md")
    metadata = {"level": "inferred", "reason": "from the page's metadata"}
    # A colour and shape of its own: no other source's, and a colour no one else has.
    content = validate_content(load_content(site / "content"))
    others = [views.Outlet(s, 0) for s in content.sources if s.id != "the-harbour-courier"]
    colour, shape = record.pop("colour"), record.pop("shape")
    assert colour not in {o.colour for o in others} and shape in views.SHAPES
    assert record == {
        "outlet": "The Harbour Courier",
        "title": "Harbour crossing shut overnight",
        "published": "2021-03-05",
        "byline": "Sam Quill",
        "url": "https://courier.example.org/news/harbour-crossing-shut",
        "snapshot": "the-harbour-courier.txt",
        "confidence": {"outlet": metadata, "byline": metadata, "published": metadata,
                       "url": metadata},
    }
    snapshot = (site / "snapshots" / "the-harbour-courier.txt").read_text(encoding="utf-8")
    assert snapshot == read_article((PAGES / "full-metadata.html").read_bytes()).text
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"Wrote content/sources/the-harbour-courier.md and the snapshot "
                      f"{site / 'snapshots' / 'the-harbour-courier.txt'} (144 words).")
    assert out[2:8] == [
        "  outlet: The Harbour Courier (from the page's metadata)",
        "  title: Harbour crossing shut overnight (from the page's metadata)",
        "  byline: Sam Quill (from the page's metadata)",
        "  published: 2021-03-05 (from the page's metadata)",
        "  url: https://courier.example.org/news/harbour-crossing-shut (from the page's metadata)",
        "  timezone: not read from pages; add the outlet's IANA time zone if you know it",
    ]


def test_no_date_is_refused_until_the_editor_gives_it(site, capsys):
    page = PAGES / "no-date.html"
    assert new_from(site, page) == 1
    assert capsys.readouterr().err.splitlines() == [
        (f"{page}:1: published: no publication date in the page's metadata, in a date marked up "
         "in it or in its address; give the date with --date (a date is never guessed)"),
        "1 problem; nothing was written.",
    ]
    assert _written(site) == set()

    assert new_from(site, page, "--date", "2021-03-09") == 0
    record = _fields(site / "content" / "sources" / "harbour-gazette.md")
    assert record["published"] == "2021-03-09"
    assert "byline" not in record, "a byline the page does not give is left out"
    assert record["confidence"]["byline"] == "unknown"
    assert record["confidence"]["published"] == "unknown", "the editor's date is theirs to confirm"
    assert record["confidence"]["outlet"] == {"level": "inferred",
                                              "reason": "from the page's metadata"}
    out = capsys.readouterr().out
    assert "  byline: not found in the page; left out and marked unknown\n" in out
    assert "  published: 2021-03-09 (as you gave it; its confidence is 'unknown'" in out


def test_comments_and_related_articles_never_reach_the_snapshot(site, capsys):
    assert new_from(site, PAGES / "comments-and-related.html") == 0
    record = _fields(site / "content" / "sources" / "island-voice.md")
    assert record["confidence"] == {
        "outlet": {"level": "inferred", "reason": "from the page's metadata"},
        "byline": {"level": "inferred", "reason": "from the byline printed on the page"},
        "published": {"level": "inferred", "reason": "from the address"},
        "url": {"level": "inferred",
                "reason": "from the address the browser noted when saving the page"},
    }
    snapshot = (site / "snapshots" / "island-voice.txt").read_text(encoding="utf-8")
    assert "the north quay at six in the morning" in snapshot
    for furniture in ("About time the ferry company", "Leave a Reply", "Crack found in harbour",
                      "You may also like", "DISCLAIMER", "Share this", "Recent Posts"):
        assert furniture not in snapshot


def test_a_page_that_is_not_an_article_writes_nothing(site, capsys):
    page = PAGES / "not-an-article.html"
    assert new_from(site, page) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{page}:1: no article found: the page's main text has 0 words of "
                          "running prose")
    assert "Traceback" not in err and _written(site) == set()


@pytest.mark.parametrize("name, data, message", [
    ("notes.html", "Some notes about the bridge, in plain text.\n",
     "this is not an HTML page; save the article from the browser as a web page (.html)"),
    ("missing.html", None,
     "no such file; give the path of a page saved from the browser (.html)"),
])
def test_a_file_that_is_not_a_page_is_a_clear_message(site, tmp_path, capsys, name, data, message):
    page = tmp_path / name
    if data is not None:
        page.write_text(data)
    assert new_from(site, page) == 1
    assert capsys.readouterr().err.splitlines() == [f"{page}:1: {message}",
                                                   "1 problem; nothing was written."]
    assert _written(site) == {name} - {"missing.html"}


def test_an_existing_record_or_snapshot_is_never_overwritten(site, capsys):
    ledger = site / "content" / "sources" / "ledger.md"
    before = ledger.read_text()
    assert new_from(site, PAGES / "full-metadata.html", "--id", "ledger") == 1
    assert capsys.readouterr().err.startswith(
        "content/sources/ledger.md:1: this file already exists and is left as it is")
    assert ledger.read_text() == before

    snapshot = site / "snapshots" / "courier.txt"
    snapshot.write_text("an earlier snapshot")
    assert new_from(site, PAGES / "full-metadata.html", "--id", "courier") == 1
    assert capsys.readouterr().err.startswith(
        f"{snapshot}:1: this snapshot already exists and is left as it is")
    assert snapshot.read_text() == "an earlier snapshot"
    assert not (site / "content" / "sources" / "courier.md").exists()


def test_the_outlet_the_editor_gives_takes_the_place_of_the_pages(site, capsys):
    assert main(["new", "source", "Courier", "--from", str(PAGES / "full-metadata.html"),
                 "--snapshots", str(site / "snapshots"), "--content", str(site / "content")]) == 0
    record = _fields(site / "content" / "sources" / "courier.md")
    assert record["outlet"] == "Courier" and record["confidence"]["outlet"] == "unknown"
    assert record["snapshot"] == "courier.txt"


def test_an_address_is_fetched_only_when_asked(site, capsys):
    assert new_from(site, "https://courier.example.org/news/harbour-crossing-shut") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "https://courier.example.org/news/harbour-crossing-shut:1: this is a web address, and "
        "nothing is downloaded unless you ask: add --fetch, or save the page from your browser "
        "and give the file")
    assert _written(site) == set()


def test_no_network_is_a_clear_message(site, capsys):
    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}/news/harbour-crossing-shut"
    assert new_from(site, address, "--fetch", "--fetch-local") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{address}:1: could not fetch {address} (")
    assert "this computer may have no network" in err and "Traceback" not in err
    assert _written(site) == set()


def test_fetch_reads_a_page_from_its_address(site, capsys):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(PAGES))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_port}/full-metadata.html"
        assert new_from(site, address, "--fetch", "--fetch-local") == 0
    finally:
        server.shutdown()
        server.server_close()
    record = _fields(site / "content" / "sources" / "the-harbour-courier.md")
    # The page's own address wins over the one it was fetched from.
    assert record["url"] == "https://courier.example.org/news/harbour-crossing-shut"


def test_without_from_the_outlet_and_date_are_still_required(site, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "source", "--content", str(site / "content")])
    assert exit_info.value.code == 2
    assert "the following arguments are required: title, --date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["new", "source", "--from", str(PAGES / "full-metadata.html"),
              "--content", str(site / "content")])
    assert "--from needs --snapshots DIR" in capsys.readouterr().err
    assert _written(site) == set()


EVENT = "content/events/2021-03-04-bridge-closed.md"


def _quote_in_event(site: Path, source: str, quote: str) -> None:
    """Add an account from `source` with one quote to a fixture event."""
    path = site / EVENT
    text = path.read_text(encoding="utf-8")
    account = f'  - source: {source}\n    quotes:\n      - "{quote}"\n'
    # The first '\n---\n' closes the front matter: the account goes last in `accounts`.
    path.write_text(text.replace("\n---\n", "\n" + account + "---\n", 1), encoding="utf-8")


def check(site: Path) -> int:
    return main(["check", "--snapshots", str(site / "snapshots"),
                 "--content", str(site / "content"), "--out", str(site / "site")])


@pytest.mark.parametrize("page", ["full-metadata.html", "comments-and-related.html"])
def test_a_record_and_snapshot_made_this_way_pass_check(site, capsys, page):
    assert new_from(site, PAGES / page) == 0
    source = _written(site).pop().rsplit("/", 1)[-1].removesuffix(".md").removesuffix(".txt")
    snapshot = (site / "snapshots" / f"{source}.txt").read_text(encoding="utf-8")
    # The first sentence whole: a part of it would cut off the credit it holds.
    quote = snapshot.split("\n\n")[1].split(". ")[0].rstrip(".") + "."
    _quote_in_event(site, source, quote)
    capsys.readouterr()
    assert check(site) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("Content is sound:") and out.splitlines()[0].endswith(
        "10 quotes and their credits found in their snapshots")


def test_page_furniture_quoted_from_the_page_fails_the_check(site, capsys):
    assert new_from(site, PAGES / "comments-and-related.html") == 0
    _quote_in_event(site, "island-voice",
                    "The bridge has been cracking for years and nobody in charge ever listened")
    capsys.readouterr()
    assert check(site) == 1
    assert "not found in the snapshot of 'island-voice'" in capsys.readouterr().err


def test_an_outlet_the_page_does_not_name_is_left_for_the_editor(site, tmp_path, capsys):
    page = tmp_path / "bare.html"
    page.write_bytes((PAGES / "no-date.html").read_bytes()
                     .replace(b'<meta property="og:site_name" content="Harbour Gazette">', b"")
                     .replace(b" | Harbour Gazette", b"")
                     .replace(b'<link rel="canonical" href="https://gazette.example.org/news/'
                              b'bridge-reopens-to-buses">', b""))
    assert new_from(site, page, "--date", "2021-03-09") == 0
    path = site / "content" / "sources" / "bridge-reopens-to-buses.md"
    record = _fields(path)
    assert record["outlet"] == "[to do: the outlet's name, as it writes it]"
    assert record["confidence"] == {"outlet": "unknown", "byline": "unknown",
                                    "published": "unknown", "url": "unknown"}
    assert "url" not in record and "byline" not in record
    out = capsys.readouterr().out
    assert "  outlet: not found in the page; left as a '[to do …]' placeholder\n" in out
    assert "  url: not found in the page; left out and marked unknown\n" in out
    assert main(["build", "--content", str(site / "content"), "--out", str(site / "site")]) == 0
    assert "outlet: still the skeleton's placeholder" in capsys.readouterr().err


def _long_page(tmp_path: Path, paragraphs: int) -> Path:
    """The fixture article with `paragraphs` more paragraphs of its own, each different."""
    page = (PAGES / "full-metadata.html").read_text(encoding="utf-8")
    more = "".join(
        f"    <p>Paragraph {n} of the long report: the inspectors walked span {n} of the "
        f"crossing and set down what they saw, bolt by bolt, in note {n * 7}.</p>\n"
        for n in range(paragraphs))
    path = tmp_path / "long.html"
    path.write_text(page.replace("</article>", more + "</article>", 1), encoding="utf-8")
    return path


def test_a_long_form_article_makes_a_snapshot_that_check_reads(site, tmp_path, capsys):
    # About 300 KB of text: long-form articles run past 100 KB, far over a record's 32 KB.
    assert new_from(site, _long_page(tmp_path, 2400)) == 0
    snapshot = site / "snapshots" / "the-harbour-courier.txt"
    assert snapshot.stat().st_size > 250 * 1024
    _quote_in_event(site, "the-harbour-courier", "in note 16793")
    capsys.readouterr()
    assert check(site) == 0, capsys.readouterr().err


def test_a_snapshot_over_its_limit_is_refused_with_its_size(site, capsys):
    snapshot = site / "snapshots" / "radio.txt"
    snapshot.write_text(snapshot.read_text(encoding="utf-8") + "word " * (420 * 1024),
                        encoding="utf-8")
    assert check(site) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{snapshot}:1: the snapshot is 2,100.3 KB, over the limit of 2048 KB an article's "
        "plain text may be; check that it holds the article's text alone (no page around it, "
        "no images or scripts)")


def test_an_article_over_the_snapshot_limit_writes_nothing(site, tmp_path, capsys, monkeypatch):
    import parallax.new

    monkeypatch.setattr(parallax.new, "MAX_SNAPSHOT_KB", 2)  # the page's text is 4 KB
    assert new_from(site, _long_page(tmp_path, 20)) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{site / 'snapshots' / 'the-harbour-courier.txt'}:1: the article's text is 4 KB, over "
        "the limit of 2 KB a snapshot may be; nothing was written: save the page with the "
        "article alone (its print view, or reader mode)")
    assert _written(site) == {"long.html"}, "the saved page alone: no record, no snapshot"



# --- --fetch's limits: where, how long, how much ----------------------------------------------------

class _Pages(http.server.BaseHTTPRequestHandler):
    """/page: the fixture article; /gzip-bomb: 30 MB of zeros, gzipped; /big: 21 MB;
    /trickle: a byte every 0.2 s; /to?URL: a redirect to URL. Every request is noted."""

    seen: ClassVar[list[str]] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        import gzip

        self.seen.append(self.path)
        if self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.end_headers()
            return
        if self.path == "/endless-redirect":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            try:
                for _ in range(40 * 1024):  # 40 MB of a body nobody should read
                    self.wfile.write(b" " * 1024)
            except OSError:
                pass
            return
        if self.path == "/not-gzip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(b"<html>plainly not gzip</html>")
            return
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
            return
        body = {"/page": (PAGES / "full-metadata.html").read_bytes(),
                "/big": b" " * (21 * 1024 * 1024),
                "/gzip-bomb": gzip.compress(b"\0" * (30 * 1024 * 1024))}.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.path == "/gzip-bomb":
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def pages_server():
    """Two servers of _Pages: on 127.0.0.1 and on 127.0.0.2 (both this computer's)."""
    servers = []
    for host in ("127.0.0.1", "127.0.0.2"):
        server = http.server.ThreadingHTTPServer((host, 0), _Pages)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    _Pages.seen = []
    yield [f"http://{s.server_address[0]}:{s.server_port}" for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_address_of_this_computer_is_not_fetched(site, capsys, pages_server):
    address = pages_server[0] + "/page"
    assert new_from(site, address, "--fetch") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: 127.0.0.1 is at 127.0.0.1, an address of this "
        "computer or of a private network, which --fetch does not visit (add --fetch-local if "
        "you mean to)")
    assert _Pages.seen == [], "no request was sent"
    assert _written(site) == set()


@pytest.mark.parametrize("address", ["http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/",
                                     "http://192.168.1.1/", "http://[::ffff:127.0.0.1]/",
                                     "http://0.0.0.0/", "http://100.64.0.1/"])
def test_no_private_or_local_address_is_connected_to(address, site, capsys, monkeypatch):
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, where: connected.append(where))
    assert new_from(site, address, "--fetch") == 1
    assert "which --fetch does not visit (add --fetch-local if you mean to)" in \
        capsys.readouterr().err
    assert connected == []


def test_every_redirect_is_checked_again(site, capsys, monkeypatch, pages_server):
    from parallax import extract

    # 127.0.0.1 stands for a public server here; 127.0.0.2 for one inside the network.
    monkeypatch.setattr(extract, "_public", lambda ip: str(ip) == "127.0.0.1")
    inside = pages_server[1] + "/page"
    address = pages_server[0] + "/to?" + inside
    assert new_from(site, address, "--fetch") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: 127.0.0.2 is at 127.0.0.2, an address of this "
        "computer or of a private network, which --fetch does not visit (add --fetch-local if "
        "you mean to)")
    assert _Pages.seen == ["/to?" + inside], "the inside server was never asked"
    # Asked for, the same redirect is followed.
    assert new_from(site, address, "--fetch", "--fetch-local") == 0


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/page",
                                    "data:text/html,<p>x</p>"])
def test_a_redirect_to_another_scheme_is_refused(target, site, capsys, pages_server):
    address = pages_server[0] + "/to?" + target
    assert new_from(site, address, "--fetch", "--fetch-local") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: it redirects to {target}, which is not an "
        "http:// or https:// address")


@pytest.mark.parametrize("path, how", [("/big", "as sent"), ("/gzip-bomb", "decompressed")])
def test_a_page_over_20_mb_is_refused(path, how, site, capsys, pages_server):
    address = pages_server[0] + path
    assert new_from(site, address, "--fetch", "--fetch-local") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: the page is larger than 20 MB {how}; save the "
        "article alone from the browser and give the file instead")


def test_a_fetch_ends_within_its_time_in_all(site, capsys, monkeypatch, pages_server):
    from parallax import extract

    monkeypatch.setattr(extract, "FETCH_SECONDS", 1)  # each byte comes in time; the whole never
    address = pages_server[0] + "/trickle"
    started = time.monotonic()
    assert new_from(site, address, "--fetch", "--fetch-local") == 1
    assert time.monotonic() - started < 3
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: it did not finish within 1 s")


def test_a_saved_page_over_20_mb_is_refused_unread(site, tmp_path, capsys):
    page = tmp_path / "huge.html"
    page.write_bytes(b"<html><body>" + b" " * (21 * 1024 * 1024))
    assert new_from(site, page) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{page}:1: this file is larger than 20 MB, more than any saved article: save the page "
        "again as 'Web Page, HTML only'")


@pytest.mark.parametrize("bad", ["https://islan]voice.example.net/2021/03/05/ferries",
                                 "http://[::1/news", "https://courier.example.org:port/news",
                                 "https:///news/no-host"])
def test_an_address_in_the_page_that_cannot_be_read_is_left_out(bad, site, tmp_path, capsys):
    # Found by fuzz/fuzz_from_page.py: such an address in the metadata ended in a traceback.
    page = tmp_path / "odd.html"
    page.write_text((PAGES / "full-metadata.html").read_text(encoding="utf-8").replace(
        "https://courier.example.org/news/harbour-crossing-shut", bad), encoding="utf-8")
    assert new_from(site, page) == 0, capsys.readouterr().err
    record = _fields(site / "content" / "sources" / "the-harbour-courier.md")
    assert "url" not in record and record["confidence"]["url"] == "unknown"



def test_a_name_that_resolves_to_a_private_address_is_not_connected_to(site, capsys,
                                                                          monkeypatch):
    connected = []
    answers = {"intranet.example.org": "10.1.2.3", "nat64.example.org": "64:ff9b::a01:203",
               "sixtofour.example.org": "2002:a01:203::1"}

    def resolve(host, port, *args, **kwargs):
        address = answers[host]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        where = (address, port, 0, 0) if ":" in address else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", where)]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket.socket, "connect", lambda self, where: connected.append(where))
    for host, address in answers.items():
        page = f"https://{host}/news"
        assert new_from(site, page, "--fetch") == 1
        assert capsys.readouterr().err.splitlines()[0] == (
            f"{page}:1: could not fetch {page}: {host} is at {address}, an address of this "
            "computer or of a private network, which --fetch does not visit (add --fetch-local "
            "if you mean to)")
    assert connected == []


def test_a_name_that_takes_too_long_to_look_up_ends_in_time(site, capsys, monkeypatch):
    from parallax import extract

    monkeypatch.setattr(extract, "FETCH_SECONDS", 1)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: time.sleep(5))
    started = time.monotonic()
    assert new_from(site, "https://slow.example.org/news", "--fetch") == 1
    assert time.monotonic() - started < 3
    assert capsys.readouterr().err.splitlines()[0] == (
        "https://slow.example.org/news:1: could not fetch https://slow.example.org/news: it did "
        "not finish within 1 s")


def test_a_redirects_body_is_never_read(site, capsys, pages_server, monkeypatch):
    import http.client

    read: dict[int, int] = {}
    real = http.client.HTTPResponse.read

    def counted(self, *args, **kwargs):
        data = real(self, *args, **kwargs)
        read[self.status] = read.get(self.status, 0) + len(data)
        return data

    monkeypatch.setattr(http.client.HTTPResponse, "read", counted)
    assert new_from(site, pages_server[0] + "/endless-redirect", "--fetch", "--fetch-local") == 0
    assert read.get(302, 0) == 0, "the redirect's 40 MB body was read"


def test_a_page_said_compressed_that_is_not_is_a_message(site, capsys, pages_server):
    address = pages_server[0] + "/not-gzip"
    assert new_from(site, address, "--fetch", "--fetch-local") == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{address}:1: could not fetch {address}: the server said the page was compressed "
        "(gzip), and it is not")


def test_a_date_the_date_reader_cannot_take_is_no_date(site, tmp_path, capsys):
    # Found by fuzz/fuzz_from_page.py: htmldate raised on a time zone offset of 80 hours.
    page = tmp_path / "odd-date.html"
    text = (PAGES / "no-date.html").read_text(encoding="utf-8")
    page.write_text(text.replace("<article", '<time datetime="2020-03-05T07:30:00+80:00"></time>'
                                 "<article", 1), encoding="utf-8")
    assert new_from(site, page) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "no publication date" in err
    assert new_from(site, page, "--date", "2021-03-09") == 0
