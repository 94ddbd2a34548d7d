"""The environment the tests run in is exactly the lock: every locked distribution at its
locked version, nothing else but pip and Parallax itself (requirements/relock.py makes the
locks; PARALLAX_LOCK names another lock file, as the relock does for its candidate)."""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(__file__).resolve().parent.parent
REQUIREMENTS = PROJECT / "requirements"
# The lock the environment was installed from; the relock names its candidate dev lock, whose
# folder holds the candidate site lock beside it.
LOCK = Path(os.environ.get("PARALLAX_LOCK", REQUIREMENTS / "dev.txt"))
LOCKS = LOCK.parent


def locked(path: Path) -> dict[str, str]:
    """{name: version} of every requirement in the lock file at `path` whose markers hold
    here."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    found = {}
    for line in text.splitlines():
        line = re.sub(r"\s--hash=\S+", "", line.split("#", 1)[0]).strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{path.name}: {line}: not an exact version"
            found[canonicalize_name(requirement.name)] = spec.version
    return found


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def test_the_environment_holds_exactly_the_locked_versions():
    lock = LOCK
    here = installed()
    assert here.pop("parallax-timeline", None) == metadata.version("parallax-timeline")
    here.pop("pip", None)  # the installer the virtual environment came with
    want = locked(lock)
    wrong = {name: (want.get(name, "not locked"), here.get(name, "not installed"))
             for name in sorted(set(want) | set(here)) if want.get(name) != here.get(name)}
    assert not wrong, (f"installed distributions differ from {lock} (locked, installed): "
                       f"{wrong}; install with the README's test command")


def test_the_site_lock_takes_its_versions_from_the_dev_lock():
    site, dev = locked(LOCKS / "site.txt"), locked(LOCKS / "dev.txt")
    assert site and {name: dev.get(name) for name in site} == site


def test_every_lock_gives_a_hash_for_every_requirement():
    for path in LOCKS.glob("*.txt"):
        if path.name == "constraints.txt":
            continue
        for entry in re.split(r"\n(?=\S)", path.read_text(encoding="utf-8")):
            if entry and not entry.startswith("#"):
                assert "--hash=sha256:" in entry, f"{path.name}: {entry.splitlines()[0]}"


def test_every_pin_that_leaves_a_release_out_says_why():
    lines = (REQUIREMENTS / "constraints.txt").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            comment = []
            for above in reversed(lines[:index]):
                if not above.startswith("#"):
                    break
                comment.append(above)
            assert re.search(r"#\d+", " ".join(comment)), f"{line}: no upstream issue above it"
