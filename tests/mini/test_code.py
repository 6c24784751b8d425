"""Compiling the performer's code so that its string literals know their place (`livemidi.mini.code`).

A literal must get the right place or none, never a wrong one; everything
else about the code (values, tracebacks, docstrings, annotations) must stay
as plain `compile` makes it.
"""

from __future__ import annotations

import copy
import pickle
import sys
import traceback
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.mini import SourceString, compile_located, mini, parse_located
from livemidi.mini.source import Placement
from livemidi.pattern import Location, locations


def run(code: str, first_line: int = 1, filename: str = "set.py") -> dict:
    names: dict = {"mini": mini}
    exec(compile_located(code, filename, first_line=first_line), names)
    return names


def atoms(pattern, cycles: int = 1) -> list[tuple[Location, ...]]:
    return [locations(ev) for ev in pattern.events(0, cycles)]


def test_a_literal_knows_file_line_and_columns():
    names = run('x = 1\np = mini("c4 [e4 g4]")\n', first_line=12)
    assert atoms(names["p"]) == [(Location("set.py", 13, 10, 12),), (Location("set.py", 13, 14, 16),),
                                 (Location("set.py", 13, 17, 19),)]


def test_a_literal_is_a_str_in_every_way():
    names = run('s = "c4 e4"\nport = "IAC Bus 1"\n')
    s = names["s"]
    assert isinstance(s, SourceString) and isinstance(s, str)
    assert s == "c4 e4" and hash(s) == hash("c4 e4") and repr(s) == "'c4 e4'" and str(s) == "c4 e4"
    assert {s: 1}["c4 e4"] == 1
    # Whatever is made from it is a plain str, which claims no place.
    for made in (s + "", s * 2, s[0:2], s.upper(), f"{s}", "%s" % s, s.strip(), str(s), s.split()[0]):
        assert type(made) is str
    assert type(pickle.loads(pickle.dumps(s))) is str and pickle.loads(pickle.dumps(s)) == s
    assert type(copy.copy(s)) is str and type(copy.deepcopy([s])[0]) is str
    assert names["port"] == "IAC Bus 1"


def test_prefixes_and_quotes():
    code = "a = mini(r'c4 e4')\nb = mini(u\"c4 e4\")\nc = mini(R'''c4 e4''')\nd = mini(U\"\"\"c4 e4\"\"\")\n"
    names = run(code)
    assert atoms(names["a"])[1] == (Location("set.py", 1, 14, 16),)  # a = mini(r'c4 e4'): e4 at 14
    assert atoms(names["b"])[1] == (Location("set.py", 2, 14, 16),)
    assert atoms(names["c"])[1] == (Location("set.py", 3, 16, 18),)  # c = mini(R'''c4 e4'''): e4 at 16
    assert atoms(names["d"])[1] == (Location("set.py", 4, 16, 18),)


def test_triple_quoted_lines_map_to_their_own_lines():
    code = 'p = mini("""c4 e4\n    g4\n\tb4 [c5\n  d5]""")\n'
    names = run(code, first_line=5)
    assert atoms(names["p"]) == [
        (Location("set.py", 5, 12, 14),), (Location("set.py", 5, 15, 17),), (Location("set.py", 6, 4, 6),),
        (Location("set.py", 7, 1, 3),), (Location("set.py", 7, 5, 7),), (Location("set.py", 8, 2, 4),),
    ]  # fmt: skip


def test_unicode_before_the_literal_counts_code_points_not_bytes():
    code = 'é = "😀𝄞"; p = mini("c4 e4")  # ü\n'
    names = run(code)
    column = code.index("c4")
    assert column == 20 and len(code[:column].encode()) == 27  # code points, not UTF-8 bytes
    assert atoms(names["p"])[0] == (Location("set.py", 1, column, column + 2),)


