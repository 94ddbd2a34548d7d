"""Check stage helper: whose words each quote is, checked against the article like the quote.

Run by `check --snapshots DIR` after the quote check, on quotes it found. The rules, for editors
and tests alike (text normalized as for the quote check; paragraphs and sentences as in
`coverage`):

1. **Credit evidence.** Each link of a chain gives `credit`, the article's own words that credit
   the party. They stand verbatim in the snapshot, in a paragraph the quote touches (for a
   figure, in a sentence holding its `as_written`), or, when the link says why under
   `continues`, in one of the three paragraphs before the quote's (for a figure, also in the
   rest of its paragraph). They hold one of the party's
   `spellings` (any case, whole words); a party the article describes rather than names is
   identified by words the link quotes under `identified` (verbatim, holding a spelling, within
   three paragraphs of the credit words), or is one kept as `unnamed` in credited.yaml.
2. **Relayed quotes hold only relayed words.** A relayed quote that holds words inside quotation
   marks holds no word outside both the quotation and its credit words; a relayed quote of
   several sentences has, in each, quoted words or its credit words. The outlet's framing is its
   own-voice quote. Indirect speech that is still the party's is marked
   `checked: {relayed: <why>}`.
3. **Cut context.** A quote that leaves out of its own clause a reporting verb, or a hedge
   within ten words of it (site settings `hedges` and `reporting_verbs`), that no quote of the
   account and no credit words of it hold is listed, unless marked `checked: {cut: <why>}`.
   A clause ends at ; : brackets and dashes, not at commas ('X, the army said' is one). A word
   of the list counts in lower case anywhere, or capitalised at the start of a sentence ('May'
   in the middle of a sentence is the month).
4. **Marks.** A `checked` mark that answers no finding is listed as stale.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .coverage import WORD, Sentence, sentences
from .errors import Problem
from .load import read_text
from .models import Attributed, Party, Quote, QuoteCheck, SiteSettings
from .quotes import locate, nearest_passage, normalize
from .validate import Content

CONTINUES_PARAGRAPHS = 3
"""How many paragraphs before the quote's the credit words may stand in, with `continues`."""

Span = tuple[int, int]


@dataclass(frozen=True)
class Article:
    """One snapshot as the checks read it."""

    text: str
    """The normalized text, paragraphs joined by a line break."""
    paragraphs: tuple[int, ...]
    """Where each paragraph starts in `text`."""
    sentences: tuple[Sentence, ...]
    quoted: tuple[Span, ...]
    """The stretches inside quotation marks."""

    def pieces(self, words: str) -> list[list[Span]]:
        """Every place words stand, '…' joining pieces that follow in order in one paragraph:
        for each place, the spans of its pieces."""
        parts = [normalize(p) for p in words.split("…") if normalize(p)]
        found = []
        for first in self.occurrences(parts[0]) if parts else ():
            spans, at = [first], first[1]
            end = self.text.find("\n", first[0])
            end = len(self.text) if end < 0 else end
            for part in parts[1:]:
                where = self.text.find(part, at, end)
                if where < 0:
                    break
                spans.append((where, where + len(part)))
                at = where + len(part)
            else:
                found.append(spans)
        return found

    def paragraph_at(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraphs, offset) - 1

    def sentences_over(self, span: Span) -> list[Sentence]:
        return [s for s in self.sentences
                if s.start < span[1] and span[0] < s.start + len(s.text)]

    def occurrences(self, words: str) -> list[Span]:
        needle, found, at = normalize(words), [], 0
        while needle:
            at = self.text.find(needle, at)
            if at < 0:
                break
            found.append((at, at + len(needle)))
            at += 1
        return found


def read_article(path: Path) -> Article:
    text, found = sentences(read_text(path, str(path), snapshot=True))
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return Article(text, tuple(starts), tuple(found), tuple(quotation_spans(text)))


def quotation_spans(text: str) -> list[Span]:
    """Stretches inside double quotation marks (curly ones are folded to '"' by normalize): a
    mark after a space, a bracket or a dash, or at a paragraph's start, opens; any other closes.
    An opening mark inside an open quotation continues it (a quotation running over sentences,
    its mark repeated), and a quotation still open at a paragraph's end ends there."""
    spans: list[Span] = []
    start: int | None = None
    for n, char in enumerate(text):
        if char == "\n" and start is not None:
            spans.append((start, n))
            start = None
        if char != '"':
            continue
        before = text[n - 1] if n else "\n"
        opening = before.isspace() or before in "([{-/"
        if opening and start is None:
            start = n + 1
        elif not opening and start is not None:
            spans.append((start, n))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def phrases(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a list of words and phrases, longest first, whole words only (a
    possessive 's counts as the word: "CNN's report" names CNN)."""
    ordered = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(normalize(w)) for w in ordered)
                      + r")(?:'s)?(?![\w'-])")


