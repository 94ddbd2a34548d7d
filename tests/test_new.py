"""`python build.py new event|source|page "Title"`: a skeleton that explains every field, builds
at once with only warnings (one per placeholder still to fill in), and never overwrites."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from parallax import models
from parallax.cli import main
from parallax.docs import field_doc
from parallax.load import parse_markdown

BASIC = FIXTURES / "basic" / "content"
EVENT = "events/2021-03-04-the-ferry-stops-sailing-suspended.md"


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(BASIC, folder)
    return folder


def run(*args: str) -> int:
    return main(list(args))


def _front(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n")[1]


def _fields(path: Path) -> dict:
    """The record's front matter as the build reads it."""
    return parse_markdown(path.read_text(encoding="utf-8"), path.name, "event", path.stem).data


def test_new_event_builds_with_only_warnings(content, tmp_path, capsys):
    assert run("new", "event", "The ferry stops: sailing suspended", "--date", "2021-03-04",
               "--content", str(content)) == 0
    assert capsys.readouterr().out == (
        f"Wrote content/{EVENT}: replace every '[to do …]', then see it with "
        "`python build.py serve`.\n")
    record = _fields(content / EVENT)
    assert record == {
        "title": "The ferry stops: sailing suspended",
        "when": "2021-03-04",
        "accounts": [{"source": "ledger",
                      "quotes": [{"text": "[to do: the words of the article, exactly as printed]"}]}],
    }

    out = tmp_path / "site"
    assert run("build", "--content", str(content), "--out", str(out)) == 0
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if not line.startswith("note: ")]
    # The skeleton leaves `added` out (commented): the build says the feed leaves it out.
    assert [line for line in err if line.startswith("note: ")] == [
        ("note: 1 of 4 events has no 'added:' date and is left out of the events feed; give "
        "each the day it was first published on the site")]
    assert warnings == [
        (f"warning: content/{EVENT}:3: title: only one outlet tells it, and the title does not "
         "say so; start it with 'Report that', 'Claim that' or name whose word it is (the "
         "outlet, or the party it rests on), or, if it needs none, mark "
         "'checked: {title: <why>}'"),
        (f"warning: content/{EVENT}:21: accounts: only one source reports this event; check the "
        "others, and if none reports it, add 'checked: {one_source: <why>}'"),
        # The source is the skeleton's guess (the first there is): the editor must check it.
        (f"warning: content/{EVENT}:24: accounts[1].source: still the skeleton's placeholder "
         "'# [to do: the source of this account]'; check the value, then delete the comment"),
        (f"warning: content/{EVENT}:33: accounts[1].quotes[1].text: still the skeleton's placeholder "
        "'[to do: the words of the article, exactly as printed]'; replace it"),
        (f"warning: content/{EVENT}:169: body: still the skeleton's placeholder \"[to do: the "
        "editors' neutral summary of what happened (Ma...\"; replace it"),
    ]
    assert (out / "events" / "2021-03-04-the-ferry-stops-sailing-suspended" / "index.html").is_file()

    assert run("build", "--strict", "--content", str(content), "--out", str(tmp_path / "b")) == 1
    assert not (tmp_path / "b").exists(), "a placeholder is never published by a strict build"


def test_new_source_and_page_build_with_only_warnings(content, tmp_path, capsys):
    assert run("new", "source", "The Evening Post", "--date", "2021-03-05",
               "--content", str(content)) == 0
    assert run("new", "page", "How we work", "--content", str(content)) == 0
    source = _fields(content / "sources" / "the-evening-post.md")
    assert source["outlet"] == "The Evening Post" and source["published"] == "2021-03-05"
    assert set(source["confidence"].values()) == {"unknown"}, "nothing is claimed for the editor"
    assert _fields(content / "pages" / "how-we-work.md") == {"title": "How we work"}
    capsys.readouterr()

    assert run("build", "--content", str(content), "--out", str(tmp_path / "site")) == 0
    err = [line for line in capsys.readouterr().err.splitlines()
           if not line.startswith("note: 1 of 4 events has no 'added:' date")]
    assert err and all(line.startswith("warning: ") for line in err)
    assert sum("still the skeleton's placeholder" in line for line in err) == 3


