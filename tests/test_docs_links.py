"""The docs can be walked: every relative link in the repository's Markdown points at a file that
exists, and every `#anchor` at a heading (or an `<a id>`) of that file, by GitHub's rule for
heading anchors. The README stays a front door: short, opening with the two commands, with a
link to each page of docs/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from conftest import PROJECT

# Folders whose Markdown is not documentation: content records (their links are addresses of
# the site they build), golden output, and what builds and tools leave behind.
SKIPPED = {".git", ".venv", ".cache", "node_modules", "site", "dist", "build", "out", "golden",
           "content", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def markdown_files(root: Path) -> list[Path]:
    """Every Markdown file of the repository's docs, sorted."""
    found = []
    for path in root.rglob("*.md"):
        parts = path.relative_to(root).parts
        if not any(part in SKIPPED for part in parts[:-1]):
            found.append(path)
    return sorted(found)


def _outside_fences(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        opened = FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        lines.append((number, line))
    return lines


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with code spans blanked."""
    return [(number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
            for number, line in _outside_fences(text)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text: lower case, punctuation dropped but for `-` and
    `_`, each space a `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's (or image's) text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors a Markdown file has: its headings' slugs (a repeated one gets -1, -2, ...)
    and its `<a id=...>` / `<a name=...>`."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _outside_fences(text):
        found.update(HTML_ANCHOR.findall(line))
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every link and image in the prose of a Markdown file."""
    found = []
    for number, line in _prose_lines(text):
        for pattern in (INLINE, REFERENCE, HTML_LINK):
            found.extend((number, target) for target in pattern.findall(line))
    return found


def broken_links(root: Path, files: list[Path]) -> list[str]:
    """`path:line: link 'target': what is wrong`, for every relative link that leads nowhere."""
    problems = []
    cache: dict[Path, set[str]] = {}
    for path in files:
        where = path.relative_to(root)
        for number, target in links(path.read_text(encoding="utf-8")):
            if not target or EXTERNAL.match(target):
                continue
            address, _, fragment = target.partition("#")
            address = unquote(address.split("?")[0])
            if address.startswith("/"):
                goal = (root / address.lstrip("/")).resolve()
            else:
                goal = (path.parent / address).resolve() if address else path.resolve()
            if not goal.is_relative_to(root.resolve()):
                problems.append(f"{where}:{number}: link '{target}': leads out of the repository")
                continue
            if not goal.exists():
                problems.append(f"{where}:{number}: link '{target}': no such file")
                continue
            if not fragment:
                continue
            page = goal / "README.md" if goal.is_dir() else goal
            if page.suffix != ".md" or not page.is_file():
                problems.append(f"{where}:{number}: link '{target}': an anchor into a file "
                                "that is not Markdown")
                continue
            if page not in cache:
                cache[page] = anchors(page.read_text(encoding="utf-8"))
            if unquote(fragment) not in cache[page]:
                problems.append(f"{where}:{number}: link '{target}': no heading or anchor "
                                f"'{fragment}' in {page.relative_to(root.resolve())}")
    return problems


def test_every_relative_link_in_the_docs_leads_somewhere():
    files = markdown_files(PROJECT)
    names = {str(path.relative_to(PROJECT)) for path in files}
    assert {"README.md", "CHANGELOG.md", "docs/editing.md", "bench/README.md"} <= names
    assert not any(name.startswith(("content/", "tests/golden/")) for name in names)
    assert broken_links(PROJECT, files) == []


def test_the_checker_finds_broken_links(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n\n## Step one\n\n## Step one\n\n## `content/site.yaml`: the settings\n\n"
        '<a id="limits"></a>\n\n```sh\n# not a heading\n[not a link](missing.md)\n```\n',
        encoding="utf-8")
    (tmp_path / "README.md").write_text(
        "# Front door\n\n"
        "[fine](docs/guide.md) [fine](docs/guide.md#step-one) [fine](docs/guide.md#step-one-1)\n"
        "[fine](docs/guide.md#contentsiteyaml-the-settings) [fine](docs/guide.md#limits)\n"
        "[fine](#front-door) [fine](docs/) ![fine](docs/guide.md) [fine](https://example.org/x)\n"
        "`[in code](missing.md)`\n"
        "[gone](docs/missing.md)\n"
        "[no anchor](docs/guide.md#step-two)\n"
        "[third copy](docs/guide.md#step-one-2)\n"
        "[code heading](docs/guide.md#not-a-heading)\n"
        "[own anchor](#nowhere)\n"
        '<img src="docs/missing.png" alt="">\n'
        "[ref]: docs/gone.md\n"
        "[outside](../elsewhere.md)\n",
        encoding="utf-8")
    problems = broken_links(tmp_path, markdown_files(tmp_path))
    g = "docs/guide.md"
    assert problems == [
        "README.md:7: link 'docs/missing.md': no such file",
        f"README.md:8: link '{g}#step-two': no heading or anchor 'step-two' in {g}",
        f"README.md:9: link '{g}#step-one-2': no heading or anchor 'step-one-2' in {g}",
        f"README.md:10: link '{g}#not-a-heading': no heading or anchor 'not-a-heading' in {g}",
        "README.md:11: link '#nowhere': no heading or anchor 'nowhere' in README.md",
        "README.md:12: link 'docs/missing.png': no such file",
        "README.md:13: link 'docs/gone.md': no such file",
        "README.md:14: link '../elsewhere.md': leads out of the repository",
    ]


def test_slugs_follow_githubs_rule():
    assert slug("Libraries, and why") == "libraries-and-why"
    assert slug("`content/site.yaml`") == "contentsiteyaml"
    assert slug("Your editor's YAML support") == "your-editors-yaml-support"
    assert slug("What Parallax is — in short") == "what-parallax-is--in-short"
    assert slug("[Linked](x.md) heading_with_underscore") == "linked-heading_with_underscore"


README_LIMIT = 150


def test_the_readme_is_a_front_door():
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < README_LIMIT
    # It opens with the two commands, before any section.
    before_sections = text.split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", before_sections)
    assert len(commands) == 2
    assert commands[0].endswith(".venv/bin/parallax serve")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    # A map of the docs: every page of docs/, the benchmark and the changelog.
    linked = {target.split("#")[0] for _, target in links(text)}
    pages = {f"docs/{path.name}" for path in (PROJECT / "docs").glob("*.md")}
    assert pages | {"bench/README.md", "CHANGELOG.md"} <= linked
    assert "docs/screenshots/home-1440.png" in linked
