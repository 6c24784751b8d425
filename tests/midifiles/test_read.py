import io
import warnings

import pytest
from helpers import EOT, load, mthd, mtrk, save, smf

import livemidi
from livemidi import Message, MetaMessage, MidiFileWarning, MidiParseError, UnknownMetaMessage
from livemidi.errors import MidiFormatError, MidiTruncatedError
from livemidi.midifiles.meta import MetaDataError

NOTES = b"\x00\x90\x3c\x40" + b"\x60\x3c\x00" + b"\x00\x3e\x40" + b"\x81\x40\x80\x3e\x00"


def test_running_status_and_variable_length_deltas():
    mid = load(smf(NOTES + EOT))
    assert mid.tracks[0] == [
        Message("note_on", note=60, velocity=64, time=0),
        Message("note_on", note=60, velocity=0, time=96),
        Message("note_on", note=62, velocity=64, time=0),
        Message("note_off", note=62, velocity=0, time=192),
        MetaMessage("end_of_track"),
    ]
    assert type(mid.tracks[0]) is livemidi.MidiTrack
    assert save(mid) == smf(NOTES + EOT)  # running status written back as read


def test_every_channel_message_type():
    body = b"\x00\xa1\x3c\x10\x00\xb2\x07\x64\x00\xc3\x05\x00\xd4\x22\x00\xe5\x00\x40\x00\x7f\x7f" + EOT  # running status
    assert load(smf(body)).tracks[0][:6] == [
        Message("polytouch", channel=1, note=60, value=16),
        Message("control_change", channel=2, control=7, value=100),
        Message("program_change", channel=3, program=5),
        Message("aftertouch", channel=4, value=34),
        Message("pitchwheel", channel=5, pitch=0),
        Message("pitchwheel", channel=5, pitch=8191),
    ]
    assert save(load(smf(body))) == smf(body)


def test_sysex_and_escape_events():
    body = b"\x00\xf0\x03\x01\x02\xf7" + b"\x10\xf7\x02\x7e\x7f" + EOT
    track = load(smf(body)).tracks[0]
    assert track[0] == Message("sysex", data=[1, 2])
    assert track[1] == Message("sysex", data=[0x7E, 0x7F], time=16)


def test_sysex_cancels_running_status():
    # mido reads the data byte after the sysex as the start of another sysex
    # (its length is the next byte); livemidi continues the status from before
    # the sysex, with a warning, and strict=True refuses the file.
    body = b"\x00\x90\x3c\x40\x00\xf0\x01\xf7\x00\x3c\x00" + EOT
    with pytest.raises(MidiFormatError, match="running status after a sysex") as error:
        load(smf(body), strict=True)
    assert isinstance(error.value, OSError)
    for strict in (None, False):
        with pytest.warns(MidiFileWarning, match="running status after a sysex"):
            track = load(smf(body), strict=strict).tracks[0]
        assert track[2] == Message("note_on", note=60, velocity=0)


def test_meta_events_do_not_cancel_running_status():
    body = b"\x00\x90\x3c\x40\x00\xff\x01\x01x\x00\x3c\x00" + EOT
    assert load(smf(body)).tracks[0][2] == Message("note_on", note=60, velocity=0)


def test_unknown_meta_and_charset():
    body = b"\x00\xff\x60\x02\x01\x02\x00\xff\x03\x02\xc3\xa9" + EOT
    assert load(smf(body)).tracks[0][:2] == [UnknownMetaMessage(0x60, [1, 2]), MetaMessage("track_name", name="Ã©")]
    mid = load(smf(body), charset="utf-8")
    assert mid.tracks[0][1].name == "é"
    assert save(mid) == smf(body)


def test_empty_sequence_number_and_midi_port_as_in_real_files():
    body = b"\x00\xff\x00\x00\x00\xff\x21\x00" + EOT
    assert load(smf(body)).tracks[0][:2] == [MetaMessage("sequence_number"), MetaMessage("midi_port")]


