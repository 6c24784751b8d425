"""The same file read by mido and livemidi gives equal messages (mido is a dev dependency)."""

import io
import random

import pytest
from helpers import save

import livemidi

mido = pytest.importorskip("mido")


def _as_dicts(messages):
    return [(type(msg).__name__, msg.dict()) for msg in messages]


def _file() -> bytes:
    rng = random.Random(3)
    mid = livemidi.MidiFile(ticks_per_beat=96)
    conductor = mid.add_track("conductor")
    for _ in range(20):
        conductor.append(livemidi.MetaMessage("set_tempo", tempo=rng.randrange(300000, 900000), time=rng.randrange(400)))
    conductor.append(livemidi.MetaMessage("key_signature", key="Ebm"))
    conductor.append(livemidi.UnknownMetaMessage(0x60, [1, 2]))
    for channel in range(3):
        track = mid.add_track(f"part {channel}")
        for _ in range(300):
            kind = rng.randrange(6)
            time = rng.choice([0, 0, 12, 48, 96, 200])
            if kind == 0:
                track.append(livemidi.Message("pitchwheel", channel=channel, pitch=rng.randrange(-8192, 8191), time=time))
            elif kind == 1:
                track.append(livemidi.Message("sysex", data=[rng.randrange(128) for _ in range(5)], time=time))
            else:
                note = rng.randrange(128)
                track.append(livemidi.Message("note_on", channel=channel, note=note, velocity=99, time=time))
                track.append(livemidi.Message("note_off", channel=channel, note=note, time=rng.randrange(100)))
    return save(mid)


def test_same_messages_as_mido():
    data = _file()
    ours = livemidi.MidiFile(file=io.BytesIO(data))
    theirs = mido.MidiFile(file=io.BytesIO(data))
    for track, their_track in zip(ours.tracks, theirs.tracks):
        assert _as_dicts(track) == _as_dicts(their_track)
    assert _as_dicts(ours) == _as_dicts(theirs)
    assert _as_dicts(ours.merged_track) == _as_dicts(theirs.merged_track)
    assert ours.length == theirs.length
    out = io.BytesIO()
    theirs.save(file=out)
    assert save(ours) == out.getvalue() == data


def test_units_match_mido():
    for args in [(480, 480, 500000), (1, 96, 123456), (99999, 1000, 1)]:
        assert livemidi.tick2second(*args) == mido.tick2second(*args)
        assert livemidi.second2tick(livemidi.tick2second(*args), *args[1:]) == mido.second2tick(mido.tick2second(*args), *args[1:])
    for bpm in (1, 60, 93.5, 120, 333):
        for signature in ((4, 4), (6, 8), (3, 2)):
            assert livemidi.bpm2tempo(bpm, signature) == mido.bpm2tempo(bpm, signature)
            assert livemidi.tempo2bpm(500000, signature) == mido.tempo2bpm(500000, signature)
