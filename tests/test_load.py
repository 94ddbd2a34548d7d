"""Reading front matter: the data Parallax builds while it walks PyYAML's nodes is the data
PyYAML's own loader builds from them, value for value and type for type; and the quick look that
spares most files the line-by-line nesting count never spares one that count would stop."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallax import load
from parallax.errors import ContentError

# Bare words and numbers as YAML 1.1 reads them, odd ones too (some its constructors refuse).
WORDS = st.one_of(
    st.sampled_from(["yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF",
                     "true", "False", "TRUE", "yES", "nO"]),
    st.sampled_from(["null", "Null", "NULL", "~", "", "nULL", "None"]),
    st.sampled_from(["0x1F", "0x_1f", "0o17", "017", "0b101", "0b_", "0x_", "1_000", "-1_000",
                     "+12", "-0", "0", "00", "08", "1:30", "190:20:30", "-1:30", "1.5", "1e3",
                     "1.0e+3", "6.8523015e+5", "685_230.15", "190:20:30.15", ".inf", "-.inf",
                     "+.INF", ".NaN", "-0.0", "._", "1_", "._5", "0.", "+.5", "1__0", "0b1_0"]),
    st.sampled_from(["2021-03-01", "2001-12-14t21:59:43.10-05:00", "2021-3-1", "=", "<<",
                     "hello", "a b", "3.14.15", "12:00", "1,000", "-", "x: y", "&x", "*x", "!x",
                     "@x", "é"]),
)
SCALARS = st.one_of(
    *[WORDS] * 6,
    WORDS.map(lambda word: "'" + word.replace("'", "''") + "'"),
    WORDS.map(json.dumps),
    st.text(alphabet="ab1_.:-+ e\"'#&!*%@`|>?,", max_size=8),
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=6).map(
        lambda text: json.dumps(text, ensure_ascii=False)),
)
NAMES = st.sampled_from(["title", "when", "tags", "place", "a", "b"])
ODD_KEYS = st.sampled_from(["title", "1", "yes", "~", "null", "'quoted'", '"title"', "<<", "=",
                            "&k title", "*k", "!!str 5", "!!int 5", "? [a]\n", "[a, b]",
                            "{a: 1}", "a b"])
MARKS = st.sampled_from(["&x ", "&y ", "!!str ", "!!int ", "!tag ", "! ", "*x", "*y", "*k"])


def _trees(keys, leaves):
    return st.recursive(
        leaves.map(lambda text: ("scalar", text)),
        lambda below: st.one_of(
            st.lists(below, max_size=4).map(lambda items: ("seq", items)),
            st.lists(st.tuples(keys, below), max_size=5).map(lambda pairs: ("map", pairs)),
            st.lists(below, max_size=3).map(lambda items: ("flow seq", items)),
            st.lists(st.tuples(keys, below), max_size=3).map(lambda pairs: ("flow map", pairs)),
        ),
        max_leaves=14,
    )


# Mostly plain documents; some with odd keys, anchors, aliases and tags.
PLAIN = (NAMES, _trees(NAMES, SCALARS))
ODD = (st.one_of(NAMES, ODD_KEYS), _trees(st.one_of(NAMES, ODD_KEYS), st.one_of(
    SCALARS, SCALARS, st.tuples(MARKS, SCALARS).map(lambda parts: parts[0] + parts[1]))))


def _flow(tree) -> str:
    kind, content = tree
    kind = kind.removeprefix("flow ")
    if kind == "scalar":
        return content
    if kind == "seq":
        return "[" + ", ".join(_flow(item) for item in content) + "]"
    return "{" + ", ".join(f"{key}: {_flow(value)}" for key, value in content) + "}"


def _block(tree, indent: int) -> list[str]:
    """`tree` as the lines after a key or a dash (the first is on that line)."""
    kind, content = tree
    pad = " " * indent
    if kind == "scalar" or not content or kind.startswith("flow"):
        return [" " + _flow(tree)]
    if kind == "seq":
        lines = [""]
        for item in content:
            below = _block(item, indent + 2)
            lines += [pad + "-" + below[0], *below[1:]]
        return lines
    lines = [""]
    for key, value in content:
        below = _block(value, indent + 2)
        lines += [pad + key + ":" + below[0], *below[1:]]
    return lines


def _documents(keys, trees):
    return st.one_of(
        st.lists(st.tuples(keys, trees), min_size=1, max_size=6).map(
            lambda pairs: "\n".join(_block(("map", pairs), 0)[1:]) + "\n"),
        trees.map(lambda tree: "\n".join(line for line in _block(tree, 0) if line.strip()) + "\n"),
    )


DOCUMENTS = st.one_of(_documents(*PLAIN), _documents(*PLAIN), _documents(*ODD))


def _same(built, loaded) -> bool:
    """Equal, and of the same types all the way down (1 is not True, nor 1.0; nan is nan)."""
    if type(built) is not type(loaded):
        return False
    if isinstance(built, dict):
        return (list(built) == list(loaded)
                and all(_same(built[key], loaded[key]) for key in built))
    if isinstance(built, list):
        return len(built) == len(loaded) and all(map(_same, built, loaded))
    if isinstance(built, float):
        return repr(built) == repr(loaded)
    return built == loaded


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=DOCUMENTS)
def test_the_walk_builds_the_data_the_loader_builds(text):
    loader = load._Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return  # nothing to walk: the file's problem is PyYAML's message
    finally:
        loader.dispose()
    if node is None:
        return
    parsed = load._Parsed()
    built = load._walk(node, (), parsed, load._Source(text, "x.md", 1, loader), set())
    try:
        loaded = yaml.load(text, Loader=load._Loader)  # the safe loader
    except Exception as error:  # noqa: BLE001 - the walk must have left it to the loader
        assert parsed.problems or parsed.rebuild, f"{text!r}: the loader refuses it ({error})"
        return
    if not parsed.problems and not parsed.rebuild:
        assert _same(built, loaded), f"{text!r}: built {built!r}, loaded {loaded!r}"
    try:
        data, _ = load._parse_yaml(text, "x.md", 1)
    except ContentError:
        assert parsed.problems
        return
    assert _same(data, loaded), f"{text!r}: read {data!r}, loaded {loaded!r}"


def test_values_the_loader_builds_itself_are_left_to_it():
    for text, why in [
        ("a: =\n", "a value with no constructor"),
    ]:
        parsed = load._Parsed()
        loader = load._Loader(text)
        node = loader.get_single_node()
        load._walk(node, (), parsed, load._Source(text, "x.md", 1, loader), set())
        loader.dispose()
        assert parsed.rebuild and not parsed.problems, why


NESTING_PIECES = st.sampled_from([
    " ", "  ", " " * 8, " " * 30, "- ", "-  ", "- - - ", "-", "a: ", "a", "#", "[", "]", "{", "}",
    "[" * 12, "]" * 12, "{" * 5, "\n", "\n", "\n", "\n", "'", "x",
])
# Runs of lines, each indented `step` spaces further than the one before: nesting near the
# limit, where the quick look must be exact about its bound.
NESTING_RUNS = st.lists(st.tuples(
    st.integers(0, 36), st.sampled_from([0, 1, 1, 2, 3, -2, -40]),
    st.sampled_from(["a:", "- a", "- - a", "-", "-  -", "# a", "", "a: [", "]", "{a: 1}"]),
    st.sampled_from(["", "", "", "[", "{", "[" * 8, "]", "}" * 3]),
), max_size=5)


def _stairs(runs) -> str:
    lines, indent = [], 0
    for count, step, text, tail in runs:
        for _ in range(count):
            lines.append(" " * indent + text + tail)
            indent = max(0, indent + step)
    return "\n".join(lines)


@settings(max_examples=1500, deadline=None)
@given(text=st.one_of(st.lists(NESTING_PIECES, max_size=60).map("".join),
                      NESTING_RUNS.map(_stairs)))
def test_the_quick_nesting_look_never_spares_a_file_the_count_stops(text):
    if load._shallow(text):
        assert load._nesting_by_line(text) is None, repr(text)
    assert load._too_deep(text) == load._nesting_by_line(text)


def test_the_quick_nesting_look_spares_ordinary_front_matter():
    text = ("title: A\ntags: [a, b]\naccounts:\n  - source: s\n    quotes:\n"
            "      - text: \"q\"\n        via:\n          - {party: p, credit: 'c'}\n") * 20
    assert load._shallow(text)
