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


# --- site/ changed all at once; one build at a time; every OS failure one line ---------------

def _args(paths: Paths, *more: str) -> list[str]:
    return ["build", "--content", str(paths.content), "--out", str(paths.out), "--templates",
            str(paths.templates), "--static", str(paths.static), *more]


def _leftovers(paths: Paths) -> list[str]:
    """What builds left beside or inside site/ (their new and old trees) and in the cache
    folder (half-written files)."""
    beside = [p.name for p in paths.out.parent.iterdir() if p.name.startswith(f".{paths.out.name}.")]
    inside = [p.name for p in paths.out.iterdir() if p.name.startswith(".parallax-")] if (
        paths.out.is_dir()) else []
    folder = paths.out.parent / ".cache" / "parallax"
    half = [p.name for p in folder.glob(".*.tmp")] if folder.is_dir() else []
    return beside + inside + half


def _edit_event(paths: Paths, words: str = "One more line.") -> None:
    event = sorted((paths.content / "events").glob("*.md"))[1]
    event.write_text(event.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def test_a_build_changes_site_by_one_swap_and_keeps_unchanged_files(tmp_path, run_cli):
    paths = _site(tmp_path)
    assert run_cli(*_args(paths))[0] == 0
    inode = os.stat(paths.out / "about" / "index.html").st_ino
    _edit_event(paths)
    code, _out, err = run_cli(*_args(paths))
    assert code == 0, err
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")
    assert not paths.out.is_symlink() and paths.out.is_dir()
    # An unchanged page is the same file (linked into the new tree, not copied).
    assert os.stat(paths.out / "about" / "index.html").st_ino == inode
    assert _leftovers(paths) == []
    # A build that changes nothing makes no new tree.
    code, out, err = run_cli(*_args(paths))
    assert code == 0 and "0 written" in out


def test_a_build_into_a_folder_serve_holds_is_refused_at_once(tmp_path, run_cli):
    paths = _site(tmp_path)
    with cache.BuildCache.beside(paths.out).lock(paths.out, "serve"):
        started = time.monotonic()
        code, _out, err = run_cli(*_args(paths))
    assert time.monotonic() - started < 5
    assert code == 1 and not paths.out.exists()
    assert err.strip().splitlines() == [(
        f"{paths.out}: `parallax serve` (pid {os.getpid()}) is serving this folder and rebuilds "
        "it on every save; stop it (Ctrl-C) before building into it, or build into another "
        "folder with --out.")]


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path, run_cli):
    import threading

    paths = _site(tmp_path)
    lock = cache.BuildCache.beside(paths.out).lock(paths.out, "build").__enter__()
    threading.Timer(1.0, lock.close).start()
    code, _out, err = run_cli(*_args(paths))
    assert code == 0, err
    assert err.strip().splitlines() == [
        f"waiting for another build into {paths.out}/ (pid {os.getpid()}) to finish …"]
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")


def test_the_lock_dies_with_its_process(tmp_path, run_cli):
    """A build killed outright (SIGKILL) holds the folder no longer."""
    import subprocess
    import sys

    paths = _site(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from parallax import cache; "
        "out = Path(sys.argv[1]); cache.BuildCache.beside(out).lock(out).__enter__(); "
        "print('held', flush=True); time.sleep(60)"), str(paths.out)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        holder.kill()
        holder.wait()
        code, _out, err = run_cli(*_args(paths))
        assert code == 0 and "waiting" not in err
    finally:
        holder.kill()


def test_an_output_path_under_a_file_is_one_line(tmp_path, run_cli):
    paths = _site(tmp_path)
    (tmp_path / "plain").write_text("a file\n", encoding="utf-8")
    paths = Paths(paths.content, tmp_path / "plain" / "site", paths.templates, paths.static)
    code, _out, err = run_cli(*_args(paths))
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(str(tmp_path / "plain"))
    assert "a part of the path is a file, not a folder; move that file away, or choose " \
           "another folder with --out" in line


