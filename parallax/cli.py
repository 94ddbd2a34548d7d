"""Command line: `build`, `check`, `serve`, `new` and `init`, all through `python build.py`
(installed as the `parallax` command)."""

from __future__ import annotations

import _thread
import argparse
import errno
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ContentError, Problem
from .paths import Paths


def _theme_folder(option: str | None, content: Path, name: str) -> Path:
    """The site's own templates or static files: `--templates`/`--static` if given, else the
    folder beside the content (there or not). Parallax's own fill in whatever the site's
    folder does not hold (Paths.template_folders, Paths.static_folders)."""
    return Path(option) if option else content.parent / name


def paths_from(args: argparse.Namespace, base_url: str | None = None) -> Paths:
    content = Path(args.content)
    return Paths(
        content=content,
        out=Path(getattr(args, "out", "site")),
        templates=_theme_folder(getattr(args, "templates", None), content, "templates"),
        static=_theme_folder(getattr(args, "static", None), content, "static"),
        base_url=base_url,
    )


def base_url_from(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str | None:
    """The site's address given to this command: `--base-url`, else PARALLAX_BASE_URL (when
    set and not empty), else None (site.yaml's, if any, counts). A bad one is a usage error."""
    given, where = getattr(args, "base_url", None), "--base-url"
    if given is None and "base_url" in args:
        given, where = os.environ.get("PARALLAX_BASE_URL") or None, "PARALLAX_BASE_URL"
    if given is not None:
        from .validate import base_url_problem

        if problem := base_url_problem(given):
            parser.error(f"{where}: {problem}")
    return given


def print_problems(problems: list[Problem] | tuple[Problem, ...], prefix: str = "") -> None:
    for problem in problems:
        print(f"{prefix}{problem}", file=sys.stderr)


def _content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", metavar="DIR",
                        help="the site's content folder (default: content)")


def _site_options(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    """The options of the commands that render the site (`writes`: and write it)."""
    _content_option(parser)
    if not writes:
        parser.add_argument("--out", default="site", metavar="DIR",
                            help="the folder builds write to (default: site): nothing is written "
                                 "there, but a check of what was last built there is answered "
                                 "from that build's record")
    else:
        parser.add_argument("--out", default="site", metavar="DIR",
                            help="where the built site goes (default: site)")
        parser.add_argument("--base-url", metavar="URL",
                            help="the site's published address, ending in '/' (default: the "
                                 "PARALLAX_BASE_URL environment variable, else base_url in "
                                 "site.yaml, else none: no canonical links or sitemap)")
    parser.add_argument("--templates", metavar="DIR",
                        help="the site's own Jinja templates, each used in place of Parallax's of "
                             "the same name (default: templates/ beside the content, if any)")
    parser.add_argument("--static", metavar="DIR",
                        help="the site's own files for site/static, laid over Parallax's one by one "
                             "(default: static/ beside the content, if any)")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings (an uncited source or party, an event with one account) as errors")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parallax",
        description="Parallax: build a static site that shows how several outlets told the same events.",
    )
    parser.add_argument("--version", action="version", version=f"Parallax {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_build = commands.add_parser(
        "build", help="build the site into site/ (the default)",
        description="Load, validate, resolve and render every record, then write site/. "
                    "A build that fails writes nothing: the last good site/ stays as it was.")
    _site_options(p_build)

    p_check = commands.add_parser(
        "check", help="check the content without writing anything",
        description="Everything a build does except writing. Exit 0 when the content is sound, "
                    "1 with every problem listed when it is not.")
    _site_options(p_check, writes=False)
    p_check.add_argument("--snapshots", metavar="DIR",
                         help="also check every quote against the plain-text snapshots in DIR "
                              "(each source names its file with 'snapshot:')")
    p_check.add_argument("--coverage", action="store_true",
                         help="with --snapshots: list every sentence of each article that is "
                              "less than half quoted and not left out on purpose, and end with "
                              "the share of sentences accounted for, per article and in all")

    p_serve = commands.add_parser(
        "serve", help="build, serve on http://127.0.0.1:8000 and rebuild on every change",
        description="Build the site, serve it with live reload, and rebuild and reload the browser "
                    "whenever anything in the content, templates or static folders changes.")
    _site_options(p_serve)
    p_serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p_serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")

    from .new import add_parser as add_new_parser

    add_new_parser(commands, _content_option)
    from .init import add_parser as add_init_parser

    add_init_parser(commands)
    return parser


