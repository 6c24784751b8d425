"""The channel pool decides exactly as a plain model of it does (`pool_reference.ReferenceChannels`, the pool
as first written: a scan of every held note per placement), over random streams of notes, windows rendered
again, cancellations, hushes, prunes and clears: same channels, same ends, same steals, same notes held."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st
from pool_reference import ReferenceChannels

from livemidi.session.voices import Channels

TAGS = "abc"
quarters = st.integers(-6, 6)  # from the cursor, in quarter cycles: behind it is a window rendered again
tags = st.sampled_from(TAGS)
arguments = {
    "place": st.tuples(tags, st.sampled_from([60, 61, 62]), st.integers(-4, 8), st.integers(0, 16)),
    "advance": st.tuples(st.integers(0, 4)),
    "forget": st.tuples(st.one_of(st.none(), st.sets(tags, min_size=1)), quarters),
    "release": st.tuples(tags, quarters),
    "prune": st.tuples(quarters),
    "prune_due": st.tuples(quarters),
    "sounding": st.tuples(quarters),
    "clear": st.tuples(),
}
# Mostly notes, going forward (steals need every channel busy); the rest now and then (most re-summarize).
others = [kind for kind in arguments if kind not in ("place", "advance")]
kinds = st.sampled_from(["place"] * 16 + ["advance"] * 6 + others)
ops = kinds.flatmap(lambda kind: arguments[kind].map(lambda args: (kind, *args)))


def described(held):
    return None if held is None else (held.tag, held.channel, held.key, held.onset, held.end, held.cut, held.cut_tag)


def outcome(result):
    """A pool's answer, with its notes described (the two pools' notes are objects of their own)."""
    if result is None or isinstance(result, bool):
        return result
    if isinstance(result, list):
        return [described(held) for held in result]
    steal = None if result.steal is None else (result.steal.cycle, described(result.steal.held))
    return result.channel, result.end, steal, described(result.held)


@settings(max_examples=400, deadline=None)
@given(
    channels=st.lists(st.integers(0, 15), min_size=1, max_size=4, unique=True),
    script=st.lists(ops, min_size=10, max_size=80),
)
def test_the_pool_places_as_the_plain_model_does(channels, script):
    fast, model = Channels(channels), ReferenceChannels(channels)
    cursor = 0  # in quarter cycles: where rendering has reached, mostly forward
    for op in script:
        kind, *args = op
        if kind == "advance":
            cursor += args[0]
            continue
        if kind == "place":
            tag, key, ahead, length = args
            onset = F(cursor + ahead, 4)
            call = ("place", tag, key, onset, onset + F(length, 4))
        elif kind == "forget":
            call = ("forget", args[0], F(cursor + args[1], 4))
        elif kind == "release":
            call = ("release", args[0], F(cursor + args[1], 4))
        elif kind == "clear":
            call = ("clear",)
        else:
            call = (kind, F(cursor + args[0], 4))
        name, *values = call
        got, expected = getattr(fast, name)(*values), getattr(model, name)(*values)
        assert outcome(got) == outcome(expected), f"{call}"
        assert outcome(fast.held) == outcome(model.held), f"after {call}"


def test_a_channel_used_last_but_free_sooner_ranks_before_one_used_earlier():
    # Channel 3 is taken last, until 5; channel 2's note, placed before it, lasts until 6: at 7 the
    # least recently used is 1 (until 4), then 3, then 2. (The summaries must not rank by use alone.)
    fast, model = Channels((1, 2, 3)), ReferenceChannels((1, 2, 3))
    for pool in (fast, model):
        pool.place("a", 60, F(0), F(4))  # channel 1 until 4
        pool.place("a", 61, F(1), F(6))  # 2 until 6
        pool.place("a", 62, F(2), F(3))  # 3 until 3
    assert fast.place("b", 63, F(3), F(5)).channel == model.place("b", 63, F(3), F(5)).channel == 3
    assert fast.place("b", 64, F(7), F(8)).channel == model.place("b", 64, F(7), F(8)).channel == 1
    assert fast.place("b", 65, F(7), F(8)).channel == model.place("b", 65, F(7), F(8)).channel == 3


def test_a_channel_whose_note_was_stolen_is_free_once_the_stealer_ends():
    # a60 holds channel 1 to 8 but is stolen at 1 (both channels busy) by b61, to 2. A note of another key
    # at 3 (a window rendered again, channel 2 holding a later note) takes channel 1, the least recently
    # used free one: the steal shortened what channel 1 holds.
    fast, model = Channels((1, 2)), ReferenceChannels((1, 2))
    for pool in (fast, model):
        pool.place("a", 60, F(0), F(8))
        pool.place("a", 62, F(0), F(2))
        assert pool.place("b", 61, F(1), F(2)).steal.held.key == 60
        assert pool.place("c", 64, F(20), F(21)).channel == 2
    assert fast.place("d", 65, F(3), F(4)).channel == model.place("d", 65, F(3), F(4)).channel == 1
