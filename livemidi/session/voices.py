"""Which channel each note plays on: per-note channel allocation for MPE and microtonal outputs.

`Channels` is one output's pool (an MPE zone's member channels, or the
`microtonal_channels` of an ordinary port). It thinks in cycles, as render
does, and it is asked in the order the lookahead renders: a window at a time,
every note's note-on *and* note-off at once. So a note that is given a
channel holds it from its onset to its note-off, and `place` picks, for a new
note over ``[onset, end)``:

1. the least recently used channel that is free for the whole note;
2. (only when a window is rendered again, after a swap) a channel free at the
   onset, the note ending where the next note there begins;
3. else it steals: the oldest note sounding at the onset (one that began
   earlier: a note beginning at the same instant cannot be cut before it
   starts) gets a note-off there (`Steal`), and the new note takes its channel.
   With none to steal, the note is not played (`None`).

The hard part is the stolen note's own note-off: it was rendered with its
note-on and may already be in the sender when the steal happens. It would
cut any later note of the *same key* on that channel. So a stolen note keeps
blocking its key on its channel until its old note-off has passed: a note of
that key goes to another channel, or, if it has to go there, ends when the
old note-off comes (never cut unawares). Victims of another key are stolen
first for that reason.

`forget` and `release` keep the pool in step with what the lookahead cancels
(`livemidi.session.mpe` calls them); `prune` drops what is long over.

Misuse: the pool is not thread-safe (its owner locks), and it trusts that the
notes it placed are played as placed. Its `Held` notes are changed by the pool
alone: it keeps a summary of each channel's (tests/pool_reference.py is the
plain scan it must agree with), which a change from outside would leave stale.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction
from typing import NamedTuple

__all__ = ["Channels", "Held", "Placement", "Steal"]

_NEVER = Fraction(-(10**12))  # where an unused channel's last note stopped: before any other's
_QUARTER = Fraction(1, 4)


class Held:
    """A note that holds `channel` from `onset`; its note-off is at `end`, or it was cut at `cut`."""

    __slots__ = ("channel", "cut", "cut_tag", "end", "key", "onset", "tag")

    def __init__(self, tag: Hashable, channel: int, key: int, onset: Fraction, end: Fraction) -> None:
        self.tag = tag
        self.channel = channel
        self.key = key
        self.onset = onset
        self.end = end
        self.cut: Fraction | None = None  # where a steal ended it (its note-off at `end` is then stale)
        self.cut_tag: Hashable = None  # the tag the steal's note-off was shipped with

    @property
    def stop(self) -> Fraction:
        """Where it stops sounding."""
        return self.end if self.cut is None else min(self.cut, self.end)

    def __repr__(self) -> str:
        cut = "" if self.cut is None else f" cut {self.cut}"
        return f"<Held {self.tag!r} ch {self.channel} key {self.key} {self.onset}→{self.end}{cut}>"


class Steal(NamedTuple):
    """A note-off that ends `held` at `cycle` so that another note may take its channel."""

    cycle: Fraction
    held: Held


class Placement(NamedTuple):
    """Where a note plays: `channel`, until `end` (earlier than asked when it must yield), and a `steal`."""

    channel: int
    end: Fraction
    steal: Steal | None
    held: Held


class Channels:
    """``Channels(channels)``: a pool of MIDI channels (0–15), in the order to try them first."""

    def __init__(self, channels: Sequence[int]) -> None:
        self.channels = tuple(channels)
        self._held: dict[int, list[Held]] = {channel: [] for channel in self.channels}
        self._used: dict[int, Fraction] = {}  # channel -> where its last note stops: least recent first
        self._order = {channel: index for index, channel in enumerate(self.channels)}
        self._pruned: Fraction | None = None  # where `prune` last cut
        self._prune_next: Fraction | None = None  # a quarter of a cycle after it
        # What `place` asks first, kept as the notes change, so that a note is placed in a few comparisons
        # (Fraction ones are slow) rather than a scan of every held note: the channels least recently used
        # first (by `_rank`), and each channel's (latest onset, latest stop, whether a note on it was cut).
        self._lru = list(self.channels)
        self._summary: dict[int, tuple[Fraction, Fraction, bool] | None] = dict.fromkeys(self.channels)

    @property
    def held(self) -> list[Held]:
        """Every note the pool knows of, channel by channel."""
        return [held for channel in self.channels for held in self._held[channel]]

    def _on(self, channel: int) -> list[Held]:
        return self._held[channel]

    def _rank(self, channel: int) -> tuple[Fraction, int]:
        return self._used.get(channel, _NEVER), self._order[channel]

    def _summarize(self, channel: int) -> None:
        notes = self._held[channel]
        if not notes:
            self._summary[channel] = None
            return
        cut = any(held.cut is not None for held in notes)
        self._summary[channel] = (max(held.onset for held in notes), max(held.stop for held in notes), cut)

    def _free(self, channel: int, key: int, onset: Fraction, end: Fraction) -> bool:
        """Whether `channel` is free for the whole note: no note on it over any of it, no stale note-off of `key`."""
        summary = self._summary[channel]
        if summary is None:
            return True
        top, last, cuts = summary
        notes = self._held[channel]
        if top <= onset < end:  # (rendering forward) every note on it began by the onset: its last stop says
            return last <= onset and (not cuts or self._yield_at(notes, key, onset, end) >= end)
        if any(held.onset < end and held.stop > onset for held in notes):
            return False  # taken for part of the note
        return self._yield_at(notes, key, onset, end) >= end  # else a stale note-off of this key would cut it

    def _yield_at(self, notes: list[Held], key: int, onset: Fraction, end: Fraction) -> Fraction:
        """Where a note of `key` from `onset` must end on a channel with these `notes`: at the next one's
        onset, or at a stale note-off of the same key (a cut note's old one)."""
        stop = end
        for held in notes:
            if held.onset > onset:
                stop = min(stop, held.onset)
            if held.cut is not None and held.key == key and held.cut <= onset < held.end:
                stop = min(stop, held.end)
        return stop

    def place(self, tag: Hashable, key: int, onset: Fraction, end: Fraction) -> Placement | None:
        """A channel for a note of `key` over ``[onset, end)``, or None when every channel holds a note
        that began at this very onset (nothing can be stolen)."""
        for channel in self._lru:  # the least recently used free channel: the first free one
            if self._free(channel, key, onset, end):
                return self._take(tag, channel, key, onset, end, None)
        partial = None
        for channel in self.channels:  # free at the onset, not to the end (a window rendered again)
            notes = self._on(channel)
            if any(held.onset <= onset < held.stop for held in notes):
                continue
            stop = self._yield_at(notes, key, onset, end)
            if stop > onset and (partial is None or stop > partial[0]):
                partial = (stop, channel)
        if partial is not None:
            return self._take(tag, partial[1], key, onset, partial[0], None)
        victims = [held for held in self.held if held.onset < onset < held.stop]  # (every channel holds one)
        if not victims:
            return None
        victim = min(victims, key=lambda held: (held.key == key, held.onset, self._order[held.channel]))
        notes = [held for held in self._on(victim.channel) if held is not victim]
        stop = self._yield_at(notes, key, onset, end)
        if victim.key == key:
            stop = min(stop, victim.end)  # its old note-off will come: end with it rather than be cut
        victim.cut, victim.cut_tag = onset, tag
        self._summarize(victim.channel)
        return self._take(tag, victim.channel, key, onset, stop, Steal(onset, victim))

    def _take(self, tag: Hashable, channel: int, key: int, onset: Fraction, end: Fraction, steal) -> Placement:
        held = Held(tag, channel, key, onset, end)
        self._held[channel].append(held)
        summary = self._summary[channel]
        self._summary[channel] = (onset, end, False) if summary is None else (
            max(summary[0], onset), max(summary[1], end), summary[2])  # fmt: skip
        self._used[channel] = max(self._used.get(channel, end), end)
        lru = self._lru  # the channel moves to its rank: mostly the end (it was used last)
        lru.remove(channel)
        rank = self._rank(channel)
        index = len(lru)
        while index and self._rank(lru[index - 1]) > rank:
            index -= 1
        lru.insert(index, channel)
        return Placement(channel, end, steal, held)

    # -- keeping in step with what the lookahead cancels --------------------------------

    def forget(self, tags: Iterable[Hashable] | None, since: Fraction) -> list[Held]:
        """Drop the notes of `tags` (None: all) with onsets at or after `since` (their events were cancelled).

        Returns the notes still held that were cut, at or after `since`, by
        a steal of those tags: that note-off was cancelled too, and must be
        shipped again (the note stays cut, as the notes after it assume).
        """
        chosen = None if tags is None else set(tags)
        self._keep(lambda held: not (held.onset >= since and (chosen is None or held.tag in chosen)))
        return [
            held for held in self.held
            if held.cut is not None and held.cut >= since and (chosen is None or held.cut_tag in chosen)
        ]  # fmt: skip

    def release(self, tag: Hashable, now: Fraction) -> None:
        """`tag`'s notes were hushed at `now`: the unstarted ones are gone, the others stop now.

        A note cut by another tag's steal still sounds until that note-off
        (it was not cancelled); one whose own note-off was cancelled has no
        stale note-off left to fear.
        """
        for held in self.held:
            if held.tag != tag or held.onset >= now:
                continue
            if held.cut is not None and (held.cut <= now or held.cut_tag != tag):
                held.end, held.cut = held.cut, None
            else:
                held.end, held.cut = max(held.onset, min(held.end, now)), None
        self._keep(lambda held: held.tag != tag or held.onset < now)

    def _keep(self, keep) -> None:
        for channel, notes in self._held.items():
            self._held[channel] = [held for held in notes if keep(held)]
            self._summarize(channel)  # (`release` changed ends and cuts too)

    def clear(self) -> None:
        """Everything was cancelled and every note ended (hush, panic, stop)."""
        self._keep(lambda held: False)

    def prune(self, before: Fraction) -> None:
        """Drop the notes whose sounding and stale note-off are both over before `before`."""
        self._pruned, self._prune_next = before, before + _QUARTER
        self._keep(lambda held: held.end >= before)

    def prune_due(self, before: Fraction) -> bool:
        """Whether `prune(before)` would be worth its cost: a quarter of a cycle or more since the last."""
        return self._pruned is None or before >= self._prune_next or before < self._pruned  # type: ignore[operator]

    def sounding(self, cycle: Fraction) -> list[Held]:
        """The notes sounding at `cycle`."""
        return [held for held in self.held if held.onset <= cycle < held.stop]
