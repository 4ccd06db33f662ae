"""Per-state field rules for the validator: which fields each ``Type`` takes in each query
language, the types and ranges of those fields, and each type's own constraints.

``check_state`` is the entry; it reports through the :class:`Context` and never raises.
Transitions (whether ``Next`` names a state) and nested state machines (Parallel
``Branches``, Map ``ItemProcessor``) are checked by :mod:`stepflow.asl.validate`, which
knows the scopes; this module only checks their shape.
"""

from __future__ import annotations

from typing import Any, Final

from .validate_map import check_map
from .validate_resources import check_credentials, check_resource
from .validate_rules import check_catch, check_choice, check_retry, check_variable_names
from .validate_values import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    QUERY_LANGUAGES,
    Context,
    check_exclusive,
    check_int_or_expression,
    check_jsonata,
    check_path,
    check_template,
    intrinsic_error,
    is_expression,
    is_timestamp,
    kind,
    pointer,
    suggest,
)

__all__ = ["STATE_TYPES", "check_state", "effective_query_language"]


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# For each Type: (fields in both query languages, JSONPath-only fields, JSONata-only fields).
_FIELDS: Final[dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]] = {
    "Pass": (
        _names("Next End Assign"),
        _names("InputPath OutputPath Parameters ResultPath Result"),
        _names("Output"),
    ),
    "Task": (
        _names("Next End Assign Resource Retry Catch TimeoutSeconds HeartbeatSeconds Credentials"),
        _names("InputPath OutputPath Parameters ResultSelector ResultPath TimeoutSecondsPath HeartbeatSecondsPath"),
        _names("Arguments Output"),
    ),
    "Choice": (
        _names("Choices Default Assign"),
        _names("InputPath OutputPath"),
        _names("Output"),
    ),
    "Wait": (
        _names("Next End Assign Seconds Timestamp"),
        _names("InputPath OutputPath SecondsPath TimestampPath"),
        _names("Output"),
    ),
    "Succeed": (
        _names(""),
        _names("InputPath OutputPath"),
        _names("Output"),
    ),
    "Fail": (
        _names("Error Cause"),
        _names("ErrorPath CausePath"),
        _names(""),
    ),
    "Parallel": (
        _names("Next End Assign Branches Retry Catch"),
        _names("InputPath OutputPath Parameters ResultSelector ResultPath"),
        _names("Arguments Output"),
    ),
    "Map": (
        _names(
            "Next End Assign ItemProcessor Iterator ItemSelector ItemReader ItemBatcher ResultWriter MaxConcurrency "
            "ToleratedFailurePercentage ToleratedFailureCount Label Retry Catch"
        ),
        _names(
            "InputPath OutputPath ItemsPath Parameters ResultSelector ResultPath MaxConcurrencyPath "
            "ToleratedFailurePercentagePath ToleratedFailureCountPath"
        ),
        _names("Items Output"),
    ),
}
STATE_TYPES: Final = tuple(_FIELDS)
_COMMON: Final = _names("Type Comment QueryLanguage")
_TERMINAL_TYPES: Final = _names("Succeed Fail Choice")  # they may not have Next or End

# What a JSONata state uses instead of a JSONPath field, and the reverse.
_JSONATA_INSTEAD: Final = {
    "Parameters": "Arguments",
    "ResultSelector": "Output",
    "ResultPath": "Output or Assign",
    "InputPath": "$states.input inside Arguments or Output",
    "OutputPath": "Output",
    "ItemsPath": "Items",
    "SecondsPath": "Seconds with an expression",
    "TimestampPath": "Timestamp with an expression",
    "TimeoutSecondsPath": "TimeoutSeconds with an expression",
    "HeartbeatSecondsPath": "HeartbeatSeconds with an expression",
    "MaxConcurrencyPath": "MaxConcurrency with an expression",
    "ToleratedFailureCountPath": "ToleratedFailureCount with an expression",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage with an expression",
    "ErrorPath": "Error with an expression",
    "CausePath": "Cause with an expression",
}
_JSONPATH_INSTEAD: Final = {"Arguments": "Parameters", "Output": "OutputPath or ResultSelector", "Items": "ItemsPath"}

# Fields whose strings a JSONata state evaluates as {% %} expressions.
_JSONATA_VALUES: Final = _names(
    "Arguments Output Assign Items ItemSelector Seconds Timestamp TimeoutSeconds HeartbeatSeconds MaxConcurrency "
    "ToleratedFailureCount ToleratedFailurePercentage Error Cause Credentials ItemReader ItemBatcher ResultWriter"
)


