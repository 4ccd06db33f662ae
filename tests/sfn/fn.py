"""The Task functions of the Step Functions API tests: tests/support/fn.py's, plus a
callback function that keeps the task tokens it is given (the server runs in this
process, so a test reads them here)."""

from __future__ import annotations

from typing import Any

from executions.fn import FunctionTable, TaskCall
from tests.support.fn import FUNCTIONS

tokens: list[str] = []


def notify(payload: Any, call: TaskCall) -> Any:
    """Stands for a function that hands its token to someone who answers later."""
    tokens.append(str(call.task_token))
    return None


def client() -> FunctionTable:
    return FunctionTable({**FUNCTIONS, "notify.waitForTaskToken": notify})
