"""Differential test of the incremental engine (issue 26): random sequences of edits of every
kind, after each a build in a new process (the cache folder only) compared byte for byte with
a cold build of the same inputs. Every fixed seed makes every kind of edit at least once."""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, snapshot_tree

from parallax import cache
from parallax.build import Paths, build
from parallax.engine import cached_build
from parallax.errors import ContentError

BASIC = FIXTURES / "basic" / "content"
HOUR = 3600 * 10**9
WORDS = ("harbour", "bridge", "closure", "engineers", "crack", "repairs", "council", "ferry")


class Edits:
    """The site being edited, with the clock and the file system's timestamps the edits need."""

    def __init__(self, root: Path, rng: random.Random, monkeypatch: pytest.MonkeyPatch):
        shutil.copytree(BASIC, root / "content")
        shutil.copytree(PROJECT / "templates", root / "templates")
        shutil.copytree(PROJECT / "static", root / "static")
        self.paths = Paths(root / "content", root / "site", root / "templates", root / "static")
        self.root = root
        self.rng = rng
        self.later = 0
        """How far ahead the build's clock runs (an hour: every file is settled)."""
        self.frozen: dict[str, os.stat_result] = {}
        """Files whose size and times read as these (a file system of coarse timestamps)."""
        monkeypatch.setattr(cache, "now_ns", lambda: time.time_ns() + self.later)
        real = os.stat

        def stat(path):
            found = real(path)
            seen = self.frozen.get(os.path.abspath(path))
            if seen is None:
                return found
            return os.stat_result(
                (found.st_mode, seen.st_ino, found.st_dev, found.st_nlink, found.st_uid,
                 found.st_gid, seen.st_size, found.st_atime, seen.st_mtime, seen.st_ctime),
                {"st_atime_ns": found.st_atime_ns, "st_mtime_ns": seen.st_mtime_ns,
                 "st_ctime_ns": seen.st_ctime_ns})

        monkeypatch.setattr(cache, "file_stat", stat)

    # --- helpers -----------------------------------------------------------------------------

    def events(self) -> list[Path]:
        return sorted((self.paths.content / "events").rglob("*.md"))

    def event(self) -> Path:
        return self.rng.choice(self.events())

    def word(self) -> str:
        return self.rng.choice(WORDS)

    @staticmethod
    def replace(path: Path, pattern: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, new, text, count=1, flags=re.MULTILINE), encoding="utf-8")

    def same_size(self, path: Path) -> None:
        """One letter of the body changed to another: the size stays."""
        text = path.read_text(encoding="utf-8")
        body = text.index("\n---\n") + 5
        letters = [i for i in range(body, len(text)) if text[i].isascii() and text[i].isalpha()]
        at = self.rng.choice(letters)
        new = self.rng.choice([c for c in "abcdefghij" if c != text[at]])
        path.write_text(text[:at] + new + text[at + 1:], encoding="utf-8")

    # --- the kinds of edit (each returns after the files are changed; some build in between) --

    def body(self) -> None:
        event = self.event()
        event.write_text(event.read_text(encoding="utf-8") + f"\nMore on the {self.word()}.\n",
                         encoding="utf-8")

    def title(self) -> None:
        self.replace(self.event(), r"^title: .*$", f"title: The {self.word()} story, edited")

    def date(self) -> None:
        day = self.rng.choice(["2021-03-03", "2021-03-04 evening", "2021-03-05", "2021-03"])
        self.replace(self.event(), r"^when: .*$", f"when: {day}")

    def add(self) -> None:
        event = self.event()
        name = f"2021-03-04-added-{self.rng.randrange(10**6)}.md"
        text = event.read_text(encoding="utf-8")
        (event.parent / name).write_text(
            re.sub(r"^title: .*$", f"title: An added {self.word()} event", text, count=1,
                   flags=re.MULTILINE), encoding="utf-8")

    def delete(self) -> None:
        events = self.events()
        if len(events) > 2:
            self.rng.choice(events).unlink()
        else:
            self.add()

    def rename(self) -> None:
        event = self.event()
        event.rename(event.with_name(f"2021-03-05-renamed-{self.rng.randrange(10**6)}.md"))

    def source(self) -> None:
        source = self.rng.choice(sorted((self.paths.content / "sources").glob("*.md")))
        self.replace(source, r"^title: .*$", f"title: A {self.word()} headline")

    def parties(self) -> None:
        self.replace(self.paths.content / "credited.yaml", r"^(  note: )(.*)$",
                     rf"\1\2 ({self.word()})")

    def settings(self) -> None:
        self.replace(self.paths.content / "site.yaml", r"^description: .*$",
                     f"description: Two outlets and a {self.word()}.")

    def template(self) -> None:
        name = self.rng.choice(["event.html", "macros.html", "base.html"])
        path = self.paths.templates / name
        path.write_text(path.read_text(encoding="utf-8") + f"{{# {self.word()} #}}\n",
                        encoding="utf-8")

    def static(self) -> None:
        if self.rng.random() < 0.5:
            path = self.paths.static / "style.css"
            path.write_text(path.read_text(encoding="utf-8") + f"/* {self.word()} */\n",
                            encoding="utf-8")
        else:
            (self.paths.static / f"note-{self.rng.randrange(100)}.txt").write_text(
                self.word() + "\n", encoding="utf-8")

    def restored_mtime(self, check: Callable[[str], None]) -> None:
        """A same-size edit whose modification time is put back (rsync -t, tar), to a file
        the last build saw settled (the builds run an hour later)."""
        self.later = HOUR
        check("restored mtime: settle")
        event = self.event()
        before = os.stat(event)
        self.same_size(event)
        os.utime(event, ns=(before.st_atime_ns, before.st_mtime_ns))
        check("restored mtime")
        self.later = 0

    def same_second(self, check: Callable[[str], None]) -> None:
        """Two same-size saves within one timestamp step, a build between them: the second
        leaves size and times as the first did."""
        event = self.event()
        self.same_size(event)
        self.frozen[os.path.abspath(event)] = os.stat(event)
        check("same-second: first save")
        self.same_size(event)
        check("same-second: second save")
        self.frozen.clear()

    KINDS = ("body", "title", "date", "add", "delete", "rename", "source", "parties",
             "settings", "template", "static", "restored_mtime", "same_second")


