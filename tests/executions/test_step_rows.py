"""Steps rendered for live viewers and pages without keeping them alive."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from executions.models import Step
from executions.serializers import StepOutput, step_rows

pytestmark = pytest.mark.django_db


def test_step_rows_render_what_the_api_renders_and_hold_nothing(make_machine: Any, start: Any) -> None:
    run = start(make_machine("states", "pass"), {"big": "x" * 1000})
    steps = list(Step.objects.filter(execution__uuid=run["id"]).select_related("frame", "execution").order_by("sequence"))
    assert steps

    assert step_rows(steps) == StepOutput(steps, many=True).data

    # Rendering must leave no reference cycle behind: a worker renders a Map's steps many
    # thousands of times, and a cycle (a serializer made per call) keeps each step, and the
    # execution with its input, until a rare full collection.
    gc.collect()
    gc.disable()
    try:
        fresh = Step.objects.select_related("execution").get(pk=steps[0].pk)
        execution = weakref.ref(fresh.execution)
        step_rows([fresh])
        del fresh
        assert execution() is None
    finally:
        gc.enable()
