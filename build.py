"""Parallax's entry point: `python build.py [build|check|serve|new] ...`."""

from parallax.cli import run

if __name__ == "__main__":
    run()
