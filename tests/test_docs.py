"""The editors' guide (docs/editing.md) is true: its generated parts match the code, its worked
example builds, its error messages are the ones the build prints, and the schemas it tells
editors to use accept good content and refuse mistakes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

from parallax import docs, models
from parallax.cli import main
from parallax.timewords import PHRASES
from parallax.when import FORMS

GUIDE = PROJECT / "docs" / "editing.md"
BASIC = FIXTURES / "basic" / "content"


def test_the_guide_is_up_to_date():
    text = GUIDE.read_text(encoding="utf-8")
    assert docs.regenerate(text) == text, "run `python -m parallax.docs`"
    for name, schema in docs.editor_schemas().items():
        assert (PROJECT / "docs" / "schemas" / name).read_text() == schema, \
            "run `python -m parallax.docs`"


def test_check_reports_a_stale_guide(tmp_path, capsys):
    guide = tmp_path / "editing.md"
    stale = GUIDE.read_text().replace("| `title` | text | yes | A short neutral title. |", "")
    guide.write_text(stale)
    assert docs.main(["--check", "--guide", str(guide)]) == 1
    assert guide.read_text() == stale, "--check writes nothing"
    assert docs.main(["--guide", str(guide)]) == 0
    assert guide.read_text() == GUIDE.read_text()
    assert docs.main(["--check", "--guide", str(guide)]) == 0
    capsys.readouterr()


def test_python_m_parallax_docs_runs():
    result = subprocess.run([sys.executable, "-m", "parallax.docs", "--check"], cwd=PROJECT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_every_field_time_word_and_date_form_is_in_the_guide():
    text = GUIDE.read_text(encoding="utf-8")
    for _, model, _ in docs.RECORDS:
        for key, _, _, what in docs.field_rows(model):
            assert f"| `{key}` |" in text, key
            assert what and what in text.replace("\\|", "|"), key
    for kind, examples, _ in PHRASES:
        assert f"| {kind} |" in text
        assert all(f"“{example}”" in text for example in examples)
    assert FORMS in text


def test_a_field_is_explained_by_its_own_docstring():
    assert docs.field_doc(models.Event, "when") == "When it happened as the editors place it."
    assert docs.field_doc(models.Account, "quotes").startswith("Verbatim quotes from the article")


def _examples(text: str) -> dict[str, str]:
    """The files the worked example shows, by path."""
    found = re.findall(r"<!-- example: (\S+) -->\n```markdown\n(.*?)```\n", text, re.DOTALL)
    return dict(found)


def test_the_worked_example_builds_strictly(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(BASIC, content)
    examples = _examples(GUIDE.read_text(encoding="utf-8"))
    assert len(examples) == 2
    for path, text in examples.items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    code = main(["build", "--strict", "--content", str(content), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    page = (out / "events" / "2021-03-04-the-bridge-is-closed-to-traffic" / "index.html").read_text()
    assert page.count('class="account') >= 3
    # What the guide says about the Courier's "Wednesday night" is what the site shows.
    assert "night of 3–4 Mar 2021" in page


def test_the_guides_messages_are_the_builds_own():
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"<!-- examples of messages.*?-->\n```\n(.*?)```", text, re.DOTALL).group(1)
    printed = {line for path in (PROJECT / "tests" / "broken").glob("*/expected.txt")
               for line in path.read_text(encoding="utf-8").splitlines()}
    lines = block.strip().splitlines()
    assert len(lines) >= 4
    for line in lines:
        assert line in printed, line


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> Path:
    """docs/schemas/ beside a freshly built site/, as in the repository."""
    root = tmp_path_factory.mktemp("schemas")
    assert main(["build", "--content", str(BASIC), "--out", str(root / "site")]) == 0
    shutil.copytree(PROJECT / "docs" / "schemas", root / "docs" / "schemas")
    return root / "docs" / "schemas"


def _validate(schema: Path, document: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(document)],
        capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name, document", [
    ("site.schema.json", "site.yaml"),
    ("credited.schema.json", "credited.yaml"),
])
def test_the_editor_schemas_accept_good_content_and_refuse_mistakes(name, document, schemas,
                                                                   tmp_path):
    good = BASIC / document
    result = _validate(schemas / name, good)
    assert result.returncode == 0, result.stdout + result.stderr

    text = good.read_text()
    mistakes = {"site.yaml": text.replace("timezone:", "timezon:"),
                "credited.yaml": text.replace("kind: person", "kind: human")}
    broken = tmp_path / document
    broken.write_text(mistakes[document])
    assert broken.read_text() != text
    result = _validate(schemas / name, broken)
    assert result.returncode == 1, result.stdout + result.stderr
