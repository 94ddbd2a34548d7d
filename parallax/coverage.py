"""Check stage helper: how much of each article the accounts quote, sentence by sentence.

The rule, for editors and tests alike:

1. The snapshot is split into paragraphs at blank lines; within a paragraph, line breaks are
   spaces. Text is normalized as for the quote check (whitespace, curly quotes, dashes).
2. A paragraph is split into sentences after '.', '!', '?' or '…' (and any closing quotes or
   brackets right after it) where whitespace follows and the next sentence starts with a
   capital letter, a digit, or an opening quote or bracket. A period after a single capital
   letter (an initial, 'U.S.') or a common abbreviation (Mr, Dr, Gen, e.g., …) ends no
   sentence. A paragraph with no such end (a headline) is one sentence.
3. A sentence's words are its runs of letters and digits (with inner apostrophes and hyphens).
   A word is covered when it lies inside a quote of one of the article's accounts, found where
   the quote check finds it. A sentence is covered when at least half its words are.
4. A sentence the editors list under `left_out` in the source record, by its exact text (as
   normalized above) and a reason, is accounted for; a mark that matches no sentence is an
   error.
5. Inside a covered sentence, each run of RUN_WORDS (6) or more words that no quote holds is
   listed too: a run that holds a claim is quoted, and one that holds none is listed under
   `left_out` by its words (any stretch of the sentence that holds the run) with the reason,
   usually 'no claim: ...'. Words of such a stretch count as accounted for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .load import read_text
from .quotes import locate, normalize
from .validate import Content

_END = re.compile(r"([.!?…][\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(\"'.])(?:[A-Za-z]|Mr|Mrs|Ms|Dr|St|Gen|Col|Lt|Sgt|Capt|Maj|Prof|Jr|Sr|Rev|Gov|Sen"
    r"|Rep|vs|etc|e\.g|i\.e|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$")
WORD = re.compile(r"\w+(?:['-]\w+)*")
"""A word: a run of letters and digits, with inner apostrophes and hyphens."""
RUN_WORDS = 6
"""The shortest unquoted run inside a covered sentence that `check --coverage` lists."""


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    """The snapshot line it starts on."""
    start: int
    """Where it starts in the article's normalized text (paragraphs joined by a newline)."""


def paragraphs(raw: str) -> list[tuple[list[tuple[int, int]], str]]:
    """Each paragraph's normalized text, with (offset in it, snapshot line) for each of its lines."""
    found = []
    lines: list[tuple[int, int]] = []
    parts: list[str] = []
    for number, line in enumerate(raw.split("\n"), start=1):
        text = normalize(line)
        if not text:
            if parts:
                found.append((lines, " ".join(parts)))
            lines, parts = [], []
            continue
        offset = sum(len(p) + 1 for p in parts)
        lines.append((offset, number))
        parts.append(text)
    if parts:
        found.append((lines, " ".join(parts)))
    return found


def _line_at(lines: list[tuple[int, int]], offset: int) -> int:
    return max((number for start, number in lines if start <= offset), default=lines[0][1])


def split_sentences(paragraph: str) -> list[tuple[int, str]]:
    """(offset, text) of each sentence of one normalized paragraph."""
    out, start = [], 0
    for match in _END.finditer(paragraph):
        end = match.end(1)
        candidate = paragraph[start:end]
        if candidate.endswith(".") and _ABBREVIATION.search(candidate):
            continue
        out.append((start, candidate))
        start = match.end()
    if start < len(paragraph):
        out.append((start, paragraph[start:]))
    return out


def sentences(raw: str) -> tuple[str, list[Sentence]]:
    """The article's normalized text (paragraphs joined by newlines) and its sentences."""
    text, found = "", []
    for lines, paragraph in paragraphs(raw):
        if text:
            text += "\n"
        base = len(text)
        text += paragraph
        found += [Sentence(s, _line_at(lines, offset), base + offset)
                  for offset, s in split_sentences(paragraph)]
    return text, found


