"""The live preview: `python build.py serve` builds, serves on 127.0.0.1, rebuilds on every save
and reloads the browser; a broken save never stops it.

Each test starts a real server (a subprocess, on a free port) on a copy of the fixture site,
talks to it over HTTP and over livereload's socket as a browser would, and always stops it.
Every wait is a poll with a time limit.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

from parallax.cli import make_parser

BASIC = FIXTURES / "basic" / "content"
CRACK = "events/2021-03-03-crack-found.md"
CRACK_PAGE = "events/2021-03-03-crack-found/"
TIMEOUT = 20.0


def poll(check: Callable[[], object], timeout: float = TIMEOUT, every: float = 0.05):
    """`check()` once it is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout} s for {check.__doc__ or check}")
        time.sleep(every)


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    content: Path
    out: Path
    output: list[str]

    def get(self, path: str = "") -> tuple[int, str, dict[str, str]]:
        request = urllib.request.Request(self.url + path)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8"), dict(error.headers)

    def page(self, path: str = "") -> str:
        status, body, _ = self.get(path)
        assert status == 200, (path, status)
        return body

    def page_with_banner(self, path: str) -> str | None:
        body = self.page(path)
        return body if _banner(body) else None

    def page_without_banner(self, path: str) -> str | None:
        body = self.page(path)
        return None if _banner(body) else body

    def edit(self, relative: str, change: Callable[[str], str]) -> None:
        path = self.content / relative
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    def alive(self) -> bool:
        return self.process.poll() is None


