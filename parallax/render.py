"""Render stage: `Timeline` → the site's pages, each a `PageSpec` that names what it reads, and
each page's bytes.

The only module that knows Jinja. Markdown goes through `markup`; data files through `export`.
Nothing is written here, and nothing is kept between builds: the engine decides which pages to
render (from what each spec declares it reads) and hands them to the write stage.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache

from . import __version__, export, feeds, markup, views
from .errors import ContentError, Problem
from .load import refused_files
from .resolve import Timeline

EVENTS = "events"
"""A page that reads every event's front matter (not the bodies)."""


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where it goes, with which template, from which record."""

    path: str
    """Output path under site/, e.g. 'events/2016-12-10-x/index.html'."""
    template: str
    origin: str
    """What asks for this page (a record's path), for collision messages."""
    context: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict,
                                                                   compare=False)
    """What the template reads, or how to make it (made only when the page is rendered)."""
    reads: tuple[str, ...] = (EVENTS,)
    """What the page shows besides the site's settings, sources, parties and content pages
    (which every page reads): 'event:<id>' an event whole, 'meta:<id>' an event without its
    body (its title, time, accounts), EVENTS every event without its body."""


def root_of(path: str, base_url: str | None = None) -> str:
    """The prefix from a page at `path` back to the site root: relative ('' or '../../'), so the
    site works from any folder; but the 404 page, which a host serves at any missing address,
    gets the root-absolute path of the site's base URL ('/' for a site without one)."""
    if path == "404.html":
        return urlsplit(base_url).path if base_url else "/"
    return "../" * path.count("/")


class Renderer:
    """Jinja environment plus the Markdown of every record, converted once."""

    def __init__(self, timeline: Timeline, content_origins: dict,
                 templates: Path | Sequence[Path],
                 markdown: Callable[[str], tuple[str, list[str]]] = markup.convert,
                 compiled: Compiled | None = None):
        """`templates`: the folders a template is looked for in, in order (the site's own,
        then Parallax's: Paths.template_folders); the first that holds it wins."""
        self.timeline = timeline
        self.origins = content_origins
        # Absolute, so template error messages can name the file whatever the working folder.
        self.folders = tuple(folder.resolve() for folder in (
            (templates,) if isinstance(templates, Path) else templates))
        self.templates = self.folders[0]
        """The site's own templates: error messages name a file there as `templates/NAME`."""
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder))
                                        for folder in self.folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=compiled,
        )
        self.env.filters["when"] = lambda interval: interval.describe()
        self.env.filters["iso"] = lambda dt: dt.isoformat()
        self.env.filters["figure"] = format_figure
        self.env.filters["short"] = views.short_time
        self.env.filters["link"] = views.article_link
        self.env.globals["marks"] = views.MARKS
        self.env.globals["quarters"] = views.QUARTERS
        self.env.globals["version"] = __version__
        # Addresses and schema.org data for each page's head (templates/_meta.html).
        self.env.globals["page_url"] = lambda path: export.page_url(timeline.site, path)
        self.env.globals["page_path"] = export.page_path
        self.env.globals["linked_data"] = lambda *args, **kw: export.linked_data(timeline, *args, **kw)
        self.env.globals["og_locale"] = export.og_locale
        self._markdown = markdown
        self.html: dict[tuple[str, str], str] = {}

    def compile(self, names: Iterable[str]) -> None:
        """Compile these templates now (say, before forking workers, which then share them).
        One that does not compile is left for `render_page` to report."""
        for name in sorted(set(names)):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                pass

    def body_html(self, kind: str, record_id: str, text: str) -> str:
        # Disallowed addresses were reported by validation; here only the safe HTML is used.
        key = (kind, record_id)
        if key not in self.html:
            self.html[key] = self._markdown(text)[0]
        return self.html[key]


