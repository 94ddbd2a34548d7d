"""The engine's cache, parallel and incremental builds: always the bytes a cold sequential build writes."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax import cache, parallel
from parallax.build import Paths, build
from parallax.cache import BuildCache
from parallax.engine import PARTS, STATE, Engine, ReusedBuild, cached_build
from parallax.errors import ContentError, Problem
from parallax.when import parse_when

BASIC = FIXTURES / "basic" / "content"


def _generate(folder: Path, events: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, events, 5, seed=7)


def _paths(content: Path, out: Path) -> Paths:
    return Paths(content=content, out=out, templates=PROJECT / "templates", static=PROJECT / "static")


def _reference(content: Path, out: Path, templates: Path = PROJECT / "templates") -> dict[str, bytes]:
    """What a cold, sequential build without any cache writes."""
    build(Paths(content=content, out=out, templates=templates, static=PROJECT / "static"), jobs=1)
    return snapshot_tree(out)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated site of 200 events: every kind of time words, figures and Markdown."""
    return _generate(tmp_path_factory.mktemp("generated"), 200)


# The generated site's runs are the slow part of this file (about two minutes): the quick
# loop keeps the fixture site's.
@pytest.fixture(params=["basic", pytest.param("generated", marks=pytest.mark.slow)])
def site(request, tmp_path, generated) -> Path:
    """A copy of the content, so edits stay in this test."""
    source = BASIC if request.param == "basic" else generated
    shutil.copytree(source, tmp_path / "content")
    return tmp_path / "content"


def test_cached_builds_write_what_a_cold_build_writes(site, tmp_path):
    expected = _reference(site, tmp_path / "reference")
    paths = _paths(site, tmp_path / "site")

    first = cached_build(paths, jobs=1)
    assert not isinstance(first, ReusedBuild)
    assert snapshot_tree(paths.out) == expected
    assert len(list((tmp_path / ".cache" / "parallax").glob("build-*.pickle"))) == 1

    unchanged = cached_build(paths, jobs=1)
    assert isinstance(unchanged, ReusedBuild)
    assert unchanged.report.written == 0 and unchanged.report.unchanged == len(expected)
    assert unchanged.summary().startswith(first.totals())
    assert snapshot_tree(paths.out) == expected

    shutil.rmtree(paths.out)  # a warm build: the cache is there, site/ is not
    restored = cached_build(paths, jobs=1)
    assert isinstance(restored, ReusedBuild) and restored.report.written == len(expected)
    assert snapshot_tree(paths.out) == expected

    warm = Engine(paths, folder=tmp_path / ".cache" / "parallax")  # a new process
    assert warm.snapshot.taken and warm.memory.parsed, "the engine's snapshot is kept in the cache folder"
    again = cached_build(paths, jobs=1, reuse=False)  # every record from the snapshot
    assert not isinstance(again, ReusedBuild)
    assert again.rendered == 0, "every page was taken from the last build"
    assert snapshot_tree(paths.out) == expected

    (tmp_path / ".cache" / "parallax" / STATE).unlink()  # no snapshot: the memos answer
    cold = Engine(paths, folder=tmp_path / ".cache" / "parallax")
    assert not cold.snapshot.taken and cold.memory.memos["records"].stored
    again = cached_build(paths, jobs=1, reuse=False)
    assert again.rendered == 0 and snapshot_tree(paths.out) == expected


