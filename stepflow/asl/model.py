"""The parsed form of a definition: frozen dataclasses named as the specification names them.

``parse_machine(definition)`` (in ``parse``, re-exported here) turns a validated definition
dict into a ``StateMachine`` whose paths, templates, Choice rules and JSONata expressions are
compiled once. Values stay plain Python; the interpreter never re-reads the raw definition.

Path fields use three encodings, because ASL gives ``null`` its own meaning:
the field absent is the root path ``$``; ``null`` is ``None`` (InputPath/OutputPath: ``{}``,
ResultPath: discard the result); anything else is a compiled ``Path``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .paths import Path, compile_path
from .templates import Template

__all__ = [
    "NO_RESULT",
    "ROOT",
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
    "parse_machine",
]

ROOT: Path = compile_path("$")
NO_RESULT = object()  # PassState.result when the state has no Result


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
    """One entry of ``Catch``. ``assign`` is its compiled ``Assign``; ``output`` its JSONata
    ``Output`` (a ``ValueTemplate``)."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Path | None = ROOT
    assign: Any = None
    output: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """What every state has. ``next`` is ``None`` for a terminal state.

    ``jsonata`` is true when the state uses the JSONata query language; its evaluated
    fields (Arguments, Output, Items, Seconds, ...) are then compiled in ``exprs``, by ASL
    field name, and its JSONPath fields keep their defaults. ``assign`` is the compiled
    ``Assign`` (``variables.Assign``). ``scoped`` tells the interpreter that the state's
    paths read the context object or variables, so that only those states pay for them.
    """

    name: str
    type: str
    next: str | None = None
    end: bool = False
    comment: str | None = None
    input_path: Path | None = ROOT
    output_path: Path | None = ROOT
    needs_context: bool = False
    reads_variables: bool = False
    jsonata: bool = False
    assign: Any = None
    exprs: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    entered_event: str = field(init=False, repr=False, compare=False)
    exited_event: str = field(init=False, repr=False, compare=False)
    scoped: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # History event names, spelled once: the interpreter emits two per transition.
        object.__setattr__(self, "entered_event", f"{self.type}StateEntered")
        object.__setattr__(self, "exited_event", f"{self.type}StateExited")
        object.__setattr__(self, "scoped", self.needs_context or self.reads_variables)


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    result: Any = NO_RESULT
    parameters: Template | None = None
    result_path: Path | None = ROOT

    @property
    def has_result(self) -> bool:
        return self.result is not NO_RESULT


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
    """A top-level Choice rule with its ``Next``. In a JSONPath state ``rule`` has
    ``matches(scope)``; in a JSONata one it is the ``Condition`` (a ``ValueTemplate``).
    ``assign`` and ``output`` (JSONata only) apply when the rule matches."""

    rule: Any
    next: str
    assign: Any = None
    output: Any = None


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


def parse_machine(definition: dict[str, Any], query_language: str = "JSONPath") -> StateMachine:
    """Build a ``StateMachine`` from a definition that passed validation (see ``parse``)."""
    from .parse import parse_machine as parse

    return parse(definition, query_language)
