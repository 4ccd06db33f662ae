"""Intrinsic function calls (``States.Format('{}', $.name)``): parsed once, evaluated fast.

Contract::

    is_intrinsic(text) -> bool            # a ``key.$`` value that starts an intrinsic call
    compile_intrinsic(text) -> Intrinsic  # raises IntrinsicSyntaxError, message says what to fix
    Intrinsic.evaluate(scope) -> Any      # raises StatesError("States.Runtime", cause)

Grammar (the AWS spec's, made precise where it is silent)::

    call      := "States." Name "(" [ argument ( "," argument )* ] ")"
    argument  := 'string' | number | true | false | null | path | call
    string    := single-quoted; the only escapes are \\' \\{ \\} \\\\
    number    := JSON number grammar (-?, no leading zeros, no "1." or ".5")
    path      := $..., $$..., $name... up to a top-level "," or ")" (brackets may hold
                 filters with spaces and commas), compiled by ``paths.compile_path``

Whitespace may surround arguments. Calls nest at most 10 deep, as AWS documents.

Compile time is stricter than AWS in one way, on purpose: a call that could never succeed
(wrong number of arguments, a literal of the wrong type such as ``States.MathAdd(1, '2')``,
a literal ``States.Format`` template whose ``{}`` count does not match its arguments or
that has a lone brace, a literal deep flag of ``true``) is an ``IntrinsicSyntaxError``,
where AWS accepts the definition and fails every run with ``States.Runtime``.

At run time every failure is ``States.Runtime`` (AWS reports intrinsic failures under that
name, not ``States.IntrinsicFailure``), with AWS's wording::

    There was an error while evaluating the intrinsic function: <call>.
        Invalid arguments in States.X: <detail>
    There was an error while evaluating the intrinsic function: <call>.
        The JsonPath argument for the field '<path>' could not be found in the input '<json>'

(one line each; shown broken here).
``<call>`` is the source text of the innermost call that failed. The caller (template,
Fail state) adds the "An error occurred while executing the state ..." prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from . import intrinsic_functions as fn
from .errors import ErrorName, IntrinsicSyntaxError, PathSyntaxError, StatesError
from .intrinsic_functions import (
    InvalidArguments,
    TemplateError,
    parse_format_template,
    render_format,
    to_json,
)
from .paths import Path, PathNoMatch, Scope, compile_path

__all__ = ["FUNCTIONS", "MAX_NESTING", "Intrinsic", "Spec", "compile_intrinsic", "is_intrinsic"]

MAX_NESTING: Final = 10  # "You can nest up to 10 intrinsic functions within a field."

_CALL_START = re.compile(r"States\.([A-Za-z][A-Za-z0-9]*)\(")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORDS: Final = (("true", True), ("false", False), ("null", None))
_SPACE: Final = " \t\n\r"
_ENDS_TOKEN: Final = _SPACE + ",)"
_ESCAPABLE: Final = "'{}\\"

Getter = Callable[[Scope], Any]


# -- the functions and how they are called -------------------------------------------------

# What a *literal* argument may be. Paths and nested calls are only checked at run time.
ANY: Final = "any"
STRING: Final = "string"
NUMBER: Final = "number"
ARRAY: Final = "array"
OBJECT: Final = "object"
ALGORITHM: Final = "algorithm"
SHALLOW_FLAG: Final = "shallow flag"


@dataclass(frozen=True, slots=True)
class Spec:
    """One function: its implementation, how many arguments it takes, and for each
    position what a literal there must be (positions past ``params`` use ``rest``)."""

    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    params: tuple[str, ...] = ()
    rest: str = ANY

    def param(self, index: int) -> str:
        return self.params[index] if index < len(self.params) else self.rest

    def arity(self) -> str:
        plural = "s" if self.min_args != 1 else ""
        if self.max_args is None:
            return f"at least {self.min_args} argument{plural}"
        if self.min_args == self.max_args:
            return f"exactly {self.min_args} argument{plural}"
        return f"{self.min_args} or {self.max_args} arguments"


def _literal_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` written as a literal can never be a valid argument of ``kind``."""
    if kind in (ARRAY, OBJECT):
        return f"must be {'an array' if kind == ARRAY else 'a JSON object'} (a path or a nested call), not a literal"
    if kind == NUMBER and not fn.is_number(value):
        return f"must be a number, not {fn.describe(value)}"
    if kind == STRING and type(value) is not str:
        return f"must be a string, not {fn.describe(value)}"
    if kind == ALGORITHM and value not in fn.HASH_ALGORITHMS:
        return f"must be one of {', '.join(map(repr, fn.HASH_ALGORITHMS))}, not {fn.describe(value)}"
    if kind == SHALLOW_FLAG and fn.jackson_as_boolean(value):
        return "must be false: Step Functions only supports the shallow merging mode"
    return None


