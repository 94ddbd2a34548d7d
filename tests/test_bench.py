"""The benchmark's own measurements (bench/): the memory sampler sums a process tree, the search
quality's arithmetic and its choice of queries, and the table's verdicts on the targets. Nothing
here is timed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench import memory, search_quality
from bench.run import HugoPagefind, Run, figures, table, targets, verdict

PROJECT = Path(__file__).resolve().parents[1]
MB = 2**20

# A process that holds `mb` MB resident (written, so the pages are really there), starts
# `child` (another such process) when given, says so on its stdout, and sleeps until its parent
# has gone (a minute at most).
HOLDER = textwrap.dedent("""
    import os, subprocess, sys, time
    parent = os.getppid()
    held = bytearray(int(sys.argv[1]) * 2**20)
    for i in range(0, len(held), 4096):
        held[i] = 1
    if len(sys.argv) > 2:
        child = subprocess.Popen([sys.executable, "-c", sys.argv[2], *sys.argv[3:]],
                                 stdout=sys.stdout)
    print("ready", flush=True)
    for _ in range(600):
        if os.getppid() != parent:
            break
        time.sleep(0.1)
""")


def _resident(pid: int) -> int:
    return memory.resident_bytes(pid)


def _wait_ready(process: subprocess.Popen, lines: int) -> None:
    for _ in range(lines):
        assert process.stdout.readline().strip() == b"ready"


def test_the_sampler_sums_the_whole_tree_and_nothing_else():
    # A parent holding 60 MB whose child holds 120 MB; beside them, a process outside the tree
    # holding 150 MB.
    tree = subprocess.Popen([sys.executable, "-c", HOLDER, "60", HOLDER, "120"],
                            stdout=subprocess.PIPE)
    outside = subprocess.Popen([sys.executable, "-c", HOLDER, "150"], stdout=subprocess.PIPE)
    child = None
    try:
        _wait_ready(tree, 2)
        _wait_ready(outside, 1)
        sampler = memory.TreeSampler(tree.pid)
        members = sampler.members()
        assert tree.pid in members and outside.pid not in members
        assert len(members) == 2  # the parent and its child
        child = next(pid for pid in members if pid != tree.pid)
        assert memory.parent_of(child) == tree.pid
        total = sampler.sample()
        assert total == pytest.approx(_resident(tree.pid) + _resident(child), rel=0.05)
        assert 180 * MB <= total < 180 * MB + 100 * MB  # both arrays, two interpreters
        assert sampler.peak == total
        assert 120 * MB <= sampler.largest < 150 * MB  # the child, not the process outside

        without_root = memory.TreeSampler(tree.pid, count_root=False)
        assert without_root.sample() == pytest.approx(_resident(child), rel=0.05)
    finally:
        if child is not None:
            os.kill(child, signal.SIGKILL)
        for process in (tree, outside):
            process.kill()
            process.wait()


def test_the_sampler_keeps_the_peak_while_it_runs():
    process = subprocess.Popen([sys.executable, "-c", HOLDER, "80"], stdout=subprocess.PIPE)
    try:
        with memory.TreeSampler(process.pid, interval=0.01) as sampler:
            _wait_ready(process, 1)
            time.sleep(0.1)
        assert sampler.samples >= 2
        assert sampler.peak >= 80 * MB
    finally:
        process.kill()
        process.wait()
    assert memory.TreeSampler(process.pid).sample() == 0  # gone: nothing resident


def test_a_sampled_run_counts_an_orphaned_grandchild():
    # The command's subshell starts a process holding 100 MB and exits at once, while the
    # command goes on for a second: the orphan is handed to the wrapper (a subreaper, not the
    # system's first process) and counted.
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(PROJECT)!r})
        from bench.memory import run_sampled
        seconds, peak, largest, code = run_sampled(
            ["/bin/sh", "-c", sys.argv[1]], ".", interval=0.01)
        print(json.dumps([seconds, peak, largest, code]))
    """)
    holder = ("import time; held = bytearray(100 * 2**20)\n"
              "for i in range(0, len(held), 4096): held[i] = 1\n"
              "time.sleep(3)")
    command = f"({sys.executable} -c '{holder}' &); sleep 1.5; exit 0"
    done = subprocess.run([sys.executable, "-c", script, command], capture_output=True,
                          text=True, check=True)
    seconds, peak, largest, code = json.loads(done.stdout)
    assert code == 0 and seconds >= 1.5
    assert peak >= 100 * MB and largest >= 100 * MB


