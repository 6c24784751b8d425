"""Fast construction and validation of messages, generated from the spec table.

``Message('note_on', note=60)`` has a budget of well under a microsecond, and
Python's call overhead alone takes most of it. So, once at import, this
module writes one small validator per message type, with its attribute
names and ranges inlined (as `dataclasses` writes ``__init__``). Each one
checks a filled-in attribute dict in a few comparisons and, only when a
value looks wrong, calls the plain checks in checks.py for the exact error.

A validator also catches unknown attribute names: the attribute dict starts
from the type's defaults, which hold every valid name, so any extra key
makes it longer than it should be.
"""

from __future__ import annotations

from .checks import check_data, check_int, check_time
from .specs import RANGES, SPEC_BY_TYPE, SPECS

__all__ = ["VALIDATORS"]


def _unknown_attribute(attrs: dict) -> ValueError:
    spec = SPEC_BY_TYPE[attrs["type"]]
    extra = [name for name in attrs if name not in spec.attribute_names]
    names = ", ".join(spec.value_names + ("time",))
    return ValueError(f"{spec.type} message has no attribute {extra[0]!r}; it has: {names}")


def _validator_source(spec) -> str:
    lines = [f"def validate_{spec.type}(attrs):"]
    for name in spec.value_names:
        if name == "data":
            lines.append("    attrs['data'] = check_data(attrs['data'])")
            continue
        low, high = RANGES[name]
        lines += [
            f"    value = attrs[{name!r}]",
            f"    if value.__class__ is not int or not {low} <= value <= {high}:",
            f"        attrs[{name!r}] = check_int({name!r}, value)",
        ]
    lines += [
        "    value = attrs['time']",
        "    if value.__class__ is not int and value.__class__ is not float:",
        "        attrs['time'] = check_time(value)",
        f"    if len(attrs) != {len(spec.value_names) + 2}:",
        "        raise unknown_attribute(attrs)",
    ]
    return "\n".join(lines)


def _make_validator(spec):
    namespace = {
        "check_data": check_data,
        "check_int": check_int,
        "check_time": check_time,
        "unknown_attribute": _unknown_attribute,
    }
    exec(_validator_source(spec), namespace)  # source built above from the spec table only
    return namespace[f"validate_{spec.type}"]


# type name -> validate(attrs): checks in place, converts sysex data to SysexData.
VALIDATORS = {spec.type: _make_validator(spec) for spec in SPECS}