def _sequence(rng: random.Random, extra: int) -> list[str]:
    """Every kind once, in a random order, then `extra` more of any kinds."""
    kinds = list(Edits.KINDS)
    rng.shuffle(kinds)
    return kinds + [rng.choice(Edits.KINDS) for _ in range(extra)]


def _run(tmp_path: Path, seed: int, extra: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    edits = Edits(tmp_path, rng, monkeypatch)
    paths = edits.paths
    cached_build(paths, jobs=1)
    counter = iter(range(10**6))

    def check(what: str) -> None:
        """A build after the edit, compared with a cold build of the same inputs."""
        cold = tmp_path / f"cold-{next(counter)}"
        before = snapshot_tree(paths.out)
        try:
            build(Paths(paths.content, cold, paths.templates, paths.static), jobs=1)
        except ContentError as expected:
            with pytest.raises(ContentError) as raised:
                cached_build(paths, jobs=1)
            assert raised.value.problems == expected.problems, (seed, what)
            assert snapshot_tree(paths.out) == before, (seed, what)
            return
        cached_build(paths, jobs=1)
        assert snapshot_tree(paths.out) == snapshot_tree(cold), (seed, what)
        shutil.rmtree(cold)

    for kind in _sequence(rng, extra):
        if kind in ("restored_mtime", "same_second"):
            getattr(edits, kind)(check)
        else:
            getattr(edits, kind)()
            check(kind)


def test_every_fixed_seed_makes_every_kind_of_edit():
    for seed in QUICK_SEEDS:
        assert set(_sequence(random.Random(seed), 3)) == set(Edits.KINDS)


QUICK_SEEDS = (1, 2)


@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_random_edits_build_what_a_cold_build_builds(tmp_path, monkeypatch, seed):
    _run(tmp_path, seed, 3, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 105))  # about 35 s each
def test_random_edits_build_what_a_cold_build_builds_long(tmp_path, monkeypatch, seed):
    _run(tmp_path, seed, 40, monkeypatch)
