"""The libremidi backend's own parts: loading pylibremidi here, the input filter and arrival times,
API names, the trap of the bundled libjack, and what `livemidi ports` says.

The port behaviour itself (virtual ports, names, callbacks, disconnects) is
tested with the rtmidi backend's tests, which run on both (test_ports_jack.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import livemidi
from livemidi import Message, Parser, PortError

ROOT = Path(__file__).resolve().parents[2]

pylibremidi = pytest.importorskip("livemidi.backends.libremidi_load")
if not pylibremidi.installed():
    pytest.skip("pylibremidi is not installed", allow_module_level=True)

from livemidi.backends import libremidi as backend  # noqa: E402
from livemidi.backends.libremidi_input import Arrivals as _Arrivals  # noqa: E402
from livemidi.backends.libremidi_input import Filter as _Filter  # noqa: E402


@pytest.fixture
def libremidi_jack(jack_session):
    """The libremidi backend on the JACK server (for what only this backend does)."""
    if isinstance(jack_session, str):
        pytest.skip(jack_session)
    return livemidi.Backend("livemidi.backends.libremidi/JACK_MIDI")


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, env=environment)  # fmt: skip


# -- loading ----------------------------------------------------------------------------


def test_pylibremidi_loads_on_this_python():
    module = pylibremidi.load()
    assert module.get_version()
    assert "JACK_MIDI" in backend.get_api_names() or sys.platform != "linux"


@pytest.mark.skipif(sys.version_info < (3, 13) or sys.platform != "linux", reason="the 3.13+ Linux wheel only")
def test_on_313_the_wheel_python_cannot_import_is_loaded_by_path():
    # Python itself finds no module (its extension is named for 3.12) ...
    plain = _run("import pylibremidi")
    assert plain.returncode != 0 and "No module named 'pylibremidi'" in plain.stderr
    # ... and livemidi loads it, binding the one C-API call 3.13 renamed.
    loaded = _run("""
        from livemidi.backends import elfbind, libremidi_load
        module = libremidi_load.load()
        symbols = elfbind.ElfSymbols(open(module.__file__, 'rb').read(), module.__file__)
        print(elfbind.plan(symbols, elfbind.RENAMED_IN_3_13), module.get_version())
    """)
    assert loaded.returncode == 0, loaded.stderr
    assert "{'_PyObject_LookupAttr': 'PyObject_GetOptionalAttr'}" in loaded.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="ELF")
def test_a_missing_call_without_a_new_name_is_refused_before_loading(monkeypatch):
    from livemidi.backends import elfbind

    path = pylibremidi._extension_file() or Path(pylibremidi.load().__file__)
    symbols = elfbind.ElfSymbols(path.read_bytes(), str(path))
    assert "PyObject_GetAttr" in symbols.undefined and "PyObject_GetAttr" in symbols.plt_slots
    real = elfbind._python_has
    monkeypatch.setattr(elfbind, "_python_has", lambda name: name != "PyObject_GetAttr" and real(name))
    with pytest.raises(ImportError, match="needs PyObject_GetAttr from Python.*built for an older Python"):
        elfbind.plan(symbols, elfbind.RENAMED_IN_3_13)
    # with a new name for it, the plan rebinds its slot (and, on 3.13+, the one 3.13 renamed)
    plan = elfbind.plan(symbols, {**elfbind.RENAMED_IN_3_13, "PyObject_GetAttr": "PyObject_GenericGetAttr"})
    expected = {"PyObject_GetAttr": "PyObject_GenericGetAttr"}
    if sys.version_info >= (3, 13):
        expected["_PyObject_LookupAttr"] = "PyObject_GetOptionalAttr"
    assert plan == expected


def test_elf_reader_refuses_what_is_not_a_64_bit_elf():
    from livemidi.backends import elfbind

    with pytest.raises(ImportError, match="not an ELF file"):
        elfbind.ElfSymbols(b"MZ\x90\x00" + bytes(60), "x.pyd")
    with pytest.raises(ImportError, match="64-bit little-endian"):
        elfbind.ElfSymbols(b"\x7fELF\x01\x01" + bytes(58), "x.so")


@pytest.mark.skipif(sys.platform != "linux", reason="the bundled libjack is in the Linux wheel")
def test_the_system_libjack_answers_pylibremidis_jack_calls():
    result = _run("from livemidi.backends import libremidi_load; print(libremidi_load.jack_library())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("system: ") and "pylibremidi.libs" not in result.stdout


def test_a_libjack_that_cannot_be_loaded_is_named():
    result = _run("""
        from livemidi.backends import libremidi_load
        try:
            libremidi_load.load()
        except ImportError as error:
            print(error)
    """, LIVEMIDI_LIBJACK="/nowhere/libjack.so.0")
    if sys.platform.startswith("linux"):
        assert "LIVEMIDI_LIBJACK names '/nowhere/libjack.so.0', which could not be loaded" in result.stdout


# -- the trap of the bundled libjack, on the real server ---------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="the bundled libjack is in the Linux wheel")
def test_the_bundled_libjack_against_a_newer_server_is_explained(jack_session):
    """pylibremidi's own libjack speaks JACK protocol 8; jackd 1.9.21 refuses it. The user is told why and what to do."""
    if isinstance(jack_session, str):
        pytest.skip(jack_session)
    env = dict(LIVEMIDI_LIBJACK="bundled", LIVEMIDI_BACKEND="livemidi.backends.libremidi/JACK_MIDI")
    listed = subprocess.run([sys.executable, "-m", "livemidi", "ports"], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT), **env))  # fmt: skip
    assert listed.returncode == 1
    assert "older protocol than this JACK server" in listed.stdout
    assert "sudo apt install libjack-jackd2-0" in listed.stdout and "unset it" in listed.stdout
    opened = _run("""
        import livemidi
        try:
            livemidi.open_output('x', virtual=True)
        except OSError as error:
            print(type(error).__name__, error)
    """, **env)
    assert opened.stdout.startswith("PortError") and "JACK protocol mismatch" in opened.stdout


