"""Live preview: build, serve the site on 127.0.0.1, rebuild on every save, reload the browser.

The only module that knows livereload (and the Tornado server it runs on), and watchfiles. The
built files are never changed for the preview: what is served is decorated on the way out, with
livereload's script, a Content-Security-Policy that lets that script reach its socket, and
while the last save does not build, a banner listing the problems above the last good pages.

livereload's own watcher ignores a change that comes within about three seconds of the last
reload (`LiveReloadHandler.poll_tasks`), so two saves a second apart would show only the
first. Parallax therefore watches the folders itself, with watchfiles (the operating system's
change notices), in a thread: after each change it rebuilds with the engine it keeps warm, which
writes the edited event's page first, then tells every connected browser to reload through
livereload's `LiveReloadHandler.reload_waiters`, which has no such delay.
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import os
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.watcher import Watcher as LivereloadWatcher
from tornado import httpserver, ioloop, netutil, web

from . import cache, parallel, search
from .engine import Engine
from .errors import ContentError, Problem
from .paths import Paths
from .write import clear_leftovers, write_now

STEP_MS = 5
"""How long the folders must rest after a change before the rebuild starts (watchfiles waits
50 ms by default; a save is one write or a few in a row)."""
DEBOUNCE_MS = 100
"""The longest a rebuild waits for changes to stop (watchfiles' default is 1,600 ms)."""
PREVIEW_PREFIX = "/_preview/"
"""Where the preview's own files are served; no site file lives under it."""

BANNER_CSS = """\
.parallax-preview-errors { position: sticky; top: 0; z-index: 1000; margin: 0 0 1rem;
  padding: 0.75rem 1rem; border: 3px solid #b00020; background: #fff4f4; color: #1a1a1a;
  font: 1rem/1.4 system-ui, sans-serif; max-height: 50vh; overflow: auto; }
.parallax-preview-errors h2 { font-size: 1.1rem; margin: 0 0 0.5rem; color: #8a0018; }
.parallax-preview-errors p { margin: 0 0 0.5rem; }
.parallax-preview-errors ul { margin: 0; padding-left: 1.25rem; }
.parallax-preview-errors code { font: 0.9rem/1.4 ui-monospace, monospace; white-space: pre-wrap;
  overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) {
  .parallax-preview-errors { background: #2b0a0f; color: #f5f5f5; border-color: #ff6b81; }
  .parallax-preview-errors h2 { color: #ff9aa9; }
}
"""


@dataclass(frozen=True)
class State:
    """What the last build said: nothing (it built), an editor's problems, or a bug's text."""

    problems: tuple[Problem, ...] = ()
    bug: str = ""

    @property
    def broken(self) -> bool:
        return bool(self.problems or self.bug)


class Preview:
    """The preview's state, shared by the watcher thread and the web server."""

    def __init__(self, paths: Paths, strict: bool = False):
        self.paths = paths
        self.strict = strict
        self.state = State()
        self._lock = threading.Lock()
        # The first build starts from the cache folder's last build, on every core (before
        # the watcher thread starts); later ones redo only what a save changed, in this process.
        store = cache.BuildCache.beside(paths.out)
        # The output folder is this session's while it runs: a build into it is refused.
        self.lock = store.lock(paths.out, "serve").__enter__()
        try:
            clear_leftovers(paths.out)
            search.forget_leftovers(store.folder / "search")
            self.engine = Engine(paths, folder=store.folder, jobs=parallel.default_jobs())
            last = store.last(paths.out)
            if last is not None and last.keys and last.outputs is not None:
                try:
                    self.engine.adopt(store, last)
                except (OSError, ValueError):
                    pass
        except BaseException:
            self.lock.close()  # whatever stopped the preview, the folder is free again
            raise
        self.on_early = None
        """Called (on the watcher's thread) once the edited pages are in place."""

    def rebuild(self, changed: set[str] | None = None) -> bool:
        """Build once; print what happened; keep the outcome for the banner. The edited
        events' pages are put in place first (and browsers told to reload); if the build then
        fails they are put back. True when browsers should reload (again) now. `changed`: the
        files the watcher saw change (None: look at every file)."""
        started = time.strftime("%H:%M:%S")
        early: dict[str, bytes | None] = {}
        before = self.current()

        told: set[str] = set()

        def write_early(pages: dict[str, bytes]) -> None:
            for path, data in pages.items():
                if path not in early:
                    before = self.engine.built.files.get(path)
                    early[path] = before[1]() if before else None
                write_now(self.paths.out, path, data)
            # Browsers are told once, for the first pages (the edited event's); a browser
            # told again while it reloads would miss the later word, so the pages handed over
            # after them wait for the reload at the end of the build.
            if not told:
                told.update(pages)
                if self.on_early is not None:
                    self.on_early()

        try:
            try:
                result = self.engine.run(strict=self.strict, early=write_early, changed=changed)
            except BaseException:
                self._put_back(early)
                raise
            finally:
                self.engine.forget_unused()
        except ContentError as error:
            state = State(problems=tuple(error.problems))
            for problem in error.problems:
                print(problem, file=sys.stderr)
            count = len(error.problems)
            print(f"[{started}] {count} problem{'s' if count != 1 else ''}; the preview keeps "
                  "the last good pages and shows the problems above them.", file=sys.stderr,
                  flush=True)
        except Exception:  # noqa: BLE001 - a bug must not stop the preview; its traceback is printed
            text = traceback.format_exc()
            print(text, file=sys.stderr, end="", flush=True)
            last = text.strip().splitlines()[-1]
            state = State(bug=f"Parallax itself failed ({last}); the full traceback is in the "
                              "terminal.")
        else:
            state = State()
            for warning in result.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(f"[{started}] Built {self.paths.out}/: {result.summary()}", flush=True)
        with self._lock:
            self.state = state
        if state.broken or before.broken or not told:
            return True
        return any(path.endswith(".html") and path not in told for path in result.made)

    def current(self) -> State:
        with self._lock:
            return self.state

    def _put_back(self, early: dict[str, bytes | None]) -> None:
        for path, data in early.items():
            target = self.paths.out / path
            if data is None:
                target.unlink(missing_ok=True)
            else:
                write_now(self.paths.out, path, data)

    def close(self) -> None:
        """Keep what this session worked out for the next build (the cache folder), and let
        the output folder go."""
        try:
            self.engine.save()
        except OSError as error:
            cache.notice(f"{error.filename or self.paths.out}:1: cache: not saved "
                         f"({error.strerror or error})")
        finally:
            self.lock.close()

    # --- what the browser gets --------------------------------------------------------------

    def decorate(self, page: str, host: str) -> str:
        """A built page as the preview serves it; `host` is one of `allowed_hosts`' own
        spellings, never text taken from the request."""
        page = _relax_policy(page, host)
        head = (f'<link rel="stylesheet" href="{PREVIEW_PREFIX}preview.css">\n'
                '<script src="/livereload.js" defer></script>\n')
        page = page.replace("</head>", head + "</head>", 1) if "</head>" in page else head + page
        banner = self.banner()
        if banner:
            match = re.search(r"<body[^>]*>", page)
            at = match.end() if match else 0
            page = page[:at] + "\n" + banner + page[at:]
        return page

    def banner(self) -> str:
        state = self.current()
        if not state.broken:
            return ""
        if state.bug:
            items = f"<li><code>{html.escape(state.bug)}</code></li>"
        else:
            items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>"
                              for p in state.problems)
        count = len(state.problems) or 1
        return (
            '<div class="parallax-preview-errors" role="alert" aria-labelledby="parallax-preview-title">\n'
            f'<h2 id="parallax-preview-title">The last save did not build: {count} '
            f"problem{'s' if count != 1 else ''}</h2>\n"
            "<p>This is the last good version of the page. Fix these, save, and the page "
            "reloads by itself.</p>\n"
            f"<ul>\n{items}\n</ul>\n</div>\n"
        )

    def placeholder(self) -> str:
        """The page served before any build has succeeded."""
        return (
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; "
            "script-src 'self'; style-src 'self'; connect-src 'self'\">\n"
            "<title>Parallax preview</title>\n</head>\n<body>\n<main>\n"
            "<h1>Nothing built yet</h1>\n<p>The site has not been built yet. Fix the problems "
            "above and save: this page reloads by itself.</p>\n</main>\n</body>\n</html>\n"
        )


