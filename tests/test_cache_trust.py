"""The build cache decodes only what this user's own builds wrote: every pickled or marshalled
cache file is signed with a key kept outside the work tree, and a file that is not is ignored
with one line, never unpickled (unpickling runs whatever the file says)."""

from __future__ import annotations

import hmac
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax import cache
from parallax.cli import main

BASIC = FIXTURES / "basic" / "content"


@pytest.fixture
def own_key(tmp_path, monkeypatch):
    """A config folder (and so a cache key) of this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for clear in (cache._key.cache_clear, cache._said.clear, cache._untrusted.clear):
        clear()
    yield tmp_path / "config" / "parallax" / "cache-key"
    for clear in (cache._key.cache_clear, cache._said.clear, cache._untrusted.clear):
        clear()


class _Plant:
    """Unpickled, it leaves a file behind: proof that the cache ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _crafted(path: Path, marker: Path, key: bytes) -> None:
    """A cache file as an attacker would commit it: the right header (every part of it can be
    worked out from public facts), a pickle that runs code, signed with a key of their own."""
    body = cache.generation() + b"p" + pickle.dumps(_Plant(marker))
    path.write_bytes(body + hmac.digest(key, body, "sha256"))


def _name(out: Path) -> str:
    return cache.BuildCache(out.parent)._name(out)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "clone"
    shutil.copytree(BASIC, project / "content")
    return project


