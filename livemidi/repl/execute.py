"""Running the performer's code: one chunk at a time, in one namespace, never stopping the music.

Each chunk of code gets a name of its own (``<in 3>``) and its text is put in
`linecache`, so a traceback shows the performer's own lines. A traceback is
cut down to the frames of the performer's code (the frames inside livemidi
say nothing to them), then the error itself. A final expression's value is
printed, as in the Python REPL. The code is compiled with
`livemidi.mini.code.parse_located`, so the events of its mini-notation know
where in the chunk they were written (`livemidi.pattern.locations`).
"""

from __future__ import annotations

import ast
import linecache
import traceback
from collections.abc import Callable

from ..mini.code import parse_located

__all__ = ["Executor", "is_complete"]


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


class Executor:
    """Runs chunks of code in `namespace`; `write(text)` prints results and errors."""

    def __init__(
        self,
        namespace: dict,
        write: Callable[[str], None] | None = None,
        on_success: Callable[[str], None] | None = None,
    ) -> None:
        self.namespace = namespace
        self.write = write or (lambda text: print(text, end=""))
        self.on_success = on_success  # told each chunk that ran without an error (the recorder marks it)
        self.count = 0

    def run(self, text: str) -> bool:
        """Run one chunk; returns False if it raised (the error was printed)."""
        if not text.strip():
            return True
        self.count += 1
        filename = f"<in {self.count}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
        try:
            tree = parse_located(text, filename, "exec")
            last = tree.body[-1] if tree.body else None
            if isinstance(last, ast.Expr):
                body = ast.Module(body=tree.body[:-1], type_ignores=[])
                exec(compile(body, filename, "exec"), self.namespace)
                value = eval(compile(ast.Expression(last.value), filename, "eval"), self.namespace)
                if value is not None:
                    self.namespace["_"] = value
                    self.write(repr(value) + "\n")
            else:
                exec(compile(tree, filename, "exec"), self.namespace)
        except SystemExit:
            raise
        except BaseException as error:  # KeyboardInterrupt in user code included: report, go on
            self.write(self.format_error(error))
            return False
        if self.on_success is not None:
            try:
                self.on_success(text)
            except Exception as error:
                self.write(f"(could not note this in the recording: {error})\n")
        return True

    @staticmethod
    def format_error(error: BaseException) -> str:
        """A short traceback: only the performer's frames, then the error (and its cause, if any)."""
        report = traceback.TracebackException.from_exception(error, limit=None)
        lines: list[str] = []
        for part in _chain(report):
            frames = [frame for frame in part.stack if frame.filename.startswith("<in ")]
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
    own = any(frame.filename.startswith("<in ") for frame in cause.stack)
    return bool(text) and not own and text in "".join(report.format_exception_only())
