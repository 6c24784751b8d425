"""What a `PortServer` allows each client: a place, a rate, and the notes it started.

A MIDI server meets careless clients (they connect and forget, or vanish in
the middle of a note) and hostile ones (they take every place, or pour
garbage that parses into a flood of messages). The server keeps, per client:

- a *slot*: when it last exchanged anything with the server, so that a
  client idle for `idle_timeout` seconds can give its place to a newcomer
  when the server, or the newcomer's address, is full (`admission`);
- a *token bucket*: how many messages it may still send now (`RateBucket`);
- the notes it started and nobody has ended yet (`NoteOwners`), so that
  when it goes, note-offs end exactly those notes and not another client's.

`Notices` turns what happened into warnings, at most one per subject every
`NOTICE_INTERVAL` seconds, so that a client cannot flood the server's log
either.

Misuse: `NoteOwners` knows only the messages it is shown; every message the
server passes on must go through `update`, or a gone client's note may hang
(or another client's note may be cut).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

from ..messages import Message

__all__ = ["ClientSlot", "NoteOwners", "Notices", "RateBucket", "admission"]

NOTICE_INTERVAL = 10.0  # seconds between two notices about the same subject
_MAX_SUBJECTS = 1024  # notices remembered; older ones are forgotten first


class RateBucket:
    """A token bucket: ``rate`` messages a second, and bursts of up to one second's worth.

    The rate is passed on each call, so a change to the server's
    ``max_rate`` applies at once. ``take`` may leave the bucket below zero:
    the server's own note-offs for a client count against it, and the client
    pays the debt back before it sends again.
    """

    __slots__ = ("_at", "tokens")

    def __init__(self, rate: float, now: float) -> None:
        self.tokens = max(1.0, rate)
        self._at = now

    def available(self, rate: float, now: float) -> float:
        """How many messages may pass at `now` (monotonic seconds)."""
        self.tokens = min(max(1.0, rate), self.tokens + (now - self._at) * rate)
        self._at = now
        return self.tokens

    def take(self, count: int) -> None:
        self.tokens -= count


class NoteOwners:
    """Which client started each sounding note: ``{(channel, note): {client, ...}}``.

    One note-off ends a note on a synth, whoever sends it, so it ends the
    note for every owner (as `livemidi.clock.ledger.Ledger` counts it).
    """

    def __init__(self) -> None:
        self._owners: dict[tuple[int, int], set[object]] = {}

    def update(self, client: object, messages) -> bool:
        """Account for `messages` from `client` having been passed on; True if it started a note."""
        owners = self._owners
        started = False
        for msg in messages:
            kind = msg.type
            if kind == "note_on":
                if msg.velocity:
                    owners.setdefault((msg.channel, msg.note), set()).add(client)
                    started = True
                    continue
            elif kind != "note_off":
                continue
            owners.pop((msg.channel, msg.note), None)
        return started

    def release(self, client: object) -> list[Message]:
        """Note-offs for the notes `client` started that no other client holds; forgets `client`.

        A note another client also started keeps sounding: that client
        will end it (or its own release will).
        """
        offs = []
        for key in sorted(self._owners):
            clients = self._owners[key]
            if client not in clients:
                continue
            clients.discard(client)
            if not clients:
                del self._owners[key]
                channel, note = key
                offs.append(Message("note_off", channel=channel, note=note, velocity=0))
        return offs

    def __len__(self) -> int:
        return len(self._owners)


class Notices:
    """Warnings (RuntimeWarning, prefixed ``livemidi.sockets:``) with at most one per subject per interval.

    What is held back is counted and mentioned in the next notice about
    the same subject.
    """

    def __init__(self, interval: float = NOTICE_INTERVAL) -> None:
        self.interval = interval
        self._said: dict[object, float] = {}
        self._held: dict[object, int] = {}

    def say(self, subject: object, text: str, now: float | None = None) -> bool:
        """Warn `text` unless `subject` had a notice less than `interval` ago; True if it was said."""
        now = time.monotonic() if now is None else now
        last = self._said.get(subject)
        if last is not None and now - last < self.interval:
            self._held[subject] = self._held.get(subject, 0) + 1
            return False
        held = self._held.pop(subject, 0)
        if held:
            text += f" ({held} more like this in the last {now - last:.0f} s)"
        if len(self._said) >= _MAX_SUBJECTS:
            for old in sorted(self._said, key=self._said.__getitem__)[: _MAX_SUBJECTS // 2]:
                del self._said[old]
                self._held.pop(old, None)
        self._said[subject] = now
        warnings.warn(f"livemidi.sockets: {text}", RuntimeWarning, stacklevel=3)
        return True


@dataclass(eq=False)
class ClientSlot:
    """A connected client as the server sees it."""

    port: object  # its SocketPort
    address: str  # its IP address: what the per-address cap counts
    bucket: RateBucket
    resume_at: float = 0.0  # monotonic seconds: over its rate, it is not read before then
    dropped_messages: int = 0  # over the rate limit since the last notice
    dropped_bytes: int = 0  # read and thrown away unparsed, since the last notice
    noticed_at: float | None = None  # when the last rate notice about it was given
    started_notes: bool = False  # it may hold notes: its slot stays until they are released

    def idle(self, now: float) -> float:
        """Seconds since it last sent anything or took anything the server sent."""
        return now - self.port._device.last_active


def admission(
    slots: list[ClientSlot],
    address: str,
    now: float,
    *,
    max_clients: int,
    max_per_address: int | None,
    idle_timeout: float | None,
) -> tuple[str, ClientSlot | None, str]:
    """Whether a newcomer from `address` gets in: ``(verdict, victim, why)``.

    verdict ``'admit'``; ``'evict'``: `victim`, idle for at least
    `idle_timeout` seconds, makes room (the longest idle of the newcomer's
    address when that address is full, else of all); ``'refuse'``: nobody
    may make room. `why` says which limit was reached ('' on admit).
    """
    same = [slot for slot in slots if slot.address == address]
    if max_per_address is not None and len(same) >= max_per_address:
        crowd, why = same, f"{len(same)} clients from {address} already (max_per_address={max_per_address})"
    elif len(slots) >= max_clients:
        crowd, why = slots, f"{len(slots)} clients already (max_clients={max_clients})"
    else:
        return "admit", None, ""
    if idle_timeout:
        idlest = max(crowd, key=lambda slot: slot.idle(now), default=None)
        if idlest is not None and idlest.idle(now) >= idle_timeout:
            return "evict", idlest, why
    return "refuse", None, why
