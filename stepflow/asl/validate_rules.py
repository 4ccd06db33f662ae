"""Choice rules, Retriers and Catchers for the validator.

``check_choice``, ``check_retry`` and ``check_catch`` report through the
:class:`Context` and never raise. Whether a rule's or catcher's ``Next`` names a state
is checked by :mod:`stepflow.asl.validate`, which knows the scope.
"""

from __future__ import annotations

from typing import Any, Final

from .validate_values import (
    JSONATA,
    JSONPATH,
    STATES_ERRORS,
    Context,
    check_int,
    check_jsonata,
    check_path,
    check_template,
    is_number,
    is_timestamp,
    kind,
    pointer,
    suggest,
)

__all__ = ["COMPARISONS", "check_catch", "check_choice", "check_retry", "check_variable_names"]

_ORDERINGS: Final = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
# Comparison operator -> what its operand must be.
COMPARISONS: Final[dict[str, str]] = {
    **{f"String{ordering}": "string" for ordering in _ORDERINGS},
    **{f"Numeric{ordering}": "number" for ordering in _ORDERINGS},
    **{f"Timestamp{ordering}": "timestamp" for ordering in _ORDERINGS},
    **{f"{kind}{ordering}Path": "path" for kind in ("String", "Numeric", "Timestamp") for ordering in _ORDERINGS},
    "StringMatches": "string",
    "BooleanEquals": "boolean",
    "BooleanEqualsPath": "path",
    **{f"Is{test}": "boolean" for test in ("Null", "Present", "Numeric", "String", "Boolean", "Timestamp")},
}
_LOGICAL: Final = ("And", "Or", "Not")
_MAX_RULE_DEPTH: Final = 64  # deeper And/Or/Not nesting is a mistake, and would exhaust the stack


def check_choice(ctx: Context, path: str, state: dict[str, Any], language: str) -> None:
    """A Choice state's ``Choices`` and ``Default``."""
    choices = state.get("Choices")
    if "Choices" not in state:
        ctx.add(path, "The field 'Choices' is required but was missing")
    elif not isinstance(choices, list) or not choices:
        ctx.add(pointer(path, "Choices"), "Choices must be a non-empty array of Choice rules")
    else:
        for index, rule in enumerate(choices):
            _check_rule(ctx, pointer(path, "Choices", index), rule, language, depth=0)
    if "Default" in state and not isinstance(state["Default"], str):
        ctx.add(pointer(path, "Default"), f"Default must be a state name (a string), not {kind(state['Default'])}")


def _check_rule(ctx: Context, path: str, rule: Any, language: str, depth: int) -> None:
    top = depth == 0
    if not isinstance(rule, dict):
        ctx.add(path, f"A Choice rule must be an object, not {kind(rule)}")
        return
    if depth > _MAX_RULE_DEPTH:
        ctx.add(path, f"Choice rules are nested more than {_MAX_RULE_DEPTH} levels deep")
        return
    allowed = {"Comment"} | ({"Next", "Assign"} if top else set())
    if language == JSONATA:
        allowed |= {"Condition"} | ({"Output"} if top else set())
    else:
        allowed |= {"Variable", *_LOGICAL, *COMPARISONS}
    for field in rule:
        if field in allowed:
            continue
        at = pointer(path, field)
        if field == "Next":
            ctx.add(at, "Next is allowed only on a top-level Choice rule, not inside And, Or or Not")
        elif field == "Condition" or field == "Output":
            ctx.add(at, f"{field} is a JSONata field; this Choice state uses JSONPath")
        elif field in COMPARISONS or field in _LOGICAL or field == "Variable":
            ctx.add(at, f"{field} is a JSONPath Choice field; with JSONata, write the test as a Condition")
        else:
            ctx.add(at, f"The field '{field}' is not supported in a Choice rule{suggest(str(field), allowed)}")
    if top:
        if "Next" not in rule:
            ctx.add(path, "A top-level Choice rule needs Next: the state to go to when it matches")
        elif not isinstance(rule["Next"], str):
            ctx.add(pointer(path, "Next"), f"Next must be a state name (a string), not {kind(rule['Next'])}")
        if "Assign" in rule:
            _check_assign(ctx, pointer(path, "Assign"), rule["Assign"], language)
    if language == JSONATA:
        _check_condition(ctx, path, rule)
        if top and "Output" in rule:
            check_jsonata(ctx, pointer(path, "Output"), rule["Output"])
        return
    _check_comparison(ctx, path, rule, depth)