def test_a_new_process_works_out_only_the_edited_record(site, tmp_path):
    """A build in a new process, after one event is edited, finds every other record's parse,
    judgement, placing and data-file rows in the engine's snapshot, and writes what a cold
    build writes."""
    paths = _paths(site, tmp_path / "site")
    cached_build(paths, jobs=1)
    event = min((site / "events").rglob("*.md"))
    event.write_text(event.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    store = BuildCache.beside(paths.out)
    engine = Engine(paths, folder=store.folder)  # as cached_build starts one
    assert engine.snapshot.taken
    engine.adopt(store, store.last(paths.out))
    engine.run()
    # The event parsed, judged, placed, and its rows of four tables and two JSON files made
    # again; and site.yaml and each party of credited.yaml judged (read whole every time).
    parties = yaml.safe_load((site / "credited.yaml").read_text(encoding="utf-8"))
    assert engine.memory.worked == 1 + 1 + 1 + 6 + 1 + len(parties)
    assert STATE in os.listdir(store.folder) and PARTS in os.listdir(store.folder)
    assert [n for n, memo in engine.memory.memos.items() if not memo.deferred] == [], "no memo file read"
    assert snapshot_tree(paths.out) == _reference(site, tmp_path / "reference")

    # A check proves the templates with the pages whose inputs changed since the last build:
    # the edited event's page alone.
    checked = cached_build(paths, jobs=1, write=False, reuse=False)
    assert checked.rendered == 1


def test_a_run_converts_each_body_once_and_keeps_no_reading_after_it(tmp_path, monkeypatch):
    # Validation and rendering ask for the same bodies' Markdown: one conversion serves both
    # within a run. Afterwards nothing is kept outside the engine's memos, so a long serve does
    # not hold a reading for every text each save made (it kept every one it ever read).
    from parallax import markup

    shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    conversions = []
    real = markup._md.convert
    monkeypatch.setattr(markup._md, "convert", lambda text: conversions.append(text) or real(text))
    engine = Engine(paths, jobs=1)
    engine.run(write=False)
    bodies = [text for text in conversions if text.strip()]
    assert bodies and len(bodies) == len(set(bodies)), "each body converted once"
    assert markup._read.cache_info().currsize == 0
    event = min((tmp_path / "content" / "events").rglob("*.md"))
    for n in range(3):  # as serve runs the engine after each save
        event.write_text(event.read_text(encoding="utf-8") + f"\nSaved {n}.\n", encoding="utf-8")
        engine.run(write=False)
        assert markup._read.cache_info().currsize == 0


def test_parallel_build_writes_what_a_sequential_build_writes(site, tmp_path, monkeypatch):
    expected = _reference(site, tmp_path / "reference")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # fork even for a small site
    build(_paths(site, tmp_path / "site"), jobs=2)
    assert snapshot_tree(tmp_path / "site") == expected


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} not found in {path}"
    path.write_text(changed, encoding="utf-8")