def _relax_policy(page: str, host: str) -> str:
    """Let livereload's script open its socket: the served page's policy also allows
    ws://<this server>, for the preview only; the built file keeps the strict policy."""
    socket_source = f"ws://{host}"

    def relax(match: re.Match) -> str:
        content = html.unescape(match.group("content"))
        directives = [d.strip() for d in content.split(";") if d.strip()]
        for index, directive in enumerate(directives):
            if directive.split()[0] == "connect-src":
                if "'none'" in directive.split():
                    directive = "connect-src 'self'"
                directives[index] = f"{directive} {socket_source}"
                break
        else:
            directives.append(f"connect-src 'self' {socket_source}")
        value = html.escape("; ".join(directives), quote=False).replace('"', "&quot;")
        return match.group("before") + value + match.group("after")

    return _POLICY.sub(relax, page, count=1)


_POLICY = re.compile(
    r"(?P<before><meta\s+http-equiv=[\"']Content-Security-Policy[\"']\s+content=\")"
    r"(?P<content>[^\"]*)(?P<after>\")", re.IGNORECASE)


# --- watching ------------------------------------------------------------------------------------


def snapshot(folders: list[Path], skip: Path) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every file under `folders`, except hidden files, editors'
    backups and anything under `skip` (the output)."""
    found: dict[str, tuple[int, int]] = {}
    skip = skip.resolve()
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            here = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and (here / d).resolve() != skip)
            for name in files:
                if name.startswith(".") or name.endswith("~"):
                    continue
                path = here / name
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # removed while we looked: the next look sees it gone
                found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


RETELL_SECONDS = 1.0
"""How long after a save that does not build browsers are told to reload once more."""


class Watcher(threading.Thread):
    """Rebuilds after every change to the content, templates or static files, then reloads
    every browser showing the preview."""

    def __init__(self, preview: Preview, reload, folders: list[Path],
                 seen: dict[str, tuple[int, int]]):
        super().__init__(name="parallax-watcher", daemon=True)
        self.preview = preview
        self.reload = reload
        self.folders = [Path(os.path.abspath(f)) for f in folders if f.is_dir()]
        # What the first build read, taken before it started, so no save is missed.
        self.seen = seen
        self.stopped = threading.Event()
        self.ready = threading.Event()
        """Set once the operating system's change notices are on."""
        out = Path(os.path.abspath(preview.paths.out))
        self.skip = (str(out) + os.sep, str(out.parent / ".cache") + os.sep)
        self.roots = [str(f) + os.sep for f in self.folders]

    def wanted(self, change: watchfiles.Change, path: str) -> bool:
        """Not hidden files, editors' backups, or anything under the output or the cache."""
        name = os.path.basename(path)
        if name.startswith(".") or name.endswith("~") or path.startswith(self.skip):
            return False
        for folder in self.roots:
            if path.startswith(folder):
                return not any(p.startswith(".") for p in path[len(folder):].split(os.sep))
        return True

    def run(self) -> None:
        changes = watchfiles.watch(*self.folders, watch_filter=self.wanted, debounce=DEBOUNCE_MS,
                                   step=STEP_MS, stop_event=self.stopped, rust_timeout=500,
                                   yield_on_timeout=True, raise_interrupt=False)
        first = True
        for changed in changes:
            if self.stopped.is_set():
                break
            paths: set[str] | None = {path for _change, path in changed}
            if first:  # the notices are on now: was anything saved while the first build ran?
                first = False
                self.ready.set()
                if snapshot(self.folders, self.preview.paths.out) != self.seen:
                    paths = None  # look at every file
            if paths is not None and not paths:
                continue
            print(f"Change seen; rebuilding {self.preview.paths.out}/ …", flush=True)
            if self.preview.rebuild(paths):
                self.reload()
                if self.preview.current().broken:
                    # A browser still reloading from the last build (its socket closed) misses
                    # this word and would keep a page without the banner: told again shortly.
                    again = threading.Timer(RETELL_SECONDS, self.reload)
                    again.daemon = True
                    again.start()

    def stop(self) -> None:
        self.stopped.set()


