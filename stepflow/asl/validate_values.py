"""Value-level checks for the validator: paths, payload templates, intrinsic calls,
JSONata expressions, numbers, timestamps and Map labels; plus the :class:`Context` a
validation run reports into and the JSON pointer helper.

``check_*`` functions append a :class:`~stepflow.asl.errors.Problem` for each thing
wrong and never raise. ``*_error`` helpers return a message (``None`` when the value is
fine); the ones that parse are memoised, since real machines repeat the same paths and
expressions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, Final

from .errors import PathSyntaxError, Problem
from .paths import compile_path, compile_reference_path
from .timestamps import parse_timestamp

JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"
QUERY_LANGUAGES: Final = (JSONPATH, JSONATA)
MAX_SECONDS: Final = 99_999_999  # AWS's ceiling for every *Seconds field


class Context:
    """What one validation run accumulates: problems, the machine-wide settings, every
    state name seen (names must be unique across all nesting levels) and transitions
    whose target is missing (worded at the end, once every name is known).
    ``child_execution`` is true inside a DISTRIBUTED Map's processor, whose items run
    as executions of their own."""

    __slots__ = ("child_execution", "dangling", "express", "names", "problems", "query_language")

    def __init__(self, *, express: bool) -> None:
        self.problems: list[Problem] = []
        self.express = express
        self.query_language: str = JSONPATH
        self.names: dict[str, str] = {}
        self.dangling: list[tuple[str, str, str, tuple[str, ...]]] = []
        self.child_execution = False

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


def pointer(base: str, *parts: object) -> str:
    """Extend a JSON pointer, escaping ``~`` and ``/`` inside a part as RFC 6901 does."""
    for part in parts:
        text = str(part)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        base = f"{base}/{text}"
    return base


def suggest(word: str, candidates: Any) -> str:
    """``"; did you mean 'X'?"`` when a candidate is close to ``word``, else ``""``.

    Only short words and the first few thousand short candidates are compared: string
    similarity is quadratic, and hostile input must not make a message expensive."""
    if len(word) > 100:
        return ""
    names = [name for _, name in zip(range(5000), candidates) if isinstance(name, str) and len(name) <= 100]
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def kind(value: Any) -> str:
    """The JSON type of ``value``, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass, and AWS rejects true as a number


def is_number(value: Any) -> bool:
    return type(value) in (int, float)


def check_int(ctx: Context, path: str, field: str, value: Any, low: int, high: int | None = MAX_SECONDS) -> bool:
    """An integer in ``[low, high]``; reports and returns False otherwise."""
    if not is_int(value):
        ctx.add(path, f"{field} must be an integer, not {kind(value)}")
        return False
    if value < low or (high is not None and value > high):
        upper = f" and at most {high:,}" if high is not None else ""
        ctx.add(path, f"{field} must be at least {low}{upper}; it is {value}")
        return False
    return True


def check_exclusive(ctx: Context, path: str, node: dict[str, Any], *fields: str) -> None:
    """At most one of ``fields`` may be set on ``node``."""
    present = [field for field in fields if field in node]
    if len(present) > 1:
        ctx.add(pointer(path, present[1]), f"{' and '.join(present)} cannot be used together; set only one")


def _cached(function: Callable[..., str | None]) -> Callable[..., str | None]:
    """Memoise a ``text -> message`` check for short texts only, so a stream of huge
    hostile strings cannot pin memory in the cache."""
    memo = lru_cache(maxsize=4096)(function)

    @wraps(function)
    def check(text: str, *args: Any) -> str | None:
        return memo(text, *args) if len(text) <= 2048 else function(text, *args)

    return check


# ----------------------------------------------------------------------------- paths

# Jayway's script index "[(@.length-N)]" is how AWS users address the N-th element from
# the end; it means exactly "[-N]", which our path compiler understands.
_JAYWAY_FROM_END: Final = re.compile(r"\[\(\s*@\.length\s*-\s*(\d+)\s*\)\]")


@_cached
def path_error(text: str, reference: bool = False) -> str | None:
    """Why ``text`` is not a Path (or Reference Path); ``None`` when it is one."""
    normalised = _JAYWAY_FROM_END.sub(r"[-\1]", text)
    try:
        (compile_reference_path if reference else compile_path)(normalised)
    except PathSyntaxError as exc:
        return str(exc)
    except Exception as exc:  # a path compiler bug must not make validate() raise
        return f"{text!r} could not be read as a JSONPath ({type(exc).__name__})"
    return None


def check_path(
    ctx: Context,
    parent: str,
    field: str,
    value: Any,
    *,
    reference: bool = False,
    nullable: bool = False,
    context: bool = True,
    variables: bool = True,
) -> None:
    """``parent[field]`` holds a Path (``reference=True``: a Reference Path). The
    pointer is built only when there is a problem: this runs for most states."""
    if value is None and nullable:
        return
    if not isinstance(value, str):
        allowed = "a JSONPath string or null" if nullable else "a JSONPath string"
        ctx.add(pointer(parent, field), f"{field} must be {allowed}, not {kind(value)}")
        return
    error = path_error(value, reference)
    if error is not None:
        what = "a reference path (only .field, ['field'] and [index] steps)" if reference else "a JSONPath"
        ctx.add(pointer(parent, field), f"{field} must be {what}: {error}")
    elif not context and value.startswith("$$"):
        ctx.add(pointer(parent, field), f"{field} cannot point into the context object ('$$'); it is read-only")
    elif not variables and value.startswith("$") and value[1:2] not in ("", ".", "[", "$"):
        ctx.add(pointer(parent, field), f"{field} cannot name a variable ({value!r}); use Assign to set variables")