def _interrupted(error: BaseException) -> bool:
    """Whether `error` only carries a Ctrl-C: one that reached Python while pydantic's compiled
    core built a model's schema comes out wrapped in its SchemaError, or chained."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        if type(seen).__name__ == "SchemaError" and str(seen).rstrip().endswith("KeyboardInterrupt:"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def run() -> None:
    """The command line's entry point (`parallax`, `python build.py`): `main`, then the
    process ends at once. A build's objects are many and all still in use at the end; freeing
    them one by one would add a fraction of a second to every build after an edit. Every file
    is written and closed by then (serve has stopped its threads and saved its memos); only
    the output streams are flushed here."""
    try:
        code = main()
    except KeyboardInterrupt:  # before a command began (while Python read Parallax's modules)
        print("\nInterrupted.", file=sys.stderr, flush=True)
        code = 130
    except Exception as error:
        if not _interrupted(error):
            raise
        print("\nInterrupted.", file=sys.stderr, flush=True)
        code = 130
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


# What to do about each failure of the operating system, by errno.
_WHAT_TO_DO = {
    errno.ENOSPC: ("no space left on its device",
                   "free some space, or build into a folder on another device with --out"),
    errno.EDQUOT: ("the disk quota is used up",
                   "free some space, or build into a folder on another device with --out"),
    errno.EROFS: ("its file system is read-only", "build into a writable folder with --out"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder",
                    "move that file away, or choose another folder with --out"),
    errno.EACCES: ("permission denied", ("make it (and the folder holding it) writable by "
                                         "you, or choose another folder with --out")),
    errno.EPERM: ("the operation is not permitted", ("make it (and the folder holding it) "
                                                     "writable by you, or choose another "
                                                     "folder with --out")),
    errno.EISDIR: ("a folder is where a file must go",
                   "move that folder away, or choose another folder with --out"),
    errno.EEXIST: ("something is already there",
                   "move it away, or choose another folder with --out"),
    errno.EMFILE: ("too many files open", "raise the limit (ulimit -n) and try again"),
}


def os_failure(error: OSError, out: Path, command: str = "build") -> str:
    """One line for a failure of the operating system: the path, what went wrong, what to do.
    A path inside a build's new tree (`.site.new-123/...`) is shown as the file in site/.
    `new` writes into the content folder, so its way out is another --content."""
    path = error.filename if error.filename is not None else out
    shown = re.sub(r"(^|/)\.([^/]+)\.new-\d+(?=/|$)", r"\1\2", os.fsdecode(path))
    shown = re.sub(r"/\.parallax-new-\d+(?=/|$)", "", shown)
    what, todo = _WHAT_TO_DO.get(error.errno or 0, (
        error.strerror or str(error), "fix that, or choose another folder with --out"))
    if command == "new":
        todo = todo.replace("build into", "write into").replace("--out", "--content")
    return f"{shown}:1: {what}; {todo}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


AGAIN = 0.01
"""Seconds after a Ctrl-C lost in a callback that it is asked for again."""


def _unraisable(shown: Callable[[Any], None]) -> Callable[[Any], None]:
    """A hook for what Python cannot raise (an exception in a weak reference's callback or a
    finalizer). A Ctrl-C that lands there would be printed with a traceback and lost, the build
    going on: it is asked for again by a timer a few milliseconds later (asked for at once,
    it would land in this hook, which cannot raise either), and lands in the main thread,
    where it ends the build as any Ctrl-C does. Anything else is shown as `shown` shows it."""
    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            again = threading.Timer(AGAIN, _thread.interrupt_main)
            again.daemon = True
            again.start()
            return
        shown(unraisable)
    return hook


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command == "init":
        return _init(args)
    paths = paths_from(args, base_url_from(args, parser))
    # A polite kill (SIGTERM) ends a build as Ctrl-C does: everything it made is removed.
    terminate = None
    unraisable = sys.unraisablehook
    if threading.current_thread() is threading.main_thread():
        terminate = signal.signal(signal.SIGTERM, _interrupt)
        sys.unraisablehook = _unraisable(unraisable)
    try:
        return _main(args, paths)
    except KeyboardInterrupt:
        kept = f"; {args.out}/ is whole (as it was, or as this build finished it)" if (
            args.command in ("build", "serve")) else ""
        print(f"\nInterrupted{kept}.", file=sys.stderr, flush=True)
        return 130
    finally:
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)
            sys.unraisablehook = unraisable


def _main(args: argparse.Namespace, paths: Paths) -> int:
    from .cache import Busy
    from .engine import cached_build, progress_line

    try:
        if args.command == "build":
            progress = progress_line()
            try:
                result = cached_build(paths, strict=args.strict, progress=progress)
            finally:
                if progress:
                    print("\r\x1b[K", end="", file=sys.stderr, flush=True)
            print_problems(result.warnings, "warning: ")
            for notice in result.notices:
                print(f"note: {notice}", file=sys.stderr)
            print(f"Built {args.out}/: {result.summary()}")
        elif args.command == "check":
            return _check(paths, args)
        elif args.command == "serve":
            from .serve import serve
            return serve(paths, host=args.host, port=args.port, strict=args.strict)
        elif args.command == "new":
            return args.run(args, paths)
    except Busy as error:
        print(f"{error}.", file=sys.stderr)
        return 1
    except ContentError as error:
        print_problems(error.problems)
        count = len(error.problems)
        # Only a build writes site/; check and new never touch it.
        kept = ""
        if args.command == "build":
            kept = f"; {args.out}/ was left as it was"
        elif args.command == "new":
            kept = "; nothing was written"
        print(f"{count} problem{'s' if count != 1 else ''}{kept}.", file=sys.stderr)
        return 1
    except OSError as error:
        kept = f"; {args.out}/ was left as it was" if args.command in ("build", "serve") else ""
        print(f"{os_failure(error, paths.out, args.command)}{kept}.", file=sys.stderr)
        return 1
    return 0


def _init(args: argparse.Namespace) -> int:
    """`parallax init DIR`: a new publication (init.py); it reads no content folder."""
    try:
        return args.run(args)
    except ContentError as error:
        print_problems(error.problems)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{os_failure(error, Path(args.folder), 'new')}.", file=sys.stderr)
        return 1


def _check(paths: Paths, args: argparse.Namespace) -> int:
    from .engine import cached_build

    # A check reports from the content itself (its quotes, credits and checked marks), which a
    # build the cache answers whole never loads: it runs the engine, warm from the last run.
    result = cached_build(paths, write=False, strict=args.strict, reuse=False)
    problems: list[Problem] = []
    if args.snapshots:
        snapshots = Path(args.snapshots)
        if not snapshots.is_dir():
            raise ContentError([Problem(str(snapshots), 1, "", "the snapshots folder does not exist")])
        from .credits import check_attribution
        from .quotes import check_quotes

        problems = check_quotes(result.content, snapshots)
        if not problems:  # whose words a quote is is read where the quote stands
            problems = check_attribution(result.content, snapshots)
    elif args.coverage:
        print("check: --coverage needs --snapshots DIR, the folder of the articles' plain-text "
              "copies", file=sys.stderr)
        return 2
    lines: list[str] = []
    gaps: list[Problem] = []
    if args.coverage:
        from .coverage import check_coverage

        gaps, report = check_coverage(result.content, snapshots)
        total = sum(r.sentences for r in report)
        done = sum(r.covered + r.left_out for r in report)
        lines = [f"  {r.source_id}: {r.percent:.1f}% of {r.sentences} sentences "
                 f"({r.covered} quoted, {r.left_out} left out)" for r in report]
        lines.append(f"  in all: {100.0 * done / total if total else 100.0:.1f}% of {total} "
                     "sentences")
    if problems or gaps:
        print_problems(sorted(problems) + gaps)
        if lines:
            print("Coverage:\n" + "\n".join(lines), file=sys.stderr)
        count = len(problems) + len(gaps)
        print(f"{count} problem{'s' if count != 1 else ''}.", file=sys.stderr)
        return 1
    print_problems(result.warnings, "warning: ")
    checked = ""
    if args.snapshots:
        quotes = sum(len(a.account.quotes) for e in result.timeline.events for a in e.accounts)
        checked = f"; {quotes} quotes and their credits found in their snapshots"
    print(f"Content is sound: {result.summary()}{checked}")
    from .credits import checked_marks

    marks = checked_marks(result.content)
    if marks:
        total = sum(marks.values())
        print(f"{total} finding{'s' if total != 1 else ''} marked as checked, each with its "
              "reason: " + ", ".join(f"{n} {kind}" for kind, n in marks.items()))
    if lines:
        print("Coverage:\n" + "\n".join(lines))
    return 0