def test_data_bytes_over_127():
    body = b"\x00\x90\x3c\xc0" + EOT
    with pytest.raises(MidiFormatError, match=r"data byte 0xC0 in note_on is over 127 .*clip=True") as error:
        load(smf(body))
    assert isinstance(error.value, OSError) and error.value.track == 0 and error.value.offset == 22
    assert "track 0, byte 22" in str(error.value)
    assert load(smf(body), clip=True).tracks[0][0] == Message("note_on", note=60, velocity=127)
    with pytest.warns(MidiFileWarning, match="over 127"):
        assert load(smf(body), strict=False).tracks[0][0].velocity == 127
    sysex = b"\x00\xf0\x03\x01\x99\xf7" + EOT
    assert load(smf(sysex), clip=True).tracks[0][0].data == (1, 127)
    with pytest.raises(MidiFormatError, match="sysex"):
        load(smf(sysex))


def test_riff_rmid_loads_in_both_modes():
    inner = smf(NOTES + EOT)
    data_chunk = b"data" + len(inner).to_bytes(4, "little") + inner + b"\x00" * (len(inner) & 1)
    info = b"LIST" + (4).to_bytes(4, "little") + b"INFO"
    riff = b"RIFF" + (4 + len(data_chunk) + len(info)).to_bytes(4, "little") + b"RMID" + data_chunk + info
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load(riff).tracks == load(inner).tracks
        assert load(riff, strict=False).tracks == load(inner).tracks
    with pytest.raises(MidiFormatError, match="RMID"):
        load(b"RIFF\x00\x00\x00\x00WAVE")


ERRORS = [
    # Files that mido cannot read either: (data, error class, text, track, offset)
    (b"", MidiTruncatedError, "the file has only 0 bytes", None, 0),
    (b"RIFX1234", MidiFormatError, "not a Standard MIDI File", None, 0),
    (mthd()[:10], MidiTruncatedError, "MThd header", None, 0),
    (mthd(count=2) + mtrk(EOT), MidiTruncatedError, "ends after 1 of the 2 tracks", 1, 26),
    (mthd() + b"MTrk\x00\x00", MidiTruncatedError, "6 bytes into the header of track 0", 0, 14),
    (mthd() + mtrk(EOT, length=10), MidiTruncatedError, "says it has 10 bytes", 0, 18),
    (mthd() + mtrk(b"\x00\x90\x3c", length=3), MidiTruncatedError, "runs past the end of track 0", 0, 22),
    (smf(b"\x00\x90\x3c") + b"\x40" + mtrk(EOT), MidiTruncatedError, "runs past the end", 0, 22),
    (mthd(count=2) + mtrk(EOT) + b"\x01\x02\x03\x04\x00\x00\x00\x00" + mtrk(EOT), MidiFormatError,
     "expected an MTrk chunk for track 1, found b'\\x01\\x02\\x03\\x04'", 1, 26),
    (smf(b"\x00\x3c\x40" + EOT), MidiFormatError, "no running status", 0, 23),
    (smf(b"\x00\xf4" + EOT), MidiFormatError, "undefined status byte 0xF4", 0, 23),
    (smf(b"\x00\xff\x51\x02\x07\xa1" + EOT), MetaDataError, "set_tempo meta event must have 3 data bytes", 0, 22),
    (smf(b"\x00\xff\x59\x02\x09\x00" + EOT), livemidi.KeySignatureError, "impossible key signature: 9 sharps", 0, 22),
    (smf(b"\x00\xff\x54\x05\x80\x00\x00\x00\x00" + EOT), MetaDataError, "frame rate code must be 0..3", 0, 22),
]


