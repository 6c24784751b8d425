"""Live sessions: named loops on the clock, swaps at bar lines, mute/solo/hush/panic.

::

    from livemidi.session import Session
    from livemidi.pattern import note

    with Session(bpm=124) as session:
        session.add_output("livemidi", virtual=True)
        session.p.bass = note("c2 ~ c2 [~ c3]").ch(1)
        session.start()
        ...

`namespace(session)` builds what the REPL and pattern files see.
"""

from __future__ import annotations

from .budget import Budget
from .loops import Loop, Loops
from .namespace import namespace
from .session import TRIAL_CYCLES, LoopState, PatternError, Session, SessionStatus

__all__ = ["Budget", "Loop", "LoopState", "Loops", "PatternError", "Session", "SessionStatus", "TRIAL_CYCLES", "namespace"]
