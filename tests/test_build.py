"""The build's promises: golden output, determinism, atomic writes, exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT, golden_files, snapshot_tree

BASIC = FIXTURES / "basic" / "content"
GOLDEN = Path(__file__).resolve().parent / "golden" / "basic"


def test_fixture_site_matches_golden_output(tmp_path, run_cli):
    code, _, err = run_cli("build", "--content", str(BASIC), "--out", str(tmp_path / "site"), "--strict")
    assert code == 0, err
    built, golden = golden_files(snapshot_tree(tmp_path / "site")), snapshot_tree(GOLDEN)
    assert sorted(built) == sorted(golden), "regenerate with: python tests/regenerate_golden.py"
    for name in golden:
        assert built[name] == golden[name], f"{name} differs; regenerate with: python tests/regenerate_golden.py"


def test_two_builds_give_identical_bytes(tmp_path, run_cli):
    for name in ("one", "two"):
        assert run_cli("build", "--content", str(BASIC), "--out", str(tmp_path / name))[0] == 0
    assert snapshot_tree(tmp_path / "one") == snapshot_tree(tmp_path / "two")


def test_rebuilding_in_place_changes_nothing(tmp_path, run_cli):
    out = tmp_path / "site"
    run_cli("build", "--content", str(BASIC), "--out", str(out))
    before = snapshot_tree(out)
    code, stdout, _ = run_cli("build", "--content", str(BASIC), "--out", str(out))
    assert code == 0
    assert "0 written" in stdout
    assert snapshot_tree(out) == before


def test_source_date_epoch_does_not_change_output(tmp_path, run_cli, monkeypatch):
    run_cli("build", "--content", str(BASIC), "--out", str(tmp_path / "a"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    run_cli("build", "--content", str(BASIC), "--out", str(tmp_path / "b"))
    assert snapshot_tree(tmp_path / "a") == snapshot_tree(tmp_path / "b")


def _copy_fixture(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    return content


def test_broken_front_matter_fails_and_leaves_site_untouched(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(content), "--out", str(out))[0] == 0
    before = snapshot_tree(out)
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text().replace("title: Engineers", "title: [Engineers"))
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(out))
    assert code == 1
    assert stderr.startswith("content/events/2021-03-03-crack-found.md:2: ")
    assert "Traceback" not in stderr
    assert snapshot_tree(out) == before
    assert not list(tmp_path.glob(".site.*")), "no staging folder may be left behind"


def test_an_edit_rewrites_only_what_changed_and_removes_stale_pages(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    out = tmp_path / "site"
    run_cli("build", "--content", str(content), "--out", str(out))
    before = snapshot_tree(out)
    (content / "pages" / "about.md").unlink()
    code, _, _ = run_cli("build", "--content", str(content), "--out", str(out))
    assert code == 0
    after = snapshot_tree(out)
    assert "about/index.html" in before and "about/index.html" not in after
    assert not (out / "about").exists()
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and all(name.endswith((".html", ".xml")) or name.startswith("data/") for name in changed)


def test_check_writes_nothing_and_exits_0(tmp_path, run_cli):
    out = tmp_path / "site"
    code, stdout, _ = run_cli("check", "--content", str(BASIC), "--out", str(out))
    assert code == 0 and "Content is sound" in stdout
    assert not out.exists()


def test_a_second_check_of_unchanged_content_says_the_same(tmp_path, run_cli):
    """A check after a check or a build of the same content (the cache could answer it whole)
    still reports from the content: the checked marks are counted, not a traceback."""
    out = tmp_path / "site"
    first = run_cli("check", "--content", str(BASIC), "--out", str(out))
    again = run_cli("check", "--strict", "--content", str(BASIC), "--out", str(out))
    assert first[0] == again[0] == 0
    assert first[1].split(": ", 1)[1].split(" in ")[0] == again[1].split(": ", 1)[1].split(" in ")[0]
    assert run_cli("build", "--content", str(BASIC), "--out", str(out))[0] == 0
    after_build = run_cli("check", "--content", str(BASIC), "--out", str(out))
    assert after_build[0] == 0 and after_build[1].splitlines()[1:] == first[1].splitlines()[1:]


def test_check_exits_1_listing_every_problem(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    for name in ("2021-03-03-crack-found.md", "2021-03-04-bridge-closed.md"):
        path = content / "events" / name
        path.write_text(path.read_text().replace("title:", "titel:", 1))
    code, _, stderr = run_cli("check", "--content", str(content), "--out", str(tmp_path / "site"))
    assert code == 1
    assert stderr.count("unknown key 'titel'; did you mean 'title'?") == 2
    assert stderr.splitlines()[-1] == "2 problems.", "a check never writes site/, so says nothing of it"


def test_check_snapshots_accepts_verbatim_quotes(tmp_path, run_cli):
    code, stdout, _ = run_cli("check", "--content", str(BASIC), "--snapshots", str(FIXTURES / "basic" / "snapshots"),
                              "--out", str(tmp_path / "site"))
    assert code == 0
    assert "9 quotes and their credits found in their snapshots" in stdout
    assert "1 finding marked as checked, each with its reason: 1 one_source" in stdout


def test_check_snapshots_names_the_nearest_passage(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    event = content / "events" / "2021-03-03-crack-found.md"
    event.write_text(event.read_text().replace('"Engineers found a crack on Wednesday"', '"Engineers found a big crack on Wednesday"'))
    code, _, stderr = run_cli("check", "--content", str(content), "--snapshots", str(FIXTURES / "basic" / "snapshots"),
                              "--out", str(tmp_path / "site"))
    assert code == 1
    assert ("content/events/2021-03-03-crack-found.md:9: accounts[1].quotes[1]: not found in the snapshot "
            "of 'ledger': 'Engineers found a big crack on Wednesday'; the nearest passage is "
            "'Engineers found a crack on Wednesday, the'") in stderr


def test_strict_turns_warnings_into_errors(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    event = content / "events" / "2020-11-repairs-planned.md"
    event.write_text(event.read_text().replace(
        "checked:\n  one_source: the other article does not report it\n", ""))
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(tmp_path / "a"))
    assert code == 0
    assert "warning: content/events/2020-11-repairs-planned.md:6: accounts: only one source" in stderr
    code, _, stderr = run_cli("build", "--content", str(content), "--out", str(tmp_path / "b"), "--strict")
    assert code == 1 and not (tmp_path / "b").exists()


def test_timeline_json_contract(tmp_path, run_cli):
    run_cli("build", "--content", str(BASIC), "--out", str(tmp_path / "site"))
    data = json.loads((tmp_path / "site" / "data" / "timeline.json").read_text())
    assert data["schema_version"] == 2
    assert [s["id"] for s in data["sources"]] == ["ledger", "radio"]
    closed = next(e for e in data["events"] if e["id"] == "2021-03-04-bridge-closed")
    assert closed["start"] == "2021-03-04T06:00:00+00:00" and closed["end"] == "2021-03-04T12:00:00+00:00"
    radio = next(a for a in closed["accounts"] if a["source"] == "radio")
    assert radio["time_words"][0]["said"] == "yesterday"
    assert radio["quotes"][0]["text"] == (
        "Some 10,000 to 15,000 cars, she said, were sent the long way round yesterday")
    # Harbour Radio's date is only known as 4 or 5 March, so "yesterday" is 3–4 March; its
    # "overnight" reaches into the morning of the 5th, and the account spans both.
    assert radio["time_words"][0]["resolved"]["start"] == "2021-03-03T00:00:00+00:00"
    assert radio["time_words"][0]["resolved"]["end"] == "2021-03-05T00:00:00+00:00"
    assert radio["resolved"]["start"] == "2021-03-03T00:00:00+00:00"
    assert radio["resolved"]["end"] == "2021-03-05T06:00:00+00:00"
    assert radio["resolved"]["precision"] == "days"
    schema = json.loads((tmp_path / "site" / "data" / "schema.json").read_text())
    assert {"SiteSettings", "SourceFrontMatter", "Event", "Account", "Figure"} <= set(schema["$defs"])


def test_help_on_every_command(run_cli):
    for command in ("build", "check", "serve"):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(command, "--help")
        assert exit_info.value.code == 0


def test_build_py_runs_as_a_script(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), "--content", str(BASIC), "--out", str(tmp_path / "s")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Built {tmp_path / 's'}/: 7 records (3 events, 5 accounts, 2 sources)")


def test_check_snapshots_checks_each_figures_words_too(tmp_path, run_cli):
    content = _copy_fixture(tmp_path)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    event.write_text(event.read_text().replace('as_written: "12,000 vehicles"',
                                               'as_written: "12,500 vehicles"'))
    code, _, stderr = run_cli("check", "--content", str(content), "--snapshots", str(FIXTURES / "basic" / "snapshots"),
                              "--out", str(tmp_path / "site"))
    assert code == 1
    assert ("content/events/2021-03-04-bridge-closed.md:50: accounts[1].figures[1].as_written: "
            "not found in the snapshot of 'ledger': '12,500 vehicles'; the nearest passage is "
            "'12,000 vehicles'") in stderr


def _options(run_cli, capsys, *command: str) -> set[str]:
    with pytest.raises(SystemExit):
        run_cli(*command, "--help")
    return set(re.findall(r"^  (--[a-z-]+)", capsys.readouterr().out, re.MULTILINE))


def test_each_command_lists_only_the_options_it_uses(run_cli, capsys):
    shared = {"--content", "--out", "--templates", "--static", "--strict"}
    assert _options(run_cli, capsys, "build") == shared | {"--base-url"}
    assert _options(run_cli, capsys, "serve") == shared | {"--base-url", "--host", "--port"}
    # A check writes no pages, so has no address to give them.
    assert _options(run_cli, capsys, "check") == shared | {"--snapshots", "--coverage"}
    for kind, own in (("event", {"--date", "--id"}),
                      ("source", {"--date", "--id", "--from", "--snapshots", "--fetch",
                                  "--fetch-local"}),
                      ("page", {"--id"})):
        assert _options(run_cli, capsys, "new", kind) == own | {"--content"}, kind