@pytest.mark.parametrize("data, cls, text, track, offset", ERRORS)
def test_errors_say_what_and_where(data, cls, text, track, offset):
    for strict in (None, True):
        with pytest.raises(MidiParseError) as caught:
            load(data, strict=strict)
        error = caught.value
        assert text in str(error)
        assert isinstance(error, cls), type(error)
        assert (error.track, error.offset) == (track, offset)
        assert f"byte {offset}" in str(error)
        if track is not None:
            assert f"track {track}" in str(error)
        if cls is MidiTruncatedError:
            assert isinstance(error, EOFError)


ODD = [
    # Files that load with a warning, and that strict=True refuses: (data, text, track, offset)
    (smf(b"\x00\x90\x3c\x40"), "track 0 has no end_of_track", 0, 26),
    (smf(b"\x00\x90\x3c\x40" + EOT + b"\x00\x80\x3c\x00"), "1 event after its end_of_track", 0, 30),
    (smf(EOT) + b"\x00\x00", "2 bytes after the last of the 1 track the header announces", None, 26),
    (mthd(count=2) + mtrk(EOT) + b"JUNK\x00\x00\x00\x00" + mtrk(EOT), "skipped a chunk of unknown type b'JUNK'", 1, 26),
    (smf(b"\xff\xff\xff\xff\x7f\x90\x3c\x40" + EOT), "delta time is 5 bytes long", 0, 22),
    (smf(b"\x00\xff\x2f\x01\x00"), "end_of_track meta event has 1 data byte, 0 expected", 0, 22),
    (mthd(file_type=3) + mtrk(EOT), "file type 3 is not 0, 1 or 2", None, 8),
    (mthd(ticks_per_beat=0) + mtrk(EOT), "ticks per beat is 0; read as 480", None, 12),
]


@pytest.mark.parametrize("data, text, track, offset", ODD)
def test_odd_files_warn_and_strict_refuses_them(data, text, track, offset):
    with pytest.raises(MidiParseError) as caught:
        load(data, strict=True)
    error = caught.value
    assert text in str(error) and "strict=True refuses odd files" in str(error)
    assert (error.track, error.offset) == (track, offset)
    with pytest.warns(MidiFileWarning) as caught_warnings:
        load(data)
    assert [str(warning.message) for warning in caught_warnings] == [str(error).replace(
        " (strict=True refuses odd files; without it the file loads with a warning)", "")]