# -- what inputs drop ------------------------------------------------------------------------

STREAM = st.lists(
    st.one_of(
        st.builds(lambda n, v: [0x90, n, v], st.integers(0, 127), st.integers(0, 127)),
        st.builds(lambda d: [0xF0, *d, 0xF7], st.lists(st.integers(0, 127), max_size=20)),
        st.just([0xF8]), st.just([0xFE]), st.just([0xFA]),
        st.builds(lambda v: [0xF1, v], st.integers(0, 127)),
        st.builds(lambda c, v: [0xB0, c, v], st.integers(0, 119), st.integers(0, 127)),
    ),
    max_size=30,
)  # fmt: skip


@given(STREAM, st.data(), st.booleans(), st.booleans(), st.booleans())
def test_the_filter_drops_exactly_the_ignored_messages_however_the_bytes_are_cut(messages, data, sysex, timing, sensing):
    stream = [byte for message in messages for byte in message]
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(stream) - 1)), max_size=6))) if stream else []
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)]) if stream[a:b]]
    keep = _Filter(sysex, timing, sensing)
    parser = Parser()
    for chunk in chunks:
        parser.feed(keep(chunk))
    ignored = ({"sysex"} if sysex else set()) | ({"clock", "quarter_frame"} if timing else set())
    ignored |= {"active_sensing"} if sensing else set()
    expected = [m for m in livemidi.parse_all(bytes(stream)) if m.type not in ignored]
    assert list(parser) == expected


def test_real_time_bytes_inside_a_sysex_are_kept_or_dropped_alone():
    keep = _Filter(sysex=False, timing=True, sensing=True)
    assert keep([0xF0, 1, 0xF8, 2, 0xFE, 0xFA, 3, 0xF7]) == [0xF0, 1, 2, 0xFA, 3, 0xF7]
    drop_sysex = _Filter(sysex=True, timing=False, sensing=True)
    assert drop_sysex([0xF0, 1, 0xF8, 2]) == [0xF8]
    assert drop_sysex([3, 0xF7, 0x90, 60, 1]) == [0x90, 60, 1]  # the sysex went on in the next chunk


def test_an_empty_event_is_kept_as_nothing():
    # pylibremidi hands over empty events when a JACK input is flooded; the filter
    # raised on them, which ended the thread that polls every libremidi input
    for keep in (_Filter(sysex=False, timing=False, sensing=True), _Filter(sysex=True, timing=True, sensing=True)):
        assert keep([]) == []


def test_an_input_whose_poll_fails_does_not_stop_the_others(capfd, wait_for):
    from livemidi.backends.libremidi_input import poller

    class Broken:
        name = "broken"

        def poll(self):
            raise ValueError("a fault in one input")

    class Counting:
        polls = 0

        def poll(self):
            self.polls += 1

    broken, counting = Broken(), Counting()
    poller.add(broken)
    poller.add(counting)
    try:
        wait_for(lambda: counting.polls > 5, what="polls of the healthy input after the broken one failed")
    finally:
        poller.remove(broken)
        poller.remove(counting)
    assert "polling the input 'broken' failed: ValueError('a fault in one input')" in capfd.readouterr().err


# -- arrival times ------------------------------------------------------------------------------


def test_a_late_poll_keeps_the_spacing_of_what_it_found():
    clock = _Arrivals()
    # three clock pulses 10.4 ms apart (ns stamps on the MIDI system's clock), found together by a late poll
    stamps = [5_000_000_000, 5_010_400_000, 5_020_800_000]
    assert clock.arrivals(stamps, now=100.0) == pytest.approx([99.9792, 99.9896, 100.0])
    # the next poll: never earlier than what came before, never after the poll
    assert clock.arrivals([5_031_200_000], now=100.0105) == pytest.approx([100.0105])
    assert clock.arrivals([5_000_000_001], now=100.02) == [100.02]  # alone in its poll: it arrived then


