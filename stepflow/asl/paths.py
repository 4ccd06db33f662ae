"""JSONPath for the ASL JSONPath query language: compiled once, evaluated many times.

Two kinds of path, as the specification names them:

* a **Path** (``InputPath``, ``OutputPath``, ``ItemsPath``, ``key.$`` values) may select
  many nodes with wildcards, slices, unions, filters or ``..``; such an *indefinite* path
  always yields a list (possibly empty), as AWS's Jayway JsonPath does;
* a **Reference Path** (``ResultPath``, Choice ``Variable``) names one node with only
  ``.field``, ``['field']`` and ``[index]`` steps.

Definite paths run on a tiny hand-compiled accessor (they are nearly all paths in real
machines); indefinite ones are delegated to jsonpath-ng. A path that begins with ``$$``
reads the context object; one that begins with ``$name`` (not ``$.``/``$[``) reads the
workflow variable ``name``.

``Path.get`` raises ``PathNoMatch`` when a definite path finds nothing; callers turn that
into the ``States.Runtime`` failure worded for their field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from .errors import PathSyntaxError

__all__ = ["Path", "PathNoMatch", "Scope", "compile_path", "compile_reference_path", "set_at"]


class PathNoMatch(LookupError):
    """A definite path selected nothing; ``missing`` is the first step that failed (``$['no']``)."""

    def __init__(self, path: str, missing: str, *, leaf: bool = True) -> None:
        self.path = path
        self.missing = missing
        self.leaf = leaf
        super().__init__(f"{path}: no node at {missing}")

    @property
    def jayway_message(self) -> str:
        """How Jayway JsonPath (and so AWS) words it: a missing last step has "no
        results", a missing step on the way is a "missing property"."""
        if self.leaf:
            return f"No results for path: {self.missing}"
        return f"Missing property in path {self.missing}"


class Scope:
    """What a path or template is evaluated against: the effective input, the context
    object, and the visible workflow variables (``None`` where none are in scope)."""

    __slots__ = ("context", "input", "variables")

    def __init__(self, input: Any, context: Any = None, variables: dict[str, Any] | None = None) -> None:
        self.input = input
        self.context = context
        self.variables = variables


_SOURCE_INPUT: Final = 0
_SOURCE_CONTEXT: Final = 1
_SOURCE_VARIABLE: Final = 2

