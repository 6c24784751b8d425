"""``livemidi calibrate --out PORT --in PORT``: measure an output's latency by a round trip, and store it.

Test notes go out on ``--out`` through the timed-sender process (the same
process, queue and port as when a session plays), something sends them back
to ``--in`` (a MIDI loopback cable, or a DAW track whose MIDI input is the
output and whose MIDI output is the input), and each one's round trip is
measured: (``perf_counter`` when it arrived) − (its deadline). The report
gives the median, minimum, maximum and jitter (standard deviation) of the
round trips, how many came back, and the offset to apply (minus the median,
rounded to 0.1 ms: negative, the port plays that much earlier), which is
stored in the user's config file (`livemidi.config`) for that output unless
``--dry-run``. Sessions that open an output of that name then apply it.

The test notes are distinctive, so that other traffic on the input is
ignored: note 127 on MIDI channel 16, each with its sequence number as its
velocity (1..100); the probes sent until the first echo comes back (time to
connect a virtual port) have velocity 127. Nothing here raises for what the
input brings: unknown messages are counted and left alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from typing import NamedTuple

__all__ = ["Calibration", "add_calibrate_command", "cmd_calibrate", "measure"]

NOTE = 127  # G9: the test note, on
CHANNEL = 15  # MIDI channel 16, rarely played by anything else
PROBE = 127  # the velocity of the probes sent until the first echo returns
MAX_COUNT = 100  # test notes have velocities 1..MAX_COUNT: each says which note it is
SPACING = 0.1  # seconds between test notes
LENGTH = 0.02  # seconds from each test note to its note-off
LEAD = 0.2  # seconds from scheduling to the first test note
PROBE_EVERY = 0.25  # seconds between probes while waiting for the first echo
LOST_AFTER = 1.0  # seconds after its deadline when a test note counts as lost (the largest offset)


class Calibration(NamedTuple):
    """The result of `measure`: round trips (ms, in the order the notes were sent) and counts."""

    sent: int
    round_trips: list[float]  # ms, of the notes that came back
    ignored: int  # other messages heard on the input
    first_echo: float  # ms: from the last probe sent before the first echo arrived to that arrival
    send_error: float | None  # ms: the largest (send time − deadline) the sender reported

    @property
    def received(self) -> int:
        return len(self.round_trips)

    @property
    def lost(self) -> int:
        return self.sent - self.received

    @property
    def median(self) -> float:
        return statistics.median(self.round_trips)

    @property
    def jitter(self) -> float:
        """The standard deviation of the round trips (ms); 0 with one."""
        return statistics.pstdev(self.round_trips) if self.round_trips else 0.0

    @property
    def offset(self) -> float:
        """The offset to apply (ms): minus the median round trip, rounded to 0.1 ms."""
        return round(-self.median, 1) + 0.0  # + 0.0: no "-0.0"


class _Ear:
    """The input's callback: keeps the arrival time of each test note; counts everything else."""

    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}  # velocity -> first arrival (perf_counter s)
        self.ignored = 0
        self.heard = threading.Event()
        self.port = None  # the input, once open: its arrival_time is when the note came back

    def __call__(self, msg) -> None:
        stamped = getattr(self.port, "arrival_time", None)
        now = time.perf_counter() if stamped is None else stamped
        if getattr(msg, "channel", None) == CHANNEL and getattr(msg, "note", None) == NOTE:
            if msg.type == "note_on" and msg.velocity:
                self.arrivals.setdefault(msg.velocity, now)
                self.heard.set()
            return  # its note-off, echoed too
        self.ignored += 1


def _note(port: int, deadline: float, velocity: int) -> list[tuple]:
    return [
        (deadline, port, bytes((0x90 | CHANNEL, NOTE, velocity)), 0),
        (deadline + LENGTH, port, bytes((0x80 | CHANNEL, NOTE, 0)), 0),
    ]


