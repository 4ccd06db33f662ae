"""The eighteen ``States.*`` intrinsic functions, evaluated the way AWS Step Functions does.

Every function here takes argument *values* (already read from paths, literals or nested
calls) and returns a plain JSON value. A bad argument raises ``InvalidArguments``; the
parser in ``intrinsics.py`` turns it into ``StatesError("States.Runtime", ...)`` with AWS's
"Invalid arguments in States.X" wording. The parser's table says which function serves
which ``States.*`` name and how many arguments each takes.

AWS's interpreter is written in Java, and several results only make sense in that light.
The quirks kept here were recorded on AWS (the conformance corpus, and public
characterisation suites run against AWS):

* ``States.Format`` and ``States.Hash`` print non-strings with Java's ``toString``:
  objects as ``{a=1, b=[1, 2]}``, ``null`` as ``null``, doubles as ``Double.toString``
  (``1.0E21``). ``States.ArrayContains`` compares items by that same text, so ``true``
  matches ``"true"`` and ``{"a":1,"b":2}`` does not match ``{"b":2,"a":1}``.
* ``States.MathAdd`` rounds each operand with ``Math.round`` (half up, so -1.5 -> -1) and
  works on 32-bit ints: operands or a sum outside the int range fail.
* ``States.ArrayPartition``, ``ArrayRange``, ``ArrayGetItem`` and ``MathRandom`` truncate
  fractional numbers toward zero (2.6 -> 2), they do not round.
* ``States.StringSplit`` treats the delimiter as a *set* of characters and drops empty
  tokens (``java.util.StringTokenizer``): ``",a,,b,"`` split on ``","`` is ``["a", "b"]``.
* ``States.ArrayGetItem`` on an empty array returns ``null`` for any index >= 0.
* ``States.Base64Decode`` is lenient (commons-codec): it skips characters outside the
  alphabet, stops at the first ``=`` and decodes what is left.
* ``States.JsonMerge`` reads its deep flag with Jackson's ``asBoolean`` (``"false"`` is
  false); a true flag fails because AWS only merges shallowly.
* ``States.MathRandom`` with a seed is ``start + new java.util.Random(seed).nextInt(end - start)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

__all__ = [
    # the functions (``intrinsics.FUNCTIONS`` maps States.* names to them)
    "array", "array_contains", "array_get_item", "array_length", "array_partition", "array_range",
    "array_unique", "base64_decode", "base64_encode", "format_", "hash_", "json_merge", "math_add",
    "math_random", "string_split", "string_to_json", "uuid_",
    # what the parser uses besides
    "HASH_ALGORITHMS", "InvalidArguments", "TemplateError", "describe", "is_number", "jackson_as_boolean",
    "java_str", "parse_format_template", "render_format", "to_json",
]  # fmt: skip

INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1
ARRAY_RANGE_LIMIT: Final = 1000  # "The newly generated array can't contain more than 1000 items."
TEXT_LIMIT: Final = 10_000  # Base64Encode/Base64Decode/Hash inputs, in Java (UTF-16) chars
HASH_ALGORITHMS: Final = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


class InvalidArguments(Exception):
    """An argument value a function cannot work with; ``headline`` is AWS's opening words."""

    def __init__(self, detail: str, headline: str = "Invalid arguments") -> None:
        super().__init__(detail)
        self.detail = detail
        self.headline = headline


# -- Java-compatible text ------------------------------------------------------------------


def java_double(x: float) -> str:
    """``Double.toString``: plain between 1e-3 and 1e7, else ``d.dddE<exp>``."""
    if not math.isfinite(x):
        return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    text = repr(x)  # the shortest round-tripping digits, as modern JDKs print
    if 1e-3 <= abs(x) < 1e7:
        return text if "." in text else text + ".0"  # repr is plain in this range
    sign, digits, exponent = Decimal(text).normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    return f"{'-' if sign else ''}{mantissa[0]}.{mantissa[1:] or '0'}E{len(digits) - 1 + int(exponent)}"


