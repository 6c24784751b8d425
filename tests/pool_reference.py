"""The MPE channel pool as it was first written (`livemidi.session.voices.Channels` before it kept summaries):
every placement scans every held note. Slow but plainly right; tests/session/test_voices_model.py checks
that the fast pool decides exactly as this one does."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction

from livemidi.session.voices import Held, Placement, Steal


class ReferenceChannels:
    """``Channels(channels)``: a pool of MIDI channels (0–15), in the order to try them first."""

    def __init__(self, channels: Sequence[int]) -> None:
        self.channels = tuple(channels)
        self._held: dict[int, list[Held]] = {channel: [] for channel in self.channels}
        self._used: dict[int, Fraction] = {}  # channel -> where its last note stops: least recent first
        self._order = {channel: index for index, channel in enumerate(self.channels)}
        self._pruned: Fraction | None = None  # where `prune` last cut

    @property
    def held(self) -> list[Held]:
        """Every note the pool knows of, channel by channel."""
        return [held for channel in self.channels for held in self._held[channel]]

    def _on(self, channel: int) -> list[Held]:
        return self._held[channel]

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
        best = None
        for channel in self.channels:
            notes = self._on(channel)
            if any(held.onset < end and held.stop > onset for held in notes):
                continue  # taken for part of the note
            if self._yield_at(notes, key, onset, end) < end:
                continue  # a stale note-off of this key would cut it
            rank = (self._used.get(channel, Fraction(-(10**12))), self._order[channel])
            if best is None or rank < best[0]:
                best = (rank, channel)
        if best is not None:
            return self._take(tag, best[1], key, onset, end, None)
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
        return self._take(tag, victim.channel, key, onset, stop, Steal(onset, victim))

    def _take(self, tag: Hashable, channel: int, key: int, onset: Fraction, end: Fraction, steal) -> Placement:
        held = Held(tag, channel, key, onset, end)
        self._held[channel].append(held)
        self._used[channel] = max(self._used.get(channel, end), end)
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

    def clear(self) -> None:
        """Everything was cancelled and every note ended (hush, panic, stop)."""
        self._keep(lambda held: False)

    def prune(self, before: Fraction) -> None:
        """Drop the notes whose sounding and stale note-off are both over before `before`."""
        self._pruned = before
        self._keep(lambda held: held.end >= before)

    def prune_due(self, before: Fraction) -> bool:
        """Whether `prune(before)` would be worth its cost: a quarter of a cycle or more since the last."""
        return self._pruned is None or before - self._pruned >= Fraction(1, 4) or before < self._pruned

    def sounding(self, cycle: Fraction) -> list[Held]:
        """The notes sounding at `cycle`."""
        return [held for held in self.held if held.onset <= cycle < held.stop]
