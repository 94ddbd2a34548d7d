"""The CI workflow (.github/workflows/site.yml) and .ci/run, checked offline: GitHub's schema,
then their shape."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOW = PROJECT / ".github" / "workflows" / "site.yml"
CI_RUN = PROJECT / ".ci" / "run"
ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
PAGES_ACTIONS = {
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(job: dict) -> dict[str, str]:
    """The actions a job uses, by name, with the version each is pinned to."""
    found = {}
    for step in steps(job):
        if "uses" in step:
            name, _, version = step["uses"].partition("@")
            found[name] = version
    return found


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def test_workflow_passes_githubs_schema():
    checker = shutil.which("check-jsonschema")
    command = ([checker] if checker else [sys.executable, "-m", "check_jsonschema"])
    result = subprocess.run(
        [*command, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_on_every_push_and_pull_request(workflow):
    triggers = workflow["on"]
    for event in ("push", "pull_request"):
        assert event in triggers
        # No branch or path filter: every push and every pull request is tested.
        assert not (triggers[event] or {}), f"{event} is filtered: {triggers[event]}"


def readme_commands() -> list[str]:
    """The README's opening commands: serve, then test."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_ci_runs_the_readmes_test_command_as_written():
    serve, test = readme_commands()
    assert serve == ("python3 -m venv .venv && .venv/bin/pip install --no-deps --require-hashes "
                     "-r requirements/site.txt && .venv/bin/pip install --no-deps "
                     "--no-build-isolation -e . && .venv/bin/parallax serve")
    assert test == ("python3 -m venv .venv && .venv/bin/pip install --no-deps --require-hashes "
                    "-r requirements/dev.txt && .venv/bin/pip install --no-deps "
                    "--no-build-isolation -e . && .venv/bin/python -m pytest")
    script = CI_RUN.read_text(encoding="utf-8")
    lines = script.splitlines()
    run_tests = next(i for i, line in enumerate(lines) if line.startswith(test))
    build = lines.index(".venv/bin/python build.py --strict")
    assert run_tests < build, "the tests run before the strict build"
    assert CI_RUN.stat().st_mode & 0o111, ".ci/run is executable"


def test_build_job_runs_what_ci_runs(workflow):
    build = workflow["jobs"]["build"]
    assert uses(build)["actions/checkout"] == "v6"
    setup = next(s for s in steps(build) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"] == {"python-version": "3.11", "cache": "pip",
                             "cache-dependency-path": "requirements/dev.txt"}
    assert runs(build).strip() == ".ci/run", "the workflow and CI run the same steps"
    # The browser tests fail rather than skip when CI is set and no Chromium is found.
    assert build["env"]["CI"]


def test_the_build_cache_is_kept_between_runs(workflow):
    """The published build starts warm: .cache/parallax is restored before the build runs."""
    build = workflow["jobs"]["build"]
    names = [s.get("uses", "") for s in steps(build)]
    kept = next(s for s in steps(build) if s.get("uses", "").startswith("actions/cache@"))
    # The cache, and the key its files are signed with (parallax/cache.py, key_path).
    assert kept["with"]["path"].split() == [".cache/parallax", "~/.config/parallax"]
    # Never in a pull request's run, whose code would read the key.
    assert kept["if"] == "github.event_name == 'push'"
    assert "github.sha" in kept["with"]["key"] and kept["with"]["restore-keys"]
    ci = next(i for i, s in enumerate(steps(build)) if s.get("run", "").strip() == ".ci/run")
    assert names.index(kept["uses"]) < ci, "restored before the build"


def test_the_build_has_the_pages_address_from_configure_pages(workflow):
    address = workflow["jobs"]["address"]
    step = next(s for s in steps(address) if s.get("uses", "").startswith("actions/configure-pages"))
    assert address["outputs"] == {"base_url": f"${{{{ steps.{step['id']}.outputs.base_url }}}}"}
    # Where the site is published, a missing address is an error; elsewhere it is allowed.
    assert step["continue-on-error"] == f"${{{{ !({ON_MAIN}) }}}}"
    build = workflow["jobs"]["build"]
    assert build["needs"] == "address"
    # configure-pages gives the address without the final '/', which Parallax requires.
    assert build["env"]["PARALLAX_BASE_URL"] == (
        "${{ needs.address.outputs.base_url && format('{0}/', needs.address.outputs.base_url) "
        "|| '' }}")
    assert [s for s in steps(address) if "run" in s or s is not step] == [], \
        "the job that may read Pages runs nothing else"


def test_only_a_push_to_main_publishes(workflow):
    jobs = workflow["jobs"]
    deploy = jobs["deploy"]
    assert deploy["if"] == ON_MAIN
    assert deploy["needs"] == "build"
    upload = next(s for s in steps(jobs["build"])
                  if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["if"] == ON_MAIN
    assert upload["with"] == {"path": "site"}


def test_pages_permissions_belong_to_the_address_and_deploy_jobs_alone(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        if name == "deploy":
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
        elif name == "address":
            assert job["permissions"] == {"pages": "read"}
        else:
            assert "permissions" not in job, f"job {name} asks for permissions"


def test_deploy_job_publishes_to_the_github_pages_environment(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"] == {"name": "github-pages",
                                     "url": "${{ steps.deployment.outputs.page_url }}"}
    assert deploy["concurrency"]["group"] == "pages"
    ids = [s.get("id") for s in steps(deploy) if s.get("uses", "").startswith("actions/deploy-pages")]
    assert ids == ["deployment"]


def test_pages_actions_are_the_official_ones_at_their_current_majors(workflow):
    found: dict[str, str] = {}
    for job in workflow["jobs"].values():
        found.update({name: v for name, v in uses(job).items() if name in PAGES_ACTIONS})
    assert found == PAGES_ACTIONS
