"""One block of the performer's code: compiled where it belongs, run, its errors told in their terms.

The REPL and the eval server run code the same way, through here:

- `execute(text, namespace, filename, line)` compiles the block with
  `filename` as its file and its lines counted from `line` (an editor's
  block that starts at line 12 of set.py raises at set.py:12, not at
  line 1), its string literals knowing their place
  (`livemidi.mini.code.parse_located`: the events of its mini-notation say
  where they were written, `livemidi.pattern.locations`), runs it, and returns the value of a final expression (`NO_VALUE`
  when there is none), as the Python REPL prints it. A block indented as a
  whole (a selection inside a function) runs as if it were not; the columns
  an error reports are the editor's all the same.
- Its text is kept in `linecache` under that file and those lines, so a
  traceback shows the lines that ran, even when the editor's file on disk
  says something else (it is not saved yet).
- `format_error` cuts a traceback to the performer's frames (the files of
  blocks run here): the frames inside livemidi or the standard library say
  nothing they can act on. `error_location` is the file, line and column
  an editor marks.

Misuse: a block compiled elsewhere is not "the performer's": its frames
are cut from tracebacks.
"""

from __future__ import annotations

import ast
import linecache
import textwrap
import traceback
from types import TracebackType
from typing import Any

from ..mini.code import parse_located

__all__ = ["NO_VALUE", "error_location", "execute", "format_error", "is_complete", "remember_block"]

NO_VALUE = object()  # what `execute` returns for a block that does not end with an expression

_PERFORMER: dict[str, list[str]] = {}  # file -> the lines of it that ran here (those known), for linecache
_INDENT: dict[tuple[str, int], int] = {}  # (file, line) -> columns removed by dedenting, for error columns


def remember_block(filename: str, line: int, text: str) -> None:
    """Keep `text` as lines `line`… of `filename` for tracebacks (and mark the file as the performer's)."""
    lines = _PERFORMER.setdefault(filename, [])
    new = text.splitlines(keepends=True) or ["\n"]
    if new and not new[-1].endswith("\n"):
        new[-1] += "\n"
    first = line - 1
    if len(lines) < first:
        lines.extend(["\n"] * (first - len(lines)))
    lines[first : first + len(new)] = new
    linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)


def is_complete(text: str) -> bool:
    """True when `text` is ready to run: Enter should run it rather than start a new line.

    Code that parses is complete unless it ends with a block (`def`, `for`,
    `if`...) whose last line is not blank: the block's body may go on. Text that cannot parse
    at all is "complete" too, so the performer sees the syntax error.
    """
    if not text.strip():
        return False
    lines = text.split("\n")
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        # An open bracket or block on the last line: more is coming.
        message = str(error.msg)
        unfinished = ("was never closed", "unexpected EOF", "expected an indented block")
        if any(part in message for part in unfinished) and lines[-1].strip():
            return False
        return True
    if not lines[-1].strip() or not tree.body:
        return True
    # A block (def, for, if, with...) may go on until a blank line; anything else is done.
    return not isinstance(tree.body[-1], _BLOCKS)


_BLOCKS = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.FunctionDef,
    ast.AsyncFunctionDef, ast.ClassDef, ast.Try, ast.Match,
)  # fmt: skip


def is_performer_file(filename: str) -> bool:
    return filename in _PERFORMER


