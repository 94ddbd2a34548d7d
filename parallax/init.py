"""Publishers' helper: `parallax init DIR` writes a new publication, ready to preview.

It writes the content folder (site.yaml with every field explained from the model's field
docstrings, an empty credited.yaml, an About page, and one example source and event, each
marked as an example so that `check --strict` fails until they are replaced or deleted),
a .gitignore, a GitHub Pages workflow that installs exactly this version of Parallax, and a
short README for the publication's editors. Nothing in it is needed by a build.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import textwrap
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import __version__
from .docs import field_doc
from .errors import ContentError, Problem
from .load import EXAMPLE
from .models import SiteSettings
from .new import WIDTH

DISTRIBUTION = "parallax-timeline"
"""The name Parallax is installed by (`pip install parallax-timeline`); the command and the
package imported are `parallax`."""
REPOSITORY_PLACEHOLDER = "OWNER/REPOSITORY"
"""Written in the workflow when the GitHub repository Parallax came from is not known."""
EXAMPLE_DATE = "2026-03-03"
"""The day of the example event; the default window holds it."""
DEFAULT_WINDOW = "2026-03-01/2026-03-07"
DEFAULT_TIMEZONE = "UTC"
SITE_EXAMPLES = {
    "base_url": "https://<user>.github.io/<repository>/",
    "window_note": '"It runs to 7 March for the reports of that day."',
}
"""What an optional setting without a default looks like, where the file shows it."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "init", help="start a new publication in an empty folder",
        description="Write a new publication into DIR (made if missing; it must be empty): "
                    "content/ with site.yaml (every field explained), credited.yaml, an About "
                    "page and one example source and event (marked as examples: `check "
                    "--strict` fails until they are replaced or deleted), a .gitignore, a "
                    "GitHub Pages workflow that installs this exact version of Parallax, and a "
                    "README for the editors. Then `cd DIR && parallax serve`.")
    parser.add_argument("folder", metavar="DIR", help="the new publication's folder")
    parser.add_argument("--title", help="the site's name (default: from the folder's name)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE,
                        help=f"the IANA time zone the timeline is drawn in (default: "
                             f"{DEFAULT_TIMEZONE})")
    parser.add_argument("--window", default=DEFAULT_WINDOW,
                        help="the days the timeline shows in full, as a range of at most 92 "
                             f"days (default: {DEFAULT_WINDOW}, the example's week)")
    parser.add_argument("--bare", action="store_true",
                        help="leave the example source and event out")
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="the GitHub repository the workflow installs Parallax from "
                             "(default: the one this copy came from, when it is known)")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is not a folder" if not folder.is_dir() else "is not empty"
        raise ContentError([Problem(str(folder), 1, "", (
            f"{what}; parallax init writes a new publication only into an empty or new folder: "
            "choose another one"))])
    title = args.title or _title_from(folder)
    _check_settings(args, title)
    pin = generator_pin(args.repository)
    files = publication(title, args.timezone, args.window, pin, examples=not args.bare)
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"Wrote a new publication in {folder}/: {len(files)} files.")
    if not args.bare:
        print("The example source and event show every part at work; replace them with your "
              "own, or delete them (`parallax check --strict` fails while they remain).")
    if pin.repository == REPOSITORY_PLACEHOLDER:
        print(f"note: the repository Parallax comes from is not known: replace "
              f"{REPOSITORY_PLACEHOLDER} in {folder}/.github/workflows/publish.yml (or run init "
              "with --repository OWNER/NAME)")
    if pin.note:
        print(f"note: {pin.note}")
    print(f"Next: cd {folder} && parallax serve")
    return 0


def _title_from(folder: Path) -> str:
    words = re.sub(r"[-_]+", " ", folder.resolve().name).strip()
    return (words[:1].upper() + words[1:]) if words else "A new publication"


def _check_settings(args: argparse.Namespace, title: str) -> None:
    """A --title, --timezone or --window the site's settings would refuse is a usage error."""
    for option, name, value in (("--title", "title", title), ("--timezone", "timezone",
                                args.timezone), ("--window", "window", args.window)):
        try:
            SiteSettings.model_validate({"title": "t", "description": "d", "timezone": "UTC",
                                         "window": DEFAULT_WINDOW, name: value})
        except ValidationError as error:
            args.parser.error(f"{option}: {error.errors()[0]['msg']}")


# --- which Parallax the workflow installs ----------------------------------------------------


@dataclass(frozen=True)
class Pin:
    """Where the workflow gets Parallax from: a GitHub repository at a commit or a tag."""

    repository: str
    """owner/name on GitHub."""
    ref: str
    """The commit (from a checkout) or the release's tag (from an installed package)."""
    note: str = ""
    """What the publisher should know about the pin (a checkout with changes not committed)."""


