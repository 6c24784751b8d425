"""MPE outputs and microtones: the port modes, their configuration, and the notes placed on channels.

An output opened with ``mpe=True`` (`Session.add_output`, ``--mpe PORT``) is
an MPE zone: the lower one by default (manager channel 0, member channels
1..15: MIDI channels 1 and 2..16), or ``mpe="upper"`` (manager 15, members
14 down), with ``members`` member channels (1..15) and ``bend_range``
semitones of per-note pitch bend (48, as the MPE spec says; the manager's is
``manager_bend_range``, 2). When it opens it is sent the MPE Configuration
Message (RPN 6 on the manager channel) and the pitch-bend ranges (RPN 0 on
the manager and on each member channel), each RPN closed with the null RPN.

Then every note gets a member channel of its own (`voices.Channels`: the
least recently used free one; when all are busy the oldest note is stolen
and gets its note-off first). Before its note-on go, on that channel, its
pitch bend (a microtone's offset from the key plus the note's own ``bend``),
its pressure (channel pressure, 0 unless given) and its timbre (CC 74, 64
unless given), so that a channel never keeps the last note's expression.
Messages of no one note (program changes, controllers without a note) go to
the manager channel.

An ordinary output given ``microtonal_channels=[1, 2, 3, 4]`` plays
microtones (fractional notes) the same way over those channels, with a pitch
bend before each note, assuming the synth bends ``bend_range`` semitones (2
unless given: what General MIDI synths do; RPN 0 says so to each channel at
open). Whole notes on other channels are left exactly as they are. On an
output with neither mode a microtone is refused by `check`, naming the note
and what to do, and never rounded.

`Voices` is the session's collaborator that does this. It sits between the
session and its clock: the session's source hands it each window's events
(`assign`), and the session's swaps, mutes, hushes, panics and transport go
through it (`requery`, `hush`, ...) so that the channels it gave stay true to
what the sender will play: a cancelled note frees its channel, a note cut by
a steal stays cut even when the steal's own note is cancelled (its note-off is
shipped again), and everything is forgotten when everything is cancelled.

Limits, said plainly: when the lookahead loop stalls and skips the notes
of an instant, a note it skipped keeps its channel here until its end (no
harm), but a steal it skipped leaves the stolen note sounding to its own end,
where a later note may share its channel. A stolen note's old note-off is
still sent at its time (it cannot cut anything: see `voices`), so a
recording shows the stolen note at its written length. Hushing a loop whose
note was about to be stolen ends that note at the steal, at most one
lookahead later, not at once.

Misuse: the lookahead must be asked to cancel only through `Voices` while an
MPE or microtonal output is open; a window rendered again without it is
taken for a new start (all channels are forgotten).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

from ..clock import ClockEvent
from ..messages import Message
from .voices import Channels, Held

if TYPE_CHECKING:  # type hints only (session.py imports this module): never run, so no cycle
    from .session import Session

__all__ = ["PortMode", "Voices", "configuration", "port_mode"]

_MODE_OPTIONS = ("mpe", "members", "bend_range", "manager_bend_range", "microtonal_channels")
_ALL = object()  # no window is being rendered again


class PortMode(NamedTuple):
    """How an output places notes: ``kind`` 'mpe' or 'microtonal', its `channels`, `bend_range` (semitones)."""

    kind: str
    channels: tuple[int, ...]
    bend_range: float
    manager: int | None = None
    manager_bend_range: float = 2

    def describe(self) -> str:
        if self.kind == "mpe":
            zone = "lower" if self.manager == 0 else "upper"
            return f"MPE {zone} zone, {len(self.channels)} member channels, bend ±{self.bend_range:g} semitones"
        return f"microtones on channels {list(self.channels)}, bend ±{self.bend_range:g} semitones"


def _semitones(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)) or not 0 < value <= 96:
        raise ValueError(f"{name} must be a number of semitones above 0, up to 96, found {value!r}")
    return float(value)


def port_mode(options: dict) -> PortMode | None:
    """Take the MPE and microtone options out of `options` (an add_output's); their mode, or None.

    Raises ValueError (before anything opens) for a bad value, naming what was expected.
    """
    given = {name: options.pop(name) for name in _MODE_OPTIONS if name in options}
    mpe = given.get("mpe", False)
    channels = given.get("microtonal_channels")
    if mpe is not False and mpe is not None and channels is not None:
        raise ValueError("an output is either MPE (mpe=...) or has microtonal_channels, not both")
    if mpe is False or mpe is None:
        if channels is None:
            extra = sorted(set(given) - {"mpe"})
            if extra:
                raise ValueError(f"{', '.join(extra)} only apply with mpe=True or microtonal_channels=[...]")
            return None
        if {"members", "manager_bend_range"} & set(given):
            raise ValueError("members and manager_bend_range are MPE options: give mpe=True")
        if isinstance(channels, (str, bytes)) or not isinstance(channels, Iterable):
            raise TypeError(f"microtonal_channels must be a list of channels 0..15, found {channels!r}")
        channels = tuple(channels)
        if not channels or any(isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= 15 for c in channels):
            raise ValueError(f"microtonal_channels must be a list of channels 0..15 (as in mido), found {list(channels)!r}")
        if len(set(channels)) != len(channels):
            raise ValueError(f"microtonal_channels lists a channel twice: {list(channels)!r}")
        return PortMode("microtonal", channels, _semitones("bend_range", given.get("bend_range", 2)))
    if mpe not in (True, "lower", "upper"):
        raise ValueError(f"mpe must be True (the lower zone), 'lower' or 'upper', found {mpe!r}")
    members = given.get("members", 15)
    if isinstance(members, bool) or not isinstance(members, int) or not 1 <= members <= 15:
        raise ValueError(f"members (the zone's member channels) must be 1..15, found {members!r}")
    bend = _semitones("bend_range", given.get("bend_range", 48))
    manager_bend = _semitones("manager_bend_range", given.get("manager_bend_range", 2))
    if mpe == "upper":
        return PortMode("mpe", tuple(range(14, 14 - members, -1)), bend, 15, manager_bend)
    return PortMode("mpe", tuple(range(1, members + 1)), bend, 0, manager_bend)


def _rpn(channel: int, number: int, value: float) -> list[Message]:
    """RPN `number` set to `value` (whole semitones and cents for a bend range), closed by the null RPN."""
    whole = int(value)
    cents = round((value - whole) * 100)
    cc = lambda control, v: Message("control_change", channel=channel, control=control, value=v)  # noqa: E731
    return [cc(101, 0), cc(100, number), cc(6, whole), cc(38, cents if number == 0 else 0), cc(101, 127), cc(100, 127)]


def configuration(mode: PortMode) -> list[Message]:
    """What an output of this mode is sent when it opens: RPN 6 (MPE) and the bend ranges (RPN 0)."""
    out: list[Message] = []
    if mode.kind == "mpe":
        assert mode.manager is not None
        out += _rpn(mode.manager, 6, len(mode.channels))
        out += _rpn(mode.manager, 0, mode.manager_bend_range)
    for channel in mode.channels:
        out += _rpn(channel, 0, mode.bend_range)
    return out


def _moved(event: ClockEvent, message: Message, cycle: Fraction | None = None) -> ClockEvent:
    """`event` with another message (and cycle); a note-on keeps where it was written."""
    # Built directly (not `_replace`, which maps every field through a dict): several of these a note.
    moved = event.__class__(event.cycle if cycle is None else cycle, message, event.port, event.tag, event.onset)
    state = getattr(event, "__dict__", None)
    if state and "locations" in state:
        moved.locations = state["locations"]  # type: ignore[attr-defined]
    return moved


class _Port:
    __slots__ = ("dropped", "mode", "name", "pool")

    def __init__(self, mode: PortMode, name: str) -> None:
        self.mode = mode
        self.name = name
        self.pool = Channels(mode.channels)
        self.dropped = 0  # notes not played: every channel held a note that began at the same instant


class Voices:
    """``Voices(session)``: the MPE and microtonal outputs of `session`, and the channels of their notes."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._ports: dict[int, _Port] = {}
        self._lock = threading.Lock()  # the source's thread and the performer's
        self._kept: Any = _ALL  # the tags a requery renders again (None: all), while it runs
        self._rendered: Fraction | None = None  # where the last window ended

    # -- outputs ------------------------------------------------------------------------

    def configure(self, index: int, mode: PortMode, name: str) -> None:
        """Output `index` (just opened) plays in `mode`: it is sent its configuration now."""
        with self._lock:
            self._ports[index] = _Port(mode, name)
        now = self._session._now()
        self._session.sender.schedule([(now, index, message, 0) for message in configuration(mode)])

    def mode(self, port: int) -> PortMode | None:
        port_ = self._ports.get(port)
        return None if port_ is None else port_.mode

    def check(self, item: Any, port: int) -> int:
        """Refuse a microtone (a rendered note-on's `voice`) that output `port` cannot play; returns `port`."""
        voice = getattr(item, "voice", None)
        if voice is None or voice.pitch == voice.key or port in self._ports or item.message.type != "note_on":
            return port
        name = self._session.outputs[port] if port < len(self._session.outputs) else port
        raise ValueError(
            f"note {float(voice.pitch):g} is between two keys, and output {name!r} plays whole notes only: "
            f"open it as an MPE output (add_output({name!r}, mpe=True), or --mpe) or give it microtonal channels "
            f"(add_output({name!r}, microtonal_channels=[1, 2, 3, 4]), or --microtonal), "
            f"or round the note where it is made (e.g. .fmap(round))"
        )

    # -- what the session asks of the clock, kept in step ---------------------------------

    def requery(self, from_cycle: Any, tag: Hashable = None) -> None:
        """`Lookahead.requery`, with the channels of the cancelled notes freed (and cut notes kept cut)."""
        self._kept = None if tag is None else frozenset([tag])
        try:
            self._session.clock.requery(from_cycle, tag=tag)
        finally:
            self._kept = _ALL

    def hush(self, tag: Hashable = None) -> None:
        """`Lookahead.hush`: the notes of `tag` (None: all) end now and free their channels."""
        self._session.clock.hush(tag=tag)
        if not self._ports:
            return
        if tag is None:
            self.forget_all()
            return
        now = self._session._cycle_now()
        with self._lock:
            for port in self._ports.values():
                port.pool.release(tag, now)
        self.requery(None, tag)  # ships again the steals of `tag` that were cancelled with it

    def panic(self) -> None:
        """`Lookahead.panic`: everything is cancelled, every channel is free."""
        self._session.clock.panic()
        self.forget_all()

    def start(self, cycle: Any = 0) -> None:
        """`Lookahead.start`: what played before was cancelled."""
        self._session.clock.start(cycle)
        self.forget_all()

    def stop(self) -> None:
        """`Lookahead.stop`: everything is cancelled, every note ends."""
        self._session.clock.stop()
        self.forget_all()

    def forget_all(self) -> None:
        """Every note was cancelled and ended (hush, panic, stop, start)."""
        with self._lock:
            for port in self._ports.values():
                port.pool.clear()
            self._rendered = None

    # -- the source's events --------------------------------------------------------------

    def assign(self, events: list, begin: Fraction, end: Fraction) -> list:
        """Place the notes of this window's events on their channels; other ports' events pass as they are."""
        if not self._ports:
            return events
        with self._lock:
            again = self._rendered is not None and begin < self._rendered
            kept = self._kept
            out: list = []
            if again and kept is _ALL:  # not a requery: the transport started again
                for port in self._ports.values():
                    port.pool.clear()
            elif again:
                out += self._steals_again(kept, begin, end)
            if not again or kept is _ALL:
                self._rendered = end
            if any(port.pool.prune_due(begin) for port in self._ports.values()):
                tempo = self._session.tempo_map
                # A window rendered again begins at the tick of now, never before: what ended there is over.
                now = tempo.snap(self._session._cycle_now()) if tempo.running else begin
                for port in self._ports.values():
                    port.pool.prune(min(now, begin))
            groups: dict[int, list] = {}
            order: list[tuple] = []
            for event in events:
                port = self._ports.get(event.port)
                if port is None:
                    out.append(event)
                    continue
                if again and kept not in (_ALL, None) and event.tag not in kept:
                    continue  # rendered for another loop's requery: the lookahead would drop it
                voice = getattr(event, "voice", None)
                if voice is None:
                    out.append(self._managed(port, event))
                    continue
                if id(voice) not in groups:
                    groups[id(voice)] = []
                    order.append((event.onset if event.onset is not None else event.cycle, len(order), id(voice), port))
                groups[id(voice)].append(event)
            for _, _, key, port in sorted(order, key=lambda item: item[:2]):
                out += self._place(port, groups[key])
        return out

    def _steals_again(self, kept: Any, begin: Fraction, end: Fraction) -> list:
        out = []
        for index, port in self._ports.items():
            for held in port.pool.forget(kept, begin):
                if begin <= held.cut < end:  # type: ignore[operator]
                    out.append(_steal_event(held, index))
        return out

    @staticmethod
    def _managed(port: _Port, event: ClockEvent) -> ClockEvent:
        """A message of no one note: on an MPE port, to the manager channel."""
        message = event.message
        if port.mode.kind != "mpe" or not hasattr(message, "channel"):
            return event
        return _moved(event, message.copy(channel=port.mode.manager))

    def _place(self, port: _Port, group: list) -> list:
        voice = group[0].voice
        on = next((event for event in group if event.message.type == "note_on"), None)
        off = next((event for event in group if event.message.type == "note_off"), None)
        mode = port.mode
        if on is None or off is None:  # a silent note (velocity 0): its controls go where others' do
            return [self._managed(port, event) for event in group]
        if mode.kind == "microtonal" and voice.pitch == voice.key and on.message.channel not in mode.channels:
            return group  # a whole note on a channel of its own: exactly as on any port
        onset = on.onset if on.onset is not None else on.cycle
        placement = port.pool.place(on.tag, voice.key, onset, off.cycle)
        if placement is None:
            port.dropped += 1
            if port.dropped in (1, 10, 100) or port.dropped % 1000 == 0:
                self._session._notice(
                    f"output {port.name!r}: more notes at once than its {len(mode.channels)} channels; "
                    f"{port.dropped} not played so far (fewer notes at once, or more members)"
                )
            return []
        channel = placement.channel
        out = [] if placement.steal is None else [_steal_event(placement.steal.held, on.port, on.tag, onset)]
        bend = 0
        pressure = 0 if mode.kind == "mpe" else None
        timbre = 64 if mode.kind == "mpe" else None
        others, touch = [], []  # key pressure after its note-on, as render orders it
        for event in group:
            message = event.message
            if message.type == "pitchwheel":
                bend = message.pitch
            elif message.type == "aftertouch":
                pressure = message.value
            elif message.type == "control_change" and message.control == 74:
                timbre = message.value
            elif message.type not in ("note_on", "note_off"):
                (touch if message.type == "polytouch" else others).append(_moved(event, message.copy(channel=channel)))
        bend = max(-8192, min(8191, bend + round(voice.offset / mode.bend_range * 8192)))
        out.append(_moved(on, Message("pitchwheel", channel=channel, pitch=bend)))
        if pressure is not None:
            out.append(_moved(on, Message("aftertouch", channel=channel, value=pressure)))
        if timbre is not None:
            out.append(_moved(on, Message("control_change", channel=channel, control=74, value=timbre)))
        out += others
        out.append(_moved(on, on.message.copy(channel=channel)))
        out += touch
        out.append(_moved(off, off.message.copy(channel=channel), min(off.cycle, placement.end)))
        return out


def _steal_event(held: Held, port: int, tag: Hashable = None, cycle: Fraction | None = None) -> ClockEvent:
    """The note-off that ends a stolen note: shipped with the stealer's tag, at the steal's onset."""
    cycle = held.cut if cycle is None else cycle
    tag = held.cut_tag if tag is None else tag
    return ClockEvent(cycle, Message("note_off", channel=held.channel, note=held.key, velocity=0), port, tag, cycle)
