"""The parsed form of a definition: frozen dataclasses named as the specification names them.

``parse_machine(definition)`` turns a (validated) definition dict into a ``StateMachine``
whose paths, templates and Choice rules are compiled once. Values stay plain Python; the
interpreter never re-reads the raw definition.

Path fields use three encodings, because ASL gives ``null`` its own meaning:
the field absent is the root path ``$``; ``null`` is ``None`` (InputPath/OutputPath: ``{}``,
ResultPath: discard the result); anything else is a compiled ``Path``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .paths import Path, compile_path, compile_reference_path
from .templates import Template, compile_template

__all__ = [
    "Catcher",
    "ChoiceBranch",
    "ChoiceState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "Retrier",
    "State",
    "StateMachine",
    "SucceedState",
    "TaskState",
    "WaitState",
    "ROOT",
    "parse_machine",
]

ROOT: Path = compile_path("$")
_NO_RESULT = object()


@dataclass(frozen=True, slots=True)
class Retrier:
    """One entry of ``Retry``."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    """One entry of ``Catch``."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Path | None = ROOT


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """What every state has. ``next`` is ``None`` for a terminal state."""

    name: str
    type: str
    next: str | None = None
    end: bool = False
    comment: str | None = None
    input_path: Path | None = ROOT
    output_path: Path | None = ROOT
    needs_context: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    entered_event: str = field(init=False, repr=False, compare=False)
    exited_event: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # History event names, spelled once: the interpreter emits two per transition.
        object.__setattr__(self, "entered_event", f"{self.type}StateEntered")
        object.__setattr__(self, "exited_event", f"{self.type}StateExited")


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    result: Any = _NO_RESULT
    parameters: Template | None = None
    result_path: Path | None = ROOT

    @property
    def has_result(self) -> bool:
        return self.result is not _NO_RESULT


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(State):
    resource: str
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: Path | None = ROOT
    timeout_seconds: float | None = None
    timeout_seconds_path: Path | None = None
    heartbeat_seconds: float | None = None
    heartbeat_seconds_path: Path | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True)
class ChoiceBranch:
    """A top-level Choice rule with its ``Next``; ``rule`` has ``matches(scope)``."""

    rule: Any
    next: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(State):
    choices: tuple[ChoiceBranch, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(State):
    seconds: int | None = None
    timestamp: str | None = None
    seconds_path: Path | None = None
    timestamp_path: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    error: str | None = None
    cause: str | None = None
    error_path: Any = None
    cause_path: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(State):
    branches: tuple[StateMachine, ...] = ()
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: Path | None = ROOT
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(State):
    processor: StateMachine
    items_path: Path | None = ROOT
    item_selector: Template | None = None
    result_selector: Template | None = None
    result_path: Path | None = ROOT
    max_concurrency: int = 0
    max_concurrency_path: Path | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_count_path: Path | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_percentage_path: Path | None = None
    label: str | None = None
    mode: str = "INLINE"
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True)
class StateMachine:
    """A top-level machine, a Parallel branch, or a Map ItemProcessor."""

    start_at: str
    states: dict[str, State]
    timeout_seconds: float | None = None
    comment: str | None = None
    query_language: str = "JSONPath"


def parse_machine(definition: dict[str, Any]) -> StateMachine:
    """Build a ``StateMachine`` from a definition that passed validation."""
    query_language = definition.get("QueryLanguage", "JSONPath")
    states = {name: _parse_state(name, spec) for name, spec in definition["States"].items()}
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


def _catchers(spec: dict[str, Any]) -> tuple[Catcher, ...]:
    return tuple(
        Catcher(error_equals=tuple(c["ErrorEquals"]), next=c["Next"], result_path=_path(c, "ResultPath", reference=True))
        for c in spec.get("Catch", ())
    )


def _common(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "type": spec["Type"],
        "next": spec.get("Next"),
        "end": bool(spec.get("End", False)),
        "comment": spec.get("Comment"),
        "input_path": _path(spec, "InputPath"),
        "output_path": _path(spec, "OutputPath"),
        "needs_context": _reads_context(spec),
        "raw": spec,
    }


def _parse_state(name: str, spec: dict[str, Any]) -> State:
    kind = spec["Type"]
    common = _common(name, spec)
    if kind == "Pass":
        return PassState(
            **common,
            result=spec.get("Result", _NO_RESULT),
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
            catch=_catchers(spec),
        )
    if kind == "Choice":
        from .choice import compile_rule

        return ChoiceState(
            **common,
            choices=tuple(ChoiceBranch(compile_rule(rule), rule["Next"]) for rule in spec.get("Choices", ())),
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
            branches=tuple(parse_machine(branch) for branch in spec["Branches"]),
            parameters=_template(spec, "Parameters"),
            result_selector=_template(spec, "ResultSelector"),
            result_path=_path(spec, "ResultPath", reference=True),
            retry=_retriers(spec),
            catch=_catchers(spec),
        )
    if kind == "Map":
        processor = spec.get("ItemProcessor") or spec["Iterator"]
        selector = spec.get("ItemSelector", spec.get("Parameters"))
        return MapState(
            **common,
            processor=parse_machine(processor),
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
            catch=_catchers(spec),
        )
    raise ValueError(f"unknown state type {kind!r}")  # unreachable after validation


def _reads_context(spec: dict[str, Any]) -> bool:
    """Whether the state's own fields mention ``$$`` (its branches and processor aside), so
    the interpreter builds the context object only for states that read it."""
    own = {k: v for k, v in spec.items() if k not in ("Branches", "ItemProcessor", "Iterator")}
    return "$$" in json.dumps(own)


def _dynamic(spec: str | None) -> Any:
    """ErrorPath/CausePath: a Path or an intrinsic call, compiled."""
    if spec is None:
        return None
    if spec.startswith("$"):
        return compile_path(spec)
    from .intrinsics import compile_intrinsic

    return compile_intrinsic(spec)