@pytest.mark.parametrize("kind, models_and_fields", [
    ("event", [(models.Event, None), (models.Account, None), (models.Figure, None),
               (models.CountedFrom, None), (models.Quote, None), (models.TimeWords, None),
               (models.Correction, None)]),
    ("source", [(models.SourceFrontMatter, None), (models.Copy, None),
                (models.SourceConfidence, None)]),
    ("page", [(models.PageFrontMatter, None)]),
])
def test_every_field_is_explained(kind, models_and_fields, content, capsys):
    args = ["new", kind, "Something happens", "--content", str(content), "--id", "x"]
    if kind != "page":
        args += ["--date", "2021-03-04"]
    assert run(*args) == 0
    folder = {"event": "events", "source": "sources", "page": "pages"}[kind]
    text = (content / folder / "x.md").read_text()
    comments = " ".join(line.strip().removeprefix("# ") for line in text.splitlines()
                        if line.lstrip().startswith("# "))
    for model, _ in models_and_fields:
        for name in model.model_fields:
            if name in ("id", "body"):
                continue
            assert re.search(rf"^\s*(# )?(- )?{name}:", text, re.MULTILINE), (model, name)
            assert " ".join(field_doc(model, name).split()) in comments, (model, name)
    capsys.readouterr()


def _uncomment_fields(text: str) -> str:
    """The skeleton with every optional field switched on: '# ' taken off each field line."""
    return re.sub(r"^(\s*)# ((?:- )?[a-z_]+:)", r"\1\2", text, flags=re.MULTILINE)


def test_commented_fields_sit_where_they_belong(content, capsys):
    run("new", "event", "A", "--date", "2021-03-04", "--content", str(content), "--id", "a")
    run("new", "source", "B", "--date", "2021-03-04", "--content", str(content), "--id", "b")
    capsys.readouterr()
    event = yaml.safe_load(_uncomment_fields(_front(content / "events" / "a.md")))
    assert set(event) == {"title", "when", "place", "context", "tags", "checked",
                          "added", "corrections", "accounts"}
    assert set(event["corrections"][0]) == set(models.Correction.model_fields)
    account = event["accounts"][0]
    assert set(account) == set(models.Account.model_fields)
    assert set(account["quotes"][0]) == set(models.Quote.model_fields)
    assert set(account["time_words"][0]) == set(models.TimeWords.model_fields)
    assert set(account["time_words"][0]["counted_from"]) == {"date", "why"}
    assert set(account["outside_note"]) == {"text", "source"}
    assert set(account["figures"][0]) == set(models.Figure.model_fields)
    source = yaml.safe_load(_uncomment_fields(_front(content / "sources" / "b.md")))
    assert set(source) == set(models.SourceFrontMatter.model_fields)
    assert set(source["copy_read"]) == set(models.Copy.model_fields)
    assert set(source["corrections"][0]) == set(models.Correction.model_fields) - {
        "account", "removed"}