def _check_condition(ctx: Context, path: str, rule: dict[str, Any]) -> None:
    if "Condition" not in rule:
        ctx.add(path, "A JSONata Choice rule needs a Condition ('{% expression %}')")
        return
    condition = rule["Condition"]
    if isinstance(condition, bool):
        return
    if isinstance(condition, str) and (condition.startswith("{%") or condition.endswith("%}")):
        check_jsonata(ctx, pointer(path, "Condition"), condition)  # reports a broken one
    else:
        message = f"Condition must be a JSONata expression '{{% ... %}}' or a boolean, not {condition!r}"
        ctx.add(pointer(path, "Condition"), message)


def _check_comparison(ctx: Context, path: str, rule: dict[str, Any], depth: int) -> None:
    operators = [field for field in rule if field in COMPARISONS or field in _LOGICAL]
    if not operators:
        ctx.add(
            path,
            "A Choice rule needs exactly one comparison operator (such as StringEquals or "
            "NumericLessThan), or And, Or or Not",
        )
        return
    if len(operators) > 1:
        ctx.add(
            path, f"A Choice rule takes exactly one operator, but this one has {len(operators)}: {', '.join(operators)}"
        )
    operator = operators[0]
    if operator in _LOGICAL:
        if "Variable" in rule:
            ctx.add(pointer(path, "Variable"), f"Variable is not used with {operator}; put it in the nested rules")
        _check_logical(ctx, path, rule, operator, depth)
        return
    if "Variable" not in rule:
        ctx.add(path, f"The comparison {operator} needs a Variable: the path of the value to test")
    else:
        check_path(ctx, path, "Variable", rule["Variable"], reference=True)
    for field in operators:
        if field in COMPARISONS:
            _check_operand(ctx, path, field, rule[field])


def _check_logical(ctx: Context, path: str, rule: dict[str, Any], operator: str, depth: int) -> None:
    operand, at = rule[operator], pointer(path, operator)
    if operator == "Not":
        if isinstance(operand, dict):
            _check_rule(ctx, at, operand, JSONPATH, depth + 1)
        else:
            ctx.add(at, f"Not must hold one Choice rule (an object), not {kind(operand)}")
    elif not isinstance(operand, list) or not operand:
        ctx.add(at, f"{operator} must be a non-empty array of Choice rules")
    else:
        for index, nested in enumerate(operand):
            _check_rule(ctx, pointer(at, index), nested, JSONPATH, depth + 1)


def _check_operand(ctx: Context, rule_path: str, operator: str, operand: Any) -> None:
    expected, path = COMPARISONS[operator], pointer(rule_path, operator)
    if expected == "path":
        check_path(ctx, rule_path, operator, operand, reference=True)
    elif expected == "string" and not isinstance(operand, str):
        ctx.add(path, f"{operator} compares with a string, not {kind(operand)}")
    elif expected == "number" and not is_number(operand):
        ctx.add(path, f"{operator} compares with a number, not {kind(operand)}")
    elif expected == "boolean" and not isinstance(operand, bool):
        ctx.add(path, f"{operator} takes true or false, not {kind(operand)}")
    elif expected == "timestamp" and not is_timestamp(operand):
        ctx.add(path, f"{operator} compares with an RFC3339 timestamp (like 2016-03-14T01:59:00Z), not {operand!r}")


def _check_assign(ctx: Context, path: str, value: Any, language: str) -> None:
    if not isinstance(value, dict):
        ctx.add(path, f"Assign must be an object of variable names to values, not {kind(value)}")
    elif language == JSONPATH:
        check_template(ctx, path, value)
        check_variable_names(ctx, path, value, language)
    else:
        check_jsonata(ctx, path, value)
        check_variable_names(ctx, path, value, language)


def check_variable_names(ctx: Context, path: str, assign: dict[str, Any], language: str) -> None:
    """Every key of an ``Assign`` object names a variable AWS allows (in JSONPath, after
    ``.$`` is removed)."""
    from .variables import variable_name_error

    for key in assign:
        name = key[:-2] if language == JSONPATH and isinstance(key, str) and key.endswith(".$") else key
        error = variable_name_error(name) if isinstance(name, str) else f"{name!r} is not a variable name"
        if error is not None:
            ctx.add(pointer(path, key), f"Assign: {error}")


# ----------------------------------------------------------------------------- Retry / Catch

_RETRIER_FIELDS: Final = (
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
)


