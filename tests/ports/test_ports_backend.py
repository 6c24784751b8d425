"""Backend selection: names, APIs, environment, set_backend, and a backend written for mido."""

import subprocess
import sys
import textwrap

import pytest

import livemidi
from livemidi import Backend, Message
from livemidi.backends import backend as backend_module
from livemidi.backends import current_backend, default_backend_name


@pytest.fixture(autouse=True)
def restore_backend():
    saved = current_backend()
    yield
    livemidi.set_backend(saved)


def test_names_and_api(monkeypatch):
    monkeypatch.delenv("LIVEMIDI_BACKEND", raising=False)
    monkeypatch.delenv("MIDO_BACKEND", raising=False)
    assert Backend().name == default_backend_name()
    backend = Backend("livemidi.backends.rtmidi/UNIX_JACK")
    assert (backend.name, backend.api) == ("livemidi.backends.rtmidi", "UNIX_JACK")
    assert Backend("mido.backends.rtmidi").name == "livemidi.backends.rtmidi"
    assert Backend("mido.backends.rtmidi", api="LINUX_ALSA").api == "LINUX_ALSA"
    assert Backend("libremidi").name == Backend("pylibremidi").name == "livemidi.backends.libremidi"
    assert (Backend("libremidi/jack").name, Backend("libremidi/jack").api) == ("livemidi.backends.libremidi", "jack")
    assert repr(Backend("memory")) == "<backend livemidi.backends.memory (not loaded)>"
    assert repr(Backend("livemidi.backends.memory", load=True)) == "<backend livemidi.backends.memory (loaded)>"
    assert repr(backend) == "<backend livemidi.backends.rtmidi/UNIX_JACK (not loaded)>"


@pytest.mark.parametrize(
    ("platform", "rtmidi", "libremidi", "chosen"),
    [
        ("linux", True, True, "rtmidi"),
        ("linux", False, True, "libremidi"),  # Python 3.13+: only pylibremidi has wheels
        ("darwin", True, False, "rtmidi"),
        ("linux", False, False, "rtmidi"),  # neither: its error says what to install
        ("win32", True, True, "libremidi"),  # Windows MIDI Services: virtual ports without loopMIDI
        ("win32", True, False, "rtmidi"),
        ("win32", False, False, "libremidi"),
    ],
)
def test_the_default_backend_is_the_installed_one_that_serves_best(monkeypatch, platform, rtmidi, libremidi, chosen):
    from livemidi.backends import libremidi_load

    real_find_spec = backend_module.importlib.util.find_spec
    monkeypatch.setattr(backend_module.sys, "platform", platform)
    monkeypatch.setattr(
        backend_module.importlib.util, "find_spec",
        lambda name, *args: (real_find_spec("sys") if rtmidi else None) if name == "rtmidi" else real_find_spec(name, *args),
    )  # fmt: skip
    monkeypatch.setattr(libremidi_load, "installed", lambda: libremidi)
    monkeypatch.delenv("LIVEMIDI_BACKEND", raising=False)
    monkeypatch.delenv("MIDO_BACKEND", raising=False)
    assert default_backend_name() == f"livemidi.backends.{chosen}"
    assert Backend().name == f"livemidi.backends.{chosen}"


def test_without_any_midi_library_the_error_says_what_to_install(monkeypatch):
    code = textwrap.dedent(
        """
        import sys
        sys.modules['rtmidi'] = None          # not importable, as where python-rtmidi is not installed
        import livemidi
        try:
            livemidi.Backend('livemidi.backends.rtmidi').get_output_names()
        except ImportError as error:
            print(error)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install python-rtmidi" in result.stdout and "pip install pylibremidi" in result.stdout
    assert "3.12 and older" in result.stdout


def test_backend_from_the_environment(monkeypatch):
    monkeypatch.setenv("MIDO_BACKEND", "livemidi.backends.memory")
    assert Backend().name == "livemidi.backends.memory"
    monkeypatch.setenv("LIVEMIDI_BACKEND", "livemidi.backends.rtmidi/LINUX_ALSA")
    assert (Backend().name, Backend().api) == ("livemidi.backends.rtmidi", "LINUX_ALSA")


def test_unknown_backends():
    with pytest.raises(ImportError, match="no backend module 'nowhere.backend'"):
        Backend("nowhere.backend").load()
    with pytest.raises(ImportError, match="never imports mido"):
        Backend("mido.backends.portmidi", load=True)


def test_set_backend_is_followed_without_rebinding(unique):
    from livemidi import get_input_names, open_output  # taken before set_backend

    backend = livemidi.set_backend("livemidi.backends.memory")
    assert livemidi.backend is backend
    with open_output(unique, virtual=True):
        assert unique in get_input_names()
    other = Backend("livemidi.backends.memory")
    assert livemidi.set_backend(other) is other and livemidi.backend is other


def test_import_livemidi_does_not_import_rtmidi():
    code = "import sys, livemidi; livemidi.Backend(); print('rtmidi' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_backend_module_written_for_mido(tmp_path, monkeypatch):
    (tmp_path / "toybackend.py").write_text(
        textwrap.dedent(
            """
            from livemidi.ports import BaseInput, BaseOutput

            SENT = []

            def get_devices(**kwargs):
                return [{'name': 'Toy', 'is_input': True, 'is_output': True}]

            class Input(BaseInput):
                def _open(self, virtual=False, callback=None, **kwargs):
                    self._messages.append(__import__('livemidi').Message('start'))

            class Output(BaseOutput):
                def _send(self, msg):
                    SENT.append(msg)
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    backend = Backend("toybackend")
    assert backend.get_ioport_names() == ["Toy"]
    with backend.open_ioport("Toy") as io:
        io.send(Message("stop"))
        assert io.receive() == Message("start")
    assert backend.module.SENT == [Message("stop")]


def test_rtmidi_api_names_and_windows_advice(monkeypatch):
    pytest.importorskip("rtmidi")
    from livemidi.backends import rtmidi as backend

    assert set(backend.get_api_names()) <= {"MACOSX_CORE", "LINUX_ALSA", "UNIX_JACK", "WINDOWS_MM", "RTMIDI_DUMMY", "WEB_MIDI"}
    with pytest.raises(ValueError, match="unknown API 'BEOS'.*UNIX_JACK"):
        Backend("livemidi.backends.rtmidi/BEOS").open_output("x")
    monkeypatch.setattr(backend.sys, "platform", "win32")
    with pytest.raises(OSError, match="loopMIDI"):
        Backend("livemidi.backends.rtmidi").open_output("livemidi", virtual=True)
