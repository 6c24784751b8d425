"""What a block printed, kept for its answer, while every other thread prints as before.

An editor's block runs in the evaluator's thread while the REPL's prompt,
the monitor and the session's notices print from theirs. `Captured` puts a
proxy in front of ``sys.stdout`` and ``sys.stderr`` for as long as some
block is captured: what the capturing thread writes is kept (up to
`MAX_OUTPUT` characters, then a note of how much more there was); what any
other thread writes goes where it went before. The proxies leave when the
last capture ends, unless something else replaced them in the meantime (the
REPL's `patch_stdout`), which is then left alone.

Misuse: a capture belongs to the thread that started it; start and stop it
in that thread.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

__all__ = ["MAX_OUTPUT", "Captured"]

MAX_OUTPUT = 256 * 1024  # characters of a block's output kept for its answer

_lock = threading.Lock()
_buffers: dict[int, Captured] = {}  # thread ident -> its capture


class _Proxy:
    """Stands in for a stream: the capturing threads' writes are kept, the others' go through."""

    def __init__(self, wrapped: TextIO) -> None:
        self._wrapped = wrapped

    def write(self, text: str) -> int:
        captured = _buffers.get(threading.get_ident())
        if captured is None:
            return self._wrapped.write(text)
        captured.add(text)
        return len(text)

    def flush(self) -> None:
        if threading.get_ident() not in _buffers:
            self._wrapped.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


class Captured:
    """``with Captured() as out: ...`` keeps what this thread prints; ``out.text()`` is it."""

    def __init__(self, limit: int = MAX_OUTPUT) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._lost = 0
        self._limit = limit

    def add(self, text: str) -> None:
        room = self._limit - self._size
        if room <= 0:
            self._lost += len(text)
            return
        kept = text[:room]
        self._parts.append(kept)
        self._size += len(kept)
        self._lost += len(text) - len(kept)

    def text(self) -> str:
        more = f"\n[... {self._lost} more characters of output not kept]\n" if self._lost else ""
        return "".join(self._parts) + more

    def __enter__(self) -> Captured:
        with _lock:
            if not _buffers:
                if not isinstance(sys.stdout, _Proxy):
                    sys.stdout = _Proxy(sys.stdout)
                if not isinstance(sys.stderr, _Proxy):
                    sys.stderr = _Proxy(sys.stderr)
            _buffers[threading.get_ident()] = self
        return self

    def __exit__(self, *exc: Any) -> None:
        with _lock:
            _buffers.pop(threading.get_ident(), None)
            if not _buffers:
                if isinstance(sys.stdout, _Proxy):
                    sys.stdout = sys.stdout._wrapped
                if isinstance(sys.stderr, _Proxy):
                    sys.stderr = sys.stderr._wrapped
