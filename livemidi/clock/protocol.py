"""The compact messages between the main process and the timed sender.

Each message is one ``Connection.send_bytes`` payload: a one-byte kind, then
struct-packed little-endian fields. Events go in batches (one message per
lookahead window), so the sender wakes once per window, not once per event.

main → sender::

    E  events   n × (deadline f64, id u32, tag u32, port u8, length u16, data)
    R  retime   n × (id u32, deadline f64)
    X  cancel   n × id u32                       (by id)
    C  cancel   flags u8, tag u32, after f64, port u8   (flags: 1 tag, 2 after, 4 port)
    P  panic    port u8 (ALL_PORTS: every port)
    F  flush    seq u32, drain u8   (answered by F seq once done; drain: once the queue is empty)
    O  open     seq u32, JSON port spec   (answered by O seq, JSON result)
    Q  shutdown

sender → main::

    H  hello    JSON {pid, realtime}
    S  sent     n × (time f64, deadline f64, port u8, length u16, data)
    T  stats    sent u64, late u64, worst_late f64, queued u32, sounding u32, cpu f64, arrived_late u64,
                late_woke u64, late_held u64, worst_other_late f64
    F  flushed  seq u32
    O  opened   seq u32, JSON {index, name} or {error, type}
    !  error    UTF-8 text

Misuse: the layout is shared by both ends of one livemidi version; it is not
a stable wire format for other programs.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable

__all__ = ["ALL_PORTS", "MAX_PORTS"]

ALL_PORTS = 255
MAX_PORTS = 255

_EVENT = struct.Struct("<dIIBH")
_RETIME = struct.Struct("<Id")
_ID = struct.Struct("<I")
_CANCEL = struct.Struct("<BIdB")
_PORT = struct.Struct("<B")
_FLUSH = struct.Struct("<IB")
_SEQ = struct.Struct("<I")
_SENT = struct.Struct("<ddBIH")  # time, deadline, port, tag, length
_STATS = struct.Struct("<QQdIIdQQQd")


# -- main -> sender ----------------------------------------------------------------------


def pack_events(events: Iterable[tuple[float, int, int, int, bytes]]) -> bytes:
    parts = [b"E"]
    pack = _EVENT.pack
    for deadline, id, tag, port, data in events:
        parts.append(pack(deadline, id, tag, port, len(data)))
        parts.append(data)
    return b"".join(parts)


def unpack_events(payload: bytes) -> list[tuple[float, int, int, int, bytes]]:
    events = []
    offset = 1
    size = _EVENT.size
    unpack = _EVENT.unpack_from
    end = len(payload)
    while offset < end:
        deadline, id, tag, port, length = unpack(payload, offset)
        offset += size
        events.append((deadline, id, tag, port, payload[offset : offset + length]))
        offset += length
    return events


def pack_retime(pairs: Iterable[tuple[int, float]]) -> bytes:
    return b"R" + b"".join(_RETIME.pack(id, deadline) for id, deadline in pairs)


def unpack_retime(payload: bytes) -> list[tuple[int, float]]:
    return [_RETIME.unpack_from(payload, offset) for offset in range(1, len(payload), _RETIME.size)]


def pack_cancel_ids(ids: Iterable[int]) -> bytes:
    return b"X" + b"".join(_ID.pack(id) for id in ids)


def unpack_cancel_ids(payload: bytes) -> list[int]:
    return [_ID.unpack_from(payload, offset)[0] for offset in range(1, len(payload), _ID.size)]


def pack_cancel(tag: int | None, after: float | None, port: int | None) -> bytes:
    flags = (tag is not None) | (after is not None) << 1 | (port is not None) << 2
    return b"C" + _CANCEL.pack(flags, tag or 0, after or 0.0, port or 0)


def unpack_cancel(payload: bytes) -> tuple[int | None, float | None, int | None]:
    flags, tag, after, port = _CANCEL.unpack_from(payload, 1)
    return (tag if flags & 1 else None, after if flags & 2 else None, port if flags & 4 else None)


def pack_panic(port: int | None) -> bytes:
    return b"P" + _PORT.pack(ALL_PORTS if port is None else port)


def unpack_panic(payload: bytes) -> int | None:
    port = _PORT.unpack_from(payload, 1)[0]
    return None if port == ALL_PORTS else port


def pack_flush(seq: int, drain: bool) -> bytes:
    return b"F" + _FLUSH.pack(seq, bool(drain))


def unpack_flush(payload: bytes) -> tuple[int, bool]:
    seq, drain = _FLUSH.unpack_from(payload, 1)
    return seq, bool(drain)


def pack_json(kind: bytes, seq: int, value) -> bytes:
    return kind + _SEQ.pack(seq) + json.dumps(value).encode()


def unpack_json(payload: bytes) -> tuple[int, object]:
    return _SEQ.unpack_from(payload, 1)[0], json.loads(payload[1 + _SEQ.size :].decode())


# -- sender -> main ----------------------------------------------------------------------


def pack_sent(records: Iterable[tuple[float, float, int, bytes, int]]) -> bytes:
    parts = [b"S"]
    pack = _SENT.pack
    for stamp, deadline, port, data, tag in records:
        parts.append(pack(stamp, deadline, port, tag, len(data)))
        parts.append(data)
    return b"".join(parts)


def unpack_sent(payload: bytes) -> list[tuple[float, float, int, bytes, int]]:
    records = []
    offset = 1
    size = _SENT.size
    unpack = _SENT.unpack_from
    end = len(payload)
    while offset < end:
        stamp, deadline, port, tag, length = unpack(payload, offset)
        offset += size
        records.append((stamp, deadline, port, payload[offset : offset + length], tag))
        offset += length
    return records


def pack_stats(
    sent: int, late: int, worst_late: float, queued: int, sounding: int, cpu: float, arrived_late: int = 0,
    late_woke: int = 0, late_held: int = 0, worst_other_late: float = 0.0,
) -> bytes:  # fmt: skip
    return b"T" + _STATS.pack(
        sent, late, worst_late, queued, sounding, cpu, arrived_late, late_woke, late_held, worst_other_late
    )


def unpack_stats(payload: bytes) -> tuple[int, int, float, int, int, float, int, int, int, float]:
    return _STATS.unpack_from(payload, 1)


def pack_seq(kind: bytes, seq: int) -> bytes:
    return kind + _SEQ.pack(seq)


def unpack_seq(payload: bytes) -> int:
    return _SEQ.unpack_from(payload, 1)[0]
