"""Rebuild tests/golden/basic from tests/fixtures/basic: `python tests/regenerate_golden.py`.

Run it after a deliberate change to the templates or the output, then review the diff.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from parallax.cli import main

GOLDEN = HERE / "golden" / "basic"

if __name__ == "__main__":
    # The fixture's own base_url, whatever address the environment names.
    os.environ.pop("PARALLAX_BASE_URL", None)
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    code = main(["build", "--content", str(HERE / "fixtures" / "basic" / "content"),
                 "--out", str(GOLDEN), "--strict"])
    # Pagefind's own code and the index's compressed parts stay out (see conftest.golden_files).
    for path in sorted((GOLDEN / "pagefind").rglob("*"), reverse=True):
        if path.is_dir():
            path.rmdir()
        elif path.name != "pagefind-entry.json":
            path.unlink()
    sys.exit(code)
