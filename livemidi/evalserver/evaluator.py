"""Where blocks run: one namespace, one block at a time, each one interruptible from another thread.

The REPL runs its blocks in its own thread (`Evaluator.run`); editors' blocks
are queued (`submit`) and run, in arrival order, in the evaluator's thread.
A lock makes them take turns, so a block never sees another one half done.

`interrupt` stops the block that runs now, whichever thread runs it: an
`Interrupt` exception is raised in that thread (CPython's
``PyThreadState_SetAsyncExc``) at its next bytecode, which ends a loop that
never ends. It is asked for only while the block runs its own lines (or code
they call that is not livemidi's), never halfway through a livemidi call.
CPython 3.10 and 3.11 raise it in those lines; 3.12 and later raise it where
the interpreter next checks, which may be the first instruction of the
livemidi call the block makes next: none of that call has run. `Interrupt` is a BaseException, so ``except Exception`` in the
performer's code does not swallow it. The exception is armed only while the
block runs and disarmed, if it has not yet been raised, as the block ends:
it never lands in the REPL or in the evaluator's own loop.

Limits, as with Ctrl-C: a block blocked inside one long C call (a
``time.sleep(60)``) is interrupted when that call returns; an interrupt that
lands in the middle of livemidi's own code leaves that code as an
exception would.
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .blocks import NO_VALUE, error_location, execute, format_error, is_performer_file
from .capture import Captured

__all__ = ["Evaluator", "Interrupt", "MAX_VALUE", "Outcome"]

MAX_VALUE = 64 * 1024  # characters of a final expression's repr kept for the answer
UNSAFE_WAIT = 2.0  # seconds an interrupt waits for a block to leave livemidi's code before it cuts in anyway
_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep  # .../livemidi/

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
# The exception as an address (c_void_p): None passes NULL, which drops a pending one.
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.c_void_p)
_set_async_exc.restype = ctypes.c_int


def _interruptible(ident: int) -> bool:
    # From the innermost frame out to the performer's: no frame of livemidi's on the way.
    frame = sys._current_frames().get(ident)
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_performer_file(filename):
            return True
        if filename.startswith(_PACKAGE):
            return False
        frame = frame.f_back
    return True


class Interrupt(BaseException):
    """Raised inside a running block to stop it (hush, stop or interrupt from a client)."""


@dataclass
class Outcome:
    """How a block went: ``ok``, what it printed, the repr of its value; or the error, told for an editor."""

    ok: bool
    output: str = ""
    value: str | None = None
    interrupted: str | None = None  # why it was interrupted ("hush", "stop"...), or None
    error_type: str | None = None
    message: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    traceback: str = ""

    def as_result(self) -> dict[str, Any]:
        """The answer's fields: the result when ok, else the "error" object (kind "code" or "interrupted")."""
        if self.ok:
            return {"output": self.output, "value": self.value}
        if self.interrupted is not None:
            return {"kind": "interrupted", "message": self.message, "output": self.output}
        return {
            "kind": "code", "message": self.message, "type": self.error_type, "file": self.file,
            "line": self.line, "column": self.column, "traceback": self.traceback, "output": self.output,
        }  # fmt: skip


def _repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + f"... [{len(text) - MAX_VALUE} more characters]"


def _failed(error: BaseException, output: str = "") -> Outcome:
    file, line, column = error_location(error)
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return Outcome(
        False, output, error_type=type(error).__name__, message=message, file=file, line=line, column=column,
        traceback=format_error(error),
    )  # fmt: skip


