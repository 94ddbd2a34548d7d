"""Parallax as a newsroom gets it: the sdist made from the repository's files, the wheel made
from the sdist, installed in a fresh virtual environment in a temporary folder, where
`parallax init`, `check`, `build` and `serve` work in a folder of their own and the home page
is served. Nothing in the environment can reach the repository: the package, its templates
and its static files are the wheel's. Its dependencies are this environment's (the lock's
versions), made visible by a .pth file, so that the test needs no network."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import site
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT

from parallax import __version__
from parallax.init import DISTRIBUTION

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "CHANGELOG.md", "parallax",
           "templates", "static")
"""What a build of the package reads from a checkout (the rest of the repository is not
Parallax: the Palmyra site, tests, docs)."""
TIMEOUT = 120


def _run(*command: str | Path, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _theme_files(folder: str) -> set[str]:
    return {p.relative_to(PROJECT / folder).as_posix()
            for p in (PROJECT / folder).rglob("*") if p.is_file()}


def test_the_wheel_installed_elsewhere_inits_checks_builds_and_serves(tmp_path):
    # A checkout's files, without its caches or builds.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, checkout / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, checkout / name)
    # No environment variable may point back at the repository.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PARALLAX_", "VIRTUAL_ENV"))}
    env["PYTHONUNBUFFERED"] = "1"
    dist = tmp_path / "dist"
    _run(sys.executable, "-c", f"from setuptools import build_meta; "
         f"build_meta.build_sdist({str(dist)!r})", cwd=checkout, env=env)
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.name == f"parallax_timeline-{__version__}.tar.gz"
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for folder in ("templates", "static"):
        assert {f"{folder}/{name}" for name in _theme_files(folder)} <= names
    assert "CHANGELOG.md" in names

    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", dist, sdist, cwd=tmp_path, env=env)
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == f"parallax_timeline-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder in ("templates", "static"):
        assert {f"parallax/_defaults/{folder}/{name}" for name in _theme_files(folder)} <= names
    shutil.rmtree(checkout)

    # A fresh environment, elsewhere.
    venv = tmp_path / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet",
         wheel, cwd=tmp_path, env=env)
    (packages,) = venv.glob("lib/python*/site-packages")
    (packages / "dependencies.pth").write_text(
        "".join(f"{folder}\n" for folder in site.getsitepackages()), encoding="utf-8")

    where = tmp_path / "newsroom"
    where.mkdir()
    found = _run(python, "-c", "import parallax, importlib.metadata as m, parallax.paths as p; "
                 "print(parallax.__file__); print(p.built_in('templates')); "
                 f"print(m.version({DISTRIBUTION!r}))", cwd=where, env=env).splitlines()
    assert found[0].startswith(f"{packages}/parallax/"), found
    assert found[1] == f"{packages}/parallax/_defaults/templates", found
    command = venv / "bin" / "parallax"
    assert _run(command, "--version", cwd=where, env=env) == f"Parallax {found[2]}\n"
    assert found[2] == __version__

    _run(command, "init", "story", cwd=where, env=env)
    story = where / "story"
    assert _run(command, "check", cwd=story, env=env).startswith("Content is sound: 3 records")
    assert _run(command, "build", cwd=story, env=env).startswith("Built site/: 3 records")
    assert (story / "site" / "static" / "style.css").read_bytes() == (
        PROJECT / "static" / "style.css").read_bytes()

    server = subprocess.Popen([command, "serve", "--port", "0"], cwd=story, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in server.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        url, deadline = None, time.monotonic() + TIMEOUT
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                assert server.poll() is None, "".join(output)
                continue
            if match := re.search(r"Serving on (http://127\.0\.0\.1:\d+/)", line):
                url = match.group(1)
        assert url, "the server did not start:\n" + "".join(output)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            home = response.read().decode("utf-8")
        assert "<title>Story" in home and "Example Gazette" in home
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
