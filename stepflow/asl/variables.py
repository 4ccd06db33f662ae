"""Workflow variables: ``Assign``, the scopes of Parallel branches and Map iterations,
and the limits AWS sets.

Rules (AWS's):

* ``Assign`` is evaluated after the state's work and before the transition. Every
  expression in it, and in the state's ``Output``/``OutputPath``, sees the variables as
  they were *before* the state; the new values exist from the next state on.
* In a JSONPath state, ``"name.$": "$.path"`` reads the state's result (after
  ResultSelector; the effective input for Choice and Wait; the error output in a Catcher);
  ``$name`` paths read variables anywhere a path is allowed. In a JSONata state,
  ``{% $name %}`` reads them and ``$states`` is reserved.
* A Parallel branch or Map iteration is a scope of its own: it reads the variables of
  the scopes around it but cannot assign them, and what it assigns is gone when it ends.
  A DISTRIBUTED Map's iterations are child executions: they see no outer variables.
* Limits: one variable at most 256 KiB, one ``Assign`` at most 256 KiB in all, and all
  the variables of a scope (with those it reads from outside) at most 10 MiB; more fails
  the state with ``States.DataLimitExceeded``.

Cursor keys (plain JSON, present only when non-empty): ``vars`` maps the names assigned
in the cursor's own scope to their values; ``outer_vars`` holds the read-only variables
of the scopes around it, flattened.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from .errors import ErrorName, StatesError
from .sizes import payload_size

if TYPE_CHECKING:
    from .decisions import Cursor
    from .jsonata import Bindings
    from .paths import Scope

__all__ = [
    "MAX_ASSIGN_BYTES",
    "MAX_SCOPE_BYTES",
    "MAX_VARIABLE_BYTES",
    "OUTER",
    "VARS",
    "Assign",
    "apply",
    "carry",
    "child_scope",
    "compile_assign",
    "describe",
    "variable_name_error",
    "visible",
]

VARS: Final = "vars"
OUTER: Final = "outer_vars"
MAX_VARIABLE_BYTES: Final = 256 * 1024
MAX_ASSIGN_BYTES: Final = 256 * 1024
MAX_SCOPE_BYTES: Final = 10 * 1024 * 1024
RESERVED: Final = frozenset({"states"})


class Assign:
    """A compiled ``Assign`` block: ``evaluate`` returns ``{name: value}``.

    A JSONPath one takes a ``paths.Scope`` (``"x.$"`` fields are paths or intrinsic calls);
    a JSONata one takes ``jsonata.Bindings`` (strings may be ``{% %}`` expressions).
    """

    __slots__ = ("_template", "jsonata")

    def __init__(self, template: Any, *, jsonata: bool) -> None:
        self.jsonata = jsonata
        self._template = template

    def evaluate(self, source: Scope | Bindings) -> dict[str, Any]:
        result: dict[str, Any] = self._template.evaluate(source)
        return result


def compile_assign(spec: dict[str, Any] | None, *, jsonata: bool) -> Assign | None:
    """Compile an ``Assign`` object (``None`` when the state has none)."""
    if spec is None:
        return None
    if jsonata:
        from .jsonata_templates import compile_value

        return Assign(compile_value(spec, "Assign"), jsonata=True)
    from .templates import compile_template

    return Assign(compile_template(spec), jsonata=False)


def variable_name_error(name: str) -> str | None:
    """Why ``name`` cannot be a variable's name (``None`` when it can).

    Only what stepflow cannot honour is refused: an empty name, and ``states``, which
    JSONata's ``$states`` would hide. (AWS documents names as identifiers, but the
    asl-validator corpus accepts ``top-level``; a name JSONata cannot spell is merely
    unreadable from a JSONata expression.)"""
    if not name:
        return "a variable name cannot be empty"
    if name in RESERVED:
        return f"'{name}' is reserved (JSONata's $states); choose another variable name"
    return None


# ---------------------------------------------------------------- scopes in the cursor


def visible(cursor: Cursor) -> dict[str, Any] | None:
    """Every variable the cursor's state can read (``None`` when there are none)."""
    own = cursor.get(VARS)
    outer = cursor.get(OUTER)
    if not outer:
        return own or None
    if not own:
        return outer  # type: ignore[no-any-return]
    return {**outer, **own}


def child_scope(cursor: Cursor, *, distributed: bool = False) -> dict[str, Any] | None:
    """The read-only variables a Parallel branch or Map iteration starts with."""
    if distributed:
        return None  # child executions: they start with no variables at all
    return visible(cursor)


def apply(cursor: Cursor, assigned: dict[str, Any], state: str) -> dict[str, Any]:
    """The cursor's own variables after ``assigned``. Raises ``StatesError`` for a name
    that belongs to an outer scope and for values over AWS's limits."""
    outer = cursor.get(OUTER) or {}
    total = 0
    for name, value in assigned.items():
        if name in outer:
            raise StatesError(
                ErrorName.RUNTIME,
                f"The variable '{name}' belongs to an outer scope: a Parallel branch or Map iteration "
                "can read it but cannot assign it.",
            )
        size = payload_size(value)
        if size > MAX_VARIABLE_BYTES:
            raise StatesError(
                ErrorName.DATA_LIMIT_EXCEEDED,
                f"The state '{state}' assigned the variable '{name}' a value of {size} bytes, "
                f"exceeding the maximum of {MAX_VARIABLE_BYTES} bytes for one variable.",
            )
        total += size
    if total > MAX_ASSIGN_BYTES:
        raise StatesError(
            ErrorName.DATA_LIMIT_EXCEEDED,
            f"The state '{state}' assigned {total} bytes of variables, exceeding the maximum of "
            f"{MAX_ASSIGN_BYTES} bytes for one Assign.",
        )
    own = {**(cursor.get(VARS) or {}), **assigned}
    scope = sum(payload_size(value) for value in own.values()) + sum(payload_size(v) for v in outer.values())
    if scope > MAX_SCOPE_BYTES:
        raise StatesError(
            ErrorName.DATA_LIMIT_EXCEEDED,
            f"The state '{state}' brought the variables to {scope} bytes, exceeding the maximum of "
            f"{MAX_SCOPE_BYTES} bytes for all the variables of an execution.",
        )
    return own


def carry(source: Cursor, target: Cursor, own: dict[str, Any] | None = None) -> None:
    """Copy the variables from ``source`` into the next cursor ``target`` (``own``, when
    given, replaces the source's own scope: the state has just assigned)."""
    if own is None:
        own = source.get(VARS)
    if own:
        target[VARS] = own
    outer = source.get(OUTER)
    if outer:
        target[OUTER] = outer


def describe(assigned: dict[str, Any]) -> dict[str, str]:
    """``assignedVariables`` as AWS's history shows it: each value as compact JSON text."""
    return {name: json.dumps(value, separators=(",", ":"), ensure_ascii=False) for name, value in assigned.items()}
