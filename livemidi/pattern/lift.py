"""Letting any argument be a pattern.

`reify` is the one door into a pattern: patterns pass through, strings go to
the mini-notation parser, lists become sequences and other values repeat
once per cycle. It is defined in `compose`, with `mini` and
`set_string_parser`, because a list becomes a `fastcat` that reifies each of
its items: the two call each other, so they live in one module. All three are
importable from here too.

`patternify` is the one decorator that lifts a combinator written for plain
values (``fast(2, p)``) so that any named argument may be a pattern
(``fast("<1 2>", p)``), and `register_method` makes it a method too
(``p.fast(2)``). Writing either by hand in a combinator is the mistake this
module exists to prevent.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from .compose import mini, reify, set_string_parser
from .core import _NOTHING, Pattern
from .event import Event, joined
from .time import TimeLike

__all__ = ["mini", "patternify", "register_method", "reify", "set_string_parser", "show"]


def register_method(fn: Callable[..., Any], name: str | None = None) -> None:
    """Make ``fn(..., pat, ...)`` also callable as ``pat.name(...)``: the pattern fills `pat`."""
    sig = inspect.signature(fn)
    names = list(sig.parameters)
    if "pat" not in names:
        raise ValueError(f"{fn.__name__} has no 'pat' parameter to bind a method to")
    index = names.index("pat")

    def method(self: Pattern, *args: Any, **kwargs: Any) -> Any:
        return fn(*args[:index], self, *args[index:], **kwargs)

    method.__name__ = name or fn.__name__.rstrip("_")
    method.__doc__ = fn.__doc__
    setattr(Pattern, method.__name__, method)


def patternify(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let the named arguments of a combinator be patterns (or mini-notation strings).

    The combinator is written for plain values. Given a pattern, it is called
    once per value of that pattern and the results are joined, with the
    structure of the result (``fast("<1 2>", p)``: p at speed 1, then 2).
    Called without its ``pat`` argument, the combinator returns a function
    that waits for it, so ``every(4, fast(2), p)`` reads as it does in Tidal.
    Errors raised while building say which function they came from.
    """

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        has_pat = "pat" in sig.parameters
        label = fn.__name__.rstrip("_")

        def call(arguments: dict[str, Any]) -> Any:
            try:
                return fn(**arguments)
            except (TypeError, ValueError) as exc:
                if str(exc).startswith(f"{label}("):
                    raise
                raise type(exc)(f"{label}(): {exc}") from exc

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = sig.bind_partial(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{label}(): {exc}") from None
            arguments = bound.arguments
            if has_pat and "pat" not in arguments:
                missing = [n for n, p in sig.parameters.items() if p.default is p.empty and n not in arguments
                           and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n != "pat"]
                if missing:
                    raise TypeError(f"{label}(): missing argument {missing[0]!r}")
                return lambda pat: wrapper(*args, pat=pat, **kwargs)
            if has_pat:
                arguments["pat"] = reify(arguments["pat"])
            patterned = []
            written = Event  # where the plain values among the arguments were written (see `event`)
            for n in names:
                v = arguments.get(n, _NOTHING)
                if isinstance(v, (Pattern, str)):
                    p = reify(v)
                    if p._pure is not _NOTHING:
                        arguments[n] = p._pure
                        written = joined(written, p._pure_class)
                    else:
                        patterned.append((n, p))
            if not patterned:
                result = call(arguments)
                if written is Event or not isinstance(result, Pattern):
                    return result
                return result._also_from(written)
            combined = patterned[0][1].fmap(lambda v: (v,))
            for _, p in patterned[1:]:
                combined = combined.app_both(p, lambda t, v: t + (v,))
            cache: dict[tuple, Pattern] = {}

            def make(values: tuple) -> Pattern:
                try:
                    return cache[values]
                except KeyError:
                    pass
                except TypeError:  # unhashable values: no caching
                    return reify(call({**arguments, **dict(zip([n for n, _ in patterned], values))}))
                if len(cache) > 256:
                    cache.clear()
                result = cache[values] = reify(call({**arguments, **dict(zip([n for n, _ in patterned], values))}))
                return result

            return combined.fmap(make).inner_join()._also_from(written)

        return wrapper

    return decorate


def show(pat: Any, cycles: TimeLike = 1, begin: TimeLike = 0) -> str:
    """The events of a pattern (or mini-notation string) over the first `cycles` cycles, one per line."""
    return reify(pat).show(cycles, begin)
