"""Latency offsets per output, on a virtual clock: set live, what was shipped moves, stored offsets apply."""

from __future__ import annotations

import json
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.clock import VirtualSender
from livemidi.pattern import note
from livemidi.repl.toolbar import toolbar_text
from livemidi.session import Session, namespace
from livemidi.session.patternfile import PatternFileError, load_pattern_file

STEP = 1 / 256  # binary-exact steps of the virtual clock (s)


class Rig:
    """A session on a virtual clock with outputs 'out' and 'synth'; `run(seconds)` collects what was sent."""

    def __init__(self, outputs=("out", "synth"), **options):
        self.t = 64.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=lambda: self.t)
        self.session = Session(
            self.sender, threaded=False, now=lambda: self.t, on_notice=self.notices.append, **options
        )  # fmt: skip
        for name in outputs:
            self.session.add_output(name)
        self.sent = []

    def run(self, seconds: float) -> None:
        end = self.t + seconds
        while self.t < end:
            self.t += STEP
            self.session.clock.step()
            self.sender.advance(self.t)
        self.sent += self.sender.take_sent()

    def note_ons(self, port: int) -> list[float]:
        return [sent.time for sent in self.sent if sent.port == port and sent.data[0] & 0xF0 == 0x90]


def two_loops(rig: Rig) -> None:
    rig.session.p.a = note("c3*4")
    rig.session.p.b = note("c3*4").port("synth")
    rig.session.start()


def test_a_negative_offset_sends_that_output_earlier():
    rig = Rig()
    two_loops(rig)
    assert rig.session.offset("synth", -12) == -12.0
    rig.run(3)
    out, synth = rig.note_ons(0), rig.note_ons(1)
    assert len(out) == len(synth) >= 5
    assert all(abs((a - b) - 0.012) < 1e-9 for a, b in zip(out, synth))


def test_a_positive_offset_sends_it_later():
    rig = Rig()
    two_loops(rig)
    rig.session.offset(1, 7.5)  # by index too
    rig.run(3)
    assert all(abs((b - a) - 0.0075) < 1e-9 for a, b in zip(rig.note_ons(0), rig.note_ons(1)))


def test_changing_the_offset_live_moves_what_was_already_shipped():
    rig = Rig(lookahead=0.5)
    two_loops(rig)
    rig.run(1.0)  # events half a second ahead are queued in the sender
    shipped = len(rig.sender._core)
    assert shipped > 0
    rig.session.offset("synth", -20)
    rig.run(2.0)
    later = [(a, b) for a, b in zip(rig.note_ons(0), rig.note_ons(1)) if a > 64.0 + 1.0]
    assert later, "notes after the change"
    assert all(abs((a - b) - 0.020) < 1e-9 for a, b in later)  # the queued ones moved too
    rig.session.offset("synth", 0)
    rig.run(2.0)
    newest = [(a, b) for a, b in zip(rig.note_ons(0), rig.note_ons(1)) if a > 64.0 + 3.0]
    assert newest and all(abs(a - b) < 1e-9 for a, b in newest)


def test_reading_offsets():
    rig = Rig()
    assert rig.session.offset() == {"out": 0.0, "synth": 0.0}
    rig.session.offset("syn", -3.25)  # a unique part of the name
    assert rig.session.offset("synth") == -3.25
    assert rig.session.offset() == {"out": 0.0, "synth": -3.25}
    assert rig.session.clock.latency("synth") == 3.25  # the clock's sign: send that much early
    assert rig.session.status().offsets == (0.0, -3.25)


def test_bad_ports_and_values_are_refused_with_what_is_expected():
    rig = Rig()
    with pytest.raises(ValueError, match=r"no output matches port 'drums': the outputs are \['out', 'synth'\]"):
        rig.session.offset("drums", -3)
    with pytest.raises(ValueError, match=r"milliseconds from -1000 to 1000 \(negative: earlier\), got '-3'"):
        rig.session.offset("synth", "-3")
    for bad in (1000.5, -2000, float("nan"), True):
        with pytest.raises(ValueError, match="from -1000 to 1000"):
            rig.session.offset("synth", bad)
    with pytest.raises(ValueError, match="name the output"):
        rig.session.offset(None, -3)
    with pytest.raises(ValueError, match="from -1000 to 1000"):
        rig.session.add_output("more", offset="x")
    assert rig.session.outputs == ["out", "synth"]  # nothing was opened
    assert rig.session.offset() == {"out": 0.0, "synth": 0.0}


