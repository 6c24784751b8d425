"""A backend for bench/timing.py: an output that stamps the time inside its write.

The timed sender opens it as it opens any backend (``backend="timingprobe"``,
with this directory on ``PYTHONPATH``), so the stamp is taken where a real
backend would hand the bytes to the MIDI system, in the sender process, with
the sender's clock (``time.perf_counter()``). The output keeps every stamp and
message in memory and writes them to the file given as ``path`` when the port
closes (the sender closes its ports when it shuts down): ``count`` u32, then
``count`` stamps f64, then the messages, each a length byte and its bytes.

It is not one of livemidi's backends: it goes nowhere, and exists only to
measure. Misuse: without ``path`` nothing is kept; two outputs given one path
overwrite each other's file.
"""

from __future__ import annotations

import array
import os
import struct
import time

__all__ = ["get_devices", "open_device", "read_probe"]


class ProbeDevice:
    """An output that stamps ``perf_counter()`` first thing in `write`, then keeps the bytes."""

    device_type = "probe"
    is_input = False
    is_output = True

    def __init__(self, name: str, path: str | None) -> None:
        self.name = name
        self.path = path
        self.log: list[tuple[float, bytes]] = []
        self.keep = self.log.append
        self._closed = False

    def write(self, data: bytes, _perf=time.perf_counter) -> None:
        # The stamp first ("when the bytes reached the MIDI system"), then as little as can be: the
        # next message of the same instant waits for this write to return.
        self.keep((_perf(), data))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.path is None:
            return
        partial = self.path + ".part"
        stamps = array.array("d", [stamp for stamp, _ in self.log])
        with open(partial, "wb") as file:
            file.write(struct.pack("<I", len(stamps)))
            stamps.tofile(file)
            file.write(b"".join(bytes((len(data),)) + data for _, data in self.log))
        os.replace(partial, self.path)  # whole or absent: the bench waits for it


def get_devices(api: str | None = None, **kwargs) -> list[dict]:
    return []  # a probe is only ever made (virtual=True), never found


def open_device(kind: str, name, *, virtual: bool = False, api: str | None = None, path: str | None = None):
    if kind != "output":
        raise ValueError(f"the timing probe is an output only, got kind {kind!r}")
    return ProbeDevice(str(name), path)


def read_probe(path: str) -> tuple[list[float], list[bytes]]:
    """The stamps (perf_counter s) and messages a probe wrote to `path`, in the order written."""
    with open(path, "rb") as file:
        blob = file.read()
    (count,) = struct.unpack_from("<I", blob, 0)
    stamps = array.array("d")
    stamps.frombytes(blob[4 : 4 + 8 * count])
    messages = []
    offset = 4 + 8 * count
    for _ in range(count):
        length = blob[offset]
        messages.append(bytes(blob[offset + 1 : offset + 1 + length]))
        offset += 1 + length
    return list(stamps), messages