def generator_pin(repository: str | None = None) -> Pin:
    """This copy of Parallax, as a repository and a ref. Run from a git checkout, it is the
    checkout's commit (and its `origin` names the repository, when it is on GitHub); run from
    an installed package, the tag of its version (`v0.1.0`) and the repository its metadata
    names (Project-URL Source). What is not known is left as a placeholder to fill in."""
    top = Path(__file__).resolve().parent.parent
    commit = _git(top, "rev-parse", "HEAD") if (top / ".git").exists() else None
    if repository is None:
        origin = _git(top, "remote", "get-url", "origin") if commit else None
        repository = _github_name(origin) or _github_name(_source_url()) or REPOSITORY_PLACEHOLDER
    if commit:
        dirty = _git(top, "status", "--porcelain", "--", "parallax", "templates", "static",
                     "pyproject.toml")
        note = (f"the workflow installs Parallax at commit {commit[:12]}, without the changes "
                "not committed in this checkout") if dirty else ""
        return Pin(repository, commit, note)
    return Pin(repository, f"v{__version__}")


def _git(folder: Path, *command: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *command], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _source_url() -> str | None:
    try:
        urls = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("source", "repository"):
            return url.strip()
    return None


def _github_name(url: str | None) -> str | None:
    found = re.match(r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
                     r"([\w.-]+/[\w.-]+?)(?:\.git)?/?$", url or "")
    return found.group(1) if found else None


# --- the files -------------------------------------------------------------------------------


def publication(title: str, timezone: str, window: str, pin: Pin, *,
                examples: bool = True) -> dict[str, str]:
    """Every file of a new publication, by its path in the publication's folder."""
    files = {
        "content/site.yaml": site_yaml(title, timezone, window),
        "content/credited.yaml": CREDITED,
        "content/pages/about.md": ABOUT,
        ".gitignore": GITIGNORE,
        ".github/workflows/publish.yml": workflow(pin),
        "README.md": editors_readme(title, pin),
    }
    if examples:
        files["content/sources/example-gazette.md"] = EXAMPLE_SOURCE
        files[f"content/events/{EXAMPLE_DATE}-example-bridge-closed.md"] = EXAMPLE_EVENT
    return files


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - 2, initial_indent="# ", subsequent_indent="# ",
                         break_on_hyphens=False)


def _setting(name: str, value: object) -> list[str]:
    """`# name: default`, commented out, as YAML (JSON's form of a value is YAML too), a long
    list wrapped."""
    if isinstance(value, list):
        shown = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    else:
        shown = json.dumps(value, ensure_ascii=False)
    return textwrap.wrap(f"{name}: {shown}", WIDTH, initial_indent="# ",
                         subsequent_indent="#   ", break_long_words=False,
                         break_on_hyphens=False)


def site_yaml(title: str, timezone: str, window: str,
              model: type[BaseModel] = SiteSettings) -> str:
    """site.yaml: every setting the model has, each with its docstring; the required ones
    filled in, the others commented out at their default (delete '# ' to change one)."""
    given = {"title": json.dumps(title, ensure_ascii=False),
             "description": json.dumps(f"How different outlets told {title}, on one shared "
                                       "timeline.", ensure_ascii=False),
             "timezone": timezone, "window": window}
    lines = _comment("The site's settings, each explained above it. A setting written "
                     "'# name: value' is left at its default, the value shown: delete the "
                     "'# ' to set it.")
    for name, info in model.model_fields.items():
        lines.append("")
        lines += _comment(field_doc(model, name))
        if name in given:
            lines.append(f"{name}: {given[name]}")
            continue
        default = info.get_default(call_default_factory=True)
        if default is None:
            example = SITE_EXAMPLES.get(name, "")
            lines.append(f"# {name}:{' ' + example if example else ''}")
            continue
        lines += _setting(name, default.value if hasattr(default, "value") else default)
    return "\n".join(lines) + "\n"


CREDITED = """\
# The credited parties: every organisation or person an article credits for a claim, by id.
# A quote or figure names them in `via:`. Each entry, for example:
#
# harbour-authority:
#   name: Harbour Authority
#   kind: organisation          # organisation, person, outlet or other
#   spellings: [Harbour Authority, the port authority]
#
# Every field is explained in Parallax's editors' guide (docs/editing.md).
"""

ABOUT = """\
---
title: About
menu: 0
---
Who made this site, how the events and the accounts were chosen, and how to reach the editors.
"""

_EXAMPLE_MARK = (f"# {EXAMPLE}: parallax init wrote this record to show the fields at work. "
                 "Replace it with your own, or delete this file: `parallax check --strict` "
                 "fails while it is here.]")

EXAMPLE_SOURCE = f"""\
---
{_EXAMPLE_MARK}
# One file per article; the file name is its id, which events cite. `parallax new source`
# writes one with every field explained.
outlet: The Example Gazette
title: Report says harbour bridge closed after crack found
published: {EXAMPLE_DATE}
timezone: Europe/London
url: https://example.org/harbour-bridge-closed
confidence:
  outlet: confirmed
  byline: unknown
  published: confirmed
  url: confirmed
---
The editors' note on this article (Markdown): what kind of outlet it is, anything a reader
should know about the article itself.
"""

