"""The engine under faults (issue 26): edits never missed, a damaged cache never reaching the
site, site/ changed all at once or not at all, one build at a time, and every failure of the
operating system one line."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax import cache
from parallax.build import Paths, build
from parallax.engine import ReusedBuild, cached_build

BASIC = FIXTURES / "basic" / "content"
HOUR = 3600 * 10**9


def _site(tmp_path: Path) -> Paths:
    """A copy of the fixture site, its own templates and static files, output in site/."""
    shutil.copytree(BASIC, tmp_path / "content")
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    shutil.copytree(PROJECT / "static", tmp_path / "static")
    return Paths(tmp_path / "content", tmp_path / "site", tmp_path / "templates",
                 tmp_path / "static")


def _cold(paths: Paths, out: Path) -> dict[str, bytes]:
    """What a cold build (no cache) of the same inputs writes."""
    build(Paths(paths.content, out, paths.templates, paths.static), jobs=1)
    tree = snapshot_tree(out)
    shutil.rmtree(out)
    return tree


def _same_size_edit(path: Path) -> None:
    """One letter of the file's last line of text changed, its size and modification time kept
    (as `rsync -t`, `tar` or some editors leave a file)."""
    before = os.stat(path)
    text = path.read_text(encoding="utf-8").rstrip("\n")
    at = max(i for i, c in enumerate(text) if c.isalpha())
    swapped = "x" if text[at] != "x" else "y"
    path.write_text(text[:at] + swapped + text[at + 1:] + "\n", encoding="utf-8")
    assert os.stat(path).st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


# --- change detection never misses ---------------------------------------------------------------


def test_a_same_size_edit_with_its_modification_time_put_back_is_built(tmp_path, monkeypatch):
    """The files are old when the builds run (an hour later: their size and times are
    settled), so only the change time tells the edit."""
    monkeypatch.setattr(cache, "now_ns", lambda: time.time_ns() + HOUR)
    paths = _site(tmp_path)
    cached_build(paths, jobs=1)
    event = sorted((paths.content / "events").glob("*.md"))[1]
    original = event.read_bytes()
    _same_size_edit(event)
    edited = cached_build(paths, jobs=1)
    assert not isinstance(edited, ReusedBuild)
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")
    # An ordinary revert afterwards is built too (the edit's hash, not a stale one, is kept).
    event.write_bytes(original)
    assert not isinstance(cached_build(paths, jobs=1), ReusedBuild)
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")


def test_two_saves_within_one_timestamp_step_are_both_built(tmp_path, monkeypatch):
    """On a file system whose timestamps move in whole seconds, a second save of the same size
    within the same second leaves size and times as they were: the file was read within a
    step of its last change, so it is read again."""
    paths = _site(tmp_path)
    event = sorted((paths.content / "events").glob("*.md"))[1]
    real_stat = os.stat
    frozen: dict[str, os.stat_result] = {}

    def coarse(path):
        found = real_stat(path)
        key = os.path.abspath(path)
        if key == str(event.resolve()):
            # Both saves fall within one second: the second shows the first's times.
            if key not in frozen:
                frozen[key] = found
            seen = frozen[key]
            fields = list(found)
            fields[1], fields[8], fields[9] = seen.st_ino, seen.st_mtime, seen.st_ctime
            result = os.stat_result(fields, {"st_mtime_ns": seen.st_mtime_ns,
                                             "st_ctime_ns": seen.st_ctime_ns,
                                             "st_atime_ns": found.st_atime_ns})
            return result
        return found

    monkeypatch.setattr(cache, "file_stat", coarse)
    cached_build(paths, jobs=1)
    _same_size_edit(event)
    assert not isinstance(cached_build(paths, jobs=1), ReusedBuild)
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")


def test_settled_files_are_not_read_again(tmp_path, monkeypatch):
    """The shortcut stays: an hour later, a no-op build reads no content file."""
    monkeypatch.setattr(cache, "now_ns", lambda: time.time_ns() + HOUR)
    paths = _site(tmp_path)
    cached_build(paths, jobs=1)
    cached_build(paths, jobs=1)  # the first saw its files settled only now: a second to settle
    opened: list[str] = []
    real_open = open

    def watching(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching)
    assert isinstance(cached_build(paths, jobs=1), ReusedBuild)
    assert not [p for p in opened if p.startswith(str(paths.content))]