FUNCTIONS: Final[dict[str, Spec]] = {
    spec.name: spec
    for spec in (
        Spec("States.Format", fn.format_, 1, None, (STRING,)),
        Spec("States.StringToJson", fn.string_to_json, 1, 1, (STRING,)),
        Spec("States.JsonToString", fn.to_json, 1, 1),
        Spec("States.Array", fn.array, 0, None),
        Spec("States.ArrayPartition", fn.array_partition, 2, 2, (ARRAY, NUMBER)),
        Spec("States.ArrayContains", fn.array_contains, 2, 2, (ARRAY, ANY)),
        Spec("States.ArrayRange", fn.array_range, 3, 3, (NUMBER, NUMBER, NUMBER)),
        Spec("States.ArrayGetItem", fn.array_get_item, 2, 2, (ARRAY, NUMBER)),
        Spec("States.ArrayLength", fn.array_length, 1, 1, (ARRAY,)),
        Spec("States.ArrayUnique", fn.array_unique, 1, 1, (ARRAY,)),
        Spec("States.Base64Encode", fn.base64_encode, 1, 1, (STRING,)),
        Spec("States.Base64Decode", fn.base64_decode, 1, 1, (STRING,)),
        Spec("States.Hash", fn.hash_, 2, 2, (ANY, ALGORITHM)),
        Spec("States.JsonMerge", fn.json_merge, 3, 3, (OBJECT, OBJECT, SHALLOW_FLAG)),
        Spec("States.MathRandom", fn.math_random, 2, 3, (NUMBER, NUMBER, NUMBER)),
        Spec("States.MathAdd", fn.math_add, 2, 2, (NUMBER, NUMBER)),
        Spec("States.StringSplit", fn.string_split, 2, 2, (STRING, STRING)),
        Spec("States.UUID", fn.uuid_, 0, 0),
    )
}


def is_intrinsic(text: Any) -> bool:
    """True when a ``key.$`` value is meant as an intrinsic call: ``States.<Name>(`` at the
    very start (AWS allows no leading whitespace). The rest is checked by ``compile_intrinsic``,
    so a malformed call gets a precise message instead of "not a JSONPath"."""
    return isinstance(text, str) and _CALL_START.match(text) is not None


class Intrinsic:
    """A compiled intrinsic call. Immutable; ``evaluate`` costs a few microseconds.

    ``function`` is the outer function's name, ``paths`` every path argument at any depth
    (for the validator), ``reads_context`` whether one of them reads ``$$``."""

    __slots__ = ("evaluate", "function", "paths", "reads_context", "text")

    evaluate: Getter
    """``evaluate(scope)``: the call's value; raises ``StatesError("States.Runtime", ...)``.
    It is the compiled closure itself, stored per instance, to save a call per evaluation."""

    def __init__(self, text: str, function: str, paths: tuple[Path, ...], run: Getter) -> None:
        self.text = text
        self.function = function
        self.paths = paths
        self.reads_context = any(path.reads_context for path in paths)
        self.evaluate = run

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"