class Compiled(jinja2.BytecodeCache):
    """Compiled templates, for a caller that renders the site again and again (each render
    has its own Jinja environment); Jinja checks each against its template's source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def format_figure(figure) -> str:
    def num(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"
    if figure.value is not None:
        return num(figure.value)
    if figure.low is not None and figure.high is not None:
        return f"{num(figure.low)}–{num(figure.high)}"
    if figure.low is not None:
        return f"≥ {num(figure.low)}"
    if figure.high is not None:
        return f"≤ {num(figure.high)}"
    return ""


class _Origins(Mapping[str, Any]):
    """Each event's independent origins, worked out when a page asks for them."""

    def __init__(self, timeline: Timeline):
        self._timeline = timeline
        self._events = {placed.id: placed for placed in timeline.events}
        self._found: dict[str, Any] = {}

    def __getitem__(self, event_id: str) -> Any:
        if event_id not in self._found:
            self._found[event_id] = views.event_origins(self._timeline, self._events[event_id])
        return self._found[event_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)


def common_context(timeline: Timeline) -> dict[str, Any]:
    """What every page's template may read."""
    return {
        "site": timeline.site,
        "timeline": timeline,
        "sources": {s.id: s for s in timeline.sources},
        "parties": timeline.parties,
        "menu": sorted((p for p in timeline.pages if p.menu is not None), key=lambda p: (p.menu, p.id)),
        "origins": _Origins(timeline),
        "feeds": tuple(feeds.head_links(timeline)),
        "corrections_page": views.corrections_page(timeline),
    }


def event_specs(timeline: Timeline, renderer: Renderer, common: dict[str, Any],
                only: set[str] | None = None) -> list[PageSpec]:
    """One page per event (or per event of the ids in `only`): the event whole, and the titles
    of the events before and after it."""
    events = timeline.events
    specs = []
    for index, placed in enumerate(events):
        if only is not None and placed.id not in only:
            continue
        origin = renderer.origins[("event", placed.id)]
        previous = events[index - 1] if index > 0 else None
        following = events[index + 1] if index + 1 < len(events) else None
        specs.append(PageSpec(f"events/{placed.id}/index.html", "event.html", origin.path,
                              lambda placed=placed, previous=previous, following=following: {
            **common,
            "placed": placed,
            "grid": views.field_grid(timeline, placed),
            "compared": (views.comparison(timeline, [placed], timeline.window)
                         if placed.band == "window" else None),
            "summary": renderer.body_html("event", placed.id, placed.event.body),
            "corrections": views.record_corrections(timeline, "event", placed.event),
            "previous": previous,
            "next": following,
        }, reads=(f"event:{placed.id}", f"meta:{previous.id if previous else ''}",
                  f"meta:{following.id if following else ''}")))
    return specs


