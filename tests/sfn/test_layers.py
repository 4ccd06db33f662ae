"""The Step Functions API sits on top: nothing below it imports it."""

from __future__ import annotations

from tests.test_architecture import _imports


def test_the_apps_below_and_the_interpreter_never_import_the_step_functions_api():
    below = [*_imports("workflows"), *_imports("executions"), *_imports("access"), *_imports("stepflow/asl")]
    assert [(where, name) for where, name in below if name.startswith("stepflow.sfn")] == []
