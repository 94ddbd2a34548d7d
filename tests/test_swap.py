"""How site/ is swapped (parallax/write.py) where the whole folder cannot be renamed (a bind
mount, an overlay's lower layer), where folders cannot be exchanged in one step, where files
cannot be linked; and what a swap keeps of site/ (its mode and group)."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import test_faults
from conftest import snapshot_tree
from test_faults import _args, _cold, _edit_event, _leftovers, _site

from parallax import write
from parallax.build import Paths, build
from parallax.engine import cached_build

mount = test_faults.mount  # (the fixture: a tmpfs mounted where the machine allows)


def _run(name: str, *arguments: str) -> bool:
    tool = test_faults.system_tool(name)
    return tool is not None and subprocess.run(
        [tool, *arguments], capture_output=True, check=False).returncode == 0


@pytest.fixture
def mounts():
    """mounts(*mount arguments): a mount made (skipped where the tests may not mount), undone
    after the test."""
    made: list[str] = []

    def make(*arguments: str) -> None:
        if not _run("mount", *arguments):
            pytest.skip(f"this machine does not let the tests mount ({' '.join(arguments)})")
        made.append(arguments[-1])

    yield make
    for point in reversed(made):
        subprocess.run([test_faults.system_tool("umount") or "umount", "-l", point], check=False)


# --- a bind mount, an overlay ---------------------------------------------------------------------


def test_a_bind_mount_of_the_same_file_system_is_built(tmp_path, run_cli, mounts):
    """os.path.ismount does not see it (same device); /proc/self/mountinfo does."""
    paths = _site(tmp_path)
    source = tmp_path / "bound"
    source.mkdir()
    paths.out.mkdir()
    mounts("--bind", str(source), str(paths.out))
    assert not os.path.ismount(paths.out) and write.is_mount(paths.out)
    for n in range(3):
        code, _out, err = run_cli(*_args(paths))
        assert code == 0, err
        assert err == ""
        assert snapshot_tree(paths.out) == _cold(paths, tmp_path / f"cold-{n}")
        assert snapshot_tree(source) == snapshot_tree(paths.out)
        assert _leftovers(paths) == []
        _edit_event(paths, f"Line {n}.")


def test_a_bind_mount_not_found_as_one_is_built_entry_by_entry(tmp_path, run_cli, mounts,
                                                                  monkeypatch):
    """Where /proc/self/mountinfo cannot be read either: the swap fails (EBUSY), and the new
    tree is made again inside site/ (it cannot be moved there: another mount) and swapped
    entry by entry."""
    paths = _site(tmp_path)
    source = tmp_path / "bound"
    source.mkdir()
    paths.out.mkdir()
    mounts("--bind", str(source), str(paths.out))
    monkeypatch.setattr(write, "is_mount", lambda out: False)
    for n in range(2):
        code, _out, err = run_cli(*_args(paths))
        assert code == 0, err
        assert snapshot_tree(paths.out) == _cold(paths, tmp_path / f"cold-{n}")
        assert _leftovers(paths) == []
        _edit_event(paths, f"Line {n}.")


def _overlay(paths: Paths, mount, mounts, name: str = "disk") -> tuple[Paths, Path]:
    """site/ built in the lower layer of an overlay (redirect_dir=off, as Docker's default):
    the paths with the output in the merged folder, and the merged folder."""
    disk = mount(paths.content.parent / name, size="64m")
    lower, upper, work, merged = (disk / name for name in ("lower", "upper", "work", "merged"))
    for folder in (lower, upper, work, merged):
        folder.mkdir()
    build(Paths(paths.content, lower / "site", paths.templates, paths.static), jobs=1)
    mounts("-t", "overlay", "overlay", "-o", f"lowerdir={lower},upperdir={upper},workdir={work},"
           "redirect_dir=off", str(merged))
    return Paths(paths.content, merged / "site", paths.templates, paths.static), merged


def test_an_output_in_an_overlays_lower_layer_is_built_file_by_file(
        tmp_path, run_cli, mount, mounts):
    paths, merged = _overlay(_site(tmp_path), mount, mounts)
    with pytest.raises(OSError) as caught:
        os.rename(paths.out, merged / "elsewhere")
    assert caught.value.errno == errno.EXDEV  # (what made every build fail)
    (paths.content / "pages" / "about.md").unlink()  # a folder of the lower layer taken out
    for n in range(3):
        _edit_event(paths, f"Line {n}.")
        code, _out, err = run_cli(*_args(paths))
        assert code == 0, err
        notices = [line for line in err.splitlines() if "file by file" in line]
        # Once per process: the first build says it.
        assert len(notices) == (1 if n == 0 else 0), err
        assert notices == [] or notices[0].startswith(
            f"{paths.out}/: its file system cannot swap folders in one step")
        # (a cold build on the same file system: the search index follows the order its
        # folders list their files in)
        assert snapshot_tree(paths.out) == _cold(paths, merged.parent / f"cold-{n}")
        assert _leftovers(paths) == []


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_failure_in_a_file_by_file_swap_leaves_site_as_it_was(
        tmp_path, run_cli, mount, mounts, monkeypatch, where):
    """Failing at a rename of the build's commit (counted on another overlay first)."""
    paths = _site(tmp_path)
    (paths.content / "pages" / "about.md").rename(tmp_path / "about.md")
    counted, _merged = _overlay(paths, mount, mounts, "counted")
    failing, _merged = _overlay(paths, mount, mounts, "failing")
    (tmp_path / "about.md").rename(paths.content / "pages" / "about.md")  # a folder added
    _edit_event(paths)
    renames: list[str] = []
    monkeypatch.setattr(write, "on_step", lambda what, path: renames.append(path) if (
        what == "rename" and path.startswith(f"{counted.out}/")) else None)
    assert run_cli(*_args(counted))[0] == 0
    assert snapshot_tree(counted.out) == _cold(paths, _merged.parent / "cold")
    at = {"first": 0, "middle": len(renames) // 2, "last": len(renames) - 1}[where]
    before = snapshot_tree(failing.out)
    seen = iter(range(10**6))

    def fail(what, path):
        if what == "rename" and path.startswith(f"{failing.out}/") and next(seen) == at:
            raise OSError(errno.EIO, os.strerror(errno.EIO), path)

    monkeypatch.setattr(write, "on_step", fail)
    code, _out, err = run_cli(*_args(failing))
    monkeypatch.setattr(write, "on_step", None)
    assert code == 1, err
    assert err.strip().splitlines()[-1].endswith(f"{failing.out}/ was left as it was."), err
    assert snapshot_tree(failing.out) == before
    assert _leftovers(failing) == []
    assert run_cli(*_args(failing))[0] == 0
    assert snapshot_tree(failing.out) == snapshot_tree(counted.out)


# --- a mount point's swap undone on a failure ----------------------------------------------------


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
def test_a_failure_on_the_nth_swap_in_a_mount_point_puts_back_the_old_site(
        tmp_path, run_cli, mount, monkeypatch, exchange, code):
    paths = _site(tmp_path)
    mount(paths.out)
    if not exchange:
        monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    assert run_cli(*_args(paths))[0] == 0
    _edit_event(paths)
    (paths.content / "pages" / "about.md").unlink()  # a top-level entry taken out too
    before = snapshot_tree(paths.out)
    entries = sorted(os.listdir(paths.out))
    swaps = []
    monkeypatch.setattr(write, "on_step", lambda what, path: swaps.append(path) if (
        what == "rename" and os.path.dirname(path) == str(paths.out)) else None)
    assert run_cli(*_args(paths))[0] == 0
    monkeypatch.setattr(write, "on_step", None)
    new = snapshot_tree(paths.out)
    assert len(swaps) >= 4 and new != before
    # Back to the old site: the same build again, failing at its 3rd swap and at its last.
    for at in (2, len(swaps) - 1):
        for name in os.listdir(paths.out):
            shutil.rmtree(paths.out / name) if (paths.out / name).is_dir() else (
                paths.out / name).unlink()
        for relative, data in before.items():
            (paths.out / relative).parent.mkdir(parents=True, exist_ok=True)
            (paths.out / relative).write_bytes(data)
        seen = iter(range(10**6))

        def fail(what, path, at=at, seen=seen):
            if what == "rename" and os.path.dirname(path) == str(paths.out) and next(seen) == at:
                raise OSError(code, os.strerror(code), path)

        monkeypatch.setattr(write, "on_step", fail)
        status, _out, err = run_cli(*_args(paths))
        monkeypatch.setattr(write, "on_step", None)
        assert status == 1
        (line,) = err.strip().splitlines()
        assert line.endswith(f"{paths.out}/ was left as it was."), line
        assert snapshot_tree(paths.out) == before, at
        assert sorted(os.listdir(paths.out)) == entries, at
        assert _leftovers(paths) == []
    assert run_cli(*_args(paths))[0] == 0
    assert snapshot_tree(paths.out) == new


# --- a kill between the two renames -------------------------------------------------------------


def test_a_kill_between_the_two_renames_loses_no_site(tmp_path, monkeypatch):
    """Where folders cannot be exchanged in one step: killed after site/ was renamed away and
    before the new tree took its place, the next build puts the old site back (not removes
    it), then builds."""
    from test_kill import _killed_at, _prepare, _steps

    paths, old, new, keep = _prepare(tmp_path)
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    steps = _steps(paths, keep, monkeypatch)
    at = next(n for n, (what, path) in enumerate(steps)
              if what == "rename" and os.path.basename(path).startswith(".site.new-"))
    assert steps[at - 1] == ("rename", str(paths.out.resolve()))
    _killed_at(paths, at)
    assert not paths.out.exists()
    assert [p.name for p in paths.out.parent.iterdir() if p.name.startswith(".site.old-")]
    write.clear_leftovers(paths.out)
    assert snapshot_tree(paths.out) == old
    assert not [p for p in paths.out.parent.iterdir() if p.name.startswith(".site.")]
    cached_build(paths, jobs=1)
    assert snapshot_tree(paths.out) == new


def test_renameat2_is_looked_up_only_on_linux(monkeypatch):
    monkeypatch.setattr(write.sys, "platform", "darwin")
    write._renameat2.cache_clear()
    try:
        assert write._exchange("/nonexistent-a", "/nonexistent-b") is False
    finally:
        write._renameat2.cache_clear()


def test_the_exchange_swaps_two_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a", encoding="utf-8")
    if not write._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no renameat2 here")
    assert (tmp_path / "b" / "x").read_text(encoding="utf-8") == "a"
    assert not (tmp_path / "a" / "x").exists()


# --- what a swap keeps of site/ --------------------------------------------------------------------


def test_a_build_keeps_site_folders_mode_and_group(tmp_path, run_cli):
    paths = _site(tmp_path)
    assert run_cli(*_args(paths))[0] == 0
    group = 4321 if os.geteuid() == 0 else os.getegid()
    folders = {paths.out: 0o2750, paths.out / "events": 0o2750, paths.out / "about": 0o705,
               paths.out / "data": 0o555}
    for folder, mode in folders.items():
        os.chown(folder, -1, group)
        os.chmod(folder, mode)
    os.chmod(paths.out / "events" / "2021-03-03-crack-found", 0o2700)

    def owners() -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(paths.out)): (stat.S_IMODE(p.stat().st_mode), p.stat().st_gid)
                for p in [paths.out, *paths.out.rglob("*")] if p.is_dir()}

    before = owners()
    _edit_event(paths)
    code, _out, err = run_cli(*_args(paths))
    assert code == 0, err
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")
    assert owners() == before
    for folder, mode in folders.items():
        assert before[str(folder.relative_to(paths.out))] == (mode, group)
    assert _leftovers(paths) == []