def effective_query_language(ctx: Context, state: dict[str, Any]) -> str:
    """A state's own valid QueryLanguage, else the machine's."""
    own = state.get("QueryLanguage")
    return own if own in QUERY_LANGUAGES else ctx.query_language


def check_state(ctx: Context, path: str, state: Any) -> None:
    """Every field rule for one state (not its transitions' targets)."""
    if not isinstance(state, dict):
        ctx.add(path, f"A state must be a JSON object, not {kind(state)}")
        return
    state_type = state.get("Type")
    if not isinstance(state_type, str) or state_type not in _FIELDS:
        if "Type" not in state:
            ctx.add(path, "The field 'Type' is required but was missing")
        else:
            choices = ", ".join(STATE_TYPES)
            hint = suggest(state_type, STATE_TYPES) if isinstance(state_type, str) else ""
            ctx.add(pointer(path, "Type"), f"Type {state_type!r} is not a state type (one of {choices}){hint}")
        return
    language = _check_query_language(ctx, path, state)
    _check_field_names(ctx, path, state, state_type, language)
    _check_flow(ctx, path, state, state_type)
    if "Comment" in state and not isinstance(state["Comment"], str):
        ctx.add(pointer(path, "Comment"), f"Comment must be a string, not {kind(state['Comment'])}")
    if language == JSONPATH:
        _check_jsonpath_io(ctx, path, state)
    else:
        for field, value in state.items():
            if field in _JSONATA_VALUES:
                check_jsonata(ctx, pointer(path, field), value)
    if "Arguments" in state and not (isinstance(state["Arguments"], dict) or is_expression(state["Arguments"])):
        ctx.add(
            pointer(path, "Arguments"),
            f"Arguments must be an object or a JSONata expression, not {kind(state['Arguments'])}",
        )
    if "Assign" in state and not isinstance(state["Assign"], dict):
        ctx.add(
            pointer(path, "Assign"),
            f"Assign must be an object of variable names to values, not {kind(state['Assign'])}",
        )
    elif "Assign" in state:
        check_variable_names(ctx, pointer(path, "Assign"), state["Assign"], language)
    _CHECKS[state_type](ctx, path, state, language)
    if "Retry" in state:
        check_retry(ctx, pointer(path, "Retry"), state["Retry"])
    if "Catch" in state:
        check_catch(ctx, pointer(path, "Catch"), state["Catch"], language)


