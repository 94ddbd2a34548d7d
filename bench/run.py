"""Benchmark: build times at newsroom scale, printed as a Markdown table.

    python bench/run.py                      # N = 1,000, 4,000 and 10,000 events, 8 sources
    python bench/run.py --sizes 4000 --sources 8 --repeat 3

For each N it generates content (bench/generate.py, seeded, into bench/out/nN/, git-ignored)
and runs every measurement as a fresh `python build.py ...` process, timed from start to exit
(interpreter start-up included), its peak memory read from the kernel (ru_maxrss of the
process and the workers it forked, the largest of them). With --repeat R, the fastest of R
runs is shown. What each row means:

- cold build: no cache folder, no site/ (a fresh clone).
- warm build: the cache folder of the previous build present, site/ deleted.
- no-op build: nothing changed since the last build, site/ present.
- build after one edit: one event's summary edited since the last build (cache present).
- serve: one edit: the rebuild `serve` is to run on a change
  (parallax.incremental.IncrementalBuild.rebuild) after one event's summary was edited: from
  the file write to the last changed output on disk; median of several edits in one process.
- check (cold) / check (one edit): `python build.py check` without a cache folder / with it
  after one event's summary was edited.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))

from bench.generate import generate

FOLDER_CACHE = Path(".cache") / "parallax"


def measure(command: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB, '') of `command` run in a fresh process (through `child`, so that
    the peak read is this command's alone)."""
    wrapper = [sys.executable, str(BENCH / "run.py"), "--child", json.dumps(command)]
    done = subprocess.run(wrapper, capture_output=True, text=True, cwd=PROJECT, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    seconds, peak = json.loads(done.stdout)
    return seconds, peak, ""


def child(command: list[str]) -> None:
    """Run `command` and print its wall time and peak memory: wait4 gives the peak of the
    process and of the workers it forked and waited for (the largest one)."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(PROJECT)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.execv(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    print(json.dumps([seconds, usage.ru_maxrss / 1024]))


def build_command(content: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(PROJECT / "build.py"), *extra, "--content", str(content),
            "--out", str(out)]


def middle_event(content: Path) -> Path:
    events = sorted((content / "events").rglob("*.md"))
    return events[len(events) // 2]


def edit(path: Path, n: int) -> None:
    """Change one word of the event's summary (its last line), as an editor fixing a typo."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?: edit-\d+)?\n\Z", f" edit-{n}\n", text), encoding="utf-8")


def serve_edits(content: Path, out: Path, edits: int) -> None:
    """In this process: serve's first build, then `edits` one-event edits, each rebuilt."""
    from parallax.cli import make_parser, paths_from
    from parallax.incremental import IncrementalBuild

    args = make_parser().parse_args(["serve", "--content", str(content), "--out", str(out)])
    # As serve.Preview runs it: the first rebuild() is the full build, later ones in-process.
    builder = IncrementalBuild(paths_from(args))
    builder.rebuild()
    event = middle_event(content)
    original = event.read_bytes()
    times = []
    written = []
    try:
        for n in range(edits):
            started = time.perf_counter()
            edit(event, n)
            result = builder.rebuild([event])
            times.append(time.perf_counter() - started)
            written.append(result.report.written if result.report else 0)
    finally:
        event.write_bytes(original)
        builder.close()
    print(json.dumps({"seconds": times, "written": written}))


def best(times: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    return min(times, key=lambda t: t[0])


def bench_size(n: int, sources: int, repeat: int, root: Path) -> dict[str, object]:
    folder = root / f"n{n}"
    content, out, cache = folder / "content", folder / "site", folder / FOLDER_CACHE
    stamp = folder / "generated.json"
    wanted = {"events": n, "sources": sources, "seed": 1,
              "generator": (BENCH / "generate.py").stat().st_mtime_ns}
    if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
        generate(folder, n, sources)
        stamp.write_text(json.dumps(wanted))
    row: dict[str, object] = {}
    build = build_command(content, out)

    def fresh() -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    cold = []
    for _ in range(repeat):
        fresh()
        cold.append(measure(build))
    row["cold"] = best(cold)
    row["no-op"] = best([measure(build) for _ in range(repeat)])
    warm = []
    for _ in range(repeat):
        shutil.rmtree(out)
        warm.append(measure(build))
    row["warm"] = best(warm)

    event = middle_event(content)
    original = event.read_bytes()
    try:
        edited = []
        for attempt in range(repeat):
            edit(event, 100 + attempt)
            edited.append(measure(build))
        row["one edit"] = best(edited)
        checks = []
        for attempt in range(repeat):
            edit(event, 200 + attempt)
            checks.append(measure(build_command(content, out, "check")))
        row["check (one edit)"] = best(checks)
    finally:
        event.write_bytes(original)
    cold_checks = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold_checks.append(measure(build_command(content, out, "check")))
    row["check (cold)"] = best(cold_checks)

    serve = subprocess.run([sys.executable, str(BENCH / "run.py"), "--serve-edits", str(content),
                            str(out), "5"], capture_output=True, text=True, cwd=PROJECT,
                           check=False)
    if serve.returncode != 0:
        row["serve"] = None
        row["serve error"] = serve.stderr.strip().splitlines()[-1:]
    else:
        data = json.loads(serve.stdout.strip().splitlines()[-1])
        row["serve"] = statistics.median(data["seconds"])
        row["serve written"] = statistics.median(data["written"])

    # A final cold build leaves the site as measured for the sizes below.
    fresh()
    row["last cold"] = measure(build)
    home = (out / "index.html").read_bytes()
    row["pages"] = sum(1 for p in out.rglob("*.html"))
    row["files"] = sum(1 for p in out.rglob("*") if p.is_file())
    row["home gz KB"] = len(gzip.compress(home, 9)) / 1024
    row["home KB"] = len(home) / 1024
    largest = max((p for p in out.rglob("*.html")), key=lambda p: p.stat().st_size)
    row["largest page"] = (largest.relative_to(out).as_posix(),
                           len(gzip.compress(largest.read_bytes(), 9)) / 1024)
    row["peak MB"] = max(t[1] for key, t in row.items()
                         if isinstance(t, tuple) and len(t) == 3 and isinstance(t[1], float))
    return row


def table(rows: dict[int, dict[str, object]]) -> str:
    sizes = sorted(rows)
    lines = ["| events | " + " | ".join(f"{n:,}" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]

    def seconds(key: str) -> list[str]:
        return [f"{rows[n][key][0]:.2f} s" if rows[n].get(key) else "–" for n in sizes]

    for label, key in (("cold build", "cold"), ("warm build (site/ deleted)", "warm"),
                       ("no-op build", "no-op"), ("build after one edit", "one edit"),
                       ("check (cold)", "check (cold)"), ("check (one edit)", "check (one edit)")):
        lines.append(f"| {label} | " + " | ".join(seconds(key)) + " |")
    lines.append("| serve: one edit rebuilt | " + " | ".join(
        f"{rows[n]['serve'] * 1000:.0f} ms" if rows[n].get("serve") is not None else "–"
        for n in sizes) + " |")
    lines.append("| peak memory (largest process) | " + " | ".join(
        f"{rows[n]['peak MB']:.0f} MB" for n in sizes) + " |")
    lines.append("| pages / files written | " + " | ".join(
        f"{rows[n]['pages']:,} / {rows[n]['files']:,}" for n in sizes) + " |")
    lines.append("| home page (gzipped) | " + " | ".join(
        f"{rows[n]['home KB']:,.0f} KB ({rows[n]['home gz KB']:,.0f} KB)" for n in sizes) + " |")
    lines.append("| largest page, gzipped | " + " | ".join(
        f"{rows[n]['largest page'][0]} {rows[n]['largest page'][1]:,.0f} KB" for n in sizes) + " |")
    out = "\n".join(lines)
    if 4000 in rows and 10000 in rows:
        ratio = rows[10000]["cold"][0] / rows[4000]["cold"][0]
        out += f"\n\nCold build, 10,000 / 4,000 events: {ratio:.2f}×"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000",
                        help="numbers of events, comma-separated (default: 1000,4000,10000)")
    parser.add_argument("--sources", type=int, default=8, help="sources (default: 8)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; the fastest is shown (default: 1)")
    parser.add_argument("--out", default=str(BENCH / "out"), help="scratch folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--serve-edits", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    if args.serve_edits:
        content, out, edits = args.serve_edits
        serve_edits(Path(content), Path(out), int(edits))
        return 0

    rows = {}
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {n:,} events...", file=sys.stderr, flush=True)
        rows[n] = bench_size(n, args.sources, args.repeat, Path(args.out))
        for key, value in rows[n].items():
            print(f"  {key}: {value}", file=sys.stderr, flush=True)
    load = os.getloadavg()
    print(f"{len(os.sched_getaffinity(0))} cores; load average {load[0]:.1f} at the end\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
