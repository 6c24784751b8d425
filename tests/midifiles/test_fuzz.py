"""Mutated files either load or raise MidiParseError: no other exception, no hang."""

import random
import time
import warnings

import pytest
from helpers import load, save

from livemidi import Message, MetaMessage, MidiFile, MidiParseError, MidiTrack


def _seed_files() -> list[bytes]:
    rng = random.Random(7)
    files = []
    for file_type in (0, 1):
        tracks = []
        for number in range(1 if file_type == 0 else 3):
            track = MidiTrack([MetaMessage("track_name", name=f"t{number}"), MetaMessage("set_tempo", tempo=400000)])
            track.append(MetaMessage("key_signature", key="Em"))
            track.append(MetaMessage("time_signature", numerator=3, denominator=4))
            track.append(Message("sysex", data=[1, 2, 3]))
            for _ in range(25):
                note = rng.randrange(128)
                track.append(Message("note_on", channel=number, note=note, velocity=rng.randrange(1, 128),
                                     time=rng.choice([0, 5, 200, 3000])))
                track.append(Message("control_change", channel=number, control=7, value=rng.randrange(128)))
                track.append(Message("pitchwheel", channel=number, pitch=rng.randrange(-8192, 8192)))
                track.append(Message("note_off", channel=number, note=note, time=rng.randrange(300)))
            tracks.append(track)
        files.append(save(MidiFile(type=file_type, tracks=tracks)))
    return files


def _mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 8])):
        position = rng.randrange(len(data)) if data else 0
        kind = rng.randrange(5)
        if kind == 0 and data:
            data[position] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:
            data[position] = rng.randrange(256)
        elif kind == 2:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
        elif kind == 3 and data:
            del data[position:position + rng.randrange(1, 4)]
        else:
            del data[rng.randrange(len(data) + 1):]
    return bytes(data)


@pytest.mark.parametrize("strict", [None, True, False])
def test_mutated_files_load_or_raise_midi_parse_error(strict):
    rng = random.Random({None: 2023, True: 2025, False: 2024}[strict])
    files = _seed_files()
    outcomes = {"loaded": 0, "error": 0}
    started = time.monotonic()
    for case in range(1500):
        data = _mutate(rng, rng.choice(files))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mid = load(data, strict=strict)
        except MidiParseError:
            outcomes["error"] += 1
            continue
        except Exception as error:  # pragma: no cover - the failure we look for
            raise AssertionError(f"case {case}: {type(error).__name__}: {error}; data={data.hex()}") from error
        outcomes["loaded"] += 1
        # What loads is usable: it iterates, and saves unless it holds what a file cannot.
        if mid.type != 2:
            list(mid)
        try:
            save(mid)
        except ValueError as error:
            # A file cannot hold real-time messages; a damaged type 0 file may
            # load (leniently) with other than one track.
            assert "real-time" in str(error) or "type 0 file must have exactly 1 track" in str(error), error
    assert outcomes["loaded"] > 100 and outcomes["error"] > 100, outcomes
    assert time.monotonic() - started < 30
