"""Parallax's entry point: `python build.py [build|check|serve|new] ...`."""

import sys

from parallax.cli import main

if __name__ == "__main__":
    sys.exit(main())
