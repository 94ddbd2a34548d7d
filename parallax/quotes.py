"""Check stage helper: every quote must stand, verbatim, in its article's plain-text snapshot.

Whitespace, curly and straight quotes and dashes are normalized first; an ellipsis ('…') in a
quote splits it into pieces that must appear in that order.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .errors import Problem
from .load import read_text
from .validate import Content

_FOLD = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


def _placed(quote: str, text: str) -> tuple[list[tuple[int, int]], str | None]:
    """Where the pieces of `quote` stand in `text` (the first place, pieces in order), up to the
    first that does not; and that piece, or None when all do."""
    spans, position = [], 0
    for piece in (normalize(p) for p in quote.split("…")):
        if not piece:
            continue
        found = text.find(piece, position)
        if found < 0:
            return spans, piece
        spans.append((found, found + len(piece)))
        position = found + len(piece)
    return spans, None


def locate(quote: str, text: str) -> list[tuple[int, int]] | None:
    """Where each piece of `quote` stands in `text`, or None when one does not."""
    spans, missing = _placed(quote, text)
    return None if missing is not None else spans


def find_quote(quote: str, text: str) -> str | None:
    """None when every piece of `quote` appears in normalized `text` in order; otherwise the
    first piece that does not."""
    return _placed(quote, text)[1]


def nearest_passage(piece: str, text: str) -> str:
    """The stretch of `text` most like `piece`, for the editor to compare."""
    words, size = text.split(" "), max(1, len(piece.split(" ")))
    best, best_score = "", -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(piece)
    for start in range(max(1, len(words) - size + 1)):
        window = " ".join(words[start:start + size])
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
            continue
        score = matcher.ratio()
        if score > best_score:
            best, best_score = window, score
    return best


def check_quotes(content: Content, snapshots: Path) -> list[Problem]:
    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    for source in content.sources:
        if not source.snapshot:
            problems.append(content.problem("source", source.id, (), (
                "no snapshot named; add 'snapshot:' with the file name of its plain-text copy "
                f"in {snapshots}")))
            texts[source.id] = None
            continue
        path = snapshots / source.snapshot
        if not path.is_file():
            problems.append(content.problem("source", source.id, ("snapshot",), (
                f"the snapshot {source.snapshot!r} is not in {snapshots}")))
            texts[source.id] = None
            continue
        texts[source.id] = normalize(read_text(path, str(path), snapshot=True))

    for event in content.events:
        for a, account in enumerate(event.accounts):
            text = texts.get(account.source)
            if text is None:
                continue
            said = [(("quotes", q), quote.text) for q, quote in enumerate(account.quotes)]
            # A figure's words are quoted too: 'as_written' is what the article printed.
            said += [(("figures", f, "as_written"), figure.as_written)
                     for f, figure in enumerate(account.figures)]
            for loc, words in said:
                missing = find_quote(words, text)
                if missing is None:
                    continue
                near = nearest_passage(missing, text)
                problems.append(content.problem("event", event.id, ("accounts", a) + loc, (
                    f"not found in the snapshot of '{account.source}': {missing!r}; "
                    f"the nearest passage is {near!r}")))
    return problems
