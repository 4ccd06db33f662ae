"""Validate an Amazon States Language definition, reporting every problem at once.

Contract::

    validate(definition, *, state_machine_type="STANDARD") -> list[Problem]

``definition`` is a dict or JSON text (``str`` or UTF-8 ``bytes``). The result lists
each problem with a JSON pointer into the definition (``/States/Check/Choices/0/Next``;
``""`` for the whole document) and a message that says what to fix, ordered by path.
An empty list means AWS Step Functions would accept the definition.

``validate`` never raises for any definition: text that is not JSON, JSON that is not an
object, duplicate keys, huge or deeply nested input are all reported as problems. It
raises ``ValueError`` only for a ``state_machine_type`` other than STANDARD or EXPRESS,
which is a caller's bug, not a property of the definition.

This module checks the document and each state machine (top level, Parallel branches,
Map processors): required fields, transitions, reachability, terminal states and state
names. Field rules per state type live in :mod:`stepflow.asl.validate_states`.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any, Final

from .errors import Problem
from .validate_states import check_state
from .validate_values import QUERY_LANGUAGES, Context, check_int, kind, pointer, suggest

__all__ = ["MAX_DEFINITION_BYTES", "validate"]

MAX_DEFINITION_BYTES: Final = 1_048_576  # AWS's hard quota on a definition's size
_MAX_MACHINE_DEPTH: Final = 40  # Parallel/Map nesting; deeper is a mistake, and would exhaust the stack
_MAX_STATE_NAME: Final = 80

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_TOP_FIELDS: Final = frozenset({"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"})
_BRANCH_FIELDS: Final = frozenset({"Comment", "StartAt", "States"})
_PROCESSOR_FIELDS: Final = _BRANCH_FIELDS | {"ProcessorConfig"}


def validate(definition: dict[str, Any] | str | bytes, *, state_machine_type: str = "STANDARD") -> list[Problem]:
    """Every reason AWS would reject ``definition``, ordered by path; ``[]`` if valid."""
    return load_and_validate(definition, state_machine_type=state_machine_type)[1]


def load_and_validate(
    definition: dict[str, Any] | str | bytes, *, state_machine_type: str = "STANDARD"
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The definition as a dict (``None`` when it is not one) and its problems: JSON text
    is parsed once, for both validation and compilation."""
    if state_machine_type not in ("STANDARD", "EXPRESS"):
        raise ValueError(f"state_machine_type must be 'STANDARD' or 'EXPRESS', not {state_machine_type!r}")
    ctx = Context(express=state_machine_type == "EXPRESS")
    document = None
    try:
        document = _load(ctx, definition)
        if document is not None:
            _check_document(ctx, document)
    except RecursionError:
        # Only absurd nesting gets here (the walkers are iterative or depth-capped).
        ctx.add("", "The definition is nested too deeply to validate")
    problems = {_printable(problem) for problem in ctx.problems}
    return document, sorted(problems, key=lambda problem: (problem.path, problem.message))


def _printable(problem: Problem) -> Problem:
    """``problem`` with any lone surrogate (from the definition's keys) written as ``\\udXXX``,
    so the problem itself can be sent and stored as UTF-8."""
    if _SURROGATE.search(problem.path) or _SURROGATE.search(problem.message):
        return Problem(_escaped(problem.path), _escaped(problem.message))
    return problem


