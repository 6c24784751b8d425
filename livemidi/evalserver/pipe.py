"""``livemidi --pipe``: blocks from stdin, separated by blank lines; answers on stdout.

For drivers that write code to a REPL's stdin (flok-repl, an editor's
"send to terminal"). A blank line ends a block, as in Python's own REPL; a
block whose brackets are still open goes on past it. A driver that sends a
block without a blank line after it is served too: when no more text comes
for `PAUSE` seconds and what came is complete (as the REPL's Enter judges:
no open bracket, no block statement still open), it runs.

What a block prints, the repr of its final expression and an error's
traceback all go to stdout (flok-repl shows stdout), as the REPL prints
them. End of input runs what is left, then ends: the caller closes the
session, and every note ends.

Misuse: a blank line inside a function body ends the block there, as it
does in the Python REPL; leave blank lines out of a block, or put a comment
line in their place.
"""

from __future__ import annotations

import ast
import queue
import threading
from typing import TextIO

from .blocks import is_complete
from .evaluator import Evaluator

__all__ = ["PAUSE", "run_pipe"]

PAUSE = 0.1  # seconds of quiet after which a complete block runs without a blank line
_END = None


def _open_brackets(text: str) -> bool:
    # An open bracket (or a string) at a blank line: the block goes on.
    try:
        ast.parse(text)
    except SyntaxError as error:
        return any(part in str(error.msg) for part in ("was never closed", "unexpected EOF", "unterminated triple"))
    return False


def _lines(stdin: TextIO, lines: queue.SimpleQueue) -> None:
    try:
        for line in iter(stdin.readline, ""):
            lines.put(line)
    except (OSError, ValueError):
        pass  # stdin closed under us: the end, as an EOF
    finally:
        lines.put(_END)


def run_pipe(evaluator: Evaluator, stdin: TextIO, stdout: TextIO, pause: float = PAUSE) -> int:
    """Run every block from `stdin` until its end; returns 0."""
    block: list[str] = []
    first = 1  # the stdin line of the block's first line: a traceback says where in the stream
    number = 0

    def run() -> None:
        text = "".join(block)
        block.clear()
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

    lines: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_lines, args=(stdin, lines), name="livemidi pipe input", daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=pause) if block else lines.get()
        except queue.Empty:  # quiet: a complete block runs without waiting for its blank line
            if is_complete("".join(block)):
                run()
            continue
        if line is _END:
            run()
            return 0
        number += 1
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block and not _open_brackets("".join(block)):
            run()
        elif block:
            block.append(line)