def test_escapes_map_to_their_whole_spelling():
    code = 'p = mini("c4\\x20e4\\tg\\u0034 \\N{LATIN SMALL LETTER B}4 c\\\\")'.replace("c\\\\", "c5")
    names = run(code)
    got = [code.split("\n")[loc.line - 1][loc.column:loc.end_column] for (loc,) in atoms(names["p"])]
    assert got == ["c4", "e4", "g\\u0034", "\\N{LATIN SMALL LETTER B}4", "c5"]


def test_an_escaped_quote_and_octal():
    code = "p = mini('c4 \\'\\145\\64 g4')".replace("\\'", " ")
    names = run(code)
    got = [code[loc.column:loc.end_column] for (loc,) in atoms(names["p"])]
    assert got == ["c4", "\\145\\64", "g4"]


def test_an_atom_cut_by_a_backslash_newline_has_no_place_but_plays():
    names = run('p = mini("c4 e\\\n4 g4")\n')
    assert [ev.value for ev in names["p"].events(0, 1)] == ["c4", "e4", "g4"]
    assert atoms(names["p"]) == [(Location("set.py", 1, 10, 12),), (), (Location("set.py", 2, 2, 4),)]


def test_no_place_for_f_strings_concatenations_and_computed_strings():
    code = ('n = "e4"\n'
            'a = f"c4 {n}"\n'
            'b = "c4 " "e4"\n'
            'c = "c4 " * 2\n'
            'd = "c4 " + n\n'
            'e = ("c4 "\n     "e4")\n')  # fmt: skip
    names = run(code)
    for name in "abcde":
        assert type(names[name]) is str, name
        assert all(where == () for where in atoms(mini(names[name])))
    assert names["a"] == "c4 e4" and names["b"] == "c4 e4" and names["c"] == "c4 c4 " and names["e"] == "c4 e4"


def test_what_must_stay_a_constant_stays_one():
    code = '''"""The set."""
from __future__ import annotations
def f(x: "int" = "c4") -> "str":
    """A function."""
    return x
class C:
    "A class."
    name: "str" = "c4"
d = {"kick": 1}
k = d["kick"]
match "c4":
    case "c4":
        matched = True
b = b"c4"
'''
    names = run(code)
    plain: dict = {}
    exec(compile(code, "set.py", "exec"), plain)
    assert type(names["__doc__"]) is str and names["__doc__"] == "The set."
    assert names["f"].__doc__ == "A function." and type(names["f"].__doc__) is str
    assert names["C"].__doc__ == "A class."
    assert names["f"].__annotations__ == plain["f"].__annotations__ == {"x": "'int'", "return": "'str'"}
    assert names["C"].__annotations__ == plain["C"].__annotations__
    assert all(type(v) is str for v in names["f"].__annotations__.values())
    assert all(type(key) is str for key in names["d"])
    assert names["matched"] and names["b"] == b"c4"
    assert isinstance(names["f"](), SourceString)  # a default value is a literal like any other


def test_tracebacks_are_unchanged():
    code = 'x = 1\np = mini("c4 e4") + [\n    undefined_name]\n'

    def frames(compiled) -> list:
        try:
            exec(compiled, {"mini": mini})
        except NameError as error:
            return [(f.filename, f.lineno, getattr(f, "colno", None), getattr(f, "end_colno", None), f.line)
                    for f in traceback.extract_tb(error.__traceback__) if f.filename == "set.py"]
        raise AssertionError("expected a NameError")

    assert frames(compile_located(code, "set.py")) == frames(compile(code, "set.py", "exec"))
    assert frames(compile_located(code, "set.py"))[0][1] == 3
    shifted = frames(compile_located(code, "set.py", first_line=40))
    assert [frame[1] for frame in shifted] == [42]


def test_a_syntax_error_counts_from_the_first_line():
    with pytest.raises(SyntaxError) as caught:
        compile_located("x = 1\ny = (\n", "set.py", first_line=10)
    assert caught.value.lineno == 11 and caught.value.filename == "set.py"
    with pytest.raises(SyntaxError) as caught:
        compile_located("x = 1\nreturn 2\n", "set.py", first_line=10)  # raised by compile, after the parse
    assert caught.value.lineno == 11


