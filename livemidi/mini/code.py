"""Compiling the performer's code so that its string literals know where they were written.

The REPL, pattern files (``livemidi run``, ``--watch``) and the eval server
run the performer's code through `compile_located` (or `parse_located`, for
a caller that cuts the tree up itself, as the REPL does for a final
expression). It compiles as `compile` does, except that each plain string
literal becomes a `SourceString` carrying its `Placement`: the file, the
line and column of each of its characters. The mini-notation reads it, so
that ``note("c4 [e4 g4]")`` on line 12 of set.py gives the event for ``e4``
the span of ``e4`` on line 12 (`livemidi.pattern.locations`).

What gets a place, and what does not (a string without one is a plain str,
exactly as before):

- a literal in one piece, with or without a prefix (``r``, ``u``) and triple
  quotes: each character maps to its own line and column, escapes included
  (``\\x63`` maps to its four columns). The literal's text (where the syntax
  tree says it is) is decoded here and checked against what Python made of
  it; if they differ (several literals side by side), no place;
- no place for f-strings (nor, before Python 3.12, for literals inside
  their expressions: their positions came from a second parse of the
  expression's text, which has had bugs), implicit concatenations
  (``"c4 " "e4"``), bytes, the empty string, docstrings, dict keys and
  subscripts (``d["x"]``), annotations, ``match`` patterns and the operands
  of ``is``: they are not patterns, or they must stay constants;
- whatever is computed from a literal (``"c4 " * 4``, ``s + "e4"``) is a
  plain str.

A placed literal is made anew each time its line runs (about half a
microsecond): two equal literals are equal but not the same object, and
``type(s) is str`` is false for them.

`first_line` is the file line of the code's first line (an editor sends a
block from the middle of a file): line numbers in tracebacks, in a
SyntaxError and in the places are those of the file. Columns are code
points, as editors count them (Python's own AST counts UTF-8 bytes).

Each literal is compiled to a call that makes the `SourceString` (through
``__import__``, so the code needs no name in its namespace); its position is
the literal's own, so tracebacks and their column markers do not change.
Misuse: executing such code where ``__import__`` is not the builtin (a
sandbox that removes it) raises NameError at the first literal.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import unicodedata
from typing import Any

__all__ = ["compile_located", "parse_located"]

_MODES = ("exec", "eval", "single")
_ESCAPE = re.compile(r"\\(?:\r\n|[\r\n]|[0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}\r\n]*\}|[\s\S])")
_SIMPLE = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_PREFIX = re.compile(r"[A-Za-z]*")


def parse_located(source: str, filename: str = "<string>", mode: str = "exec", *, first_line: int = 1) -> ast.AST:
    """`ast.parse`, with the string literals made into `SourceString` calls (see the module docstring).

    Raises SyntaxError (with the line counted from `first_line`), and
    ValueError for a bad `mode` or `first_line`.
    """
    if mode not in _MODES:
        raise ValueError(f"expected mode 'exec', 'eval' or 'single', found {mode!r}")
    if isinstance(first_line, bool) or not isinstance(first_line, int) or first_line < 1:
        raise ValueError(f"expected first_line to be a whole number >= 1, found {first_line!r}")
    if not isinstance(source, str):
        raise TypeError(f"expected the code as a str, found {type(source).__name__}")
    shift = first_line - 1
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as error:
        if shift and error.lineno is not None:
            error.lineno += shift
            if getattr(error, "end_lineno", None) is not None:
                error.end_lineno += shift
        raise
    tree = _Literals(source, filename, shift).visit(tree)
    if shift:
        ast.increment_lineno(tree, shift)
    return tree


def compile_located(source: str, filename: str = "<string>", mode: str = "exec", *, first_line: int = 1) -> Any:
    """`compile(source, filename, mode)`, the string literals knowing their place (see the module docstring)."""
    return compile(parse_located(source, filename, mode, first_line=first_line), filename, mode)


class _Literals(ast.NodeTransformer):
    """Replaces each string literal that can be placed by a call making its `SourceString`."""

    def __init__(self, source: str, filename: Any, shift: int) -> None:
        self.filename = os.fsdecode(filename)
        self.shift = shift
        # A lone CR is a line break to Python and not to every editor: no places rather than wrong ones.
        self.lines = None if "\r" in source.replace("\r\n", "") else source.split("\n")

    # -- what is left alone ------------------------------------------------

    def visit_Module(self, node: ast.Module) -> ast.AST:
        return self._body_with_docstring(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._body_with_docstring(node, skip=("type_params",))  # (their bounds are annotations)

    def visit_FunctionDef(self, node: ast.AST) -> ast.AST:
        # Annotations stay as written (and so does each argument's: see visit_arg).
        return self._body_with_docstring(node, skip=("returns", "type_params"))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return node  # only an annotation could hold a string

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        return self._except(node, ("annotation",))

    def visit_JoinedStr(self, node: ast.AST) -> ast.AST:
        if sys.version_info < (3, 12):
            return node  # (positions inside an f-string came from a re-parse with a history of bugs)
        for part in node.values:  # type: ignore[attr-defined]
            # The text of an f-string (or a t-string) stays constant; the expressions in it are code.
            if not isinstance(part, ast.Constant):
                part.value = self.visit(part.value)
        return node

    visit_TemplateStr = visit_JoinedStr  # (Python 3.14: its parts are Constant and Interpolation)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        node.keys = [k if k is None or _is_str(k) else self.visit(k) for k in node.keys]
        node.values = [self.visit(v) for v in node.values]
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        node.value = self.visit(node.value)
        if not _is_str(node.slice):
            node.slice = self.visit(node.slice)
        return node

    def visit_match_case(self, node: ast.AST) -> ast.AST:
        return self._except(node, ("pattern",))

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        if any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
            # ``x is "up"`` compares identity with the constant (Python warns about it); a new
            # string each time would change its answer. Only the operands that are not literals are code.
            node.left = node.left if _is_str(node.left) else self.visit(node.left)
            node.comparators = [c if _is_str(c) else self.visit(c) for c in node.comparators]
            return node
        return self.generic_visit(node)

    # -- literals --------------------------------------------------------

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if not isinstance(node.value, str) or not node.value:
            return node
        placement = self.placement(node)
        if placement is None:
            return node
        runs, widths = placement
        call = ast.Call(
            func=_dotted("__import__", ast.Constant("livemidi.mini.source"), "mini", "source", "_literal"),
            args=[ast.Constant(node.value), ast.Constant((self.filename, runs, widths))],
            keywords=[],
        )
        for made in ast.walk(call):
            ast.copy_location(made, node)
        return call

    def placement(self, node: ast.Constant) -> tuple[tuple, tuple] | None:
        """(runs, widths) of a literal written in one piece whose text decodes to its value; else None."""
        if self.lines is None:
            return None
        try:
            line, end_line = node.lineno, node.end_lineno
            column = self.column(line, node.col_offset)
            end_column = self.column(end_line, node.end_col_offset)  # type: ignore[arg-type]
        except (IndexError, UnicodeError, TypeError):
            return None
        if end_line == line:
            text = self.lines[line - 1][column:end_column]
        else:
            text = "\n".join([self.lines[line - 1][column:], *self.lines[line:end_line - 1],
                              self.lines[end_line - 1][:end_column]])  # type: ignore[index]
        # Several literals side by side decode to more than their value: the quotes between them stay.
        decoded = _decode(text, line + self.shift, column)
        if decoded is None or decoded[0] != node.value:
            return None
        return decoded[1], decoded[2]

    def column(self, line: int, offset: int) -> int:
        """A code-point column from the AST's UTF-8 byte offset."""
        return len(self.lines[line - 1].encode("utf-8")[:offset].decode("utf-8"))  # type: ignore[index]

    # -- helpers -----------------------------------------------------------

    def _except(self, node: ast.AST, skip: tuple[str, ...]) -> ast.AST:
        for name, value in ast.iter_fields(node):
            if name in skip:
                continue
            if isinstance(value, list):
                setattr(node, name, [self.visit(v) if isinstance(v, ast.AST) else v for v in value])
            elif isinstance(value, ast.AST):
                setattr(node, name, self.visit(value))
        return node

    def _body_with_docstring(self, node: Any, skip: tuple[str, ...] = ()) -> ast.AST:
        body = node.body
        docstring = body[0] if body and isinstance(body[0], ast.Expr) and _is_str(body[0].value) else None
        if docstring is not None:
            node.body = body[1:]
        self._except(node, skip)
        if docstring is not None:
            node.body.insert(0, docstring)
        return node