def names(party: Party, words: str) -> bool:
    """Whether `words` hold one of the party's spellings (any case, whole words)."""
    pattern = phrases(s.casefold() for s in party.spellings)
    return pattern.search(normalize(words).casefold()) is not None


def _inside(span: Span, spans: Iterable[Span]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


def check_attribution(content: Content, snapshots: Path,
                      articles: dict[str, Article] | None = None) -> list[Problem]:
    """Every credit, relayed quote and cut of the content, checked against the snapshots (the
    quote check has found every quote: a quote not found is skipped here)."""
    articles = articles if articles is not None else load_articles(content, snapshots)
    site = content.site
    hedges = _cut_words(site)
    problems: list[Problem] = []
    for event in content.events:
        for a, account in enumerate(event.accounts):
            article = articles.get(account.source)
            if article is None:
                continue

            def problem(loc: tuple, message: str, _a: int = a, _id: str = event.id) -> Problem:
                return content.problem("event", _id, ("accounts", _a) + loc, message)

            found = [locate(q.text, article.text) for q in account.quotes]
            quoted = [span for spans in found if spans for span in spans]
            credited: list[Span] = []
            for q, (quote, spans) in enumerate(zip(account.quotes, found)):
                if spans is None:
                    continue
                region = _paragraph_region(article, spans)
                credit_spans, link_problems = _credits(
                    content, article, quote, region, spans, ("quotes", q), problem)
                problems += link_problems
                credited += credit_spans
                relayed = _relayed(article, quote, spans, credit_spans, ("quotes", q),
                                   problem) if quote.via else []
                problems += _answered(quote, QuoteCheck.relayed, relayed, ("quotes", q), problem)
            for f, figure in enumerate(account.figures):
                occurrences = article.occurrences(figure.as_written)
                if not occurrences:
                    continue
                region = [(s.start, s.start + len(s.text)) for o in occurrences
                          for s in article.sentences_over(o)]
                spans_f, link_problems = _credits(content, article, figure, region,
                                                  occurrences, ("figures", f), problem)
                problems += link_problems
                credited += spans_f
            for q, (quote, spans) in enumerate(zip(account.quotes, found)):
                if spans is None:
                    continue
                cuts = _cuts(article, spans, quoted + credited, hedges, ("quotes", q), problem)
                problems += _answered(quote, QuoteCheck.cut, cuts, ("quotes", q), problem)
    return problems


def _answered(quote: Quote, kind: QuoteCheck, found: list[Problem], at: tuple,
              problem) -> list[Problem]:
    """The findings of one kind, unless a mark answers them; a mark with nothing to answer is
    stale, and listed, so that no mark outlives its reason."""
    if kind not in quote.checked:
        return found
    if found:
        return []
    what = {QuoteCheck.cut: "the quote cuts off no hedge or credit of its sentence",
            QuoteCheck.relayed: "the quote holds no word outside its quotation and credit"}[kind]
    return [problem(at + ("checked", kind.value), (
        f"marked as checked, but {what} (any longer); remove '{kind.value}' from 'checked'"))]


def load_articles(content: Content, snapshots: Path) -> dict[str, Article]:
    articles = {}
    for source in content.sources:
        if source.snapshot and (snapshots / source.snapshot).is_file():
            articles[source.id] = read_article(snapshots / source.snapshot)
    return articles


def _paragraph_region(article: Article, spans: list[Span]) -> list[Span]:
    """The paragraphs a quote touches, as stretches of the text."""
    touched = sorted({article.paragraph_at(o) for span in spans for o in (span[0], span[1] - 1)})
    touched = list(range(touched[0], touched[-1] + 1))
    return [_paragraph_span(article, p) for p in touched]


def _paragraph_span(article: Article, p: int) -> Span:
    end = article.paragraphs[p + 1] - 1 if p + 1 < len(article.paragraphs) else len(article.text)
    return (article.paragraphs[p], end)


def _credits(content: Content, article: Article, said: Attributed, region: list[Span],
             spans: list[Span], at: tuple, problem) -> tuple[list[Span], list[Problem]]:
    """Each link's credit words, found where the rule allows (their spans), or why not."""
    found: list[Span] = []
    problems: list[Problem] = []
    what = "the quote's sentence or paragraph" if isinstance(said, Quote) else (
        "the sentence holding the figure's as_written")
    for n, link in enumerate(said.via or ()):
        here = at + ("via", n)
        places = article.pieces(link.credit)
        occurrences = [(p[0][0], p[-1][1]) for p in places]
        if not occurrences:
            near = nearest_passage(normalize(link.credit), article.text.replace("\n", " "))
            problems.append(problem(here + ("credit",), (
                f"the credit words are not in the snapshot: {link.credit!r}; the nearest "
                f"passage is {near!r}; copy the article's words that credit "
                f"{_members(link)} exactly")))
            continue
        beside = [o for o in occurrences if _inside(o, region)]
        if link.continues is not None:
            if beside:
                problems.append(problem(here + ("continues",), (
                    f"the credit words stand in {what}, so nothing continues from an earlier "
                    "paragraph; remove 'continues'")))
            else:
                first = min(article.paragraph_at(s[0]) for s in spans)
                earlier = [_paragraph_span(article, p) for p in
                           range(max(0, first - CONTINUES_PARAGRAPHS), first + 1)]
                beside = [o for o in occurrences if _inside(o, earlier)]
                if not beside:
                    problems.append(problem(here + ("credit",), (
                        f"the credit words {link.credit!r} stand neither in {what} nor in the "
                        f"{CONTINUES_PARAGRAPHS} paragraphs before it; credit the party with "
                        "words that stand beside the passage")))
                    continue
        elif not beside:
            line = _line(article, occurrences[0][0])
            problems.append(problem(here + ("credit",), (
                f"the credit words {link.credit!r} are in the snapshot (line {line}) but not "
                f"in {what}: an article credits a passage beside it; if this paragraph "
                "plainly continues the one that credits it, add 'continues: <why>', "
                "otherwise the passage is not credited to this party")))
            continue
        found += next(p for p in places if (p[0][0], p[-1][1]) == beside[0])
        problems += _named(content, article, link, here, problem, beside[0])
    return found, problems


def _members(link) -> str:
    return " and ".join(f"'{m}'" for m in link.members)


def _named(content: Content, article: Article, link, here: tuple, problem,
           credit: Span) -> list[Problem]:
    """Whether the link names its party: in the credit words, or in words that identify it
    within CONTINUES_PARAGRAPHS paragraphs of them (before or after)."""
    problems = []
    at = article.paragraph_at(credit[0])
    near_by = [_paragraph_span(article, p) for p in range(
        max(0, at - CONTINUES_PARAGRAPHS), min(len(article.paragraphs), at + CONTINUES_PARAGRAPHS + 1))]
    for i, identified in enumerate(link.identified):
        found = article.occurrences(identified)
        if not found:
            near = nearest_passage(normalize(identified), article.text.replace("\n", " "))
            problems.append(problem(here + ("identified", i), (
                f"not found in the snapshot: {identified!r}; the nearest passage is {near!r}")))
        elif not any(_inside(o, near_by) for o in found):
            line = _line(article, found[0][0])
            problems.append(problem(here + ("identified", i), (
                f"{identified!r} is in the snapshot (line {line}) but more than "
                f"{CONTINUES_PARAGRAPHS} paragraphs from the credit words: quote where the "
                "article identifies the party near the passage")))
    for member in link.members:
        party = content.parties.get(member)
        if party is None or party.unnamed or names(party, link.credit):
            continue
        if any(names(party, words) for words in link.identified):
            continue
        spelled = ", ".join(repr(s) for s in party.spellings) or "none yet"
        problems.append(problem(here + ("credit",), (
            f"the credit words {link.credit!r} do not name '{member}' (its spellings: "
            f"{spelled}); where the article describes it rather than names it, quote where "
            "the article identifies it under 'identified:', or, for a party the article "
            "never names, mark it 'unnamed: true' in credited.yaml")))
    return problems


def _relayed(article: Article, quote: Quote, spans: list[Span], credit_spans: list[Span],
             at: tuple, problem) -> list[Problem]:
    words = [(span[0], m) for span in spans
             for m in WORD.finditer(article.text[span[0]:span[1]])]
    placed = [(base + m.start(), base + m.end()) for base, m in words]
    in_quotation = [_inside(w, article.quoted) for w in placed]
    in_credit = [_inside(w, credit_spans) for w in placed]
    problems = []
    if any(in_quotation):
        outside = [not q and not c for q, c in zip(in_quotation, in_credit)]
        if any(outside):
            runs = _outside_runs(article.text, placed, outside)
            problems.append(problem(at, (
                "the relayed quote holds words outside its quotation and its credit words: "
                f"{'; '.join(repr(r) for r in runs)}; a relayed quote holds only the relayed "
                "words and the words that credit them, so quote the outlet's own words as its "
                "own voice, or, for indirect speech that is the party's, mark "
                "'checked: {relayed: <why>}'")))
            return problems
    over = {s.start: s for span in spans for s in article.sentences_over(span)}
    if len(over) > 1:
        for sentence in over.values():
            bounds = (sentence.start, sentence.start + len(sentence.text))
            mine = [n for n, w in enumerate(placed) if _inside(w, [bounds])]
            if mine and not any(in_quotation[n] or in_credit[n] for n in mine):
                shown = article.text[placed[mine[0]][0]:placed[mine[-1]][1]]
                problems.append(problem(at, (
                    f"the relayed quote spans {len(over)} sentences, and one holds neither "
                    f"quoted words nor its credit words: {shown!r}; that sentence is the "
                    "outlet's own, so quote it as its own voice, or mark "
                    "'checked: {relayed: <why>}'")))
                break
    return problems


def _outside_runs(text: str, placed: list[Span], outside: list[bool]) -> list[str]:
    runs, start = [], None
    for n, marked in enumerate(outside + [False]):
        if marked and start is None:
            start = n
        elif not marked and start is not None:
            runs.append(text[placed[start][0]:placed[n - 1][1]])
            start = None
    return runs


def _cut_words(site: SiteSettings) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return phrases(site.hedges), phrases(site.reporting_verbs)


HEDGE_WINDOW = 10
"""How many words from a quote's edge a hedge it leaves out is listed (a reporting verb is
listed anywhere in the quote's clause)."""
_CLAUSE_END = re.compile(r"[;:()\[\]]|\s[-–—]\s|—")


def _clause(sentence: Sentence, span: Span) -> Span:
    """The stretch of the sentence between the clause marks (; : brackets and dashes, not
    commas: 'X, the army said' is one clause) around a quote's piece."""
    start, end = sentence.start, sentence.start + len(sentence.text)
    for mark in _CLAUSE_END.finditer(sentence.text):
        at = sentence.start + mark.start()
        if mark.end() + sentence.start <= span[0]:
            start = max(start, sentence.start + mark.end())
        elif at >= span[1]:
            end = min(end, at)
    return (start, end)


def _cuts(article: Article, spans: list[Span], quoted: list[Span],
          words: tuple[re.Pattern[str], re.Pattern[str]], at: tuple, problem) -> list[Problem]:
    """What a quote leaves out of its clauses: reporting verbs anywhere in them, hedges within
    HEDGE_WINDOW words of the quote."""
    hedges, verbs = words
    cut: list[str] = []
    shown = ""
    for span in spans:
        for sentence in article.sentences_over(span):
            lo, hi = _clause(sentence, span)
            clause = article.text[lo:hi]
            for kind, pattern in (("hedge", hedges), ("verb", verbs)):
                for start, end, word in _matches(pattern, clause, lo == sentence.start):
                    where = (lo + start, lo + end)
                    if _inside(where, quoted) or word in cut:
                        continue
                    if kind == "hedge":
                        gap = (article.text[where[1]:span[0]] if where[1] <= span[0]
                               else article.text[span[1]:where[0]])
                        if len(WORD.findall(gap)) > HEDGE_WINDOW:
                            continue
                    cut.append(word)
                    shown = shown or sentence.text
    if not cut:
        return []
    return [problem(at, (
        f"the quote cuts off {', '.join(repr(c) for c in cut)} from its sentence: {shown!r}; "
        "quote the words that hedge or credit it, or mark 'checked: {cut: <why>}'"))]


def _matches(words: re.Pattern[str], text: str, starts: bool) -> Iterable[tuple[int, int, str]]:
    """(start, end, word) of the list's words in a stretch of text: lower case anywhere,
    capitalised at the start of a sentence (`starts`: the stretch starts one)."""
    for match in words.finditer(text):
        yield match.start(), match.end(), match.group()
    head = text.lstrip()
    skipped = len(text) - len(head)
    if starts and head[:1].isupper():
        first = words.match(head[:1].lower() + head[1:])
        if first:
            yield skipped, skipped + first.end(), text[skipped:skipped + first.end()]


def _line(article: Article, offset: int) -> int:
    before = [s for s in article.sentences if s.start <= offset]
    return before[-1].line if before else 1


def checked_marks(content: Content) -> dict[str, int]:
    """How many findings the editors marked as checked, by kind."""
    counts: dict[str, int] = {}
    for event in content.events:
        for kind in event.checked:
            counts[kind.value] = counts.get(kind.value, 0) + 1
        for account in event.accounts:
            for quote in account.quotes:
                for kind in quote.checked:
                    counts[kind.value] = counts.get(kind.value, 0) + 1
            for words in account.time_words:
                if words.checked:
                    counts["time words"] = counts.get("time words", 0) + 1
    return dict(sorted(counts.items()))