def dynamic_error(key: str, value: Any) -> str | None:
    """Why the value of a ``key.$`` field is neither a Path nor an intrinsic call."""
    if isinstance(value, str):
        error = path_error(value) if value.startswith("$") else intrinsic_error(value)
        if error is None:
            return None
        detail = error
    else:
        detail = f"it is {kind(value)}"
    return f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call: {detail}"


def check_template(ctx: Context, path: str, value: Any) -> None:
    """A JSONPath payload template (Parameters, ResultSelector, ItemSelector, Assign...):
    every ``key.$`` holds a path or intrinsic call, and no object sets both ``key`` and
    ``key.$`` (AWS would not know which one wins). Iterative, so depth cannot overflow."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and key.endswith(".$"):  # ".$" too: the compiler reads it as field ""
                    if key[:-2] in node:
                        ctx.add(
                            pointer(here, key),
                            f"'{key[:-2]}' and '{key}' are both set; after '.$' is removed they are the same field",
                        )
                    error = dynamic_error(key, child)
                    if error is not None:
                        ctx.add(pointer(here, key), error)
                elif isinstance(child, (dict, list)):
                    stack.append((pointer(here, key), child))
        elif isinstance(node, list):
            stack.extend((pointer(here, i), child) for i, child in enumerate(node) if isinstance(child, (dict, list)))


# ----------------------------------------------------------------------------- intrinsics


@_cached
def intrinsic_error(text: str) -> str | None:
    """Why ``text`` is not a well-formed intrinsic function call; ``None`` when it is."""
    from . import intrinsics  # imported here: intrinsics imports this module's siblings

    try:
        if not intrinsics.is_intrinsic(text):
            return f"{text!r} is neither a path (starting with '$') nor an intrinsic function call (States.Name(...))"
        intrinsics.compile_intrinsic(text)
    except Exception as exc:  # IntrinsicSyntaxError, or any parser failure: report, never raise
        return str(exc) or type(exc).__name__
    return None


# ----------------------------------------------------------------------------- JSONata


def is_expression(value: Any) -> bool:
    """True for a string written as a JSONata expression, ``{% ... %}``."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


@_cached
def jsonata_error(text: str) -> str | None:
    """Why a string in a JSONata field is a malformed ``{% ... %}`` expression.

    A string that neither starts with ``{%`` nor ends with ``%}`` is a literal (AWS
    passes ``" {% x %} "`` through untouched). One that has only one of the two marks is
    a broken expression. The expression itself is compiled with the ``jsonata`` package
    (jsonata-python)."""
    opens, closes = text.startswith("{%"), text.endswith("%}")
    if not opens and not closes:
        return None
    if not (opens and closes and len(text) >= 4):
        missing = "'%}' at the end" if opens else "'{%' at the start"
        return f"JSONata expressions are written '{{% expression %}}'; this one lacks {missing}"
    inner = text[2:-2]
    if not inner.strip():
        return "the JSONata expression between '{%' and '%}' is empty"
    if not (inner[0].isspace() and inner[-1].isspace()):
        return "JSONata expressions are written '{% expression %}', with whitespace after '{%' and before '%}'"
    return _compile_jsonata(inner)


def _compile_jsonata(expression: str) -> str | None:
    import jsonata

    try:
        jsonata.Jsonata(expression)
    except Exception as exc:  # JException, or RecursionError on absurd nesting
        return f"invalid JSONata expression: {exc}"
    return None


def check_jsonata(ctx: Context, path: str, value: Any) -> None:
    """Every string inside ``value`` that is (or tries to be) a ``{% %}`` expression."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, str):
            if node[:2] == "{%" or node[-2:] == "%}":
                error = jsonata_error(node)
                if error is not None:
                    ctx.add(here, error)
        elif isinstance(node, dict):
            stack.extend((pointer(here, key), child) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((pointer(here, i), child) for i, child in enumerate(node))


def check_int_or_expression(
    ctx: Context, path: str, field: str, value: Any, low: int, high: int | None, query_language: str
) -> None:
    """An integer field that a JSONata state may also give as an expression."""
    if query_language == JSONATA and is_expression(value):
        return  # its syntax is checked by check_jsonata
    if query_language == JSONATA and isinstance(value, str):
        ctx.add(path, f"{field} must be an integer or a JSONata expression '{{% ... %}}', not the string {value!r}")
        return
    check_int(ctx, path, field, value, low, high)


# ----------------------------------------------------------------------------- timestamps

def is_timestamp(value: Any) -> bool:
    """True for an RFC 3339 timestamp AWS accepts (``2016-03-14T01:59:00Z``): the same
    rule the Choice comparisons and the Wait state use."""
    return isinstance(value, str) and parse_timestamp(value) is not None


# ----------------------------------------------------------------------------- Map labels

_LABEL_FORBIDDEN: Final = frozenset(' <>{}[]?*"#%\\^|~`$&,;:/')


def label_error(label: str) -> str | None:
    """AWS's Map ``Label`` rule: 1-40 characters, none of whitespace, brackets,
    wildcards, the specials ``" # % \\ ^ | ~ ` $ & , ; : /`` or control characters."""
    if label == "":
        return "Label cannot be empty"
    if len(label) > 40:
        return f"Label cannot exceed 40 characters (it has {len(label)})"
    for char in label:
        code = ord(char)
        if (
            char in _LABEL_FORBIDDEN
            or char.isspace()
            or code <= 0x1F
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF)
        ):
            return f"Label contains invalid character: {char!r}"
    return None


# ----------------------------------------------------------------------------- errors

STATES_ERRORS: Final = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)
