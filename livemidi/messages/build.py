"""Fast construction of messages: slot layouts and builder functions, generated from the spec table.

A message keeps its values in ``__slots__`` (64 bytes for a note, against
~200 for an instance dict), so a file of millions of messages fits in a
third of the memory. Messages of one type are instances of one small class
per type (see message.py); the slots themselves are defined here, in one
*layout* class per distinct set of value names (note_on and note_off share
one). A layout class has no ``__setattr__`` of its own, so storing into its
slots is the fastest store CPython has; `Message`, which checks every
assignment, is only laid over it at the end: a finished layout object gets
its message class by ``msg.__class__ = cls`` (the layouts are the same, so
CPython allows it, and it costs less than one checked store).

``Message('note_on', note=60)`` has a budget of well under a microsecond,
and on CPython a class call with keyword arguments takes most of it before
any of our code runs. So, once at import, this module writes one small
function per message type (as `dataclasses` writes ``__init__``), e.g.::

    def build_note_on(channel=0, note=0, velocity=64, time=0):
        if channel.__class__ is not int or not 0 <= channel <= 15:
            channel = check_int('channel', channel)
        ...
        msg = new(layout_channel_note_velocity)
        msg.channel = channel
        ...
        return msg

Python binds the keyword arguments and fills in the defaults in C; each
value costs one comparison unless it looks wrong, and only then are the
plain checks in checks.py called, for the exact error. An unknown keyword
raises Python's own TypeError, which `Message` turns into the ValueError
mido users expect. The unchecked variants serve ``skip_checks=True``.
Builders are compiled on first use. Per layout, `RETIMERS` copy a message
with another time (unchecked), `ATTRS` give its attribute dict and `VALUES`
its values as a tuple.
"""

from __future__ import annotations

from operator import attrgetter

from .checks import SysexData, check_data, check_int, check_time
from .specs import DEFAULT_VALUES, RANGES, SPEC_BY_TYPE, SPECS

__all__ = ["ATTRS", "BUILDERS", "FIELDS", "LAYOUT_BY_TYPE", "RETIMERS", "UNCHECKED_BUILDERS", "VALUES"]


def _layout_name(names: tuple) -> str:
    return "layout_" + "_".join(names or ("empty",))


def _make_layouts() -> dict:
    layouts = {}
    for spec in SPECS:
        if spec.value_names not in layouts:
            slots = spec.value_names + ("time",)
            layouts[spec.value_names] = type(_layout_name(spec.value_names), (), {
                "__slots__": slots, "__module__": __name__, "__doc__": "Slots of a message (internal)."})
    return layouts


_LAYOUTS = _make_layouts()
# type name -> the layout class whose slots hold that type's values and time
LAYOUT_BY_TYPE = {spec.type: _LAYOUTS[spec.value_names] for spec in SPECS}
# type name -> the attribute names that can be set: the values in wire order, then time
FIELDS = {spec.type: spec.value_names + ("time",) for spec in SPECS}


def _fill(names) -> list:
    return ["    msg = new(" + _layout_name(names) + ")"] + [f"    msg.{name} = {name}" for name in names + ("time",)]


def _builder_source(spec, checked: bool) -> str:
    names = spec.value_names + ("time",)
    parameters = ", ".join(f"{name}={DEFAULT_VALUES[name]!r}" for name in names)
    prefix = "build" if checked else "build_unchecked"
    lines = [f"def {prefix}_{spec.type}({parameters}):"]
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
    lines += _fill(spec.value_names)
    lines.append("    return msg")
    return "\n".join(lines)


def _layout_source(names: tuple) -> str:
    layout = _layout_name(names)
    copied = [f"    copy.{name} = msg.{name}" for name in names]
    items = "".join(f", {name!r}: msg.{name}" for name in names + ("time",))
    return "\n".join([f"def retimed_{layout}(msg, time):", f"    copy = new({layout})", *copied,
                      "    copy.time = time", "    copy.__class__ = type(msg)", "    return copy", "",
                      f"def attrs_{layout}(msg):", f"    return {{'type': msg.type{items}}}"])


class _Builders(dict):
    """type name -> builder, each written and compiled the first time it is asked for.

    Compiling is most of the import-time cost, and a program uses only a
    few message types (reading a file uses none: the reader fills slots
    itself), so each builder is compiled on first use.
    """

    def __init__(self, checked: bool) -> None:
        super().__init__()
        self.checked = checked

    def __missing__(self, type_):
        spec = SPEC_BY_TYPE.get(type_)
        if spec is None:
            raise KeyError(type_)
        name = f"build_{type_}" if self.checked else f"build_unchecked_{type_}"
        exec(_builder_source(spec, self.checked), _NAMESPACE)  # the source comes from the spec table only
        builder = self[type_] = _NAMESPACE[name]
        return builder


def _values_getter(names: tuple):
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        # (a staticmethod, as an attrgetter is: neither binds as a method)
        return staticmethod(lambda msg: (getattr(msg, names[0]),))
    return attrgetter(*names)


_NAMESPACE = {
    "SysexData": SysexData,
    "check_data": check_data,
    "check_int": check_int,
    "check_time": check_time,
    "new": object.__new__,
    **{_layout_name(names): layout for names, layout in _LAYOUTS.items()},
}
exec("\n\n".join(map(_layout_source, _LAYOUTS)), _NAMESPACE)  # from the spec table only

# type name -> build(**attributes) -> a layout object holding the checked values.
BUILDERS = _Builders(checked=True)
# The same without checks (sysex data is still made a SysexData).
UNCHECKED_BUILDERS = _Builders(checked=False)
# type name -> retimed(msg, time) -> a copy of msg (of its class) with another time, unchecked.
RETIMERS = {spec.type: _NAMESPACE["retimed_" + _layout_name(spec.value_names)] for spec in SPECS}
# type name -> attrs(msg) -> {'type': ..., values..., 'time': ...}, a new dict (mido's vars(msg)).
ATTRS = {spec.type: _NAMESPACE["attrs_" + _layout_name(spec.value_names)] for spec in SPECS}
# type name -> values(msg) -> (values..., time), e.g. to compare two messages of one type.
VALUES = {spec.type: _values_getter(FIELDS[spec.type]) for spec in SPECS}
