"""The search index (search.py): built with the site, the same bytes every time, kept and
restored by the build cache, and a failed indexer is a clear error that leaves site/ alone."""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES, snapshot_tree

from parallax import search
from parallax.build import Paths, ReusedBuild, build, cached_build
from parallax.errors import ContentError

PROJECT = Path(__file__).resolve().parent.parent
BASIC = FIXTURES / "basic" / "content"


def _paths(content: Path, out: Path) -> Paths:
    return Paths(content, out, PROJECT / "templates", PROJECT / "static")


def _index(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot_tree(folder).items() if k.startswith("pagefind/")}


RUNS: list[tuple[str, ...]] = []
"""One item per Pagefind run (each counted by `_count_runs`): the pages it indexed."""


@pytest.fixture(autouse=True)
def _count_runs(monkeypatch):
    real = search._run_pagefind
    RUNS.clear()

    def counted(binary, root, out, count):
        RUNS.append(tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))))
        assert len(RUNS[-1]) == count
        return real(binary, root, out, count)

    monkeypatch.setattr(search, "_run_pagefind", counted)


def _fresh_index(content: Path, out: Path, jobs: int = 1) -> dict[str, bytes]:
    runs = len(RUNS)
    build(_paths(content, out), jobs=jobs)
    assert len(RUNS) == runs + 1, "Pagefind ran once"
    return _index(out)


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(BASIC, copy)
    return copy


GENERATED_EVENTS = 60
"""The events of the generated site (3 outlets)."""


def generate(folder: Path, events: int, sources: int = 3) -> Path:
    """bench/generate.py's site of `events` events (seeded): its content folder."""
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, events, sources, seed=11)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("generated"), GENERATED_EVENTS)


@pytest.fixture
def larger(generated, tmp_path) -> Path:
    """A copy of the generated site's content."""
    copy = tmp_path / "larger"
    shutil.copytree(generated, copy)
    return copy


def test_the_index_covers_the_event_pages_with_outlets_to_narrow_to(tmp_path):
    index = _fresh_index(BASIC, tmp_path / "site")
    entry = json.loads(index["pagefind/pagefind-entry.json"])
    assert entry["version"] == search.PAGEFIND_VERSION
    assert entry["languages"]["en"]["page_count"] == 3, "the three event pages, nothing else"
    fragments = [json.loads(gzip.decompress(v)[len(b"pagefind_dcd"):])
                 for k, v in index.items() if "/fragment/" in k]
    by_url = {f["url"]: f for f in fragments}
    crack = by_url["/events/2021-03-03-crack-found/"]
    assert crack["meta"] == {"title": "Engineers find a crack in the bridge", "date": "Wed 3 Mar 2021"}
    assert crack["filters"] == {"outlet": ["The Morning Ledger", "Harbour Radio"]}
    assert "a crack was found two days ago" in crack["content"], "the quotes are indexed"
    for furniture in ("Cite this page", "Independent origins", "Previous:", "Placed at",
                      "counted from", "Article of", "Read the words"):
        assert furniture not in crack["content"], furniture
    assert {a["id"] for a in crack["anchors"] if a["element"] == "h3"} == {
        "account-ledger-name", "account-radio-name"}, "each account is a part of its own"
    # Pagefind's own ready-made interfaces are left out: the site has its own results list.
    assert not [k for k in index if "-ui" in k or "highlight" in k]
    # One bundle, at pagefind/: no other bundle's folder in it, and its entry lists nothing more.
    assert {k.split("/")[1] for k in index if k.count("/") > 1} == {"filter", "fragment", "index"}
    assert sorted(entry) == ["include_characters", "languages", "version"]


def test_the_index_is_byte_identical_build_to_build(tmp_path):
    """Pagefind lists a filter's values in a different order from run to run; the build sorts
    them. Eight runs with two outlets: an unsorted list would differ with odds of 127 in 128."""
    first = _fresh_index(BASIC, tmp_path / "site-0")
    assert any("/filter/" in k for k in first)
    for n in range(1, 8):
        assert _fresh_index(BASIC, tmp_path / f"site-{n}") == first, f"run {n}"


