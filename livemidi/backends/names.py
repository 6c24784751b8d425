"""Finding the port a user means: by exact name, by a unique part of it, or by index.

Real port names are long and system-made (``IAC Driver Bus 1``,
``loopMIDI Port 1``, ``Midi Through:Midi Through Port-0 14:0``), so a unique
part of the name is enough; anything ambiguous or unknown raises
`PortNotFoundError` listing what there is, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import PortDisconnectedError, PortError, PortNotFoundError

__all__ = ["check_present", "check_request", "describe_ports", "match_port"]


def check_present(kind: str, target: str | None, names: Sequence[str]) -> None:
    """Raise `PortDisconnectedError` if the port `target` we connected to is not among `names` any more."""
    if target is not None and target not in names:
        raise PortDisconnectedError(
            f"the {kind} {target!r} went away (its device was unplugged or its program quit); "
            f"{describe_ports(kind, names)}"
        )


def check_request(kind: str, name, virtual: bool, callback) -> None:
    """What every backend's ``open_device`` checks first: the kind, no callback there, a virtual port's name."""
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', got {kind!r}")
    if callback is not None:
        raise TypeError("give the callback to open_input(), not to the device")
    if virtual and (not isinstance(name, str) or not name):
        raise PortError(f"a virtual port needs a name, as in open_{kind}('livemidi', virtual=True)")


def describe_ports(kind: str, names: Sequence[str]) -> str:
    """``"available outputs: 'A', 'B'"``, or a sentence saying there are none."""
    if not names:
        return f"there are no {kind}s (open one with virtual=True, or start the program or device that makes one)"
    return f"available {kind}s: " + ", ".join(repr(name) for name in names)


def match_port(wanted: str | int | None, names: Sequence[str], kind: str) -> int:
    """The index in `names` of the port `wanted` names; `kind` is 'input' or 'output' (for errors).

    `wanted` may be None (the first port), an index into `names`, the exact
    name, or a part of exactly one name (case-sensitive first, then not).
    """
    names = list(names)
    if wanted is None:
        if not names:
            raise PortNotFoundError(f"no {kind} port to open: {describe_ports(kind, names)}", available=names)
        return 0
    if isinstance(wanted, bool) or not isinstance(wanted, (str, int)):
        raise TypeError(f"a port name must be a str (or an index), got {type(wanted).__name__}")
    if isinstance(wanted, int):
        if not 0 <= wanted < len(names):
            raise PortNotFoundError(
                f"there is no {kind} number {wanted}; {describe_ports(kind, names)}", name=wanted, available=names
            )
        return wanted
    if wanted in names:
        return names.index(wanted)
    for fold in (False, True):
        key = wanted.casefold() if fold else wanted
        found = [i for i, name in enumerate(names) if key in (name.casefold() if fold else name)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            which = ", ".join(repr(names[i]) for i in found)
            raise PortNotFoundError(
                f"{wanted!r} matches more than one {kind} ({which}); give more of the name", name=wanted, available=names
            )
    raise PortNotFoundError(f"unknown {kind} port {wanted!r}; {describe_ports(kind, names)}", name=wanted, available=names)
