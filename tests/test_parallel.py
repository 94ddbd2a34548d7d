"""The workers of a cold build: they end plainly and with their parent."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import FIXTURES, PROJECT

BASIC = FIXTURES / "basic" / "content"


def test_a_forked_build_prints_no_worker_traceback(tmp_path):
    """The pool sends its workers SIGTERM when it closes; the command's own SIGTERM handler,
    which a forked worker inherits, must not print a traceback in each of them."""
    shutil.copytree(BASIC, tmp_path / "content")
    code = ("import sys; from parallax import parallel; parallel.MIN_ITEMS = 1; "
            "from parallax.cli import main; sys.exit(main(sys.argv[1:]))")
    for _ in range(3):
        shutil.rmtree(tmp_path / "site", ignore_errors=True)
        shutil.rmtree(tmp_path / ".cache", ignore_errors=True)
        result = subprocess.run(
            [sys.executable, "-c", code, "build", "--content", str(tmp_path / "content"),
             "--out", str(tmp_path / "site"), "--templates", str(PROJECT / "templates"),
             "--static", str(PROJECT / "static")],
            capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr, result.stderr


def test_a_worker_ends_with_its_parent():
    """A child that asked to die with its parent is gone once the parent is killed."""
    script = ("import os, sys, time\n"
              "from parallax.parallel import die_with_parent\n"
              "child = os.fork()\n"
              "if child == 0:\n"
              "    die_with_parent()\n"
              "    time.sleep(60)\n"
              "    os._exit(0)\n"
              "print(child, flush=True)\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    time.sleep(0.3)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the child outlived its killed parent")


_PARENT = os.getpid()


def _dies_in_a_worker(n: int) -> int:
    if n == 7 and os.getpid() != _PARENT:
        os._exit(0)  # as a worker lost to the system would: no answer, no exception
    return n * n


def test_a_worker_that_dies_costs_time_never_the_result_or_a_hang(monkeypatch):
    from parallax import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    assert parallel.fork_map(_dies_in_a_worker, list(range(40)), 2) == [n * n for n in range(40)]


def _where(n: int) -> tuple[int, int]:
    time.sleep(0.002)
    return n, os.getpid()


def test_this_process_works_beside_one_fewer_worker(monkeypatch):
    """With two jobs, the list is worked through by this process and one forked worker (one
    fewer copy of this process's memory, no core left waiting), in the order given."""
    from parallax import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    done = parallel.fork_map(_where, list(range(200)), 2)
    assert [n for n, _ in done] == list(range(200))
    pids = {pid for _, pid in done}
    assert os.getpid() in pids, "this process worked too"
    assert len(pids) == 2, "one worker beside it"


def _fails_at_some(n: int) -> int:
    from parallax.errors import ContentError, Problem

    if n in (13, 150, 380):
        raise ContentError([Problem(f"item-{n}.md", n, "field", "wrong")])
    return n


def test_the_first_failing_item_in_the_list_is_the_one_reported_as_one_process_would(
        monkeypatch):
    """Batches take items across the list and this process works from its end, so later
    items fail first; the problems raised are still the first failing item's."""
    from parallax import parallel
    from parallax.errors import ContentError

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    with pytest.raises(ContentError) as raised:
        parallel.fork_map(_fails_at_some, list(range(400)), 2)
    assert [(p.path, p.line) for p in raised.value.problems] == [("item-13.md", 13)]


def _slow_head(n: int) -> tuple[int, int]:
    time.sleep(0.02 if n < 40 else 0.001)
    return n, os.getpid()


def test_costly_items_that_lead_the_list_are_shared_by_both_processes(monkeypatch):
    """The first items are the costly ones (overview pages); strided batches give some of
    them to each process, so neither renders them all alone at the end."""
    from parallax import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    done = parallel.fork_map(_slow_head, list(range(800)), 2)
    assert [n for n, _ in done] == list(range(800))
    assert {pid for n, pid in done if n < 40} == {os.getpid(), *{pid for _, pid in done}}