def test_a_larger_index_is_byte_identical_build_to_build(larger, tmp_path):
    """Sixty events, three outlets, built one page at a time or on two cores: one Pagefind run
    each time, the same bytes."""
    first = _fresh_index(larger, tmp_path / "site-0")
    assert len([k for k in first if "/filter/" in k]) == 1
    entry = json.loads(first["pagefind/pagefind-entry.json"])
    assert entry["languages"]["en"]["page_count"] == GENERATED_EVENTS
    for n in range(1, 3):
        assert _fresh_index(larger, tmp_path / f"site-{n}") == first, f"run {n}"
    assert _fresh_index(larger, tmp_path / "side-by-side", jobs=2) == first


def _event_file(content: Path, n: int) -> Path:
    return sorted((content / "events").rglob("*.md"))[n]


def _event_page(event: Path) -> str:
    return f"events/{event.stem}/index.html"


def test_an_edit_indexes_every_page_again_in_one_run_and_a_no_op_none(larger, tmp_path):
    """A build after an edit to one event page (a new process: the cache folder only) runs
    Pagefind once over every indexed page, and writes what a cold build writes; a build after
    no edit runs no Pagefind; undone, the site is as it was."""
    out = tmp_path / "site"
    cached_build(_paths(larger, out), jobs=2)
    assert len(RUNS) == 1 and len(RUNS[0]) == GENERATED_EVENTS, RUNS
    everything = RUNS[0]
    first = snapshot_tree(out)
    assert sorted(k for k in first if k.startswith("pagefind/") and k.endswith((".js", ".pagefind"))) == [
        "pagefind/pagefind-worker.js", "pagefind/pagefind.js", "pagefind/wasm.en.pagefind",
        "pagefind/wasm.unknown.pagefind"]

    RUNS.clear()
    cached_build(_paths(larger, out), jobs=2)
    assert RUNS == [], "nothing changed: no Pagefind"
    assert snapshot_tree(out) == first

    event = _event_file(larger, 17)
    original = event.read_text(encoding="utf-8")
    event.write_text(re.sub(r"\n\Z", " quillwort\n", original), encoding="utf-8")
    result = cached_build(_paths(larger, out), jobs=2)
    assert RUNS == [everything], "one run, over every indexed page"
    assert _event_page(event) in RUNS[0]
    assert "pagefind/pagefind-entry.json" in result.made
    edited = snapshot_tree(out)
    assert edited != first
    assert edited == _reference(larger, tmp_path / "cold-edited")

    event.write_text(original, encoding="utf-8")
    RUNS.clear()
    cached_build(_paths(larger, out), jobs=1)
    assert RUNS == [everything]
    assert snapshot_tree(out) == first == _reference(larger, tmp_path / "cold-undone")


def _reference(content: Path, out: Path) -> dict[str, bytes]:
    """What a cold sequential build without a cache writes."""
    build(_paths(content, out), jobs=1)
    return snapshot_tree(out)


def test_a_failing_indexer_is_one_clear_error_and_leaves_the_site(larger, tmp_path, run_cli,
                                                                 monkeypatch):
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(larger), "--out", str(out))[0] == 0
    before = snapshot_tree(out)
    for n in (3, 40):
        event = _event_file(larger, n)
        event.write_text(event.read_text(encoding="utf-8") + "\nOne more line.\n",
                         encoding="utf-8")
    binary = _fake_pagefind(tmp_path, '[ "$1" = --version ] && echo "pagefind 1.5.2" && exit 0\n'
                                      'echo "Error: disk full" >&2\nexit 3\n')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    code, _, err = run_cli("build", "--content", str(larger), "--out", str(out))
    assert code == 1
    assert err.splitlines() == [
        "pagefind:1: search index: Pagefind failed (exit status 3): Error: disk full",
        f"1 problem; {out}/ was left as it was."]
    assert snapshot_tree(out) == before


def test_an_edit_changes_the_index_and_its_undo_restores_it(content, tmp_path):
    before = _fresh_index(content, tmp_path / "before")
    event = content / "events" / "2021-03-03-crack-found.md"
    original = event.read_text(encoding="utf-8")
    event.write_text(original.replace("a crack was found two days ago",
                                      "a hairline crack was found two days ago"), encoding="utf-8")
    edited = _fresh_index(content, tmp_path / "edited")
    assert edited != before
    assert edited["pagefind/pagefind-entry.json"] != before["pagefind/pagefind-entry.json"]
    event.write_text(original, encoding="utf-8")
    assert _fresh_index(content, tmp_path / "undone") == before