def _check_query_language(ctx: Context, path: str, state: dict[str, Any]) -> str:
    if "QueryLanguage" in state:
        own = state["QueryLanguage"]
        if own not in QUERY_LANGUAGES:
            ctx.add(pointer(path, "QueryLanguage"), f"QueryLanguage must be 'JSONPath' or 'JSONata', not {own!r}")
        elif own == JSONPATH and ctx.query_language == JSONATA and not ctx.child_execution:
            # A DISTRIBUTED Map's items run as child executions, which may use JSONPath.
            ctx.add(path, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
    return effective_query_language(ctx, state)


def _check_field_names(ctx: Context, path: str, state: dict[str, Any], state_type: str, language: str) -> None:
    both, jsonpath_only, jsonata_only = _FIELDS[state_type]
    own = jsonpath_only if language == JSONPATH else jsonata_only
    other = jsonata_only if language == JSONPATH else jsonpath_only
    for field in state:
        if field in _COMMON or field in both or field in own:
            continue
        at = pointer(path, field)
        if field in other:
            instead = (_JSONATA_INSTEAD if language == JSONATA else _JSONPATH_INSTEAD).get(field)
            hint = f"; use {instead}" if instead else ""
            ctx.add(at, f"The field '{field}' is not supported when QueryLanguage is {language}{hint}")
        else:
            hint = suggest(str(field), _COMMON | both | own)
            ctx.add(at, f"The field '{field}' is not supported in a {state_type} state{hint}")


def _check_flow(ctx: Context, path: str, state: dict[str, Any], state_type: str) -> None:
    if state_type in _TERMINAL_TYPES:
        for field in ("Next", "End"):
            if field in state:
                ctx.add(pointer(path, field), f"A {state_type} state cannot have {field}")
        return
    has_next, end = "Next" in state, state.get("End")
    if "End" in state and not isinstance(end, bool):
        ctx.add(pointer(path, "End"), f"End must be true or false, not {kind(end)}")
    if has_next and "End" in state:
        ctx.add(path, "Next and End cannot be used together; a state either continues or ends the machine")
    elif not has_next and end is not True:
        ctx.add(path, f'A {state_type} state needs either Next (the state to run after it) or "End": true')
    if has_next and not isinstance(state["Next"], str):
        ctx.add(pointer(path, "Next"), f"Next must be a state name (a string), not {kind(state['Next'])}")


def _check_jsonpath_io(ctx: Context, path: str, state: dict[str, Any]) -> None:
    for field in ("InputPath", "OutputPath"):
        if field in state:
            check_path(ctx, path, field, state[field], nullable=True)
    if "ResultPath" in state:
        check_path(
            ctx, path, "ResultPath", state["ResultPath"], reference=True, nullable=True, context=False, variables=False
        )
    if "Parameters" in state:
        check_template(ctx, pointer(path, "Parameters"), state["Parameters"])
    for field in ("ResultSelector", "ItemSelector"):
        if field in state:
            if not isinstance(state[field], dict):
                ctx.add(pointer(path, field), f"{field} must be an object, not {kind(state[field])}")
            check_template(ctx, pointer(path, field), state[field])
    if isinstance(state.get("Assign"), dict):
        check_template(ctx, pointer(path, "Assign"), state["Assign"])


# ----------------------------------------------------------------------------- per type


def _check_nothing(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    """Pass and Succeed have no rules beyond the common ones."""


def _check_task(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    if "Resource" not in state:
        ctx.add(path, "The field 'Resource' is required but was missing")
    else:
        check_resource(ctx, pointer(path, "Resource"), state["Resource"])
    if "Credentials" in state:
        check_credentials(ctx, pointer(path, "Credentials"), state["Credentials"], language)
    limits: dict[str, int] = {}
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        check_exclusive(ctx, path, state, field, f"{field}Path")
        if field in state:
            check_int_or_expression(ctx, pointer(path, field), field, state[field], 1, MAX_SECONDS, language)
            if type(state[field]) is int:
                limits[field] = state[field]
        if f"{field}Path" in state:
            check_path(ctx, path, f"{field}Path", state[f"{field}Path"], reference=True)
    if len(limits) == 2 and limits["HeartbeatSeconds"] >= limits["TimeoutSeconds"]:
        ctx.add(pointer(path, "HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds")


def _check_wait(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    fields = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state]
    if not fields:
        ctx.add(path, "A Wait state needs exactly one of Seconds, Timestamp, SecondsPath or TimestampPath")
    elif len(fields) > 1:
        ctx.add(pointer(path, fields[1]), f"A Wait state takes exactly one of {', '.join(fields)}; remove all but one")
    if "Seconds" in state:
        check_int_or_expression(ctx, pointer(path, "Seconds"), "Seconds", state["Seconds"], 0, MAX_SECONDS, language)
    if "Timestamp" in state:
        value = state["Timestamp"]
        if not (is_timestamp(value) or (language == JSONATA and is_expression(value))):
            ctx.add(
                pointer(path, "Timestamp"),
                f"String does not match RFC3339 timestamp (like 2016-03-14T01:59:00Z): {value!r}",
            )
    for field in ("SecondsPath", "TimestampPath"):
        if field in state:
            check_path(ctx, path, field, state[field], reference=True)


def _check_fail(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    for field in ("Error", "Cause"):
        check_exclusive(ctx, path, state, field, f"{field}Path")
        if field in state and not isinstance(state[field], str):
            ctx.add(pointer(path, field), f"{field} must be a string, not {kind(state[field])}")
        if f"{field}Path" in state:
            value = state[f"{field}Path"]
            if isinstance(value, str) and not value.startswith("$"):
                error = intrinsic_error(value)
                if error is not None:
                    ctx.add(
                        pointer(path, f"{field}Path"),
                        f"{field}Path must be a JSONPath or an intrinsic function call: {error}",
                    )
            else:
                check_path(ctx, path, f"{field}Path", value)


def _check_parallel(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    branches = state.get("Branches")
    if "Branches" not in state:
        ctx.add(path, "The field 'Branches' is required but was missing")
    elif not isinstance(branches, list) or not branches:
        ctx.add(pointer(path, "Branches"), "Branches must be a non-empty array of state machines")


_CHECKS: Final = {
    "Pass": _check_nothing,
    "Succeed": _check_nothing,
    "Task": _check_task,
    "Choice": check_choice,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "Parallel": _check_parallel,
    "Map": check_map,
}
