"""What the performer's code sees: the REPL's globals and a pattern file's.

Every public pattern function (`livemidi.pattern`), and the session's
commands as plain functions::

    p.bass = note("c2 ~ c2 [~ c3]").ch(1)   # a loop; swaps at the next bar
    del p.bass                              # stop it (at the next bar)
    tempo(128); quantize("beat")
    budget(events=10000)                    # what each loop may cost per bar (events, share of its time)
    mute("bass"); unmute("bass"); solo("drums"); unsolo()
    hush(); panic(); stop(); resume(); start()
    record("take1.mid"); stop_record()      # the session journal
    listen("Keyboard"); p.riff = capture(2) # the last two bars played, as a loop
    play("lead", pattern, at="now", channel=2, port="synth")
    offset("synth", -12)                    # play that output 12 ms earlier (latency); offset() reads
    where()                                 # '3.2 at 128 BPM'
    p.keys = load("piece.mid", track="Right Hand")   # a .mid file as a loop
    show(p.keys, bars=4); show("groove.mid") # a piano roll (events=True: the event list)
    link(); link(False)                     # join / leave the Ableton Link session
    clock_in("IAC Bus 2"); clock_in(None)   # follow a MIDI clock (tempo, start/stop, position) / stop
    clock_out("synth"); clock_out()         # send MIDI clock to an output / stop
    add_input("nanoKONTROL")                # a MIDI input for knob(21), held(), on_note(...) (inputs.py)

`commands(session)` is that table of commands; `namespace(session)` adds
the pattern functions, `p`, `session`, `Fraction`, and `load`, `show` and
`roll` (from `loadmid` and `roll`). The REPL's `show` prints a piano roll;
the pattern module's text display is ``show(x, events=True)``, or
``print(x.show())`` on a pattern.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .. import pattern as _pattern
from .budget import Budget
from .inputs import input_functions
from .loadmid import load
from .roll import roll, show
from .session import Session

__all__ = ["commands", "namespace"]


def commands(session: Session) -> dict[str, Any]:
    """The session's commands as functions, by the names the performer types."""

    def quantize(value: Any = None) -> Any:
        """Set where swaps happen ('bar', 'beat', 'now' or a number of cycles); return it."""
        if value is not None:
            session._check_quantize(value)
            session.quantize = value
        return session.quantize

    def budget(events: int | None = None, share: float | None = None) -> Budget:
        """Set what each loop may cost per bar (events computed, share of the bar's time); return it."""
        if events is not None or share is not None:
            old = session.budget
            session.budget = Budget(old.events if events is None else events, old.share if share is None else share)
        return session.budget

    def where() -> str:
        """The position and tempo, e.g. '3.2 at 128 BPM'."""
        status = session.status()
        state = "" if status.running else " (stopped)"
        return f"{status.position} at {float(status.bpm):g} BPM{state}"

    table = {
        "play": session.play,
        "stop_loop": session.stop_loop,
        "tempo": session.tempo,
        "quantize": quantize,
        "budget": budget,
        "mute": session.mute,
        "unmute": session.unmute,
        "solo": session.solo,
        "unsolo": session.unsolo,
        "hush": session.hush,
        "panic": session.panic,
        "start": session.start,
        "stop": session.stop,
        "resume": session.resume,
        "where": where,
        "record": session.record,
        "stop_record": session.stop_record,
        "listen": session.listen,
        "capture": session.capture,
        "link": session.link,
        "clock_in": session.clock_in,
        "clock_out": session.clock_out,
        "offset": session.offset,
    }
    return table


def namespace(session: Session) -> dict[str, Any]:
    """A fresh globals dict for the performer's code."""
    names: dict[str, Any] = {"__name__": "__livemidi__", "__builtins__": __builtins__}
    for name in _pattern.__all__:
        names[name] = getattr(_pattern, name)
    names.update(commands(session))
    names.update(input_functions(session))  # knob, held, held_root, on_note read the session's inputs
    names["p"] = session.p
    names["session"] = session
    names["Fraction"] = Fraction
    names["load"] = load
    names["roll"] = roll
    names["show"] = show  # the piano roll; replaces the pattern module's text `show`
    return names
