"""The bottom toolbar: where the music is, what plays, what went wrong — always current.

``3.2 │ 124 BPM ▶ │ bass ● drums ○ lead ↻ │ → livemidi (-12 ms) │ rec off │ late 0 │ F8 hush  F9 panic``

Following Ableton Link or a MIDI clock adds what it says after the tempo
(``124 BPM ▶ Link 2 peers``); outputs that get MIDI clock are marked ``⏱``.

● playing, ○ muted (or silent under solo), ↻ a change waits for the next bar,
· stopped. An output with a latency offset shows it in brackets (negative:
earlier). The late count is how many events the sender had to send late
(``late 3 (machine 2)``: two of them because the machine did not run it in
time). ``skipped 1×`` appears once the clock did not run in time and skipped
music rather than play it late (`livemidi.session.stalls`).
While patterns read a MIDI input (`knob`, `held`, `on_note`) it shows
after the outputs, with the latency of what is played on it (the lookahead):
``│ in nanoKONTROL ≤100 ms``.
"""

from __future__ import annotations

from typing import Any

from ..session import Session

__all__ = ["toolbar_text"]

_MARKS = {"playing": "●", "muted": "○", "silent (solo)": "○", "pending": "↻", "stopped": "·"}


def toolbar_text(session: Session, *, recording: Any = None, monitor: bool = False) -> str:
    """The toolbar as plain text (prompt_toolkit shows it in reverse video)."""
    try:
        status = session.status()
    except Exception as error:  # the toolbar must never take the REPL down
        return f" livemidi: status unavailable ({error})"
    transport = "▶" if status.running else "■"
    loops = " ".join(f"{loop.name} {_MARKS.get(loop.state, '?')}" for loop in status.loops) or "no loops"
    offsets = status.offsets or (0.0,) * len(status.outputs)
    outputs = ", ".join(
        (f"{name} ({ms:+g} ms)" if ms else name) + (" ⏱" if name in status.clock_out else "")
        for name, ms in zip(status.outputs, offsets)
    ) or "no output"
    if monitor:
        outputs += " (monitor)"
    record = f"rec {recording}" if recording else "rec off"
    errors = f" │ errors {status.errors}" if status.errors else ""
    late = f"{status.late} (machine {status.late_machine})" if status.late_machine else f"{status.late}"
    skipped = f" │ skipped {status.stalls}×" if status.stalls else ""
    sync = f" {status.sync}" if status.sync else ""
    inputs = getattr(session, "inputs", None)
    read = inputs.describe() if inputs is not None else ""  # the inputs patterns read, and their latency
    outputs += f" │ {read}" if read else ""
    return (
        f" {status.position} │ {float(status.bpm):g} BPM {transport}{sync} │ {loops} │ → {outputs} │ {record}"
        f" │ late {late}{skipped}{errors} │ F8 hush  F9 panic"
    )