def page_specs(timeline: Timeline, renderer: Renderer, common: dict[str, Any] | None = None,
               events: list[PageSpec] | None = None) -> list[PageSpec]:
    """Every page of the site, with what each template needs (`events`: the event pages'
    specs, when already made from the same `common`)."""
    event_pages = events
    events = timeline.events
    specs: list[PageSpec] = []
    settings = "content/site.yaml"
    common = common_context(timeline) if common is None else common
    told = views.told_by(timeline)
    claims = views.claims_by_party(timeline)
    days = _once(lambda: views.events_by_day(timeline))
    layout = views.layout(timeline, told)
    # At scale the overviews would grow with every event: a band too long to list becomes an
    # overview of months (each a timeline page of its own), a long index one page per year.
    split = views.split_bands(layout)
    months = views.months(timeline, told) if split else []
    compared = _once(lambda: views.comparison(
        timeline, [e for e in events if e.band == "window"], timeline.window))
    narrow = _once(lambda: views.narrowing(timeline))
    specs.append(PageSpec("index.html", "home.html", settings, lambda: {
        **common, "compared": compared(), "lead": views.lead_rows(compared()),
        "narrow": narrow(), "claimants": views.claimants_of(narrow(), compared()),
        "strips": {band: views.strip(timeline, band) for band in ("before", "after")
                   if band not in split},
        "overviews": [views.band_overview(layout, band, months, timeline)
                      for band in ("before", "after") if band in split],
    }))
    # The number of days and of outlets depend on the content, and the CSP allows no inline
    # styles, so the rules that count them are written as a stylesheet of their own.
    specs.append(PageSpec("static/timeline.css", "timeline.css", settings, lambda: {
        **common, "compared": compared(),
        "month_days": sorted({(month.interval.last_day() - month.interval.first_day()).days + 1
                              for month in months}),
    }))
    specs += _month_specs(timeline, common, months, settings, narrow)
    specs.append(PageSpec("404.html", "404.html", settings, {**common}))

    def year_of(placed):
        return placed.placement.start.astimezone(timeline.tz)

    event_years = views.by_year(list(events), year_of)
    long_lists = len(events) > views.LIST_LIMIT
    year_counts = [(year, len(found)) for year, found in event_years.items()]
    # The differences grow faster than the events index (a figure and a table row per account),
    # so they split by month.
    event_months = views.by_month(list(events), year_of)
    month_links = views.month_links(event_months) if long_lists else []

    def differences(found: list | None, period: Any, cap: int | None) -> Callable[[], dict]:
        """The differences page of `found` events (None: the whole site's, which at scale
        leaves the coverage and the differing events to the month pages)."""
        def context() -> dict[str, Any]:
            figures, plots = views.figures_compared(timeline, found, cap)
            whole = found is None and long_lists
            covered = [] if whole else views.coverage(timeline, found)
            return {
                **common, "figures": figures, "period": period, "months": month_links,
                "cap": cap, "plots": plots,
                "coverage": covered, "counts": views.coverage_counts(covered),
                "hollow": sum(1 for row in covered for a in row.cells
                              if a and a.basis == "event"),
                "differing": [] if whole else [e for e in found or events if e.differences],
            }
        return context

    specs.append(PageSpec("differences/index.html", "differences.html", settings,
                          differences(None, None, views.FIGURES_PER_CELL if long_lists else None)))
    specs.append(PageSpec("credited/index.html", "credited.html", settings, lambda: {
        **common, "counts": views.party_counts(claims),
    }))
    specs.append(PageSpec("sources/index.html", "sources.html", settings, {**common}))
    def origins_context() -> dict[str, Any]:
        all_origins, paths = views.origin_paths(timeline)
        return {**common, "all_origins": all_origins, "paths": paths,
                "matrix": views.origins_matrix(timeline, all_origins, paths)}

    specs.append(PageSpec("origins/index.html", "origins.html", settings, origins_context))
    specs.append(PageSpec("search/index.html", "search.html", settings, lambda: {
        **common, "outlets": views.outlets(timeline),
    }))
    specs.append(PageSpec("events/index.html", "events.html", settings, lambda: {
        **common, "days": [] if long_lists else days(), "year": None,
        "years": year_counts if long_lists else [],
    }))
    if long_lists:
        for year, found in event_years.items():
            specs.append(PageSpec(f"events/{year}/index.html", "events.html", settings,
                                  lambda found=found, year=year: {
                **common, "days": views.days_of(found, timeline), "year": year,
                "years": year_counts,
            }))
        for (year, month), found in event_months.items():
            specs.append(PageSpec(f"differences/{year:04d}-{month:02d}/index.html",
                                  "differences.html", settings,
                                  differences(found, views.month_interval(year, month, timeline), None)))

    specs += event_specs(timeline, renderer, common) if event_pages is None else event_pages
    for source in timeline.sources:
        origin = renderer.origins[("source", source.id)]
        untold = [e for e in events if source.id in e.silent_sources]
        context = _once(lambda source=source: {
            **common,
            "source": source,
            "note": renderer.body_html("source", source.id, source.body),
            "reference": timeline.source_dates[source.id],
            "credits": views.credits_of(timeline, told[source.id]),
            "corrections": views.record_corrections(timeline, "source", source),
        })
        told_years = views.by_year(told[source.id],
                                   lambda pair: pair[1].time.start.astimezone(timeline.tz))
        untold_years = views.by_year(untold, year_of)
        years = sorted(told_years.keys() | untold_years.keys())
        counts = [(y, len(told_years.get(y, [])), len(untold_years.get(y, []))) for y in years]
        long_list = len(told[source.id]) + len(untold) > views.LIST_LIMIT
        specs.append(PageSpec(f"sources/{source.id}/index.html", "source.html", origin.path,
                              lambda context=context, counts=counts, long_list=long_list,
                              told=told[source.id], untold=untold: {
            **context(), "year": None, "years": counts if long_list else [],
            "told": [] if long_list else told, "untold": [] if long_list else untold,
        }))
        for year in years if long_list else []:
            told_in, untold_in = told_years.get(year, []), untold_years.get(year, [])
            specs.append(PageSpec(f"sources/{source.id}/{year}/index.html", "source.html",
                                  origin.path, lambda context=context, year=year, counts=counts,
                                  told=told_in, untold=untold_in: {
                **context(), "year": year, "years": counts, "told": told, "untold": untold,
            }))
    for party_id, party in timeline.parties.items():
        origin = renderer.origins[("party", party_id)]
        found = claims[party_id]
        context = _once(lambda party_id=party_id, party=party, found=found: {
            **common, "party_id": party_id, "party": party,
            "relayed": views.relayed_by(timeline, found),
            "members": [(i, p) for i, p in timeline.parties.items() if p.part_of == party_id],
        })
        claim_years = views.by_year(found, lambda c: c.placed.time.start.astimezone(timeline.tz))
        counts = [(y, len(c)) for y, c in claim_years.items()]
        long_list = len(found) > views.LIST_LIMIT
        specs.append(PageSpec(f"credited/{party_id}/index.html", "party.html", origin.path,
                              lambda context=context, found=found, counts=counts,
                              long_list=long_list: {
            **context(), "claims": [] if long_list else found, "year": None,
            "years": counts if long_list else [],
        }))
        for year, in_year in claim_years.items() if long_list else []:
            specs.append(PageSpec(f"credited/{party_id}/{year}/index.html", "party.html",
                                  origin.path, lambda context=context, in_year=in_year, year=year,
                                  counts=counts: {
                **context(), "claims": in_year, "year": year, "years": counts,
            }))
    for page in timeline.pages:
        origin = renderer.origins[("page", page.id)]
        slug = page.slug or page.id
        if page.lists == "corrections":
            specs.append(PageSpec(f"{slug}/index.html", "corrections.html", origin.path,
                                  lambda page=page: {
                **common, "page": page, "body": renderer.body_html("page", page.id, page.body),
                "log": views.site_corrections(timeline),
            }))
            continue
        specs.append(PageSpec(f"{slug}/index.html", "page.html", origin.path, lambda page=page: {
            **common, "page": page, "body": renderer.body_html("page", page.id, page.body),
        }))
    return specs


