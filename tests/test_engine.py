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


def _module(path: Path) -> str:
    """A module's dotted name inside the package: 'cache', 'engine' (its __init__), 'engine.memo'."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every parallax module `path` imports, at the top, inside functions or for type checks
    (a module of a package as itself: importing engine.memo is not importing engine)."""
    modules = _modules()
    name = _module(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()

    def add(base: str, names: list[str]) -> None:
        # `from base import a`: a is a module of base, or a name defined in base.
        wanted = [f"{base}.{n}" if base else n for n in names]
        found.update(w for w in wanted if w in modules)
        if base and any(w not in modules for w in wanted):
            found.add(base)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            base = package[: len(package) - (node.level - 1)]
            add(".".join(base + (node.module.split(".") if node.module else [])),
                [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("parallax"):
            add((node.module or "").removeprefix("parallax").lstrip("."),
                [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("parallax."):
                    found.add(alias.name.removeprefix("parallax."))
    return {module for module in found if module in modules and module != name}


def _third_party(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def graph() -> dict[str, set[str]]:
    """Each module of the package (subpackages' too) and the modules it imports."""
    return {name: _imports(path) for name, path in _modules().items()}


def _top(modules: set[str]) -> set[str]:
    """The package's top-level modules these modules are in ('engine.memo' is in 'engine')."""
    return {module.split(".")[0] for module in modules}


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
    assert len(edges) > 15 and edges["engine.core"] >= {"engine.memo", "load", "cache"}, (
        "the graph was read, the engine's rooms with the rest")
    assert _cycle(edges) is None, " → ".join(_cycle(edges) or [])


def test_the_import_reader_sees_a_cycle_through_a_package():
    """A room of the engine that imported the package it is in (whose __init__ imports the
    rooms) would close a cycle, and the graph shows it."""
    edges = graph()
    edges["engine.results"] = edges["engine.results"] | {"engine"}
    assert _cycle(edges) is not None
    assert "engine.core" in edges["engine"], "the package's __init__ imports its rooms"


def test_the_engine_rooms_point_down():
    """Inside the engine, the rooms import only rooms below them: the Engine the rooms, the
    rooms the stages; no room imports the package or the Engine."""
    edges = graph()
    rooms = {name for name in edges if name.startswith("engine.")}
    assert len(rooms) >= 8, rooms
    for room in rooms:
        assert "engine" not in edges[room], f"{room} imports the engine package"
        if room not in ("engine.core", "engine.cached"):
            assert "engine.core" not in edges[room], f"{room} imports the Engine"
    for stage in STAGES:
        assert not any(t.startswith("engine") for t in edges[stage]), stage


def test_the_engine_rooms_import_down_the_list_its_docstring_gives():
    """The package's docstring lists its rooms so that each imports only rooms below it: the
    list a newcomer reads first is the order of the arrows."""
    import re

    edges = graph()
    listed = re.findall(r"^- (\w+)\.py:", (PACKAGE / "engine" / "__init__.py").read_text(
        encoding="utf-8"), flags=re.MULTILINE)
    rooms = sorted(name.removeprefix("engine.") for name in edges if name.startswith("engine."))
    assert sorted(listed) == rooms, "the docstring names every room once"
    for n, room in enumerate(listed):
        above = {f"engine.{name}" for name in listed[: n + 1]}
        assert not edges[f"engine.{room}"] & above, (
            f"{room}.py imports {sorted(edges[f'engine.{room}'] & above)}, listed above it")


def test_no_stage_knows_the_cache_the_workers_or_the_server():
    edges = graph()
    for stage in STAGES:
        assert not _top(edges[stage]) & AROUND_THE_STAGES, (
            f"{stage}.py imports {sorted(_top(edges[stage]) & AROUND_THE_STAGES)}")


def test_each_library_lives_in_one_module():
    owners = {"watchfiles": {"serve"}, "livereload": {"serve"}, "tornado": {"serve"},
              "jinja2": {"render"}, "markdown": {"markup"}, "nh3": {"markup"},
              "charset_normalizer": {"load"}}
    for library, expected in owners.items():
        users = {_module(p) for p in PACKAGE.rglob("*.py") if library in _third_party(p)}
        assert users == expected, f"{library} is imported by {sorted(users)}"


def test_there_is_one_build_path():
    """build, check and serve all run Engine.run: no other module calls the stages' whole-site
    functions, and none guesses dependencies from template syntax trees."""
    callers = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("load_content", "validate_content", "resolve_timeline", "page_specs",
                     "write_site"):
            calls = text.count(f"{name}(") - text.count(f"def {name}(")
            if calls:
                callers.add(_module(path).split(".")[0])
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
