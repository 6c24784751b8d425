"""A backend for tests: a machine with no MIDI system at all (every call fails as rtmidi's does)."""

from livemidi.errors import PortError


def get_devices(**kwargs):
    raise PortError("could not start a MIDI client: no MIDI system here")


def open_device(kind, name, **kwargs):
    raise PortError("could not start a MIDI client: no MIDI system here")
