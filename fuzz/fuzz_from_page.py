"""Coverage-guided fuzzing of `new source --from PAGE` (a saved web page, whatever its bytes).

Each input is a saved page. `new source --from` must end with 0 (a record and a snapshot
written) or 1 (a message, nothing written), never an uncaught exception or a hang past
--timeout; a record it writes must load and validate beside the site, and its snapshot must be
one `check` reads. Findings are saved by libFuzzer as crash-*, timeout-* or oom-* in the
current folder. Seeds: the pages in tests/fixtures/pages/ (copy them into the corpus folder).

    pip install atheris
    python fuzz/fuzz_from_page.py --seconds 1800 --corpus /tmp/fuzz-from-page
"""

from __future__ import annotations

import contextlib
import io
import shutil

import atheris
from _common import PROJECT, run, scratch

with atheris.instrument_imports(include=["parallax"]):
    from parallax.cli import main
    from parallax.errors import ContentError
    from parallax.load import MAX_SNAPSHOT_KB, load_content, read_text
    from parallax.validate import validate_content

BASIC = PROJECT / "tests" / "fixtures" / "basic"
_root = scratch("from-page")
shutil.copytree(BASIC / "content", _root / "content")
_sources = set((_root / "content" / "sources").iterdir())


def test_one(data: bytes) -> None:
    page = _root / "page.html"
    page.write_bytes(data)
    snapshots = _root / "snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    for path in set((_root / "content" / "sources").iterdir()) - _sources:
        path.unlink()
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        code = main(["new", "source", "--from", str(page), "--snapshots", str(snapshots),
                     "--content", str(_root / "content"), "--id", "fuzzed"])
    written = set((_root / "content" / "sources").iterdir()) - _sources
    assert code in (0, 1), (code, quiet.getvalue())
    assert "Traceback" not in quiet.getvalue(), quiet.getvalue()
    if code == 1:
        assert not written and not snapshots.exists() or not any(snapshots.iterdir()), \
            "a refused page wrote something"
        return
    assert written == {_root / "content" / "sources" / "fuzzed.md"}, written
    try:
        validate_content(load_content(_root / "content"))
    except ContentError as error:
        raise AssertionError(f"the record written does not load: {error.problems}") from None
    read_text(snapshots / "fuzzed.txt", "snapshot", snapshot=True)
    assert (snapshots / "fuzzed.txt").stat().st_size <= MAX_SNAPSHOT_KB * 1024


if __name__ == "__main__":
    run(atheris, test_one, __doc__.splitlines()[0])
