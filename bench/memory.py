"""Peak memory of a process tree: the largest sum of resident memory over all of a run's
processes at one moment (the process and all its descendants: workers, Pagefind, Hugo).

`TreeSampler` reads the tree every `interval` seconds (25 ms by default) from /proc: which
processes descend from the root (each process's parent, from /proc/PID/stat) and how much of
each is resident (/proc/PID/statm, the same figure as VmRSS in /proc/PID/status), and each
one's own high-water mark (VmHWM: the sum is never taken as less than the largest). Shared pages
(a forked worker's copy-on-write pages, shared libraries) count once in every process that maps
them, as VmRSS counts them; a sum of resident memory is what the kernel would have to find were
each process on its own, the measure the benchmark compares. A process that lives less than
one interval can be missed; the build's processes live for seconds.

Linux only (/proc).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from pathlib import Path
from typing import Self

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def parent_of(pid: int) -> int | None:
    """The parent's id of `pid`, or None when it has gone (or cannot be read)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    fields = stat[stat.rindex(b")") + 2:].split()
    return int(fields[1])


def cpu_seconds(pid: int) -> float:
    """CPU time `pid` has used so far (user and system, its threads included), 0 when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def name_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def resident_bytes(pid: int) -> int:
    """Resident memory of `pid` (VmRSS), 0 when it has gone."""
    try:
        statm = Path(f"/proc/{pid}/statm").read_bytes().split()
    except OSError:
        return 0
    return int(statm[1]) * PAGE


def high_water_bytes(pid: int) -> int:
    """The most `pid` has had resident so far (VmHWM), 0 when it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_bytes()
    except OSError:
        return 0
    start = status.find(b"VmHWM:")
    if start < 0:
        return 0
    return int(status[start + 6:status.index(b"kB", start)]) * 1024


def become_subreaper() -> None:
    """Make this process the one that orphaned descendants are given to (prctl), so that a
    grandchild whose parent exits early is still found under this process."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class TreeSampler:
    """Samples the resident memory of `root` and its descendants in a thread, from `start()`
    to `stop()`. `count_root=False` leaves the root itself out of the sum (a wrapper that only
    waits for its command: the sampler runs in it)."""

    def __init__(self, root: int, interval: float = 0.025, count_root: bool = True,
                 record: bool = False):
        self.root = root
        self.record = record
        self.readings: list[tuple[float, dict[int, tuple[str, int, float]]]] = []
        """With `record`, every reading: (time, {pid: (name, resident bytes, CPU seconds)})."""
        self.interval = interval
        self.count_root = count_root
        self.peak = 0
        """The largest sum seen, in bytes."""
        self.largest = 0
        """The largest single process seen (its high-water mark, VmHWM), in bytes."""
        self.samples = 0
        self._members: set[int] = {root}
        self._outside: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def members(self) -> set[int]:
        """The processes of the tree now: the root and every process whose parent is one of
        them. Processes are looked at in the order of their ids, so a parent (made first) is
        known before its children; one found outside the tree stays outside (a process cannot
        join another's tree) until its id is seen no more."""
        alive = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self._members &= alive
        self._outside &= alive
        for pid in sorted(alive - self._members - self._outside):
            parent = parent_of(pid)
            if parent is None:
                continue
            if parent in self._members:
                self._members.add(pid)
            else:
                self._outside.add(pid)
        return set(self._members)

    def sample(self) -> int:
        """One reading: the tree's resident memory now (bytes), kept in `peak`."""
        counted = [pid for pid in sorted(self.members()) if self.count_root or pid != self.root]
        sizes = [resident_bytes(pid) for pid in counted]
        if self.record:
            self.readings.append((time.perf_counter(), {
                pid: (name_of(pid), size, cpu_seconds(pid))
                for pid, size in zip(counted, sizes, strict=True)}))
        total = sum(sizes)
        # A process's own high-water mark is exact, where a sample can fall between an
        # allocation and its release: the largest one process is read from it, and the sum
        # is never less than it.
        self.largest = max([self.largest, *sizes, *(high_water_bytes(pid) for pid in counted)])
        self.peak = max(self.peak, total, self.largest)
        self.samples += 1
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> Self:
        """Stop sampling; `peak` and `largest` hold what was seen."""
        self._stop.set()
        self._thread.join()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def mb(size: int) -> float:
    return size / 2**20


def run_sampled(command: list[str], cwd: str, interval: float = 0.025) -> tuple[float, int, int, int]:
    """Run `command` (output discarded) in a child of this process, sampling the tree under this
    process (the command, its descendants, and any orphan handed back to this process) while it
    runs. Returns (seconds, peak sum in bytes, largest single process in bytes, exit code)."""
    become_subreaper()
    sampler = TreeSampler(os.getpid(), interval, count_root=False)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            os.execv(command[0], command)
        finally:
            os._exit(127)
    sampler.start()
    _, status, _ = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    # Orphans handed to this process (a descendant left running) are reaped, not waited for.
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    return seconds, sampler.peak, sampler.largest, os.waitstatus_to_exitcode(status)
