"""The live REPL: a prompt_toolkit prompt over a running session.

Standard prompt_toolkit (see ../shared/STYLE.md): a `PromptSession` with
Python highlighting (pygments), history kept across sessions, completion,
a bottom toolbar refreshed four times a second, and `patch_stdout` so that
what the background prints (errors from a loop, the monitor's notes) goes
above the prompt instead of through it.

The performer's code runs in this thread, between prompts. The music does
not wait for it: the lookahead thread works 100 ms ahead and the timed
sender is another process. Ctrl-C drops the line (or stops the performer's
code if it is running); Ctrl-D quits, and whoever started the session then
closes it, which ends every note.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout
from pygments.lexers.python import PythonLexer

from .._version import __version__
from ..evalserver import EvalServer
from ..evalserver.notice import eval_notice
from ..session import Session, namespace
from .bindings import load_live_bindings
from .completion import LiveCompleter
from .execute import Executor
from .toolbar import toolbar_text

__all__ = ["default_history_path", "run_repl"]


def default_history_path() -> Path:
    """``$XDG_DATA_HOME/livemidi/history`` (``~/.local/share/livemidi/history``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "livemidi" / "history"


def _history(path: Path | None) -> History:
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()  # a read-only home must not stop the music


def _monitor(session: Session, say):
    """A listener that prints what the sender sent (for the built-in monitor output)."""

    def monitor(records) -> None:
        for sent in records:
            try:
                where = str(session.tempo_map.position(sent.time))
            except Exception:
                where = "-"
            say(f"♪ {where:>6}  {sent.describe()}\n")

    return monitor


def banner(session: Session, server: EvalServer | None = None) -> str:
    outputs = ", ".join(session.outputs) or "none"
    editors = f"Editors: 127.0.0.1:{server.port} (livemidi send, docs/editors.md).\n" if server is not None else ""
    return (
        f"livemidi {__version__} — outputs: {outputs}\n"
        "p.name = pattern plays a loop from the next bar; del p.name stops it.\n"
        "tempo(bpm), mute/unmute/solo(name), hush(), panic(); F8 hush, F9 panic; Ctrl-D quits.\n"
        f"{editors}"
    )


async def repl(
    session: Session,
    *,
    monitor: bool = False,
    history_path: Path | None = None,
    input=None,
    output=None,
    write=None,
    server: EvalServer | None = None,
) -> int:
    """Run the prompt until Ctrl-D; returns the exit status. Does not close the session.

    `input`/`output` replace the terminal (prompt_toolkit's pipe input and
    DummyOutput in tests); `write(text)`, if given, receives everything the
    REPL prints instead of stdout. `server`: the session's eval server; the
    REPL then runs its code in the server's namespace, taking turns with the
    editors' blocks, and prints a line for each of theirs.
    """
    say = write or (lambda text: print(text, end="", flush=True))
    names = server.evaluator.namespace if server is not None else namespace(session)
    executor = Executor(names, write=say, on_success=session.note_code,
                        evaluator=server.evaluator if server is not None else None)
    session.on_notice = lambda text: say(f"! {text}\n")
    if server is not None:
        server.watch_notices()
        server.on_eval = lambda source, line, outcome: say(eval_notice(source, line, outcome) + "\n")
    bindings = load_live_bindings(session.hush, session.panic, lambda text: say(text + "\n"))
    prompt = PromptSession(
        message=">>> ",
        multiline=True,
        prompt_continuation=lambda width, line_number, is_soft_wrap: "... ".rjust(width),
        lexer=PygmentsLexer(PythonLexer),
        bottom_toolbar=lambda: toolbar_text(session, recording=session.recording, monitor=monitor),
        refresh_interval=0.25,
        history=_history(history_path),
        completer=LiveCompleter(names, session),
        key_bindings=bindings,
        input=input,
        output=output,
    )
    with patch_stdout(raw=True) if write is None else contextlib.nullcontext():
        say(banner(session, server))
        watcher = _monitor(session, say) if monitor else None
        if watcher is not None:
            session.add_listener(watcher)
        try:
            while True:
                try:
                    text = await prompt.prompt_async()
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                executor.run(text)
        finally:
            if watcher is not None:
                session.remove_listener(watcher)
    return 0


def run_repl(session: Session, **options) -> int:
    """`repl` in a new event loop (see there for the options)."""
    return asyncio.run(repl(session, **options))