def _read_lines(stream, into: list[str], lines: queue.Queue) -> None:
    for line in stream:
        into.append(line)
        lines.put(line)


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    # A copy of the theme too: nobody's edit to the project's templates reaches this server.
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    shutil.copytree(PROJECT / "static", tmp_path / "static")
    out = tmp_path / "site"
    process = subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "serve", "--content", str(content),
         "--out", str(out), "--templates", str(tmp_path / "templates"),
         "--static", str(tmp_path / "static"), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output: list[str] = []
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, output, lines), daemon=True).start()
    try:
        deadline = time.monotonic() + TIMEOUT
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                assert process.poll() is None, "".join(output)
                continue
            found = re.search(r"Serving on (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        assert url, "the server did not start:\n" + "".join(output)
        yield Server(process, url, content, out, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class ReloadListener:
    """A browser's side of livereload: connects, says hello, and collects reload commands."""

    def __init__(self, server: Server):
        self.url = server.url.replace("http://", "ws://") + "livereload"
        self.page = server.url
        self.reloads: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True).start()
        poll(lambda: self.ready.is_set() or self.error, timeout=TIMEOUT)
        assert self.error is None, self.error

    async def _listen(self) -> None:
        from tornado.websocket import websocket_connect

        try:
            connection = await websocket_connect(self.url)
            await connection.write_message(json.dumps({
                "command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            hello = json.loads(await connection.read_message())
            assert hello["command"] == "hello"
            await connection.write_message(json.dumps({"command": "info", "url": self.page}))
            await asyncio.sleep(0.3)  # the server files this browser among its waiters
        except Exception as error:  # noqa: BLE001 - handed to the test's thread, which fails
            self.error = error
            return
        self.ready.set()
        while True:
            message = await connection.read_message()
            if message is None:
                return
            data = json.loads(message)
            if data.get("command") == "reload":
                self.reloads.put(data)

    def wait_for_reload(self, timeout: float = TIMEOUT) -> dict:
        try:
            return self.reloads.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no reload reached the browser within {timeout} s")

    def pending(self) -> int:
        return self.reloads.qsize()

    def drain(self) -> None:
        """Forget the reloads so far (a title edit reloads once for its own page, written
        first, and once more for the lists that show it)."""
        while not self.reloads.empty():
            self.reloads.get_nowait()


def _banner(body: str) -> str | None:
    match = re.search(r'<div class="parallax-preview-errors".*?</div>', body, re.DOTALL)
    return match.group(0) if match else None


def _title(body: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", body, re.DOTALL).group(1)


# --- the tests -----------------------------------------------------------------------------------


def test_serve_listens_on_localhost_by_default():
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_serves_the_built_site_with_livereload(server):
    body = server.page(CRACK_PAGE)
    assert _title(body) == "Engineers find a crack in the bridge"
    assert '<script src="/livereload.js" defer></script>' in body
    assert _banner(body) is None
    # The served page lets livereload's script reach its socket; the built file does not.
    host = server.url.removeprefix("http://").rstrip("/")
    served = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', body).group(1)
    assert f"connect-src 'self' ws://{host}" in served
    assert "script-src 'self';" in served and "unsafe" not in served
    built = (server.out / CRACK_PAGE / "index.html").read_text()
    assert "ws://" not in built and "livereload" not in built

    status, script, headers = server.get("livereload.js")
    assert status == 200 and "LiveReload" in script
    status, _, headers = server.get("_preview/preview.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, data, headers = server.get("data/timeline.json")
    assert status == 200 and json.loads(data)["schema_version"] == 2
    # A folder without its '/' is redirected, so the pages' relative links work.
    assert server.page(CRACK_PAGE.rstrip("/")) == body
    status, missing, _ = server.get("no/such/page/")
    assert status == 404 and "livereload.js" in missing
    assert server.get("../../etc/passwd")[0] == 404


def test_an_edit_is_rebuilt_and_reloaded(server):
    browser = ReloadListener(server)
    server.edit(CRACK, lambda t: t.replace("title: Engineers find a crack in the bridge",
                                           "title: Engineers find a long crack"))
    browser.wait_for_reload()
    assert _title(server.page(CRACK_PAGE)) == "Engineers find a long crack"


def test_a_broken_save_keeps_the_server_and_the_last_good_pages(server):
    browser = ReloadListener(server)
    server.edit(CRACK, lambda t: t.replace("title: Engineers find a crack in the bridge",
                                           "title: Engineers find a long crack"))
    poll(lambda: "Engineers find a long crack" in server.page(CRACK_PAGE))

    server.edit(CRACK, lambda t: t.replace("when: 2021-03-03\n", "when: 2021-02-30\n"))
    browser.wait_for_reload()
    body = poll(lambda: server.page_with_banner(CRACK_PAGE))
    assert server.alive()
    assert _title(body) == "Engineers find a long crack", "the last good page stays"
    banner = _banner(body)
    assert 'role="alert"' in banner and "The last save did not build: 1 problem" in banner
    assert ("<code>content/events/2021-03-03-crack-found.md:3: when: &#x27;2021-02-30&#x27; is "
            "not a real date") in banner
    assert _banner(server.page()) == banner, "every page shows it"
    poll(lambda: any("1 problem; the preview keeps the last good pages" in line
                     for line in server.output))

    server.edit(CRACK, lambda t: t.replace("when: 2021-02-30\n", "when: 2021-03-03\n")
                .replace("title: Engineers find a long crack", "title: Engineers find it"))
    browser.wait_for_reload()
    body = poll(lambda: server.page_without_banner(CRACK_PAGE))
    assert _title(body) == "Engineers find it"
    assert server.alive()


def test_a_bug_in_a_template_is_shown_and_then_cleared(server):
    template = server.content.parent / "templates" / "page.html"
    good = template.read_text()
    template.write_text(good.replace("{% block main %}", "{% block main %}{{ page.nonsense }}"))
    body = poll(lambda: server.page_with_banner("about/"))
    assert "templates/page.html" in _banner(body)
    template.write_text(good)
    poll(lambda: _banner(server.page("about/")) is None)
    assert server.alive()


def test_two_saves_one_second_apart_both_reach_the_browser(server):
    browser = ReloadListener(server)
    first_save = time.monotonic()
    server.edit(CRACK, lambda t: t.replace("title: Engineers find a crack in the bridge",
                                           "title: First save"))
    browser.wait_for_reload(timeout=5)
    assert _title(server.page(CRACK_PAGE)) == "First save"

    time.sleep(max(0.0, 1.0 - (time.monotonic() - first_save)))
    browser.drain()
    server.edit(CRACK, lambda t: t.replace("title: First save", "title: Second save"))
    browser.wait_for_reload(timeout=5)
    assert time.monotonic() - first_save < 3, "within livereload's own 3-second quiet time"
    assert _title(server.page(CRACK_PAGE)) == "Second save"


def test_the_browser_reloads_by_itself_and_shows_the_banner(server):
    """In Chromium: the served page's policy lets livereload connect, and a save reloads it."""
    chromium = Path(os.environ.get("PARALLAX_CHROMIUM") or "/usr/bin/chromium")
    if not chromium.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {chromium} (CI is set, so this test may not be skipped)")
        pytest.skip(f"no Chromium at {chromium}: `sudo apt-get install chromium`")
    # In a thread of its own: the browser tests' Playwright may already run a loop on this one.
    failures: list[BaseException] = []

    def drive() -> None:
        try:
            _drive_chromium(server, chromium)
        except BaseException as error:  # noqa: BLE001 - re-raised on the test's thread
            failures.append(error)

    thread = threading.Thread(target=drive)
    thread.start()
    thread.join(timeout=90)
    assert not thread.is_alive(), "Chromium did not finish within 90 s"
    if failures:
        raise failures[0]


def _drive_chromium(server: Server, chromium: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            refused: list[str] = []
            page.on("console", lambda m: refused.append(m.text)
                    if "Content Security Policy" in m.text else None)
            page.goto(server.url + CRACK_PAGE)
            page.wait_for_function("() => window.LiveReload && window.LiveReload.connector "
                                   "&& window.LiveReload.connector.protocol", timeout=10000)
            assert page.evaluate("() => { window.notReloaded = true; return true; }")

            server.edit(CRACK, lambda t: t.replace("title: Engineers find a crack in the bridge",
                                                   "title: Seen in the browser"))
            page.wait_for_function("() => !window.notReloaded", timeout=15000)
            page.wait_for_selector("h1:has-text('Seen in the browser')", timeout=15000)

            server.edit(CRACK, lambda t: t.replace("when: 2021-03-03\n", "when: 2021-02-30\n"))
            page.wait_for_selector(".parallax-preview-errors[role=alert]", timeout=15000)
            assert page.inner_text("h1") == "Seen in the browser"
            assert refused == []
        finally:
            browser.close()


# --- only this computer's pages may read the preview ---------------------------------------------


def _raw_get(server: Server, path: str, host: str | None) -> tuple[int, str]:
    """A GET with the Host header as given (None: none at all), as a rebinding page sends it."""
    import http.client

    address = server.url.removeprefix("http://").rstrip("/")
    name, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(name, int(port), timeout=5)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_the_preview_answers_only_its_own_host_names(server):
    port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        status, body = _raw_get(server, "/" + CRACK_PAGE, host)
        assert status == 200, host
        # The widened policy names the preview's own spelling of the host it was asked by.
        own = host.replace("LocalHost", "localhost")
        assert f"connect-src 'self' ws://{own};" in body or f"ws://{own}\"" in body, host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}",
                 f"127.0.0.1:{int(port) + 1}", "127.0.0.1", f"localhost:{port}.evil.example",
                 f"127.0.0.1:{port} evil.example", None):
        for path in ("/" + CRACK_PAGE, "/livereload.js", "/_preview/preview.css",
                     "/data/timeline.json", "/no-such-page/"):
            status, body = _raw_get(server, path, host)
            assert status == 400, (host, path, status)
            assert "Engineers find" not in body and "evil.example" not in body


def test_a_socket_from_another_site_is_refused(server):
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    url = server.url.replace("http://", "ws://") + "livereload"

    async def connect(origin: str) -> int:
        try:
            connection = await websocket_connect(HTTPRequest(url, headers={"Origin": origin}))
        except HTTPClientError as error:
            return error.code
        connection.close()
        return 101

    def in_a_thread(origin: str) -> int:
        # A thread of its own, as ReloadListener's: another test may leave a loop running here.
        result: list[int] = []
        worker = threading.Thread(target=lambda: result.append(asyncio.run(connect(origin))))
        worker.start()
        worker.join(TIMEOUT)
        return result[0]

    assert in_a_thread("http://evil.example") == 403
    assert in_a_thread(server.url.rstrip("/")) == 101


@pytest.mark.parametrize("path, statuses", [
    ("/a%00b", (400,)),
    ("/events/%00/", (400,)),
    ("/" + "a" * 300, (404,)),
    ("/" + "a/" * 2000, (404,)),
    ("/" + "%2e%2e/" * 20 + "etc/passwd", (404, 400)),
])
def test_a_nul_or_an_over_long_path_is_never_a_server_error(server, path, statuses):
    port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)[1]
    status, body = _raw_get(server, path, f"127.0.0.1:{port}")
    assert status in statuses, (path, status)
    assert "root:" not in body
    assert server.alive()


def test_the_edited_page_goes_first_and_back_when_the_build_then_fails(tmp_path):
    """In the preview's own process: a save's event pages are written before the rest (the
    browsers told at once); when the rest then fails, they are put back as they were."""
    from conftest import snapshot_tree

    from parallax.paths import Paths
    from parallax.serve import Preview

    shutil.copytree(BASIC, tmp_path / "content")
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    paths = Paths(tmp_path / "content", tmp_path / "site", tmp_path / "templates",
                  PROJECT / "static")
    preview = Preview(paths)
    told: list[float] = []
    preview.on_early = lambda: told.append(time.monotonic())
    preview.rebuild()
    good = snapshot_tree(paths.out)
    event = tmp_path / "content" / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    preview.rebuild({str(event.resolve())})
    page = "events/2021-03-03-crack-found/index.html"
    assert told and b"One more line." in (paths.out / page).read_bytes()
    edited = snapshot_tree(paths.out)

    # A template that only the About page uses breaks: the event pages, made first with the
    # new site title, are put back when the About page fails.
    template = tmp_path / "templates" / "page.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}{{ nonsense }}", 1), encoding="utf-8")
    settings = tmp_path / "content" / "site.yaml"
    settings.write_text(re.sub(r"^title: .*$", "title: Another title",
                               settings.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE),
                        encoding="utf-8")
    told.clear()
    assert preview.rebuild({str(template.resolve()), str(settings.resolve())})
    assert told, "the event pages went first"
    assert preview.current().broken
    assert snapshot_tree(paths.out) == edited != good
    preview.close()


def test_idle_connections_past_the_cap_are_closed_and_said_once(server):
    from parallax.serve import MAX_CONNECTIONS

    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    held = []
    try:
        for _ in range(MAX_CONNECTIONS + 100):  # as many idle connections as an attacker likes
            held.append(socket.create_connection((host, int(port)), timeout=5))
        full = ("The preview has 256 connections open, the most it keeps: new ones are closed "
                "until some end (is something opening connections and leaving them idle?)\n")
        poll(lambda: full in server.output)
        # The ones past the cap were closed by the server: reading gives the end at once.
        closed = 0
        for connection in held[MAX_CONNECTIONS:]:
            connection.settimeout(5)
            try:
                closed += connection.recv(1) == b""
            except OSError:
                closed += 1
        assert closed == 100
    finally:
        for connection in held:
            connection.close()
    # Room again: the preview serves, and said it was full once.
    poll(lambda: server.get()[0] == 200)
    assert server.output.count(full) == 1
    assert server.alive()
