"""`parallax init DIR`: a new publication that builds at once, whose examples `check --strict`
refuses until they are replaced, whose site.yaml explains every setting the model has, and whose
workflow installs exactly this Parallax. It writes only into an empty folder."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT

from parallax import __version__
from parallax.docs import field_doc
from parallax.init import DISTRIBUTION, generator_pin
from parallax.models import SiteSettings

EVENT = "content/events/2026-03-03-example-bridge-closed.md"
SOURCE = "content/sources/example-gazette.md"
FILES = {"content/site.yaml", "content/credited.yaml", "content/pages/about.md", ".gitignore",
         ".github/workflows/publish.yml", "README.md"}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_init_writes_a_publication_that_builds_at_once(tmp_path, run_cli, monkeypatch):
    folder = tmp_path / "harbour-bridge"
    code, out, err = run_cli("init", str(folder), "--repository", "someone/parallax")
    assert code == 0, err
    assert _files(folder) == FILES | {EVENT, SOURCE}
    assert out.startswith(f"Wrote a new publication in {folder}/: 8 files.\n")
    assert out.endswith(f"Next: cd {folder} && parallax serve\n")
    settings = yaml.safe_load((folder / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert settings["title"] == "Harbour bridge"

    # In the folder, with no option: the content folder, and Parallax's own templates.
    monkeypatch.chdir(folder)
    code, out, err = run_cli("build")
    assert code == 0, err
    assert out.startswith("Built site/: 3 records (1 events, 1 accounts, 1 sources)")
    home = (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert "Harbour bridge" in home and "Example Gazette" in home
    assert (folder / "site" / "static" / "style.css").read_bytes() == (
        PROJECT / "static" / "style.css").read_bytes()


def test_the_examples_fail_a_strict_check_with_what_to_do(tmp_path, run_cli, monkeypatch):
    assert run_cli("init", str(tmp_path / "site"))[0] == 0
    monkeypatch.chdir(tmp_path / "site")
    code, out, err = run_cli("check", "--strict")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        (f"{EVENT}:2: example: an example that parallax init wrote, not part of this site; "
        "replace it with your own event, or delete the file"),
        (f"{SOURCE}:2: example: an example that parallax init wrote, not part of this site; "
        "replace it with your own source, or delete the file"),
        "2 problems.",
    ]
    # Without --strict they are warnings: the preview shows the example at once.
    code, out, err = run_cli("check")
    assert code == 0 and out.startswith("Content is sound: 3 records")
    # Deleted, the check passes.
    Path(EVENT).unlink()
    Path(SOURCE).unlink()
    code, out, err = run_cli("check", "--strict")
    assert code == 0, err


def test_bare_leaves_the_examples_out_and_passes_a_strict_check(tmp_path, run_cli, monkeypatch):
    code, out, err = run_cli("init", str(tmp_path / "site"), "--bare")
    assert code == 0, err
    assert _files(tmp_path / "site") == FILES
    assert "The example source and event" not in out
    monkeypatch.chdir(tmp_path / "site")
    code, out, err = run_cli("check", "--strict")
    assert code == 0, err
    code, out, err = run_cli("build", "--strict")
    assert code == 0, err
    assert out.startswith("Built site/: 1 records (0 events, 0 accounts, 0 sources)")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, run_cli):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    code, out, err = run_cli("init", str(folder))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        (f"{folder}:1: is not empty; parallax init writes a new publication only into an empty "
        "or new folder: choose another one"),
        "Nothing was written.",
    ]
    assert _files(folder) == {"notes.txt"}
    code, out, err = run_cli("init", str(folder / "notes.txt"))
    assert code == 1 and "notes.txt:1: is not a folder;" in err


def test_a_setting_the_site_would_refuse_is_a_usage_error(tmp_path, run_cli, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("init", str(tmp_path / "site"), "--timezone", "Mars/Olympus")
    assert exit_info.value.code == 2
    assert "parallax init: error: --timezone: " in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_site_yaml_explains_every_setting_and_shows_each_default(tmp_path, run_cli):
    assert run_cli("init", str(tmp_path / "site"), "--bare")[0] == 0
    text = (tmp_path / "site" / "content" / "site.yaml").read_text(encoding="utf-8")
    comments = " ".join(line[2:] for line in text.splitlines() if line.startswith("# "))
    for name in SiteSettings.model_fields:
        assert re.search(rf"^(# )?{name}:", text, re.MULTILINE), name
        assert field_doc(SiteSettings, name) in comments, name
    # Every setting commented out, made to count, gives the model's own default.
    given = yaml.safe_load(text)
    names = "|".join(SiteSettings.model_fields)
    every = yaml.safe_load(re.sub(rf"^# ((?:{names}):|  )", r"\1", text, flags=re.MULTILINE))
    every.pop("base_url")  # an example address, not a default
    every.pop("window_note")
    assert set(every) == set(SiteSettings.model_fields) - {"base_url", "window_note"}
    assert SiteSettings.model_validate(every) == SiteSettings.model_validate(given)


def test_the_workflow_installs_this_parallax(tmp_path, run_cli):
    pin = generator_pin()
    if (PROJECT / ".git").exists():
        head = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert pin.ref == head
    else:
        assert pin.ref == f"v{__version__}"
    assert run_cli("init", str(tmp_path / "site"), "--repository", "someone/parallax")[0] == 0
    text = (tmp_path / "site" / ".github" / "workflows" / "publish.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["build"]["steps"]
    (get,) = [step for step in steps if step.get("name") == "Get Parallax"]
    assert get["with"] == {"repository": "someone/parallax", "ref": pin.ref, "path": ".parallax"}
    install = "\n".join(step.get("run", "") for step in steps)
    assert "--require-hashes -r .parallax/requirements/site.txt" in install
    readme = (tmp_path / "site" / "README.md").read_text()
    assert f"{DISTRIBUTION} @ git+https://github.com/someone/parallax@{pin.ref}" in readme


def test_version_is_the_packages(run_cli, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("--version")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"Parallax {__version__}\n"
    # The distribution's version is read from the package itself: the two cannot differ.
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == DISTRIBUTION
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "parallax.__version__"}