def test_stamps_that_are_no_clock_give_the_poll_time():
    clock = _Arrivals()
    assert clock.arrivals([0, 0], now=3.0) == [3.0, 3.0]
    assert clock.arrivals([7, 5], now=4.0) == [4.0, 4.0]


def test_arrival_time_reaches_the_callback_on_jack(jack, unique, wait_for):
    import time

    seen = []
    with jack.open_output(unique, virtual=True) as out:
        port = jack.open_input(unique)
        port.callback = lambda msg: seen.append((msg, port.arrival_time, time.perf_counter()))
        sent = time.perf_counter()
        out.send(Message("note_on", note=1))
        wait_for(lambda: seen, what="the note")
        port.close()
    (msg, arrived, called), = seen
    assert msg == Message("note_on", note=1)
    assert sent < arrived <= called and arrived - sent < 0.5


# -- API names, Windows, client names ------------------------------------------------------------


def test_api_names_of_both_backends_and_short_ones_are_understood():
    available = backend.get_api_names()
    for name, meant in [("UNIX_JACK", "JACK_MIDI"), ("jack", "JACK_MIDI"), ("LINUX_ALSA", "ALSA_SEQ"),
                        ("alsa", "ALSA_SEQ"), ("MACOSX_CORE", "COREMIDI"), ("winmm", "WINDOWS_MM"),
                        ("midi services", "WINDOWS_MIDI_SERVICES")]:  # fmt: skip
        if meant in available:
            assert backend._api_name(name) == meant
        else:
            with pytest.raises(ValueError, match=f"API {meant} is not available here; this pylibremidi has"):
                backend._api_name(name)
    with pytest.raises(ValueError, match="unknown API 'BEOS'; expected one of .*JACK_MIDI"):
        backend._api_name("BEOS")
    with pytest.raises(TypeError, match="API name"):
        backend._api_name(4)


def test_windows_makes_virtual_ports_through_midi_services_or_says_to_install_loopmidi(monkeypatch):
    # The decision only: Windows itself is not on these machines (docs/ports.md says what is untested).
    monkeypatch.setattr(backend.sys, "platform", "win32")
    monkeypatch.setattr(backend, "get_api_names", lambda: ["WINDOWS_MM", "WINDOWS_MIDI_SERVICES"])
    assert backend._candidates(None, virtual=True) == ["WINDOWS_MIDI_SERVICES"]
    assert backend._candidates(None) == ["WINDOWS_MM", "WINDOWS_MIDI_SERVICES"]
    monkeypatch.setattr(backend, "get_api_names", lambda: ["WINDOWS_MM"])  # no Windows MIDI Services
    with pytest.raises(PortError, match="Windows MIDI Services.*install loopMIDI"):
        backend._choose(None, virtual=True)
    assert backend._choose(None) == "WINDOWS_MM"


def test_a_virtual_port_needs_a_name():
    with pytest.raises(PortError, match="a virtual port needs a name"):
        backend.open_device("output", None, virtual=True)
    with pytest.raises(ValueError, match="kind must be"):
        backend.open_device("both", "x")


# -- errors on the wire, and exit -------------------------------------------------------------------


def test_a_message_too_big_for_jack_is_an_error_that_says_so(libremidi_jack, unique):
    with libremidi_jack.open_output(unique, virtual=True) as out:
        with pytest.raises(PortError, match=r"could not send 100002 bytes on .*: No buffer space"):
            out.send(Message("sysex", data=[1] * 100_000))
        out.send(Message("note_on"))  # and the port goes on


def test_ports_left_open_at_exit_are_closed_quietly(libremidi_jack):
    # pylibremidi reports its objects still alive when Python exits ("nanobind: leaked ...")
    result = _run("""
        import livemidi
        backend = livemidi.Backend('livemidi.backends.libremidi/JACK_MIDI')
        out = backend.open_output('leftopen', virtual=True)
        inp = backend.open_input('leftopen', callback=print)
        out.send(livemidi.Message('note_on'))
        print('done')
    """)
    assert result.returncode == 0, result.stderr
    assert "leaked" not in result.stderr and "done" in result.stdout


def test_livemidi_ports_names_the_backend_its_library_and_the_api(jack, jack_spec):
    result = subprocess.run([sys.executable, "-m", "livemidi", "ports", "--backend", jack_spec],
                            capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))  # fmt: skip
    assert result.returncode == 0, result.stderr
    library = "pylibremidi " if jack.name.endswith(".libremidi") else "python-rtmidi "
    api = "JACK_MIDI" if jack.name.endswith(".libremidi") else "UNIX_JACK"
    assert f"Backend: {jack.name} ({library}" in result.stdout
    assert f"MIDI API: {api} (asked for" in result.stdout
