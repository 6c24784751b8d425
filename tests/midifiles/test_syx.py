import pytest

from livemidi import Message, read_syx_file, write_syx_file
from livemidi.syx import read_syx_file as read_at_mido_path

MESSAGES = [Message("sysex", data=[1, 2, 3]), Message("note_on"), Message("sysex", data=[0x7E, 0x7F, 0x06, 0x01])]


def test_binary_round_trip(tmp_path):
    path = tmp_path / "a.syx"
    write_syx_file(path, MESSAGES)
    assert path.read_bytes() == bytes.fromhex("F0 01 02 03 F7 F0 7E 7F 06 01 F7")
    assert read_syx_file(path) == [MESSAGES[0], MESSAGES[2]]
    assert read_at_mido_path is read_syx_file


def test_text_round_trip(tmp_path):
    path = tmp_path / "a.txt"
    write_syx_file(path, MESSAGES, plaintext=True)
    assert path.read_text() == "F0 01 02 03 F7\nF0 7E 7F 06 01 F7\n"
    assert read_syx_file(path) == [MESSAGES[0], MESSAGES[2]]
    path.write_text("  f0 01\n02 f7\t\r\n")
    assert read_syx_file(path) == [Message("sysex", data=[1, 2])]


def test_empty_and_bad_files(tmp_path):
    path = tmp_path / "a.syx"
    path.write_bytes(b"")
    assert read_syx_file(path) == []
    path.write_text("F0 01 ZZ F7")
    with pytest.raises(ValueError, match="2-digit hex numbers"):
        read_syx_file(path)
    path.write_bytes(bytes.fromhex("F0 03 F7 90 3C 40 F0 04 F7"))  # other messages are skipped
    assert read_syx_file(path) == [Message("sysex", data=[3]), Message("sysex", data=[4])]