def java_str(value: Any) -> str:
    """The text Java's ``String.valueOf`` gives for the value once AWS has turned it into
    Java objects: what ``States.Format`` prints (``{a=1, b=[1, 2]}``, ``null``, ``1.0E21``)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return java_double(value)
    if value is None:
        return "null"
    if kind is list:
        return "[" + ", ".join(map(java_str, value)) + "]"
    if kind is dict:
        return "{" + ", ".join(f"{key}={java_str(item)}" for key, item in value.items()) + "}"
    return str(value)


_LOWER_HEX_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})")


def to_json(value: Any) -> str:
    """Compact JSON as Jackson writes it: no spaces, non-ASCII kept, doubles in Java form."""
    kind = type(value)
    if kind is str:
        text = json.dumps(value, ensure_ascii=False)
        if "\\u00" in text:  # Jackson writes control escapes with upper-case hex
            text = _LOWER_HEX_ESCAPE.sub(lambda m: m[1] + "\\u00" + m[2].upper(), text)
        return text
    if kind is float:
        return java_double(value)
    if kind is list:
        return "[" + ",".join(map(to_json, value)) + "]"
    if kind is dict:
        return "{" + ",".join(to_json(str(k)) + ":" + to_json(v) for k, v in value.items()) + "}"
    return json.dumps(value)


_KINDS: Final = {str: "string", bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}


def describe(value: Any) -> str:
    """A value for an error message: its JSON kind and (shortened) JSON text."""
    kind = "null" if value is None else _KINDS.get(type(value), type(value).__name__)
    text = to_json(value)
    return f"{kind} {text if len(text) <= 60 else text[:57] + '...'}"


def _utf16_length(text: str) -> int:
    """Java's ``String.length()``: characters outside the BMP count twice."""
    if text.isascii():
        return len(text)  # the common case, without encoding
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# -- argument coercion ---------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """A JSON number; ``bool`` is an ``int`` in Python but never a number here."""
    kind = type(value)
    return kind is int or kind is float


def _truncated(value: Any, what: str) -> int:
    """A number as Java's ``intValue`` would see it: fractions truncated toward zero."""
    if not is_number(value):
        raise InvalidArguments(f"{what} must be a number, got {describe(value)}")
    if type(value) is float and not math.isfinite(value):
        raise InvalidArguments(f"{what} must be a finite number, got {java_double(value)}")
    return int(value)


def java_round(value: float) -> int:
    """``Math.round``: the nearest integer, ties toward positive infinity (-1.5 -> -1)."""
    floor = math.floor(value)
    return int(floor) + (1 if value - floor >= 0.5 else 0)


def _int32(value: int, what: str) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise InvalidArguments(f"{what} must be between {INT_MIN} and {INT_MAX}, got {value}")
    return value


def _array(value: Any, what: str = "the first argument") -> list[Any]:
    if type(value) is not list:
        raise InvalidArguments(f"{what} must be an array, got {describe(value)}")
    return value


def _string(value: Any, what: str) -> str:
    if type(value) is not str:
        raise InvalidArguments(f"{what} must be a string, got {describe(value)}")
    return value


def jackson_as_boolean(value: Any) -> bool:
    """Jackson's ``JsonNode.asBoolean()``: how AWS reads the JsonMerge deep flag."""
    kind = type(value)
    if kind is bool:
        return value  # type: ignore[no-any-return]
    if kind is str:
        return value.strip() == "true"  # type: ignore[no-any-return]
    if kind is int or kind is float:
        return value != 0  # type: ignore[no-any-return]
    return False


# -- States.Format -------------------------------------------------------------------------


class TemplateError(ValueError):
    """A States.Format template with an unmatched brace."""


@lru_cache(maxsize=1024)
def parse_format_template(template: str) -> tuple[str, ...]:
    """Split a template into the literal text around its ``{}`` placeholders, so a template
    with n placeholders gives n + 1 segments. ``\\{``, ``\\}``, ``\\'`` and ``\\\\`` stand
    for the character itself; any other lone brace raises ``TemplateError``."""
    segments: list[str] = []
    buf: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch == "\\" and i + 1 < n and template[i + 1] in "'{}\\":
            buf.append(template[i + 1])
            i += 2
            continue
        if ch == "{":
            if i + 1 < n and template[i + 1] == "}":
                segments.append("".join(buf))
                buf = []
                i += 2
                continue
            raise TemplateError("matching '}' not found for '{'.")
        if ch == "}":
            raise TemplateError("matching '{' not found for '}'.")
        buf.append(ch)
        i += 1
    segments.append("".join(buf))
    return tuple(segments)


