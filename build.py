"""Parallax's entry point: `python build.py [build|check|serve|new] ...`."""

try:
    from parallax.cli import run
except KeyboardInterrupt:  # Ctrl-C while Python reads the modules: one line, no traceback
    import sys

    print("\nInterrupted.", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    run()