def check_retry(ctx: Context, path: str, retriers: Any) -> None:
    """A ``Retry`` array."""
    if not isinstance(retriers, list):
        ctx.add(path, f"Retry must be an array of Retriers, not {kind(retriers)}")
        return
    for index, retrier in enumerate(retriers):
        at = pointer(path, index)
        if not isinstance(retrier, dict):
            ctx.add(at, f"A Retrier must be an object, not {kind(retrier)}")
            continue
        for field in retrier:
            if field not in _RETRIER_FIELDS:
                ctx.add(
                    pointer(at, field),
                    f"The field '{field}' is not supported in a Retrier{suggest(str(field), _RETRIER_FIELDS)}",
                )
        _check_error_equals(ctx, at, retrier, "Retrier", last=index == len(retriers) - 1)
        if "IntervalSeconds" in retrier:
            check_int(ctx, pointer(at, "IntervalSeconds"), "IntervalSeconds", retrier["IntervalSeconds"], 1)
        if "MaxAttempts" in retrier:
            check_int(ctx, pointer(at, "MaxAttempts"), "MaxAttempts", retrier["MaxAttempts"], 0)
        if "MaxDelaySeconds" in retrier:
            check_int(ctx, pointer(at, "MaxDelaySeconds"), "MaxDelaySeconds", retrier["MaxDelaySeconds"], 1, 31_622_400)
        if "BackoffRate" in retrier:
            rate = retrier["BackoffRate"]
            if not is_number(rate):
                ctx.add(pointer(at, "BackoffRate"), f"BackoffRate must be a number, not {kind(rate)}")
            elif rate < 1.0:
                ctx.add(pointer(at, "BackoffRate"), f"BackoffRate must be at least 1.0; it is {rate}")
        if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ("FULL", "NONE"):
            ctx.add(
                pointer(at, "JitterStrategy"),
                f"JitterStrategy must be 'FULL' or 'NONE', not {retrier['JitterStrategy']!r}",
            )


def check_catch(ctx: Context, path: str, catchers: Any, language: str) -> None:
    """A ``Catch`` array."""
    if not isinstance(catchers, list):
        ctx.add(path, f"Catch must be an array of Catchers, not {kind(catchers)}")
        return
    allowed = ("ErrorEquals", "Next", "Comment", "Assign") + (("ResultPath",) if language == JSONPATH else ("Output",))
    for index, catcher in enumerate(catchers):
        at = pointer(path, index)
        if not isinstance(catcher, dict):
            ctx.add(at, f"A Catcher must be an object, not {kind(catcher)}")
            continue
        for field in catcher:
            if field not in allowed:
                other = "JSONata" if language == JSONPATH else "JSONPath"
                where = (
                    f"a {language} Catcher ({field} is a {other} field)"
                    if field in ("ResultPath", "Output")
                    else "a Catcher"
                )
                ctx.add(
                    pointer(at, field), f"The field '{field}' is not supported in {where}{suggest(str(field), allowed)}"
                )
        _check_error_equals(ctx, at, catcher, "Catcher", last=index == len(catchers) - 1)
        if "Next" not in catcher:
            ctx.add(at, "A Catcher needs Next: the state to go to when it catches an error")
        elif not isinstance(catcher["Next"], str):
            ctx.add(pointer(at, "Next"), f"Next must be a state name (a string), not {kind(catcher['Next'])}")
        if "ResultPath" in catcher and language == JSONPATH:
            check_path(
                ctx,
                at,
                "ResultPath",
                catcher["ResultPath"],
                reference=True,
                nullable=True,
                context=False,
                variables=False,
            )
        if "Assign" in catcher:
            _check_assign(ctx, pointer(at, "Assign"), catcher["Assign"], language)
        if "Output" in catcher and language == JSONATA:
            check_jsonata(ctx, pointer(at, "Output"), catcher["Output"])


def _check_error_equals(ctx: Context, path: str, node: dict[str, Any], what: str, *, last: bool) -> None:
    if "ErrorEquals" not in node:
        ctx.add(path, f"A {what} needs ErrorEquals: a non-empty array of error names")
        return
    errors, at = node["ErrorEquals"], pointer(path, "ErrorEquals")
    if not isinstance(errors, list) or not errors:
        ctx.add(at, "ErrorEquals must be a non-empty array of error names")
        return
    for index, error in enumerate(errors):
        if not isinstance(error, str):
            ctx.add(pointer(at, index), f"An error name must be a string, not {kind(error)}")
        elif error.startswith("States.") and error not in STATES_ERRORS:
            ctx.add(
                pointer(at, index),
                f"{error!r} is not an error Step Functions raises{suggest(error, STATES_ERRORS)}; "
                "names starting with 'States.' are reserved",
            )
    if "States.ALL" in errors:
        if len(errors) > 1:
            ctx.add(at, "States.ALL must appear alone in its ErrorEquals")
        if not last:
            ctx.add(at, f"States.ALL must be in the last {what}, since it matches every error")