def test_modes_and_bad_arguments():
    assert atoms(eval(compile_located('mini("c4")', "e.py", "eval"), {"mini": mini})) == [(Location("e.py", 1, 6, 8),)]
    exec(compile_located('p = mini("c4")', "s.py", "single"), names := {"mini": mini})
    assert atoms(names["p"]) == [(Location("s.py", 1, 10, 12),)]
    tree = parse_located('p = mini("c4")', "t.py", first_line=3)
    assert tree.body[0].lineno == 3
    with pytest.raises(ValueError, match="expected mode"):
        compile_located("x = 1", "x.py", "run")
    with pytest.raises(ValueError, match="first_line"):
        compile_located("x = 1", "x.py", first_line=0)
    with pytest.raises(TypeError, match="expected the code as a str"):
        compile_located(b"x = 1", "x.py")  # type: ignore[arg-type]


def test_line_endings():
    names = run('x = 1\r\np = mini("""c4\r\ne4""")\r\n')
    assert atoms(names["p"]) == [(Location("set.py", 2, 12, 14),), (Location("set.py", 3, 0, 2),)]
    # A lone CR is a line break to Python and not to every editor: no places rather than wrong ones.
    names = run('x = 1\rp = mini("c4 e4")\n')
    assert atoms(names["p"]) == [(), ()]


def test_placement_answers_none_rather_than_a_wrong_span():
    placement = Placement("s", ((0, 1, 5), (3, 2, 0)))
    assert placement.span(0, 2) == Location("s", 1, 5, 7)
    assert placement.span(2, 4) is None  # across a line break
    assert placement.span(1, 1) is None
    with pytest.raises(IndexError):
        Placement("s", ((2, 1, 0),)).at(0)


# -- any literal, however it is spelled ---------------------------------------------------------

_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list("c4 e'\"\\\n\t"))


def _spell(ch: str, quote: str, triple: bool, draw) -> str:
    """One way to write `ch` inside a non-raw literal (its own quote always escaped: three would close it)."""
    ways = []
    if ch not in (quote, "\\", "\r") and (ch != "\n" or triple) and ch.isprintable() or ch == " " or (ch == "\n" and triple):
        ways.append(ch)
    code = ord(ch)
    if code < 0x100:
        ways.append(f"\\x{code:02x}")
    if code < 0o400:
        ways.append(f"\\{code:03o}")  # three digits: a shorter one would take the digit after it
    if code < 0x10000:
        ways.append(f"\\u{code:04X}")
    ways.append(f"\\U{code:08x}")
    name = unicodedata.name(ch, None)
    if name:
        ways.append(f"\\N{{{name}}}")
    simple = {"\n": "\\n", "\t": "\\t", "\\": "\\\\", "'": "\\'", '"': '\\"'}
    if ch in simple:
        ways.append(simple[ch])
    return draw(st.sampled_from(ways))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), value=st.text(_CHARS, min_size=1, max_size=12),
       before=st.sampled_from(["", "é = 1; ", "y = '😀'; ", "z = 1;\t"]),
       quote=st.sampled_from(["'", '"']), triple=st.booleans(), prefix=st.sampled_from(["", "u", "U"]),
       first_line=st.integers(1, 500))
