"""A damaged cache never reaches the site (issue 26): every file of the cache folder in turn
zeroed (same size), cut short, or with one byte flipped, then an event edited and the site
built: each result is what a cold build writes."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax.build import Paths, build
from parallax.engine import cached_build

BASIC = FIXTURES / "basic" / "content"


def _zero(data: bytes) -> bytes:
    return bytes(len(data))


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip(data: bytes) -> bytes:
    if not data:
        return b"\x01"
    middle = bytearray(data)
    middle[len(data) // 2] ^= 0x20
    return bytes(middle)


FAULTS = {"zeroed": _zero, "truncated": _truncate, "flipped": _flip}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project built twice (the pack appended to once), an edit to make, and what a cold
    build makes after it."""
    root = tmp_path_factory.mktemp("faults")
    project = root / "project"
    shutil.copytree(BASIC, project / "content")
    paths = Paths(project / "content", project / "site", PROJECT / "templates", PROJECT / "static")
    cached_build(paths, jobs=1)
    events = sorted((paths.content / "events").glob("*.md"))
    events[0].write_text(events[0].read_text(encoding="utf-8") + "\nAn earlier edit.\n",
                         encoding="utf-8")
    cached_build(paths, jobs=1)
    keep = root / "start"
    shutil.copytree(project, keep)
    edited = events[1].read_text(encoding="utf-8") + "\nThe edit after the damage.\n"
    events[1].write_text(edited, encoding="utf-8")
    build(Paths(paths.content, root / "cold", paths.templates, paths.static), jobs=1)
    expected = snapshot_tree(root / "cold")
    files = sorted(p.relative_to(keep).as_posix() for p in (keep / ".cache").rglob("*")
                   if p.is_file() and not p.name.startswith("lock-"))
    return root, keep, paths, events[1], edited, expected, files


def _each(built, fault: str, *, without_site: bool = False) -> None:
    root, keep, paths, event, edited, expected, files = built
    assert any(f.endswith(".pack") for f in files) and any(f.endswith(".memo") for f in files)
    assert any("/search/" in f for f in files), "the kept search copies are damaged too"
    for name in files:
        shutil.rmtree(root / "project")
        shutil.copytree(keep, root / "project")
        if without_site:
            shutil.rmtree(paths.out)
        damaged = root / "project" / name
        damaged.write_bytes(FAULTS[fault](damaged.read_bytes()))
        event.write_text(edited, encoding="utf-8")
        cached_build(paths, jobs=1)
        assert snapshot_tree(paths.out) == expected, f"{name} {fault}"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_damaged_cache_file_never_reaches_the_site(built, fault):
    _each(built, fault)


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_damaged_cache_file_never_reaches_a_site_made_afresh(built, fault):
    _each(built, fault, without_site=True)


def test_each_damaged_file_of_the_pack_is_one_notice_and_never_a_failure(built, capsys):
    """One byte flipped in each file of the pack in turn, site/ as the last build left it (so
    the build does not need to read that file): the build succeeds with the cold build's
    site (a damaged file it does read is one notice), and the build after it succeeds too."""
    from parallax.cache import BuildCache

    root, keep, paths, event, edited, expected, files = built
    pack = next(name for name in files if name.endswith(".pack"))
    shutil.rmtree(root / "project")
    shutil.copytree(keep, root / "project")
    record = BuildCache.beside(paths.out).last(paths.out)
    assert record is not None and record.index
    for path, (offset, length) in sorted(record.index.items()):
        shutil.rmtree(root / "project")
        shutil.copytree(keep, root / "project")
        damaged = root / "project" / pack
        data = bytearray(damaged.read_bytes())
        data[offset + length // 2] ^= 0x20
        damaged.write_bytes(bytes(data))
        event.write_text(edited, encoding="utf-8")
        cached_build(paths, jobs=1)
        assert snapshot_tree(paths.out) == expected, path
        assert "Traceback" not in capsys.readouterr().err, path
        event.write_text(edited + "\nOne more edit.\n", encoding="utf-8")
        cached_build(paths, jobs=1)
