"""docs/templates.md names every template Parallax has, and says of each page template exactly
what the fixture site's pages made with it are given besides what every page gets."""

from __future__ import annotations

import re

from conftest import FIXTURES, PROJECT

from parallax.build import Paths, build
from parallax.paths import built_in
from parallax.render import Renderer, common_context, page_specs

DOC = PROJECT / "docs" / "templates.md"


def _table() -> dict[str, set[str]]:
    """template: the names its row lists as also given."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^\| `([^`]+)` \| .* \| (.*) \|$", line)
        if found:
            rows[found.group(1)] = set(re.findall(r"`(\w+)`", found.group(2)))
    return rows


def test_every_template_is_in_the_table():
    table = _table()
    templates = {p.name for p in built_in("templates").iterdir() if p.is_file()}
    assert templates == set(table)


def test_each_page_template_is_given_what_its_row_lists(tmp_path):
    result = build(Paths(FIXTURES / "basic" / "content", tmp_path / "site",
                         built_in("templates"), built_in("static")), write=False)
    renderer = Renderer(result.timeline, result.content.origins, built_in("templates"))
    common = set(common_context(result.timeline))
    given: dict[str, set[str]] = {}
    for spec in page_specs(result.timeline, renderer):
        context = spec.context() if callable(spec.context) else spec.context
        given.setdefault(spec.template, set()).update(set(context) - common)
    table = _table()
    assert {name: table[name] for name in given} == given
