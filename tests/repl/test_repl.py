"""The live REPL through prompt_toolkit's pipe input, on a session with a virtual sender."""

from __future__ import annotations

import asyncio

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from livemidi.clock import VirtualSender
from livemidi.repl import Executor, is_complete, repl
from livemidi.repl.toolbar import toolbar_text
from livemidi.session import Session

F8 = "\x1b[19~"
F9 = "\x1b[20~"
CTRL_C = "\x03"
CTRL_D = "\x04"


@pytest.fixture
def session():
    t = [50.0]
    sender = VirtualSender(now=lambda: t[0])
    session = Session(sender, threaded=False, now=lambda: t[0])
    session.add_output("out")
    yield session
    session.close()


class Typed:
    """What the REPL printed while keys were typed into it."""

    def __init__(self):
        self.out = ""

    def write(self, text):
        self.out += text


def type_into(session, *keys: str, history_path=None) -> Typed:
    typed = Typed()

    async def go():
        with create_pipe_input() as pipe:
            for key in keys:
                pipe.send_text(key)
            typed.status = await repl(
                session, input=pipe, output=DummyOutput(), history_path=history_path, write=typed.write
            )

    asyncio.run(go())
    return typed


def test_typed_code_plays_loops_and_ctrl_d_quits(session):
    typed = type_into(session, "p.bass = note('c2 e2').ch(1)\r", "tempo(90)\r", "where()\r", CTRL_D)
    assert typed.status == 0
    assert "bass" in session.loops and session.tempo() == 90
    out = typed.out
    assert "'1.1 at 90 BPM (stopped)'" in out
    assert "p.name = pattern" in out  # the banner


def test_an_error_prints_a_short_traceback_and_the_repl_goes_on(session):
    out = type_into(session, "p.x = note('c4').fmap(lambda v: v['nope'])\r", "1 +\r", "p.y = note('d4')\r", CTRL_D).out
    assert 'File "<in 1>", line 1' in out and "KeyError: 'nope'" in out
    assert "site-packages" not in out and "livemidi/" not in out  # only the performer's frames
    assert "SyntaxError" in out
    assert "y" in session.loops


def test_a_loop_name_that_does_not_exist_is_a_sentence_not_a_quoted_key(session):
    out = type_into(session, "p.bass = note('c2')\r", "mute('nosuch')\r", "solo('bass')\r", CTRL_D).out
    assert "no loop named 'nosuch'; the loops are: bass\n" in out
    assert "KeyError: \"" not in out and "(loops:" not in out
    assert session._solo == {"bass"}  # the REPL goes on


def test_a_pattern_that_fails_its_trial_is_refused_with_the_reason(session):
    out = type_into(session, "p.x = note('c4')\r", "p.x = note('c4').port('nowhere')\r", CTRL_D).out
    assert "PatternError: the new pattern for 'x' fails" in out and "the old pattern plays on" in out
    assert session.loops["x"].timeline[-1][1] is not None


def test_a_pattern_over_budget_is_refused_saying_once_why_and_how_to_raise_it(session):
    out = type_into(session, "p.x = note('c4*6000')\r", "budget(events=20000)\r", "p.x = note('c4*6000')\r", CTRL_D).out
    assert out.count("it plays more than 1,250 events in bar 1 beat 1") == 1  # the cause is not printed again
    assert "raise it with budget(events=10000)" in out and "Budget(events=20000, share=0.25)" in out
    assert "x" in session.loops


def test_ctrl_c_drops_the_line_and_the_music_goes_on(session):
    type_into(session, "p.a = note('c4')\r", "p.b = note('e4')", CTRL_C, CTRL_D)
    assert set(session.loops) == {"a"}


def test_enter_continues_a_block_until_a_blank_line(session):
    type_into(session, "for name in ['a', 'b']:\r", "p[name] = note('c4')\r", "\r", CTRL_D)
    assert set(session.loops) == {"a", "b"}


def test_f8_hushes_and_f9_panics(session):
    out = type_into(session, "p.a = note('c4')\r", F8, CTRL_D).out
    assert session.loops == {}
    out += type_into(session, "p.a = note('c4')\r", F9, CTRL_D).out
    assert session.loops == {}
    assert "hush: every loop stopped" in out and "panic: every note off" in out


