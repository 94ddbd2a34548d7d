"""Coverage-guided fuzzing of the build cache's reader behind its signature.

Each input is a cache file's bytes, tried three ways: as they are (as a branch or another user
could plant them: never decoded, whatever they hold, however the header is made); as data
written by the cache itself and read back (the same data again); and that signed file with
one byte changed where the input says (never decoded). Decoding is watched by replacing
pickle's and marshal's loaders: a call on anything but a file the cache wrote is a finding.

    pip install atheris
    python fuzz/fuzz_cache.py --seconds 1800 --corpus /tmp/fuzz-cache
"""

from __future__ import annotations

import marshal
import os
import pickle
import types
from pathlib import Path

import atheris
from _common import run, scratch

_root = scratch("cache")
os.environ["XDG_CONFIG_HOME"] = str(_root / "config")  # a key of the fuzzer's own

with atheris.instrument_imports(include=["parallax"]):
    from parallax import cache

_allowed = False
_decoded: list[str] = []
"""Decodings of what the cache did not write (the reader swallows exceptions, so a flag)."""
_real = {"pickle": pickle.loads, "marshal": marshal.loads}


def _watched(kind: str):
    def loads(data, *args, **kwargs):
        if not _allowed:
            _decoded.append(kind)
            raise RuntimeError("not to be decoded")
        return _real[kind](data, *args, **kwargs)
    return loads


def _read_nothing(path: Path) -> None:
    assert cache._read(path) is None
    assert not _decoded, f"{_decoded[0]} decoded a file the cache did not write"


# The cache module's own names only (the interpreter's imports decode bytecode with marshal).
cache.pickle = types.SimpleNamespace(**{**vars(pickle), "loads": _watched("pickle")})
cache.marshal = types.SimpleNamespace(**{**vars(marshal), "loads": _watched("marshal")})
PATH = _root / "fuzzed.memo"


def test_one(data: bytes) -> None:
    global _allowed
    fdp = atheris.FuzzedDataProvider(data)
    how = fdp.ConsumeIntInRange(0, 2)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if how == 0:  # planted as it is, or behind the right header
        PATH.write_bytes(body)
        _read_nothing(PATH)
        PATH.write_bytes(cache.generation() + b"p" + body)
        _read_nothing(PATH)
        PATH.write_bytes(cache.generation() + b"m" + body)
        _read_nothing(PATH)
        return
    value = {"text": body.decode("utf-8", "replace"), "bytes": body, "n": len(body),
             "parts": [body[i:i + 7] for i in range(0, len(body), 7)]}
    if how == 2:
        value["object"] = cache.Signature  # forces pickle rather than marshal
    cache._write(PATH, value)
    _allowed = True
    try:
        assert cache._read(PATH) == value
    finally:
        _allowed = False
    written = bytearray(PATH.read_bytes())
    at = len(written) - 1 - (len(body) % len(written))
    written[at] ^= 1 + (len(body) % 255)
    PATH.write_bytes(bytes(written))
    _read_nothing(PATH)


if __name__ == "__main__":
    run(atheris, test_one, __doc__.splitlines()[0])