@lru_cache(maxsize=4096)
def compile_intrinsic(text: str) -> Intrinsic:
    """Parse and check an intrinsic call once. Raises ``IntrinsicSyntaxError``."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(f"an intrinsic function call must be a string, not {type(text).__name__}")
    parser = _Parser(text)
    if not is_intrinsic(text):
        raise parser.error("expected an intrinsic function call such as States.Format('{}', $.name)", 0)
    paths: list[Path] = []
    run, name = parser.parse(paths)
    return Intrinsic(text, name, tuple(paths), run)


# -- parsing -------------------------------------------------------------------------------


class _Literal:
    """A literal argument: its value and, for strings, the source between the quotes
    (States.Format needs the escapes to tell ``\\{`` from a placeholder)."""

    __slots__ = ("raw", "value")

    def __init__(self, value: Any, raw: str | None = None) -> None:
        self.value = value
        self.raw = raw


class _Parser:
    """Recursive descent over the call text; each call compiles straight to a closure."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, at: int | None = None) -> IntrinsicSyntaxError:
        at = self.pos if at is None else at
        return IntrinsicSyntaxError(f"{message} (at character {at + 1} of {self.text!r})")

    def parse(self, paths: list[Path]) -> tuple[Getter, str]:
        start = self.pos
        run = self._call(paths, depth=1)
        self._skip_space()
        if self.pos < len(self.text):
            call = self.text[start : self.pos].rstrip()
            raise self.error(f"unexpected text {self.text[self.pos :]!r} after the call {call}")
        return run, _CALL_START.match(self.text)[0][:-1]  # type: ignore[index]

    def _skip_space(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        self.pos = pos

    def _call(self, paths: list[Path], depth: int) -> Getter:
        start = self.pos
        match = _CALL_START.match(self.text, start)
        if match is None:
            raise self.error("expected an intrinsic function call such as States.Format(...)")
        name = "States." + match[1]
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(f"unknown intrinsic function {name}; the functions are {known}", start)
        if depth > MAX_NESTING:
            raise self.error(f"intrinsic functions may be nested at most {MAX_NESTING} deep", start)
        self.pos = match.end()
        args: list[_Literal | Getter] = []
        self._skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
        else:
            while True:
                args.append(self._argument(paths, depth, name))
                self._skip_space()
                ch = self.text[self.pos : self.pos + 1]
                self.pos += 1
                if ch == ",":
                    continue
                if ch == ")":
                    break
                self.pos -= 1
                if not ch:
                    raise self.error(f"{name}( is missing its closing ')'")
                raise self.error(f"expected ',' or ')' after argument {len(args)} of {name}, found {ch!r}")
        source = self.text[start : self.pos]
        self._check(spec, args, source, start)
        return _compile_call(spec, args, source)

    def _argument(self, paths: list[Path], depth: int, name: str) -> _Literal | Getter:
        self._skip_space()
        text, pos = self.text, self.pos
        ch = text[pos : pos + 1]
        if ch == "'":
            return self._string()
        if ch == "$":
            path = self._path()
            paths.append(path)
            return path.get
        if text.startswith("States.", pos):
            return self._call(paths, depth + 1)
        if match := _NUMBER.match(text, pos):
            self.pos = match.end()
            self._expect_token_end(match[0])
            number = match[0]
            return _Literal(float(number) if any(c in number for c in ".eE") else int(number))
        for word, value in _KEYWORDS:
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                self._expect_token_end(word)
                return _Literal(value)
        if not ch:
            raise self.error(f"{name}( is missing its closing ')'")
        if ch in ",)":
            raise self.error(f"missing an argument of {name} before {ch!r}")
        found = re.match(r"[^\s,)]*", text[pos:])[0] or ch  # type: ignore[index]
        raise self.error(
            f"{found!r} is not a valid argument: use a 'quoted string', a number, true, false, null, "
            "a path ($.field, $$.Execution.Id, $variable) or a nested States.* call"
        )

    def _expect_token_end(self, token: str) -> None:
        if self.pos < len(self.text) and self.text[self.pos] not in _ENDS_TOKEN:
            found = re.match(r"[^\s,)]*", self.text[self.pos - len(token) :])[0]  # type: ignore[index]
            raise self.error(
                f"{found!r} is not a valid argument (numbers follow JSON: 1, -2, 3.5, 1e3)", self.pos - len(token)
            )

    def _string(self) -> _Literal:
        text, start = self.text, self.pos
        pos = start + 1
        chars: list[str] = []
        while True:
            if pos >= len(text):
                raise self.error("unterminated string literal: add the closing quote '", start)
            ch = text[pos]
            if ch == "'":
                break
            if ch == "\\":
                escaped = text[pos + 1 : pos + 2]
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.error(
                        f"invalid escape '\\{escaped}' in a string literal: "
                        "only \\', \\{, \\} and \\\\ may be escaped",
                        pos,
                    )
                chars.append(escaped)
                pos += 2
                continue
            chars.append(ch)
            pos += 1
        self.pos = pos + 1
        return _Literal("".join(chars), text[start + 1 : pos])

    def _path(self) -> Path:
        """A path runs to the first ``,``, ``)`` or space outside brackets and quotes, so
        filters such as ``$.a[?(@.b == 'x, y')]`` stay whole."""
        text, start = self.text, self.pos
        pos, depth, quote = start, 0, ""
        while pos < len(text):
            ch = text[pos]
            if quote:
                if ch == "\\":
                    pos += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"" and depth:
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (ch == "," or ch in _SPACE):
                break
            pos += 1
        source = text[start:pos]
        try:
            path = compile_path(source)
        except PathSyntaxError as exc:
            raise self.error(f"invalid path argument {source!r}: {exc}", start) from None
        self.pos = pos
        return path

    def _check(self, spec: Spec, args: list[_Literal | Getter], source: str, start: int) -> None:
        """Reject calls that could never succeed (see the module docstring)."""
        count = len(args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            given = f"{count} {'was' if count == 1 else 'were'} given"
            raise self.error(f"{spec.name} takes {spec.arity()} but {given}: {source}", start)
        for index, arg in enumerate(args):
            if isinstance(arg, _Literal):
                problem = _literal_problem(spec.param(index), arg.value)
                if problem:
                    raise self.error(f"argument {index + 1} of {spec.name} {problem}: {source}", start)
        template = args[0] if spec.name == "States.Format" else None
        if isinstance(template, _Literal) and template.raw is not None:
            try:
                placeholders = len(parse_format_template(template.raw)) - 1
            except TemplateError as exc:
                raise self.error(
                    f"invalid template in States.Format: {exc} Write \\{{ or \\}} for a literal brace: {source}", start
                ) from None
            if placeholders != count - 1:
                raise self.error(
                    f"the States.Format template has {placeholders} {{}} placeholder(s) "
                    f"but {count - 1} value(s) follow it: {source}",
                    start,
                )


# -- compiling to closures -----------------------------------------------------------------


def _getter(arg: _Literal | Getter) -> Getter:
    if isinstance(arg, _Literal):
        value = arg.value  # literals are immutable scalars, safe to hand out
        return lambda scope: value
    return arg


def _compile_call(spec: Spec, args: list[_Literal | Getter], source: str) -> Getter:
    impl = spec.impl
    template = args[0] if args and spec.name == "States.Format" else None
    if isinstance(template, _Literal) and template.raw is not None:
        # A literal template is parsed (and its {} counted) once, here.
        segments = parse_format_template(template.raw)
        args = args[1:]
        impl = lambda *values: render_format(segments, values)
    getters = [_getter(arg) for arg in args]
    name = spec.name

    def failure(exc: Exception, scope: Scope) -> StatesError:
        head = f"There was an error while evaluating the intrinsic function: {source}."
        if isinstance(exc, InvalidArguments):
            return StatesError(ErrorName.RUNTIME, f"{head} {exc.headline} in {name}: {exc.detail}")
        assert isinstance(exc, PathNoMatch)
        document = scope.context if exc.path.startswith("$$") else scope.input
        return StatesError(
            ErrorName.RUNTIME,
            f"{head} The JsonPath argument for the field '{exc.path}' "
            f"could not be found in the input '{to_json(document)}'",
        )

    # Fixed-arity closures avoid building an argument list on the hot path; the try costs
    # nothing until something fails.
    if len(getters) == 1:
        (g0,) = getters

        def call1(scope: Scope) -> Any:
            try:
                return impl(g0(scope))
            except (InvalidArguments, PathNoMatch) as exc:
                raise failure(exc, scope) from None

        return call1
    if len(getters) == 2:
        g0, g1 = getters
        if isinstance(args[1], _Literal):  # States.MathAdd($.i, 1): the benchmark's shape
            v1 = args[1].value

            def call2_literal(scope: Scope) -> Any:
                try:
                    return impl(g0(scope), v1)
                except (InvalidArguments, PathNoMatch) as exc:
                    raise failure(exc, scope) from None

            return call2_literal

        def call2(scope: Scope) -> Any:
            try:
                return impl(g0(scope), g1(scope))
            except (InvalidArguments, PathNoMatch) as exc:
                raise failure(exc, scope) from None

        return call2

    def call(scope: Scope) -> Any:
        try:
            return impl(*[getter(scope) for getter in getters])
        except (InvalidArguments, PathNoMatch) as exc:
            raise failure(exc, scope) from None

    return call