# --- search quality --------------------------------------------------------------------------


def test_indexed_text_is_the_body_without_its_ignored_parts():
    html = ("<html><head><title>Outside</title></head><body><nav>menu words</nav>"
            "<main data-pagefind-body><h1>Harbour closure</h1><img src=x alt=y><br>"
            "<p>kept <em>words</em></p><div data-pagefind-ignore><p>ignored <b>text</b></p>"
            "<input type=text></div><p>after<br/>break</p><script>code()</script></main>"
            "<footer>footer words</footer></body></html>")
    text = search_quality.indexed_text(html)
    assert search_quality.page_words(text) == {"harbour", "closure", "kept", "words", "after",
                                               "break"}
    assert search_quality.indexed_text("<html><body><p>no index here</p></body></html>") is None


def test_the_queries_are_chosen_by_the_rule():
    # 200 pages: "common" on every page, "half" on 100, "some" on 99; the rare words on 9, 10,
    # 10 and 11 pages (at least 10, at most 5% of 200).
    pages = [{"common"} | ({"half"} if n < 100 else set()) | ({"some"} if n < 99 else set())
             for n in range(200)]
    for word, count in (("alpha", 9), ("bravo", 10), ("charlie", 10), ("delta", 11)):
        for page in pages[:count]:
            page.add(word)
    chosen = search_quality.choose(pages, seed=1, each=5)
    assert {q["words"] for q in chosen if q["kind"] == "common"} == {"common", "half"}
    assert {q["words"] for q in chosen if q["kind"] == "rare"} == {"bravo", "charlie"}
    assert {q["words"]: q["pages"] for q in chosen}["half"] == 100
    one = search_quality.choose(pages, seed=1, each=1)
    assert len(one) == 2 and one == search_quality.choose(pages, seed=1, each=1)


def test_the_committed_queries_follow_the_rule():
    chosen = json.loads((PROJECT / "bench" / "queries.json").read_text(encoding="utf-8"))
    queries = chosen["queries"]
    assert len(queries) == 20 and len({q["words"] for q in queries}) == 20
    total = chosen["indexed pages"]
    for query in queries:
        if query["kind"] == "common":
            assert query["pages"] >= search_quality.COMMON_SHARE * total
        else:
            assert search_quality.RARE_PAGES <= query["pages"] <= search_quality.RARE_SHARE * total
    assert search_quality.queries_file(chosen) == (PROJECT / "bench" / "queries.json").read_text(
        encoding="utf-8")


def _compared(site, whole, good, site_bytes=100, whole_bytes=100):
    return search_quality.Compared(
        "w", site, whole, len(site), len(whole),
        search_quality.as_good(site, good), site_bytes, whole_bytes)


def test_the_first_ten_are_compared_as_sets_and_ties_count_as_good():
    whole = [f"p{n}" for n in range(12)]
    # The whole index scores p9, p10 and p11 the same: any of them is a right tenth.
    good = whole  # its first ten, and the results scoring as high as its tenth
    site = [*whole[:8], "p10", "p11"]  # p8 and p9 replaced, one by a tie of p9's, reordered
    result = _compared(site[::-1], whole[:10], good)
    assert (result.same, result.compared, result.as_good) == (8, 10, 10)
    worse = _compared([*whole[:9], "p42"], whole[:10], good)
    assert (worse.same, worse.as_good) == (9, 9)
    later = _compared([*whole[:9], "p12"], whole[:10], whole[:10])  # p12 scores below the tenth
    assert (later.same, later.as_good) == (9, 9)
    few = _compared(["a", "b"], ["b", "a"], ["b", "a"])
    assert (few.same, few.compared, few.as_good) == (2, 2, 2)
    assert search_quality.as_good(["a"], []) == 0
    # Only the first ten of the site's results are judged.
    assert search_quality.as_good([f"p{n}" for n in range(12)], whole) == 10


