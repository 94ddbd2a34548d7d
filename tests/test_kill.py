"""A build killed at any moment (issue 26): at every write, link, rename and removal of the
write layer and the cache (through their test hooks, in a forked child that dies at once, as
SIGKILL leaves it), and by real signals at random moments. Each time site/ is the old site or
the new one whole, and the next build writes what a cold build writes, leaving nothing behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax import cache, write
from parallax.build import Paths, build
from parallax.engine import cached_build

BASIC = FIXTURES / "basic" / "content"


def _prepare(tmp_path: Path) -> tuple[Paths, dict[str, bytes], dict[str, bytes], Path]:
    """A site built once, then an event edited: (paths, the old site, the new site as a cold
    build makes it, a copy of the whole project to start each trial from)."""
    project = tmp_path / "project"
    shutil.copytree(BASIC, project / "content")
    paths = Paths(project / "content", project / "site", PROJECT / "templates",
                  PROJECT / "static")
    cached_build(paths, jobs=1)
    old = snapshot_tree(paths.out)
    event = sorted((paths.content / "events").glob("*.md"))[1]
    event.write_text(event.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    (paths.content / "pages" / "about.md").unlink()  # a page removed too
    build(Paths(paths.content, tmp_path / "cold", paths.templates, paths.static), jobs=1)
    new = snapshot_tree(tmp_path / "cold")
    keep = tmp_path / "start"
    shutil.copytree(project, keep, symlinks=True)
    return paths, old, new, keep


def _restore(keep: Path, project: Path) -> None:
    shutil.rmtree(project)
    shutil.copytree(keep, project, symlinks=True)


def _steps(paths: Paths, keep: Path, monkeypatch) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    record = lambda what, path: steps.append((what, path))
    monkeypatch.setattr(write, "on_step", record)
    monkeypatch.setattr(cache, "on_step", record)
    cached_build(paths, jobs=1)
    monkeypatch.setattr(write, "on_step", None)
    monkeypatch.setattr(cache, "on_step", None)
    _restore(keep, paths.content.parent)
    return steps


def _killed_at(paths: Paths, at: int) -> None:
    """A build in a forked child that dies (os._exit: no cleanup, as SIGKILL) before step `at`."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        try:
            count = iter(range(10**6))

            def die(what, path):
                if next(count) == at:
                    os._exit(137)

            write.on_step = cache.on_step = die
            cached_build(paths, jobs=1)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 137, f"not killed at step {at}"


def _leftovers(paths: Paths) -> list[str]:
    beside = [p.name for p in paths.out.parent.iterdir()
              if p.name.startswith(f".{paths.out.name}.")]
    folder = paths.out.parent / ".cache" / "parallax"
    return beside + [p.name for p in folder.rglob(".*.tmp")] + [
        p.name for p in folder.rglob(".parallax-search-*")]


def _trial(paths: Paths, old: dict, new: dict, label: object) -> None:
    site = snapshot_tree(paths.out)
    assert site == old or site == new, f"{label}: site/ is neither the old nor the new site"
    cached_build(paths, jobs=1)
    assert snapshot_tree(paths.out) == new, f"{label}: the next build is not a cold one's"
    assert _leftovers(paths) == [], label


def _kill_at(tmp_path, monkeypatch, choose) -> None:
    paths, old, new, keep = _prepare(tmp_path)
    steps = _steps(paths, keep, monkeypatch)
    kinds = {what for what, _ in steps}
    assert {"write", "link", "rename", "remove", "append"} <= kinds, kinds
    for at in choose(steps):
        _killed_at(paths, at)
        _trial(paths, old, new, (at, steps[at]))
        _restore(keep, paths.content.parent)


def test_killed_at_each_kind_of_step(tmp_path, monkeypatch):
    """The first and last step of each kind, and the step after the swap."""

    def choose(steps):
        chosen: dict[str, list[int]] = {}
        for n, (what, _) in enumerate(steps):
            chosen.setdefault(what, []).append(n)
        swap = next(n for n, (what, path) in enumerate(steps)
                    if what == "rename" and path.endswith("/site"))
        return sorted({n for found in chosen.values() for n in (found[0], found[-1])}
                      | {swap, swap + 1})

    _kill_at(tmp_path, monkeypatch, choose)


@pytest.mark.slow
def test_killed_at_every_step(tmp_path, monkeypatch):
    _kill_at(tmp_path, monkeypatch, lambda steps: range(len(steps)))


def _signalled(tmp_path: Path, seed: int, trials: int, sig: int) -> None:
    paths, old, new, keep = _prepare(tmp_path)
    rng = random.Random(seed)
    command = [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(paths.content),
               "--out", str(paths.out), "--templates", str(paths.templates), "--static",
               str(paths.static)]
    started = time.monotonic()
    subprocess.run(command, capture_output=True, check=True)
    whole = time.monotonic() - started
    _restore(keep, paths.content.parent)
    for n in range(trials):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # From the moment Parallax's own code runs (Python's start-up before it is not
        # Parallax's to answer for) to the end of the build.
        time.sleep(rng.uniform(min(0.2, whole / 2), whole))
        process.send_signal(sig)
        _, err = process.communicate()
        if sig == signal.SIGINT and process.returncode == 130:
            # (before the command began: while Python read Parallax's modules)
            assert err.decode().strip().splitlines() in (["Interrupted."], [
                f"Interrupted; {paths.out}/ is whole (as it was, or as this build finished it)."])
        assert b"Traceback" not in err, err.decode()
        _trial(paths, old, new, (n, sig))
        _restore(keep, paths.content.parent)


def test_real_kills_at_random_moments(tmp_path):
    _signalled(tmp_path, 1, 3, signal.SIGKILL)


def test_ctrl_c_at_random_moments(tmp_path):
    _signalled(tmp_path, 2, 3, signal.SIGINT)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_real_signals_at_random_moments_long(tmp_path, sig):
    _signalled(tmp_path, 3, 20, sig)


def test_a_ctrl_c_wrapped_by_pydantics_schema_building_counts_as_one():
    """A Ctrl-C that lands while pydantic's compiled core builds a model's schema reaches Python
    as its SchemaError naming the KeyboardInterrupt; the command line reads it as the Ctrl-C."""
    from parallax.cli import _interrupted

    class SchemaError(Exception):
        pass

    assert _interrupted(SchemaError('Error building "enum" validator:\n  KeyboardInterrupt: \n'))
    chained = ValueError("while importing")
    chained.__cause__ = KeyboardInterrupt()
    assert _interrupted(chained)
    assert not _interrupted(SchemaError('Error building "enum" validator:\n  TypeError: x'))
    assert not _interrupted(ValueError("a bug of ours"))


def test_a_ctrl_c_python_cannot_raise_in_a_callback_is_asked_for_again():
    """A Ctrl-C that lands in a weak reference's callback cannot be raised there: Python
    would print it with a traceback and go on. The command's hook asks for it again, so it
    ends the build where a Ctrl-C can."""
    import gc
    import weakref

    from parallax import cli

    printed = []

    class Thing:
        pass

    def callback(_):
        raise KeyboardInterrupt

    hook = sys.unraisablehook
    sys.unraisablehook = cli._unraisable(printed.append)
    try:
        with pytest.raises(KeyboardInterrupt):
            thing = Thing()
            ref = weakref.ref(thing, callback)
            del thing
            gc.collect()
            waited = time.monotonic() + 10
            while time.monotonic() < waited:
                pass  # where the Ctrl-C asked for again lands
        assert ref() is None
    finally:
        sys.unraisablehook = hook
    assert printed == []
