"""The screenshots script (scripts/screenshots.py) shoots every page it promises, at both widths,
from a freshly built site; the row it opens is the event told by the most outlets."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT

SCRIPT = PROJECT / "scripts" / "screenshots.py"


def load_script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.slow
def test_the_script_shoots_each_page_at_both_widths(site, browser, tmp_path):
    script = load_script()
    written = script.take(site.content, tmp_path, browser)
    names = sorted(p.name for p in written)
    expected = sorted(f"{shot.name}-{w}.png" for shot in script.shots(site.timeline)
                      for w in (1440, 375))
    assert names == expected
    assert {"home", "home-open", "event", "origins", "differences"} == {
        s.name for s in script.shots(site.timeline)}
    for path in written:
        width, height = png_size(path)
        assert (width, height) in ((1440, 900), (375, 812)), path


def test_the_row_it_opens_is_the_event_most_outlets_tell(site):
    script = load_script()
    told = {e.id: len({a.account.source for a in e.accounts}) for e in site.timeline.events
            if e.band == "window"}
    assert told[script.most_told(site.timeline)] == max(told.values())
