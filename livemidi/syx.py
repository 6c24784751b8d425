"""SysEx files (.syx), at mido's documented path: ``read_syx_file``, ``write_syx_file``.

A .syx file holds sysex messages either as raw bytes (it starts with 0xF0)
or as hex text (``F0 7E 7F 06 01 F7``, any whitespace). Other messages in
the data are skipped; bytes that are not part of a complete sysex message
are ignored, as a MIDI parser ignores stray bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .messages import Message, Parser

__all__ = ["read_syx_file", "write_syx_file"]

_SPACE = re.compile(r"\s")


def read_syx_file(filename) -> list[Message]:
    """The sysex messages in a binary or hex-text .syx file (ValueError if the text is not hex bytes)."""
    with open(filename, "rb") as infile:
        data = infile.read()
    if not data:
        return []
    if data[0] != 0xF0:
        text = _SPACE.sub(" ", data.decode("latin1"))
        try:
            data = bytes.fromhex(text)
        except ValueError as error:
            raise ValueError(f"{os.fspath(filename)}: a text .syx file must hold only 2-digit hex numbers "
                             f"separated by whitespace, like 'F0 7E 7F 06 01 F7' ({error})") from None
    parser = Parser()
    parser.feed(data)
    return [msg for msg in parser if msg.type == "sysex"]


def write_syx_file(filename, messages: Iterable, plaintext: bool = False) -> None:
    """Write the sysex messages among `messages` as binary, or as hex text, one message a line."""
    messages = [msg for msg in messages if msg.type == "sysex"]
    if plaintext:
        with open(filename, "w") as outfile:
            for msg in messages:
                outfile.write(msg.hex())
                outfile.write("\n")
    else:
        with open(filename, "wb") as outfile:
            for msg in messages:
                outfile.write(msg.bin())
