"""The CI workflow (.github/workflows/site.yml), checked offline: GitHub's schema, then its shape."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOW = PROJECT / ".github" / "workflows" / "site.yml"
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


def test_build_job_tests_and_builds_as_the_readme_says(workflow):
    build = workflow["jobs"]["build"]
    assert uses(build)["actions/checkout"] == "v6"
    setup = next(s for s in steps(build) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"] == {"python-version": "3.11", "cache": "pip",
                             "cache-dependency-path": "pyproject.toml"}
    commands = runs(build)
    order = ["sudo apt-get update && sudo apt-get install -y chromium",
             "python -m pip install -e '.[test]'", "python -m pytest", "python build.py --strict"]
    positions = [commands.find(c) for c in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    # The browser tests fail rather than skip when CI is set and no Chromium is found.
    assert build["env"]["CI"]


def test_only_a_push_to_main_publishes(workflow):
    jobs = workflow["jobs"]
    deploy = jobs["deploy"]
    assert deploy["if"] == ON_MAIN
    assert deploy["needs"] == "build"
    upload = next(s for s in steps(jobs["build"])
                  if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["if"] == ON_MAIN
    assert upload["with"] == {"path": "site"}


def test_pages_permissions_belong_to_the_deploy_job_alone(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        if name == "deploy":
            assert job["permissions"] == {"pages": "write", "id-token": "write"}
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