def test_the_summary_weighs_every_result_and_keeps_the_worst_bytes():
    results = [_compared([f"p{n}" for n in range(10)], [f"p{n}" for n in range(10)],
                         [f"p{n}" for n in range(10)], 150, 100),
               _compared(["x", "y", "p2", "p3"], ["p0", "p1", "p2", "p3"],
                         ["p0", "p1", "p2", "p3"], 300, 100),
               _compared(["a"], ["a"], ["a"], 110, 100)]
    total = search_quality.summary(results)
    assert total["same"] == pytest.approx((10 + 2 + 1) / (10 + 4 + 1))
    assert total["lowest same"] == 0.5
    assert total["bytes largest"] == 3.0 and total["bytes median"] == 1.5
    shown = search_quality.table([{"kind": "rare", "pages": 1}] * 3, results)
    assert "87% " in shown and "**missed**" in shown  # 13 of 15, under 90%; 3.00× over 1.5×


# --- the table's verdicts --------------------------------------------------------------------


def _runs(*seconds_and_peaks, steps=()):
    return [Run(s, p, p, steps) for s, p in seconds_and_peaks]


def test_each_target_is_marked_met_or_missed():
    rows = {
        "Parallax": {"cold build": _runs((30.0, 600.0), (27.0, 620.0)),
                     "check (cold)": _runs((7.0, 300.0)),
                     "serve (body)": [0.03, 0.04, 0.05], "serve peak MB": [700.0, 650.0],
                     "warm build": _runs((2.0, 100.0)), "no-op build": _runs((4.0, 100.0))},
        "Hugo": {"cold build": _runs((4.0, 400.0), (4.5, 400.0)),
                 "check (cold)": _runs((3.5, 300.0)),
                 "serve (body)": [0.4, 0.5, 0.6], "serve peak MB": [600.0, 640.0],
                 "warm build": _runs((4.0, 100.0)), "no-op build": _runs((4.0, 100.0))},
        "Hugo + Pagefind": {"cold build": _runs((10.0, 700.0), (9.0, 660.0),
                                                steps=((4.0, 400.0), (5.0, 660.0)))},
    }
    marks = {line.split(" | ")[0].lstrip("| "): line.rsplit("|", 2)[1].strip()
             for line in targets(rows)[2:]}
    assert marks["cold build ≤ 1.5× Hugo + Pagefind (must; aim 1.0×)"] == "**missed**"  # 27/9
    assert marks["cold `check` ≤ 2.0× Hugo's --renderToMemory (must; aim 1.0×)"] == "met"  # 2.0×
    assert marks["peak memory, cold build ≤ Pagefind's peak on the Hugo site"] == "met"  # 600/660
    assert marks["peak memory, serve ≤ `hugo server`'s"] == "**missed**"  # 700 against 640
    assert marks["serve: body edit ≤ 0.25× Hugo"] == "met"  # medians 0.04 against 0.5
    assert marks["warm build ahead of Hugo"] == "met"
    assert marks["no-op build ahead of Hugo"] == "**missed**"  # equal is not ahead
    assert "serve: title edit ≤ 0.5× Hugo" not in marks  # not measured: not judged
    assert figures(rows["Hugo + Pagefind"], "pagefind peak") == [660.0, 660.0]
    assert verdict(1.5, 1.5) == "met" and verdict(1.0, 1.0, below=True) == "**missed**"

    shown = table({4000: rows, 10000: {**rows, "Parallax": {
        **rows["Parallax"], "cold build": _runs((72.0, 900.0))}}})
    assert "| cold build | 27.00 s (27.00–30.00 s) | 4.00 s (4.00–4.50 s) | 6.75× (6.00–7.50×) " \
           "| 9.00 s (9.00–10.00 s) | 3.00× (3.00–3.00×) |" in shown
    assert "10,000 / 4,000 events: 2.67× (72.00 s against 27.00 s; ≤ 2.6×: **missed**)" in shown