EXAMPLE_EVENT = f"""\
---
{_EXAMPLE_MARK}
# One file per event; the file name is its id. `parallax new event` writes one with every
# field explained.
title: Example Gazette reports the harbour bridge closed
when: {EXAMPLE_DATE}
place: Harbour Bridge
tags: [closures]
checked:
  one_source: the example has one source; a real event names every outlet that tells it
accounts:
  - source: example-gazette
    quotes:
      - "The bridge was closed to all traffic on Tuesday morning"
    time_words:
      - said: on Tuesday morning
---
The editors' neutral summary (Markdown): what the accounts say, and where they differ.
"""

GITIGNORE = """\
# What a build makes: never committed.
/site/
/.site.*
.cache/
__pycache__/
.venv/
"""


def workflow(pin: Pin) -> str:
    """A GitHub Actions workflow: check and build on every push and pull request, publish
    main to GitHub Pages; Parallax installed at `pin`, with the exact versions of what it
    needs from that ref's lock (requirements/site.txt, checked against their hashes)."""
    return f"""\
# Check and build the site on every push and pull request; publish main to GitHub Pages.
# In the repository's Settings -> Pages, set "Source" to "GitHub Actions".
# Parallax is installed at exactly the version this site was made with ({pin.ref}); to move
# to a newer one, change `ref` below (see Parallax's CHANGELOG.md), then run
# `parallax check --strict` on your computer with that version.
name: Publish

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  build:
    name: Check and build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6

      - name: Get Parallax
        uses: actions/checkout@v6
        with:
          repository: {pin.repository}
          ref: {pin.ref}
          path: .parallax

      - uses: actions/setup-python@v6
        with:
          python-version: "3.11"

      - name: Install Parallax and the exact versions of what it needs
        run: |
          python -m pip install --no-deps --require-hashes -r .parallax/requirements/site.txt
          python -m pip install --no-deps --no-build-isolation ./.parallax
          rm -rf .parallax

      # Where Pages is not set up yet, the site is still checked and built, without an address.
      - uses: actions/configure-pages@v6
        id: pages
        continue-on-error: ${{{{ !(github.event_name == 'push' && github.ref == 'refs/heads/main') }}}}

      - name: Check and build
        env:
          PARALLAX_BASE_URL: ${{{{ steps.pages.outputs.base_url && format('{{0}}/', steps.pages.outputs.base_url) || '' }}}}
        run: |
          parallax check --strict
          parallax build --strict

      - uses: actions/upload-pages-artifact@v5
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        with:
          path: site

  deploy:
    name: Publish to GitHub Pages
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    concurrency:
      group: pages
      cancel-in-progress: false
    steps:
      - name: Deploy
        id: deployment
        uses: actions/deploy-pages@v5
"""


def editors_readme(title: str, pin: Pin) -> str:
    guide = (f"https://github.com/{pin.repository}/blob/{pin.ref}/docs"
             if pin.repository != REPOSITORY_PLACEHOLDER else "Parallax's docs/ folder")
    return f"""\
# {title}

A site made with [Parallax](https://github.com/{pin.repository}) {__version__}: each event told
by several outlets, every outlet's version on one shared timeline.

## Work on it

With Parallax installed (`pip install "{DISTRIBUTION} @ git+https://github.com/{pin.repository}@{pin.ref}"`
in a virtual environment), in this folder:

| command | what it does |
|---|---|
| `parallax serve` | build, serve at http://127.0.0.1:8000 and rebuild on every save |
| `parallax new source "Outlet" --date 2026-03-03` | a new article's record, every field explained |
| `parallax new event "Title" --date 2026-03-03` | a new event's record, every field explained |
| `parallax check --strict` | everything a build checks, as the workflow checks it |
| `parallax build` | the site, in `site/` |

- `content/site.yaml`: the site's settings, each explained in the file.
- `content/sources/`, `content/events/`: one Markdown file per article and per event. A file
  whose front matter starts with `# {EXAMPLE}: ...]` is an example: replace it with your own,
  or delete it (`check --strict` fails while one remains).
- `content/credited.yaml`: the parties the articles credit; `content/pages/`: plain pages.

The editors' guide, with every field: `editing.md` in {guide}.

## Change how it looks

Put a file in `templates/` (or `static/`) beside `content/` with the name of one of Parallax's,
and it is used in place of that one; Parallax's own fill in the rest. The templates, and what
each is given: `templates.md` in {guide}.

## Publish

`.github/workflows/publish.yml` checks and builds every push and pull request and publishes
`main` to GitHub Pages (Settings -> Pages -> Source: GitHub Actions). It installs Parallax at
`{pin.ref}`. To upgrade: read Parallax's CHANGELOG.md for what changed, run
`parallax check --strict` here with the new version, then change that `ref` and push
(`publishing.md` in {guide}).
"""
