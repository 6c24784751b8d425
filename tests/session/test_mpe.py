"""MPE outputs and microtones on a virtual clock: configuration, channels per note, steals, swaps, refusals."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from session_helpers import Rig

from livemidi import Message
from livemidi.pattern import note, stack
from livemidi.session import PatternError
from livemidi.session.mpe import PortMode, configuration, port_mode


def rpn(channel, number, msb, lsb=0):
    cc = lambda control, value: Message("control_change", channel=channel, control=control, value=value)  # noqa: E731
    return [cc(101, 0), cc(100, number), cc(6, msb), cc(38, lsb), cc(101, 127), cc(100, 127)]


def mpe_rig(**mode):
    rig = Rig(outputs=())
    rig.session.add_output("synth", **({"mpe": True} | mode))
    return rig


def sent_on(rig, port=0):
    return [(cycle, msg) for cycle, p, msg in rig.sent if p == port]


def sounding_check(stream, members):
    """Replay a port's stream: returns the notes placed as (onset, channel, note), checking that no member
    channel ever holds two notes and that every note ends."""
    held: dict[int, set] = {}
    placed = []
    for cycle, msg in stream:
        if msg.type == "note_on" and msg.velocity:
            if msg.channel in members:
                assert not held.get(msg.channel), f"channel {msg.channel} holds {held[msg.channel]} at {cycle}: {msg}"
            held.setdefault(msg.channel, set()).add(msg.note)
            placed.append((cycle, msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            held.get(msg.channel, set()).discard(msg.note)
    return placed, {channel: notes for channel, notes in held.items() if notes}


# -- configuration ------------------------------------------------------------------------------


def test_an_mpe_output_is_sent_its_configuration_first_lower_zone_by_default():
    rig = mpe_rig()
    rig.start()
    rig.session.p.a = note("c4")
    rig.run(1)
    messages = [msg for _, msg in sent_on(rig)]
    expected = rpn(0, 6, 15) + rpn(0, 0, 2) + [m for channel in range(1, 16) for m in rpn(channel, 0, 48)]
    assert messages[: len(expected)] == expected
    assert messages[len(expected)].type == "pitchwheel"  # then the first note


def test_the_upper_zone_and_the_member_count_and_ranges_are_chosen():
    mode = port_mode({"mpe": "upper", "members": 3, "bend_range": 24, "manager_bend_range": 12})
    assert mode == PortMode("mpe", (14, 13, 12), 24.0, 15, 12.0)
    assert configuration(mode) == rpn(15, 6, 3) + rpn(15, 0, 12) + rpn(14, 0, 24) + rpn(13, 0, 24) + rpn(12, 0, 24)
    assert configuration(port_mode({"microtonal_channels": [3, 4], "bend_range": 2.5})) == rpn(3, 0, 2, 50) + rpn(4, 0, 2, 50)


@pytest.mark.parametrize(
    "options, error",
    [
        ({"mpe": "middle"}, "mpe must be True .* 'lower' or 'upper', found 'middle'"),
        ({"mpe": True, "members": 16}, r"members .* must be 1..15, found 16"),
        ({"mpe": True, "bend_range": 0}, "bend_range must be a number of semitones above 0, up to 96, found 0"),
        ({"microtonal_channels": [1, 16]}, r"microtonal_channels must be a list of channels 0..15 .* \[1, 16\]"),
        ({"microtonal_channels": []}, "microtonal_channels must be a list of channels"),
        ({"microtonal_channels": [1, 1]}, "lists a channel twice"),
        ({"mpe": True, "microtonal_channels": [1]}, "either MPE .* or has microtonal_channels, not both"),
        ({"bend_range": 12}, r"bend_range only apply with mpe=True or microtonal_channels"),
        ({"microtonal_channels": [1], "members": 3}, "members and manager_bend_range are MPE options"),
    ],
)
def test_bad_mode_options_are_refused_before_anything_opens(options, error):
    rig = Rig(outputs=())
    with pytest.raises(ValueError, match=error):
        rig.session.add_output("synth", **options)
    assert rig.session.outputs == [] and rig.sender.ports == []


# -- one channel per note -----------------------------------------------------------------------


def test_overlapping_notes_get_distinct_member_channels_each_with_its_bend_before_its_note_on():
    rig = mpe_rig(members=4)
    rig.start()
    rig.session.p.pad = note("[c4, e4, g4] [d4, f4]").legato(1.5).pressure(30).timbre(90)
    rig.run(2.5)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0]
    placed, left = sounding_check(stream, range(1, 5))
    first_bar = [(c, ch, n) for c, ch, n in placed if c < 1]
    assert [n for _, _, n in first_bar] == [60, 64, 67, 62, 65]
    assert len({ch for c, ch, _ in first_bar if c == 0}) == 3  # a chord: three channels
    for cycle, channel, _ in placed:  # bend, pressure, timbre on the note's channel just before it
        before = [m for c, m in stream if c == cycle and getattr(m, "channel", None) == channel]
        on = next(i for i, m in enumerate(before) if m.type == "note_on")
        assert [m.type for m in before[on - 3 : on]] == ["pitchwheel", "aftertouch", "control_change"]
        assert (before[on - 3].pitch, before[on - 2].value, before[on - 1].value) == (0, 30, 90)
    assert not left or rig.session.tempo_map.running


def test_key_pressure_and_an_nrpn_of_a_note_follow_it_to_its_member_channel_pressure_after_the_note_on():
    rig = mpe_rig(members=4)
    rig.start()
    rig.session.p.a = note("[c4, e4]").nrpn(0x0120, 8192).polytouch(40)
    rig.run(1.5)
    stream = [(c, m) for c, m in sent_on(rig) if 0 <= c < 1]
    channels = sorted({m.channel for _, m in stream if m.type == "note_on"})
    assert len(channels) == 2 and all(1 <= ch <= 4 for ch in channels)
    for channel in channels:
        mine = [m for _, m in stream if m.channel == channel]
        kinds = [m.type for m in mine]
        on = kinds.index("note_on")
        assert kinds[on + 1] == "polytouch" and mine[on + 1].value == 40 and mine[on + 1].note == mine[on].note
        sequence = [(m.control, m.value) for m in mine[:on] if m.type == "control_change" and m.control != 74]
        assert sequence == [(99, 2), (98, 32), (6, 64), (38, 0), (101, 127), (100, 127)]


def test_the_least_recently_used_free_channel_comes_first_and_releases_free_channels():
    rig = mpe_rig(members=3)
    rig.start()
    rig.session.p.a = note("c4 d4 e4 f4 g4 a4")
    rig.run(2.2)
    placed, _ = sounding_check([(c, m) for c, m in sent_on(rig) if c >= 0], (1, 2, 3))
    channels = [ch for c, ch, _ in placed]
    assert channels[:9] == [1, 2, 3] * 3  # one after another: the channel released longest ago, round and round


def test_a_stolen_note_gets_its_note_off_before_the_note_that_takes_its_channel():
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("c4 e4 g4 b4").duration(4)  # each note lasts four bars: the third must steal
    rig.run(1.5)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0]
    placed, _ = sounding_check(stream, (1, 2))
    assert placed[:4] == [(0, 1, 60), (F(1, 4), 2, 64), (F(1, 2), 1, 67), (F(3, 4), 2, 71)]
    at_half = [m for c, m in stream if c == F(1, 2) and m.channel == 1]
    assert at_half[0] == Message("note_off", channel=1, note=60, velocity=0)


def test_a_stale_note_off_never_cuts_the_note_that_took_the_channel():
    # a's c4 (0 to 4) is stolen at 3/2 by b's c4; a's own note-off at 4 was shipped with its note-on and
    # would cut b's c4 (same key, same channel). b's c4 may go nowhere else (one member), so it is
    # placed to end at 4 with it: it is never cut unawares, and the stream says so.
    rig = mpe_rig(members=1)
    rig.start()
    rig.session.p.a = note("c4").duration(4).slow(16)
    rig.run(0.2)
    rig.session.p.b = note("~ c4").duration(3)  # from bar 1
    rig.run_to_cycle(F(5, 4))
    rig.session.stop_loop("b")  # at bar 2: one c4 only
    rig.run(4)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0 and m.type in ("note_on", "note_off")]
    assert stream == [
        (0, Message("note_on", channel=1, note=60, velocity=100)),
        (F(3, 2), Message("note_off", channel=1, note=60, velocity=0)),  # the steal
        (F(3, 2), Message("note_on", channel=1, note=60, velocity=100)),
        (4, Message("note_off", channel=1, note=60, velocity=0)),  # a's stale one, and b's own: together
        (4, Message("note_off", channel=1, note=60, velocity=0)),
    ]


def test_a_note_of_another_key_is_stolen_first_so_a_stale_note_off_cannot_cut():
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("c4 e4").duration(4).slow(16)  # c4 at 0, e4 at 8: only c4 in the first bars
    rig.session.p.b = note("~ g4").duration(4).slow(16)  # g4 at 8
    rig.session.p.c = note("~ ~ d4 c4").duration(2)  # d4 at 1/2 takes channel 2; c4 at 3/4 must steal
    rig.run(0.9)
    stream = [(c, m) for c, m in sent_on(rig) if 0 <= c < 1 and m.type in ("note_on", "note_off")]
    placed, _ = sounding_check(stream, (1, 2))
    assert placed == [(0, 1, 60), (F(1, 2), 2, 62), (F(3, 4), 2, 60)]  # d4 is stolen, not the other c4
    assert (F(3, 4), Message("note_off", channel=2, note=62, velocity=0)) in stream


def test_more_notes_at_one_instant_than_members_drops_the_extra_with_a_notice():
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("[c4, e4, g4]")
    rig.run(1.2)
    placed, _ = sounding_check([(c, m) for c, m in sent_on(rig) if c >= 0], (1, 2))
    assert [n for c, _, n in placed if c == 0] == [60, 64]
    assert any("more notes at once than its 2 channels" in text for text in rig.notices)


def test_messages_of_no_note_go_to_the_manager_channel():
    rig = mpe_rig(mpe="upper")
    rig.start()
    rig.session.p.a = stack(note("c4").program(5).ch(3), note("~").cc(1, 64))
    rig.run(1)
    stream = [m for c, m in sent_on(rig) if c >= 0]
    assert Message("program_change", channel=15, program=5) in stream
    on = next(m for m in stream if m.type == "note_on")
    assert on.channel == 14


# -- microtones ----------------------------------------------------------------------------------


def test_microtones_on_mpe_are_the_nearest_key_and_a_per_note_bend():
    rig = mpe_rig()
    rig.start()
    rig.session.p.a = note("60.5 64.25 [67 59.75]").bend(100)
    rig.run(1)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0]
    pairs = []
    for cycle, msg in stream:
        if msg.type == "pitchwheel":
            bend = msg.pitch
        elif msg.type == "note_on":
            pairs.append((msg.note, bend))
    # bend = the note's own 100 plus the offset: -0.5 semitone of 48 is -85.33 -> -85 ...
    assert pairs == [(61, 100 - 85), (64, 100 + 43), (67, 100), (60, 100 - 43)]


def test_microtones_on_an_ordinary_port_take_turns_on_the_microtonal_channels():
    rig = Rig(outputs=())
    rig.session.add_output("gm", microtonal_channels=[1, 2, 3])
    rig.start()
    rig.session.p.a = note("60.5 62 61.5 [63.5, 67.5]").ch(0)
    rig.session.p.b = note("c3 d3").ch(5)  # whole notes on a channel of their own: exactly as anywhere
    rig.run(1)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0]
    assert not any(m.type == "aftertouch" or (m.type == "control_change" and m.control == 74) for _, m in stream)
    pairs, bend = [], {}
    for cycle, msg in stream:
        if msg.type == "pitchwheel":
            bend[msg.channel] = msg.pitch
        elif msg.type == "note_on":
            pairs.append((cycle, msg.channel, msg.note, bend.get(msg.channel)))
    assert sorted(pairs) == sorted([
        (0, 1, 61, -2048), (0, 5, 48, None), (F(1, 4), 0, 62, None), (F(1, 2), 5, 50, None),
        (F(1, 2), 2, 62, -2048), (F(3, 4), 3, 64, -2048), (F(3, 4), 1, 68, -2048),
    ])


def test_a_microtone_on_an_ordinary_port_is_refused_naming_the_note_and_what_to_do():
    rig = Rig()
    rig.start()
    rig.session.p.a = note("c4")
    with pytest.raises(PatternError, match=r"note 64\.5 is between two keys, and output 'out' plays whole notes only"):
        rig.session.p.a = note("c4 64.5")
    rig.run(1)
    assert [n for _, n in rig.notes_on()] == [60]


def test_whole_notes_on_an_ordinary_port_are_sent_as_before_without_any_bend():
    plain, micro = Rig(), Rig(outputs=())
    micro.session.add_output("out", microtonal_channels=[4, 5])
    for rig in (plain, micro):
        rig.start()
        rig.session.p.a = note("c4 [e4 g4] <a4 b4>").bend("<0 100>").ch(1)
        rig.run(2)
    assert [(c, m) for c, m in sent_on(micro) if c >= 0] == [(c, m) for c, m in sent_on(plain) if c >= 0]


# -- swaps, mutes, hush, panic ------------------------------------------------------------------


def test_a_swap_frees_the_channels_of_the_cancelled_notes():
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("c4 e4").duration(F(1, 8))
    rig.run(0.9)
    rig.session.p.a = note("g4 b4 d5 f5").duration(F(1, 8))  # from bar 1
    rig.run(1.2)
    placed, left = sounding_check([(c, m) for c, m in sent_on(rig) if c >= 0], (1, 2))
    assert [n for c, _, n in placed if 1 <= c < 2] == [67, 71, 74, 77]
    assert not rig.notices


def test_hush_and_panic_free_every_channel():
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("[c4, e4]").duration(16)
    rig.run(0.5)
    rig.session.hush()
    rig.session.p.b = note("g4 a4")
    rig.run(1.2)
    rig.session.panic()
    rig.session.p.c = note("[b4, d5]")
    rig.run(1.2)
    placed, left = sounding_check([(c, m) for c, m in sent_on(rig) if c >= 0 and m.type != "control_change"], (1, 2))
    assert not any("more notes at once" in text for text in rig.notices)
    assert {n for _, _, n in placed} >= {60, 64, 67, 69, 71, 74}


def test_pressure_and_timbre_on_an_ordinary_port_are_channel_pressure_and_cc74_on_the_notes_channel():
    rig = Rig()
    rig.start()
    rig.session.p.a = note("c4 e4").pressure("20 40").timbre(90).ch(2)
    rig.run(0.9)
    stream = [m for c, m in sent_on(rig) if c >= 0]
    assert stream[:3] == [
        Message("aftertouch", channel=2, value=20),
        Message("control_change", channel=2, control=74, value=90),
        Message("note_on", channel=2, note=60, velocity=100),
    ]
    assert not any(m.type == "pitchwheel" for m in stream)


def test_channels_never_leak_over_many_bars_of_overlapping_notes():
    # isobar's MPE freed the wrong slot on note-off and ran out of channels; here two members carry
    # sixteen bars of notes that overlap the next one, with never a steal and never a drop.
    rig = mpe_rig(members=2)
    rig.start()
    rig.session.p.a = note("c4 d4 e4 f4 g4 a4 b4 c5").duration(F(3, 16))
    rig.run(16)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0 and m.type in ("note_on", "note_off")]
    placed, _ = sounding_check(stream, (1, 2))
    assert len(placed) >= 8 * 15 and [ch for _, ch, _ in placed[:8]] == [1, 2] * 4
    offs = [c for c, m in stream if m.type == "note_off"]
    assert all(c - onset == F(3, 16) for (onset, _, _), c in zip(placed, offs))  # each ends on its own
    assert not rig.notices


@pytest.mark.parametrize(
    "undo",
    [
        lambda session: session.mute("short"),
        lambda session: session.play("short", note("~"), at="now"),  # cancels it, with e4
    ],
    ids=["muted", "swapped at once"],
)
def test_a_note_cut_by_a_steal_stays_cut_when_the_stealing_loop_is_muted_or_swapped(undo):
    rig = mpe_rig(members=1)
    rig.start()
    rig.session.p.long = note("c4").duration(8)
    rig.run(0.2)
    rig.session.p.short = note("~ e4").duration(F(1, 8))  # from bar 1: steals c4's channel at 3/2
    rig.run_to_cycle(F(3, 2) - F(1, 100))  # the steal's note-off is shipped by now
    undo(rig.session)
    rig.session.p.other = note("~ ~ ~ g4").duration(F(1, 8))  # from bar 2: the channel is free after 3/2
    rig.run(2.5)
    stream = [(c, m) for c, m in sent_on(rig) if c >= 0]
    placed, left = sounding_check(stream, (1,))
    assert (F(3, 2), Message("note_off", channel=1, note=60, velocity=0)) in stream  # c4 stays cut
    assert (F(11, 4), 1, 67) in placed