def test_hugo_with_pagefind_runs_the_pinned_pagefind_after_hugo(tmp_path):
    from parallax.search import PAGEFIND_VERSION

    anchor = HugoPagefind(tmp_path)
    hugo, pagefind = anchor.build()
    assert Path(hugo[0]).name == "hugo" and "--quiet" in hugo
    assert pagefind[1:] == ["--site", str(tmp_path / "hugo" / "public"), "--silent"]
    version = subprocess.run([pagefind[0], "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert version == f"pagefind {PAGEFIND_VERSION}"
    assert os.access(pagefind[0], os.X_OK)


def test_the_timeline_shares_each_second_of_cpu_among_the_kinds_of_process():
    from bench.profile_cold import timeline

    # The build (pid 1) for two seconds; a worker (2) in the first; Pagefind (3) in the second.
    readings = [(10.0, {1: ("python", 100 * MB, 0.0)}),
                (10.5, {1: ("python", 100 * MB, 0.5), 2: ("python", 50 * MB, 0.4)}),
                (11.2, {1: ("python", 120 * MB, 0.9), 2: ("python", 50 * MB, 0.9),
                        3: ("pagefind", 300 * MB, 0.6)}),
                (11.9, {1: ("python", 100 * MB, 1.5), 3: ("pagefind", 200 * MB, 1.2),
                        2: ("?", 0, 0.0)})]  # the worker gone as it was read: nothing to add
    lines, total = timeline(readings, root=1)
    assert total == pytest.approx({"build": 1.5, "worker": 0.9, "pagefind": 1.2})
    assert lines[0] == "| second | build (cores) | pagefind (cores) | worker (cores) | all | memory |"
    assert lines[2] == "| 0 | 0.50 | 0.00 | 0.40 | 0.90 | 150 MB |"
    assert lines[3] == "| 1 | 1.00 | 1.20 | 0.50 | 2.70 | 470 MB |"


def test_saved_results_give_the_same_table(tmp_path):
    from bench.run import results_from

    rows = {"Parallax": {"cold build": _runs((30.0, 600.0), steps=((30.0, 600.0),)),
                         "serve (body)": [0.03, 0.05], "serve peak MB": [700.0, 900.0],
                         "pages": 10, "files": 20, "home gz KB": 8.0},
            "Hugo": {"cold build": _runs((4.0, 400.0)), "serve (body)": [0.4, 0.5],
                     "serve peak MB": [600.0, 640.0], "pages": 9},
            "Hugo + Pagefind": {"cold build": _runs((9.0, 660.0),
                                                    steps=((4.0, 400.0), (5.0, 660.0)))}}
    saved = tmp_path / "results-4000.json"
    saved.write_text(json.dumps({"4000": rows}), encoding="utf-8")
    assert results_from(saved) == {4000: rows}
    shown = table(results_from(saved))
    assert shown == table({4000: rows})
    # Serve's peak is the largest of its runs (each a different kind of edit).
    assert "| peak memory, serve (sum over its processes, its whole life) | 900 MB (700–900 MB) " \
           "| 640 MB (600–640 MB) | 1.41×" in shown


def test_the_floor_sums_the_libraries_work_over_the_cores_beside_hugos_budget(tmp_path, capsys):
    # bench/floor.py on a small generated site: the least wall time it prints is the four
    # libraries' processor time shared over the cores, and the budget is the target's.
    from bench import floor
    from bench.generate import generate
    from bench.hugo_site import convert
    from parallax.build import Paths, build

    content = generate(tmp_path, 30, 3)
    site = tmp_path / "site"
    build(Paths(content, site, PROJECT / "templates", PROJECT / "static"))
    assert floor.main([str(content), str(site), "--hugo", str(convert(content, tmp_path / "hugo")),
                       "--cores", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(floor.records(content))} records, 2 cores")
    cells = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1:]
             for line in out.splitlines() if line.startswith("| ")}

    def seconds(text: str) -> float:
        return float(text.split(" s")[0])

    reading = sum(seconds(cells[name][0]) for name in cells
                  if name.startswith(("PyYAML", "Python-Markdown", "nh3")))
    pagefind = seconds(cells["Pagefind alone over the 30 indexed pages"][1])
    least = cells["cold build (the four above)"]
    # The reading shared over the cores, then Pagefind (which needs the pages read first).
    assert abs(seconds(least[0]) - (reading / 2 + pagefind)) < 0.015  # each cell rounded
    assert abs(seconds(cells["cold `check` (PyYAML, Python-Markdown, nh3)"][0]) - reading / 2) < 0.015
    anchor = (seconds(cells["Hugo, cold"][1]) + seconds(cells["Pagefind over Hugo's output"][1]))
    assert abs(seconds(least[1]) - 1.5 * anchor) < 0.025
