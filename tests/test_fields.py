"""Run data keeps the exact JSON the interpreter produced, key order included, on every database."""

from __future__ import annotations

import pytest

from executions.models import Execution

pytestmark = pytest.mark.django_db


def test_inputs_and_outputs_keep_their_key_order(make_machine, start):
    data = {"zebra": 1, "apple": {"z": [3, {"b": 1, "a": 2}], "a": None}, "mango": "ü"}
    run = start(make_machine("api", "hello"), data)
    execution = Execution.objects.get(uuid=run["id"])
    assert list(execution.input) == ["zebra", "apple", "mango"]
    assert list(execution.input["apple"]) == ["z", "a"]
    assert execution.input == data


def test_a_json_null_output_and_scalars_round_trip(make_machine, start):
    run = start(make_machine("states", "pass"), {"who": None})
    execution = Execution.objects.get(uuid=run["id"])
    assert execution.output == {"who": None, "said": "hello"}
