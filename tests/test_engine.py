"""The engine's shape: imports point down the pipeline, stages know nothing of caching,
workers or serving, and each third-party library lives in one module."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import PROJECT

PACKAGE = PROJECT / "parallax"
STAGES = ("load", "validate", "resolve", "timewords", "markup", "render", "views", "export", "feeds",
          "write", "models", "when", "errors", "paths")
"""The pipeline's own modules: pure functions of their inputs."""
AROUND_THE_STAGES = {"cache", "engine", "parallel", "serve", "cli", "build"}


def _imports(path: Path) -> set[str]:
    """Every parallax module `path` imports, at the top, inside functions or for type checks."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import a, b
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("parallax"):
            rest = (node.module or "").removeprefix("parallax").lstrip(".")
            found.update([rest.split(".")[0]] if rest else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("parallax."):
                    found.add(alias.name.split(".")[1])
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    return {name for name in found if name in modules and name != path.stem}


def _third_party(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def graph() -> dict[str, set[str]]:
    return {path.stem: _imports(path) for path in sorted(PACKAGE.glob("*.py"))}


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        trail.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                return trail[trail.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[module] = 2
        trail.pop()
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_imports_have_no_cycles():
    edges = graph()
    assert len(edges) > 15 and edges["engine"], "the graph was read"
    assert _cycle(edges) is None, " → ".join(_cycle(edges) or [])


def test_no_stage_knows_the_cache_the_workers_or_the_server():
    edges = graph()
    for stage in STAGES:
        assert not edges[stage] & AROUND_THE_STAGES, (
            f"{stage}.py imports {sorted(edges[stage] & AROUND_THE_STAGES)}")


def test_each_library_lives_in_one_module():
    owners = {"watchfiles": {"serve"}, "livereload": {"serve"}, "tornado": {"serve"},
              "jinja2": {"render"}, "markdown": {"markup"}, "nh3": {"markup"},
              "charset_normalizer": {"load"}}
    for library, expected in owners.items():
        users = {p.stem for p in PACKAGE.glob("*.py") if library in _third_party(p)}
        assert users == expected, f"{library} is imported by {sorted(users)}"


def test_there_is_one_build_path():
    """build, check and serve all run Engine.run: no other module calls the stages' whole-site
    functions, and none guesses dependencies from template syntax trees."""
    callers = set()
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("load_content", "validate_content", "resolve_timeline", "page_specs",
                     "write_site"):
            calls = text.count(f"{name}(") - text.count(f"def {name}(")
            if calls:
                callers.add(path.stem)
        assert "jinja2.meta" not in text and "from jinja2 import meta" not in text, path.name
    assert callers == {"engine"}, callers


def test_a_build_shows_its_progress_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    import sys

    from parallax.cli import main

    basic = PROJECT / "tests" / "fixtures" / "basic" / "content"
    assert main(["build", "--content", str(basic), "--out", str(tmp_path / "quiet")]) == 0
    captured = capsys.readouterr()
    assert "records read" not in captured.err and captured.out.startswith("Built ")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["build", "--content", str(basic), "--out", str(tmp_path / "shown")]) == 0
    captured = capsys.readouterr()
    assert "records read" in captured.err and "to render" in captured.err
    assert captured.err.endswith("\r\x1b[K"), "the progress line is cleared for the totals"
    assert captured.out.startswith("Built ")
