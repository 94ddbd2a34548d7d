"""Shared fixtures: the project's folders and a helper that runs the CLI like an editor would."""

from __future__ import annotations

from pathlib import Path

import pytest

from parallax.cli import main

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def snapshot_tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def _no_address_from_the_environment():
    """CI may name the published address in PARALLAX_BASE_URL; the tests' sites have their
    own (or none), and a test that wants the variable sets it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PARALLAX_BASE_URL", raising=False)
        yield


@pytest.fixture(autouse=True, scope="session")
def _temporary_files_of_the_session(tmp_path_factory):
    """Temporary folders (the copies of the indexed pages that builds keep between runs
    among them) and the cache key's folder in the session's own folder, for this process and the servers it starts, so
    that the tests leave none behind in the system's."""
    import tempfile

    folder = tmp_path_factory.mktemp("temporary")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(folder))
        # The build cache's key (parallax/cache.py, key_path) in the session's own config
        # folder, never the user's.
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        patch.setattr(tempfile, "tempdir", str(folder))
        yield


def golden_files(tree: dict[str, bytes]) -> dict[str, bytes]:
    """The files golden output keeps: all but Pagefind's own code and the search index's
    compressed parts. The index's entry file stays: its name for the index is a hash of all
    the parts (tests/test_search.py checks the parts themselves)."""
    return {name: data for name, data in tree.items()
            if not name.startswith("pagefind/") or name == "pagefind/pagefind-entry.json"}


@pytest.fixture
def run_cli(capsys):
    """Run `python build.py ARGS` in-process; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
