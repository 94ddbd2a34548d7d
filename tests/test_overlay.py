"""A site's own templates/ and static/ lie over Parallax's one file at a time: a template or a
static file of the same name takes the place of Parallax's, and Parallax's fill in the rest.
One override changes only the pages of its template, and the cache sees it come and go."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import FIXTURES

from parallax.paths import Paths, built_in

BASIC = FIXTURES / "basic" / "content"
MARK = "<!-- the site's own source.html -->"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _site(tmp_path: Path) -> Path:
    """The fixture's content in a folder of its own, with nothing beside it."""
    content = tmp_path / "publication" / "content"
    shutil.copytree(BASIC, content)
    return content


def _override_source_template(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = (built_in("templates") / "source.html").read_text(encoding="utf-8")
    (folder / "source.html").write_text(text.replace("{% block main %}",
                                                     "{% block main %}\n" + MARK), encoding="utf-8")


def _source_pages(hashes: dict[str, str]) -> set[str]:
    return {p for p in hashes if re.fullmatch(r"sources/[^/]+/(\d+/)?index\.html", p)}


def test_the_built_in_layer_is_the_one_under_the_sites_own():
    paths = Paths(Path("content"), Path("site"), Path("my-templates"), Path("my-static"))
    assert paths.template_folders == (Path("my-templates"), built_in("templates"))
    assert paths.static_folders == (Path("my-static"), built_in("static"))
    # The repository's own site: its templates/ are Parallax's, one layer.
    assert Paths(Path("content"), Path("site"), built_in("templates"),
                 built_in("static")).template_folders == (built_in("templates"),)


def test_one_template_override_changes_only_that_templates_pages(tmp_path, run_cli):
    content = _site(tmp_path)
    plain = tmp_path / "plain"
    assert run_cli("build", "--content", str(content), "--out", str(plain))[0] == 0

    _override_source_template(content.parent / "templates")
    overridden = tmp_path / "overridden"
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(overridden))
    assert code == 0, stderr

    before, after = _hashes(plain), _hashes(overridden)
    assert before.keys() == after.keys()
    differ = {p for p in before if before[p] != after[p]}
    assert differ == _source_pages(before) and differ, sorted(differ)
    for page in differ:
        assert MARK in (overridden / page).read_text(encoding="utf-8")


def test_one_static_override_replaces_that_file_and_keeps_the_others(tmp_path, run_cli):
    content = _site(tmp_path)
    plain = tmp_path / "plain"
    assert run_cli("build", "--content", str(content), "--out", str(plain))[0] == 0

    static = tmp_path / "theme-static"
    static.mkdir()
    (static / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    (static / "extra.svg").write_text("<svg/>\n", encoding="utf-8")
    out = tmp_path / "overridden"
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(out),
                              "--static", str(static))
    assert code == 0, stderr
    before, after = _hashes(plain), _hashes(out)
    assert after.keys() == before.keys() | {"static/extra.svg"}
    assert {p for p in before if before[p] != after[p]} == {"static/style.css"}
    assert (out / "static" / "style.css").read_text() == "body { color: black; }\n"


def test_adding_editing_and_removing_an_override_rebuild_its_pages(tmp_path, run_cli):
    """One output folder, one cache: each build is what a cold build of the same inputs gives."""
    content = _site(tmp_path)
    templates = content.parent / "templates"
    out = tmp_path / "site"

    def build_and_compare(name: str) -> dict[str, str]:
        code, _, stderr = run_cli("build", "--content", str(content), "--out", str(out))
        assert code == 0, stderr
        cold = tmp_path / f"cold-{name}"
        code, _, stderr = run_cli("build", "--content", str(content), "--out", str(cold))
        assert code == 0, stderr
        assert _hashes(out) == _hashes(cold), name
        return _hashes(out)

    plain = build_and_compare("plain")
    _override_source_template(templates)
    added = build_and_compare("added")
    assert {p for p in plain if plain[p] != added[p]} == _source_pages(plain)
    source = templates / "source.html"
    source.write_text(source.read_text(encoding="utf-8").replace(MARK, MARK + "<!-- again -->"),
                      encoding="utf-8")
    edited = build_and_compare("edited")
    assert {p for p in added if added[p] != edited[p]} == _source_pages(plain)
    shutil.rmtree(templates)
    assert build_and_compare("removed") == plain


def test_a_template_error_names_the_sites_file_or_parallaxs_whole_path(tmp_path, run_cli):
    content = _site(tmp_path)
    templates = content.parent / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("{{ missing_variable }}\n", encoding="utf-8")
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(tmp_path / "s"))
    assert code == 1
    assert stderr.splitlines()[0].startswith(
        "templates/base.html:1: template: 'missing_variable' is undefined (rendering /")

    # A site's macros.html without the macros Parallax's templates import: the failing
    # template is Parallax's own, named by its whole path.
    (templates / "base.html").unlink()
    (templates / "macros.html").write_text("\n", encoding="utf-8")
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(tmp_path / "s"))
    assert code == 1
    first = stderr.splitlines()[0]
    assert first.startswith(str(built_in("templates").resolve()) + "/"), first
    assert "does not export the requested name" in first, first
