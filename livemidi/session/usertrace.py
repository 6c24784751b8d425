"""Tracebacks of the performer's code, without livemidi's own frames.

When a pattern file raises, the performer needs what Python would show them
(their file, the line, its text, the error), not the frames of the pattern
engine or the session that ran their code: those say nothing they can act on.
`user_traceback` formats an error as Python would, with every frame inside the
livemidi package left out; `source_frame` is a frame for a line of their file
that livemidi ran later (a pattern's trial happens after the line that
assigned it has run).

`remember_source` puts the text of a file that is about to run into
`linecache`, so that a traceback shows the lines as they were run, even if the
file is saved again in the meantime (``--watch``).
"""

from __future__ import annotations

import linecache
import os
import traceback
from pathlib import Path

__all__ = ["remember_source", "source_frame", "user_line", "user_traceback"]

_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep  # .../livemidi/


def _ours(filename: str) -> bool:
    try:
        return str(Path(filename).resolve()).startswith(_PACKAGE)
    except (OSError, ValueError):
        return False


def remember_source(filename: str, source: str) -> None:
    """Keep `source` as the text of `filename` for tracebacks (the file on disk may change)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)


def source_frame(filename: str, line: int, name: str = "<module>") -> traceback.FrameSummary:
    """A frame for `line` of `filename`, with its text, as a traceback shows it."""
    return traceback.FrameSummary(filename, line, name, lookup_line=True)


def _strip(report: traceback.TracebackException | None, seen: set[int]) -> None:
    # The cause and the context are reports of their own: each loses livemidi's frames too.
    while report is not None and id(report) not in seen:
        seen.add(id(report))
        report.stack = traceback.StackSummary.from_list([f for f in report.stack if not _ours(f.filename)])
        _strip(report.__cause__, seen)
        report = report.__context__


def user_traceback(error: BaseException, first: traceback.FrameSummary | None = None) -> str:
    """`error` formatted as Python prints it, without livemidi's frames; `first` goes before the others."""
    report = traceback.TracebackException.from_exception(error)
    _strip(report, set())
    if first is not None:
        report.stack = traceback.StackSummary.from_list([first, *report.stack])
    return "".join(report.format())


def user_line(error: BaseException, filename: str) -> int | None:
    """The line of `filename` where `error` happened (the deepest frame there), or None."""
    if isinstance(error, SyntaxError) and error.filename == filename:
        return error.lineno
    line = None
    for frame, number in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename:
            line = number
    return line