def test_history_is_kept_across_sessions(session, tmp_path):
    path = tmp_path / "history"
    type_into(session, "tempo(99)\r", CTRL_D, history_path=path)
    assert "tempo(99)" in path.read_text()


def test_the_toolbar_shows_position_tempo_loops_ports_and_late_count(session):
    session.p.bass = "c2"
    session.p.hat = "c5*4"
    session.mute("hat")
    text = toolbar_text(session, recording="take1.mid")
    for part in ("1.1", "120 BPM", "■", "bass ●", "hat ○", "→ out", "rec take1.mid", "late 0", "F8 hush"):
        assert part in text


def test_the_toolbar_says_how_many_late_messages_the_machine_made_late(session):
    text = toolbar_text(session)
    assert "late 0 │" in text and "machine" not in text
    core = session.sender._core  # a VirtualSender's counters, as a real sender would report them
    core.late_count, core.late_woke, core.late_held = 3, 1, 1
    assert "late 3 (machine 2) │" in toolbar_text(session)
    assert session.status().late_machine == 2


def test_the_toolbar_says_when_a_stall_skipped_music(session):
    assert "skipped" not in toolbar_text(session)
    session.clock.stalls = 2  # as the lookahead loop counts them (tests/session/test_stalls.py)
    assert "late 0 │ skipped 2× │" in toolbar_text(session)


def test_the_toolbar_shows_what_the_session_follows_and_where_the_clock_goes(session):
    from livemidi.clock import ClockIn

    session.add_output("drum machine")
    session.clock_out("drum")
    clock = ClockIn(None, now=lambda: 50.0)
    session.follow(clock, owned=True)
    for k in range(48):
        clock.feed(b"\xf8", 49.0 + k * 0.5 / 24)
    text = toolbar_text(session)
    assert "clock in 120" in text
    assert "→ out, drum machine ⏱" in text
    session.follow(None)
    assert "clock in" not in toolbar_text(session)


@pytest.mark.parametrize(
    "text, complete",
    [("x = 1", True), ("def f():", False), ("def f():\n    return 1", False), ("def f():\n    return 1\n", True),
     ("f(1,", False), ("f(1,\n  2)", True), ("x = ", True), ("", False)],
)
def test_what_enter_runs(text, complete):
    assert is_complete(text) is complete


def test_the_executor_prints_values_and_keeps_going():
    out = []
    run = Executor({}, write=out.append).run
    assert run("x = 2\nx * 21") is True
    assert run("x / 0") is False
    assert out[0] == "42\n" and "ZeroDivisionError" in out[1] and "<in 2>" in out[1]


def test_the_executor_gives_events_the_place_of_their_mini_notation():
    from livemidi.pattern import Location, locations, note

    names = {"note": note}
    run = Executor(names, write=lambda text: None).run
    assert run("x = 1") and run('p = note("c4 [e4 g4]")\nq = note("g4")')
    assert [locations(ev) for ev in names["p"].events(0, 1)] == [
        (Location("<in 2>", 1, 10, 12),), (Location("<in 2>", 1, 14, 16),), (Location("<in 2>", 1, 17, 19),)]
    assert [locations(ev) for ev in names["q"].events(0, 1)] == [(Location("<in 2>", 2, 10, 12),)]
    # A final expression is compiled the same way; its value prints as before.
    out = []
    run = Executor(names, write=out.append).run
    assert run('note("c4").events(0, 1)[0]') and out == ["<Event 0 → 1 | note=60>\n"]
    assert locations(names["_"]) == (Location("<in 1>", 1, 6, 8),)


def test_an_error_in_a_chunk_points_at_the_same_line_and_column_as_before():
    text = 'x = "c4 e4"\ny = [\n  x,\n  "a" + undefined_name]'
    out = []
    run = Executor({}, write=out.append).run
    assert run(text) is False
    try:  # the same chunk compiled by plain Python, as the executor did before its strings knew their place
        exec(compile(text, "<in 1>", "exec"), {})
    except NameError as error:
        plain = Executor.format_error(error)
    assert out[0] == plain
    assert '  File "<in 1>", line 4, in <module>' in plain and "^^^^^^^^^^^^^^" in plain
