"""What the engine keys its work by: short hashes of the inputs a result was made from."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any


def digest(*parts: Any) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def tree_digest(folder: Path) -> bytes:
    """A hash of every file under `folder`, with its path."""
    parts: list[Any] = []
    if folder.is_dir():
        for where, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(where, name)
                with open(path, "rb") as stream:
                    parts += [os.path.relpath(path, folder), stream.read()]
    return digest(*parts)