_STEP = re.compile(
    r"""
      \.(?P<dot>[^.\[\]()@*'"]+)               # .name
    | \[\s*'(?P<sq>(?:[^'\\]|\\.)*)'\s*\]       # ['name']
    | \[\s*"(?P<dq>(?:[^"\\]|\\.)*)"\s*\]       # ["name"]
    | \[\s*(?P<idx>-?\d+)\s*\]                   # [3]
    """,
    re.VERBOSE,
)
# Jayway's script index "[(@.length-N)]" is how AWS users address the N-th element from
# the end; it means exactly "[-N]", which the compiler understands.
_JAYWAY_FROM_END: Final = re.compile(r"\[\(\s*@\.length\s*-\s*(\d+)\s*\)\]")
_VARIABLE = re.compile(r"\$(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


def _unescape(text: str, quote: str) -> str:
    # Jayway unescapes only the quote itself: `$['a\\"b']` names the key `a\\"b`.
    return text.replace("\\" + quote, quote)


class Path:
    """A compiled Path or Reference Path. Immutable; cheap to evaluate."""

    __slots__ = ("_jsonpath", "definite", "is_root", "source", "steps", "text", "variable")

    def __init__(self, text: str, source: int, variable: str | None, steps: tuple[str | int, ...] | None, jsonpath: Any) -> None:
        self.text = text
        self.source = source
        self.variable = variable
        self.steps = steps
        self.definite = steps is not None
        # A plain attribute, not a property: the interpreter asks it several times a transition.
        self.is_root = source == _SOURCE_INPUT and steps == ()
        self._jsonpath = jsonpath

    @property
    def reads_context(self) -> bool:
        return self.source == _SOURCE_CONTEXT

    @property
    def reads_variable(self) -> bool:
        return self.source == _SOURCE_VARIABLE

    def root_of(self, scope: Scope) -> Any:
        if self.source == _SOURCE_INPUT:
            return scope.input
        if self.source == _SOURCE_CONTEXT:
            return scope.context
        variables = scope.variables or {}
        if self.variable not in variables:
            raise PathNoMatch(self.text, f"${self.variable}")
        return variables[self.variable]

    def get(self, scope: Scope) -> Any:
        """The selected value; a list for an indefinite path. Raises ``PathNoMatch``."""
        return self.find(self.root_of(scope))

    def find(self, node: Any) -> Any:
        """Apply the path's steps to ``node`` (ignoring where the path is rooted)."""
        steps = self.steps
        if steps is None:
            return [match.value for match in self._jsonpath.find(node)]
        for depth, step in enumerate(steps):
            if type(step) is str:
                if type(node) is dict and step in node:
                    node = node[step]
                    continue
            elif type(node) is list and -len(node) <= step < len(node):  # type: ignore[operator]
                node = node[step]  # type: ignore[index]
                continue
            raise PathNoMatch(self.text, _describe_prefix(steps, depth), leaf=depth == len(steps) - 1)
        return node

    def __repr__(self) -> str:
        return f"Path({self.text!r})"


def _describe_prefix(steps: tuple[str | int, ...], depth: int) -> str:
    """Jayway's way to name the missing node, e.g. ``$['no']``."""
    return "$" + "".join(f"['{step}']" if isinstance(step, str) else f"[{step}]" for step in steps[: depth + 1])


def compile_path(text: str) -> Path:
    """Compile a Path. Raises ``PathSyntaxError`` when ``text`` is not a valid path."""
    if isinstance(text, str) and len(text) <= _CACHED_TEXT_LIMIT:
        return _compile_path_cached(text)
    return _compile_path(text)


_CACHED_TEXT_LIMIT = 2048  # hostile megabyte-long "paths" must not be pinned in the cache


@lru_cache(maxsize=4096)
def _compile_path_cached(text: str) -> Path:
    return _compile_path(text)


def _compile_path(text: str) -> Path:
    if not isinstance(text, str) or not text.startswith("$"):
        raise PathSyntaxError(f"{text!r} is not a JSONPath: it must start with '$'")
    source, variable, rest = _split_root(text)
    if "@" in rest:
        rest = _JAYWAY_FROM_END.sub(r"[-\1]", rest)
    steps = _definite_steps(rest)
    if steps is not None:
        return Path(text, source, variable, steps, None)
    return Path(text, source, variable, None, _compile_indefinite(text, rest))


def compile_reference_path(text: str) -> Path:
    """Compile a Reference Path: only named fields and indexes, one node."""
    path = compile_path(text)
    if not path.definite:
        raise PathSyntaxError(f"{text!r} is not a reference path: it may not use wildcards, slices, filters or '..'")
    return path


def _split_root(text: str) -> tuple[int, str | None, str]:
    if text.startswith("$$"):
        return _SOURCE_CONTEXT, None, text[2:]
    match = _VARIABLE.match(text)
    if match:
        return _SOURCE_VARIABLE, match["name"], text[match.end():]
    return _SOURCE_INPUT, None, text[1:]


def _definite_steps(rest: str) -> tuple[str | int, ...] | None:
    steps: list[str | int] = []
    pos = 0
    while pos < len(rest):
        match = _STEP.match(rest, pos)
        if match is None:
            return None
        if match["dot"] is not None:
            name = match["dot"].strip()
            if name == "" or name.endswith("()"):
                return None
            steps.append(name)
        elif match["sq"] is not None:
            steps.append(_unescape(match["sq"], "'"))
        elif match["dq"] is not None:
            steps.append(_unescape(match["dq"], '"'))
        else:
            steps.append(int(match["idx"]))
        pos = match.end()
    return tuple(steps)


def _compile_indefinite(text: str, rest: str) -> Any:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

    try:
        return parse("$" + rest)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:  # the parser raises bare Exceptions too
        raise PathSyntaxError(f"{text!r} is not a valid JSONPath: {exc}") from None


def set_at(document: Any, path: Path, value: Any) -> Any:
    """Return ``document`` with ``value`` placed at the reference path, copying only the
    containers along the path (the rest is shared, never deep-copied).

    Missing objects along the path are created. Raises ``PathNoMatch`` when a step meets a
    value that is not an object (AWS: States.ResultPathMatchFailure / States.Runtime).
    """
    steps = path.steps
    if not steps:
        return value
    root = _copy_container(document, steps[0], path)
    node = root
    for i, step in enumerate(steps[:-1]):
        child = node.get(step) if isinstance(node, dict) else node[step]
        child = {} if child is None and isinstance(node, dict) and step not in node else child
        child = _copy_container(child, steps[i + 1], path)
        node[step] = child
        node = child
    node[steps[-1]] = value
    return root


def _copy_container(node: Any, step: str | int, path: Path) -> Any:
    if isinstance(step, str):
        if isinstance(node, dict):
            return dict(node)
        raise PathNoMatch(path.text, f"$['{step}']")
    if isinstance(node, list) and -len(node) <= step < len(node):
        return list(node)
    raise PathNoMatch(path.text, f"$[{step}]")
