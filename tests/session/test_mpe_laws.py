"""Laws of MPE channel allocation: no member channel holds two notes at once, every note-on has its
note-off, and no stale note-off falls inside another note of its key; across swaps, mutes, hush and panic."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_helpers import Rig

from livemidi.errors import LoopNotFoundError
from livemidi.pattern import note, stack
from livemidi.session.voices import Channels

KEYS = [60, 60.5, 62, 64, 64.25]  # few keys (and microtones of them): the same key meets itself often
durations = st.sampled_from([F(1, 8), F(1, 4), F(1, 2), F(1), F(3), F(6)])


@st.composite
def patterns(draw):
    steps = draw(st.lists(
        st.one_of(st.just("~"), st.lists(st.sampled_from(KEYS), min_size=1, max_size=3)), min_size=1, max_size=4))
    text = " ".join(s if s == "~" else "[" + ", ".join(str(k) for k in s) + "]" for s in steps)
    return note(text).duration(draw(durations)), text


ops = st.one_of(
    st.tuples(st.just("play"), st.sampled_from("abc"), patterns()),
    st.tuples(st.just("mute"), st.sampled_from("abc")),
    st.tuples(st.just("unmute"), st.sampled_from("abc")),
    st.tuples(st.just("stop_loop"), st.sampled_from("abc")),
    st.tuples(st.just("hush")),
    st.tuples(st.just("panic")),
    st.tuples(st.just("run"), st.sampled_from([0.01, 0.02, 0.05, 0.3, 0.7, 1.3])),
)


def replay(sent, members):
    """The sent stream in order: (placed notes, what still sounds, member-channel clashes)."""
    held: dict[tuple, set] = {}
    clashes = []
    for cycle, port, msg in sent:
        if msg.type == "note_on" and msg.velocity:
            if msg.channel in members and held.get((port, msg.channel)):
                clashes.append((cycle, msg, set(held[(port, msg.channel)])))
            held.setdefault((port, msg.channel), set()).add(msg.note)
        elif msg.type in ("note_on", "note_off"):
            held.get((port, msg.channel), set()).discard(msg.note)
    return {key: notes for key, notes in held.items() if notes}, clashes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.integers(1, 4), upper=st.booleans(), script=st.lists(ops, min_size=1, max_size=14))
def test_no_member_channel_holds_two_notes_and_every_note_ends(members, upper, script):
    rig = Rig(outputs=())
    rig.session.add_output("synth", mpe="upper" if upper else "lower", members=members)
    member_channels = set(rig.session._voices.mode(0).channels)
    rig.session.quantize = "beat"
    rig.start()
    for op in script:
        kind, *args = op
        session = rig.session
        try:
            if kind == "play":
                session.play(args[0], args[1][0])
            elif kind in ("mute", "unmute", "stop_loop"):
                getattr(session, kind)(args[0])
            elif kind in ("hush", "panic"):
                getattr(session, kind)()
            else:
                rig.run(args[0])
        except LoopNotFoundError:  # nothing changed
            pass
    rig.run(0.3)
    rig.session.hush()
    rig.run(0.2)
    left, clashes = replay(rig.sent, member_channels)
    assert not clashes, f"a member channel held two notes: {clashes[:3]}"
    assert not left, f"left sounding: {left}"
    assert len(rig.sender.ledger) == 0


@settings(max_examples=200, deadline=None)
@given(
    channels=st.integers(1, 4),
    notes=st.lists(st.tuples(st.integers(0, 16), st.sampled_from([60, 61, 62]), st.integers(1, 24)), max_size=30),
)
def test_the_pool_never_overlaps_and_no_stale_note_off_falls_inside_a_note_of_its_key(channels, notes):
    pool = Channels(range(1, channels + 1))
    placed = []
    for onset, key, length in sorted(notes, key=lambda n: n[0]):
        onset = F(onset, 4)
        placement = pool.place("t", key, onset, onset + F(length, 4))
        if placement is not None:
            assert onset < placement.end <= onset + F(length, 4)
            placed.append(placement.held)
    for a in placed:
        for b in placed:
            if a is b or a.channel != b.channel:
                continue
            assert a.stop <= b.onset or b.stop <= a.onset, f"{a} and {b} overlap"
            if a.cut is not None and a.key == b.key and b.onset >= a.cut:
                assert not b.onset < a.end < b.end, f"{a}'s old note-off at {a.end} cuts {b}"


def test_a_pool_never_leaks_a_channel_released_notes_free_them_for_ever():
    # isobar's MPE freed the wrong slot on note-off, so channels ran out over time: here a thousand
    # notes one after another, each overlapping the next, never run out of two channels.
    pool = Channels((1, 2))
    for step in range(1000):
        onset = F(step, 4)
        placement = pool.place("t", 60 + step % 5, onset, onset + F(3, 8))
        assert placement is not None and placement.steal is None, f"step {step}"
        pool.prune(onset - 1)
    assert len(pool.held) <= 6


def test_stack_of_loops_sharing_a_port_share_its_channels():
    rig = Rig(outputs=())
    rig.session.add_output("synth", mpe=True, members=3)
    rig.start()
    rig.session.p.a = note("c4 e4").duration(F(3, 4))
    rig.session.p.b = stack(note("~ g4"), note("~ ~ ~ b4")).duration(F(3, 4))
    rig.run(2.2)
    left, clashes = replay(rig.sent, {1, 2, 3})
    assert not clashes
