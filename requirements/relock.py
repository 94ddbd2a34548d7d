"""Re-resolve the lock files, prove the new versions, and only then write them.

    python3 requirements/relock.py              # resolve, time-bound run, full tests, benchmark
    python3 requirements/relock.py --quick      # the quick tests instead of the full suite
    python3 requirements/relock.py --no-bench   # leave the benchmark out

The locks (made by uv, with every file's hash, for Python 3.11 and newer):
- requirements/site.txt: what Parallax needs to build and serve a site (and its build backend);
- requirements/dev.txt: the same versions, plus the `test` and `bench` extras;
- requirements/tools.txt: uv itself, which this script installs to resolve with.

Steps, each in a virtual environment of its own under a temporary folder:
1. uv (from tools.txt) resolves the newest versions pyproject.toml's ranges allow, less the
   releases requirements/constraints.txt leaves out, into candidate locks.
2. The time-bound tests run against the newest release of every dependency that the ranges
   allow, constraints ignored: a release that makes a record take too long is caught here,
   before it can enter a lock (leave it out in constraints.txt, with why).
3. The candidate dev lock is installed exactly as the README's test command installs it, and
   the full test suite (or --quick's) runs there, then the benchmark (bench/run.py --sizes 4000).
4. Only when all of that passes are the candidate locks copied over requirements/*.txt; review
   and commit the diff like any other change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
LOCKS = ("site.txt", "dev.txt", "tools.txt")
TIME_BOUND = ["tests/test_safety.py", "-k", "pathological or too_many_links or too_much_inline"]
QUICK = ["-m", "not slow", "-n", "2"]


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    done = subprocess.run([str(c) for c in command], cwd=PROJECT, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"relock: stopped, the locks are unchanged: {command[0]} exited with "
                 f"{done.returncode}")


def environment(folder: Path) -> Path:
    """A new virtual environment in `folder`; its Python."""
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / "bin" / "python"


def compile_locks(uv: Path, out: Path) -> None:
    common = ["pip", "compile", "--quiet", "--universal", "--python-version", "3.11",
              "--generate-hashes", "--custom-compile-command", "python3 requirements/relock.py"]
    run(uv, *common, "pyproject.toml", "requirements/build-backend.in", "--extra", "test",
        "--extra", "bench", "--constraint", "requirements/constraints.txt",
        "--output-file", out / "dev.txt")
    # The site's lock takes each version from the dev lock, so the two never disagree.
    run(uv, *common, "pyproject.toml", "requirements/build-backend.in",
        "--constraint", out / "dev.txt", "--output-file", out / "site.txt")
    # uv names the constraint file as it was given: name the committed one, not the candidate.
    site = out / "site.txt"
    site.write_text(site.read_text(encoding="utf-8").replace(
        f"-c {out / 'dev.txt'}", "-c requirements/dev.txt"), encoding="utf-8")
    run(uv, *common, "requirements/tools.in", "--output-file", out / "tools.txt")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="run the quick tests only")
    parser.add_argument("--no-bench", action="store_true", help="leave the benchmark out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parallax-relock-") as scratch_name:
        scratch = Path(scratch_name)
        tools = environment(scratch / "tools")
        run(tools, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
            "-r", HERE / "tools.txt")
        uv = tools.parent / "uv"
        candidate = scratch / "locks"
        candidate.mkdir()
        compile_locks(uv, candidate)

        print("\n# The time-bound tests on the newest releases the ranges allow", flush=True)
        newest = environment(scratch / "newest")
        run(newest, "-m", "pip", "install", "--quiet", "--upgrade", "-e", ".[test]")
        run(newest, "-m", "pip", "list", "--format=freeze")
        run(newest, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TIME_BOUND)

        print("\n# The candidate lock, installed as the README does, and its tests", flush=True)
        locked = environment(scratch / "locked")
        run(locked, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
            "-r", candidate / "dev.txt")
        run(locked, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
            "-e", ".")
        env = {**os.environ, "PARALLAX_LOCK": str(candidate / "dev.txt")}
        run(locked, "-m", "pytest", "-p", "no:cacheprovider", *(QUICK if args.quick else []),
            env=env)
        if not args.no_bench:
            run(locked, "bench/run.py", "--sizes", "4000", env=env)

        for name in LOCKS:
            shutil.copyfile(candidate / name, HERE / name)
    print("\nrelock: the locks in requirements/ are new; review `git diff requirements/`, then "
          "commit them with the benchmark's figures in bench/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