def test_add_output_with_an_offset():
    rig = Rig(outputs=())
    rig.session.add_output("out")
    rig.session.add_output("synth", offset=-5)
    assert rig.session.offset() == {"out": 0.0, "synth": -5.0}


def test_given_offsets_apply_to_outputs_of_those_names_with_a_notice():
    rig = Rig(offsets={"synth": -7.5, "elsewhere": 3})
    assert rig.session.offset() == {"out": 0.0, "synth": -7.5}
    assert rig.notices == ["output 'synth' plays 7.5 ms earlier (as given)"]
    with pytest.raises(ValueError, match="the offset of 'x'"):
        Rig(offsets={"x": "soon"})


def test_a_session_with_a_virtual_sender_does_not_read_the_config(user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text(json.dumps({"offsets": {"synth": -9}}))
    assert Rig().session.offset("synth") == 0.0


def test_save_stores_the_offset_for_the_next_session(user_config):
    rig = Rig()
    rig.session.offset("synth", -6.5, save=True)
    assert json.loads(user_config.read_text()) == {"offsets": {"synth": -6.5}}
    rig.session.offset("synth", 0, save=True)
    assert json.loads(user_config.read_text()) == {"offsets": {}}


def test_the_toolbar_and_status_show_non_zero_offsets():
    rig = Rig()
    rig.session.offset("synth", -12)
    text = toolbar_text(rig.session)
    assert "→ out, synth (-12 ms) │" in text
    rig.session.offset("out", 2.5)
    assert "→ out (+2.5 ms), synth (-12 ms) │" in toolbar_text(rig.session)


def test_the_repl_has_offset():
    rig = Rig()
    names = namespace(rig.session)
    names["offset"]("synth", -4)
    assert names["offset"]("synth") == -4.0
    assert names["offset"]() == {"out": 0.0, "synth": -4.0}


def test_a_pattern_file_sets_offsets_whole_or_not_at_all(tmp_path):
    rig = Rig()
    path = tmp_path / "song.py"
    path.write_text("offset('synth', -8)\np.a = note('c3')\n")
    load_pattern_file(rig.session, path)
    assert rig.session.offset("synth") == -8.0
    path.write_text("offset('synth', -2)\noffset('drums', -3)\np.a = note('e3')\n")
    with pytest.raises(PatternFileError, match="no output matches port 'drums'"):
        load_pattern_file(rig.session, path)
    assert rig.session.offset("synth") == -8.0  # nothing of the failed file was applied
    path.write_text("offset('synth', -2)\np.a = note('nonsense')\n")
    with pytest.raises(PatternFileError):
        load_pattern_file(rig.session, path)
    assert rig.session.offset("synth") == -8.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1000, 1000, allow_nan=False), min_size=1, max_size=5))
def test_the_last_offset_set_is_the_one_that_holds(values):
    rig = Rig()
    for value in values:
        rig.session.offset("synth", value)
    assert rig.session.offset("synth") == values[-1]
    assert rig.session.clock.latency("synth") == pytest.approx(-values[-1])


def test_offsets_changed_from_another_thread_never_deadlock_with_the_lookahead_thread():
    session = Session(VirtualSender(now=time.perf_counter), lookahead=0.02, on_notice=lambda text: None)
    session.add_output("out")
    session.add_output("synth")
    session.start()
    done = threading.Event()

    def perform():
        for round_ in range(200):
            session.p.a = note("c4*8").port("synth")
            session.offset("synth", -(round_ % 30))
            session.offset("out", round_ % 7)
            session.mute("a")
            session.unmute("a")
            session.status()
        done.set()

    worker = threading.Thread(target=perform, daemon=True)
    worker.start()
    assert done.wait(60), "offset() and the lookahead thread are waiting for each other"
    session.close()


def test_the_repl_example_in_the_ableton_page_runs(user_config):
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "ableton.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", page, re.S) if b.startswith("offset(")]
    rig = Rig(outputs=("livemidi", "Digitakt"))
    exec(compile(block, "docs/ableton.md", "exec"), namespace(rig.session))
    assert rig.session.offset() == {"livemidi": -12.0, "Digitakt": 4.5}
    assert json.loads(user_config.read_text()) == {"offsets": {"livemidi": -12.0}}