def test_filter_values_are_sorted_and_the_names_follow_the_bytes():
    name, values = "outlet", [["The Morning Ledger", [0, 1, 2]], ["Harbour Radio", [1, 2]]]
    body = b"pagefind_dcd" + search._cbor_write([name, values])
    result = search._sorted_filter(body)
    decoded, _ = search._cbor_read(result[len(b"pagefind_dcd"):], 0)
    assert decoded == [name, sorted(values)]
    assert search._sorted_filter(result) == result
    assert search._renamed("en_d55ebef", result) != search._renamed("en_d55ebef", body)
    assert len(search._renamed("en_d55ebef", result)) == len("en_d55ebef")


@pytest.fixture(scope="module")
def indexed_pages(generated, tmp_path_factory) -> dict[str, bytes]:
    """The generated site's indexed pages, and three pages whose words have accented
    spellings (Pagefind keeps those as a word's variants, in the order it meets them)."""
    out = tmp_path_factory.mktemp("indexed") / "site"
    build(_paths(generated, out))
    pages = {p: data for p, data in snapshot_tree(out).items()
             if p.endswith(".html") and search.MARK in data}
    for n, words in enumerate(("café Zürich résumé", "cafe Zurich resume", "Café ZÜRICH resumé")):
        pages[f"events/accents-{n}/index.html"] = (
            f"<html lang='en'><body><main data-pagefind-body><h1>Accents {n}</h1><p>{words}</p>"
            f"<p data-pagefind-filter='outlet'>Outlet {n % 2}</p></main></body></html>").encode()
    return pages


