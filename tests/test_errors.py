"""Editors' mistakes: each is reported as `path:line: field: message`, all at once, and a build
that fails leaves the last good site exactly as it was.

Every folder under tests/broken/ is a small complete site with one mistake (one of them has
several); its expected.txt holds the exact problem lines the build prints, in order. After a
deliberate change of wording, rewrite them with

    PARALLAX_UPDATE_EXPECTED=1 python -m pytest tests/test_errors.py

and read the diff of every expected.txt before committing it.
"""

from __future__ import annotations

import os
import shutil
import string
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, snapshot_tree
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parallax.cli import main
from parallax.errors import ContentError
from parallax.load import load_content, parse_markdown, parse_yaml_file
from parallax.resolve import resolve_timeline
from parallax.validate import validate_content

BROKEN = Path(__file__).resolve().parent / "broken"
MISTAKES = sorted(p.name for p in BROKEN.iterdir() if (p / "expected.txt").is_file())
BASIC = FIXTURES / "basic" / "content"
UPDATE = os.environ.get("PARALLAX_UPDATE_EXPECTED") == "1"


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """A site built from the fixture: what an editor's last good build left in site/."""
    out = tmp_path_factory.mktemp("good") / "site"
    assert main(["build", "--content", str(BASIC), "--out", str(out)]) == 0
    return out


def test_the_corpus_covers_enough_mistakes():
    assert len(MISTAKES) >= 30
    for name in MISTAKES:
        assert (BROKEN / name / "content").is_dir(), f"{name} has no content folder"