def render_format(segments: tuple[str, ...], values: tuple[Any, ...]) -> str:
    """Fill a parsed template; the caller has checked there is one value per placeholder."""
    out = [segments[0]]
    for value, segment in zip(values, segments[1:], strict=True):
        out.append(value if type(value) is str else java_str(value))
        out.append(segment)
    return "".join(out)


def format_(template: Any, *values: Any) -> str:
    """States.Format with a template that is only known at run time."""
    if type(template) is not str:
        raise InvalidArguments(f"the template (first argument) must be a string, got {describe(template)}")
    try:
        segments = parse_format_template(template)
    except TemplateError as exc:
        raise InvalidArguments(str(exc), "Invalid template") from None
    if len(segments) - 1 != len(values):
        raise InvalidArguments("number of arguments do not match the occurrences of {}.")
    return render_format(segments, values)


# -- JSON ----------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def string_to_json(text: Any) -> Any:
    text = _string(text, "the argument")
    if not text.strip(" \t\n\r"):
        return None  # AWS returns null for an empty or blank string
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise InvalidArguments(f"the argument is not valid JSON text ({exc})") from None


def json_merge(first: Any, second: Any, deep: Any) -> dict[str, Any]:
    if type(first) is not dict:
        raise InvalidArguments(f"the first argument must be a JSON object, got {describe(first)}")
    if type(second) is not dict:
        raise InvalidArguments(f"the second argument must be a JSON object, got {describe(second)}")
    if jackson_as_boolean(deep):
        raise InvalidArguments(
            "Step Functions only supports the shallow merging mode, so the third argument must be false"
        )
    merged = dict(first)
    merged.update(second)  # the second object wins; nested objects are replaced, not merged
    return merged


# -- arrays --------------------------------------------------------------------------------


def array(*values: Any) -> list[Any]:
    return list(values)


def array_partition(array: Any, size: Any) -> list[list[Any]]:
    items = _array(array)
    chunk = _truncated(size, "the chunk size")
    if chunk < 1:
        raise InvalidArguments(f"the chunk size must be a positive integer, got {java_str(size)}")
    return [items[i : i + chunk] for i in range(0, len(items), chunk)]


def array_contains(array: Any, value: Any) -> bool:
    # AWS compares by Java text, not JSON equality (see the module docstring).
    wanted = java_str(value)
    return any(java_str(item) == wanted for item in _array(array))


def array_range(start: Any, end: Any, step: Any) -> list[int]:
    first = _truncated(start, "the start")
    last = _truncated(end, "the end")
    stride = _truncated(step, "the step")
    if stride == 0:
        raise InvalidArguments("the step (third argument) must not be 0")
    if stride > 0:
        count = 0 if first > last else (last - first) // stride + 1
    else:
        count = 0 if first < last else (first - last) // -stride + 1
    if count > ARRAY_RANGE_LIMIT:
        raise InvalidArguments(f"the range has {count} items, more than the {ARRAY_RANGE_LIMIT} allowed")
    return list(range(first, last + (1 if stride > 0 else -1), stride))


def array_get_item(array: Any, index: Any) -> Any:
    items = _array(array)
    position = _truncated(index, "the index")
    if position < 0:
        raise InvalidArguments(f"the index must not be negative, got {position}")
    if position >= len(items):
        if not items:
            return None  # AWS answers null, not an error, for an empty array
        raise InvalidArguments(f"the index {position} is out of bounds for an array of {len(items)} items")
    return items[position]


def array_length(array: Any) -> int:
    return len(_array(array, "the argument"))


def _identity(value: Any) -> Any:
    """A hashable key with JSON-node equality: key order is ignored, 1 != 1.0 != true."""
    kind = type(value)
    if kind is dict:
        return (dict, frozenset((key, _identity(item)) for key, item in value.items()))
    if kind is list:
        return (list, tuple(_identity(item) for item in value))
    return (kind, value)


def array_unique(array: Any) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for item in _array(array, "the argument"):
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# -- encoding and hashing ------------------------------------------------------------------


