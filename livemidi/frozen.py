"""Frozen (immutable, hashable) messages, at mido's documented path ``livemidi.frozen``.

A frozen message compares equal to the mutable message with the same
attributes and can be a dict key or a set member. Changing one raises
`ImmutableMessageError` (an AttributeError, and a ValueError as in mido).
"""

from __future__ import annotations

from .errors import ImmutableMessageError, NotAMessageError
from .messages import Message

__all__ = ["Frozen", "FrozenMessage", "freeze_message", "is_frozen", "thaw_message"]

_new = object.__new__


class Frozen:
    """Mixin that makes a message immutable and hashable."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise ImmutableMessageError(f"frozen message is immutable (cannot set {name!r}); use copy() or thaw_message()")

    def __delattr__(self, name):
        raise ImmutableMessageError("frozen message is immutable")

    def __hash__(self) -> int:
        return hash(tuple(self._attrs().items()))


class FrozenMessage(Frozen, Message):
    """An immutable, hashable `Message`."""

    __slots__ = ()


# Mutable class -> frozen class; later layers (meta messages) register theirs.
_FROZEN_OF: dict[type, type] = {Message: FrozenMessage}


def register_frozen(mutable: type, frozen: type) -> None:
    """Tell freeze_message/thaw_message about another message class."""
    _FROZEN_OF[mutable] = frozen


def _family(msg) -> type:
    # A Message is an instance of its family's subclass for its type.
    return getattr(type(msg), "_family", type(msg))


def _same_class(source, target_cls):
    if isinstance(source, Message):
        return source._recast(target_cls)
    msg = _new(target_cls)
    msg.__dict__.update(vars(source))
    return msg


def is_frozen(msg) -> bool:
    """True if `msg` is a frozen message."""
    return isinstance(msg, Frozen)


def freeze_message(msg):
    """A frozen copy of `msg` (the message itself if it is frozen already; None for None)."""
    if msg is None or isinstance(msg, Frozen):
        return msg
    for mutable in type(msg).__mro__:
        frozen = _FROZEN_OF.get(mutable)
        if frozen is not None:
            return _same_class(msg, frozen)
    raise NotAMessageError(f"freeze_message() expects a message or None, got {type(msg).__name__}")


def thaw_message(msg):
    """A mutable copy of `msg` (None for None)."""
    if msg is None:
        return None
    if not isinstance(msg, Frozen):
        if hasattr(msg, "copy") and hasattr(msg, "is_meta"):
            return msg.copy()
        raise NotAMessageError(f"thaw_message() expects a message or None, got {type(msg).__name__}")
    for mutable, frozen in _FROZEN_OF.items():
        if _family(msg) is frozen:
            return _same_class(msg, mutable)
    raise TypeError(f"no mutable class is registered for {type(msg).__name__}")
