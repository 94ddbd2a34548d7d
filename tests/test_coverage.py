"""check --coverage: each article split into sentences by the documented rule, every sentence
less than half quoted listed unless the editors left it out with a reason."""

from __future__ import annotations

import shutil

from conftest import FIXTURES

from parallax.coverage import Sentence, sentences, share_covered, split_sentences

BASIC = FIXTURES / "basic"


def test_sentences_end_at_stops_followed_by_a_capital_or_an_opening_quote():
    assert [s for _, s in split_sentences(
        'He left. "We stay," she said! Was it 5 p.m.? 12 men came… Then quiet.')] == [
        "He left.", '"We stay," she said!', "Was it 5 p.m.?", "12 men came…", "Then quiet."]


def test_initials_and_abbreviations_end_no_sentence():
    assert [s for _, s in split_sentences(
        "The U.S. Army and Gen. Smith met A. Writer. Dr. Jones agreed.")] == [
        "The U.S. Army and Gen. Smith met A. Writer.", "Dr. Jones agreed."]


def test_a_stop_before_a_lower_case_word_ends_no_sentence():
    assert [s for _, s in split_sentences("It cost 2.5 million. it was said.")] == [
        "It cost 2.5 million. it was said."]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    assert [s for _, s in split_sentences('"It fell." (Reuters.) Next one.')] == [
        '"It fell."', "(Reuters.)", "Next one."]


def test_paragraphs_split_at_blank_lines_and_lines_within_them_join():
    text, found = sentences("Headline without a stop\n\nOne line\nwraps here. Second.\n\n\nLast.\n")
    assert [(s.line, s.text) for s in found] == [
        (1, "Headline without a stop"), (3, "One line wraps here."), (4, "Second."), (7, "Last.")]
    assert text == "Headline without a stop\nOne line wraps here. Second.\nLast."


def test_a_sentence_is_covered_from_half_its_words():
    sentence = Sentence("one two three four", 1, 10)
    assert share_covered(sentence, [(10, 17)]) == 0.5   # 'one two'
    assert share_covered(sentence, [(10, 16)]) == 0.25  # 'one tw' holds one whole word
    assert share_covered(sentence, []) == 0.0


def test_the_fixture_is_fully_accounted_for(tmp_path, run_cli):
    code, out, err = run_cli("check", "--content", str(BASIC / "content"), "--snapshots",
                             str(BASIC / "snapshots"), "--coverage", "--out", str(tmp_path / "site"))
    assert code == 0, err
    assert out.splitlines()[-4:] == [
        "Coverage:",
        "  ledger: 100.0% of 7 sentences (6 quoted, 1 left out)",
        "  radio: 100.0% of 4 sentences (3 quoted, 1 left out)",
        "  in all: 100.0% of 11 sentences",
    ]


def test_an_unquoted_sentence_and_a_stale_mark_are_listed(tmp_path, run_cli):
    content = tmp_path / "content"
    shutil.copytree(BASIC / "content", content)
    event = content / "events" / "2021-03-04-bridge-closed.md"
    event.write_text(event.read_text().replace(
        '      - "The bridge stayed shut overnight, our reporter saw."\n', "").replace(
        "      - said: overnight\n        quotes: [2]\n", ""))
    source = content / "sources" / "ledger.md"
    source.write_text(source.read_text().replace("- text: Bridge shut after crack found",
                                                 "- text: Bridge shut after a crack was found"))
    code, _, err = run_cli("check", "--content", str(content), "--snapshots",
                           str(BASIC / "snapshots"), "--coverage", "--out", str(tmp_path / "site"))
    assert code == 1
    snapshots = BASIC / "snapshots"
    assert err.splitlines() == [
        (f"{snapshots}/ledger.txt:1: coverage: 0% of this sentence is in quotes: 'Bridge shut "
        "after crack found'; quote it in an account of 'ledger', or list it under left_out in "
        "content/sources/ledger.md with the reason"),
        ("content/sources/ledger.md:15: left_out[1].text: matches no sentence of ledger.txt; "
        "copy the sentence exactly as `check --coverage` lists it"),
        (f"{snapshots}/radio.txt:4: coverage: 0% of this sentence is in quotes: 'The bridge "
        "stayed shut overnight, our reporter saw.'; quote it in an account of 'radio', or list "
        "it under left_out in content/sources/radio.md with the reason"),
        "Coverage:",
        "  ledger: 85.7% of 7 sentences (6 quoted, 0 left out)",
        "  radio: 75.0% of 4 sentences (2 quoted, 1 left out)",
        "  in all: 81.8% of 11 sentences",
        "3 problems.",
    ]


def test_coverage_needs_the_snapshots(tmp_path, run_cli):
    code, _, err = run_cli("check", "--content", str(BASIC / "content"), "--coverage",
                           "--out", str(tmp_path / "site"))
    assert code == 2
    assert "--coverage needs --snapshots DIR" in err