def _pagefind_in(folder: Path, pages: dict[str, bytes], backwards: bool
                 ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """What Pagefind writes for `pages` written into `folder` in sorted order (or backwards),
    and that bundle in its fixed form."""
    root, out = folder / "site", folder / "pagefind"
    for path in sorted(pages, reverse=backwards):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(pages[path])
    done = search._run_pagefind(search.executable(), root, out, len(pages))
    assert done.returncode == 0, done.stderr
    return snapshot_tree(out), search._bundle(out)


def _found(files: dict[str, bytes], folder: str = "pagefind/") -> dict[str, dict[str, list]]:
    """What a bundle finds, by URL: for each word (and each of its spellings) its pages' places,
    and for each filter value its pages."""
    def read(path: str) -> object:
        return search._cbor_read(gzip.decompress(files[folder + path])[len(b"pagefind_dcd"):], 0)[0]

    (meta,) = [read(k.removeprefix(folder)) for k in files if k.endswith(".pf_meta")]
    urls = [json.loads(gzip.decompress(files[f"{folder}fragment/{name}.pf_fragment"])[
        len(b"pagefind_dcd"):])["url"] for name, _ in meta[1]]
    found: dict[str, dict[str, list]] = {}
    for _, _, name in meta[2]:
        (words,) = read(f"index/{name}.pf_index")
        for word, pages, variants in words:
            for key, listed in [(word, pages), *((f"{word}/{s}", p) for s, p in variants)]:
                page = 0
                for step, *places in listed:
                    page += step
                    found.setdefault(key, {})[urls[page]] = places
    for _, name in meta[3]:
        filter_name, values = read(f"filter/{name}.pf_filter")
        for value, pages in values:
            found[f"{filter_name}:{value}"] = {urls[page]: [] for page in pages}
    return found


def test_the_index_is_the_same_whatever_order_the_file_system_lists_the_pages(indexed_pages,
                                                                               tmp_path):
    """Pagefind numbers the pages in the order its file system lists a folder: a disk (ext4)
    by a hash of each name, a memory-backed folder (tmpfs) by when each file was made. The same
    pages, written in opposite orders on the disk and (where there is one) in /dev/shm, give
    different files from Pagefind and one bundle from the build."""
    memory = Path("/dev/shm")
    with contextlib.ExitStack() as stack:
        places = [tmp_path]
        if memory.is_dir() and os.access(memory, os.W_OK):
            places.append(Path(stack.enter_context(tempfile.TemporaryDirectory(dir=memory))))
        runs = [_pagefind_in(place / str(backwards), indexed_pages, backwards)
                for place in places for backwards in (False, True)]
    raws = [raw for raw, _ in runs]
    bundles = [bundle for _, bundle in runs]
    if all(raw == raws[0] for raw in raws):
        pytest.skip("this machine listed every folder in one order")
    assert all(bundle == bundles[0] for bundle in bundles), [
        sorted(k for k in set(b) | set(bundles[0]) if b.get(k) != bundles[0].get(k))[:5]
        for b in bundles]
    # The pages were numbered differently, and every kind of file that holds their numbers
    # (word index, filter, metadata) was written again; some words have variant spellings.
    kinds = {k.rsplit(".", 1)[-1] for raw in raws[1:] for k in set(raw) | set(raws[0])
             if raw.get(k) != raws[0].get(k)}
    assert {"pf_index", "pf_filter", "pf_meta"} <= kinds
    chunks = [search._cbor_read(gzip.decompress(v)[len(b"pagefind_dcd"):], 0)[0]
              for k, v in bundles[0].items() if k.endswith(".pf_index")]
    variants = {w[0]: [v[0] for v in w[2]] for (words,) in chunks for w in words if w[2]}
    assert len(variants["resum"]) == 2 and "zurich" in variants, variants  # stems, spellings
    # Every word and filter value finds what it found in Pagefind's own files.
    assert _found(bundles[0]) == _found(raws[0], "")
    # In the fixed form the pages are numbered in the order of their URLs.
    meta = next(v for k, v in bundles[0].items() if k.endswith(".pf_meta"))
    pages = search._cbor_read(gzip.decompress(meta)[len(b"pagefind_dcd"):], 0)[0][1]
    urls = [json.loads(gzip.decompress(bundles[0][f"pagefind/fragment/{name}.pf_fragment"])[
        len(b"pagefind_dcd"):])["url"] for name, _ in pages]
    assert urls == sorted(urls) and len(urls) == len(indexed_pages)


def _raw_bundle(pages: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    raw, _ = _pagefind_in(folder, pages, False)
    return {f"pagefind/{k}": v for k, v in raw.items()}


def _cbor_file(body: list) -> bytes:
    return search._pack(b"pagefind_dcd" + search._cbor_write(body))


@pytest.mark.parametrize("change", ["meta shape", "meta version", "index shape", "stray file",
                                    "missing fragment", "entry"])
def test_an_index_in_a_form_not_known_is_refused_with_the_install_hint(change, tmp_path):
    pages = _pages(4)
    raw = _raw_bundle(pages, tmp_path)
    search._in_order(dict(raw))  # as Pagefind wrote it: read
    meta_path = next(k for k in raw if k.endswith(".pf_meta"))
    meta = search._cbor_read(gzip.decompress(raw[meta_path])[len(b"pagefind_dcd"):], 0)[0]
    if change == "meta shape":
        raw[meta_path] = _cbor_file([*meta, []])
    elif change == "meta version":
        raw[meta_path] = _cbor_file(["1.6.0", *meta[1:]])
    elif change == "index shape":
        index_path = next(k for k in raw if k.endswith(".pf_index"))
        (words,) = search._cbor_read(gzip.decompress(raw[index_path])[12:], 0)[0]
        raw[index_path] = _cbor_file([[[*words[0], []], *words[1:]]])
    elif change == "stray file":
        raw["pagefind/fragment/en_0000000.pf_fragment"] = search._pack(b"pagefind_dcd{}")
    elif change == "missing fragment":
        del raw[next(k for k in raw if k.endswith(".pf_fragment"))]
    else:
        raw["pagefind/pagefind-entry.json"] = b'{"version": "1.5.2"}'
    with pytest.raises(ContentError) as caught:
        search._in_order(raw)
    assert search.INSTALL in str(caught.value) and "\n" not in str(caught.value)


def test_an_index_with_sort_orders_is_refused_with_what_to_do(tmp_path):
    """Pagefind lists pages sorted by a data-pagefind-sort value in their walk's order where the
    values are equal, and does not say what the values were: that order cannot be fixed."""
    pages = {path: data.replace(b"<h1>", b"<h1 data-pagefind-sort='rank:1'>")
             for path, data in _pages(4).items()}
    with pytest.raises(ContentError, match="remove data-pagefind-sort from the templates"):
        search._in_order(_raw_bundle(pages, tmp_path))


def test_a_no_op_build_and_a_warm_build_restore_the_index(content, tmp_path):
    out = tmp_path / "site"
    first = cached_build(_paths(content, out), jobs=1)
    assert not isinstance(first, ReusedBuild)
    index = _index(out)
    assert index
    # Deleted by hand: the no-op build puts it back from the cache's pack.
    shutil.rmtree(out / "pagefind")
    again = cached_build(_paths(content, out), jobs=1)
    assert isinstance(again, ReusedBuild)
    assert _index(out) == index
    # site/ deleted (a CI run with a cached .cache/): restored, index and all.
    shutil.rmtree(out)
    warm = cached_build(_paths(content, out), jobs=1)
    assert isinstance(warm, ReusedBuild)
    assert _index(out) == index
    # After an edit the cached build indexes again, as a build without a cache does.
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text(encoding="utf-8").replace(
        "a crack was found", "a hairline crack was found"), encoding="utf-8")
    edited = cached_build(_paths(content, out), jobs=1)
    assert not isinstance(edited, ReusedBuild)
    assert _index(out) != index
    assert _index(out) == _fresh_index(content, tmp_path / "reference")


def test_the_index_is_remembered_in_the_cache_folder(content, tmp_path):
    """A build whose event pages are unchanged (each cached build is a new engine, as a new
    process is) takes the index from the cache folder instead of indexing."""
    out = tmp_path / "site"
    cached_build(_paths(content, out), jobs=1)
    index = _index(out)
    (content / "pages" / "about.md").write_text(
        (content / "pages" / "about.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    runs = len(RUNS)
    cached_build(_paths(content, out), jobs=1)
    assert len(RUNS) == runs, "Pagefind did not run again"
    assert _index(out) == index


def _fake_pagefind(folder: Path, script: str) -> Path:
    path = folder / "pagefind"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize("script, message", [
    ('[ "$1" = --version ] && echo "pagefind 1.5.2" && exit 0\necho "Error: disk full" >&2\nexit 3\n',
     "pagefind:1: search index: Pagefind failed (exit status 3): Error: disk full"),
    ('echo "pagefind 0.12.0"\n',
     ("pagefind:1: search index: Pagefind 1.5.2 is needed for a reproducible index, found "
      "'pagefind 0.12.0' at {binary}; install it with pip install 'pagefind[bin]==1.5.2'")),
    ('[ "$1" = --version ] && echo "pagefind 1.5.2" && exit 0\nexit 0\n',
     ("pagefind:1: search index: Pagefind wrote no index (pagefind.js and pagefind-entry.json "
      "are missing); reinstall it with pip install 'pagefind[bin]==1.5.2'")),
], ids=["fails", "wrong version", "writes nothing"])
def test_a_failed_indexer_is_a_clear_error_and_leaves_the_site(script, message, content,
                                                               tmp_path, run_cli, monkeypatch):
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out))[0] == 0
    before = snapshot_tree(out)
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text(encoding="utf-8").replace(
        "a crack was found", "a small crack was found"), encoding="utf-8")
    binary = _fake_pagefind(tmp_path, script)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    code, _, err = run_cli("build", "--content", str(content), "--out", str(out))
    assert code == 1
    assert err.splitlines() == [message.format(binary=binary),
                                f"1 problem; {out}/ was left as it was."]
    assert snapshot_tree(out) == before