def _once(make: Callable[[], Any]) -> Callable[[], Any]:
    """`make`, worked out the first time it is asked for (by the first page that needs it)."""
    return functools.cache(make)


def _month_comparison(timeline: Timeline, month: views.Month) -> Any:
    ids = {e.id for told in month.told.values() for e, _ in told}
    return views.comparison(timeline, [e for e in timeline.events if e.id in ids],
                            month.interval, parts=False)


def _month_specs(timeline: Timeline, common: dict, months: list[views.Month],
                 settings: str, narrow: Callable[[], Any]) -> list[PageSpec]:
    """One timeline page per month: a row for each event with an account starting in it."""
    if not months:
        return []
    specs = []
    for index, month in enumerate(months):
        def context(index=index, month=month) -> dict[str, Any]:
            compared = _month_comparison(timeline, month)
            return {
                **common, "compared": compared, "month": month, "narrow": narrow(),
                "claimants": views.claimants_of(narrow(), compared), "months": months,
                "previous": months[index - 1] if index > 0 else None,
                "next": months[index + 1] if index + 1 < len(months) else None,
            }
        specs.append(PageSpec(f"timeline/{month.key}/index.html", "timeline.html", settings,
                              context))
    return specs


def collisions(specs: list[PageSpec]) -> list[Problem]:
    """Two pages at one address. Validation already stops content pages that clash with each
    other or with Parallax's own; this catches what only the full page list shows (an event
    whose id is a year, say, once the events index is split by year)."""
    problems: list[Problem] = []
    by_path: dict[str, PageSpec] = {}
    for spec in specs:
        first = by_path.setdefault(spec.path, spec)
        if first is not spec:
            problems.append(Problem(spec.origin, 1, "", (
                f"two records write the same page /{spec.path.removesuffix('index.html')}: "
                f"{first.origin} and {spec.origin}; give one of them another slug or file name"
            )))
    return problems


