"""Parsing a validated definition into the frozen dataclasses of ``model``.

``parse_machine(definition)`` compiles paths, templates, Choice rules and JSONata
expressions once; the interpreter never re-reads the raw definition.

Path fields use three encodings, because ASL gives ``null`` its own meaning:
the field absent is the root path ``$``; ``null`` is ``None`` (InputPath/OutputPath: ``{}``,
ResultPath: discard the result); anything else is a compiled ``Path``.

A state's query language is its own ``QueryLanguage``, else the top level's (branches and
processors have none of their own). A JSONata state gets its evaluated fields compiled into
``State.exprs``; its JSONPath fields keep their defaults.
"""

from __future__ import annotations

import re
from typing import Any

from .jsonata_templates import compile_state_fields, compile_value
from .model import (
    NO_RESULT,
    ROOT,
    Catcher,
    ChoiceBranch,
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    Retrier,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from .paths import Path, compile_path, compile_reference_path
from .templates import Template, compile_template
from .variables import compile_assign

__all__ = ["parse_machine"]

# A string that may read a workflow variable: "$name" (not "$.", "$[" or "$$").
_VARIABLE_REFERENCE = re.compile(r"\$[^\W\d]")


def parse_machine(definition: dict[str, Any], query_language: str = "JSONPath") -> StateMachine:
    """Build a ``StateMachine`` from a definition that passed validation.

    ``query_language`` is the language of an enclosing machine: branches and processors
    have no ``QueryLanguage`` of their own and use the top level's."""
    query_language = definition.get("QueryLanguage", query_language)
    states = {name: _parse_state(name, spec, query_language) for name, spec in definition["States"].items()}
    return StateMachine(
        start_at=definition["StartAt"],
        states=states,
        timeout_seconds=definition.get("TimeoutSeconds"),
        comment=definition.get("Comment"),
        query_language=query_language,
    )


def _path(spec: dict[str, Any], key: str, *, reference: bool = False) -> Path | None:
    if key not in spec:
        return ROOT
    value = spec[key]
    if value is None:
        return None
    return compile_reference_path(value) if reference else compile_path(value)


def _optional_path(spec: dict[str, Any], key: str) -> Path | None:
    value = spec.get(key)
    return compile_path(value) if isinstance(value, str) else None


def _template(spec: dict[str, Any], key: str) -> Template | None:
    return compile_template(spec[key]) if key in spec else None


def _retriers(spec: dict[str, Any]) -> tuple[Retrier, ...]:
    return tuple(
        Retrier(
            error_equals=tuple(r["ErrorEquals"]),
            interval_seconds=r.get("IntervalSeconds", 1),
            max_attempts=r.get("MaxAttempts", 3),
            backoff_rate=r.get("BackoffRate", 2.0),
            max_delay_seconds=r.get("MaxDelaySeconds"),
            jitter_strategy=r.get("JitterStrategy", "NONE"),
        )
        for r in spec.get("Retry", ())
    )


def _catchers(spec: dict[str, Any], jsonata: bool) -> tuple[Catcher, ...]:
    return tuple(
        Catcher(
            error_equals=tuple(c["ErrorEquals"]),
            next=c["Next"],
            result_path=ROOT if jsonata else _path(c, "ResultPath", reference=True),
            assign=compile_assign(c.get("Assign"), jsonata=jsonata),
            output=compile_value(c["Output"], "Output") if jsonata and "Output" in c else None,
        )
        for c in spec.get("Catch", ())
    )


def _common(name: str, spec: dict[str, Any], jsonata: bool) -> dict[str, Any]:
    own = "" if jsonata else _own_text(spec)  # JSONata states read neither "$$" nor "$name" paths
    return {
        "name": name,
        "type": spec["Type"],
        "next": spec.get("Next"),
        "end": bool(spec.get("End", False)),
        "comment": spec.get("Comment"),
        "input_path": _path(spec, "InputPath"),
        "output_path": _path(spec, "OutputPath"),
        "needs_context": "$$" in own,
        "reads_variables": _VARIABLE_REFERENCE.search(own) is not None,
        "jsonata": jsonata,
        "assign": compile_assign(spec.get("Assign"), jsonata=jsonata),
        "exprs": compile_state_fields(spec) if jsonata else {},
        "raw": spec,
    }


def _parse_state(name: str, spec: dict[str, Any], machine_language: str = "JSONPath") -> State:
    kind = spec["Type"]
    jsonata = spec.get("QueryLanguage", machine_language) == "JSONata"
    common = _common(name, spec, jsonata)
    if jsonata:
        return _parse_jsonata_state(kind, spec, common, machine_language)
    if kind == "Pass":
        return PassState(
            **common,
            result=spec.get("Result", NO_RESULT),
            parameters=_template(spec, "Parameters"),
            result_path=_path(spec, "ResultPath", reference=True),
        )
    if kind == "Task":
        return TaskState(
            **common,
            resource=spec["Resource"],
            parameters=_template(spec, "Parameters"),
            result_selector=_template(spec, "ResultSelector"),
            result_path=_path(spec, "ResultPath", reference=True),
            timeout_seconds=spec.get("TimeoutSeconds"),
            timeout_seconds_path=_optional_path(spec, "TimeoutSecondsPath"),
            heartbeat_seconds=spec.get("HeartbeatSeconds"),
            heartbeat_seconds_path=_optional_path(spec, "HeartbeatSecondsPath"),
            retry=_retriers(spec),
            catch=_catchers(spec, False),
        )
    if kind == "Choice":
        from .choice import compile_rule

        return ChoiceState(
            **common,
            choices=tuple(
                ChoiceBranch(compile_rule(rule), rule["Next"], compile_assign(rule.get("Assign"), jsonata=False))
                for rule in spec.get("Choices", ())
            ),
            default=spec.get("Default"),
        )
    if kind == "Wait":
        return WaitState(
            **common,
            seconds=spec.get("Seconds"),
            timestamp=spec.get("Timestamp"),
            seconds_path=_optional_path(spec, "SecondsPath"),
            timestamp_path=_optional_path(spec, "TimestampPath"),
        )
    if kind == "Succeed":
        return SucceedState(**common)
    if kind == "Fail":
        return FailState(
            **common,
            error=spec.get("Error"),
            cause=spec.get("Cause"),
            error_path=_dynamic(spec.get("ErrorPath")),
            cause_path=_dynamic(spec.get("CausePath")),
        )
    if kind == "Parallel":
        return ParallelState(
            **common,
            branches=tuple(parse_machine(branch, machine_language) for branch in spec["Branches"]),
            parameters=_template(spec, "Parameters"),
            result_selector=_template(spec, "ResultSelector"),
            result_path=_path(spec, "ResultPath", reference=True),
            retry=_retriers(spec),
            catch=_catchers(spec, False),
        )
    if kind == "Map":
        processor = spec.get("ItemProcessor") or spec["Iterator"]
        selector = spec.get("ItemSelector", spec.get("Parameters"))
        return MapState(
            **common,
            processor=parse_machine(processor, machine_language),
            items_path=_path(spec, "ItemsPath"),
            item_selector=compile_template(selector) if selector is not None else None,
            result_selector=_template(spec, "ResultSelector"),
            result_path=_path(spec, "ResultPath", reference=True),
            max_concurrency=spec.get("MaxConcurrency", 0),
            max_concurrency_path=_optional_path(spec, "MaxConcurrencyPath"),
            tolerated_failure_count=spec.get("ToleratedFailureCount"),
            tolerated_failure_count_path=_optional_path(spec, "ToleratedFailureCountPath"),
            tolerated_failure_percentage=spec.get("ToleratedFailurePercentage"),
            tolerated_failure_percentage_path=_optional_path(spec, "ToleratedFailurePercentagePath"),
            label=spec.get("Label"),
            mode=(processor.get("ProcessorConfig") or {}).get("Mode", "INLINE"),
            retry=_retriers(spec),
            catch=_catchers(spec, False),
        )
    raise ValueError(f"unknown state type {kind!r}")  # unreachable after validation


def _parse_jsonata_state(kind: str, spec: dict[str, Any], common: dict[str, Any], language: str) -> State:
    """A JSONata state: its evaluated fields are in ``common["exprs"]``; this adds what
    is structural (Resource, Choices, Branches, the processor, Retry and Catch)."""
    if kind == "Pass":
        return PassState(**common)
    if kind == "Task":
        return TaskState(**common, resource=spec["Resource"], retry=_retriers(spec), catch=_catchers(spec, True))
    if kind == "Choice":
        return ChoiceState(
            **common,
            choices=tuple(
                ChoiceBranch(
                    compile_value(rule["Condition"], "Condition"),
                    rule["Next"],
                    compile_assign(rule.get("Assign"), jsonata=True),
                    compile_value(rule["Output"], "Output") if "Output" in rule else None,
                )
                for rule in spec.get("Choices", ())
            ),
            default=spec.get("Default"),
        )
    if kind == "Wait":
        return WaitState(**common)
    if kind == "Succeed":
        return SucceedState(**common)
    if kind == "Fail":
        return FailState(**common)
    if kind == "Parallel":
        return ParallelState(
            **common,
            branches=tuple(parse_machine(branch, language) for branch in spec["Branches"]),
            retry=_retriers(spec),
            catch=_catchers(spec, True),
        )
    if kind == "Map":
        processor = spec.get("ItemProcessor") or spec["Iterator"]
        return MapState(
            **common,
            processor=parse_machine(processor, language),
            items_path=ROOT,
            label=spec.get("Label"),
            mode=(processor.get("ProcessorConfig") or {}).get("Mode", "INLINE"),
            retry=_retriers(spec),
            catch=_catchers(spec, True),
        )
    raise ValueError(f"unknown state type {kind!r}")  # unreachable after validation


def _own_text(spec: dict[str, Any]) -> str:
    """The state's own fields as JSON text (its branches and processor aside), searched
    once for ``$$`` (the state reads the context object) and ``$name`` (it may read a
    variable; a literal that merely looks like one costs only a needless lookup), so the
    interpreter builds those only for states that read them."""
    # repr() is C all the way down and keeps "$$" and "$name" as they are: enough to search.
    return repr({k: v for k, v in spec.items() if k not in ("Branches", "ItemProcessor", "Iterator")})


def _dynamic(spec: str | None) -> Any:
    """ErrorPath/CausePath: a Path or an intrinsic call, compiled."""
    if spec is None:
        return None
    if spec.startswith("$"):
        return compile_path(spec)
    from .intrinsics import compile_intrinsic

    return compile_intrinsic(spec)