class Evaluator:
    """Runs blocks in `namespace`, one at a time; `on_success(text)` hears each block that ran without error."""

    def __init__(self, namespace: dict, *, on_success: Callable[[str], None] | None = None) -> None:
        self.namespace = namespace
        self.on_success = on_success
        self._turn = threading.Lock()  # held by the block that runs now
        self._state = threading.Lock()  # guards what follows
        self._target: int | None = None  # the thread of the running block, while an interrupt may be armed
        self._why: str | None = None
        self._idle = threading.Condition(self._state)
        self._running = False
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pending = 0
        self._worker: threading.Thread | None = None
        self._closed = False

    # -- running --------------------------------------------------------------------------

    def run(self, text: str, filename: str, line: int = 1, *, capture: bool = False, exits: bool = False) -> Outcome:
        """Run one block in this thread, after the block before it; its outcome (never raises for its code).

        `capture` keeps what the block prints for the outcome instead of
        letting it through. `exits`: a SystemExit (``exit()``) is raised
        here (the REPL quits); else it is an error like any other. Ctrl-C
        while waiting for another block raises KeyboardInterrupt here,
        having interrupted that block.
        """
        try:
            self._turn.acquire()
        except KeyboardInterrupt:
            self.interrupt("Ctrl-C")
            raise
        try:
            with self._state:
                self._running = True
            out = Captured() if capture else None
            if out is not None:
                out.__enter__()
            try:
                outcome = self._guarded(text, filename, line, exits)
            finally:
                if out is not None:
                    out.__exit__(None, None, None)
            if out is not None:
                outcome.output = out.text()
        finally:
            with self._state:
                self._running = False
                self._idle.notify_all()
            self._turn.release()
        if outcome.ok and self.on_success is not None:
            try:
                self.on_success(text)
            except Exception as error:
                outcome.output += f"(could not note this in the recording: {error})\n"
        return outcome

    def _guarded(self, text: str, filename: str, line: int, exits: bool) -> Outcome:
        ident = threading.get_ident()
        try:
            try:
                with self._state:
                    self._target, self._why = ident, None
                value = execute(text, self.namespace, filename, line)
                shown = None
                if value is not NO_VALUE and value is not None:
                    self.namespace["_"] = value
                    shown = _repr(value)  # a __repr__ may loop too: still interruptible
                return Outcome(True, value=shown)
            finally:
                self._disarm(ident)
        except Interrupt:
            while True:  # raised inside `_disarm` before it was done: disarm again
                try:
                    self._disarm(ident)
                    break
                except Interrupt:
                    continue
            why = self._why or "an interrupt"
            return Outcome(False, interrupted=why, message=f"interrupted by {why}")
        except SystemExit as error:
            if exits:
                raise
            return _failed(error)  # exit() from an editor must not end the session
        except BaseException as error:  # KeyboardInterrupt in the performer's code included: told, not raised
            return _failed(error)

    def _disarm(self, ident: int) -> None:
        with self._state:
            self._target = None
            _set_async_exc(ident, None)  # drops one that was asked for but not yet raised

    def interrupt(self, why: str = "interrupt") -> bool:
        """Stop the block that runs now (any thread's); False when none runs (or it ended meanwhile).

        The exception is raised only while the block is in its own lines (or
        in code they called that is not livemidi's): one raised halfway
        through a livemidi call could leave a message to the sender half
        written. A block inside livemidi is waited for, every millisecond, up
        to `UNSAFE_WAIT` seconds, then interrupted anyway.
        """
        deadline = time.monotonic() + UNSAFE_WAIT
        while True:
            with self._state:
                if self._target is None:
                    return False
                if _interruptible(self._target) or time.monotonic() > deadline:
                    self._why = why
                    # Set while this thread holds the GIL (a PyDLL call keeps it): the block
                    # cannot move on between the look at its stack and the exception.
                    _set_async_exc(self._target, id(Interrupt))  # the class lives as long as the module
                    return True
            time.sleep(0.001)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no block runs (up to `timeout` seconds); True if none does."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the blocks back while something else changes the session (``run --watch`` reloads its file)."""
        with self._turn:
            yield

    @property
    def busy(self) -> bool:
        """True while a block runs."""
        return self._running

    # -- the editors' queue ---------------------------------------------------------------

    def submit(self, text: str, filename: str, line: int, done: Callable[[Outcome], None]) -> None:
        """Queue a block for the evaluator's thread; `done(outcome)` is called from it when it has run."""
        with self._state:
            if self._closed:
                raise RuntimeError("the evaluator is closed")
            self._pending += 1
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="livemidi eval", daemon=True)
                self._worker.start()
        self._queue.put((text, filename, line, done))

    def cancel_pending(self, why: str) -> int:
        """Answer every queued block "interrupted" without running it; how many there were."""
        cancelled = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return cancelled
            if item is None:
                self._queue.put(None)  # closing: leave the worker its end mark
                return cancelled
            self._settle(item, Outcome(False, interrupted=why, message=f"interrupted by {why} before it ran"))
            cancelled += 1

    def _settle(self, item: tuple, outcome: Outcome) -> None:
        with self._state:
            self._pending -= 1
        try:
            item[3](outcome)
        except Exception:
            pass  # a client gone away: its answer has nowhere to go

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            text, filename, line, _done = item
            self._settle(item, self.run(text, filename, line, capture=True))

    @property
    def pending(self) -> int:
        """Blocks queued or running for editors."""
        return self._pending

    def close(self, why: str = "the session's end") -> None:
        """Answer what is queued "interrupted", interrupt what runs, and let the thread go."""
        with self._state:
            self._closed = True
        self.cancel_pending(why)
        self._queue.put(None)
        self.interrupt(why)
