"""Shared by the fuzz scripts: the time argument, running atheris for that long, and the
scratch folders they work in (removed when the run ends, however it ends)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # this checkout's parallax, not an installed one


_scratch: list[Path] = []


def scratch(name: str) -> Path:
    """A new folder in the temporary folder for this fuzz script's files, removed by `run`."""
    folder = Path(tempfile.mkdtemp(prefix=f"parallax-fuzz-{name}-"))
    _scratch.append(folder)
    return folder


def run(atheris, test_one, description: str) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=60,
                        help="stop after this many seconds (default: 60)")
    parser.add_argument("--corpus", metavar="DIR",
                        help="keep interesting inputs here, and start from those already in it")
    parser.add_argument("--timeout", type=int, default=5,
                        help="an input that takes longer than this many seconds is a finding")
    args, rest = parser.parse_known_args()
    argv = [sys.argv[0], f"-max_total_time={args.seconds}", f"-timeout={args.timeout}",
            "-rss_limit_mb=3072", "-max_len=8192", "-print_final_stats=1", *rest]
    if args.corpus:
        Path(args.corpus).mkdir(parents=True, exist_ok=True)
        argv.append(args.corpus)
    # libFuzzer ends the process itself (os._exit: no `finally`, no atexit), so it fuzzes in a
    # child, and this process removes the scratch folders once the child has ended.
    child = os.fork()
    if child == 0:
        atheris.Setup(argv, test_one)
        atheris.Fuzz()
        os._exit(0)
    try:
        _, status = os.waitpid(child, 0)
    finally:
        for folder in _scratch:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(os.waitstatus_to_exitcode(status))