def test_a_missing_indexer_is_a_clear_error(content, tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    code, _, err = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 1
    assert err.splitlines()[0].startswith(
        f"pagefind:1: search index: Pagefind could not be run ({tmp_path / 'no-such-pagefind'}: ")
    assert "pip install 'pagefind[bin]==1.5.2'" in err
    assert not (tmp_path / "site").exists()


def test_a_hung_indexer_is_stopped(content, tmp_path, run_cli, monkeypatch):
    binary = _fake_pagefind(tmp_path, '[ "$1" = --version ] && echo "pagefind 1.5.2" && exit 0\n'
                                      f'exec "{sys.executable}" -c "import time; time.sleep(30)"\n')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    monkeypatch.setattr(search, "TIMEOUT_BASE", 1.0)
    monkeypatch.setattr(search, "TIMEOUT_PER_PAGE", 0.0)
    code, _, err = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 1
    assert err.splitlines()[0] == "pagefind:1: search index: Pagefind did not finish within 1 s"


def test_every_page_searches_and_only_the_search_page_runs_the_search(tmp_path):
    out = tmp_path / "site"
    build(_paths(BASIC, out))
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert "search/index.html" in pages
    for name in pages:
        html = (out / name).read_text(encoding="utf-8")
        depth = "" if name == "404.html" else "../" * name.count("/")
        root = "/bridge/" if name == "404.html" else depth
        assert (f'<form class="site-search" role="search" aria-label="Site" action="{root}search/" '
                'method="get">') in html, name
        assert ("search.js" in html) == (name == "search/index.html"), name
        assert ("wasm-unsafe-eval" in html) == (name == "search/index.html"), name
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../events/">events index</a>' in search_page
    assert '<option value="Harbour Radio" data-sources="radio">Harbour Radio</option>' in search_page


def test_a_content_page_cannot_take_the_search_addresses(content, tmp_path, run_cli):
    for slug in ("search", "pagefind"):
        (content / "pages" / f"{slug}.md").write_text(f"---\ntitle: {slug}\n---\nText.\n")
    code, _, err = run_cli("check", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 1
    assert "search" in err and "pagefind" in err


@pytest.mark.skipif(os.environ.get("PAGEFIND_BINARY_PATH") is not None,
                    reason="a Pagefind binary is named by PAGEFIND_BINARY_PATH")
def test_the_installed_pagefind_is_the_pinned_one():
    pyproject = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"pagefind[bin]=={search.PAGEFIND_VERSION}"' in pyproject
    search._check_version(search.executable())


def _pages(count: int, changed: int | None = None) -> dict[str, bytes]:
    return {f"events/e{n}/index.html": (
        f"<html><body><main data-pagefind-body><h1>Event {n}</h1><p>word{n} harbour"
        f"{' edited' if n == changed else ''}</p></main></body></html>").encode()
        for n in range(count)}


def _indexed(pages: dict[str, bytes], keep: Path | None) -> dict[str, bytes]:
    with search.Indexing(pages, list(pages), keep=keep) as indexing:
        indexing.run()
        return indexing.bundle()


@pytest.fixture
def keep(tmp_path):
    """A folder to keep the indexed pages in (as the engine keeps them, in the cache folder), twice:
    what `Indexing` is given, and where the copies are."""
    kept = tmp_path / "cache" / "search" / "site"
    return kept, kept


def test_a_kept_copy_is_written_again_only_where_its_pages_changed(keep):
    name, kept = keep
    assert _indexed(_pages(5), name) == _indexed(_pages(5), None)
    site = kept / "site"
    before = {p: (site / p).stat() for p in _pages(5)}
    assert _indexed(_pages(5, changed=3), name) == _indexed(_pages(5, changed=3), None)
    after = {p: (site / p).stat() for p in _pages(5)}
    rewritten = [p for p in before if before[p].st_mtime_ns != after[p].st_mtime_ns]
    assert rewritten == ["events/e3/index.html"]
    assert all(before[p].st_ino == after[p].st_ino for p in before), "written in place"
    # Other pages: copied afresh, and still the index a fresh copy gives.
    assert _indexed(_pages(7), name) == _indexed(_pages(7), None)
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) == sorted(_pages(7))


def test_a_kept_copy_changed_by_something_else_is_copied_afresh(keep):
    name, kept = keep
    _indexed(_pages(4), name)
    page = kept / "site" / "events/e2/index.html"
    page.write_bytes(b"<html><body><main data-pagefind-body>tampered</main></body></html>")
    assert _indexed(_pages(4, changed=1), name) == _indexed(_pages(4, changed=1), None)
    assert page.read_bytes() == _pages(4)["events/e2/index.html"]


def test_a_kept_copy_in_use_by_another_process_is_left_alone(keep, monkeypatch):
    import fcntl

    name, kept = keep
    _indexed(_pages(3), name)
    seen: list[Path] = []
    real = search._run_pagefind
    monkeypatch.setattr(search, "_run_pagefind", lambda binary, root, out, count: (
        seen.append(root), real(binary, root, out, count))[1])
    with (kept / "lock").open("ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert _indexed(_pages(3, changed=1), name) == _indexed(_pages(3, changed=1), None)
    assert seen and not any(str(root).startswith(str(kept)) for root in seen)
    assert b"edited" not in (kept / "site" / "events/e1/index.html").read_bytes()


def test_copies_of_an_index_made_in_parts_are_removed(keep):
    """An earlier version made the index in parts, and kept each part's pages in pages/N-M/."""
    name, kept = keep
    parts = kept.parent / "pages"
    for part in ("2-0", "2-1"):
        (parts / part / "site" / "events").mkdir(parents=True)
    _indexed(_pages(3), name)
    assert not parts.exists()
    assert (kept / "site").is_dir()


# --- nothing in a shared temporary folder: trusted, or left behind --------------------------------

def _real_temporary() -> Path:
    """The temporary folder a build run with the suite's TMPDIR taken away uses."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    done = subprocess.run([sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"],
                          env=env, capture_output=True, text=True, check=True)
    return Path(done.stdout.strip())


def _temporary_entries() -> set[str]:
    """What the system's real temporary folder holds (not the suite's redirected one), less
    what the test runner itself makes there."""
    return {p.name for p in _real_temporary().iterdir()
            if not p.name.startswith(("pytest-", "parallax-fuzz-"))}


def _nothing_new(before: set[str]) -> None:
    """Nothing in the system's temporary folder that was not there before (this user's copies
    of earlier versions may have gone: the build removes them)."""
    assert _temporary_entries() - before == set()


def _build_process(project: Path, *extra_env: tuple[str, str]):
    """`build` in a process of its own, in the system's real temporary folder (no TMPDIR)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "TMPDIR"}
    env.update(extra_env)
    return subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "build", "--content", "content", "--out",
         "site"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(BASIC, tmp_path / "content")
    return tmp_path


