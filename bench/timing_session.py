"""bench/timing.py's livemidi run: a `Session` playing a pattern, stamped in the sender's write.

`run_session(case, seconds)` does what a performer does: makes a `Session`
(which starts its own timed-sender process), adds one output, sets
``p.timing = note(pattern)`` at the case's tempo and starts. The output is
bench/timingprobe.py's backend, opened in the sender process like any
backend: it stamps ``time.perf_counter()`` first thing in its ``write``.
After the run the session closes, the probe writes what it got to a file,
and each stamp is put against the ideal grid ``t0 + i × period``, where t0
is the session's time of cycle 0 and i the note's index on the grid (taken
from the deadline the sender reported for that write, which must lie on
the grid: it is checked).

Misuse: bench/ must be importable in the sender process (``PYTHONPATH``);
`run_session` sets that up, for the tree it imported livemidi from.
"""

from __future__ import annotations

import gc
import math
import os
import tempfile
import time
from fractions import Fraction

from timing_load import CpuWatch, preemptions, thread_cpu
from timingprobe import read_probe

__all__ = ["CASES", "Case", "run_session"]

HERE = os.path.dirname(os.path.abspath(__file__))
LATE = 50e-6  # the sender counts messages later than this, and why (the p99 target)


class Case:
    """One pattern at one tempo: `pattern` plays `per_cycle` notes a bar of 4 beats at `bpm`."""

    def __init__(self, name: str, pattern: str, per_cycle: int, bpm: int, isobar_ticks: int) -> None:
        self.name = name
        self.pattern = pattern
        self.per_cycle = per_cycle
        self.bpm = bpm
        self.isobar_ticks = isobar_ticks  # isobar's ticks per beat, so that a note is a whole number of ticks
        self.period = 240 / bpm / per_cycle  # seconds between notes
        self.beats = Fraction(4, per_cycle)  # a note's length in beats


CASES = {
    "16ths": Case("16ths", "c4*16", 16, 180, 480),
    "1000/s": Case("1000/s", "c4*2000", 2000, 120, 500),
}


def _sender_pythonpath(tree: str) -> None:
    parts = [tree, HERE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))


def _settle_memory() -> bool:
    """What the `livemidi` command does before it starts and once started: start-up's objects out of
    full collections."""
    try:
        from livemidi.cli.live import settle_memory
    except ImportError:  # a livemidi before issue 15 has none: collections walk everything, as it did
        return False
    settle_memory()
    return True


