"""What a lookahead loop has shipped to the sender, and may still move or take back.

`Shipped(sender)` is the loop's record of its shipments (see lookahead.py):
each event it sends ahead keeps its onset and cycle, port, tag and deadline
under the id the sender gave it, so that

- a tempo change or a port's new latency moves what was shipped (`retime`),
- a swap, mute or hush takes one tag's events back (`drop`: the sender's
  ledger ends the notes they leave sounding),
- a seek or a stop forgets them all (`clear`).

It also checks what a source gives (`check_all`), and holds what turns a
window's events into deadlines: the tags (a loop's name → the small number
the sender carries) and each port's latency (s, subtracted from the
deadline). Records are forgotten a second after
their deadline (`prune`): by then nothing can move them.

Misuse: it is the loop's state, used with the loop's lock held; a record
kept after `clear` no longer stands for anything in the sender.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from fractions import Fraction

from .events import in_window
from .handle import message_bytes

__all__ = ["PRUNE_AFTER", "Shipment", "Shipped"]

PRUNE_AFTER = 1.0  # seconds after its deadline that a shipped record is forgotten


class Shipment:
    """One event shipped: where it is in the music and when it is due."""

    __slots__ = ("onset", "cycle", "port", "tag", "deadline")

    def __init__(self, onset: Fraction, cycle: Fraction, port: int, tag: int, deadline: float) -> None:
        self.onset = onset
        self.cycle = cycle
        self.port = port
        self.tag = tag
        self.deadline = deadline


class Shipped:
    """``Shipped(sender)``: the records of what was shipped to `sender`, by the id it gave each."""

    def __init__(self, sender) -> None:
        self.sender = sender
        self.records: dict[int, Shipment] = {}
        self.tags: dict[Hashable, int] = {None: 0}
        self.latency: dict[int, float] = {}  # port index → seconds early
        self.most_early = 0.0  # the largest latency (s): the loop's horizon reaches this much further
        self.skipped = 0  # events not shipped: their onset was more than max_late ago
        self.last_prune = float("-inf")

    def __len__(self) -> int:
        return len(self.records)

    # -- tags and latency --------------------------------------------------------------

    def tag(self, tag: Hashable) -> int:
        """The sender's number for `tag`, given it the first time it is seen."""
        number = self.tags.get(tag)
        if number is None:
            try:
                number = self.tags[tag] = len(self.tags)
            except TypeError:
                raise TypeError(f"a tag must be hashable (a loop name, a number...), got {tag!r}") from None
        return number

    def tag_name(self, number: int) -> Hashable:
        for tag, known in self.tags.items():
            if known == number:
                return tag
        return None

    def set_latency(self, index: int, seconds: float) -> None:
        self.latency[index] = seconds
        self.most_early = max(0.0, *self.latency.values())

    # -- checking, shipping, moving, taking back ------------------------------------------

    def check(self, event: object, begin: Fraction, end: Fraction) -> tuple:
        """`event` (a `ClockEvent` or its tuple, onset in ``[begin, end)``) as (onset, cycle, port, tag, data).

        Raises TypeError or ValueError for a bad event or a port the sender does not have.
        """
        event, onset, cycle = in_window(event, begin, end)
        return (onset, cycle, self.sender.port_index(event.port), self.tag(event.tag), message_bytes(event.message))

    def check_all(
        self, raw: Iterable, begin: Fraction, end: Fraction, only_tag: int | None = None
    ) -> tuple[list[tuple], Exception | None]:
        """The good events of `raw` checked (`check`; of tag number `only_tag` alone, if given), and the
        first problem with the others, which are dropped (None: there was none)."""
        events = []
        problem = None
        for event in raw:
            try:
                checked = self.check(event, begin, end)
            except (TypeError, ValueError) as error:
                problem = problem or error
                continue
            if only_tag is None or checked[3] == only_tag:
                events.append(checked)
        return events, problem

    def ship(self, events: list[tuple], tempo, cutoff: float) -> int:
        """Send `events` ((onset, cycle, port, tag, data), checked) ahead; those due before `cutoff` are skipped."""
        latency = self.latency
        records = []
        kept = []
        times: dict[Fraction, float] = {}
        for onset, cycle, port, tag, data in events:
            early = latency.get(port, 0.0)
            onset_time = times.get(onset)
            if onset_time is None:
                onset_time = times[onset] = tempo.time_at(onset)
            if onset_time - early < cutoff:
                self.skipped += 1
                continue
            deadline = (onset_time if cycle == onset else tempo.time_at(cycle)) - early
            records.append((deadline, port, data, tag))
            kept.append(Shipment(onset, cycle, port, tag, deadline))
        if not records:
            return 0
        ids = self.sender.schedule(records)
        for id, record in zip(ids, kept):
            self.records[id] = record
        return len(records)

    def retime(self, chosen: Callable[[Shipment], bool], tempo) -> int:
        """Move the `chosen` records to where `tempo` puts them now; how many moved."""
        pairs = []
        for id, record in self.records.items():
            if chosen(record):
                record.deadline = tempo.time_at(record.cycle) - self.latency.get(record.port, 0.0)
                pairs.append((id, record.deadline))
        self.sender.retime(pairs)
        return len(pairs)

    def drop(self, chosen: Callable[[Shipment], bool], cancel: bool = True) -> None:
        """Forget the `chosen` records; with `cancel`, the sender takes them back too (ending their notes)."""
        ids = [id for id, record in self.records.items() if chosen(record)]
        if cancel:
            self.sender.cancel_ids(ids)
        for id in ids:
            del self.records[id]

    def prune(self, now: float) -> None:
        """Forget records whose deadline passed more than PRUNE_AFTER ago."""
        self.last_prune = now
        old = now - PRUNE_AFTER
        for id in [id for id, record in self.records.items() if record.deadline < old]:
            del self.records[id]

    def clear(self) -> None:
        self.records.clear()