def test_a_build_leaves_the_systems_temporary_folder_as_it_found_it(project):
    before = _temporary_entries()
    build = _build_process(project)
    assert build.wait(timeout=120) == 0, build.stderr.read()
    _nothing_new(before)
    # The indexed pages are kept in the project's cache folder, private to this user.
    kept = project / ".cache" / "parallax" / "search"
    (site,) = kept.iterdir()
    assert site.name == search.KEPT
    assert (site / "pages.json").is_file() and any((site / "site").iterdir())
    assert not [p for p in kept.iterdir() if p.name.startswith(search.LEFTOVER)]


def test_builds_into_new_output_folders_keep_one_copy_of_the_indexed_pages(tmp_path):
    """A folder a build makes anew each time (a CI job's, a benchmark's, a test's) beside the
    others: each one's cache folder is the same, and holds one copy of the indexed pages
    whatever the number of output folders, and none of the copies earlier versions kept (for
    each output folder, or for each part of an index made in parts)."""
    kept = tmp_path / ".cache" / "parallax" / "search"
    for old in (kept / "0123456789abcdef" / "1-0" / "site", kept / "pages" / "2-1" / "site"):
        old.mkdir(parents=True)
        (old / "index.html").write_bytes(b"<html></html>")
    for n in range(3):
        out = tmp_path / f"site-{n}"
        cached_build(_paths(BASIC, out))
        assert (out / "pagefind" / "pagefind-entry.json").is_file()
    assert sorted(p.name for p in kept.iterdir()) == [search.KEPT]
    assert (kept / search.KEPT / "pages.json").is_file()


