"""Fast construction of messages: one builder function per type, generated from the spec table.

``Message('note_on', note=60)`` has a budget of well under a microsecond,
and on CPython a class call with keyword arguments takes most of it before
any of our code runs. So, once at import, this module writes one small
function per message type (as `dataclasses` writes ``__init__``), e.g.::

    def build_note_on(channel=0, note=0, velocity=64, time=0):
        if channel.__class__ is not int or not 0 <= channel <= 15:
            channel = check_int('channel', channel)
        ...
        return {'type': 'note_on', 'channel': channel, 'note': note, 'velocity': velocity, 'time': time}

Python binds the keyword arguments and fills in the defaults in C; each
value costs one comparison unless it looks wrong, and only then are the
plain checks in checks.py called, for the exact error. An unknown keyword
raises Python's own TypeError, which `Message` turns into the ValueError
mido users expect. The unchecked variants serve ``skip_checks=True``.
"""

from __future__ import annotations

from .checks import SysexData, check_data, check_int, check_time
from .specs import DEFAULT_VALUES, RANGES, SPECS

__all__ = ["BUILDERS", "UNCHECKED_BUILDERS"]


def _builder_source(spec, checked: bool) -> str:
    names = spec.value_names + ("time",)
    parameters = ", ".join(f"{name}={DEFAULT_VALUES[name]!r}" for name in names)
    lines = [f"def build_{spec.type}({parameters}):"]
    for name in spec.value_names:
        if name == "data":
            lines.append("    data = check_data(data)" if checked else "    data = SysexData(data)")
        elif checked:
            low, high = RANGES[name]
            lines += [
                f"    if {name}.__class__ is not int or not {low} <= {name} <= {high}:",
                f"        {name} = check_int({name!r}, {name})",
            ]
    if checked:
        lines += [
            "    if time.__class__ is not int and time.__class__ is not float:",
            "        time = check_time(time)",
        ]
    items = ", ".join([f"'type': {spec.type!r}"] + [f"{name!r}: {name}" for name in names])
    lines.append(f"    return {{{items}}}")
    return "\n".join(lines)


def _make_builders(checked: bool) -> dict:
    namespace = {
        "SysexData": SysexData,
        "check_data": check_data,
        "check_int": check_int,
        "check_time": check_time,
    }
    # One exec for all types: compiling is most of the import-time cost.
    source = "\n\n".join(_builder_source(spec, checked) for spec in SPECS)
    exec(source, namespace)  # the source comes from the spec table only
    return {spec.type: namespace[f"build_{spec.type}"] for spec in SPECS}


# type name -> build(**attributes) -> the checked attribute dict of a message.
BUILDERS = _make_builders(checked=True)
# The same without checks (sysex data is still made a SysexData).
UNCHECKED_BUILDERS = _make_builders(checked=False)
