"""What happens when a state fails: ``EvaluationFailed``, Retry, Catch, or the end of the
frame.

``handle_error(run, exc)`` is called by the lifecycle (``interpreter``) with the failure,
already worded (``runtime_error``). In order:

1. a JSONata evaluation failure (``States.QueryEvaluationError`` with a ``location``) is
   recorded as an ``EvaluationFailed`` event, as AWS records it;
2. the first Retrier whose ``ErrorEquals`` matches and has attempts left schedules a retry
   (``WaitUntil`` the back-off, then the state's work again);
3. else the first matching Catcher moves on to its ``Next``: the state's output is the
   error output placed by ``ResultPath`` (JSONPath) or the Catcher's ``Output``, by
   default ``$states.errorOutput`` (JSONata), and the Catcher's ``Assign`` sets variables;
4. else the frame fails with the error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from . import interpreter as lifecycle
from . import variables
from .decisions import Decision, WaitUntil
from .errors import ErrorName, StatesError
from .model import Catcher, Retrier
from .paths import PathNoMatch, Scope, set_at

if TYPE_CHECKING:
    from .interpreter import _Run

__all__ = ["error_matches", "handle_error", "report_evaluation_failure", "retry_delay"]

_TERMINAL = frozenset({ErrorName.RUNTIME, ErrorName.DATA_LIMIT_EXCEEDED})


def error_matches(names: Sequence[str], error: str | None) -> bool:
    """Whether a Retrier's or Catcher's ErrorEquals matches ``error``.

    ``States.ALL`` matches every error, and ``States.TaskFailed`` every error but
    ``States.Timeout``. ``States.Runtime`` and ``States.DataLimitExceeded`` are terminal:
    AWS neither retries nor catches them, even when named (the corpus records a Catch on
    ``States.Runtime`` that does not fire).
    """
    if error in _TERMINAL:
        return False
    for name in names:
        if name == error or name == ErrorName.ALL or (name == ErrorName.TASK_FAILED and error != ErrorName.TIMEOUT):
            return True
    return False


LONGEST_DELAY_SECONDS: Final = 31_622_400  # MaxDelaySeconds' own ceiling, 366 days


def retry_delay(retrier: Retrier, attempt: int, seed: str) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0).

    ``IntervalSeconds * BackoffRate ** attempt``, capped by ``MaxDelaySeconds``; with
    ``JitterStrategy: FULL`` a uniform draw in ``[0, delay]``, seeded so a replay after a
    crash waits the same.
    """
    try:
        delay = retrier.interval_seconds * retrier.backoff_rate**attempt
    except OverflowError:  # BackoffRate 1e300 on the second retry: "forever"
        delay = math.inf
    # No wait is longer than MaxDelaySeconds can be (a year): an unbounded one would not
    # fit a timestamp, and no execution outlives it.
    delay = min(delay, retrier.max_delay_seconds if retrier.max_delay_seconds is not None else LONGEST_DELAY_SECONDS)
    if retrier.jitter_strategy == "FULL":
        delay = random.Random(seed).uniform(0, delay)
    return delay


def report_evaluation_failure(run: _Run, exc: StatesError) -> StatesError:
    """Record a JSONata evaluation failure as ``EvaluationFailed`` (once); returns the
    failure without its ``location``, so that it is not recorded twice."""
    if exc.location is None or exc.error != ErrorName.QUERY_EVALUATION_ERROR:
        return exc
    details = {"error": exc.error, "cause": exc.cause, "state": run.state.name}
    if exc.location:
        details["location"] = exc.location
    run.emit("EvaluationFailed", details)
    return StatesError(exc.error, exc.cause)


def handle_error(run: _Run, exc: StatesError) -> Decision:
    """Retry, Catch, or fail the frame (see the module docstring)."""
    exc = report_evaluation_failure(run, exc)
    state = run.state
    cursor = run.cursor
    error = exc.error
    retriers: tuple[Retrier, ...] = getattr(state, "retry", ())
    counts = run.retries
    for index, retrier in enumerate(retriers):
        if not error_matches(retrier.error_equals, error):
            continue
        done = counts[index] if counts else 0
        if done >= retrier.max_attempts:
            break
        seed = f"{cursor['ctx'].get('Execution', {}).get('Id', '')}:{cursor['frame']}:{state.name}:{run.attempt}"
        wake_at = run.now + timedelta(seconds=retry_delay(retrier, done, seed))
        new_counts = list(counts or [0] * len(retriers))
        new_counts[index] = done + 1
        run.retries = new_counts
        run.attempt += 1
        return WaitUntil(run.suspend(lifecycle.RETRY, wake_at=wake_at.isoformat()), wake_at, tuple(run.events))
    catchers: tuple[Catcher, ...] = getattr(state, "catch", ())
    for catcher in catchers:
        if error_matches(catcher.error_equals, error):
            try:
                output, assigned = _caught(run, catcher, exc.as_output())
                return lifecycle.transition(run, output, catcher.next, None, assigned)
            except StatesError as inner:
                inner = report_evaluation_failure(run, run.runtime_error(inner))
                return lifecycle.fail_frame(run, inner.error, inner.cause)
    return lifecycle.fail_frame(run, error, exc.cause)


def _caught(run: _Run, catcher: Catcher, error_output: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """The output and the variables a matching Catcher gives."""
    raw = run.cursor["input"]
    if run.state.jsonata:
        from .states_jsonata import bindings_for

        bindings = bindings_for(run, error_output=error_output)
        assigned = catcher.assign.evaluate(bindings) if catcher.assign is not None else None
        output = catcher.output.evaluate(bindings) if catcher.output is not None else error_output
        return output, assigned
    assigned = None
    if catcher.assign is not None:
        # A JSONPath Catcher's Assign reads the error output, as its ResultPath places it.
        assigned = catcher.assign.evaluate(Scope(error_output, run.context(), variables.visible(run.cursor)))
    return _place_error(raw, error_output, catcher.result_path), assigned


def _place_error(raw: Any, error_output: dict[str, Any], result_path: Any) -> Any:
    """A Catcher's ResultPath places the error output into the state's raw input."""
    if result_path is None:
        return raw
    if result_path.is_root:
        return error_output
    try:
        return set_at(raw, result_path, error_output)
    except PathNoMatch as missing:
        raise StatesError(ErrorName.RUNTIME, f"Invalid path '{result_path.text}' : {missing.jayway_message}") from None