@pytest.mark.parametrize("how", ["interrupted", "killed"])
def test_a_build_stopped_while_indexing_leaves_nothing_the_next_build_keeps(project, how):
    import signal
    import time

    slow = project / "slow-pagefind"
    slow.write_text("#!/bin/sh\n"
                    '[ "$1" = --version ] && echo "pagefind 1.5.2" && exit 0\n'
                    f'exec "{sys.executable}" -c "import time; time.sleep(60)"\n')
    slow.chmod(0o755)
    before = _temporary_entries()
    build = _build_process(project, ("PAGEFIND_BINARY_PATH", str(slow)))
    kept = project / ".cache" / "parallax" / "search"
    deadline = time.monotonic() + 60
    while not (kept.is_dir() and any(p.name.startswith(search.LEFTOVER) for p in kept.iterdir())):
        assert time.monotonic() < deadline and build.poll() is None, build.stderr.read()
        time.sleep(0.05)
    time.sleep(0.3)  # the slow indexer is running
    os.killpg(build.pid, signal.SIGINT if how == "interrupted" else signal.SIGKILL)
    build.wait(timeout=60)
    leftovers = [p for p in kept.iterdir() if p.name.startswith(search.LEFTOVER)]
    if how == "interrupted":
        assert leftovers == [], "Ctrl-C removes the build's temporary folder"
    _nothing_new(before)
    # The next build removes what a killed one left, and builds.
    again = _build_process(project)
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert not [p for p in kept.iterdir() if p.name.startswith(search.LEFTOVER)]
    _nothing_new(before)