def measure(sender, port: int, listen, *, count: int = 20, timeout: float = 5.0) -> Calibration:
    """Send `count` test notes on the sender's `port`, time their return; `listen(callback)` opens the input.

    `listen` is called with the callback to give the input port and returns
    the port (closed here at the end). Probes go out first until one comes
    back, for at most `timeout` seconds: TimeoutError if none does, or if
    none of the test notes does.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be a whole number of test notes from 1 to {MAX_COUNT}, got {count!r}")
    ear = _Ear()
    input_port = ear.port = listen(ear)
    try:
        sender.take_sent()
        # Probes until one comes back: a virtual port may need a moment (or a click) to be connected.
        give_up = time.perf_counter() + timeout
        probes: list[float] = []
        while PROBE not in ear.arrivals:
            now = time.perf_counter()
            if now >= give_up:
                raise TimeoutError(f"no test note came back within {timeout:g} s")
            probes.append(now + 0.01)
            sender.schedule(_note(port, probes[-1], PROBE))
            ear.heard.wait(min(PROBE_EVERY, max(0.0, give_up - now)))
            ear.heard.clear()
        arrival = ear.arrivals[PROBE]
        first_echo = (arrival - max([d for d in probes if d <= arrival] or probes[:1])) * 1000
        time.sleep(0.2)  # late echoes of earlier probes arrive and are left alone (their velocity says so)
        ear.arrivals.pop(PROBE, None)
        start = time.perf_counter() + LEAD
        deadlines = {seq: start + (seq - 1) * SPACING for seq in range(1, count + 1)}
        sender.schedule([event for seq, deadline in deadlines.items() for event in _note(port, deadline, seq)])
        end = deadlines[count] + LOST_AFTER
        while len([seq for seq in deadlines if seq in ear.arrivals]) < count and time.perf_counter() < end:
            time.sleep(0.01)
        sender.flush()
        sent = [
            (record.time - record.deadline) * 1000
            for record in sender.take_sent()
            if record.data[:2] == bytes((0x90 | CHANNEL, NOTE)) and 1 <= record.data[2] <= count
        ]
    finally:
        input_port.close()
    round_trips = [
        (ear.arrivals[seq] - deadline) * 1000
        for seq, deadline in deadlines.items()
        if seq in ear.arrivals and deadline <= ear.arrivals[seq] <= deadline + LOST_AFTER
    ]
    if not round_trips:
        raise TimeoutError(f"a probe came back, but none of the {count} test notes did within {LOST_AFTER:g} s")
    return Calibration(count, round_trips, ear.ignored, first_echo, max(sent) if sent else None)


# -- the command -----------------------------------------------------------------------------


def add_calibrate_command(subparsers) -> None:
    calibrate = subparsers.add_parser(
        "calibrate", help="measure an output's latency by a round trip and store its offset",
        description="Send test notes out on --out, listen for them to come back on --in (a loopback "
                    "cable, or a DAW track that echoes its MIDI input to its output), measure each "
                    "round trip, and store the offset that compensates it (minus the median round "
                    "trip) in the user's config file, for the sessions that open that output.",
    )  # fmt: skip
    calibrate.add_argument("--out", required=True, metavar="PORT", help="the output port to calibrate (name or unique part)")
    calibrate.add_argument("--in", dest="input", required=True, metavar="PORT",
                           help="the input port the test notes come back on")
    calibrate.add_argument("--virtual", action="store_true",
                           help="create --out as a virtual port (e.g. 'livemidi', as the REPL does) for a DAW to read")
    calibrate.add_argument("--count", type=_count, default=20, metavar="N",
                           help=f"how many test notes, 1 to {MAX_COUNT} (20), {SPACING:g} s apart")
    calibrate.add_argument("--timeout", type=_seconds, default=5.0, metavar="S",
                           help="seconds to wait for the first test note to come back (5)")
    calibrate.add_argument("--dry-run", action="store_true", help="only measure and print; store nothing")
    calibrate.add_argument("--backend", help="port backend, e.g. livemidi.backends.rtmidi/UNIX_JACK")
    calibrate.set_defaults(handler=cmd_calibrate)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"expected a whole number of test notes from 1 to {MAX_COUNT}, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0.1 to 600, got {text!r}")
    return value


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..backends import Backend, open_input
    from ..clock import Sender
    from ..config import save_offset
    from ..errors import ConfigError

    opener = Backend(args.backend).open_input if args.backend else open_input
    errors: list[str] = []
    with Sender(on_error=errors.append) as sender:
        port = sender.open_port(args.out, virtual=args.virtual, backend=args.backend)  # PortNotFoundError lists them
        out_name = sender.ports[port]
        inputs: list[str] = []

        def listen(callback):
            opened = opener(args.input, callback=callback)
            inputs.append(opened.name)
            return opened

        print(f"Calibrating {out_name!r}: {args.count} test notes (note {NOTE} on MIDI channel {CHANNEL + 1}), "
              f"{SPACING:g} s apart, listening on {args.input!r}...", flush=True)  # fmt: skip
        try:
            result = measure(sender, port, listen, count=args.count, timeout=args.timeout)
        except TimeoutError as error:
            where = inputs[0] if inputs else args.input
            raise TimeoutError(
                f"{error} on {where!r}. Check that what comes out of {out_name!r} is sent back to {where!r}: "
                "the loopback cable is plugged in from that output to that input, or the DAW track that echoes "
                "has its MIDI From on the output, its MIDI To on the input, and is armed or monitoring"
                f"{' (a virtual port must be connected first; --timeout gives more time)' if args.virtual else ''}. "
                "Nothing was stored"
            ) from None
    for text in errors:
        print(f"livemidi: sender: {text}", file=sys.stderr)
    trips = result.round_trips
    print(f"received {result.received} of {result.sent} ({result.lost} lost)"
          + (f"; {result.ignored} other messages on the input were ignored" if result.ignored else ""))  # fmt: skip
    print(f"round trip: median {result.median:.1f} ms, min {min(trips):.1f} ms, max {max(trips):.1f} ms, "
          f"jitter {result.jitter:.1f} ms (standard deviation)")  # fmt: skip
    if result.send_error is not None:
        print(f"the sender sent each test note within {max(0.0, result.send_error) * 1000:.0f} µs of its deadline")
    if result.lost > result.sent // 2:
        print("livemidi: warning: more than half the test notes were lost; the figures may not mean much",
              file=sys.stderr)  # fmt: skip
    offset = result.offset  # within ±1000 ms: a note later than LOST_AFTER counts as lost
    verb = "earlier" if offset < 0 else "later"
    print(f"offset for {out_name!r}: {offset:+.1f} ms (it plays {abs(offset):.1f} ms {verb})")
    use = f"livemidi --offset '{out_name}={offset:g}'"
    if args.dry_run:
        print(f"--dry-run: not stored. To use it: {use}")
        return 0
    try:
        path = save_offset(out_name, offset)
    except ConfigError as error:  # a corrupt file is left alone; the measurement is above
        print(f"livemidi: {error}\nThe offset was not stored; to use it now: {use}", file=sys.stderr)
        return 1
    print(f"Stored in {path}: sessions that open {out_name!r} play it {abs(offset):.1f} ms {verb}.")
    return 0
