"""Stored history: what a Step keeps of its events."""

from __future__ import annotations

from executions.history import assigned_variables


def test_assigned_variables_are_parsed_back_from_the_events_json_text() -> None:
    details = {"assignedVariables": {"count": "3", "who": '{"name":"ada"}', "odd": "not json"}}
    assert assigned_variables(details) == {"count": 3, "who": {"name": "ada"}, "odd": "not json"}


def test_a_state_that_assigned_nothing_records_none() -> None:
    assert assigned_variables({"output": 1}) is None
    assert assigned_variables({"assignedVariables": {}}) is None