def test_a_kept_folder_others_may_write_is_not_used(keep):
    kept, _ = keep
    _indexed(_pages(3), kept)
    planted = kept / "site" / "events" / "planted" / "index.html"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"<html><body><main data-pagefind-body>planted</main></body></html>")
    kept.chmod(0o777)  # anyone on the machine could have put it there
    assert _indexed(_pages(3, changed=1), kept) == _indexed(_pages(3, changed=1), None)
    assert planted.exists(), "left alone, and not indexed"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_kept_folder_of_another_user_is_not_used(keep):
    kept, _ = keep
    _indexed(_pages(3), kept)
    os.chown(kept, 65534, 65534)
    assert not search._private(kept)
    assert _indexed(_pages(3, changed=1), kept) == _indexed(_pages(3, changed=1), None)


def test_copies_earlier_versions_kept_in_the_temporary_folder_are_removed(tmp_path):
    import tempfile

    mine = Path(tempfile.gettempdir()) / f"parallax-search-{os.geteuid()}-0123456789abcdef"
    (mine / "1-0" / "site").mkdir(parents=True)
    elsewhere = tmp_path / "not-a-copy"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("kept")
    link = Path(tempfile.gettempdir()) / f"parallax-search-{os.geteuid()}-link"
    link.symlink_to(elsewhere)
    try:
        search._forget_old_copies.__wrapped__()
        assert not mine.exists()
        assert (elsewhere / "keep.txt").read_text() == "kept", "a link is not followed"
    finally:
        link.unlink(missing_ok=True)
        shutil.rmtree(mine, ignore_errors=True)



def test_kept_copies_are_used_under_a_group_writable_umask(keep):
    kept, _ = keep
    old = os.umask(0o002)  # Ubuntu's default for users with a group of their own
    try:
        assert search._private(kept)
        _indexed(_pages(3), kept)
    finally:
        os.umask(old)
    assert (kept / "site" / "events/e1/index.html").is_file()
    for folder in (kept, *list(kept.parents)[:3]):
        assert folder.stat().st_mode & 0o077 == 0, folder


def test_a_cache_folder_others_may_write_keeps_no_copies(keep):
    kept, _ = keep
    _indexed(_pages(3), kept)
    cache_folder = kept.parent.parent  # the project's .cache/parallax, in the engine's layout
    cache_folder.chmod(0o777)
    assert not search._private(kept)


def test_a_stopped_build_does_not_wait_for_an_indexer_that_cannot_start(tmp_path, monkeypatch):
    """A Ctrl-C inside an import can leave the interpreter's import lock held, and the thread
    about to start Pagefind then waits for it forever: the stopped build waits only
    `STOPPING` seconds for that thread, then ends with the interrupt, not a hang."""
    import threading
    import time

    from parallax.engine import indexing

    never = threading.Event()

    class Stuck:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def run(self):
            never.wait(20)  # as a thread blocked on a lock its builder holds (20 s: no hang here)

    monkeypatch.setattr(indexing.search, "Indexing", Stuck)
    monkeypatch.setattr(indexing, "STOPPING", 0.5, raising=False)
    index = object.__new__(indexing.SearchIndex)
    index.todo, index.pages = ["events/a/index.html"], {}
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), index.running(None, tmp_path / "site"):
        raise KeyboardInterrupt
    assert time.monotonic() - started < 5
    never.set()
