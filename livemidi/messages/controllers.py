"""Controllers beyond 7 bits as MIDI 1.0 sends them: NRPN, RPN and 14-bit control changes.

- A 14-bit controller (CC 0–31) sends its MSB on the controller and then its
  LSB on the controller + 32 (CC 1 and CC 33 for the mod wheel). MIDI 1.0 says
  an MSB resets the LSB, so the LSB must come second.
- An NRPN selects its parameter with CC 99 (MSB) and CC 98 (LSB), an RPN with
  CC 101 and CC 100; the value follows as data entry, CC 6 (MSB) then CC 38
  (LSB); then the null RPN (CC 101 = 127, CC 100 = 127) deselects the
  parameter, so that a stray data entry later (another device's, a knob's)
  cannot change it.

The sequence is one unit: a receiver keeps "the selected parameter" per
channel, so two sequences interleaved on one channel set the wrong
parameters. Whoever sends them must keep each sequence contiguous and in
order (`livemidi.render` and the timed sender do). `fold` reads such sequences
back out of a stream of control changes (a recording), and keeps anything that
is not exactly one of them as it is.

Misuse: the builders take whole numbers already checked by the caller
(parameters and values 0–16383, a 14-bit controller 0–31); anything else
raises ValueError from `Message`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .message import Message

__all__ = ["NRPN_MSB", "RPN_MSB", "cc14_messages", "fold", "parameter_messages"]

NRPN_MSB, NRPN_LSB = 99, 98
RPN_MSB, RPN_LSB = 101, 100
DATA_MSB, DATA_LSB = 6, 38
NULL = 127  # RPN 127/127: no parameter selected
LSB_OFFSET = 32  # CC n (0–31) has its LSB on CC n + 32

_SELECT = {"nrpn": (NRPN_MSB, NRPN_LSB), "rpn": (RPN_MSB, RPN_LSB)}
_TAIL = (DATA_MSB, DATA_LSB, RPN_MSB, RPN_LSB)
NULL_PARAM = NULL << 7 | NULL


def _cc(channel: int, control: int, value: int) -> Message:
    return Message("control_change", channel=channel, control=control, value=value)


def parameter_messages(kind: str, channel: int, param: int, value: int) -> list[Message]:
    """The six control changes that set NRPN or RPN `param` (``kind`` 'nrpn' or 'rpn') to 14-bit `value`."""
    msb, lsb = _SELECT[kind]
    return [
        _cc(channel, msb, param >> 7), _cc(channel, lsb, param & 0x7F),
        _cc(channel, DATA_MSB, value >> 7), _cc(channel, DATA_LSB, value & 0x7F),
        _cc(channel, RPN_MSB, NULL), _cc(channel, RPN_LSB, NULL),
    ]


def cc14_messages(channel: int, control: int, value: int) -> list[Message]:
    """The MSB then LSB control changes of 14-bit controller `control` (0–31) at `value`."""
    return [_cc(channel, control, value >> 7), _cc(channel, control + LSB_OFFSET, value & 0x7F)]


def fold(changes: Sequence[tuple[int, int, int, int]]) -> list[tuple[int, int, str, int, int]]:
    """Read NRPN, RPN and 14-bit sequences out of control changes ``(tick, channel, control, value)``.

    The changes are in stream order, with nothing else between them (the
    caller cuts the stream at any other message). Returns ``(tick, channel, kind, number,
    value)`` in the same order: kind 'nrpn' or 'rpn' (number: the parameter),
    'cc14' (number: the MSB controller) or 'cc' (a control change that is not
    part of a whole sequence, as it was). A sequence counts only when it is
    exactly what `parameter_messages` or `cc14_messages` sends, back to back
    at one tick on one channel, so that sending the result again gives the
    same bytes.
    """
    out: list[tuple[int, int, str, int, int]] = []
    i, count = 0, len(changes)
    while i < count:
        tick, channel, control, value = changes[i]
        found = None
        if control in (NRPN_MSB, RPN_MSB) and i + 6 <= count:
            kind = "nrpn" if control == NRPN_MSB else "rpn"
            run = changes[i:i + 6]
            if _same_place(run, tick, channel) and [c[2] for c in run] == [*_SELECT[kind], *_TAIL] \
                    and run[4][3] == NULL and run[5][3] == NULL:
                param = run[0][3] << 7 | run[1][3]
                if not (kind == "rpn" and param == NULL_PARAM):
                    found = (kind, param, run[2][3] << 7 | run[3][3], 6)
        elif control < LSB_OFFSET and i + 2 <= count:
            after = changes[i + 1]
            if after[0] == tick and after[1] == channel and after[2] == control + LSB_OFFSET:
                found = ("cc14", control, value << 7 | after[3], 2)
        if found is None:
            out.append((tick, channel, "cc", control, value))
            i += 1
        else:
            kind, number, full, length = found
            out.append((tick, channel, kind, number, full))
            i += length
    return out


def _same_place(run: Sequence[tuple[int, int, int, int]], tick: int, channel: int) -> bool:
    return all(c[0] == tick and c[1] == channel for c in run)
