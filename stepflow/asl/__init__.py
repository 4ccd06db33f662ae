"""stepflow.asl: the Amazon States Language in pure Python: parse, validate, interpret.

Public surface (other parts of stepflow and external checks call exactly these):

* ``validate(definition) -> list[Problem]``: every problem at once; never raises.
* ``compile(definition) -> Machine``: validate and compile; raises ``DefinitionError``.
* ``start`` / ``step`` / ``resume`` / ``join``: the step-wise interpreter, returning
  decisions as values (``Next``, ``Invoke``, ``WaitUntil``, ``Fork``, ``Succeeded``,
  ``Failed``) over a JSON-serialisable cursor.
* ``run(definition, input, *, invoke=None, clock=None) -> Result``: the same machinery,
  driven synchronously; ``run_inline(machine, fork, ...)`` drives one effect-free Fork's
  children the same way (``Fork.inline``).

Both query languages run on the same machinery: JSONPath (paths, payload templates,
intrinsic functions) and JSONata (``{% %}`` expressions, ``$states``, AWS's extra
functions), chosen by ``QueryLanguage`` per machine or per state; workflow variables
(``Assign``) work in both and travel in the cursor.

This package imports nothing of Django. The JSONata engine is imported only when a
JSONata expression is compiled.
"""

from .decisions import (
    Cursor,
    Decision,
    Event,
    Failed,
    Fork,
    Invoke,
    Next,
    Succeeded,
    WaitUntil,
)
from .errors import (
    ASLError,
    DefinitionError,
    ErrorName,
    Problem,
    StatesError,
    TaskFailed,
)
from .interpreter import join, resume, start, step
from .machine import Machine, compile
from .runner import InlineRun, Result, SystemClock, VirtualClock, run, run_inline
from .validate import validate

__all__ = [
    "ASLError",
    "Cursor",
    "Decision",
    "DefinitionError",
    "ErrorName",
    "Event",
    "Failed",
    "Fork",
    "InlineRun",
    "Invoke",
    "Machine",
    "Next",
    "Problem",
    "Result",
    "StatesError",
    "Succeeded",
    "SystemClock",
    "TaskFailed",
    "VirtualClock",
    "WaitUntil",
    "compile",
    "join",
    "resume",
    "run",
    "run_inline",
    "start",
    "step",
    "validate",
]
