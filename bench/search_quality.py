"""Search quality: the site's search index against one whole index that Pagefind makes over the
same pages on its own, for the queries in bench/queries.json, in Chromium. (The site's index was
once made in shards, merged by the search page; this is the measure that judged them. The site's
index is now one index put in a fixed form, which must give the same results for the same bytes.)

    python bench/search_quality.py SITE_FOLDER                  # measure (bench/queries.json)
    python bench/search_quality.py SITE_FOLDER --choose         # choose the queries again

SITE_FOLDER is a site built without an address (bench/out/n4000/site after bench/run.py).

**The queries** (`--choose`, done once at 4,000 events and committed, so that every change is
judged by the same ones): the words of the indexed text of every indexed page (what Pagefind
reads: the `data-pagefind-body` element without its `data-pagefind-ignore` parts), as runs of
four or more ASCII letters, lower-cased, counted once a page. "Common" words are on at least
half of the indexed pages; "rare" ones on at least 10 pages (so that there are ten results to
compare) and at most 5% of them. Ten of each, drawn with `random.Random(SEED)` from each list
sorted by word.

**The measure**: one whole index is made with the same Pagefind (parallax/search.py's pinned
version) over a copy of the site (hard links) with its pagefind/ folder removed: Pagefind indexes
the pages marked `data-pagefind-body`, the ones the site's index holds. Then, for each query and
each index, the site's search page is opened in a new browser context (nothing cached), the
query typed as a reader would, and, once the results are shown and the network is quiet:
- the bytes fetched under pagefind/ (opening the page and the search: the reader's first
  search), the site's against the whole index's;
- the first ten results (Pagefind's order, the order the page shows), as the events'
  addresses: how many of the site's first ten are among the whole index's first ten ("same"), and how many
  score, in the whole index, at least as high as its tenth result ("as good": equal scores make
  the order among them arbitrary, so a tie at the tenth place is not a different answer).

Targets (bench/README.md): the first ten the same events for at least 90% of the 200 results
compared, and no query's first search fetching more than 1.5× the bytes of one whole index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.search_cost import chromium, first_search, served

QUERIES = BENCH / "queries.json"
SEED = 27
EACH = 10
COMMON_SHARE = 0.5
RARE_SHARE = 0.05
RARE_PAGES = 10
TOP = 10
SAME_TARGET = 0.9
BYTES_TARGET = 1.5
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
WORD = re.compile(r"[A-Za-z]{4,}")


# --- choosing the queries --------------------------------------------------------------------


class _Indexed(HTMLParser):
    """The text Pagefind indexes on a page: inside the `data-pagefind-body` element, without the
    elements marked `data-pagefind-ignore` (and without scripts and styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, opens the body, opens an ignore)
        self.inside = 0
        self.ignored = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        names = {name for name, _ in attrs}
        body = "data-pagefind-body" in names
        ignore = "data-pagefind-ignore" in names or tag in ("script", "style")
        self.inside += body
        self.ignored += ignore
        self.stack.append((tag, body, ignore))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            opened, body, ignore = self.stack.pop()
            self.inside -= body
            self.ignored -= ignore
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.inside and not self.ignored:
            self.parts.append(data)


def indexed_text(html: str) -> str | None:
    """The text Pagefind indexes on the page, or None when the page is not indexed."""
    if "data-pagefind-body" not in html:
        return None
    parser = _Indexed()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def page_words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


def choose(pages: list[set[str]], seed: int = SEED, each: int = EACH) -> list[dict]:
    """The queries for pages given as their sets of words: `each` common and `each` rare words
    (the rule in this module's docstring), with the number of pages holding each."""
    counts = Counter(word for words in pages for word in words)
    total = len(pages)
    common = sorted(w for w, c in counts.items() if c >= COMMON_SHARE * total)
    rare = sorted(w for w, c in counts.items() if RARE_PAGES <= c <= RARE_SHARE * total)
    rng = random.Random(seed)
    picked = [("common", w) for w in rng.sample(common, min(each, len(common)))]
    picked += [("rare", w) for w in rng.sample(rare, min(each, len(rare)))]
    return [{"words": w, "kind": kind, "pages": counts[w]} for kind, w in picked]


def site_pages(site: Path) -> list[set[str]]:
    """Every indexed page's words, in the order of their paths."""
    found = []
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).parts[0] == "pagefind":
            continue
        text = indexed_text(path.read_text(encoding="utf-8"))
        if text is not None:
            found.append(page_words(text))
    return found


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Compared:
    """One query's first ten results from the site's index and from one whole index."""
    words: str
    site_top: list[str]
    whole_top: list[str]
    site_count: int
    whole_count: int
    as_good: int
    """How many of the site's first ten score, in the whole index, at least its tenth's score."""
    site_bytes: int
    whole_bytes: int

    @property
    def compared(self) -> int:
        return min(TOP, self.whole_count)

    @property
    def same(self) -> int:
        return len(set(self.site_top[:TOP]) & set(self.whole_top[:TOP]))


def as_good(site_top: list[str], whole_good: list[str], top: int = TOP) -> int:
    """How many of `site_top` are among `whole_good`: the whole index's results that score at
    least as high as its `top`-th."""
    good = set(whole_good)
    return sum(1 for url in site_top[:top] if url in good)


