"""The JSONata functions AWS Step Functions adds to the standard library, and the one it
takes away.

* ``$partition(array, size)``: the array in chunks of ``size`` (the last may be shorter);
* ``$range(start, end[, step])``: ``start``, ``start + step``, ... up to and including
  ``end`` (a negative step counts down). Like a JSONata sequence, one number comes back
  as that number, not as an array of one: the corpus records ``$range(1, 9, 9)`` as ``1``;
* ``$hash(data, algorithm)``: hex digest of the string with MD5, SHA-1, SHA-256,
  SHA-384 or SHA-512;
* ``$random([seed])``: a number in [0, 1); the same seed gives the same number;
* ``$uuid()``: a random (version 4) UUID;
* ``$parse(text)``: the JSON value the string holds;
* ``$eval`` is not available: calling it fails like calling any non-function
  (``T1006: Attempted to invoke a non-function``), as AWS's documentation says it does.

``install(frame)`` binds them into a compiled expression's environment. A bad argument
raises ``FunctionError``; ``jsonata.Expression.evaluate`` turns it into
``States.QueryEvaluationError``.
"""

from __future__ import annotations

import hashlib
import json
import random as _random
import uuid as _uuid
from collections.abc import Callable
from typing import Any, Final

from .intrinsic_functions import HASH_ALGORITHMS

__all__ = ["FunctionError", "install"]

MAX_RANGE: Final = 10_000_000  # JSONata's own cap for the range operator (D2014)


class FunctionError(Exception):
    """An argument one of AWS's functions cannot work with. ``error`` is the code printed
    before the message in the cause (none: AWS's codes for these are not recorded)."""

    error: str | None = None


def _integer(value: Any, function: str, what: str) -> int:
    if type(value) is bool or not isinstance(value, (int, float)) or (isinstance(value, float) and not value.is_integer()):
        raise FunctionError(f"{function}: {what} must be an integer, not {json.dumps(value)}")
    return int(value)


def partition(array: Any, size: Any) -> list[list[Any]]:
    items = list(array) if isinstance(array, list) else [array]
    chunk = _integer(size, "$partition", "the chunk size")
    if chunk < 1:
        raise FunctionError(f"$partition: the chunk size must be a positive integer, not {chunk}")
    return [items[i : i + chunk] for i in range(0, len(items), chunk)]


def range_(start: Any, end: Any, step: Any = None) -> Any:
    from jsonata.utils import Utils

    first = _integer(start, "$range", "the start")
    last = _integer(end, "$range", "the end")
    stride = 1 if step is None else _integer(step, "$range", "the step")
    if stride == 0:
        raise FunctionError("$range: the step must not be 0")
    count = max(0, (last - first) // stride + 1)
    if count > MAX_RANGE:
        raise FunctionError(f"$range: the range has {count} numbers, more than the {MAX_RANGE} allowed")
    # A sequence, not an array: JSONata then gives one number as itself and none as
    # undefined, which is what AWS returns.
    return Utils.create_sequence_from_iter(range(first, last + (1 if stride > 0 else -1), stride))


def hash_(data: Any, algorithm: Any) -> str:
    if type(data) is not str:
        raise FunctionError(f"$hash: the data must be a string, not {json.dumps(data)}")
    if algorithm not in HASH_ALGORITHMS:
        raise FunctionError(f"$hash: the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, not {json.dumps(algorithm)}")
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode("utf-8")).hexdigest()


def random(seed: Any = None) -> float:
    if seed is None:
        return _random.random()
    return _random.Random(_integer(seed, "$random", "the seed")).random()


def uuid() -> str:
    return str(_uuid.uuid4())


def parse(text: Any) -> Any:
    from .jsonata import to_engine

    if type(text) is not str:
        raise FunctionError(f"$parse: the argument must be a string, not {json.dumps(text)}")
    try:
        return to_engine(json.loads(text))
    except ValueError as exc:
        raise FunctionError(f"$parse: the string is not valid JSON: {exc}") from None


# name -> (implementation, JSONata signature)
_FUNCTIONS: Final[dict[str, tuple[Callable[..., Any], str]]] = {
    "partition": (partition, "<a-n:a>"),
    "range": (range_, "<nnn?:a>"),
    "hash": (hash_, "<s-s:s>"),
    "random": (random, "<n?:n>"),
    "uuid": (uuid, "<:s>"),
    "parse": (parse, "<s-:j>"),
}


class _Native:
    """Calls one of the functions above the way the engine calls a function object."""

    __slots__ = ("implementation",)

    def __init__(self, implementation: Callable[..., Any]) -> None:
        self.implementation = implementation

    def call(self, input: Any, args: Any) -> Any:
        # The engine passes a missing optional argument as None: drop trailing ones.
        values = list(args or ())
        while values and values[-1] is None:
            values.pop()
        return self.implementation(*values)


def install(frame: Any) -> None:
    """Bind AWS's functions into ``frame`` (a compiled expression's environment), and
    unbind ``$eval``."""
    from jsonata.jsonata import Jsonata

    for name, (implementation, signature) in _FUNCTIONS.items():
        frame.bind(name, Jsonata.JFunction(_Native(implementation), signature))
    frame.bind("eval", None)  # bound to nothing: a call fails with T1006, as on AWS
