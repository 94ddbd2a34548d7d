"""Outlets' colours and shapes: set in the source record or derived from the id, never from
the sources' order; legible (3:1) against the page in both colour schemes; two outlets drawn
alike are reported; `new source` proposes a pair no one has."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from parallax import colours, views
from parallax.cli import main
from parallax.errors import ContentError
from parallax.load import load_content
from parallax.resolve import resolve_timeline
from parallax.validate import validate_content

PROJECT = Path(__file__).resolve().parent.parent
STYLE = PROJECT / "static" / "style.css"


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "basic" / "content", folder)
    return folder


def _outlets(folder: Path) -> dict[str, views.Outlet]:
    checked = validate_content(load_content(folder))
    return {o.source.id: o for o in views.outlets_of(resolve_timeline(checked))}


def _set(path: Path, **fields: str) -> None:
    """Front-matter fields added (or replaced) at the top of a record."""
    text = path.read_text(encoding="utf-8")
    for name in fields:
        text = re.sub(rf"^{name}:.*\n", "", text, flags=re.MULTILINE)
    added = "".join(f"{name}: {value!r}\n" if value.startswith("#") else f"{name}: {value}\n"
                    for name, value in fields.items())
    path.write_text(text.replace("---\n", "---\n" + added, 1), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        validate_content(load_content(folder))
    return [str(p) for p in error.value.problems]


# --- the contrast formula ----------------------------------------------------------------------


def test_contrast_is_wcag_relative_luminance():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#ffffff", "#ffffff") == pytest.approx(1)
    # WCAG's own worked figures: #777 on white is just under 4.5:1, #767676 just over.
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colours.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert colours.contrast((255, 0, 0), "#ffffff") == pytest.approx(4.0, abs=0.01)


def _declared(css: str) -> dict[str, dict[str, str]]:
    """The custom properties of :root, light and dark, as style.css declares them."""
    dark_at = css.index("@media (prefers-color-scheme: dark)")
    light_block = css[css.index(":root {"):dark_at]
    dark_block = css[dark_at:css.index("}\n}", dark_at)]
    pick = re.compile(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b")
    return {"light": dict(pick.findall(light_block)), "dark": dict(pick.findall(dark_block))}


def test_the_stylesheet_declares_the_palette_and_backgrounds_the_code_knows():
    declared = _declared(STYLE.read_text(encoding="utf-8"))
    for n, scheme in enumerate(("light", "dark")):
        assert colours.rgb(declared[scheme]["bg"]) == colours.rgb(colours.BACKGROUNDS[scheme])
        assert {k[2:]: v for k, v in declared[scheme].items() if k.startswith("c-")} == {
            name: pair[n] for name, pair in colours.PALETTE.items()}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_palette_colour_and_the_band_outline_have_3_to_1(scheme):
    declared = _declared(STYLE.read_text(encoding="utf-8"))[scheme]
    background = declared["bg"]
    for name in [f"c-{n}" for n in colours.PALETTE] + ["band-edge"]:
        ratio = colours.contrast(declared[name], background)
        assert ratio >= colours.MIN_CONTRAST, (scheme, name, round(ratio, 2))


def test_the_source_field_lists_the_palette_and_the_shapes():
    from parallax.models import SourceFrontMatter
    assert ", ".join(colours.PALETTE) in " ".join(
        SourceFrontMatter.model_fields["colour"].description.split()).replace(" and ", ", ")
    shapes = " ".join(SourceFrontMatter.model_fields["shape"].description.split())
    assert all(shape in shapes for shape in colours.SHAPES)


# --- an outlet keeps its look -------------------------------------------------------------------


def test_a_derived_look_does_not_depend_on_the_other_sources(content):
    before = _outlets(content)
    # A source whose id sorts first takes the first track: every other outlet moves down.
    shutil.copy(content / "sources" / "radio.md", content / "sources" / "aaa-first.md")
    after = _outlets(content)
    assert after["aaa-first"].number == 1
    for source_id, outlet in before.items():
        assert after[source_id].number == outlet.number + 1
        assert (after[source_id].colour, after[source_id].shape_name) == \
            (outlet.colour, outlet.shape_name) == colours.derived(source_id)
    # ... and removing one changes no one else's either.
    (content / "sources" / "aaa-first.md").unlink()
    assert {i: (o.colour, o.shape) for i, o in _outlets(content).items()} == \
        {i: (o.colour, o.shape) for i, o in before.items()}


def test_a_derived_look_is_spread_over_the_palette_and_shapes():
    looks = {colours.derived(f"outlet-{n}") for n in range(200)}
    assert {c for c, _ in looks} == set(colours.PALETTE)
    assert {s for _, s in looks} == set(colours.SHAPES)


def test_the_colour_and_shape_the_record_sets_are_used(content, tmp_path):
    ledger = content / "sources" / "ledger.md"
    _set(ledger, colour="green", shape="bar")
    _set(content / "sources" / "radio.md", colour="#8a2be2")
    outlets = _outlets(content)
    assert (outlets["ledger"].colour, outlets["ledger"].shape_name) == ("green", "bar")
    assert outlets["ledger"].shape == colours.SHAPES.index("bar") + 1
    assert outlets["radio"].colour == "#8a2be2"
    assert outlets["radio"].shape_name == colours.derived("radio")[1]
    out = tmp_path / "site"
    assert main(["build", "--content", str(content), "--out", str(out)]) == 0
    css = (out / "static" / "timeline.css").read_text()
    assert f".o{outlets['ledger'].number} {{ color: var(--c-green); }}" in css
    assert f".o{outlets['radio'].number} {{ color: #8a2be2; }}" in css
    home = (out / "index.html").read_text()
    assert f'<use href="#s{colours.SHAPES.index("bar") + 1}"' in home


def test_a_colour_without_3_to_1_is_refused_with_the_ratios_and_the_fix(content):
    _set(content / "sources" / "ledger.md", colour="#f5d76e")
    found = colours.contrasts("#f5d76e")
    fix = colours.readable("#f5d76e")
    assert found["light"] < 3 <= found["dark"] and min(colours.contrasts(fix).values()) >= 3
    assert _problems(content) == [
        ("content/sources/ledger.md:2: colour: '#f5d76e' has 1.42:1 against the light page (#ffffff) "
        "and 13.01:1 against the dark page (#141414); an outlet's marks need at least 3:1 "
        f"against both: write '{fix}' (the nearest that has it) or one of the palette's names "
        "(blue, orange, green, purple, ochre, magenta, slate, olive)")]


def test_a_dark_colour_is_refused_for_the_dark_page(content):
    _set(content / "sources" / "ledger.md", colour="#1a1a40")
    (problem,) = _problems(content)
    assert "against the dark page (#141414); an outlet's marks need at least 3:1" in problem
    assert problem.startswith("content/sources/ledger.md:2: colour: '#1a1a40' has 16.")


@pytest.mark.parametrize("field, value, expected", [
    ("colour", "teal", ("colour: 'teal' is not a colour: write one of the palette's names (blue, "
                       "orange, green, purple, ochre, magenta, slate, olive) or a colour as "
                       "'#rrggbb'")),
    ("shape", "star", ("shape: 'star' is not a shape; write one of: circle, square, triangle, "
                      "diamond, down, bar")),
])
def test_an_unknown_colour_or_shape_names_the_choices(content, field, value, expected):
    _set(content / "sources" / "ledger.md", **{field: value})
    assert _problems(content) == [f"content/sources/ledger.md:2: {expected}"]


def test_two_outlets_drawn_alike_are_reported_with_a_free_pair(content, tmp_path, capsys):
    _set(content / "sources" / "ledger.md", colour="blue", shape="circle")
    _set(content / "sources" / "radio.md", colour="blue")  # its shape comes from its id
    radio_shape = colours.derived("radio")[1]
    if radio_shape != "circle":
        _set(content / "sources" / "ledger.md", colour="blue", shape=radio_shape)
    checked = validate_content(load_content(content))
    free = colours.free_look("radio", {("blue", radio_shape)})
    assert free[0] != "blue"
    warnings = [str(w) for w in checked.warnings if "two outlets" in w.message]
    assert warnings == [
        (f"content/sources/radio.md:1: shape: colour 'blue' and shape '{radio_shape}' (derived from its "
        "id where its record sets none) are also The Morning Ledger's (ledger): two outlets "
        f"must differ in colour or shape; write 'shape: "
        f"{next(s for s in colours.SHAPES if s != radio_shape)}' (no blue outlet has it), or "
        f"'colour: {free[0]}' and 'shape: {free[1]}' (a pair no outlet has)")]
    out = tmp_path / "site"
    assert main(["build", "--strict", "--content", str(content), "--out", str(out)]) == 1
    assert "two outlets must differ in colour or shape" in capsys.readouterr().err


def test_outlets_of_one_colour_and_different_shapes_are_fine(content):
    _set(content / "sources" / "ledger.md", colour="blue", shape="circle")
    _set(content / "sources" / "radio.md", colour="blue", shape="square")
    checked = validate_content(load_content(content))
    assert not [w for w in checked.warnings if "two outlets" in w.message]


def test_new_source_takes_a_pair_no_one_has(content, capsys):
    # Every outlet so far is drawn in the colour the new one's id would give it.
    wanted = colours.derived("the-evening-post")
    _set(content / "sources" / "ledger.md", colour=wanted[0], shape=wanted[1])
    assert main(["new", "source", "The Evening Post", "--date", "2021-03-05",
                 "--content", str(content)]) == 0
    capsys.readouterr()
    text = (content / "sources" / "the-evening-post.md").read_text()
    colour = re.search(r"^colour: (\S+)$", text, re.MULTILINE)[1]
    shape = re.search(r"^shape: (\S+)$", text, re.MULTILINE)[1]
    others = {o.colour for i, o in _outlets(content).items() if i != "the-evening-post"}
    assert colour not in others and shape in colours.SHAPES
    checked = validate_content(load_content(content))
    assert not [w for w in checked.warnings if "two outlets" in w.message]
