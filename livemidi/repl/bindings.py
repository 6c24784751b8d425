"""Key bindings of the live REPL, merged over prompt_toolkit's defaults.

- Enter: run the code when it is complete (see `execute.is_complete`), else a new line
- Escape Enter (Alt-Enter): run it now, complete or not
- F8: hush (every loop stops, sounding notes end)
- F9: panic (hush, then every note off on every channel, controllers reset)
- Ctrl-C: drop the line being typed (the music goes on); Ctrl-D on an empty line: quit
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.key_binding import KeyBindings

from .execute import is_complete

__all__ = ["load_live_bindings"]


def load_live_bindings(hush: Callable[[], None], panic: Callable[[], None], say: Callable[[str], None]) -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event) -> None:
        buffer = event.current_buffer
        if buffer.document.is_cursor_at_the_end and is_complete(buffer.text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")
            _indent(buffer)

    @bindings.add("escape", "enter")
    def _run_now(event) -> None:
        event.current_buffer.validate_and_handle()

    @bindings.add("f8")
    def _hush(event) -> None:
        hush()
        say("hush: every loop stopped")

    @bindings.add("f9")
    def _panic(event) -> None:
        panic()
        say("panic: every note off, controllers reset")

    return bindings


def _indent(buffer) -> None:
    # Keep the indentation of the line before, one level more after a colon.
    lines = buffer.document.text_before_cursor.split("\n")
    previous = lines[-2] if len(lines) > 1 else ""
    indent = previous[: len(previous) - len(previous.lstrip())]
    if previous.rstrip().endswith(":"):
        indent += "    "
    buffer.insert_text(indent)
