"""stepflow.asl against what AWS Step Functions itself recorded: the conformance corpus.

One test per corpus case, named after it. Required: every case, JSONPath (issue 2) and
JSONata or variables (issue 8) alike; in a Lambda call's response envelope the HTTP
metadata (request ids, dates) is matched by a placeholder, the rest compared. Invalid
definitions must be rejected and valid ones accepted, bar the asl-validator fixtures in ``KNOWN_DIVERGENCES`` (strict
xfails, each with its reason). Recorded histories must match event for event, bar the
cases in ``HISTORY_DIVERGENCES`` (strict xfails too, grouped by reason).

Run only these with ``pytest -m conformance``. Without the corpus every test here skips,
except under CI (``CI`` set), where its absence fails
``test_the_corpus_is_present_under_ci``.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest

from stepflow import asl

from .conformance import (
    ABSENT,
    HISTORY_DIVERGENCES,
    KNOWN_DIVERGENCES,
    LambdaFakes,
    corpus_present,
    definition_fixtures,
    executable_cases,
    history_mismatch,
    mismatches,
)

pytestmark = pytest.mark.conformance

# Stands in for the cases when the corpus is absent: skipped then (a failure under CI, see
# test_the_corpus_is_present_under_ci), never otherwise.
MISSING_CORPUS = pytest.param(None, id="corpus-absent", marks=pytest.mark.skipif(not corpus_present(), reason=ABSENT))


def case_params(cases: list[dict[str, Any]], *, histories: bool = False) -> list[Any]:
    """One param per case: required ones plain; histories that differ from AWS's for a
    known reason are strict xfails."""
    if not corpus_present():
        return [MISSING_CORPUS]
    params = []
    for case in cases:
        marks = []
        if histories and case["name"] in HISTORY_DIVERGENCES:
            marks.append(pytest.mark.xfail(strict=True, reason=HISTORY_DIVERGENCES[case["name"]]))
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def fixture_params(folder: str) -> list[Any]:
    if not corpus_present():
        return [MISSING_CORPUS]
    return [
        pytest.param(
            f,
            id=f["name"],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DIVERGENCES[f["name"]])] if f["name"] in KNOWN_DIVERGENCES else [],
        )
        for f in definition_fixtures(folder)
    ]


CASES = executable_cases()


def express_context(*, synchronous: bool) -> dict[str, Any]:
    """The identity the service gives an EXPRESS execution (its ARN says ``express``).
    One started with StartSyncExecution has no ``RedriveCount`` in its context object."""
    name = str(uuid.uuid4())
    machine = "arn:aws:states:us-east-1:111111111111:stateMachine:conformance"
    execution: dict[str, Any] = {
        "Id": f"arn:aws:states:us-east-1:111111111111:express:conformance:{name}:{uuid.uuid4()}",
        "Name": name,
    }
    if synchronous:
        execution["RedriveCount"] = None  # None: left out of the context object
    return {"Execution": execution, "StateMachine": {"Id": machine, "Name": "conformance"}}


def run_case(case: dict[str, Any]) -> asl.Result:
    """Run a case as AWS did: its input, its Lambda fakes, on a clock that never sleeps."""
    clock = asl.VirtualClock()
    invoke = LambdaFakes(case.get("tasks"), clock)
    # run()'s default identity is a STANDARD execution's; an EXPRESS one is the caller's to give.
    extra = {}
    if case.get("state_machine_type") == "EXPRESS":
        # The recording says how the execution was started: StartSyncExecution or not.
        synchronous = "start_execution_sync_response" in case.get("snapshot_keys", ())
        extra = {"context": express_context(synchronous=synchronous)}
    try:
        return asl.run(case["definition"], case["input"], invoke=invoke, clock=clock, **extra)
    except asl.DefinitionError as error:
        pytest.fail(f"stepflow rejected a definition AWS ran: {error.problems[:5]}")


@pytest.mark.parametrize("case", case_params(CASES))
def test_it_matches_what_aws_recorded(case: dict[str, Any]) -> None:
    result = run_case(case)
    problems = mismatches(case, result)
    assert not problems, "\n".join(
        [f"{case['name']} differs from AWS's recording:", *problems[:20]]
        + [f"(got status={result.status}, error={result.error!r}, cause={str(result.cause)[:300]!r})"]
    )


@pytest.mark.parametrize(
    "case", case_params([c for c in CASES if c.get("expected_history")], histories=True)
)
def test_its_history_matches_what_aws_recorded(case: dict[str, Any]) -> None:
    """The sequence of event types (and entered state names) AWS recorded; the known
    differences are listed, with their reasons, in ``HISTORY_DIVERGENCES``."""
    result = run_case(case)
    mismatch = history_mismatch(case, result)
    assert mismatch is None, f"{case['name']}: history {mismatch}"


@pytest.mark.parametrize("fixture", fixture_params("invalid"))
def test_conformance_invalid_definitions_are_rejected(fixture: dict[str, Any]) -> None:
    machine_type = fixture.get("state_machine_type") or "STANDARD"
    problems = asl.validate(fixture["definition"], state_machine_type=machine_type)
    assert problems, (
        f"{fixture['name']} was accepted, but {fixture['authority']} rejects it: "
        f"{fixture.get('expected_error_contains') or fixture.get('expected_error_hint')}"
    )


@pytest.mark.parametrize("fixture", fixture_params("valid"))
def test_conformance_valid_definitions_are_accepted(fixture: dict[str, Any]) -> None:
    problems = asl.validate(fixture["definition"])
    assert problems == [], f"{fixture['name']} was rejected: {problems}"


def test_the_corpus_is_present_under_ci() -> None:
    if not os.environ.get("CI"):
        if not corpus_present():
            pytest.skip(ABSENT)
        return
    assert corpus_present(), f"CI is set but {ABSENT}"


def test_validate_accepts_every_definition_aws_ran() -> None:
    """The corpus's executable definitions are valid by construction: AWS ran them."""
    if not corpus_present():
        pytest.skip(ABSENT)
    rejected = {
        case["name"]: [p.as_dict() for p in problems[:2]] for case in CASES if (problems := asl.validate(case["definition"]))
    }
    assert not rejected, json.dumps(rejected, indent=1)[:4000]
