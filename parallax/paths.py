"""Where a build reads, writes and is published: the one type every command starts from (kept light to import)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


def built_in(name: str) -> Path:
    """Parallax's own `templates` or `static` folder. An installed package carries them as
    parallax/_defaults/<name> (pyproject.toml maps them there); a checkout, and an editable
    install of one, keeps them at the repository's top, beside the package."""
    packaged = resources.files("parallax").joinpath("_defaults", name)
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name


@dataclass(frozen=True)
class Paths:
    """Where the site's content, theme and output live."""

    content: Path
    out: Path
    templates: Path
    """The site's own templates: each takes the place of Parallax's template of the same name,
    and Parallax's own fill in the rest (`template_folders`)."""
    static: Path
    """The site's own static files, laid over Parallax's one by one (`static_folders`)."""
    base_url: str | None = None
    """The site's published address when given to the command (`--base-url`, else
    PARALLAX_BASE_URL); it takes the place of site.yaml's `base_url`."""

    @property
    def template_folders(self) -> tuple[Path, ...]:
        """Where a template is looked for, in order: the site's own folder, then Parallax's."""
        return _layers(self.templates, built_in("templates"))

    @property
    def static_folders(self) -> tuple[Path, ...]:
        """The static folders, the site's own first: a file in it takes the place of
        Parallax's file at the same path; Parallax's others are published as they are."""
        return _layers(self.static, built_in("static"))


def _layers(own: Path, parallax: Path) -> tuple[Path, ...]:
    """`own` over `parallax`; one layer when they are the same folder (the repository's own
    site, whose templates/ and static/ are Parallax's)."""
    try:
        same = own.resolve() == parallax.resolve()
    except OSError:
        same = False
    return (own,) if same else (own, parallax)


BUILT_IN = {"": "home", "events": "events", "sources": "sources", "credited": "credited",
            "differences": "differences", "data": "data", "static": "static", "404.html": "404",
            "timeline": "timeline", "origins": "origins", "search": "search",
            "pagefind": "search index"}
"""Addresses of the pages Parallax writes itself (what each is): a content page may not take
them. Here, not in the render stage, so validation can check pages against them."""