def render_page(renderer: Renderer, spec: PageSpec) -> bytes:
    try:
        template = renderer.env.get_template(spec.template)
        root = root_of(spec.path, renderer.timeline.site.base_url)
        context = spec.context() if callable(spec.context) else spec.context
        html = template.render(**context, path=spec.path, root=root,
                               asset=lambda name: asset_url(renderer, spec.path, name))
    except jinja2.TemplateSyntaxError as error:
        raise ContentError([Problem(
            _template_path(renderer, error.filename or error.name or spec.template),
            error.lineno or 1, "template", f"{error.message or error} (rendering /{spec.path})",
        )]) from None
    except jinja2.TemplateNotFound as error:
        raise ContentError([Problem(
            _template_path(renderer, spec.template), 1, "template",
            f"template {error.name!r} not found in {' or '.join(map(str, renderer.folders))} "
            f"(rendering /{spec.path})",
        )]) from None
    except jinja2.TemplateError as error:
        filename, line, _ = _template_frame(renderer.templates)
        raise ContentError([Problem(
            _template_path(renderer, filename or spec.template), line, "template",
            f"{error.message or error} (rendering /{spec.path})",
        )]) from None
    except Exception as error:
        # Anything else a template did (a filter given the wrong type, a division by zero):
        # the template's line, when the failure is in the template itself; a failure inside
        # Parallax's own code keeps its traceback (a bug).
        filename, line, innermost = _template_frame(renderer.templates)
        if filename is None or not innermost:
            raise
        raise ContentError([Problem(
            _template_path(renderer, filename), line, "template",
            f"{type(error).__name__}: {error} (rendering /{spec.path})",
        )]) from None
    return html.encode("utf-8")


_TEMPLATE_LIBRARIES = ("jinja2", "markupsafe")
"""The libraries whose frames count as the template's own (Markup's formatting is
markupsafe's)."""


def _template_frame(templates: Path) -> tuple[str | None, int, bool]:
    """The innermost template line in the traceback being handled, and whether it is the
    innermost frame of all but Jinja's own (the template itself failed, not code it called)."""
    found: tuple[str | None, int, bool] = (None, 1, False)
    for frame in traceback.extract_tb(sys.exc_info()[2]):
        if frame.filename.endswith((".html", ".xml", ".txt")) and frame.lineno:
            found = (frame.filename, frame.lineno, True)
        elif found[0] is not None and not any(
                f"{os.sep}{library}{os.sep}" in frame.filename for library in _TEMPLATE_LIBRARIES):
            found = (found[0], found[1], False)
    return found


def _template_path(renderer: Renderer, name: str) -> str:
    """The template's file as an error names it: `templates/NAME` for one of the site's own,
    the whole path for one of Parallax's that the site does not override."""
    path = Path(name)
    if not path.is_absolute():
        path = next((folder / name for folder in renderer.folders if (folder / name).is_file()),
                    renderer.templates / name)
    try:
        return path.resolve().relative_to(renderer.templates.parent).as_posix()
    except ValueError:
        return path.as_posix()


def asset_url(renderer: Renderer, page_path: str, name: str) -> str:
    """A static file's address from this page."""
    return f"{root_of(page_path, renderer.timeline.site.base_url)}static/{name}"


def static_files(static: Path | Sequence[Path]) -> dict[str, bytes]:
    """The static folders' files, by their path in the site, sorted by it: given several (the
    site's own, then Parallax's: Paths.static_folders), a file in the first that holds its path
    is the one published. What the content folder may not hold, these may not either (the same
    rule: `load.refused_files`): a link that leads out of one (it would publish whatever it
    points to, a repository's .git/config among them), nowhere or round in a loop, a pipe,
    socket or device, a file that cannot be read."""
    files: dict[PurePosixPath, bytes] = {}
    for folder in (static,) if isinstance(static, Path) else static:
        if not folder.is_dir():
            continue
        refused = refused_files(folder, "static folder")
        if refused:
            raise ContentError(list(refused.values()))
        for path in sorted(folder.rglob("*")):
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            hidden = any(part.startswith(".") for part in relative.parts)
            if path.is_file() and not hidden and relative not in files:
                files[relative] = path.read_bytes()
    # In the order of the paths, folder by folder (as one folder's sorted walk gives them).
    return {f"static/{relative}": files[relative] for relative in sorted(files)}