def _escaped(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# ----------------------------------------------------------------------------- loading


class _Duplicates(dict):  # type: ignore[type-arg]
    """A JSON object whose text repeated some keys (the last value wins, as in ``json``)."""

    duplicates: tuple[str, ...] = ()


def _load(ctx: Context, definition: Any) -> dict[str, Any] | None:
    """The definition as a dict, or ``None`` after reporting why there is none."""
    if isinstance(definition, (bytes, bytearray, memoryview)):
        raw = bytes(definition)
        if len(raw) > MAX_DEFINITION_BYTES:
            ctx.add("", f"The definition is {len(raw):,} bytes; AWS accepts at most {MAX_DEFINITION_BYTES:,}")
        try:
            definition = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            ctx.add("", f"The definition is not UTF-8 text: {exc.reason} at byte {exc.start}")
            return None
    elif isinstance(definition, str) and len(definition) > MAX_DEFINITION_BYTES // 4:  # else it cannot be too big
        size = len(definition.encode("utf-8", "replace"))
        if size > MAX_DEFINITION_BYTES:
            ctx.add("", f"The definition is {size:,} bytes; AWS accepts at most {MAX_DEFINITION_BYTES:,}")
    if isinstance(definition, str):
        return _parse(ctx, definition)
    if not isinstance(definition, dict):
        ctx.add("", f"Definition must be a valid JSON object, not {kind(definition)}")
        return None
    try:
        text = json.dumps(definition, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:  # sets, NaN, cycles: nothing AWS could be sent
        ctx.add("", f"The definition is not JSON data: {exc}")
        return None
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        _report_surrogates(ctx, definition)
        size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DEFINITION_BYTES:
        ctx.add("", f"The definition is {size:,} bytes as JSON; AWS accepts at most {MAX_DEFINITION_BYTES:,}")
    return definition


def _parse(ctx: Context, text: str) -> dict[str, Any] | None:
    if not text.strip():
        ctx.add("", "Definition must be a valid JSON object; the text is empty")
        return None
    repeated: list[_Duplicates] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        seen: set[str] = set()
        flagged = _Duplicates(obj)
        flagged.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
        repeated.append(flagged)
        return flagged

    def reject_constant(name: str) -> float:
        ctx.add("", f"{name} is not a JSON number; write it as a string or null")
        return 0.0

    try:
        document = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        detail = exc.msg.removesuffix(" at")  # "Invalid control character at"
        if detail == "Expecting value":  # name the offending token, as AWS's parser does
            token = text[exc.pos : exc.pos + 40].split(None, 1)
            detail = f"Unrecognized token {token[0][:20]!r}" if token else "Unexpected end of text"
        ctx.add("", f"The definition is not valid JSON: {detail} at line {exc.lineno}, column {exc.colno}")
        return None
    if not isinstance(document, dict):
        ctx.add("", f"Definition must be a valid JSON object, not {kind(document)}")
        return None
    if repeated:
        _report_duplicates(ctx, document)
    if _SURROGATE.search(text) or _ESCAPED_SURROGATE.search(text):
        _report_surrogates(ctx, document)
    return document


def _report_surrogates(ctx: Context, document: Any) -> None:
    """A definition is UTF-8 text (AWS's and ours: it is stored as text), and UTF-8 cannot
    carry a lone UTF-16 surrogate, raw in a Python string or escaped (``\\ud800``) in JSON."""
    stack: list[tuple[str, Any]] = [("", document)]
    found = 0
    while stack and found < 10:
        path, node = stack.pop()
        if isinstance(node, str) and _SURROGATE.search(node):
            ctx.add(path, "The text holds a lone UTF-16 surrogate, which is not Unicode text; remove it or pair it")
            found += 1
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    ctx.add(pointer(path, key), "This key holds a lone UTF-16 surrogate, which is not Unicode text")
                    found += 1
                stack.append((pointer(path, key), value))
        elif isinstance(node, list):
            stack.extend((pointer(path, index), value) for index, value in enumerate(node))


def _report_duplicates(ctx: Context, document: dict[str, Any]) -> None:
    """AWS rejects a key given twice in one object, so say where each repeat is."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Duplicates):
            for key in node.duplicates:
                ctx.add(pointer(path, key), f"The key '{key}' appears more than once in this object; keep one")
        if isinstance(node, dict):
            stack.extend((pointer(path, k), v) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((pointer(path, i), v) for i, v in enumerate(node) if isinstance(v, (dict, list)))


# ----------------------------------------------------------------------------- machines


def _check_document(ctx: Context, document: dict[str, Any]) -> None:
    language = document.get("QueryLanguage", "JSONPath")
    if language not in QUERY_LANGUAGES:
        ctx.add("/QueryLanguage", f"QueryLanguage must be 'JSONPath' or 'JSONata', not {language!r}")
    else:
        ctx.query_language = language
    if "Version" in document and document["Version"] != "1.0":
        ctx.add("/Version", f'Version must be "1.0", not {document["Version"]!r}')
    if "TimeoutSeconds" in document:
        check_int(ctx, "/TimeoutSeconds", "TimeoutSeconds", document["TimeoutSeconds"], 1)
    _check_machine(ctx, "", document, _TOP_FIELDS, "a state machine", depth=0)
    _word_dangling(ctx)


def _check_machine(ctx: Context, path: str, machine: Any, fields: frozenset[str], where: str, depth: int) -> None:
    """One state machine: its fields, its states (recursing into nested machines),
    its transitions, reachability and terminal states."""
    if not isinstance(machine, dict):
        ctx.add(path, f"A state machine must be an object with StartAt and States, not {kind(machine)}")
        return
    if depth > _MAX_MACHINE_DEPTH:
        ctx.add(path, f"Parallel and Map states are nested more than {_MAX_MACHINE_DEPTH} levels deep")
        return
    for field in machine:
        if field not in fields:
            hint = suggest(str(field), fields)
            ctx.add(pointer(path, field), f"The field '{field}' is not supported in {where}{hint}")
    missing = [field for field in ("States", "StartAt") if field not in machine]
    if missing:
        ctx.add(path, f"These fields are required: [{', '.join(missing)}]")
    if "Comment" in machine and not isinstance(machine["Comment"], str):
        ctx.add(pointer(path, "Comment"), f"Comment must be a string, not {kind(machine['Comment'])}")
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        ctx.add(pointer(path, "States"), "States must be a non-empty object of state names to states")
    states = states if isinstance(states, dict) else {}
    start = machine.get("StartAt")
    if "StartAt" in machine:
        if not isinstance(start, str):
            ctx.add(pointer(path, "StartAt"), f"StartAt must be a state name (a string), not {kind(start)}")
        elif states and start not in states:
            ctx.add(
                pointer(path, "StartAt"),
                f"StartAt names '{start}', which is not a state in this States object{suggest(start, states)}",
            )
    for name, state in states.items():
        state_path = pointer(path, "States", name)
        if not isinstance(name, str):  # only possible for a dict built in Python
            ctx.add(state_path, f"A state name must be a string, not {kind(name)}")
            continue
        _check_name(ctx, state_path, name)
        check_state(ctx, state_path, state)
        if isinstance(state, dict):
            _check_children(ctx, state_path, state, depth)
    _check_graph(ctx, path, states, start if isinstance(start, str) else None)


def _check_name(ctx: Context, path: str, name: str) -> None:
    if not name:
        ctx.add(path, "A state name cannot be empty")
    elif len(name) > _MAX_STATE_NAME:
        ctx.add(path, f"State name '{name[:20]}...' is {len(name)} characters long; the limit is {_MAX_STATE_NAME}")
    first = ctx.names.setdefault(name, path)
    if first != path:
        ctx.add(
            path,
            f"State name '{name}' is already used at {first}; names must be unique across the whole "
            "state machine, including Parallel branches and Map processors",
        )


def _check_children(ctx: Context, path: str, state: dict[str, Any], depth: int) -> None:
    """Recurse into a Parallel's branches and a Map's processor."""
    if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
        for index, branch in enumerate(state["Branches"]):
            _check_machine(ctx, pointer(path, "Branches", index), branch, _BRANCH_FIELDS, "a branch", depth + 1)
    elif state.get("Type") == "Map":
        for field in ("ItemProcessor", "Iterator"):
            if field not in state:
                continue
            processor, outer = state[field], ctx.child_execution
            config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
            ctx.child_execution = outer or (isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED")
            _check_machine(ctx, pointer(path, field), processor, _PROCESSOR_FIELDS, f"a Map {field}", depth + 1)
            ctx.child_execution = outer


def _transitions(state: Any) -> list[tuple[tuple[object, ...], str]]:
    """(where, target) for every state name ``state`` may go to; ``where`` is the
    pointer's parts below the state, joined only when the target is missing."""
    if not isinstance(state, dict):
        return []
    found: list[tuple[tuple[object, ...], str]] = []
    if isinstance(state.get("Next"), str):
        found.append((("Next",), state["Next"]))
    is_choice = state.get("Type") == "Choice"
    if is_choice and isinstance(state.get("Default"), str):
        found.append((("Default",), state["Default"]))
    field = "Choices" if is_choice else "Catch"
    entries = state.get(field)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("Next"), str):
                found.append(((field, index, "Next"), entry["Next"]))
    return found


def _check_graph(ctx: Context, path: str, states: dict[str, Any], start: str | None) -> None:
    """Dangling targets, unreachable states and the lack of any terminal state."""
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        targets = edges.setdefault(name, [])
        for where, target in _transitions(state):
            if target in states:
                targets.append(target)
            else:
                ctx.dangling.append((pointer(path, "States", name, *where), str(where[-1]), target, tuple(states)))
    if not states:
        return
    if start in states:
        seen = {start}
        queue = deque([start])
        while queue:
            for target in edges[queue.popleft()]:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        for name in states:
            if name not in seen:
                ctx.add(
                    pointer(path, "States", name),
                    f"State '{name}' is not reachable from StartAt '{start}'; "
                    "no Next, Default, Choice rule or Catcher leads to it",
                )
    if not any(_is_terminal(state) for state in states.values()):
        ctx.add(
            pointer(path, "States"),
            'No terminal state: at least one state must be a Succeed or Fail state or have "End": true',
        )


def _is_terminal(state: Any) -> bool:
    return isinstance(state, dict) and (state.get("Type") in ("Succeed", "Fail") or state.get("End") is True)


def _word_dangling(ctx: Context) -> None:
    """Word each missing transition target, now that every state name is known."""
    for at, field, target, local in ctx.dangling:
        message = f"{field} names '{target}', which is not a state in this States object"
        if target in ctx.names:
            message += (
                f"; '{target}' is defined at {ctx.names[target]}, but transitions cannot cross into or "
                "out of a Parallel branch or Map processor"
            )
        else:
            message += suggest(target, local)
        ctx.add(at, message)