def _indented(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return first[:1].isspace()


def _parse(text: str, filename: str, line: int) -> ast.Module:
    """`text` parsed with its lines counted from `line` (a SyntaxError's too), its strings knowing their place."""
    return parse_located(text, filename, "exec", first_line=line)


def _shape(text: str, line: int) -> tuple[str, int, bool]:
    """How to compile the block: (its text, columns taken off its lines, parsed under an `if True:`)."""
    if not _indented(text):
        return text, 0, False
    if line > 1:
        # An indented selection, parsed under an `if True:` on the line before it:
        # its columns stay the editor's.
        return text, 0, True
    dedented = textwrap.dedent(text)  # no line before it to hold the `if`: dedented, columns put back after
    first = next(line for line in text.splitlines() if line.strip())
    return dedented, (len(first) - len(first.lstrip()) if dedented != text else 0), False


def execute(text: str, namespace: dict, filename: str, line: int = 1) -> Any:
    """Run one block in `namespace`; returns its final expression's value, or `NO_VALUE`.

    Raises whatever the block raises (a SyntaxError carries the mapped line).
    """
    text, removed, wrapped = _shape(text, line)
    remember_block(filename, line, text)
    for number in range(line, line + len(text.splitlines())):
        if removed:
            _INDENT[(filename, number)] = removed
        else:
            _INDENT.pop((filename, number), None)
    if wrapped:
        tree = _parse("if True:\n" + text, filename, line - 1)
        tree = ast.Module(body=tree.body[0].body, type_ignores=[])
    else:
        tree = _parse(text, filename, line)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        body = ast.Module(body=tree.body[:-1], type_ignores=[])
        exec(compile(body, filename, "exec"), namespace)
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
    exec(compile(tree, filename, "exec"), namespace)
    return NO_VALUE


def format_error(error: BaseException) -> str:
    """A short traceback: only the performer's frames, then the error (and its cause, if any)."""
    report = traceback.TracebackException.from_exception(error, limit=None)
    lines: list[str] = []
    for part in _chain(report):
        frames = [frame for frame in part.stack if is_performer_file(frame.filename)]
        if frames:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.StackSummary.from_list(frames).format())
        lines.extend(part.format_exception_only())
    return "".join(lines)


def _chain(report: traceback.TracebackException) -> list[traceback.TracebackException]:
    # The cause first, as Python prints it; one level is enough to say why. A cause
    # that says nothing more (its text is in the error's, none of its frames are the
    # performer's: a pattern over budget) would only say it twice.
    cause = report.__cause__
    if cause is not None and not _repeats(cause, report):
        return [cause, report]
    if cause is not None:
        return [report]
    if report.__context__ is not None and not report.__suppress_context__:
        return [report.__context__, report]
    return [report]


def _repeats(cause: traceback.TracebackException, report: traceback.TracebackException) -> bool:
    text = "".join(cause.format_exception_only()).partition(": ")[2].strip()
    own = any(is_performer_file(frame.filename) for frame in cause.stack)
    return bool(text) and not own and text in "".join(report.format_exception_only())


def _code_points(filename: str, line: int, byte_column: int) -> int:
    # Python counts columns in UTF-8 bytes; an editor counts characters.
    text = linecache.getline(filename, line)
    return len(text.encode("utf-8")[:byte_column].decode("utf-8", "ignore")) if text else byte_column


def _editor_column(filename: str, line: int | None, column: int | None) -> int | None:
    # The block ran dedented: put back what was taken from the front of its lines.
    if column is None or line is None:
        return column
    return column + _INDENT.get((filename, line), 0)


def _frame_column(tb: TracebackType) -> int | None:
    positions = getattr(tb.tb_frame.f_code, "co_positions", None)  # Python 3.11+
    if positions is None or tb.tb_lasti < 0:
        return None
    try:
        column = list(positions())[tb.tb_lasti // 2][2]
    except (IndexError, TypeError):
        return None
    if column is None:
        return None
    return _code_points(tb.tb_frame.f_code.co_filename, tb.tb_lineno, column)


def error_location(error: BaseException) -> tuple[str | None, int | None, int | None]:
    """(file, 1-based line, 0-based column) where the performer's code went wrong; Nones when unknown.

    A SyntaxError is where Python found it; any other error is the deepest
    frame of the performer's code, or, when the error came from a pattern
    played later, the first of its cause.
    """
    if isinstance(error, SyntaxError) and error.filename and is_performer_file(error.filename):
        column = None if error.offset is None else max(0, error.offset - 1)
        return error.filename, error.lineno, _editor_column(error.filename, error.lineno, column)
    for candidate in (error, error.__cause__, error.__context__):
        if candidate is None:
            continue
        found = None
        tb = candidate.__traceback__
        while tb is not None:
            if is_performer_file(tb.tb_frame.f_code.co_filename):
                found = tb
            tb = tb.tb_next
        if found is not None:
            filename = found.tb_frame.f_code.co_filename
            return filename, found.tb_lineno, _editor_column(filename, found.tb_lineno, _frame_column(found))
    return None, None, None
