"""The spellings Strudel and Tidal users type: camelCase names and the arithmetic methods.

livemidi's names are snake_case (`degrade_by`, `fast_gap`); each one that
Strudel or Tidal spells in camelCase has that spelling too, as a function
(``degradeBy(0.3, p)``) and, where it takes a pattern, as a method
(``p.degradeBy(0.3)``). Both spellings are the same function. ``add``,
``sub``, ``mul``, ``div`` and ``mod`` are the methods for ``+ - * / %``
(structure from the pattern, as Strudel's ``.add``):
``n("0 2 4").add("<0 3>").scale("C:major")``.

A method alias for a name that `Pattern` already has is refused at import
(AssertionError): a method added elsewhere is never silently replaced by an
alias here.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from . import chance, choice, combinators, compose, layers, rhythm, structure
from .core import Pattern
from .lift import register_method

# chance and choice
almostAlways = chance.almost_always
almostNever = chance.almost_never
degradeBy = chance.degrade_by
undegradeBy = chance.undegrade_by
sometimesBy = chance.sometimes_by
someCycles = somecycles = choice.some_cycles
someCyclesBy = somecyclesBy = choice.some_cycles_by
brandBy = choice.brand_by
# time and structure
firstOf = combinators.first_of
lastOf = combinators.last_of
swingBy = combinators.swing_by
fastGap = structure.fast_gap
pressBy = structure.press_by
repeatCycles = structure.repeat_cycles
iterBack = structure.iter_back
chunkBack = structure.chunk_back
fastChunk = structure.fast_chunk
nTake = structure.n_take
# Euclidean rhythms
euclidRot = combinators.euclid_rot
euclidFull = combinators.euclid_full
euclidLegato = rhythm.euclid_legato
euclidLegatoRot = rhythm.euclid_legato_rot
euclidOff = rhythm.euclid_off
# layers
echoWith = layers.echo_with
stutWith = layers.stut_with
# building patterns
slowcat = compose.cat
timeCat = compose.timecat
seq = compose.sequence

__all__ = [
    "almostAlways", "almostNever", "brandBy", "chunkBack", "degradeBy", "echoWith", "euclidFull", "euclidLegato",
    "euclidLegatoRot", "euclidOff", "euclidRot", "fastChunk", "fastGap", "firstOf", "iterBack", "lastOf", "nTake",
    "pressBy", "repeatCycles", "seq", "slowcat", "someCycles", "someCyclesBy", "somecycles", "somecyclesBy",
    "sometimesBy", "stutWith", "swingBy", "timeCat", "undegradeBy",
]

ALIASES: dict[str, Callable[..., Any]] = {name: globals()[name] for name in __all__}
"""Every alias and the livemidi function it names (the table in docs/patterns.md lists them)."""

for _name, _fn in ALIASES.items():
    assert not hasattr(Pattern, _name), f"Pattern.{_name} exists already"
    if "pat" in inspect.signature(_fn).parameters:
        register_method(_fn, _name)


def _operator(name: str, op: Callable[[Pattern, Any], Pattern], symbol: str) -> None:
    def method(self: Pattern, other: Any) -> Pattern:
        return op(self, other)

    method.__name__ = name
    method.__doc__ = (f"``p.{name}(x)`` is ``p {symbol} x``: structure from p, x a number, a pattern or "
                      f"mini-notation; a plain number goes to the note of note controls (or the only control).")
    assert not hasattr(Pattern, name), f"Pattern.{name} exists already"
    setattr(Pattern, name, method)


for _name, _op, _symbol in (("add", Pattern.__add__, "+"), ("sub", Pattern.__sub__, "-"),
                            ("mul", Pattern.__mul__, "*"), ("div", Pattern.__truediv__, "/"),
                            ("mod", Pattern.__mod__, "%")):
    _operator(_name, _op, _symbol)
