"""stepflow.asl.validate never raises: generated and mangled definitions, as objects, JSON
text or bytes, always give a list of problems (and ``compile`` agrees with it)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stepflow import asl

from .fuzz import FUZZ, deep_values, definitions, json_values, mutated, odd_text


def assert_problems(definition: Any) -> list[asl.Problem]:
    problems = asl.validate(definition)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, asl.Problem)
        assert isinstance(problem.path, str) and isinstance(problem.message, str) and problem.message
        assert problem.path == "" or problem.path.startswith("/")
    return problems


def as_text(definition: Any) -> str | None:
    try:
        return json.dumps(definition, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


@FUZZ
@given(definition=definitions() | mutated(definitions()))
def test_it_reports_problems_for_any_definition_in_every_form(definition: Any) -> None:
    problems = assert_problems(definition)
    text = as_text(definition) if isinstance(definition, dict) else None
    if text is not None:
        assert assert_problems(text) == problems
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, reported as such
            assert assert_problems(text.encode("utf-8", "surrogatepass"))
        else:
            assert assert_problems(raw) == problems
    try:
        asl.compile(definition)
    except asl.DefinitionError as exc:
        assert exc.problems == problems and problems
    else:
        assert problems == []


@FUZZ
@given(value=json_values() | deep_values(3000) | odd_text, where=st.sampled_from(["Result", "Parameters", "States", "Branches", "whole"]))
def test_it_reports_deep_or_foreign_values_anywhere(value: Any, where: str) -> None:
    state: dict[str, Any] = {"Type": "Pass", "End": True}
    if where == "whole":
        definition = value
    elif where == "States":
        definition = {"StartAt": "A", "States": value}
    elif where == "Branches":
        definition = {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": value, "End": True}}}
    else:
        definition = {"StartAt": "A", "States": {"A": {**state, where: value}}}
    assert_problems(definition)
    text = as_text(definition)
    if text is not None:
        assert_problems(text)


@FUZZ
@given(text=odd_text | st.binary(max_size=64).map(lambda raw: raw.decode("latin-1")), prefix=st.sampled_from(['{"StartAt": "A", "States": ', "[", "{", ""]))
def test_it_reports_text_that_is_not_a_definition(text: str, prefix: str) -> None:
    assert_problems(prefix + text)
    assert_problems((prefix + text).encode("utf-8", "surrogatepass"))