def test_the_date_is_required_and_never_guessed(content, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("new", "event", "The ferry stops", "--content", str(content))
    assert exit_info.value.code == 2
    assert "the following arguments are required: --date" in capsys.readouterr().err
    assert not list((content / "events").glob("*ferry*"))


def test_a_date_that_is_not_a_date_is_refused(content, capsys):
    assert run("new", "event", "The ferry stops", "--date", "4 March",
               "--content", str(content)) == 1
    assert capsys.readouterr().err.startswith("--date:1: cannot read '4 March' as a date")
    assert not list((content / "events").glob("*ferry*"))


def test_the_file_name_comes_from_the_date_and_title(content, capsys):
    assert run("new", "event", "Écluse fermée — «pour travaux»!", "--date",
               "~2021-03-04 evening/2021-03-05", "--content", str(content)) == 0
    assert (content / "events" / "2021-03-04-ecluse-fermee-pour-travaux.md").is_file()
    capsys.readouterr()


def test_an_existing_file_is_never_overwritten(content, capsys):
    target = content / "events" / "2021-03-04-bridge-closed.md"
    before = target.read_bytes()
    assert run("new", "event", "Bridge closed", "--date", "2021-03-04",
               "--content", str(content)) == 1
    assert capsys.readouterr().err.splitlines() == [
        ("content/events/2021-03-04-bridge-closed.md:1: this file already exists and is left as "
         "it is; choose another title or --id"),
        "1 problem; nothing was written.",  # `new` never writes site/, so it does not name it
    ]
    assert target.read_bytes() == before


def test_the_guessed_source_is_marked_until_the_editor_checks_it(content, tmp_path, capsys):
    assert run("new", "event", "The ferry stops: sailing suspended", "--date", "2021-03-04",
               "--content", str(content)) == 0
    path = content / EVENT
    text = path.read_text(encoding="utf-8")
    assert "  - source: ledger  # [to do: the source of this account]\n" in text
    capsys.readouterr()

    assert run("check", "--content", str(content), "--out", str(tmp_path / "site")) == 0
    assert "24: accounts[1].source: still the skeleton's placeholder" in capsys.readouterr().err

    path.write_text(text.replace("  - source: ledger  # [to do: the source of this account]",
                                 "  - source: radio  # checked against the article"),
                    encoding="utf-8")
    assert run("check", "--content", str(content), "--out", str(tmp_path / "site")) == 0
    assert "accounts[1].source" not in capsys.readouterr().err, "an editor's own comment is theirs"


def test_an_id_must_be_an_id(content, capsys):
    assert run("new", "page", "About", "--id", "About Us", "--content", str(content)) == 1
    assert "'About Us' cannot be an id" in capsys.readouterr().err


# Titles an editor can paste: control characters, line and paragraph separators, bidi
# controls, YAML's own marks, blanks; found to make records that did not load.
_NASTY = ["a\u2028b", "a\x00b", " ", "\u202eabc", "a\x1bb", "\xa0", "---", "title: x", "- a",
          "null", "yes", "'''", "a'b\"c", "#", "a\rb", "\ufeffx", "x" * 1000, "[", "{x", "%x"]


def _loads(content: Path, kind: str) -> None:
    """The content folder, with the new record, loads and validates (the skeleton's
    placeholders are warnings, which an editor clears)."""
    from parallax.errors import ContentError
    from parallax.load import load_content
    from parallax.validate import validate_content

    try:
        validate_content(load_content(content))
    except ContentError as error:
        raise AssertionError([str(p) for p in error.problems]) from None


@pytest.mark.parametrize("kind", ["event", "source"])
def test_new_never_writes_a_record_that_does_not_load(content, kind, capsys):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    before = {p for p in content.rglob("*")}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.sampled_from(_NASTY), st.text(max_size=120)))
    def one(title: str) -> None:
        for path in set(content.rglob("*")) - before:
            path.unlink()
        if title.startswith("-"):
            return  # argparse reads it as an option (a title so written needs "--" first)
        code = run("new", kind, title, "--date", "2021-03-02", "--content", str(content))
        written = set(content.rglob("*")) - before
        assert code in (0, 1)
        if code == 1:
            assert not written, "a refused record wrote something"
            assert "Traceback" not in capsys.readouterr().err
        else:
            _loads(content, kind)

    one()


@pytest.mark.parametrize("args", [("source", "AUX"), ("event", "Con", "--id", "con"),
                                  ("page", "x", "--id", "lpt1")])
def test_new_never_names_a_record_after_a_device(content, args, capsys):
    before = set(content.rglob("*"))
    extra = ["--date", "2021-03-02"] if args[0] != "page" else []
    assert run("new", *args, *extra, "--content", str(content)) == 1
    assert "is a name Windows keeps for a device" in capsys.readouterr().err
    assert set(content.rglob("*")) == before