def test_incremental_rebuilds_write_what_a_full_build_writes(site, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    paths = Paths(site, tmp_path / "site", templates, PROJECT / "static")
    builder = Engine(paths, jobs=2)
    builder.run()
    events = sorted((site / "events").rglob("*.md"))
    first, middle = events[0], events[len(events) // 2]
    edits = [
        ("body", lambda: middle.write_text(middle.read_text(encoding="utf-8") + "\nOne more line.\n",
                                           encoding="utf-8")),
        ("title", lambda: _edit(middle, r"^title: .*$", "title: A title edited while serving")),
        ("date", lambda: _edit(first, r"^when: .*$", "when: 2021-03-05 evening")),
        ("quote", lambda: _edit(middle, r'^(      - (?:text: )?")', r"\1Edited while serving: ")),
        ("removed", lambda: first.unlink()),
        ("added", lambda: shutil.copy(middle, middle.with_name("2021-03-04-a-new-event.md"))),
        ("settings", lambda: _edit(site / "site.yaml", r"^title: .*$", "title: Another title")),
        ("template", lambda: _edit(templates / "macros.html", r"</article>", "</article>\n")),
    ]
    for n, (what, change) in enumerate(edits):
        change()
        result = builder.run()
        expected = _reference(site, tmp_path / f"full-{n}", templates)
        assert snapshot_tree(paths.out) == expected, f"after the {what} edit"
        if what == "body":
            assert result.rendered <= 3, f"the {what} edit rendered {result.rendered} pages"
        assert result.report is not None


def test_incremental_rebuild_with_a_mistake_changes_nothing(tmp_path):
    shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    builder = Engine(paths, jobs=1)
    builder.run()
    before = snapshot_tree(paths.out)
    event = tmp_path / "content" / "events" / "2021-03-03-crack-found.md"
    _edit(event, r"^title: ", "title: [")
    with pytest.raises(ContentError) as raised:
        builder.run()
    assert raised.value.problems[0].path == "content/events/2021-03-03-crack-found.md"
    assert snapshot_tree(paths.out) == before
    _edit(event, r"^title: \[", "title: ")
    builder.run()
    assert snapshot_tree(paths.out) == before


def test_only_the_first_incremental_build_forks(tmp_path, monkeypatch):
    """serve's later rebuilds run beside its web server and watcher threads, where forking is
    not safe: even when its first build failed, no later one starts workers."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    forked = []
    fork_map = parallel.fork_map
    monkeypatch.setattr(parallel, "fork_map", lambda function, items, jobs: (
        jobs > 1 and forked.append(jobs), fork_map(function, items, jobs))[1])
    shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    event = tmp_path / "content" / "events" / "2021-03-03-crack-found.md"
    _edit(event, r"^title: ", "title: [")
    builder = Engine(paths, jobs=2)
    with pytest.raises(ContentError):
        builder.run()
    assert forked == [2], "the first build reads ahead on two cores"
    _edit(event, r"^title: \[", "title: ")
    builder.run()
    _edit(event, r"^title: .*$", "title: Edited")
    builder.run()
    assert forked == [2]
    assert snapshot_tree(paths.out) == _reference(paths.content, tmp_path / "reference")


def test_a_render_that_failed_leaves_nothing_behind(tmp_path):
    """A template saved with a mistake that only some content sets off, then the content put
    right: every page is rendered with the template as it is now."""
    shutil.copytree(BASIC, tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    paths = Paths(tmp_path / "content", tmp_path / "site", templates, PROJECT / "static")
    about = tmp_path / "content" / "pages" / "about.md"
    builder = Engine(paths, jobs=1)
    builder.run()
    _edit(templates / "page.html", r"\{% block main %\}",
          "{% block main %}<p>Changed.</p>{% if page.title == 'Boom' %}{{ nonsense }}{% endif %}")
    _edit(about, r"^title: About$", "title: Boom")
    with pytest.raises(ContentError, match="nonsense"):
        builder.run()
    _edit(about, r"^title: Boom$", "title: About")
    builder.run()
    assert b"<p>Changed.</p>" in (paths.out / "about" / "index.html").read_bytes()
    assert snapshot_tree(paths.out) == _reference(paths.content, tmp_path / "reference", templates)


def test_a_template_change_is_not_answered_from_the_cache(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    paths = Paths(BASIC, tmp_path / "site", templates, PROJECT / "static")
    cached_build(paths, jobs=1)
    _edit(templates / "base.html", r"</body>", "<!-- changed -->\n</body>")
    result = cached_build(paths, jobs=1)
    assert not isinstance(result, ReusedBuild)
    assert b"<!-- changed -->" in (paths.out / "index.html").read_bytes()


def test_other_code_empties_the_cache(tmp_path, monkeypatch):
    paths = _paths(BASIC, tmp_path / "site")
    cached_build(paths, jobs=1)
    assert Engine(paths, folder=tmp_path / ".cache" / "parallax").snapshot.taken
    monkeypatch.setattr(cache, "generation", lambda: b"\1" * 32)
    other = Engine(paths, folder=tmp_path / ".cache" / "parallax")
    assert not other.snapshot.taken and not other.memory.memos["records"].stored
    result = cached_build(paths, jobs=1)
    assert not isinstance(result, ReusedBuild)
    assert result.rendered > result.pages, "every page (and the stylesheet) was rendered again"


def test_the_code_fingerprint_holds_the_modules_of_parallaxs_packages(tmp_path):
    # A change to the engine's rooms alone (parallax/engine/) is a change of code: a build
    # after it is a new one, and the snapshot the old code kept is not read. (With the
    # top-level modules alone in the fingerprint, it was neither.)
    package = tmp_path / "parallax"
    shutil.copytree(Path(cache.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__", "_defaults"))

    def fingerprint() -> bytes:
        digest = hashlib.sha256()
        cache._code(digest, package)
        return digest.digest()

    before = fingerprint()
    core = package / "engine" / "core.py"
    core.write_text(core.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint() != before


def test_the_fingerprint_holds_markupsafes_version_and_the_time_zone_rules(tmp_path, monkeypatch):
    # Jinja's escaping is markupsafe's, and events are placed by the zone rules zoneinfo reads:
    # an upgrade of either alone makes the next build a new one. (Neither was in it.)
    import zoneinfo

    versions = {"MarkupSafe": "3.0.4"}
    real = cache._installed
    monkeypatch.setattr(cache, "_installed", lambda name: versions.get(name) or real(name))
    zones = tmp_path / "zoneinfo"
    zones.mkdir()
    (zones / "tzdata.zi").write_text("# version 2025a\nZ Europe/Vienna 1:5:21 - LMT\n")
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(zones),))
    before = cache.generation.__wrapped__()
    assert cache.generation.__wrapped__() == before
    versions["MarkupSafe"] = "3.0.5"
    after_markupsafe = cache.generation.__wrapped__()
    assert after_markupsafe != before
    (zones / "tzdata.zi").write_text("# version 2025b\nZ Europe/Vienna 1:5:21 - LMT\n")
    after_rules = cache.generation.__wrapped__()
    assert after_rules != after_markupsafe
    released = tmp_path / "released"  # a folder that names its release only (as macOS's does)
    released.mkdir()
    (released / "+VERSION").write_text("2025a\n")
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(zones), str(released)))
    with_release = cache.generation.__wrapped__()
    (released / "+VERSION").write_text("2025b\n")
    assert cache.generation.__wrapped__() != with_release


def test_site_files_changed_by_hand_are_put_back(tmp_path):
    paths = _paths(BASIC, tmp_path / "site")
    cached_build(paths, jobs=1)
    expected = snapshot_tree(paths.out)
    (paths.out / "index.html").write_text("changed by hand")
    (paths.out / "events" / "index.html").unlink()
    (paths.out / "stray.html").write_text("not built")
    result = cached_build(paths, jobs=1)
    assert isinstance(result, ReusedBuild)
    assert (result.report.written, result.report.removed) == (2, 1)
    assert snapshot_tree(paths.out) == expected


@pytest.mark.parametrize("damaged", ["build-*.pickle", "records.memo", "site-*.pack"])
def test_a_damaged_cache_is_rebuilt(tmp_path, damaged):
    paths = _paths(BASIC, tmp_path / "site")
    cached_build(paths, jobs=1)
    expected = snapshot_tree(paths.out)
    folder = tmp_path / ".cache" / "parallax"
    (target,) = folder.glob(damaged)
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    shutil.rmtree(paths.out)
    cached_build(paths, jobs=1)
    assert snapshot_tree(paths.out) == expected


def test_strict_fails_on_the_warnings_of_a_reused_build(tmp_path):
    shutil.copytree(BASIC, tmp_path / "content")
    event = tmp_path / "content" / "events" / "2020-11-repairs-planned.md"
    _edit(event, r"^checked:\n  one_source: .*\n", "")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    first = cached_build(paths, jobs=1)
    assert first.warnings
    again = cached_build(paths, jobs=1)
    assert isinstance(again, ReusedBuild) and again.warnings == first.warnings
    with pytest.raises(ContentError) as raised:
        cached_build(paths, jobs=1, strict=True)
    assert raised.value.problems == list(first.warnings)


def test_content_errors_are_never_cached(tmp_path):
    shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    event = tmp_path / "content" / "events" / "2021-03-03-crack-found.md"
    _edit(event, r"^title: ", "title: [")
    for _ in range(2):
        with pytest.raises(ContentError):
            cached_build(paths, jobs=1)
    assert not paths.out.exists()


def test_time_words_are_kept_apart_by_time_zone():
    """10 Dec 2016 00:00 in Damascus and 9 Dec 22:00 in London are one instant, but
    'yesterday' means a different day from each."""
    damascus = parse_when("2016-12-10", ZoneInfo("Asia/Damascus"))
    london = damascus.astimezone(ZoneInfo("Europe/London"))
    assert damascus == london  # equal as intervals: a key must not be
    site_tz = ZoneInfo("UTC")
    assert cache.time_words_key("yesterday", damascus, site_tz) != cache.time_words_key(
        "yesterday", london, site_tz)


def test_a_worker_reports_content_problems_whole(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)

    def check(n: int) -> int:
        if n == 3:
            raise ContentError([Problem("content/events/x.md", 4, "title", "is empty")])
        return n * n

    assert parallel.fork_map(lambda n: n * n, list(range(10)), 2) == [n * n for n in range(10)]
    with pytest.raises(ContentError) as raised:
        parallel.fork_map(check, list(range(10)), 2)
    assert raised.value.problems == [Problem("content/events/x.md", 4, "title", "is empty")]


def test_the_cache_folder_is_beside_the_output(tmp_path):
    assert BuildCache.beside(tmp_path / "site").folder == tmp_path / ".cache" / "parallax"


def test_a_changed_address_is_not_answered_from_the_cache(tmp_path):
    """The address given to the build is an input: each one builds its own pages."""
    paths = _paths(BASIC, tmp_path / "site")
    cached_build(paths, jobs=1)
    assert b"https://example.org/bridge/" in (paths.out / "index.html").read_bytes()
    moved = Paths(paths.content, paths.out, paths.templates, paths.static,
                  base_url="https://editors.github.io/bridge/")
    result = cached_build(moved, jobs=1)
    assert not isinstance(result, ReusedBuild)
    home = (paths.out / "index.html").read_bytes()
    assert b"https://editors.github.io/bridge/" in home and b"example.org/bridge" not in home
    assert isinstance(cached_build(moved, jobs=1), ReusedBuild), "the same address again is reused"
    back = cached_build(paths, jobs=1)
    assert not isinstance(back, ReusedBuild)
    assert b"https://example.org/bridge/" in (paths.out / "index.html").read_bytes()


# --- every kind of edit, through build, check and serve ------------------------------------------


def _files_under(folders: list[Path]) -> dict[str, bytes]:
    found = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                found[str(path.resolve())] = path.read_bytes()
    return found


def _rename(path: Path, name: str) -> None:
    path.rename(path.with_name(name))


def _edits(site: Path, templates: Path, static: Path) -> list[tuple[str, callable]]:
    events = sorted((site / "events").rglob("*.md"))
    first, middle, last = events[0], events[len(events) // 2], events[-1]
    source = min((site / "sources").glob("*.md"))
    page = min((site / "pages").glob("*.md"))
    return [
        ("event body", lambda: middle.write_text(
            middle.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")),
        ("event title", lambda: _edit(middle, r"^title: .*$", "title: A title edited")),
        ("event date", lambda: _edit(first, r"^when: .*$", "when: 2021-03-05 evening")),
        ("event quote", lambda: _edit(middle, r'^(      - (?:text: )?")', r"\1Edited: ")),
        ("event added", lambda: shutil.copy(middle, middle.with_name("2021-03-04-a-new-event.md"))),
        ("event renamed", lambda: _rename(last, "2021-03-09-renamed-event.md")),
        ("event deleted", lambda: first.unlink()),
        ("source edited", lambda: _edit(source, r"^title: .*$", "title: A source title edited")),
        ("source body", lambda: source.write_text(
            source.read_text(encoding="utf-8") + "\nA note on the source.\n", encoding="utf-8")),
        ("source added", lambda: (site / "sources" / "copy.md").write_text(
            source.read_text(encoding="utf-8").replace("outlet: ", "outlet: Copy of ", 1),
            encoding="utf-8")),
        ("source renamed", lambda: _rename(site / "sources" / "copy.md", "another.md")),
        ("source deleted", lambda: (site / "sources" / "another.md").unlink()),
        ("page edited", lambda: page.write_text(
            page.read_text(encoding="utf-8") + "\nMore about the site.\n", encoding="utf-8")),
        ("page added", lambda: (site / "pages" / "extra.md").write_text(
            "---\ntitle: Extra\n---\nAn extra page.\n", encoding="utf-8")),
        ("page renamed", lambda: _rename(site / "pages" / "extra.md", "more.md")),
        ("page deleted", lambda: (site / "pages" / "more.md").unlink()),
        ("party edited", lambda: _edit(site / "credited.yaml", r"^(  name: )(.*)$", r"\1\2 (edited)")),
        ("settings", lambda: _edit(site / "site.yaml", r"^title: .*$", "title: Another title")),
        ("template", lambda: _edit(templates / "macros.html", r"</article>", "</article>\n")),
        ("static edited", lambda: (static / "style.css").write_text(
            (static / "style.css").read_text(encoding="utf-8") + "\n/* edited */\n",
            encoding="utf-8")),
        ("static added", lambda: (static / "extra.txt").write_text("extra\n", encoding="utf-8")),
        ("static renamed", lambda: _rename(static / "extra.txt", "moved.txt")),
        ("static deleted", lambda: (static / "moved.txt").unlink()),
    ]


def test_every_kind_of_edit_through_build_check_and_serve(site, tmp_path, monkeypatch):
    """Each edit, then `build` (a new process: the cache folder only), `check` (the same, writing
    nothing) and serve's warm engine (told which files changed) give byte for byte what a cold
    sequential build gives."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    templates, static = tmp_path / "templates", tmp_path / "static"
    shutil.copytree(PROJECT / "templates", templates)
    shutil.copytree(PROJECT / "static", static)
    built = Paths(site, tmp_path / "built", templates, static)
    served = Paths(site, tmp_path / "served", templates, static)
    serve = Engine(served, jobs=2)
    serve.run()
    cached_build(built, jobs=2)
    watched = [site, templates, static]
    for n, (what, change) in enumerate(_edits(site, templates, static)):
        before = _files_under(watched)
        change()
        after = _files_under(watched)
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        assert changed, what
        expected = _reference_with(site, tmp_path / f"cold-{n}", templates, static)

        result = cached_build(built, jobs=1)
        assert not isinstance(result, ReusedBuild), what
        assert snapshot_tree(built.out) == expected, f"build after the {what} edit"

        checked = cached_build(built, jobs=1, write=False, reuse=False)
        assert (checked.warnings, checked.pages) == (result.warnings, result.pages), what
        assert checked.rendered == 0, "the build just rendered every changed page"
        assert snapshot_tree(built.out) == expected, f"check after the {what} edit wrote"

        early: dict[str, bytes] = {}
        result = serve.run(early=early.update, changed=changed)
        assert snapshot_tree(served.out) == expected, f"serve after the {what} edit"
        assert all(expected[path] == data for path, data in early.items()), what
        if what == "event body":
            assert result.rendered <= 3 and len(early) == 1, (what, result.rendered, early.keys())


def _reference_with(content: Path, out: Path, templates: Path, static: Path) -> dict[str, bytes]:
    build(Paths(content=content, out=out, templates=templates, static=static), jobs=1)
    return snapshot_tree(out)


def test_serve_shows_an_edited_body_before_reading_the_rest(tmp_path, monkeypatch):
    """A save to an event: its page is made from the last run, with only that record read,
    judged and placed again (a new date: put in its new order), and handed over before the
    content folder is read; the run then checks it and writes what a cold build writes. A body
    with a mistake goes the long way."""
    from parallax import load

    shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(tmp_path / "content", tmp_path / "site")
    serve = Engine(paths)
    serve.run()
    order: list[str] = []
    loading = load.load_content
    monkeypatch.setattr(load, "load_content",
                        lambda *a, **k: (order.append("load"), loading(*a, **k))[1])
    event = tmp_path / "content" / "events" / "2021-03-03-crack-found.md"
    page = "events/2021-03-03-crack-found/index.html"

    def save(text: str) -> dict[str, bytes]:
        event.write_text(text, encoding="utf-8")
        order.clear()
        early: dict[str, bytes] = {}

        def took(pages: dict[str, bytes]) -> None:
            order.append("early")
            for path, data in pages.items():
                early.setdefault(path, data)  # the first bytes handed over for each page

        try:
            serve.run(early=took, changed={str(event.resolve())})
        except ContentError:
            pass
        return early

    original = event.read_text(encoding="utf-8")
    early = save(original + "\nOne more line.\n")
    assert order == ["early", "load"]
    assert b"One more line." in early[page]
    assert snapshot_tree(paths.out) == _reference(tmp_path / "content", tmp_path / "cold")

    for edited in (re.sub(r"^title: .*$", "title: Another title", original, count=1, flags=re.MULTILINE),
                   re.sub(r"^when: .*$", "when: 2020-11-02", original, count=1, flags=re.MULTILINE)):
        early = save(edited)
        # The page first; then its neighbours' pages (their links name it), then the rest.
        assert order[:2] == ["early", "load"], "a title or date edit: the page first"
        assert snapshot_tree(paths.out) == _reference(tmp_path / "content", tmp_path / "cold")
        assert early[page] == snapshot_tree(paths.out)[page]

    save(original + "\n[a link](javascript:alert(1))\n")
    assert "early" not in order, "a body with a mistake is left to the run to report"


def test_models_pickled_for_the_snapshot_come_back_whole():
    """Record.__reduce__ (the snapshot's quicker way) gives back equal, frozen models with the
    same fields given, for every kind of record."""
    import pickle

    from pydantic import ValidationError

    from parallax.load import load_content
    from parallax.validate import validate_content

    content = validate_content(load_content(BASIC), None)
    models = [content.site, *content.sources, *content.events, *content.pages,
              *content.parties.values()]
    assert {type(m).__name__ for m in models} >= {"SiteSettings", "Source", "EventRecord",
                                                  "Page", "Party"}
    for model in models:
        back = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == model and back is not model
        assert back.model_fields_set == model.model_fields_set
        assert back.model_dump_json() == model.model_dump_json()
        with pytest.raises(ValidationError):
            back.id = "changed"


def test_the_snapshot_is_kept_while_pagefind_works(tmp_path, monkeypatch):
    """A build keeps the engine's snapshot once everything but the search index is staged,
    while Pagefind still works (a core it leaves idle), not after it on one core; the build
    then writes what it always did."""
    from parallax import search

    kept = threading.Event()
    seen: list[bool] = []
    run, save = search.Indexing.run, Engine.save

    def indexing(self):
        seen.append(kept.wait(20))  # Pagefind's work lasts until the snapshot is kept
        return run(self)

    def keeping(self):
        save(self)
        kept.set()

    monkeypatch.setattr(search.Indexing, "run", indexing)
    monkeypatch.setattr(Engine, "save", keeping)
    content = shutil.copytree(BASIC, tmp_path / "content")
    paths = _paths(content, tmp_path / "site")
    cached_build(paths, jobs=1)
    assert seen == [True]
    assert STATE in os.listdir(BuildCache.beside(paths.out).folder)
    assert snapshot_tree(paths.out) == _reference(content, tmp_path / "reference")