@pytest.mark.parametrize("mistake", MISTAKES)
def test_broken_site_fails_with_exact_messages(mistake, good_build, tmp_path, capsys):
    out = tmp_path / "site"
    shutil.copytree(good_build, out)
    before = snapshot_tree(out)

    code = main(["build", "--content", str(BROKEN / mistake / "content"), "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()

    assert code == 1, captured.out + captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err
    count = len(lines) - 1
    assert lines[-1] == (f"{count} problem{'s' if count != 1 else ''}; {out}/ was left as it was.")
    expected_file = BROKEN / mistake / "expected.txt"
    if UPDATE:
        expected_file.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert lines[:-1] == expected_file.read_text(encoding="utf-8").splitlines()
    assert snapshot_tree(out) == before, "a failed build must not change site/"
    assert not list(tmp_path.glob(".site*")), "no staging folder may be left beside site/"


# --- a byte-order mark and Windows line endings simply work ------------------------------------


def _rewrite_every_file(content: Path, change) -> None:
    for path in sorted(content.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml"):
            path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize("change", [
    pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="byte-order-mark"),
    pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
    pytest.param(lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), id="both"),
    pytest.param(lambda data: data.replace(b"\n", b"\r"), id="old-mac-cr"),
])
def test_bom_and_line_endings_build_the_same_site(change, good_build, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    _rewrite_every_file(content, change)
    assert (content / "site.yaml").read_bytes() != (BASIC / "site.yaml").read_bytes()

    code = main(["build", "--content", str(content), "--out", str(tmp_path / "site")])
    assert code == 0, capsys.readouterr().err
    assert snapshot_tree(tmp_path / "site") == snapshot_tree(good_build)


# --- warnings ------------------------------------------------------------------------------------

WARNINGS = [
    ("warning: content/credited.yaml:1: port-authority: no account credits this party; credit "
    "it from an account, or remove it"),
    ("warning: content/events/2021-03-01-bridge-closed.md:2: title: only one outlet tells it, "
     "and the title does not say so; start it with 'Report that', 'Claim that' or name whose "
     "word it is (the outlet, or the party it rests on), or, if it needs none, mark "
     "'checked: {title: <why>}'"),
    ("warning: content/events/2021-03-01-bridge-closed.md:4: accounts: only one source reports "
    "this event; check the others, and if none reports it, add 'checked: {one_source: <why>}'"),
    ("warning: content/events/notes.txt:1: this file is not read: only '.md' files are read "
    "here; rename it to 'notes.md' if it is a record"),
    ("warning: content/sources/radio.md:1: no event cites this source; add an account from it, "
    "or remove the file"),
]


def _site_with_warnings(tmp_path: Path) -> Path:
    """A site with one case of each warning: a party nobody credits, an event only one source
    reports (whose title does not say so), a file that is not a record, a source no event
    cites."""
    content = tmp_path / "content"
    shutil.copytree(BROKEN / "unknown-source-id" / "content", content)
    (content / "credited.yaml").write_text("port-authority:\n  name: Port Authority\n"
                                           "  kind: organisation\n")
    event = content / "events" / "2021-03-01-bridge-closed.md"
    text = event.read_text()
    event.write_text(text[: text.index("  - source: radoi")] + text[text.index("---\nBoth"):])
    (content / "events" / "notes.txt").write_text("to do: the ferry\n")
    return content


def test_warnings_are_printed_and_do_not_fail_the_build(tmp_path, capsys):
    content = _site_with_warnings(tmp_path)
    code = main(["build", "--content", str(content), "--out", str(tmp_path / "site")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # The site has an address but no feed id: a note, not a warning (test_feeds.py).
    assert [line for line in captured.err.splitlines()
            if not line.startswith("note: the site has no feed id")] == WARNINGS
    assert (tmp_path / "site" / "index.html").is_file()


def test_strict_makes_every_warning_an_error(tmp_path, capsys):
    content = _site_with_warnings(tmp_path)
    out = tmp_path / "site"
    code = main(["build", "--strict", "--content", str(content), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.splitlines() == [
        line.removeprefix("warning: ") for line in WARNINGS
    ] + [f"5 problems; {out}/ was left as it was."]
    assert not out.exists()


# --- the YAML hints, one by one ------------------------------------------------------------------


def _problem(front: str, kind: str = "event") -> str:
    with pytest.raises(ContentError) as error:
        parse_markdown(f"---\n{front}---\n", "x.md", kind, "x")
    assert len(error.value.problems) == 1
    return str(error.value.problems[0])


@pytest.mark.parametrize("front, expected", [
    ("title: a\n\twhen: 2016\n",
     ("x.md:3: invalid YAML: this line is indented with a tab; YAML indents with spaces only: "
     "replace the tab with spaces")),
    ("title: a\naccounts:\n  - source: b\n\t  quotes: [c]\n",
     ("x.md:5: invalid YAML: this line is indented with a tab; YAML indents with spaces only: "
     "replace the tab with spaces")),
    ("title: a\naccounts:\n  - source: b\n     quotes: [c]\n",
     ("x.md:5: invalid YAML: 'quotes' is indented 5 spaces, which lines up with no field above it "
     "(the nearest, 'source', is indented 4 spaces); fields that belong together must start in "
     "the same column")),
    ("title: a\n when: 2016\n",
     ("x.md:3: invalid YAML: 'when' is indented 1 space, which lines up with no field above it "
     "(the nearest, 'title', is not indented); fields that belong together must start in the "
     "same column")),
    ("title: Breaking: the city falls\n",
     ("x.md:2: invalid YAML: the value of 'title' contains ': ', which YAML reads as the start "
     "of another field; put the whole value in quotes: title: \"Breaking: the city falls\"")),
    ("title: a\nplace: He said \"here\": the square\n",
     ("x.md:3: invalid YAML: the value of 'place' contains ': ', which YAML reads as the start "
     "of another field; put the whole value in quotes: place: \"He said \\\"here\\\": the "
     "square\"")),
    ("title: The fall\n  of the city: day two\n",
     ("x.md:3: invalid YAML: the value of 'title' (line 2) goes on over several lines and "
     "contains ': ', which YAML reads as the start of another field; put the whole value in "
     "quotes")),
    ("title: 'it's'\n",
     ("x.md:2: invalid YAML: text follows the closing quote: an apostrophe inside single quotes "
     "must be written twice (it''s), or put the value in double quotes")),
    ("title: @someone\n",
     "x.md:2: invalid YAML: a value cannot start with '@' in YAML; put the whole value in quotes"),
    ("title: &Co\n",
     ("x.md:2: title: a value starting with '&' is read as a YAML anchor, not as text; put the "
     "whole value in quotes")),
    ("title: !Breaking\n",
     ("x.md:2: title: a value starting with '!' is read as a YAML tag, not as text; put the "
     "whole value in quotes")),
    ("title: a\ntags: [b, c\n",
     ("x.md:3: invalid YAML: the list opened with '[' on line 3 is not closed with ']' (or an "
     "item in it contains a comma or colon and needs quotes)")),
    ("title: \"C:\\path\"\n",
     ("x.md:2: invalid YAML: a backslash ('\\') inside double quotes starts an escape code; use "
     "single quotes around this value, or write the backslash twice")),
    ("title: a\nwhen: b\x07\n",
     ("x.md:3: invalid YAML: the invisible control character U+0007 cannot be used; delete it "
     "(it often comes with text pasted from elsewhere)")),
    ("title: a\ncount: 0b_\n",
     ("x.md:3: count: '0b_' looks like a number to YAML but is not one; put the whole value in "
      "quotes if it is text, or write the number with its digits")),
    ("title: a\ntags: [b, -0x__]\n",
     ("x.md:3: tags[2]: '-0x__' looks like a number to YAML but is not one; put the whole value "
      "in quotes if it is text, or write the number with its digits")),
    ("title: a\ncount: " + "1" * 4301 + "\n",
     ("x.md:3: count: '" + "1" * 40 + "…' is a number of 4,301 digits, more than the 4,300 "
      "read; put the whole value in quotes if it is text")),
    ("2016: a\n",
     ("x.md:2: '2016' cannot be a key: keys are field names such as 'title' (put it in quotes if "
     "it is an id)")),
])
def test_yaml_hint(front, expected):
    assert _problem(front) == expected


def test_tab_in_a_settings_file_is_found_on_its_line():
    with pytest.raises(ContentError) as error:
        parse_yaml_file("title: a\nwindow:\n\t2016\n", "content/site.yaml", "site", "site")
    assert [str(p) for p in error.value.problems] == [
        ("content/site.yaml:3: invalid YAML: this line is indented with a tab; YAML indents with "
        "spaces only: replace the tab with spaces")]


def test_a_tab_inside_a_value_is_fine():
    record = parse_markdown("---\ntitle: a\tb\nwhen:\t2016-12\n---\n", "x.md", "event", "x")
    assert record.data == {"title": "a\tb", "when": "2016-12"}


def test_a_bug_in_parallax_still_gets_its_traceback(tmp_path, monkeypatch):
    def broken(_content, **_stage_functions):
        raise ZeroDivisionError("a bug, not an editor's mistake")

    monkeypatch.setattr("parallax.engine.core.resolve_timeline", broken)
    with pytest.raises(ZeroDivisionError):
        main(["build", "--content", str(BASIC), "--out", str(tmp_path / "site")])


# --- whatever an editor types, the answer is a build or a list of problems -----------------------

SITE = """title: Generated
description: A site for generated records.
base_url: https://example.org/
timezone: UTC
window: 2021-03-01/2021-03-03
"""
SOURCE = """---
outlet: The {name}
title: Bridge shut
published: 2021-03-02
url: https://example.org/{name}
confidence: {{outlet: confirmed, byline: unknown, published: confirmed, url: confirmed}}
---
"""
FIELDS = ["title", "when", "place", "context", "tags", "accounts", "checked", "source",
          "quotes", "said_when", "counted_from", "resolved_as", "credits", "figures", "note",
          "topic", "value", "low", "high", "as_written", "date", "why", "id", "body", "slug",
          "via", "party", "credit", "identified", "continues", "dates", "one_source"]
YAML_CHARACTERS = (string.ascii_letters + string.digits + " \n\n\n  :-[]{}\"'#&*!|>\t?,%@`~.\\/_"
                   + "éü–…’")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2021-03-01", "2021-02-30", "yesterday", "on Monday", "ledger", "radio",
                     "~2021-03", "2021-03-01/2021-02-01", "no", "2021-03-01T25:00", "Z"]),
)
structures = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner,
                        max_size=5),
    ),
    max_leaves=25,
)
event_like = st.fixed_dictionaries(
    {"title": scalars, "when": scalars},
    optional={
        "accounts": st.lists(st.fixed_dictionaries(
            {"source": st.sampled_from(["ledger", "radio", "other", "Ledger"]),
             "quotes": st.one_of(st.lists(scalars, max_size=3), scalars)},
            optional={"said_when": scalars, "resolved_as": scalars, "credits": structures,
                      "figures": structures, "counted_from": structures}),
            max_size=3),
        "context": scalars, "tags": structures, "checked": structures,
    },
)


def _front_matter(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


front_matters = st.one_of(
    st.text(alphabet=YAML_CHARACTERS, max_size=200),
    structures.map(_front_matter),
    event_like.map(_front_matter),
)


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("generated") / "content"
    (content / "sources").mkdir(parents=True)
    (content / "events").mkdir()
    (content / "site.yaml").write_text(SITE)
    for name in ("ledger", "radio"):
        (content / "sources" / f"{name}.md").write_text(SOURCE.format(name=name))
    return content


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front=front_matters, body=st.text(max_size=40))
@example(front="title: a\nwhen: 0b_", body="")  # PyYAML itself fails on these, bare
@example(front="tags: [0x_]", body="")
def test_any_front_matter_builds_or_is_a_content_error(generated_site, front, body):
    event = generated_site / "events" / "2021-03-01-generated.md"
    event.write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    try:
        resolve_timeline(validate_content(load_content(generated_site)))
    except ContentError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path.startswith("content/") and problem.line >= 1
            assert problem.message and "\n" not in str(problem)
