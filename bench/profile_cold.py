"""Where a cold build's time and memory go, across all its processes: a timeline.

    python bench/profile_cold.py bench/out/n4000/content [--scratch /tmp/parallax-profile]

Builds the content cold (a fresh output folder, no cache: `SCRATCH/site`, its cache beside it)
with `build.py`, sampling the build's process tree every 50 ms (bench/memory.py): for each
second, how many cores each kind of process kept busy (the build's own process, its forked
workers, Pagefind's processes) and their resident memory; then the CPU seconds of each kind
over the whole build. A function-level profile of the build's own process is a separate run:
`python -m cProfile -o build.prof build.py --content C --out O` (workers are not in it: their
time shows there as waiting).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))

from bench.memory import TreeSampler, mb


def kind(pid: int, root: int, name: str) -> str:
    if pid == root:
        return "build"
    return "pagefind" if "pagefind" in name else ("worker" if "python" in name else name)


def timeline(readings, root: int, step: float = 1.0) -> tuple[list[str], dict[str, float]]:
    """Lines of the timeline (one a `step`), and CPU seconds by kind over the whole run, from
    the sampler's readings (each process's CPU time so far, at each reading)."""
    if not readings:
        return [], {}
    start = readings[0][0]
    last_cpu: dict[int, float] = {}
    busy: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    memory: dict[int, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for when, processes in readings:
        bucket = int((when - start) / step)
        memory[bucket] = max(memory[bucket], mb(sum(size for _, size, _ in processes.values())))
        for pid, (name, _, cpu) in processes.items():
            if name == "?":
                continue  # gone between the listing and the reading
            used = max(0.0, cpu - last_cpu.get(pid, 0.0))
            last_cpu[pid] = cpu
            busy[bucket][kind(pid, root, name)] += used
            total[kind(pid, root, name)] += used
    kinds = sorted(total)
    lines = ["| second | " + " | ".join(f"{k} (cores)" for k in kinds) + " | all | memory |",
             "|---:|" + "---:|" * (len(kinds) + 2)]
    for bucket in range(max(busy) + 1 if busy else 0):
        used = busy.get(bucket, {})
        lines.append(f"| {bucket * step:.0f} | " + " | ".join(
            f"{used.get(k, 0.0) / step:.2f}" for k in kinds) +
            f" | {sum(used.values()) / step:.2f} | {memory.get(bucket, 0.0):,.0f} MB |")
    return lines, dict(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/parallax-profile"))
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args(argv)
    shutil.rmtree(args.scratch, ignore_errors=True)
    args.scratch.mkdir(parents=True)
    command = [sys.executable, str(PROJECT / "build.py"), "--content", str(args.content.resolve()),
               "--out", str(args.scratch / "site")]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.DEVNULL)
    sampler = TreeSampler(process.pid, args.interval, record=True).start()
    code = process.wait()
    seconds = time.perf_counter() - started
    sampler.stop()
    if code:
        raise SystemExit(f"the build failed ({code})")
    lines, total = timeline(sampler.readings, process.pid)
    print(f"cold build {seconds:.2f} s, peak {mb(sampler.peak):,.0f} MB (sum over its processes), "
          f"CPU: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(total.items())) +
          f"; {sum(total.values()) / seconds:.2f} cores busy on average\n")
    print("\n".join(lines))
    shutil.rmtree(args.scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
