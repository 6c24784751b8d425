"""Latency offsets of a session's outputs: where they come from, and how they read.

An offset is in milliseconds per output port; negative plays that port
earlier (like a track delay in Ableton Live). It is the opposite sign of the
clock's `Lookahead.set_latency`, which says how much *earlier* to send.
`Session.offset` sets them; this module finds the ones a session starts with
(given, or stored in the user's config file by ``livemidi calibrate``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import check_offset, read_config

__all__ = ["describe_offset", "stored_offsets"]


def stored_offsets(
    offsets: dict[str, float] | None, own_sender: bool, notice: Callable[[str], None]
) -> tuple[dict[str, float], str]:
    """(offsets by port name, where they come from) for a new session.

    Given `offsets` are checked (ValueError for a bad value). Without them, a
    session with its own sender reads the user's config file, passing what is
    wrong with it to `notice` (it never raises for that); a session given a
    sender (virtual: tests, offline rendering) starts with none.
    """
    if offsets is not None:
        if not isinstance(offsets, dict):
            raise TypeError(f"offsets must be a dict of port names and milliseconds, got {offsets!r}")
        return {str(name): check_offset(ms, f"the offset of {name!r}") for name, ms in offsets.items()}, "as given"
    if not own_sender:
        return {}, "as given"
    config = read_config()
    for problem in config.problems:
        notice(problem)
    return config.offsets, f"stored in {config.path}"


def describe_offset(offset: float) -> str:
    """An offset as the performer reads it: '12 ms earlier', '3.5 ms later', 'on time'."""
    if not offset:
        return "on time"
    return f"{abs(offset):g} ms {'earlier' if offset < 0 else 'later'}"
