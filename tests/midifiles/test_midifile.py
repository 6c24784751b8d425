import io

import pytest
from helpers import EOT, load, save, smf

import livemidi
from livemidi import Message, MetaMessage, MidiFile, MidiTrack, merge_tracks


def song() -> MidiFile:
    mid = MidiFile(ticks_per_beat=100)
    conductor = mid.add_track("conductor")
    conductor.append(MetaMessage("set_tempo", tempo=1000000, time=0))  # 1 s a beat
    conductor.append(MetaMessage("set_tempo", tempo=250000, time=200))  # from tick 200: 0.25 s a beat
    piano = mid.add_track("piano")
    piano.append(Message("note_on", note=60, time=100))
    piano.append(Message("note_off", note=60, time=200))
    piano.append(Message("note_on", note=62, time=0))
    piano.append(Message("note_off", note=62, time=100))
    return mid


def test_iteration_honours_every_tempo_change():
    got = [(msg.type, msg.time) for msg in song()]
    assert got == [
        ("track_name", 0),
        ("set_tempo", 0),
        ("track_name", 0),
        ("note_on", 1.0),  # tick 100 at 1 s a beat
        ("set_tempo", 1.0),  # tick 200
        ("note_off", 0.25),  # tick 300, now 0.25 s a beat
        ("note_on", 0),
        ("note_off", 0.25),  # tick 400
        ("end_of_track", 0),
    ]
    assert song().length == pytest.approx(2.5)
    assert all(isinstance(msg.time, float) or msg.time == 0 for msg in song())


def test_iteration_yields_copies():
    mid = song()
    for msg in mid:
        if msg.type == "note_on":
            msg.note = 0
    assert mid.tracks[1][1].note == 60


def test_merged_track_is_cached_and_follows_track_changes():
    mid = song()
    merged = mid.merged_track
    assert merged is mid.merged_track
    assert [msg.time for msg in merged] == [0, 0, 0, 100, 100, 100, 0, 100, 0]
    assert merged == merge_tracks(mid.tracks)
    mid.tracks[1].append(Message("note_on", note=70, time=50))
    assert mid.merged_track is not merged and mid.merged_track[-2].note == 70
    mid.tracks.append(MidiTrack([Message("note_on", note=1, time=1000)]))
    assert mid.merged_track[-1] == MetaMessage("end_of_track", time=0)
    assert mid.merged_track[-2].note == 1
    mid.tracks = [MidiTrack()]
    assert list(mid.merged_track) == [MetaMessage("end_of_track")]
    # Changing a message in place is not seen until the cache is dropped.
    mid = song()
    assert mid.length == pytest.approx(2.5)
    mid.tracks[1][1].time = 200
    del mid.merged_track
    assert mid.length == pytest.approx(2.75)


def test_merge_tracks_keeps_track_order_at_equal_times_and_one_end_of_track():
    a = MidiTrack([Message("note_on", note=1, time=10), MetaMessage("end_of_track", time=90)])
    b = MidiTrack([Message("note_on", note=2, time=10), MetaMessage("end_of_track", time=5)])
    merged = merge_tracks([a, b])
    assert merged == [
        Message("note_on", note=1, time=10),
        Message("note_on", note=2, time=0),
        MetaMessage("end_of_track", time=90),
    ]
    assert merged[0] is not a[0]
    with pytest.raises(TypeError, match="expected only messages"):
        merge_tracks([[1, 2]])


def test_type_rules():
    with pytest.raises(ValueError, match="must be 0, 1 or 2"):
        MidiFile(type=3)
    mid = song()
    mid.type = 0
    with pytest.raises(ValueError, match="exactly 1 track"):
        save(mid)
    mid.type = 2
    with pytest.raises(ValueError, match="type 2"):
        mid.length
    with pytest.raises(TypeError, match="type 2"):
        list(mid)
    assert load(save(mid)).type == 2
    single = MidiFile(type=0, tracks=[MidiTrack([Message("note_on")])])
    assert load(save(single)).tracks[0] == [Message("note_on"), MetaMessage("end_of_track")]


