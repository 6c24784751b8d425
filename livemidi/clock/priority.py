"""The timed sender's standing with the OS: real-time priority, CPU idle latency, timer slack (Linux).

Called by the sender process (`livemidi.clock.sender`) when it starts, and
`ask_realtime` again when it goes back to real time after a busy spell. Each
says what happened rather than raising: a sender the OS refuses runs on at
normal priority.
"""

from __future__ import annotations

import os
import struct
import sys

__all__ = ["ask_realtime", "hold_idle_latency", "tighten_timer_slack"]


def ask_realtime(priority: int) -> tuple[bool, str]:
    """Ask for SCHED_FIFO at `priority`; (granted, what happened)."""
    if not hasattr(os, "sched_setscheduler"):
        return False, "real-time scheduling: not available on this OS; running at normal priority"
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return False, f"real-time scheduling not granted ({reason}); running at normal priority"
    return True, f"SCHED_FIFO priority {priority}"


def hold_idle_latency(path: str = "/dev/cpu_dma_latency") -> tuple[int | None, str]:
    """Linux: ask the CPUs to wake from idle at once while the sender lives; (the file held open, what happened).

    Writing 0 to the PM QoS file keeps the CPUs out of deep idle states for
    as long as it stays open, as cyclictest and tuned audio systems do. A
    sleeping sender wakes on a timer; from a deep idle state (or a halted
    virtual CPU) that took up to ms here: at 1000 notes a second on the
    project's VM, p99 0.7-0.9 ms late without it, 0.05-0.08 ms with it. It
    costs power while a session plays. Only root, or a user a udev rule lets
    write the file (e.g. the audio group), may: otherwise nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return None, ""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as error:
        return None, f"; CPU idle latency not held ({error.strerror or error})"
    try:
        os.write(fd, struct.pack("i", 0))
    except OSError as error:
        os.close(fd)
        return None, f"; CPU idle latency not held ({error.strerror or error})"
    return fd, "; CPU idle latency held at 0 µs"


def tighten_timer_slack() -> None:
    """Linux: wake from sleeps within ~1 µs of the asked time instead of ~50 µs."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 ns
    except (OSError, AttributeError):
        pass