def _is_str(node: Any) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _dotted(function: str, argument: ast.expr, *attributes: str) -> ast.expr:
    expr: ast.expr = ast.Call(func=ast.Name(function, ast.Load()), args=[argument], keywords=[])
    for name in attributes:
        expr = ast.Attribute(expr, name, ast.Load())
    return expr


def _decode(text: str, line: int, column: int) -> tuple[str, tuple, tuple] | None:
    """A literal's value and where each character of it was written: (value, runs, widths), or None.

    See `Placement` for runs and widths. None for bytes and f-strings.
    """
    prefix = _PREFIX.match(text).group()  # type: ignore[union-attr]
    kinds = prefix.lower()
    if "b" in kinds or "f" in kinds or "t" in kinds:
        return None
    raw = "r" in kinds
    rest = text[len(prefix):]
    quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
    if quote not in ('"', "'", '"""', "'''") or len(rest) < 2 * len(quote) or not rest.endswith(quote):
        return None
    body = rest[len(quote):len(rest) - len(quote)]
    column += len(prefix) + len(quote)
    chars: list[str] = []
    runs: list[tuple[int, int, int]] = []
    widths: list[tuple[int, int]] = []
    new_run = True
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and not raw:
            escape = _ESCAPE.match(body, i).group()  # type: ignore[union-attr]
            if escape[1] in "\r\n":  # a backslash and a line break: nothing, on the next line
                i += len(escape)
                line, column, new_run = line + 1, 0, True
                continue
            value = _unescape(escape)
            if value is not None:
                runs.append((len(chars), line, column))
                widths.append((len(chars), len(escape)))
                chars.append(value)
                i += len(escape)
                column += len(escape)
                new_run = True
                continue
            # an unknown escape (``\q``) keeps its backslash: an ordinary character
        if ch in "\r\n":
            if new_run:
                runs.append((len(chars), line, column))
            chars.append("\n")
            i += 2 if body.startswith("\r\n", i) else 1
            line, column, new_run = line + 1, 0, True
            continue
        if new_run:
            runs.append((len(chars), line, column))
            new_run = False
        chars.append(ch)
        i += 1
        column += 1
    return "".join(chars), tuple(runs), tuple(widths)


def _unescape(escape: str) -> str | None:
    """The character an escape sequence stands for, or None for one Python keeps as written."""
    kind = escape[1]
    if kind in _SIMPLE and len(escape) == 2:
        return _SIMPLE[kind]
    if kind in "01234567":
        return chr(int(escape[1:], 8))
    if kind in "xuU" and len(escape) > 2:
        return chr(int(escape[2:], 16))
    if kind == "N" and len(escape) > 2:
        try:
            return unicodedata.lookup(escape[3:-1])
        except KeyError:
            return None
    return None
