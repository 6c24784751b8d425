"""Running the performer's code: one chunk at a time, in one namespace, never stopping the music.

Each chunk of code gets a name of its own (``<in 3>``) and its text is put in
`linecache`, so a traceback shows the performer's own lines. A traceback is
cut down to the frames of the performer's code (the frames inside livemidi
say nothing to them), then the error itself. A final expression's value is
printed, as in the Python REPL. How a chunk runs is `livemidi.evalserver`'s
(blocks, evaluator), shared with the editors' blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..evalserver.blocks import format_error, is_complete
from ..evalserver.evaluator import Evaluator

__all__ = ["Executor", "is_complete"]


class Executor:
    """Runs chunks of code in `namespace`; `write(text)` prints results and errors.

    The chunks run through an `Evaluator` (given, or made for `namespace`):
    the eval server's, when one runs, so the REPL's blocks and the editors'
    take turns, and a hush from an editor interrupts a REPL block that loops.
    """

    def __init__(
        self,
        namespace: dict,
        write: Callable[[str], None] | None = None,
        on_success: Callable[[str], None] | None = None,
        evaluator: Evaluator | None = None,
    ) -> None:
        self.namespace = namespace
        self.write = write or (lambda text: print(text, end=""))
        self.evaluator = evaluator if evaluator is not None else Evaluator(namespace, on_success=on_success)
        if evaluator is not None and on_success is not None:
            self.evaluator.on_success = on_success  # told each chunk that ran without an error (the recorder marks it)
        self.count = 0

    def run(self, text: str) -> bool:
        """Run one chunk; returns False if it raised (the error was printed)."""
        if not text.strip():
            return True
        self.count += 1
        try:
            outcome = self.evaluator.run(text, f"<in {self.count}>", 1, exits=True)
        except KeyboardInterrupt:  # Ctrl-C while an editor's block ran: that block was interrupted
            self.write("KeyboardInterrupt (an editor's block was running; it was interrupted, this one not run)\n")
            return False
        if outcome.ok:
            if outcome.value is not None:
                self.write(outcome.value + "\n")
            if outcome.output:
                self.write(outcome.output)
            return True
        if outcome.interrupted is not None:
            self.write(f"Interrupted ({outcome.interrupted})\n")
        else:
            self.write(outcome.traceback)
        return False

    @staticmethod
    def format_error(error: BaseException) -> str:
        """A short traceback: only the performer's frames, then the error (and its cause, if any)."""
        return format_error(error)