def covered_spans(quotes: list[str], text: str) -> list[tuple[int, int]]:
    """Where each quote's pieces stand in the text (as the quote check finds them)."""
    return [span for quote in quotes for span in locate(quote, text) or ()]


def share_covered(sentence: Sentence, spans: list[tuple[int, int]]) -> float:
    marks = _covered_words(sentence, spans)
    return sum(marks) / len(marks) if marks else 1.0


def _covered_words(sentence: Sentence, spans: list[tuple[int, int]]) -> list[bool]:
    out = []
    for word in WORD.finditer(sentence.text):
        a, b = sentence.start + word.start(), sentence.start + word.end()
        out.append(any(start <= a and b <= end for start, end in spans))
    return out


def unquoted_runs(sentence: Sentence, spans: list[tuple[int, int]]) -> list[str]:
    """The runs of RUN_WORDS or more words of a sentence that lie outside every span."""
    words = list(WORD.finditer(sentence.text))
    marks = _covered_words(sentence, spans) + [True]
    runs, start = [], None
    for n, covered in enumerate(marks):
        if not covered and start is None:
            start = n
        elif covered and start is not None:
            if n - start >= RUN_WORDS:
                runs.append(sentence.text[words[start].start():words[n - 1].end()])
            start = None
    return runs


@dataclass(frozen=True)
class ArticleCoverage:
    source_id: str
    sentences: int
    covered: int
    left_out: int

    @property
    def percent(self) -> float:
        return 100.0 * (self.covered + self.left_out) / self.sentences if self.sentences else 100.0


def check_coverage(content: Content, snapshots: Path
                   ) -> tuple[list[Problem], list[ArticleCoverage]]:
    """Every sentence under half quoted and not left out, every mark that matches no sentence,
    and each article's figures."""
    problems: list[Problem] = []
    report: list[ArticleCoverage] = []
    quotes: dict[str, list[str]] = {}
    for event in content.events:
        for account in event.accounts:
            quotes.setdefault(account.source, []).extend(q.text for q in account.quotes)
    for source in content.sources:
        if not source.snapshot or not (snapshots / source.snapshot).is_file():
            continue  # the quote check reports a missing snapshot
        path = snapshots / source.snapshot
        text, found = sentences(read_text(path, str(path), snapshot=True))
        spans = covered_spans(quotes.get(source.id, []), text)
        marks = {normalize(mark.text): n for n, mark in enumerate(source.left_out)}
        matched: set[str] = set()
        covered = left_out = 0
        record = content.origins[("source", source.id)].path
        for sentence in found:
            if sentence.text in marks:
                matched.add(sentence.text)
                left_out += 1
                continue
            # Stretches of the sentence left out by their words count as accounted for.
            stretches = []
            for mark in marks:
                at = sentence.text.find(mark)
                if at >= 0 and mark != sentence.text:
                    matched.add(mark)
                    stretches.append((sentence.start + at, sentence.start + at + len(mark)))
            share = share_covered(sentence, spans + stretches)
            if share >= 0.5:
                covered += 1
                for run in unquoted_runs(sentence, spans + stretches):
                    problems.append(Problem(str(path), sentence.line, "coverage", (
                        f"{len(WORD.findall(run))} words of a quoted sentence are in no quote: "
                        f"{run!r} (in {sentence.text!r}); quote them if they hold a claim, or "
                        f"list them under left_out in {record} with the reason (e.g. 'no "
                        "claim: ...')")))
                continue
            problems.append(Problem(str(path), sentence.line, "coverage", (
                f"{share:.0%} of this sentence is in quotes: {sentence.text!r}; quote it in an "
                f"account of '{source.id}', or list it under left_out in {record} with the "
                "reason")))
        for mark, n in marks.items():
            if mark not in matched:
                problems.append(content.problem("source", source.id, ("left_out", n, "text"), (
                    f"matches no sentence of {source.snapshot}; copy the sentence exactly as "
                    "`check --coverage` lists it")))
        report.append(ArticleCoverage(source.id, len(found), covered, left_out))
    return problems, report
