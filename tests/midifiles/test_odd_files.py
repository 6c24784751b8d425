"""Odd files that mido 1.3.3 loads: livemidi loads them too, with the same messages and one warning per repair.

Each file is built byte by byte, read by mido (the oracle) and by livemidi.
``strict=True`` refuses every one of them.
"""

import io
import warnings

import pytest
from helpers import EOT, load, mthd, mtrk, smf

import livemidi
from livemidi import MidiFileWarning, MidiParseError
from livemidi.errors import MidiFormatError, MidiTruncatedError

mido = pytest.importorskip("mido")

NOTE_ON = b"\x00\x90\x3c\x40"
NOTE_OFF = b"\x83\x60\x80\x3c\x00"
NOTES = NOTE_ON + NOTE_OFF


def dicts(messages) -> list:
    return [msg.dict() for msg in messages]


def read_both(data: bytes, **kwargs):
    """mido's file, livemidi's file and the texts of livemidi's warnings."""
    theirs = mido.MidiFile(file=io.BytesIO(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = load(data, **kwargs)
    texts = [str(warning.message) for warning in caught if issubclass(warning.category, MidiFileWarning)]
    return theirs, ours, texts


def assert_same(theirs, ours) -> None:
    assert [dicts(track) for track in ours.tracks] == [dicts(track) for track in theirs.tracks]
    if theirs.type != 2:
        assert dicts(ours) == dicts(theirs)
        assert ours.length == theirs.length


ODD = [
    # (what, data, the one warning)
    ("a track without end_of_track", smf(NOTES), "track 0 has no end_of_track event (at track 0, byte 31)"),
    ("an empty track", mthd(count=2) + mtrk(NOTES + EOT) + mtrk(b""), "track 1 has no end_of_track event"),
    ("bytes after the last track (a Lakh MIDI file ends in 0a 0a)", smf(NOTES + EOT) + b"\x0a\x0a",
     "2 bytes after the last of the 1 track the header announces; ignored, as mido ignores them (at byte 35)"),
    ("more MTrk chunks than the header announces", mthd(count=1) + mtrk(NOTES + EOT) + mtrk(NOTE_ON + EOT),
     "16 bytes after the last of the 1 track the header announces (1 MTrk chunk among them)"),
    ("MTrk chunks and a header that announces none", mthd(count=0) + mtrk(NOTES + EOT),
     "after the last of the 0 tracks the header announces (1 MTrk chunk among them)"),
    ("header type 3", mthd(file_type=3) + mtrk(NOTES + EOT), "file type 3 is not 0, 1 or 2; read as type 1"),
    ("events after end_of_track", smf(NOTE_ON + EOT + NOTE_OFF),
     "track 0 has 1 event after its end_of_track event; kept, as mido keeps them"),
    ("running status after end_of_track", smf(NOTE_ON + EOT + b"\x00\x3e\x40" + EOT),
     "track 0 has 2 events after its end_of_track event"),
    ("set_tempo with 4 data bytes", smf(b"\x00\xff\x51\x04\x07\xa1\x20\x09" + NOTES + EOT),
     "set_tempo meta event has 4 data bytes, 3 expected; the last 1 ignored, as mido ignores it"),
    ("end_of_track with a data byte", smf(NOTES + b"\x00\xff\x2f\x01\x05"),
     "end_of_track meta event has 1 data byte, 0 expected"),
    ("key_signature with 3 data bytes", smf(b"\x00\xff\x59\x03\x01\x00\x00" + NOTES + EOT),
     "key_signature meta event has 3 data bytes, 2 expected"),
    ("a delta time of 5 bytes", smf(b"\x80\x80\x80\x80\x05\x90\x3c\x40" + NOTE_OFF + EOT),
     "delta time is 5 bytes long (the specification allows 4)"),
]


@pytest.mark.parametrize("what, data, warned", ODD, ids=[case[0] for case in ODD])
def test_odd_files_load_as_in_mido_with_one_warning(what, data, warned):
    theirs, ours, texts = read_both(data)
    assert_same(theirs, ours)
    assert len(texts) == 1 and warned in texts[0], texts
    with pytest.raises(MidiParseError, match="strict=True refuses") as error:
        load(data, strict=True)
    assert warned.split(" (at ")[0].split(";")[0] in str(error.value)
    # strict=False (repair what mido cannot read) reads what the default reads, in the same way
    _, repaired, repaired_texts = read_both(data, strict=False)
    assert_same(theirs, repaired) and repaired_texts == texts


def test_header_type_3_reads_as_type_1():
    theirs, ours, _ = read_both(mthd(file_type=3) + mtrk(NOTES + EOT))
    assert theirs.type == 3 and ours.type == 1  # a file livemidi saves is valid


def test_well_formed_files_load_without_warnings():
    data = mthd(count=2) + mtrk(b"\x00\xff\x51\x03\x07\xa1\x20" + EOT) + mtrk(NOTES + EOT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for strict in (None, True, False):
            assert_same(mido.MidiFile(file=io.BytesIO(data)), load(data, strict=strict))


def test_a_header_count_over_32767_reads_no_tracks_as_in_mido():
    data = mthd(count=0x8001) + mtrk(NOTES + EOT)
    theirs, ours, texts = read_both(data)
    assert theirs.tracks == [] and ours.tracks == []
    assert len(texts) == 1 and "announces 32769 tracks" in texts[0] and "strict=False" in texts[0]
    with pytest.warns(MidiFileWarning, match="the file ends after 1 of the 32769 tracks"):
        repaired = load(data, strict=False)  # reads the MTrk chunks there are
    assert [dicts(track) for track in repaired.tracks] == [dicts(mido.MidiFile(file=io.BytesIO(smf(NOTES + EOT))).tracks[0])]


def test_every_truncation_of_a_file_is_an_eof_error_as_in_mido():
    data = mthd(count=2) + mtrk(b"\x00\xff\x03\x01A\x00\xf0\x02\x01\xf7" + EOT) + mtrk(NOTES + EOT)
    for cut in range(len(data)):
        with pytest.raises(EOFError):
            mido.MidiFile(file=io.BytesIO(data[:cut]))
        with pytest.raises(MidiTruncatedError) as error:
            load(data[:cut])
        assert isinstance(error.value, EOFError) and isinstance(error.value, MidiParseError)


@pytest.mark.parametrize("data", [b"", b"M", b"MThd", b"hello", b"MThd\x00\x00\x00\x06\x00"])
def test_an_empty_or_short_file_is_an_eof_error(data):
    with pytest.raises(EOFError):
        mido.MidiFile(file=io.BytesIO(data))
    with pytest.raises(livemidi.MidiTruncatedError, match="MThd header"):
        load(data)


def test_a_header_shorter_than_6_bytes_is_an_eof_error_as_in_mido():
    data = b"MThd\x00\x00\x00\x02\x00\x01" + mtrk(EOT)
    with pytest.raises(EOFError):
        mido.MidiFile(file=io.BytesIO(data))
    with pytest.raises(MidiTruncatedError, match="MThd header says it has 2 bytes"):
        load(data)


def test_key_signature_error_is_at_midos_documented_path():
    from livemidi.midifiles.meta import KeySignatureError

    assert KeySignatureError is livemidi.KeySignatureError is livemidi.midifiles.KeySignatureError
    with pytest.raises(KeySignatureError, match="9 sharps"):
        load(smf(b"\x00\xff\x59\x02\x09\x00" + EOT))


DAMAGED = [
    # (what, data, error class, text): mido refuses these, and so does livemidi by default
    ("a track length too short", mthd(count=2) + mtrk(NOTES + EOT, length=3) + mtrk(EOT), MidiTruncatedError,
     "runs past the end of track 0"),
    ("a track length too long", mthd(count=2) + mtrk(NOTES + EOT, length=15) + mtrk(EOT), MidiTruncatedError,
     "2 bytes after its end_of_track event that end in the middle of an event"),
    ("fewer tracks than announced", mthd(count=3) + mtrk(EOT), MidiTruncatedError, "ends after 1 of the 3 tracks"),
    ("junk between tracks", mthd(count=2) + mtrk(EOT) + b"\x00\x01garbage" + mtrk(EOT), MidiFormatError,
     "expected an MTrk chunk for track 1"),
    ("a data byte over 127", smf(b"\x00\x90\x3c\xc0" + EOT), MidiFormatError, "over 127"),
    ("a sysex data byte over 127", smf(b"\x00\xf0\x02\x81\xf7" + EOT), MidiFormatError, "over 127"),
    ("a short set_tempo", smf(b"\x00\xff\x51\x02\x07\xa1" + EOT), MidiParseError, "set_tempo meta event must have 3"),
    ("bytes before MThd", b"junk" + smf(EOT), MidiFormatError, "MThd header follows 4 bytes later"),
]


@pytest.mark.parametrize("what, data, cls, text", DAMAGED, ids=[case[0] for case in DAMAGED])
def test_files_mido_refuses_are_refused_and_strict_false_repairs_them(what, data, cls, text):
    with pytest.raises(Exception) as theirs:  # noqa: B017 - mido raises EOFError, OSError, ValueError or IndexError
        mido.MidiFile(file=io.BytesIO(data))
    with pytest.raises(cls, match=text) as error:
        load(data)
    for builtin in (EOFError, OSError, ValueError):  # code written for mido catches it
        assert not isinstance(theirs.value, builtin) or isinstance(error.value, builtin), (theirs.value, error.value)
    assert "strict=False" in str(error.value)
    with pytest.warns(MidiFileWarning):
        load(data, strict=False)


def test_a_file_nothing_can_read_is_refused_in_every_mode():
    data = smf(b"\x00\x3c\x40" + EOT)  # a data byte and no running status to continue
    with pytest.raises(OSError):
        mido.MidiFile(file=io.BytesIO(data))
    for strict in (None, True, False):
        with pytest.raises(MidiFormatError, match="no running status"):
            load(data, strict=strict)


# The deliberate differences that docs/midifiles.md lists, each with mido's reading beside livemidi's.


def test_an_unknown_meta_event_keeps_its_delta_time_which_mido_drops():
    data = smf(b"\x60\xff\x60\x01\x05" + NOTES + EOT)
    theirs, ours, texts = read_both(data)
    assert texts == []
    assert theirs.tracks[0][0].time == 0 and ours.tracks[0][0].time == 0x60
    assert ours.length == pytest.approx(theirs.length + 0x60 / 480 * 0.5)


def test_a_data_byte_after_a_sysex_continues_the_channel_status():
    data = smf(NOTE_ON + b"\x00\xf0\x01\xf7" + b"\x00\x3c\x00" + EOT)
    theirs, ours, texts = read_both(data)
    assert theirs.tracks[0][2].dict() == {"type": "sysex", "data": [], "time": 0}  # the byte 3C is lost
    assert ours.tracks[0][2].dict() == {"type": "note_on", "channel": 0, "note": 60, "velocity": 0, "time": 0}
    assert len(texts) == 1 and "running status after a sysex or system event" in texts[0]


def test_a_chunk_of_an_unknown_type_between_tracks_is_skipped_with_a_warning():
    data = mthd(count=2) + mtrk(NOTES + EOT) + b"XFIH\x00\x00\x00\x02ab" + mtrk(NOTE_ON + EOT)
    with pytest.raises(OSError):
        mido.MidiFile(file=io.BytesIO(data))
    with pytest.warns(MidiFileWarning, match=r"skipped a chunk of unknown type b'XFIH' \(2 bytes\) before track 1"):
        ours = load(data)
    assert [len(track) for track in ours.tracks] == [3, 2]


def test_a_sysex_over_a_million_bytes_loads():
    data = smf(b"\x00\xf0\xbd\x84\x41" + b"\x01" * 1_000_000 + b"\xf7" + EOT)
    with pytest.raises(OSError, match="exceeds maximum length"):
        mido.MidiFile(file=io.BytesIO(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load(data).tracks[0][0].data) == 1_000_000


def test_ticks_per_beat_0_reads_as_480():
    data = mthd(ticks_per_beat=0) + mtrk(NOTES + EOT)
    theirs = mido.MidiFile(file=io.BytesIO(data))
    with pytest.raises(ZeroDivisionError):
        theirs.length  # noqa: B018
    with pytest.warns(MidiFileWarning, match="ticks per beat is 0; read as 480"):
        ours = load(data)
    assert ours.ticks_per_beat == 480 and ours.length == 0.5


@pytest.mark.parametrize("strict", [1, 0, "yes"])
def test_strict_is_none_true_or_false(strict):
    with pytest.raises(TypeError, match="strict must be None"):
        load(smf(EOT), strict=strict)