# --- serving -------------------------------------------------------------------------------------

MAX_CONNECTIONS = 256
"""Connections the preview keeps open at once (a browser opens a few, and one socket per tab for
livereload). One more is closed as it comes, so that no number of idle connections can use up
the process's open files (1,024 on most systems) and stop the preview."""
IDLE_SECONDS = 60
"""A connection that sends nothing for this long is closed (tornado's default is an hour)."""
MAX_PATH = 1024
"""The longest request path served; longer ones are 404 (no file under site/ is that long)."""


def allowed_hosts(host: str, port: int) -> dict[str, str]:
    """The `Host:` values the preview answers, each mapped to the preview's own spelling of it:
    this computer's names with the port, and the address given with --host. Any other name
    (a DNS-rebinding page's own domain that now points at 127.0.0.1) gets 400, so a page from
    elsewhere cannot read the preview."""
    names = ["127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host]
    allowed: dict[str, str] = {}
    for name in names:
        allowed[f"{name}:{port}".lower()] = f"{name}:{port}"
        if port == 80:  # a browser leaves out the default port
            allowed[name.lower()] = name
    return allowed


class _LocalOnly:
    """Refuses a request whose Host is not one of the preview's own (see `allowed_hosts`)."""

    allowed: ClassVar[dict[str, str]] = {}

    def prepare(self) -> None:
        if self.request.host.lower() not in self.allowed:  # type: ignore[attr-defined]
            raise web.HTTPError(400, reason="Unknown Host")

    def own_host(self) -> str:
        return self.allowed[self.request.host.lower()]  # type: ignore[attr-defined]


class SocketHandler(_LocalOnly, LiveReloadHandler):
    def check_origin(self, origin: str) -> bool:
        # A page from another site may not open the socket either.
        return origin.lower().removeprefix("http://") in self.allowed


class ScriptHandler(_LocalOnly, LiveReloadJSHandler):
    pass


class SiteHandler(_LocalOnly, web.RequestHandler):
    """The built site, decorated for the preview; `/x` redirects to `/x/` when it is a folder,
    so the pages' relative links work as they will when published."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def head(self, path: str) -> None:
        self.get(path, include_body=False)

    def get(self, path: str, include_body: bool = True) -> None:
        out = self.preview.paths.out.resolve()
        if "\x00" in path:
            raise web.HTTPError(400, reason="NUL in path")
        try:
            if len(path) > MAX_PATH:
                raise OSError("path too long")
            target = (out / path).resolve()
            if not target.is_relative_to(out):
                raise web.HTTPError(404)
            if target.is_dir():
                if path and not path.endswith("/"):
                    self.redirect("/" + path + "/", permanent=False)
                    return
                target = target / "index.html"
            found = target.is_file()
        except (OSError, ValueError):  # a name too long for the file system, and the like
            found = False
            target = out
        if found:
            self._send(target, 200, include_body)
        elif (out / "404.html").is_file():
            self._send(out / "404.html", 404, include_body)
        elif not (out / "index.html").is_file():
            self._send_page(self.preview.placeholder(), 200, include_body)
        else:
            raise web.HTTPError(404)

    def _send(self, target: Path, status: int, include_body: bool) -> None:
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            self._send_page(data.decode("utf-8", "replace"), status, include_body)
            return
        if kind.startswith("text/") or kind in ("application/json", "application/javascript"):
            kind += "; charset=utf-8"
        self.set_status(status)
        self.set_header("Content-Type", kind)
        if include_body:
            self.write(data)

    def _send_page(self, page: str, status: int, include_body: bool) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if include_body:
            self.write(self.preview.decorate(page, self.own_host()).encode("utf-8"))


class PreviewFileHandler(_LocalOnly, web.RequestHandler):
    def get(self, name: str) -> None:
        if name != "preview.css":
            raise web.HTTPError(404)
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(BANNER_CSS)


def application(preview: Preview, hosts: dict[str, str]) -> web.Application:
    LiveReloadHandler.live_css = False  # always reload the whole page: the banner may change
    # reload_waiters logs its watcher's last path; this one is never started (see above).
    LiveReloadHandler.watcher = LivereloadWatcher()
    _LocalOnly.allowed = hosts
    return web.Application([
        (r"/livereload", SocketHandler),
        (r"/livereload\.js", ScriptHandler),
        (re.escape(PREVIEW_PREFIX) + r"(.*)", PreviewFileHandler),
        (r"/(.*)", SiteHandler, {"preview": preview}),
    ])


class CappedServer(httpserver.HTTPServer):
    """The preview's HTTP server: at most MAX_CONNECTIONS open at once; past that each new one
    is closed at once, and the terminal is told once (again only after it has had room)."""

    def handle_stream(self, stream, address) -> None:
        kept = getattr(self, "_streams", set())
        self._streams = {s for s in kept if not s.closed()}
        if len(self._streams) >= MAX_CONNECTIONS:
            if not getattr(self, "_said_full", False):
                self._said_full = True
                print(f"The preview has {MAX_CONNECTIONS} connections open, the most it keeps: "
                      "new ones are closed until some end (is something opening connections "
                      "and leaving them idle?)", file=sys.stderr, flush=True)
            stream.close()
            return
        if len(self._streams) < MAX_CONNECTIONS // 2:
            self._said_full = False
        self._streams.add(stream)
        super().handle_stream(stream, address)


def _more_open_files() -> None:
    """The soft limit on open files raised to the hard one (at most 4,096), so that the
    connections the preview keeps, the watcher and the files a rebuild writes all fit."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ImportError, ValueError, OSError):
        pass  # not on this system, or not allowed: the cap alone still holds


def reload_browsers() -> None:
    """Tell every connected browser to reload (on the server's thread)."""
    LiveReloadHandler.reload_waiters("*")


def serve(paths: Paths, host: str = "127.0.0.1", port: int = 8000, strict: bool = False) -> int:
    """Build, serve and rebuild until Ctrl+C. Port 0 picks a free port."""
    preview = Preview(paths, strict)
    try:
        return _serve(preview, host, port)
    finally:
        preview.close()


def _serve(preview: Preview, host: str, port: int) -> int:
    paths = preview.paths
    _more_open_files()
    folders = [paths.content, *paths.template_folders, *paths.static_folders]
    before_first_build = snapshot(folders, paths.out)
    preview.rebuild()
    try:
        sockets = netutil.bind_sockets(port, host, family=socket.AF_INET if ":" not in host
                                       else socket.AF_UNSPEC)
    except OSError as error:
        print(f"cannot listen on {host}:{port} ({error.strerror}); choose another port with "
              "--port", file=sys.stderr)
        return 1
    bound = sockets[0].getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host

    async def run() -> None:
        server = CappedServer(application(preview, allowed_hosts(host, bound)),
                              idle_connection_timeout=IDLE_SECONDS)
        server.add_sockets(sockets)
        loop = ioloop.IOLoop.current()
        def reload() -> None:
            loop.add_callback(reload_browsers)

        preview.on_early = reload
        watcher = Watcher(preview, reload, folders, before_first_build)
        watcher.start()
        watched = [f"{folder}/" for folder in (paths.content, paths.templates, paths.static)
                   if folder == paths.content or folder.is_dir()]
        shown = " and ".join([", ".join(watched[:-1]), watched[-1]] if len(watched) > 1
                             else watched)
        if len(folders) > 3:  # Parallax's own lie under the site's
            shown += " (and Parallax's own templates and static files)"
        print(f"Serving on http://{shown_host}:{bound}/ — rebuilding on every change to "
              f"{shown}; Ctrl+C to stop.", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            watcher.stop()
            server.stop()
            watcher.join()  # a rebuild under way ends before the session's memos are saved

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    return 0