def summary(results: list[Compared]) -> dict[str, float]:
    """The figures over every query: the share of the first ten that are the same events (and
    as good), and the site's bytes over the whole index's (the median and the largest)."""
    compared = sum(r.compared for r in results) or 1
    ratios = sorted(r.site_bytes / r.whole_bytes for r in results)
    middle = len(ratios) // 2
    median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    return {"same": sum(r.same for r in results) / compared,
            "as good": sum(r.as_good for r in results) / compared,
            "lowest same": min(r.same / (r.compared or 1) for r in results),
            "bytes median": median, "bytes largest": ratios[-1]}


RANKING = """async ([address, words, top]) => {
  const pagefind = await import(address);
  const search = await pagefind.search(words);
  const results = search ? search.results : [];
  const bar = results.length ? results[Math.min(top, results.length) - 1].score : 0;
  const good = results.filter((r, n) => n < top || r.score >= bar * (1 - 1e-9));
  const urls = await Promise.all(good.map(async (r) => (await r.data()).url));
  return { count: results.length, top: urls.slice(0, top), good: urls };
}"""
"""The query's result count, its first `top` results' addresses in order, and the addresses of
every result that scores at least as high as the `top`-th (ties included), from the same
Pagefind module that the search page loaded."""


def whole_index(site: Path, into: Path) -> Path:
    """A copy of `site` (hard links) whose pagefind/ is one index over all its indexed pages."""
    from parallax.search import PAGEFIND_VERSION, executable

    copy = into / "site"
    shutil.copytree(site, copy, copy_function=os.link)
    shutil.rmtree(copy / "pagefind")
    binary = str(executable())
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert version == f"pagefind {PAGEFIND_VERSION}", version
    subprocess.run([binary, "--site", str(copy), "--silent"], check=True)
    return copy


def measure(site: Path, queries: list[dict]) -> list[Compared]:
    results = []
    with tempfile.TemporaryDirectory(prefix="parallax-quality-") as scratch:
        whole = whole_index(site, Path(scratch))
        with served(site) as site_url, served(whole) as whole_url, chromium() as browser:
            for query in queries:
                words = query["words"]
                found = {}
                for name, url in (("site", site_url), ("whole", whole_url)):
                    found[name] = first_search(
                        browser, url, words, keep=lambda page, url=url, words=words:
                        page.evaluate(RANKING, [url + "pagefind/pagefind.js", words, TOP]))
                (site_cost, site), (whole_cost, whole) = found["site"], found["whole"]
                compared = Compared(words, site["top"], whole["top"], site["count"],
                                    whole["count"], as_good(site["top"], whole["good"]),
                                    site_cost.total, whole_cost.total)
                results.append(compared)
                print(f"  {words!r}: {compared.same}/{compared.compared} same, "
                      f"{compared.as_good} as good; {compared.site_count} and "
                      f"{compared.whole_count} results; {site_cost.total / 1024:.0f} KB against "
                      f"{whole_cost.total / 1024:.0f} KB", file=sys.stderr, flush=True)
    return results


def table(queries: list[dict], results: list[Compared]) -> str:
    lines = [("| query | kind | pages | results (site / whole) | same of the first ten | as good "
             "| first search (site / whole) | ratio |"), "|---|---|---:|---:|---:|---:|---:|---:|"]
    for query, r in zip(queries, results, strict=True):
        lines.append(f"| {r.words} | {query['kind']} | {query['pages']:,} | {r.site_count:,} / "
                     f"{r.whole_count:,} | {r.same}/{r.compared} | {r.as_good}/{r.compared} | "
                     f"{r.site_bytes / 1024:.0f} / {r.whole_bytes / 1024:.0f} KB | "
                     f"{r.site_bytes / r.whole_bytes:.2f}× |")
    total = summary(results)
    same_met = "met" if total["same"] >= SAME_TARGET else "**missed**"
    bytes_met = "met" if total["bytes largest"] <= BYTES_TARGET else "**missed**"
    lines += ["", "| target | measured | |", "|---|---|---|",
              (f"| the first ten the same events as one whole index (≥ {SAME_TARGET:.0%}) | "
              f"{total['same']:.0%} (as good: {total['as good']:.0%}; the lowest query "
              f"{total['lowest same']:.0%}) | {same_met} |"),
              (f"| a reader's first search ≤ {BYTES_TARGET}× the bytes of one index | the largest "
              f"{total['bytes largest']:.2f}× (median {total['bytes median']:.2f}×) | {bytes_met} |")]
    return "\n".join(lines)


def queries_file(chosen: dict) -> str:
    """The queries as JSON, one query a line."""
    head = {key: value for key, value in chosen.items() if key != "queries"}
    lines = ["{", *(f" {json.dumps(key)}: {json.dumps(value)}," for key, value in head.items()),
             ' "queries": [']
    lines += [f"  {json.dumps(query)}," for query in chosen["queries"]]
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join([*lines, " ]", "}"]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="a built site (no address)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--choose", action="store_true",
                        help="choose the queries from the site's indexed pages and write them")
    args = parser.parse_args(argv)
    if args.choose:
        pages = site_pages(args.site)
        chosen = {"rule": "bench/search_quality.py (--choose)", "seed": SEED,
                  "indexed pages": len(pages), "queries": choose(pages)}
        args.queries.write_text(queries_file(chosen), encoding="utf-8")
        print(f"{len(chosen['queries'])} queries from {len(pages):,} pages into {args.queries}")
        return 0
    queries = json.loads(args.queries.read_text(encoding="utf-8"))["queries"]
    print(table(queries, measure(args.site, queries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
