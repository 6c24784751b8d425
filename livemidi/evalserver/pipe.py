"""``livemidi --pipe``: blocks from stdin, separated by blank lines; answers on stdout.

For drivers that write code to a REPL's stdin (flok-repl, an editor's
"send to terminal"). A blank line ends a block, as in Python's own REPL;
a block whose brackets are still open goes on past it. What a block prints,
the repr of its final expression and an error's traceback all go to stdout
(flok-repl shows stdout), as the REPL prints them. End of input runs what
is left, then ends: the caller closes the session, and every note ends.

Misuse: a blank line inside a function body ends the block there, as it
does in the Python REPL; leave blank lines out of a block, or put a comment
line in their place.
"""

from __future__ import annotations

import ast
from typing import TextIO

from .evaluator import Evaluator

__all__ = ["run_pipe"]


def _open_brackets(text: str) -> bool:
    # An open bracket (or a string) at a blank line: the block goes on.
    try:
        ast.parse(text)
    except SyntaxError as error:
        return any(part in str(error.msg) for part in ("was never closed", "unexpected EOF", "unterminated triple"))
    return False


def run_pipe(evaluator: Evaluator, stdin: TextIO, stdout: TextIO) -> int:
    """Run every block from `stdin` until its end; returns 0."""
    block: list[str] = []
    first = 1  # the stdin line of the block's first line: a traceback says where in the stream
    number = 0

    def run() -> None:
        text = "".join(block)
        if not text.strip():
            return
        outcome = evaluator.run(text, "<stdin>", first)
        if outcome.ok:
            if outcome.output:
                stdout.write(outcome.output)
            if outcome.value is not None:
                stdout.write(outcome.value + "\n")
        elif outcome.interrupted is not None:
            stdout.write(f"Interrupted ({outcome.interrupted})\n")
        else:
            stdout.write(outcome.traceback)
        stdout.flush()

    for line in iter(stdin.readline, ""):
        number += 1
        if line.strip():
            if not block:
                first = number
            block.append(line)
            continue
        if block and not _open_brackets("".join(block)):
            run()
            block = []
        elif block:
            block.append(line)
    run()
    return 0
