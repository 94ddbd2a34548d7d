"""What a cold build costs in its libraries' own work alone, beside Hugo and Pagefind.

    python bench/floor.py bench/out/n4000/content bench/out/n4000/site \
        --hugo bench/out/n4000/hugo [--cores 2]

A cold build (and a cold `check`) must read every record and render every page, whatever the
engine around them does. This measures the processor time of the libraries Parallax is built on
doing that work over the content, each called alone:
PyYAML composing every record's front matter (with its C parser, as the load stage does),
Python-Markdown converting every body (with the extensions and settings of parallax/markup.py),
nh3 cleaning the HTML it gives (with Parallax's allow-list), and Pagefind indexing the built
site's indexed pages (`SITE`, as a build leaves it; copied to a temporary folder). Beside them,
Hugo's own processor time and wall time over the benchmark's Hugo site (bench/run.py makes it),
cold, with Pagefind over its output, and `--renderToMemory`.

What the libraries take is the least wall time a cold build can take with them on this machine,
before any of Parallax's own code (the checks, the views, the templates Jinja runs, the data
files, the writing): the reading's libraries shared perfectly over `--cores` cores, then
Pagefind's own wall time (it indexes the finished pages, so it cannot start before they are
read). nh3's cleaning calls Parallax's attribute filter for each attribute; that is counted
with it. The figures are printed beside the targets' budgets, from the Hugo runs of the same
invocation (bench/README.md: a cold build ≤ 1.5× Hugo + Pagefind, a cold `check` ≤ 2.0× Hugo's
`--renderToMemory`).
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT))

import yaml

from bench.hugo_site import binary
from parallax import load, markup, search


def processor(work: Callable[[], object]) -> float:
    """Processor seconds of this process spent in `work`, the collector of reference cycles
    held off (as the engine holds it off while it runs)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        work()
        return time.process_time() - start
    finally:
        gc.enable()


def compose_all(fronts: list[str], loader: type) -> None:
    for front in fronts:
        yaml.compose(front, Loader=loader)  # each document's nodes dropped, as the load stage's are


def children(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, processor seconds) of `command` and its descendants."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def records(content: Path) -> list[tuple[str, str]]:
    """(front matter, body) of every record file under `content`: the text the load stage
    gives PyYAML (the lines between the record's '---' lines) and its body."""
    found = []
    for folder, kind in load.KINDS.items():
        for path in sorted((content / folder).rglob("*" + load.RECORD_SUFFIX)):
            shown = load.display_path(path, content)
            text = load.read_text(path, shown)
            record = load.parse_markdown(text, shown, kind, path.stem)
            lines = text.split("\n")
            front = "\n".join(lines[record.line:record.body_line - 2]) + "\n"
            found.append((front, record.body))
    return found


def pagefind_alone(site: Path) -> tuple[float, float, int]:
    """(wall, processor seconds, pages) of Pagefind over the pages of `site` that ask to be
    indexed, copied to a folder of their own."""
    pages = [p for p in sorted(site.rglob("*.html"))
             if "pagefind" not in p.relative_to(site).parts and search.MARK in p.read_bytes()]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "site"
        for page in pages:
            target = root / page.relative_to(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target)
        wall, cpu = children([str(search.executable()), "--site", str(root), "--output-path",
                              str(Path(scratch) / "index"), "--silent"])
    return wall, cpu, len(pages)


def hugo_figures(hugo: Path) -> dict[str, tuple[float, float]]:
    """Hugo cold (an empty cache and output), Pagefind over its output, and Hugo's
    `--renderToMemory`: (wall, processor seconds) each."""
    with tempfile.TemporaryDirectory() as scratch:
        out, caches = Path(scratch) / "public", Path(scratch) / "cache"
        hugo_cold = children([binary(), "--quiet", "--source", str(hugo), "--destination",
                              str(out), "--cacheDir", str(caches)])
        pagefind = children([str(search.executable()), "--site", str(out), "--silent"])
        shutil.rmtree(caches)
        in_memory = children([binary(), "--quiet", "--source", str(hugo), "--cacheDir",
                              str(caches), "--renderToMemory"])
    return {"hugo": hugo_cold, "pagefind": pagefind, "memory": in_memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("site", type=Path, help="a cold build's output of CONTENT")
    parser.add_argument("--hugo", type=Path, required=True, help="the benchmark's Hugo site")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args(argv)

    found = records(args.content)
    bodies = [body for _, body in found]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    yaml_cpu = processor(lambda: compose_all([front for front, _ in found], loader))
    converted: list[str] = []

    def convert() -> None:
        for body in bodies:
            markup._md.reset()
            converted.append(markup._md.convert(body))

    markdown_cpu = processor(convert)
    nh3_cpu = processor(lambda: [markup.sanitize(html) for html in converted])
    pagefind_wall, pagefind_cpu, indexed = pagefind_alone(args.site)
    hugo = hugo_figures(args.hugo)

    read = yaml_cpu + markdown_cpu + nh3_cpu
    anchor_wall = hugo["hugo"][0] + hugo["pagefind"][0]
    anchor_cpu = hugo["hugo"][1] + hugo["pagefind"][1]
    rows = [
        ("PyYAML: compose every front matter (C parser)", yaml_cpu, ""),
        ("Python-Markdown: convert every body", markdown_cpu, ""),
        ("nh3: clean every body's HTML", nh3_cpu, ""),
        (f"Pagefind alone over the {indexed:,} indexed pages", pagefind_cpu,
         f"{pagefind_wall:.2f} s"),
        ("Hugo, cold", hugo["hugo"][1], f"{hugo['hugo'][0]:.2f} s"),
        ("Pagefind over Hugo's output", hugo["pagefind"][1], f"{hugo['pagefind'][0]:.2f} s"),
        ("Hugo `--renderToMemory`", hugo["memory"][1], f"{hugo['memory'][0]:.2f} s"),
    ]
    print(f"{len(found):,} records, {args.cores} cores\n")
    print("| work | processor time | wall time |\n|---|---:|---:|")
    for label, cpu, wall in rows:
        print(f"| {label} | {cpu:.2f} s | {wall} |")
    print()
    print("| | the libraries alone, at the least | the target's budget | |\n|---|---:|---:|---|")
    for label, least, how, budget in (
            ("cold build (the four above)", read / args.cores + pagefind_wall,
             f"{read:.2f} s ÷ {args.cores}, then Pagefind's {pagefind_wall:.2f} s",
             1.5 * anchor_wall),
            ("cold `check` (PyYAML, Python-Markdown, nh3)", read / args.cores,
             f"{read:.2f} s ÷ {args.cores}", 2.0 * hugo["memory"][0])):
        print(f"| {label} | {least:.2f} s ({how}) | {budget:.2f} s | {least / budget:.0%} of it |")
    print(f"\nHugo + Pagefind: {anchor_wall:.2f} s, {anchor_cpu:.2f} s of processor time.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