def _build(project: Path, config: Path) -> subprocess.CompletedProcess:
    """`build` as an editor runs it: a new process, in the project's folder."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    return subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), "build", "--content", "content", "--out", "site",
         "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_cache_committed_to_a_branch_runs_nothing(tmp_path):
    # The contributor builds on their machine, then commits every cache file, replaced by one
    # that runs code, beside a typo fix.
    project = _project(tmp_path)
    first = _build(project, tmp_path / "contributor")
    assert first.returncode == 0, first.stderr
    folder = project / ".cache" / "parallax"
    decoded = sorted(p for p in folder.iterdir() if p.suffix in (".pickle", ".memo"))
    assert {p.name for p in decoded} >= {"engine.pickle", "templates.pickle", "records.memo",
                                         f"build-{_name(project / 'site')}.pickle"}, first.stderr
    marker = tmp_path / "ran"
    attacker = os.urandom(32)
    for path in decoded:
        _crafted(path, marker, attacker)
    shutil.rmtree(project / "site")
    # The editor builds the branch with their own key.
    done = _build(project, tmp_path / "editor")
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "a cache file from the branch ran code"
    # One line says so: the first such file the build came to, and its folder.
    said = (f"{folder / 'build-'}{_name(project / 'site')}.pickle:1: cache: not signed by this "
            f"user's builds (damaged, or made elsewhere); it and any other such file in "
            f"{folder}/ are ignored, and the build goes on without them")
    assert [line for line in done.stderr.splitlines() if ": cache: " in line] == [said], \
        done.stderr
    # What the build read instead of the planted files: its own work, the same site as a
    # cold build's.
    cold = _project(tmp_path / "cold")
    assert _build(cold, tmp_path / "editor").returncode == 0
    assert snapshot_tree(project / "site") == snapshot_tree(cold / "site")
    # Its own cache now holds its own signed files, and the next build reads them.
    again = _build(project, tmp_path / "editor")
    assert again.returncode == 0 and ": cache: " not in again.stderr, again.stderr
    assert not marker.exists()


def test_a_cache_file_signed_with_this_users_key_is_read(own_key, tmp_path, capsys):
    project = _project(tmp_path)
    out = project / "site"
    assert main(["build", "--content", str(project / "content"), "--out", str(out)]) == 0
    record = next((project / ".cache" / "parallax").glob("build-*.pickle"))
    data = cache._read(record)
    assert isinstance(data, cache.LastBuild)
    assert own_key.stat().st_mode & 0o777 == 0o600
    # One byte changed anywhere in the file, and it is not decoded.
    damaged = bytearray(record.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    record.write_bytes(bytes(damaged))
    assert cache._read(record) is None
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"{record}:1: cache: not signed by this user's builds (damaged, or made elsewhere); "
        f"it and any other such file in {record.parent}/ are ignored, and the build goes on "
        "without them")


@pytest.mark.parametrize("mode, problem", [
    (0o644, "the key may be read or written by others (mode 644)"),
    (0o620, "the key may be read or written by others (mode 620)"),
])
def test_a_key_others_may_read_turns_the_cache_off(own_key, tmp_path, capsys, mode, problem):
    project = _project(tmp_path)
    args = ["build", "--content", str(project / "content"), "--out", str(project / "site")]
    assert main(args) == 0
    own_key.chmod(mode)
    cache._key.cache_clear()
    shutil.rmtree(project / ".cache")
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"{own_key}:1: cache: {problem}; builds go on without the cache (delete the file, or "
        "make its folder and it private to you, and the next build makes a new key)")
    assert not any((project / ".cache" / "parallax").glob("*.pickle")), "nothing kept unsigned"


def test_a_key_that_is_a_link_is_not_followed(own_key, tmp_path, capsys):
    elsewhere = tmp_path / "shared-key"
    elsewhere.write_bytes(os.urandom(32))
    elsewhere.chmod(0o600)
    own_key.parent.mkdir(parents=True, mode=0o700)
    own_key.symlink_to(elsewhere)
    assert cache._key() is None
    assert capsys.readouterr().err.startswith(
        f"{own_key}:1: cache: the key cannot be made or read (")


def test_a_key_folder_others_may_write_turns_the_cache_off(own_key, capsys):
    own_key.parent.mkdir(parents=True)
    own_key.parent.chmod(0o777)
    assert cache._key() is None
    assert capsys.readouterr().err == (
        f"{own_key}:1: cache: its folder may be written by others (mode 777); builds go on "
        "without the cache (delete the file, or make its folder and it private to you, and "
        "the next build makes a new key)\n")


def test_the_key_is_made_once_and_kept(own_key):
    first = cache._key()
    assert first is not None and len(first) == 32
    cache._key.cache_clear()
    assert cache._key() == first == own_key.read_bytes()
    assert own_key.stat().st_mode & 0o777 == 0o600
    assert own_key.parent.stat().st_mode & 0o077 == 0


def test_a_pack_put_in_the_cache_folder_never_reaches_the_site(own_key, tmp_path, capsys):
    """git overwrites ignored files on checkout: a branch that force-adds the pack beside
    this user's own (signed) record must not get its bytes published."""
    project = _project(tmp_path)
    args = ["build", "--content", str(project / "content"), "--out", str(project / "site")]
    assert main(args) == 0
    expected = snapshot_tree(project / "site")
    (pack,) = (project / ".cache" / "parallax").glob("site-*.pack")
    planted = bytearray(pack.read_bytes())
    at = planted.find(b"<main")
    planted[at:at + 5] = b"<xss "  # the same size: only the bytes differ
    pack.write_bytes(bytes(planted))
    shutil.rmtree(project / "site")  # every file is to be restored from the pack
    assert main(args) == 0, capsys.readouterr().err
    site = snapshot_tree(project / "site")
    assert site == expected
    assert not any(b"<xss " in data for data in site.values())


def test_an_edit_after_the_pack_grew_is_checked_too(own_key, tmp_path, capsys):
    project = _project(tmp_path)
    args = ["build", "--content", str(project / "content"), "--out", str(project / "site")]
    assert main(args) == 0
    event = next((project / "content" / "events").glob("*.md"))
    event.write_text(event.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                     encoding="utf-8")
    assert main(args) == 0  # appends to the pack
    (pack,) = (project / ".cache" / "parallax").glob("site-*.pack")
    record = cache._read(next((project / ".cache" / "parallax").glob("build-*.pickle")))
    assert len(record.pack_ends) == 2, "the edit's pages were appended"
    expected = snapshot_tree(project / "site")
    data = bytearray(pack.read_bytes())
    data[record.pack_ends[0] + 10] ^= 0x20  # a byte of the appended part
    pack.write_bytes(bytes(data))
    shutil.rmtree(project / "site")
    assert main(args) == 0
    assert snapshot_tree(project / "site") == expected