# --- where files cannot be linked -----------------------------------------------------------------


def _three_builds(paths: Paths, monkeypatch, links: bool) -> tuple[int, frozenset[str]]:
    """A build, a one-edit build and another (files linked or not from the second on): how
    many links were refused, and what the third was told site/ holds as the last build left
    it."""
    cached_build(paths, jobs=1)
    real_link = os.link
    refused: list[str] = []

    def no_links(source, target, *args, **kwargs):
        if ".site.new-" in str(target):
            refused.append(target)
            raise OSError(errno.EPERM, os.strerror(errno.EPERM), str(target))
        return real_link(source, target, *args, **kwargs)

    given: list[frozenset[str]] = []
    real_init = write.Staging.__init__

    def watching(self, out, unchanged=frozenset()):
        given.append(unchanged)
        real_init(self, out, unchanged)

    with monkeypatch.context() as patch:
        if not links:
            patch.setattr(os, "link", no_links)
        _edit_event(paths)
        cached_build(paths, jobs=1)
        patch.setattr(write.Staging, "__init__", watching)
        _edit_event(paths, "A second line.")
        cached_build(paths, jobs=1)
    (unchanged,) = given
    return len(refused), unchanged


def test_copies_keep_their_modification_time_so_the_next_build_trusts_them(
        tmp_path, monkeypatch):
    """Where files cannot be linked, the copies keep the modification time the build cache
    knows them by: the next build takes them as they are, as it does linked files (not read
    back, nor taken for changed)."""
    linked = _site(tmp_path / "linked")
    _none, trusted = _three_builds(linked, monkeypatch, links=True)
    paths = _site(tmp_path)
    refused, unchanged = _three_builds(paths, monkeypatch, links=False)
    files = snapshot_tree(paths.out)
    assert refused > len(files)  # (both builds copied what they kept)
    assert "about/index.html" in unchanged and len(unchanged) >= len(files) // 3
    assert unchanged == trusted, sorted(trusted ^ unchanged)
    assert files == snapshot_tree(linked.out)
