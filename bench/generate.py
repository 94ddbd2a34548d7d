"""Benchmark content: a synthetic newsroom-sized site (N events, M sources), the same for a seed.

    python bench/generate.py --events 4000 --sources 8 --out bench/out/n4000

writes `<out>/content/` (site.yaml, credited.yaml, sources/, events/<year>/, pages/about.md and
pages/corrections.md; every event has `added`, every tenth a correction).
Every event has 2–5 accounts with verbatim-style quotes, time words of every kind the resolver
reads (checked against it while generating, so the site builds cleanly), attribution chains, figures of
every shape and a 100–300-word Markdown summary with emphasis, links and lists. Events spread
over five years around a ten-day window, so the timeline has all three bands.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parallax.timewords import resolve_words
from parallax.when import WhenError, parse_when

SITE_TZ = "Europe/Berlin"
FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2019, 12, 31)
WINDOW = "2017-06-10/2017-06-19"

WORDS = (
    "the", "council", "city", "port", "officials", "quietly", "review", "residents", "road",
    "bridge", "water", "power", "station", "river", "north", "south", "east", "west", "talks",
    "agreement", "vote", "committee", "budget", "inspection", "engineers", "crews", "fire",
    "storm", "flood", "traffic", "hospital", "school", "market", "ministry", "police", "court",
    "ruling", "evidence", "witnesses", "statement", "spokesperson", "figures", "estimate",
    "survey", "district", "village", "harbour", "airport", "railway", "line", "closure",
    "repairs", "delay", "protest", "strike", "union", "workers", "contract", "deadline",
    "plan", "proposal", "review", "funding", "cost", "damage", "repair", "shelter", "aid",
    "convoy", "supplies", "morning", "evening", "weekend", "later", "earlier", "again",
    "still", "already", "nearly", "almost", "about", "around", "several", "many", "few",
    "dozens", "hundreds", "thousands", "first", "second", "third", "last", "new", "old",
    "main", "local", "regional", "national", "early", "late", "quickly", "slowly", "partly",
    "fully", "publicly", "privately",
)

OUTLETS = [
    ("The Morning Ledger", "Europe/London"), ("Harbour Radio", None),
    ("The Evening Courier", "America/New_York"), ("Valley Broadcast", "Europe/Berlin"),
    ("The Northern Post", "Europe/Oslo"), ("City Wire", "UTC"),
    ("The Gazette", "Europe/Paris"), ("Coast News Network", "Asia/Tokyo"),
    ("The Daily Record", "Australia/Sydney"), ("Metro Bulletin", "America/Chicago"),
    ("The Observer Weekly", "Europe/Madrid"), ("Republic Radio", "Africa/Cairo"),
]

PLACES = ["Harbour Bridge", "Old Town", "North Station", "River Quay", "Hill District",
          "the airport", "the industrial zone", "West Market", "the ring road", "East Docks"]
TAGS = ["inspection", "closure", "repairs", "traffic", "weather", "politics", "courts",
        "health", "transport", "budget", "protest", "energy"]
TOPICS = ["vehicles diverted", "people evacuated", "workers on strike", "homes without power",
          "cost of the repairs in euros", "injured people", "votes in favour", "days of delay"]

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
MONTH_SHORT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
               "Nov.", "Dec."]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten"]


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize()


def time_word_candidates(event: date, ref: date, rng: random.Random) -> list[str]:
    """Phrases of every kind the resolver reads, each meaning (about) `event` seen from `ref`."""
    d = (ref - event).days
    weekday = WEEKDAYS[event.weekday()]
    month, short = MONTH_NAMES[event.month - 1], MONTH_SHORT[event.month - 1]
    hour12 = rng.randint(1, 11)
    phrases = [
        f"on {weekday}", weekday, f"by {weekday}",
        f"on {month} {event.day}", f"{event.day} {month}", f"{short} {event.day}",
        f"on {ordinal(event.day)} {month} {event.year}", f"{weekday}, {month} {event.day}",
        f"in {month}", f"in {month} {event.year}", f"{month} {event.year}",
        f"in {event.year}", f"back in {event.year}",
        f"{'early' if event.day <= 10 else 'mid' if event.day <= 20 else 'late'} {month}",
        f"{weekday} at {hour12} am", f"{weekday} at {hour12}:{rng.choice(['15', '30', '45'])} p.m.",
        f"{weekday} night", f"{weekday} morning", f"early {weekday}", f"late on {weekday}",
        f"in the early hours of {weekday}", f"the night of {month} {event.day}",
    ]
    if d == 0:
        phrases += ["today", "this morning", "this evening", "tonight", "at 3 pm", "at 14:30",
                    "around noon", "at 09:30 GMT", "earlier today", "hours earlier", "this week",
                    "this month", "this year"]
    if d == 1:
        phrases += ["yesterday", "overnight", "last night", "yesterday morning",
                    f"yesterday at {hour12}:15 p.m.", "the day before", "a day ago",
                    "the previous night"]
    if d == 2:
        phrases += ["the day before yesterday", "two days ago", "2 days ago",
                    "a couple of days ago"]
    if 2 <= d <= 10:
        phrases += [f"{NUMBER_WORDS[d]} days ago", f"{d} days ago", "a few days ago",
                    "days ago", "in recent days", "the other day", "recently", "lately"]
    if 1 <= d <= 6:
        phrases += [f"last {weekday}" if d >= 1 else weekday, "earlier this week"]
    if 7 <= d <= 13:
        phrases += ["a week ago", "last week"]
    if 14 <= d <= 35:
        phrases += ["a few weeks ago", "two weeks ago", "in recent weeks", "last month"]
    if ref.weekday() in (5, 6) and d <= 1:
        phrases += ["over the weekend"]
    if event.month != ref.month and d < 40:
        phrases += ["last month", "late last month", "earlier this year"]
    if ref.year - event.year == 1:
        phrases += ["last year", f"{month} last year", f"in {month} last year", "a year ago"]
    return phrases


def pick_time_words(event: date, ref: date, rng: random.Random, tz: ZoneInfo) -> str:
    """A phrase the resolver reads as a time overlapping (or near) the event, from `ref`."""
    reference = parse_when(ref.isoformat(), tz)
    candidates = time_word_candidates(event, ref, rng)
    rng.shuffle(candidates)
    for words in candidates:
        try:
            resolve_words(words, reference, tz)
        except WhenError:
            continue
        return words
    return "recently"


def when_form(day: date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return day.isoformat()
    if roll < 0.75:
        return f"{day.isoformat()} {rng.choice(['morning', 'afternoon', 'evening', 'night'])}"
    if roll < 0.83:
        return f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}"
    if roll < 0.9:
        return f"{day.isoformat()}/{(day + timedelta(days=rng.randint(1, 3))).isoformat()}"
    if roll < 0.95:
        return f"~{day.isoformat()}"
    return f"{day:%Y-%m}"


def yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def markdown_body(rng: random.Random, index: int, event_ids: list[str]) -> str:
    """100–300 words: paragraphs with emphasis and links, and now and then a list."""
    target = rng.randint(100, 300)
    parts: list[str] = []
    words = 0
    while words < target:
        roll = rng.random()
        if roll < 0.2 and parts:
            items = [sentence(rng, 4, 10) for _ in range(rng.randint(2, 4))]
            marker = rng.choice(["-", "1."])
            parts.append("\n".join(f"{marker} {item}" for item in items))
            words += sum(len(i.split()) for i in items)
            continue
        sentences = []
        for _ in range(rng.randint(2, 4)):
            text = sentence(rng, 8, 18).split()
            spot = rng.randrange(len(text))
            style = rng.random()
            if style < 0.3:
                text[spot] = f"*{text[spot]}*"
            elif style < 0.45:
                text[spot] = f"**{text[spot]}**"
            elif style < 0.6:
                text[spot] = f"[{text[spot]}](https://example.org/report/{index}/{spot})"
            elif style < 0.7 and event_ids:
                text[spot] = f"[{text[spot]}](../{rng.choice(event_ids)}/)"
            elif style < 0.75:
                text[spot] = f"`{text[spot]}`"
            sentences.append(" ".join(text) + ".")
            words += len(text)
        parts.append("\n".join(sentences))
    return "\n\n".join(parts) + "\n"


def write_site_files(content: Path) -> None:
    (content / "site.yaml").write_text(
        "title: Harbour City, 2015–2019\n"
        "description: How several outlets told five years of a city's news, one timeline.\n"
        "base_url: https://bench.example.org/\n"
        "feed_id: tag:bench.example.org,2026:harbour-city\n"
        "language: en\n"
        f"timezone: {SITE_TZ}\n"
        f"window: {WINDOW}\n",
        encoding="utf-8",
    )
    (content / "pages").mkdir()
    (content / "pages" / "about.md").write_text(
        "---\ntitle: About\nmenu: 0\n---\n# How this site is made\n\n"
        "Synthetic records for measuring Parallax at newsroom scale. Each event has one "
        "**account** per outlet that reports it; see the [data](../data/timeline.json).\n",
        encoding="utf-8",
    )
    (content / "pages" / "corrections.md").write_text(
        "---\ntitle: Corrections\nmenu: 1\nlists: corrections\n---\n# Our corrections policy\n\n"
        "A **correction** fixes an error, a **clarification** makes wording clearer, an "
        "**update** adds information.\n",
        encoding="utf-8",
    )


def parties(rng: random.Random) -> list[tuple[str, str]]:
    """(id, YAML entry) for organisations and people, some people part of an organisation."""
    out: list[tuple[str, str]] = []
    organisations = ["port-authority", "city-council", "fire-service", "police", "water-board",
                     "transport-ministry", "health-agency", "rail-company", "dock-union",
                     "weather-office", "chamber-of-commerce", "court"]
    for org in organisations:
        name = org.replace("-", " ").title()
        out.append((org, (f"{org}:\n  name: {name}\n  kind: organisation\n"
                          f"  spellings: [{name}, the {name.lower()}]\n"
                          "  note: A public body, as the articles describe it.\n")))
    first = ["jo", "sam", "alex", "kim", "lee", "max", "ana", "omar", "eva", "ivan"]
    last = ["marsh", "okafor", "lindqvist", "moreau", "tanaka", "silva", "novak", "haddad"]
    for n in range(28):
        person = f"{first[n % len(first)]}-{last[(n * 3) % len(last)]}-{n}"
        name = " ".join(part.title() for part in person.split("-")[:2])
        org = organisations[n % len(organisations)]
        out.append((person, (f"{person}:\n  name: {name}\n  kind: person\n"
                             f"  spellings: [{name}]\n  part_of: {org}\n"
                             "  note: A spokesperson, as the articles describe it.\n")))
    out.append(("unofficial-reports", (
        "unofficial-reports:\n  name: Unofficial reports\n"
        "  kind: other\n  note: Claims the articles attribute to no one in particular.\n")))
    return out


def source_file(index: int, rng: random.Random) -> tuple[str, str]:
    outlet, zone = OUTLETS[index % len(OUTLETS)]
    if index >= len(OUTLETS):
        outlet = f"{outlet} {index // len(OUTLETS) + 1}"
    source_id = "-".join(outlet.lower().replace("the ", "").split())
    has_byline = index % 3 != 1
    has_url = index % 4 != 2
    lines = ["---", f"outlet: {outlet}", f"title: {yaml_text(sentence(rng, 5, 9))}"]
    if has_byline:
        lines.append(f"byline: {rng.choice(['A. Writer', 'B. Reporter', 'C. Editor'])}")
    lines.append(f"published: {LAST_DAY.isoformat()}")
    if zone:
        lines.append(f"timezone: {zone}")
    if has_url:
        lines.append(f"url: https://{source_id}.example.org/archive/{index}")
    if index % 5 == 3:
        lines += ["copy_read:", f"  site: archive{index}.example.net",
                  f"  url: https://archive{index}.example.net/{source_id}",
                  "  published: 2020-01-02", "  confidence: confirmed"]
    # Confirmed only when seen at the article's own address.
    inferred = "{level: inferred, reason: 'the last dated entry'}"
    published = "confirmed" if index % 2 and has_url else inferred
    seen = "confirmed" if has_url else "{level: inferred, reason: 'the masthead of the copy'}"
    lines += ["confidence:", f"  outlet: {seen}",
              f"  byline: {(seen if has_url else inferred) if has_byline else 'unknown'}",
              f"  published: {published}",
              f"  url: {'confirmed' if has_url else 'unknown'}", "---",
              (f"The editors' note on *{outlet}*: a running archive of its reports, "
               f"[read in full](https://{source_id}.example.org/)."), ""]
    return source_id, "\n".join(lines)


def event_file(index: int, day: date, rng: random.Random, source_ids: list[str],
               zones: dict[str, ZoneInfo], party_ids: list[str], earlier: list[str]) -> str:
    title = sentence(rng, 4, 9)
    window_start, window_end = (date.fromisoformat(x) for x in WINDOW.split("/"))
    lines = ["---", f"title: {yaml_text(title)}", f"when: {when_form(day, rng)}"]
    if rng.random() < 0.8:
        lines.append(f"place: {rng.choice(PLACES)}")
    if not window_start <= day <= window_end and rng.random() < 0.3:
        lines.append("context: true")
    lines.append(f"tags: [{', '.join(sorted(rng.sample(TAGS, rng.randint(0, 3))))}]")
    lines.append("accounts:")
    chosen = rng.sample(source_ids, rng.randint(2, min(5, len(source_ids))))
    for source_id in chosen:
        lines.append(f"  - source: {source_id}")
        quotes = []
        for _ in range(rng.randint(1, 3)):
            quote = sentence(rng, 6, 22)
            if rng.random() < 0.15:
                quote += " … " + sentence(rng, 3, 8).lower()
            quotes.append(quote)
        roll = rng.random()
        ref = day + timedelta(days=rng.choice([0, 0, 1, 1, 1, 2, 3, 5, 9, 20]))
        time_words: list[str] = []
        if roll < 0.65:
            words = pick_time_words(day, ref, rng, zones[source_id])
            time_words = [f"      - said: {yaml_text(words)}", "        counted_from:",
                          f"          date: '{ref.isoformat()}'",
                          ("          why: Counted from the outlet's dispatch of that day in its "
                          "archive.")]
        elif roll < 0.8:
            # Counted from the source's own date: far from the event, so it shows as differing.
            words = pick_time_words(day, LAST_DAY, rng, zones[source_id])
            time_words = [f"      - said: {yaml_text(words)}"]
        elif roll < 0.9:
            words = "around the time of the " + rng.choice(WORDS)
            time_words = [f"      - said: {yaml_text(words)}",
                          f"        resolved_as: {day.isoformat()}"]
        if time_words:
            # Time words are copied from a quote: the first quote holds them.
            quotes[0] = f"{quotes[0]} {words}"
        lines.append("    quotes:")
        relayed = rng.random() < 0.6
        for quote in quotes:
            if relayed:
                chain = rng.sample(party_ids, rng.randint(1, 2))
                lines += [f"      - text: {yaml_text(quote)}", "        via:"]
                lines += [f"          - {{party: {p}, credit: 'according to {p}'}}" for p in chain]
            else:
                lines.append(f"      - {yaml_text(quote)}")
        if time_words:
            lines += ["    time_words:", *time_words]
        if rng.random() < 0.4:
            lines.append("    figures:")
            for _ in range(rng.randint(1, 2)):
                topic = rng.choice(TOPICS)
                shape = rng.random()
                lines.append(f"      - topic: {topic}")
                if shape < 0.5:
                    value = rng.randint(2, 20000)
                    lines += [f"        value: {value}",
                              f"        as_written: \"{value:,} {topic.split()[0]}\""]
                elif shape < 0.8:
                    low = rng.randint(2, 5000)
                    high = low + rng.randint(1, 5000)
                    lines += [f"        low: {low}", f"        high: {high}",
                              f"        as_written: \"between {low:,} and {high:,}\""]
                else:
                    low = rng.randint(2, 900)
                    lines += [f"        low: {low}", f"        as_written: \"more than {low}\""]
                if rng.random() < 0.3:
                    party = rng.choice(party_ids)
                    lines.append(f"        via: [{{party: {party}, credit: 'according to {party}'}}]")
        if rng.random() < 0.1:
            lines.append(f"    note: {yaml_text(sentence(rng, 6, 14) + '.')}")
    # Every event went out on one day, and every tenth was corrected since: no random draw,
    # so the rest of the site stays as the seed made it.
    lines.append("added: 2026-12-01")
    if index % 10 == 0:
        lines += ["corrections:", f"  - date: 2026-12-{2 + index % 7:02d}",
                  "    kind: correction", f"    account: {chosen[0]}", "    field: credit",
                  "    before: Given as the outlet's own words.",
                  "    now: Credited to the party the article names.",
                  "    why: The article credits the statement to that party."]
    lines.append("---")
    return "\n".join(lines) + "\n" + markdown_body(rng, index, earlier[-50:])


def generate(out: Path, events: int, sources: int, seed: int = 1) -> Path:
    """Write the content folder under `out` (replacing it); return the content folder."""
    rng = random.Random(seed)
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "sources").mkdir(parents=True)
    write_site_files(content)

    party_list = parties(rng)
    (content / "credited.yaml").write_text("".join(entry for _, entry in party_list),
                                           encoding="utf-8")
    party_ids = [party_id for party_id, _ in party_list]

    source_ids: list[str] = []
    zones: dict[str, ZoneInfo] = {}
    for index in range(sources):
        source_id, text = source_file(index, rng)
        (content / "sources" / f"{source_id}.md").write_text(text, encoding="utf-8")
        source_ids.append(source_id)
        zone = OUTLETS[index % len(OUTLETS)][1]
        zones[source_id] = ZoneInfo(zone or SITE_TZ)

    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(events))
    written: list[str] = []
    for index, day in enumerate(days):
        slug = "-".join(rng.choice(WORDS) for _ in range(3))
        event_id = f"{day.isoformat()}-{slug}-{index:05d}"
        folder = content / "events" / str(day.year)
        folder.mkdir(parents=True, exist_ok=True)
        text = event_file(index, day, rng, source_ids, zones, party_ids, written)
        (folder / f"{event_id}.md").write_text(text, encoding="utf-8")
        written.append(event_id)
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "out" / "n4000"))
    args = parser.parse_args(argv)
    content = generate(Path(args.out), args.events, args.sources, args.seed)
    print(f"{args.events} events, {args.sources} sources written to {content}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