def test_save_to_a_file_object_does_not_close_it(tmp_path):
    out = io.BytesIO()
    song().save(file=out)
    assert not out.closed and out.getvalue().startswith(b"MThd")
    path = tmp_path / "song.mid"
    song().save(path)
    assert path.read_bytes() == out.getvalue()
    with pytest.raises(ValueError, match="requires filename or file"):
        song().save()


def test_save_writes_end_of_track_and_drops_extra_ones():
    track = MidiTrack([Message("note_on", time=5), MetaMessage("end_of_track", time=3), Message("note_off", time=2)])
    data = save(MidiFile(tracks=[track]))
    assert data == smf(b"\x05\x90\x00\x40" + b"\x05\x80\x00\x40" + EOT)


@pytest.mark.parametrize(
    "msg, text",
    [
        (Message("note_on", time=0.5), "time must be an int"),
        (Message("note_on", time=-1), "non-negative"),
        (Message("clock"), "real-time messages are not allowed"),
    ],
)
def test_save_errors_name_the_message(msg, text):
    mid = MidiFile(tracks=[MidiTrack([Message("note_on"), msg])])
    with pytest.raises(ValueError, match=text) as error:
        save(mid)
    assert "message 1 of track 0" in str(error.value)


def test_repr_is_evaluable():
    mid = song()
    text = repr(mid)
    assert text.startswith("MidiFile(type=1, ticks_per_beat=100, tracks=[\n  MidiTrack([\n")
    again = eval(text, vars(livemidi))
    assert again.tracks == mid.tracks and again.ticks_per_beat == 100
    assert repr(MidiFile()) == "MidiFile(type=1, ticks_per_beat=480)"
    assert repr(MidiTrack()) == "MidiTrack()"
    assert eval(repr(MidiTrack([Message("note_on")])), vars(livemidi)) == [Message("note_on")]


def test_track_name_and_list_behaviour():
    track = MidiTrack()
    assert track.name == ""
    track.name = "Bass"
    assert track[0] == MetaMessage("track_name", name="Bass")
    track.name = "Lead"
    assert len(track) == 1 and track.name == "Lead"
    track.append(Message("note_on"))
    assert type(track[0:1]) is MidiTrack and type(track + track) is MidiTrack and type(track * 2) is MidiTrack
    assert type(track.copy()) is MidiTrack and track.copy() == track


def test_print_tracks(capsys):
    song().print_tracks(meta_only=True)
    out = capsys.readouterr().out
    assert out.startswith("=== Track 0\nMetaMessage('track_name', name='conductor', time=0)\n")
    assert "note_on" not in out
    song().print_tracks()
    assert "Message('note_on', channel=0, note=60, velocity=64, time=100)" in capsys.readouterr().out


class VirtualClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds * 1.01  # a sleep that oversleeps by 1%


def test_play_waits_for_absolute_deadlines_without_drift():
    mid = MidiFile(ticks_per_beat=100)
    track = mid.add_track()
    for _ in range(200):
        track.append(Message("note_on", time=10))  # 0.05 s apart at 120 bpm
    clock = VirtualClock()
    played = []
    for msg in mid.play(now=clock.time, sleep=clock.sleep):
        played.append((msg, clock.now - 1000.0))
    assert [msg.type for msg, _ in played] == ["note_on"] * 200
    for index, (_msg, at) in enumerate(played):
        assert (index + 1) * 0.05 <= at <= (index + 1) * 0.05 + 0.001  # the error does not add up
    assert clock.sleeps[0] == pytest.approx(0.05)


def test_play_meta_messages_on_request():
    clock = VirtualClock()
    types = [msg.type for msg in song().play(meta_messages=True, now=clock.time, sleep=clock.sleep)]
    assert types[0] == "track_name" and types[-1] == "end_of_track"
    assert clock.now - 1000.0 >= 2.5


def test_play_default_clock_is_real_time():
    import time

    mid = MidiFile(tracks=[MidiTrack([Message("note_on", time=48)])])  # 0.05 s at 120 bpm
    start = time.time()
    assert [msg.type for msg in mid.play()] == ["note_on"]
    assert time.time() - start >= 0.05


def test_context_manager():
    with MidiFile() as mid:
        assert mid.tracks == []