def test_each_character_maps_to_where_it_is_written(data, value, before, quote, triple, prefix, first_line):
    # Write each character some way (itself, an escape), sometimes with a backslash-newline between them,
    # and note where each one was written: the oracle.
    opener = prefix + quote * (3 if triple else 1)
    head = f"{before}x = {opener}"
    body, written = "", []
    line, column = first_line + 1, len(head)
    for ch in value:
        if data.draw(st.integers(0, 6)) == 0:
            body += "\\\n"
            line, column = line + 1, 0
        spelled = _spell(ch, quote, triple, data.draw)
        written.append((line, column, column + len(spelled)))
        body += spelled
        if spelled == "\n":
            line, column = line + 1, 0
        else:
            column += len(spelled)
    code = f"# set\n{head}{body}{quote * (3 if triple else 1)}\n"
    names: dict = {}
    exec(compile_located(code, "set.py", first_line=first_line), names)
    x = names["x"]
    assert x == value
    assert isinstance(x, SourceString), "a literal in one piece gets a place"
    lines = code.split("\n")
    for index, (line, begin, end) in enumerate(written):
        assert x.placement.at(index) == (line, begin)
        assert x.placement.span(index, index + 1) == Location("set.py", line, begin, end)
        # and the source there says that character
        text = lines[line - first_line][begin:end]
        if text == "":
            assert value[index] == "\n"  # a line break written as itself
        else:
            assert eval(f'"""{text} """')[:-1] == value[index]


def test_raw_strings_map_backslashes_as_they_are():
    names = run("p = r'c4 \\d e4'")
    p = names["p"]
    assert p == "c4 \\d e4"
    assert p.placement.span(3, 5) == Location("set.py", 1, 9, 11)
    assert p.placement.span(6, 8) == Location("set.py", 1, 12, 14)


def test_strings_inside_f_string_expressions():
    names = run("x = f\"{mini('c4')!r:>12} {mini('c4').events(0, 1)[0]!r}\"")
    assert names["x"] == "  pure('c4') <Event 0 → 1 | c4>"
    names = run("p, q = f\"{(y := mini('c4'))}\", f\"{(z := mini('c4'))}\"")
    if sys.version_info >= (3, 12):  # the literals in their expressions are placed where they are
        assert (atoms(names["y"]), atoms(names["z"])) == ([(Location("set.py", 1, 22, 24),)], [(Location("set.py", 1, 46, 48),)])
    else:  # before 3.12 such positions came from a re-parse that has had bugs: no place rather than a risk
        assert atoms(names["y"]) == atoms(names["z"]) == [()]


def test_identity_comparisons_keep_their_literals_constant():
    import warnings

    code = 'same = "up" is "up"\ndiffer = mini is not "up"\n'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        names = run(code)
        plain: dict = {"mini": mini}
        exec(compile(code, "set.py", "exec"), plain)
    assert (names["same"], names["differ"]) == (plain["same"], plain["differ"]) == (True, True)
    with pytest.warns(SyntaxWarning):  # and Python still warns about them, as it did
        compile_located(code, "set.py")


def test_a_path_as_the_file_name():
    from pathlib import Path

    names: dict = {"mini": mini}
    exec(compile_located('p = mini("c4")', Path("/home/me/set.py")), names)
    assert atoms(names["p"]) == [(Location("/home/me/set.py", 1, 10, 12),)]


@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.text(_CHARS, min_size=1, max_size=6), min_size=2, max_size=3),
       between=st.sampled_from(["", " ", "\n  ", "  # a comment\n  ", " \\\n "]),
       styles=st.lists(st.sampled_from(["repr", "double", "triple", "raw"]), min_size=3, max_size=3))
def test_literals_side_by_side_never_get_a_place(parts, between, styles):
    def spell(text: str, style: str) -> str:
        if style == "double":
            return '"' + repr(text)[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'
        if style == "triple" and '"' not in text and "\\" not in text and all(c.isprintable() or c in "\n\t" for c in text):
            return '"""' + text + '"""'
        if style == "raw" and not any(c in text for c in "'\\\n\r") and text.isprintable():
            return "r'" + text + "'"
        return repr(text)

    code = "x = (" + between.join(spell(text, style) for text, style in zip(parts, styles)) + ")\n"
    names = run(code)
    assert names["x"] == "".join(parts)
    assert type(names["x"]) is str, code