def run_session(case: Case, seconds: float, extra_pids: list[int] = (), witness=None) -> dict:
    """Play `case` through a Session for `seconds`; the stamps against the grid, and what it cost.

    `witness` (bench/timing_witness.py), if given, is told the grid once the session has started.
    """
    import livemidi
    from livemidi.pattern import note
    from livemidi.session import Session

    _sender_pythonpath(os.path.dirname(os.path.dirname(os.path.abspath(livemidi.__file__))))
    notices: list[str] = []
    path = os.path.join(tempfile.mkdtemp(prefix="livemidi-timing-"), "probe.bin")
    from livemidi.clock import Sender

    # The sender counts each message over LATE late, and why (woke late, held off the CPU, or its own
    # doing): a reporting threshold only, which changes nothing in when it sends.
    sender = Sender(late_threshold=LATE, on_error=lambda text: notices.append(f"sender: {text}"))
    session = Session(sender=sender, bpm=case.bpm, offsets={}, on_notice=notices.append)
    sent = []
    try:
        session.add_output("probe", virtual=True, backend="timingprobe", path=path)
        session.p.timing = note(case.pattern)
        sender = session.sender
        reader = getattr(getattr(sender, "_reader", None), "native_id", None)
        pids = [sender.pid, *extra_pids]
        watch = CpuWatch(pids)
        cpu_sender, cpu_reader = sender.stats.cpu_seconds, thread_cpu(reader)
        switched = preemptions(sender.pid)
        _settle_memory()
        collections = _CollectionWatch()
        session.start()
        settled = _settle_memory()
        t0 = session.tempo_map.time_at(0)
        if witness is not None:
            witness.grid(t0, case.period)
        end = t0 + seconds
        while time.perf_counter() < end:
            time.sleep(min(0.5, max(0.0, end - time.perf_counter())))
            # The sender's reports are kept 100,000 at most. Kept here as (deadline, data): plain tuples,
            # which the garbage collector stops tracking, so that the bench adds no collection time a
            # performer's session would not have.
            sent += [(record.deadline, record.data) for record in sender.take_sent()]
        sender.flush()
        why = _why_late(sender.stats)
        used = {
            "sender": sender.stats.cpu_seconds - cpu_sender,
            "lookahead": session.clock.cpu_seconds,
            "reader": thread_cpu(reader) - cpu_reader,
        }
        watch.stop(pids)
        collections.stop()
        after = preemptions(sender.pid)
        preempted = None if switched is None or after is None else after[0] - switched[0]
        policy = None if after is None else after[1]
        elapsed = time.perf_counter() - watch.started
        session.clock.close()
        sender.flush()
        sent += [(record.deadline, record.data) for record in sender.take_sent()]
        stalls, skipped = session.clock.stalls, session.clock.skipped
        arrived_late = getattr(sender.stats, "arrived_late", None)  # (a livemidi before issue 15 has none)
        detail = sender.realtime_detail
    finally:
        session.close()
        gc.unfreeze()
    stamps, data = read_probe(path)
    os.unlink(path)
    os.rmdir(os.path.dirname(path))
    return _against_grid(case, t0, seconds, stamps, data, sent) | {
        "cpu": {what: 100 * value / elapsed for what, value in used.items()},
        "others": watch.others, "steal": watch.steal, "stalls": stalls, "skipped": skipped, "arrived_late": arrived_late,
        "preempted": preempted, "policy_at_end": policy,
        "realtime": detail, "notices": notices, "why_late": why, "gc_max_ms": collections.longest * 1e3,
        "gc_frozen": settled,
    }  # fmt: skip


class _CollectionWatch:
    """The longest garbage collection of the main process while it is on (it holds the GIL throughout)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._began)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)


def _why_late(stats) -> dict | None:
    """The sender's split of its messages over `LATE` late (None from a livemidi that cannot tell)."""
    if not hasattr(stats, "late_woke"):
        return None
    return {"messages": stats.sent, "late": stats.late, "woke": stats.late_woke, "held": stats.late_held,
            "other": stats.late - stats.late_machine, "worst_other_us": stats.worst_other_late * 1e6}  # fmt: skip


def _against_grid(case: Case, t0: float, seconds: float, stamps, data, sent) -> dict:
    """Pair each write the probe saw with the sender's report of it; errors of the note-ons (s)."""
    if len(stamps) != len(sent) or any(s[1] != d for s, d in zip(sent, data)):
        raise RuntimeError(
            f"the probe saw {len(stamps)} writes and the sender reported {len(sent)}: they must be the same"
        )
    period = case.period
    pairs = []  # (ideal, stamp) of each note-on
    gaps = []  # stamp − the previous stamp, for a message due at the same instant as the previous one
    off_grid = 0
    for k, (stamp, (deadline, d)) in enumerate(zip(stamps, sent)):
        if k and deadline == sent[k - 1][0]:
            gaps.append(stamp - stamps[k - 1])
        if d[0] & 0xF0 != 0x90 or d[2] == 0:
            continue
        index = round((deadline - t0) / period)
        ideal = t0 + index * period
        if abs(deadline - ideal) > 1e-6:
            off_grid += 1
        if t0 <= ideal < t0 + seconds:
            pairs.append((ideal, stamp))
    expected = math.ceil(seconds / period - 1e-9)
    return {"pairs": pairs, "gaps": gaps, "off_grid": off_grid, "missing": expected - len(pairs),
            "first": pairs[0][1] - pairs[0][0] if pairs and pairs[0][0] == t0 else None}  # fmt: skip