def test_an_output_path_that_is_a_file_is_one_line(tmp_path, run_cli):
    paths = _site(tmp_path)
    paths.out.write_text("not a folder\n", encoding="utf-8")
    code, _out, err = run_cli(*_args(paths))
    assert code == 1 and paths.out.read_text(encoding="utf-8") == "not a folder\n"
    assert err.strip().splitlines() == [(
        f"{paths.out}:1: a part of the path is a file, not a folder; move that file away, or "
        f"choose another folder with --out; {paths.out}/ was left as it was.")]


@pytest.mark.parametrize("code, what", [
    (28, ("no space left on its device; free some space, or build into a folder on another "
          "device with --out")),
    (30, "its file system is read-only; build into a writable folder with --out"),
    (13, ("permission denied; make it (and the folder holding it) writable by you, or choose "
          "another folder with --out")),
])
def test_an_os_failure_at_any_step_is_one_line_and_leaves_site_as_it_was(
        tmp_path, run_cli, monkeypatch, code, what):
    """The failure injected at the write layer before each step of the build in turn (the
    first, a middle one, the swap): one line naming the path, exit 1, site/ as it was, nothing
    left behind, and the next build is a cold one's."""
    from parallax import write

    paths = _site(tmp_path)
    assert run_cli(*_args(paths))[0] == 0
    _edit_event(paths)
    before = snapshot_tree(paths.out)
    steps: list[tuple[str, str]] = []
    monkeypatch.setattr(write, "on_step", lambda what, path: steps.append((what, path)))
    assert run_cli(*_args(paths))[0] == 0  # counts the steps
    monkeypatch.setattr(write, "on_step", None)
    shutil.rmtree(paths.out)
    shutil.rmtree(tmp_path / ".cache")
    assert run_cli(*_args(paths))[0] == 0
    _edit_event(paths, "A second line.")
    before = snapshot_tree(paths.out)
    kinds = [n for n, (what, _) in enumerate(steps) if what != "remove"]
    for at in sorted({kinds[0], kinds[len(kinds) // 2], kinds[-1]}):
        seen = iter(range(10**6))

        def fail(what, path, at=at, seen=seen):
            if next(seen) == at:
                raise OSError(code, os.strerror(code), path)

        monkeypatch.setattr(write, "on_step", fail)
        status, _out, err = run_cli(*_args(paths))
        monkeypatch.setattr(write, "on_step", None)
        assert status == 1, (at, steps[at])
        (line,) = err.strip().splitlines()
        assert line.endswith(f":1: {what}; {paths.out}/ was left as it was."), line
        assert line.startswith(str(paths.out)), line
        assert snapshot_tree(paths.out) == before, steps[at]
        assert _leftovers(paths) == [], steps[at]
    assert run_cli(*_args(paths))[0] == 0
    assert snapshot_tree(paths.out) == _cold(paths, tmp_path / "cold")


def test_ctrl_c_is_one_line_and_leaves_site_whole(tmp_path, run_cli, monkeypatch):
    from parallax import write

    paths = _site(tmp_path)
    assert run_cli(*_args(paths))[0] == 0
    before = snapshot_tree(paths.out)
    _edit_event(paths)

    def interrupt(what, path):
        if what == "write":
            raise KeyboardInterrupt

    monkeypatch.setattr(write, "on_step", interrupt)
    code, _out, err = run_cli(*_args(paths))
    monkeypatch.setattr(write, "on_step", None)
    assert code == 130
    assert err.strip().splitlines() == [
        f"Interrupted; {paths.out}/ is whole (as it was, or as this build finished it)."]
    assert snapshot_tree(paths.out) == before and _leftovers(paths) == []


# --- on real file systems, where the machine lets the tests mount one ----------------------------


def system_tool(name: str) -> str | None:
    """A system command by its path, also when PATH does not lead to it (a shell that has
    only python3); None where the machine has none."""
    for found in (shutil.which(name), f"/usr/bin/{name}", f"/bin/{name}", f"/usr/sbin/{name}",
                  f"/sbin/{name}"):
        if found and os.access(found, os.X_OK):
            return found
    return None


@pytest.fixture
def mount(tmp_path):
    """mount(folder, size, read_only=False): a small memory-backed file system at `folder`,
    unmounted after the test; skipped where the tests may not mount one."""
    import subprocess

    mounted: list[Path] = []

    def make(folder: Path, size: str = "4m", read_only: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        options = f"size={size}" + (",ro" if read_only else "")
        tool = system_tool("mount")
        done = tool and subprocess.run([tool, "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                                       capture_output=True, check=False)
        if not done or done.returncode != 0:
            pytest.skip("this machine does not let the tests mount a file system")
        mounted.append(folder)
        return folder

    yield make
    for folder in reversed(mounted):
        subprocess.run([system_tool("umount") or "umount", "-l", str(folder)], check=False)


def _remount(folder: Path, options: str) -> None:
    import subprocess

    subprocess.run([system_tool("mount") or "mount", "-o", f"remount,{options}", str(folder)],
                   check=True)


def test_a_full_disk_is_one_line_and_leaves_no_half_site(tmp_path, run_cli, mount):
    paths = _site(tmp_path)
    disk = mount(tmp_path / "disk", size="160k")
    paths = Paths(paths.content, disk / "site", paths.templates, paths.static)
    code, _out, err = run_cli(*_args(paths))
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(str(disk)) and (
        ":1: no space left on its device; free some space, or build into a folder on another "
        f"device with --out; {paths.out}/ was left as it was.") in line, line
    assert not paths.out.exists()
    assert [p.name for p in disk.iterdir() if p.name != ".cache"] == []
    assert not list((disk / ".cache").rglob(".*.tmp"))
    assert not [p for p in (disk / ".cache").rglob("*") if p.name.startswith(".parallax-search-")]


def test_a_read_only_output_is_one_line_and_left_as_it_was(tmp_path, run_cli, mount):
    paths = _site(tmp_path)
    disk = mount(tmp_path / "disk")
    paths = Paths(paths.content, disk / "site", paths.templates, paths.static)
    assert run_cli(*_args(paths))[0] == 0
    before = snapshot_tree(paths.out)
    _remount(disk, "ro")
    _edit_event(paths)
    code, _out, err = run_cli(*_args(paths))
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(str(disk)) and line.endswith(
        ":1: its file system is read-only; build into a writable folder with --out; "
        f"{paths.out}/ was left as it was."), line
    assert snapshot_tree(paths.out) == before


def test_an_output_folder_that_is_a_mount_point_is_built(tmp_path, run_cli, mount):
    paths = _site(tmp_path)
    mount(paths.out)
    for n in range(3):
        code, _out, err = run_cli(*_args(paths))
        assert code == 0, err
        assert os.path.ismount(paths.out)
        assert snapshot_tree(paths.out) == _cold(paths, tmp_path / f"cold-{n}")
        assert _leftovers(paths) == []
        _edit_event(paths, f"Line {n}.")


# --- check renders what build would render ------------------------------------------------------


def _break_one_event_page(paths: Paths, error: str) -> str:
    """The event template made to fail on one event's page only; that page's path."""
    event = sorted((paths.content / "events").glob("*.md"))[1]
    template = paths.templates / "event.html"
    text = template.read_text(encoding="utf-8")
    line = text.splitlines().index(next(t for t in text.splitlines() if "<h1>" in t)) + 1
    template.write_text(text.replace(
        "<h1>", f"{{% if event.id == '{event.stem}' %}}{error}{{% endif %}}<h1>", 1),
        encoding="utf-8")
    return f"templates/event.html:{line}: template: ", f"(rendering /events/{event.stem}/index.html)"


@pytest.mark.parametrize("error, message", [
    ("{{ 1 // 0 }}", "ZeroDivisionError: integer division or modulo by zero"),
    ("{{ event.title + 1 }}", 'TypeError: can only concatenate str (not "int") to str'),
    ("{{ no_such_thing.field }}", "'no_such_thing' is undefined"),
    ("{{ '%d' % 'x' }}", "TypeError: %d format: a real number is required, not str"),
])
def test_a_template_that_fails_on_one_page_fails_check_and_build_alike(
        tmp_path, run_cli, error, message):
    paths = _site(tmp_path)
    assert run_cli(*_args(paths))[0] == 0
    start, page = _break_one_event_page(paths, error)
    for fresh in (False, True):
        if fresh:  # and with no earlier build or check at all
            shutil.rmtree(tmp_path / ".cache")
        check = ["check", *_args(paths)[1:]]
        code, _out, err = run_cli(*check)
        assert code == 1, _out
        lines = err.strip().splitlines()
        assert lines[0] == f"{start}{message} {page}", lines
        code, _out, err = run_cli(*_args(paths))
        assert code == 1 and err.strip().splitlines()[0] == f"{start}{message} {page}"


def test_a_cold_check_renders_every_page_and_a_later_one_only_what_changed(tmp_path):
    paths = _site(tmp_path)
    first = cached_build(paths, write=False, jobs=1)
    assert first.rendered >= first.pages  # every page
    _edit_event(paths)
    again = cached_build(paths, write=False, jobs=1)
    assert 1 <= again.rendered < first.rendered


# --- the search index does not depend on where the temporary folder is ---------------------------


def test_no_build_copies_pages_to_the_systems_temporary_folder(tmp_path, monkeypatch):
    """Pagefind's index follows the order a folder lists its files in: the copies it reads are
    made beside the output (its cache folder), with or without a cache, never where TMPDIR
    points (another file system lists the same files in another order)."""
    import tempfile

    system = tmp_path / "system-temporary"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    paths = _site(tmp_path)
    made: list[str] = []
    real = tempfile.TemporaryDirectory

    def recording(*args, **kwargs):
        made.append(str(kwargs.get("dir")))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryDirectory", recording)
    build(Paths(paths.content, tmp_path / "cold", paths.templates, paths.static), jobs=1)
    cached_build(paths, jobs=1)
    assert made and all(m == str(tmp_path / ".cache" / "parallax" / "search") for m in made), made
    assert list(system.iterdir()) == []


def test_new_into_a_content_folder_it_cannot_write_says_so_with_its_own_way_out(
        tmp_path, run_cli, monkeypatch):
    """`new` writes into the content folder: its advice names --content, not --out."""
    paths = _site(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(paths.content / "events"))

    monkeypatch.setattr(Path, "write_text", refuse)
    code, _out, err = run_cli("new", "event", "The ferry stops", "--date", "2021-03-04",
                              "--content", str(paths.content))
    assert code == 1
    assert err.strip() == (f"{paths.content / 'events'}:1: permission denied; make it (and the "
                           "folder holding it) writable by you, or choose another folder with "
                           "--content.")


def test_a_mount_points_lost_and_found_is_left_alone(tmp_path, run_cli, mount):
    """A file system's own folder at its root (ext4's lost+found) is neither taken out nor
    published."""
    paths = _site(tmp_path)
    mount(paths.out)
    (paths.out / "lost+found").mkdir()
    (paths.out / "lost+found" / "#1234").write_bytes(b"a block the disk check found")
    for n in range(2):
        code, _out, err = run_cli(*_args(paths))
        assert code == 0, err
        assert (paths.out / "lost+found" / "#1234").read_bytes() == b"a block the disk check found"
        tree = snapshot_tree(paths.out)
        assert {k: v for k, v in tree.items() if not k.startswith("lost+found")} == _cold(
            paths, tmp_path / f"cold-{n}")
        _edit_event(paths, f"Line {n}.")