def _lenient(data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mid = load(data, strict=False)
    return mid, [str(warning.message) for warning in caught if issubclass(warning.category, MidiFileWarning)]


NOTE = b"\x00\x90\x3c\x40"
NOTE_MSG = Message("note_on", note=60, velocity=64)


@pytest.mark.parametrize(
    "data, tracks, warned",
    [
        # Length header too small, then too large: the events decide.
        (mthd(count=2) + mtrk(NOTE + EOT, length=3) + mtrk(EOT), [[NOTE_MSG], []], "but its header says 3 bytes"),
        (mthd(count=2) + mtrk(NOTE + EOT, length=12) + mtrk(EOT), [[NOTE_MSG], []], "4 bytes after its end_of_track"),
        (mthd() + mtrk(NOTE + EOT, length=99), [[NOTE_MSG]], "says it has 99 bytes"),
        (mthd(count=2) + mtrk(NOTE, length=2) + mtrk(EOT), [[NOTE_MSG], []], "but its header says 2 bytes"),
        (mthd(count=2) + mtrk(EOT) + b"\x00\x01garbage" + mtrk(NOTE + EOT), [[], [NOTE_MSG]], "skipped 9 bytes"),
        (mthd(count=3) + mtrk(EOT), [[]], "ends after 1 of the 3 tracks"),
        (mthd(count=3) + mtrk(EOT) + b"MTr", [[]], "ends 3 bytes into the header of track 1"),
        (smf(NOTE + b"\x00\x90\x3c"), [[NOTE_MSG]], "the event is dropped"),
        (b"junk" + smf(NOTE + EOT), [[NOTE_MSG]], "skipped the 4 bytes before it"),
        (smf(b"\x00\x90\x3c\xc0" + EOT), [[Message("note_on", note=60, velocity=127)]], "clipped to 127"),
    ],
)
def test_strict_false_repairs_damaged_files_with_warnings(data, tracks, warned):
    with pytest.raises(MidiParseError):
        load(data)
    mid, texts = _lenient(data)
    assert any(warned in text for text in texts), texts
    assert all("(at " in text for text in texts)
    assert [[msg for msg in track if msg.type != "end_of_track"] for track in mid.tracks] == tracks
    again = load(save(mid))  # whatever was loaded saves as a valid file
    assert [list(track) for track in again.tracks] == [list(track) for track in mid.tracks] or any(
        track and track[-1].type != "end_of_track" for track in mid.tracks)


@pytest.mark.parametrize(
    "event, type_byte",
    [
        (b"\x00\xff\x59\x02\x09\x00", 0x59),  # 9 sharps
        (b"\x00\xff\x51\x02\x07\xa1", 0x51),  # tempo with 2 bytes
        (b"\x00\xff\x58\x03\x04\x02\x18", 0x58),
        (b"\x00\xff\x20\x00", 0x20),
    ],
)
def test_lenient_keeps_bad_meta_events_as_unknown(event, type_byte):
    mid, texts = _lenient(smf(event + EOT))
    msg = mid.tracks[0][0]
    assert isinstance(msg, UnknownMetaMessage) and msg.type_byte == type_byte
    assert texts and "kept as UnknownMetaMessage" in texts[0]
    assert save(mid) == smf(event + EOT)  # nothing lost


def test_debug_prints_the_structure(capsys):
    load(smf(NOTE + EOT), debug=True)
    out = capsys.readouterr().out
    assert "type=1, tracks=1, ticks_per_beat=480" in out and "note_on" in out


def test_filename_and_text_file_errors(tmp_path):
    path = tmp_path / "song.mid"
    path.write_bytes(smf(NOTE + EOT))
    assert livemidi.MidiFile(path).tracks[0][0] == NOTE_MSG
    assert livemidi.MidiFile(str(path)).filename == str(path)
    with pytest.raises(TypeError, match="binary mode"):
        livemidi.MidiFile(file=io.StringIO("MThd"))
    with pytest.raises(FileNotFoundError):
        livemidi.MidiFile(tmp_path / "missing.mid")


def test_system_common_messages_read_as_in_mido():
    body = b"\x00\xf2\x01\x02\x00\xf3\x05\x00\xf6\x00\xf1\x23" + EOT
    assert load(smf(body)).tracks[0][:4] == [
        Message("songpos", pos=257),
        Message("song_select", song=5),
        Message("tune_request"),
        Message("quarter_frame", frame_type=2, frame_value=3),
    ]
    assert save(load(smf(body))) == smf(body)


def test_a_cut_track_header_is_one_repair_not_two():
    mid, texts = _lenient(mthd(count=3) + mtrk(EOT) + b"MTr")
    assert texts == ["the file ends 3 bytes into the header of track 1; read the tracks there are (at track 1, byte 26)"]


def test_a_track_read_again_to_repair_it_warns_once_per_oddity():
    # a delta time of 5 bytes (odd), in a track whose length header is too short (damaged)
    body = b"\x80\x80\x80\x80\x05\x90\x3c\x40" + EOT
    mid, texts = _lenient(mthd(count=2) + mtrk(body, length=6) + mtrk(EOT))
    assert sum("delta time is 5 bytes long" in text for text in texts) == 1, texts
    assert mid.tracks[0][0] == Message("note_on", note=60, velocity=64, time=5)


def test_a_data_byte_after_a_sysex_with_no_channel_status_before_it_says_so():
    with pytest.raises(MidiFormatError, match="after a sysex or system event .* no channel event before it"):
        load(smf(b"\x00\xf0\x01\xf7\x00\x3c\x00" + EOT), strict=False)