def _limited_text(value: Any, what: str) -> str:
    text = _string(value, what)
    if _utf16_length(text) > TEXT_LIMIT:
        raise InvalidArguments(f"{what} is longer than {TEXT_LIMIT} characters")
    return text


def base64_encode(value: Any) -> str:
    text = _limited_text(value, "the argument")
    return base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")


_B64_VALUES: Final = {
    ch: i for i, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
} | {"-": 62, "_": 63}


def base64_decode(value: Any) -> str:
    text = _limited_text(value, "the argument")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = _lenient_b64decode(text)
    return raw.decode("utf-8", "replace")  # Java's new String(bytes, UTF_8) replaces bad bytes


def _lenient_b64decode(text: str) -> bytes:
    """commons-codec's lenient decoding: skip non-alphabet characters, stop at ``=``."""
    values: list[int] = []
    for ch in text:
        if ch == "=":
            break
        if (v := _B64_VALUES.get(ch)) is not None:
            values.append(v)
    out = bytearray()
    whole = len(values) - len(values) % 4
    for i in range(0, whole, 4):
        bits = values[i] << 18 | values[i + 1] << 12 | values[i + 2] << 6 | values[i + 3]
        out += bits.to_bytes(3, "big")
    rest = values[whole:]
    if len(rest) == 2:
        out.append((rest[0] << 2 | rest[1] >> 4) & 0xFF)
    elif len(rest) == 3:
        out += ((rest[0] << 10 | rest[1] << 4 | rest[2] >> 2) & 0xFFFF).to_bytes(2, "big")
    return bytes(out)


def hash_(data: Any, algorithm: Any) -> str:
    if type(algorithm) is not str or algorithm not in HASH_ALGORITHMS:
        raise InvalidArguments(f"the algorithm must be one of {', '.join(HASH_ALGORITHMS)}, got {describe(algorithm)}")
    text = java_str(data)  # AWS hashes numbers and objects by their Java text
    if _utf16_length(text) > TEXT_LIMIT:
        raise InvalidArguments(f"the data is longer than {TEXT_LIMIT} characters")
    return hashlib.new(HASH_ALGORITHMS[algorithm], text.encode("utf-8", "replace")).hexdigest()


# -- math, strings, ids --------------------------------------------------------------------


def math_add(first: Any, second: Any) -> int:
    if type(first) is int and type(second) is int:  # the hot path (loop counters)
        total = first + second
        if INT_MIN <= first <= INT_MAX and INT_MIN <= second <= INT_MAX and INT_MIN <= total <= INT_MAX:
            return total
    a = _int32(_rounded(first), "the first operand")
    b = _int32(_rounded(second), "the second operand")
    return _int32(a + b, "the sum")


def _rounded(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return java_round(value)
    raise InvalidArguments(f"the operands must be numbers, got {describe(value)}")


class JavaRandom:
    """``java.util.Random``: the 48-bit LCG, so seeded results equal AWS's."""

    _MULTIPLIER: Final = 0x5DEECE66D
    _MASK: Final = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            if u - r + m < 2**31:  # Java retries while this sum overflows an int
                return r
            u = self._next(31)


_NO_SEED: Final = object()
_RANDOM = random.Random()


def math_random(start: Any, end: Any, seed: Any = _NO_SEED) -> int:
    low = _int32(_truncated(start, "the start"), "the start")
    high = _int32(_truncated(end, "the end"), "the end")
    if low >= high:
        raise InvalidArguments(f"the start ({low}) must be less than the end ({high})")
    bound = high - low
    if bound > INT_MAX:
        raise InvalidArguments(f"the range from {low} to {high} is wider than {INT_MAX}")
    if seed is _NO_SEED:
        return low + _RANDOM.randrange(bound)
    return low + JavaRandom(_truncated(seed, "the seed")).next_int(bound)


def string_split(text: Any, delimiters: Any) -> list[str]:
    text = _string(text, "the string (first argument)")
    delimiters = _string(delimiters, "the delimiter (second argument)")
    if not delimiters:
        return [text] if text else []
    # Every character of the delimiter splits on its own (the common single one needs no regex).
    parts = text.split(delimiters) if len(delimiters) == 1 else re.split(f"[{re.escape(delimiters)}]", text)
    return [part for part in parts if part]


def uuid_() -> str:
    return str(uuid.uuid4())
