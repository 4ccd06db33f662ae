"""A compiled definition: what ``compile`` returns and every interpreter call takes."""

from __future__ import annotations

from typing import Any

from .errors import DefinitionError, Problem
from .model import MapState, ParallelState, State, StateMachine
from .parse import parse_machine

__all__ = ["Machine", "compile"]


class Machine:
    """A validated, compiled state machine. Immutable and safe to share between runs.

    ``root`` is the top-level ``StateMachine``; ``frame(path)`` resolves the Parallel
    branch or Map ItemProcessor that a cursor's ``frame`` names.
    """

    __slots__ = ("_effect_free", "_frames", "definition", "max_map_items", "root", "timeout_seconds")

    def __init__(self, definition: dict[str, Any], root: StateMachine, *, max_map_items: int | None = None) -> None:
        self.definition = definition
        self.root = root
        self.timeout_seconds = root.timeout_seconds
        # A server's cap on one Map state's items (None: only the payload size limits them).
        self.max_map_items = max_map_items
        self._frames: dict[tuple[tuple[str, int], ...], StateMachine] = {}
        self._effect_free: dict[int, bool] = {}

    def frame(self, frame: list[list[Any]]) -> StateMachine:
        """The state machine that runs in ``frame`` (``[]`` is the top level)."""
        if not frame:
            return self.root
        key = tuple(map(tuple, frame))
        found = self._frames.get(key)
        if found is None:
            found = self.root
            for name, index in frame:
                state = found.states[name]
                if isinstance(state, ParallelState):
                    found = state.branches[index]
                elif isinstance(state, MapState):
                    found = state.processor
                else:
                    raise KeyError(f"frame step {name!r} is not a Parallel or Map state")
            if len(self._frames) >= 10_000:  # Map iterations make many keys; stay bounded
                self._frames.clear()
            self._frames[key] = found
        return found

    def effect_free(self, state: State) -> bool:
        """True when the children of this Parallel or Map state can have no effect outside
        the run: every state they may reach is a Pass, Choice, Succeed or Fail, or a
        Parallel or inline Map made only of those (``Fork.inline``)."""
        known = self._effect_free.get(id(state))  # the machine keeps its states alive
        if known is None:
            known = self._effect_free[id(state)] = _effect_free(state)
        return known


_PURE_TYPES = frozenset({"Pass", "Choice", "Succeed", "Fail"})


def _effect_free(state: State) -> bool:
    if isinstance(state, ParallelState):
        machines: tuple[StateMachine, ...] = state.branches
    elif isinstance(state, MapState) and state.mode == "INLINE":
        machines = (state.processor,)
    else:
        return False
    return all(
        inner.type in _PURE_TYPES or _effect_free(inner) for machine in machines for inner in machine.states.values()
    )


def compile(definition: dict[str, Any] | str | bytes | Machine, *, max_map_items: int | None = None) -> Machine:
    """Validate and compile a definition. Raises ``DefinitionError`` listing every problem.

    ``max_map_items`` caps the items one Map state takes: a Map given more fails with
    ``States.Runtime`` before any iteration is made.
    """
    if isinstance(definition, Machine):
        return definition
    from .validate import load_and_validate

    document, problems = load_and_validate(definition)
    if problems:
        raise DefinitionError(problems)
    if not isinstance(document, dict):
        raise DefinitionError([Problem("", "a definition must be a JSON object")])
    return Machine(document, parse_machine(document), max_map_items=max_map_items)
