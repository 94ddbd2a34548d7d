"""A cold build and a cold `check` of a benchmark-like site give exactly the files and messages
recorded in tests/identity/manifest.json: the SHA-256 of every file the build writes, by path,
and what each command prints (the seconds taken and the folders' names left out).

The site is bench/generate.py's, seeded, at 450 events and 8 sources: enough for the engine to
read and render on every core (parallel.MIN_ITEMS), so that the engine's ways of working (forked
workers, Pagefind beside the data files, the staging of site/) are all in the path, and a change
to how it works
that changes one byte of one file, or one message, fails here.

When the output changes on purpose (a template, a data file's form, a message), regenerate the
manifest and review its diff:

    PARALLAX_IDENTITY_REGENERATE=1 python -m pytest tests/test_identity.py
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from conftest import PROJECT

MANIFEST = Path(__file__).resolve().parent / "identity" / "manifest.json"
EVENTS, SOURCES, SEED = 450, 8, 11

pytestmark = pytest.mark.slow


def _generate(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", PROJECT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, EVENTS, SOURCES, seed=SEED)


def _messages(text: str, *folders: Path) -> list[str]:
    """The lines a command printed, without what differs from run to run: the folders' names
    and the seconds taken."""
    for n, folder in enumerate(folders):
        text = text.replace(str(folder), f"<{n}>")
    return [re.sub(r" in \d+\.\d\d s", " in <seconds>", line) for line in text.splitlines()]


def _files(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_cold_build_and_check_give_the_recorded_files_and_messages(tmp_path, run_cli):
    content = _generate(tmp_path / "site")
    out = tmp_path / "built" / "site"
    code, stdout, stderr = run_cli("build", "--content", str(content), "--out", str(out))
    assert code == 0, stderr
    built = {"code": code, "stdout": _messages(stdout, out, content),
             "stderr": _messages(stderr, out, content)}
    files = _files(out)
    # A check in a folder of its own: no cache from the build above (a cold check).
    checked_out = tmp_path / "checked" / "site"
    code, stdout, stderr = run_cli("check", "--content", str(content), "--out", str(checked_out))
    checked = {"code": code, "stdout": _messages(stdout, checked_out, content),
               "stderr": _messages(stderr, checked_out, content)}
    assert not checked_out.exists(), "a check writes nothing"
    found = {"site": f"bench/generate.py, {EVENTS} events, {SOURCES} sources, seed {SEED}",
             "build": built, "check": checked, "files": files}
    if os.environ.get("PARALLAX_IDENTITY_REGENERATE"):
        MANIFEST.parent.mkdir(exist_ok=True)
        MANIFEST.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert found["build"] == recorded["build"]
    assert found["check"] == recorded["check"]
    missing = sorted(recorded["files"].keys() - files.keys())
    extra = sorted(files.keys() - recorded["files"].keys())
    assert not missing and not extra, f"missing: {missing[:5]}, extra: {extra[:5]}"
    differ = sorted(p for p in files if files[p] != recorded["files"][p])
    assert not differ, f"{len(differ)} files differ, the first: {differ[:5]}"
