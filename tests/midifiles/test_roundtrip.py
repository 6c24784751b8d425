"""Property tests: MidiFile -> bytes -> MidiFile gives the same file."""

from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import load, save

from livemidi import Message, MetaMessage, MidiFile, MidiTrack, UnknownMetaMessage

deltas = st.integers(0, 0x0FFFFFFF)
channels = st.integers(0, 15)
data7 = st.integers(0, 127)

channel_messages = st.one_of(
    st.builds(lambda c, n, v, t: Message("note_on", channel=c, note=n, velocity=v, time=t), channels, data7, data7, deltas),
    st.builds(lambda c, n, v, t: Message("note_off", channel=c, note=n, velocity=v, time=t), channels, data7, data7, deltas),
    st.builds(lambda c, n, v, t: Message("polytouch", channel=c, note=n, value=v, time=t), channels, data7, data7, deltas),
    st.builds(lambda c, n, v, t: Message("control_change", channel=c, control=n, value=v, time=t),
              channels, data7, data7, deltas),
    st.builds(lambda c, p, t: Message("program_change", channel=c, program=p, time=t), channels, data7, deltas),
    st.builds(lambda c, v, t: Message("aftertouch", channel=c, value=v, time=t), channels, data7, deltas),
    st.builds(lambda c, p, t: Message("pitchwheel", channel=c, pitch=p, time=t), channels, st.integers(-8192, 8191), deltas),
    st.builds(lambda d, t: Message("sysex", data=d, time=t), st.lists(data7, max_size=300), deltas),
)
meta_messages = st.one_of(
    st.builds(lambda t, x: MetaMessage("set_tempo", tempo=x, time=t), deltas, st.integers(0, 0xFFFFFF)),
    st.builds(lambda t, x: MetaMessage("text", text=x, time=t), deltas, st.text(st.characters(max_codepoint=255))),
    st.builds(lambda t, x: MetaMessage("track_name", name=x, time=t), deltas, st.text(st.characters(max_codepoint=255))),
    st.builds(lambda t, x: MetaMessage("key_signature", key=x, time=t), deltas,
              st.sampled_from(["C", "Cb", "C#", "Am", "A#m", "Abm", "F", "Bbm"])),
    st.builds(lambda t, n, d: MetaMessage("time_signature", numerator=n, denominator=2**d, time=t),
              deltas, st.integers(0, 255), st.integers(0, 255)),
    st.builds(lambda t, r, h, m: MetaMessage("smpte_offset", frame_rate=r, hours=h, minutes=m, time=t),
              deltas, st.sampled_from([24, 25, 29.97, 30]), st.integers(0, 31), st.integers(0, 59)),
    st.builds(lambda t, d: MetaMessage("sequencer_specific", data=d, time=t), deltas, st.lists(st.integers(0, 255))),
    st.builds(lambda t, n: MetaMessage("sequence_number", number=n, time=t), deltas, st.integers(0, 0xFFFF)),
    st.builds(lambda t, b, d: UnknownMetaMessage(b, d, t), deltas, st.sampled_from([0x08, 0x0A, 0x60, 0x7E]),
              st.lists(st.integers(0, 255), max_size=20)),
)
tracks = st.lists(st.one_of(channel_messages, channel_messages, meta_messages), max_size=40).map(
    lambda messages: MidiTrack(messages + [MetaMessage("end_of_track", time=0)]))


@settings(max_examples=150, deadline=None)
@given(st.lists(tracks, min_size=1, max_size=4), st.integers(1, 0x7FFF), st.sampled_from([1, 2]))
def test_file_bytes_file(track_list, ticks_per_beat, file_type):
    mid = MidiFile(type=file_type, ticks_per_beat=ticks_per_beat, tracks=track_list)
    data = save(mid)
    again = load(data)
    assert again.type == file_type and again.ticks_per_beat == ticks_per_beat
    assert again.tracks == mid.tracks
    assert save(again) == data


@settings(max_examples=60, deadline=None)
@given(st.lists(tracks, min_size=1, max_size=3))
def test_playback_order_is_sorted_by_absolute_time(track_list):
    mid = MidiFile(tracks=track_list)
    seconds = 0.0
    merged_ticks = []
    tick = 0
    for msg in mid.merged_track:
        tick += msg.time
        merged_ticks.append(tick)
    assert merged_ticks == sorted(merged_ticks)
    assert sum(1 for msg in mid.merged_track if msg.type == "end_of_track") == 1
    for msg in mid:
        seconds += msg.time
    assert abs(seconds - mid.length) < 1e-6 * max(1.0, seconds)
