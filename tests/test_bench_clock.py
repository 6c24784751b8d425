"""bench/timing_clock.py: the sender's split of the clock pulses it sent late."""

import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
sys.path.append(BENCH)  # after everything else: bench/ has modules named like common ones (messages, patterns)

from timing_clock import why_late, why_late_text  # noqa: E402

from livemidi.clock.handle import SenderStats  # noqa: E402


def test_the_clock_part_splits_the_late_pulses_as_the_sender_counted_them():
    before = SenderStats(sent=100, late=2, arrived_late=1, late_woke=1, late_held=0)
    after = SenderStats(sent=900, late=6, arrived_late=2, late_woke=2, late_held=2)
    why = why_late(before, after)
    assert why == {"late": 4, "woke": 1, "held": 2, "other": 1, "arrived_late": 1}
    assert why_late_text(why).startswith("over 1 ms late: 4 (the sender woke late 1, was held off the CPU 2, other 1")
