"""The AWS-recorded conformance corpus, as data the tests can iterate over.

The corpus lives beside the repository, at ``<repo>/../shared/conformance`` (its README
gives the case format and the matching rules; ``asl_compare.py`` implements them). It is
read in place, never copied in. ``STEPFLOW_CONFORMANCE_DIR`` points elsewhere.

This module knows three things:

* which cases are **required** (all but those with ``lambda:invoke`` response metadata
  in the expected output, which are **left out**), which use JSONata or variables
  (issue 8; counted apart), and which asl-validator fixtures stepflow deliberately accepts;
* how the corpus's Lambda fakes behave, as an ``invoke`` callable for ``stepflow.asl.run``
  (:class:`LambdaFakes`);
* how to turn a ``Result`` into the corpus's ``expected`` shape and compare the two.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import uuid
from collections import Counter
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from stepflow.asl import TaskFailed

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("STEPFLOW_CONFORMANCE_DIR") or REPO.parent / "shared" / "conformance")

# Features that put a case in issue 8 (JSONata and variables) rather than issue 2.
JSONATA_FEATURES = frozenset({"JSONata", "Variables", "Arguments", "Output", "Items"})
ENVELOPE_METADATA = ("SdkHttpMetadata", "SdkResponseMetadata")

# asl-validator fixtures stepflow deliberately accepts, and why (AWS is the authority).
KNOWN_DIVERGENCES = {
    "asl-validator.json-surround-syntax-extra-spaces": (
        "a JSONata expression spanning lines ('{% \\n10 %}') is rejected by asl-validator's "
        "single-line regex, but AWS accepts multi-line expressions (aws/aws-cdk#35912)"
    ),
}
# Histories are compared event type by event type (and entered state by name). These cases
# differ from what AWS recorded, for the reasons given; each is a strict xfail, so one that
# starts to match must leave this list. Every other recorded history must match.
MAP_RUN = (
    "AWS ran this Map as a map run (distributed, or recorded as one): its history holds "
    "MapRunStarted/MapRunSucceeded and the iterations live in the map run's own history; "
    "stepflow records the iterations inline in the execution's history"
)
RETRIED_FAILURES = (
    "stepflow records a MapStateFailed/ParallelStateFailed for every failed attempt that a "
    "Retrier then retries; AWS records one only when the state finally fails"
)
RETRIED_ITERATIONS = (
    "AWS's recording keeps the iteration events of the Map's last attempt only; stepflow "
    "keeps those of every attempt"
)
NO_MAP_START = (
    "AWS fails the Map before MapStateStarted when a ToleratedFailure*Path resolves to an "
    "invalid value; stepflow records MapStateStarted first"
)
SIBLING_ABORTED = (
    "when one Parallel branch fails, AWS records TaskStateAborted for the Task still "
    "running in a sibling branch; stepflow records a ParallelStateFailed there instead"
)
NESTED_PARALLEL_EXIT = "stepflow records one ParallelStateExited more than AWS in this nested Parallel"
HISTORY_DIVERGENCES = {
    "assign.test_assign_reference_variables.test_reference_in_map_state[MAP_STATE_REFERENCE_IN_ITEM_SELECTOR]": MAP_RUN,
    "assign.test_assign_reference_variables.test_reference_in_map_state[MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH]": MAP_RUN,
    "local_mocking.test_base_scenarios.test_map_state_lambda": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_break_condition": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_break_condition_legacy": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_item_selector": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_item_selector_parameters": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_items_path_from_previous": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_parameters": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_reentrant": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_distributed_reentrant_lambda": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_config_inline_item_selector": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_label": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_legacy_config_distributed": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_legacy_config_distributed_item_selector": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_legacy_config_distributed_parameters": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_nested_config_distributed": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_nested_config_distributed_no_max_max_concurrency": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[0]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[1]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[0]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[1.1]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[100]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[1]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_values[count_literal]": MAP_RUN,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_values[percentage_literal]": MAP_RUN,
    "scenarios.test_base_scenarios.test_parallel_state_nested": NESTED_PARALLEL_EXIT,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[-1]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[NoNumber]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_count_path[tolerated_failure_count_value0]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[-1.1]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[-1]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[100.1]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[NoNumber]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_tolerated_failure_percentage_path[tolerated_failure_percentage_value0]": NO_MAP_START,
    "scenarios.test_base_scenarios.test_map_state_retry": RETRIED_FAILURES,
    "scenarios.test_base_scenarios.test_map_state_retry_legacy": RETRIED_FAILURES,
    "scenarios.test_base_scenarios.test_map_state_retry_multiple_retriers": RETRIED_FAILURES,
    "scenarios.test_base_scenarios.test_parallel_state_retry": RETRIED_FAILURES,
    "states_variables.test_error_output.test_map_catch_error[MAP_CATCH_ERROR_OUTPUT_WITH_RETRY]": RETRIED_ITERATIONS,
    "states_variables.test_error_output.test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT]": SIBLING_ABORTED,
    "states_variables.test_error_output.test_parallel_catch_error[PARALLEL_CATCH_ERROR_OUTPUT_WITH_RETRY]": SIBLING_ABORTED,
    "states_variables.test_error_output.test_parallel_catch_error[PARALLEL_CATCH_ERROR_VARIABLE_SAMPLING]": SIBLING_ABORTED,
}
ABSENT = f"the conformance corpus is not at {CORPUS} (set STEPFLOW_CONFORMANCE_DIR)"


def corpus_present() -> bool:
    return (CORPUS / "index.json").is_file()


@cache
def asl_compare() -> ModuleType:
    """The corpus's own ``asl_compare`` module, imported from the corpus folder."""
    spec = importlib.util.spec_from_file_location("asl_compare", CORPUS / "asl_compare.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def executable_cases() -> list[dict[str, Any]]:
    """Every ``cases/*.json``, in index order (empty when the corpus is absent)."""
    if not corpus_present():
        return []
    index = json.loads((CORPUS / "index.json").read_text())
    return [json.loads((CORPUS / entry["file"]).read_text()) for entry in index]


def definition_fixtures(folder: str) -> list[dict[str, Any]]:
    """Every ``invalid/*.json`` or ``valid/*.json``, sorted by file name."""
    if not corpus_present():
        return []
    return [json.loads(p.read_text()) for p in sorted((CORPUS / folder).glob("*.json"))]


def uses_jsonata_or_variables(case: dict[str, Any]) -> bool:
    return not JSONATA_FEATURES.isdisjoint(case["features"])


# -- the Lambda fakes --------------------------------------------------------------------

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]*):(?P<account>[^:]*):function:"
    r"(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$"
)


def _split_function(reference: str) -> tuple[str, str | None]:
    """A function ARN or bare name (either possibly ``:qualifier``) -> (name, qualifier)."""
    match = FUNCTION_ARN.match(reference)
    if match:
        return match["name"], match["qualifier"]
    name, _, qualifier = reference.partition(":")
    return name, qualifier or None


class LambdaFakes:
    """An ``invoke(resource, payload, context)`` that behaves as the case's ``tasks`` say.

    Two resource shapes reach Lambda: the legacy ``arn:aws:lambda:...:function:NAME``
    (the payload is the event; the result is the function's return value) and the
    ``arn:aws:states:::lambda:invoke`` integration (the payload names the function in
    ``FunctionName`` and carries the event in ``Payload``; the result is wrapped in
    Lambda's response envelope). A ``raise`` function fails with the error AWS recorded;
    an unknown function fails with ``Lambda.ResourceNotFoundException``. A function with
    ``delay_seconds`` takes that long on ``clock``, so the interpreter sees TimeoutSeconds
    run out without anyone sleeping.
    """

    def __init__(self, tasks: dict[str, dict[str, Any]] | None, clock: Any) -> None:
        self.clock = clock
        self.functions: dict[str, dict[str, Any]] = {}
        for arn, spec in (tasks or {}).items():
            self.functions[_split_function(arn)[0]] = spec
            if spec.get("function_name"):
                self.functions[spec["function_name"]] = spec
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, resource: str, payload: Any, context: Any = None) -> Any:
        self.calls.append((resource, payload))
        if resource == LAMBDA_INVOKE or resource.startswith(LAMBDA_INVOKE + "."):
            return self._invoke_integration(payload)
        if FUNCTION_ARN.match(resource):
            name, qualifier = _split_function(resource)
            spec = self._find(name, qualifier)
            try:
                return self._execute(spec, payload)
            except _FunctionError as error:
                # The legacy Task re-serialises the function's error payload with spaces.
                raise TaskFailed(error.error, json.dumps(error.payload)) from None
        raise TaskFailed("States.Runtime", f"the conformance fakes cannot call {resource!r}")

    def _invoke_integration(self, parameters: Any) -> dict[str, Any]:
        if not isinstance(parameters, dict) or not isinstance(parameters.get("FunctionName"), str):
            raise TaskFailed(
                "States.Runtime",
                "The lambda:invoke integration needs a string FunctionName in its parameters.",
            )
        name, qualifier = _split_function(parameters["FunctionName"])
        spec = self._find(name, qualifier)
        event = parameters.get("Payload")
        if event is None:
            event = {}  # Lambda hands a function invoked without a payload an empty object
        elif isinstance(event, str):
            # A string Payload is sent as the request body itself, i.e. as JSON text.
            try:
                event = json.loads(event)
            except ValueError:
                raise TaskFailed(
                    "Lambda.InvalidRequestContentException",
                    "Could not parse request body into json (Service: AWSLambda; Status Code: 400; "
                    f"Error Code: InvalidRequestContentException; Request ID: {uuid.uuid4()}; Proxy: null)",
                ) from None
        try:
            result = self._execute(spec, event)
        except _FunctionError as error:
            # The integration passes Lambda's error payload on as compact JSON.
            raise TaskFailed(error.error, json.dumps(error.payload, separators=(",", ":"))) from None
        return lambda_envelope(result, self.clock.now(), log_tail=parameters.get("LogType") == "Tail")

    def _find(self, name: str, qualifier: str | None) -> dict[str, Any]:
        spec = self.functions.get(name)
        if spec is None:
            arn = f"arn:aws:lambda:us-east-1:111111111111:function:{name}:{qualifier or '$LATEST'}"
            raise TaskFailed(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
                f"ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)",
            )
        return spec

    def _execute(self, spec: dict[str, Any], event: Any) -> Any:
        # A real function gets the event as JSON: never hand back the interpreter's objects.
        event = json.loads(json.dumps(event))
        kind = spec["kind"]
        if kind == "echo":
            if spec.get("delay_seconds"):
                self.clock.sleep(spec["delay_seconds"])
            return event
        if kind == "constant":
            return json.loads(json.dumps(spec["value"]))
        if kind == "python_format":
            return spec["template"].format(event=event)
        if kind == "raise":
            recorded = spec.get("recorded_cause")
            if isinstance(recorded, dict):
                payload = {
                    key: (str(uuid.uuid4()) if key == "requestId" else value)
                    for key, value in recorded.items()
                }
                raise _FunctionError(spec.get("recorded_error") or spec["error"], payload)
            # The recording is of another failure (no such function): raise as the handler would.
            payload = {
                "errorMessage": spec.get("error_message") or "",
                "errorType": spec["error"],
                "requestId": str(uuid.uuid4()),
                "stackTrace": [],
            }
            raise _FunctionError(spec["error"], payload)
        raise AssertionError(f"unknown task kind {kind!r}")


class _FunctionError(Exception):
    def __init__(self, error: str, payload: dict[str, Any]) -> None:
        self.error, self.payload = error, payload


def lambda_envelope(result: Any, now: Any, *, log_tail: bool = False) -> dict[str, Any]:
    """What the ``lambda:invoke`` integration returns for a function result.

    The Python runtime serialises the result with ``json.dumps`` defaults, which is what
    ``Content-Length`` counts; ``log_tail`` (``LogType: Tail``) adds the log's last 4 KB.
    """
    length = str(len(json.dumps(result).encode()))
    request_id = str(uuid.uuid4())
    trace_id = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0;Lineage=1"
    date = format_datetime(now, usegmt=True)
    envelope: dict[str, Any] = {
        "ExecutedVersion": "$LATEST",
        "Payload": result,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "X-Amzn-Trace-Id": [trace_id],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": trace_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
    if log_tail:
        log = base64.b64encode(f"START RequestId: {request_id} Version: $LATEST\n".encode()).decode()
        envelope["LogResult"] = log
        envelope["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] = [log]
        envelope["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] = log
    return envelope


# -- comparing ---------------------------------------------------------------------------

WILDCARD = "<wildcard>"  # an asl_compare placeholder: matches any value or substring
# The snapshots replace the execution's IAM role ARN by these literals. asl_compare lists
# them as fixed replacements but matches them only under a key of the same name, never
# under ``RoleArn``; stepflow has no IAM roles, so any value stands for the role here.
ROLE_ARN_STANDINS = ("snf_role_arn", "sfn_role_arn")


def with_wildcards(expected: Any, wildcards: list[str]) -> Any:
    """``expected`` with each ``expected_wildcards`` literal turned into a placeholder."""
    if not wildcards:
        return expected
    if isinstance(expected, str):
        for literal in wildcards:
            expected = WILDCARD if expected == literal else expected.replace(literal, WILDCARD)
        return expected
    if isinstance(expected, list):
        return [with_wildcards(item, wildcards) for item in expected]
    if isinstance(expected, dict):
        return {key: with_wildcards(value, wildcards) for key, value in expected.items()}
    return expected


def _whole_values_to_wildcard(expected: Any, literals: tuple[str, ...]) -> Any:
    if isinstance(expected, str):
        return WILDCARD if expected in literals else expected
    if isinstance(expected, list):
        return [_whole_values_to_wildcard(item, literals) for item in expected]
    if isinstance(expected, dict):
        return {k: _whole_values_to_wildcard(v, literals) for k, v in expected.items()}
    return expected


def _envelope_metadata_to_wildcard(expected: Any) -> Any:
    """``expected`` with the HTTP metadata of each Lambda call (request ids, dates, trace
    ids: different on every call) turned into placeholders; the rest of the envelope
    (``Payload``, ``StatusCode``, ``ExecutedVersion``) is still compared."""
    if isinstance(expected, list):
        return [_envelope_metadata_to_wildcard(item) for item in expected]
    if isinstance(expected, dict):
        return {
            key: WILDCARD if key in ENVELOPE_METADATA else _envelope_metadata_to_wildcard(value)
            for key, value in expected.items()
        }
    return expected


def mismatches(case: dict[str, Any], result: Any) -> list[str]:
    """How ``result`` differs from what AWS recorded (empty when it matches)."""
    expected = with_wildcards(case["expected"], case.get("expected_wildcards") or [])
    expected = _whole_values_to_wildcard(expected, ROLE_ARN_STANDINS)
    expected = _envelope_metadata_to_wildcard(expected)
    expected = {k: v for k, v in expected.items() if k != "output_raw"}
    output = None
    if result.status == "SUCCEEDED":
        try:
            # As AWS hands it out: JSON text. A value that cannot be JSON is a bug.
            output = json.dumps(result.output)
        except (TypeError, ValueError) as error:
            return [f"output is not JSON-serialisable: {error}"]
    problems: list[str] = asl_compare().compare_result(
        expected, result.status, output=output, error=result.error, cause=result.cause
    )
    if not problems and result.status != "SUCCEEDED":
        # AWS recorded no error (or cause) for this failure: stepflow must not invent one.
        # (AWS leaves empty strings out of its events, so "" counts as none.)
        for field in ("error", "cause"):
            if field not in expected and getattr(result, field) not in (None, ""):
                problems.append(f"{field}: AWS recorded none, got {getattr(result, field)!r}")
    return problems


def history_of(result: Any) -> list[str]:
    """A Result's events in ``expected_history`` notation (``PassStateEntered:Name``)."""
    out = []
    for event in result.events:
        if event.type.endswith("StateEntered"):
            out.append(f"{event.type}:{event.details.get('name')}")
        else:
            out.append(event.type)
    return out


def history_mismatch(case: dict[str, Any], result: Any) -> str | None:
    """None when the event types match; branch and iteration order do not count."""
    expected, actual = case["expected_history"], history_of(result)
    if {"Parallel", "Map"} & set(case["features"]):
        missing = Counter(expected) - Counter(actual)
        extra = Counter(actual) - Counter(expected)
        if not missing and not extra:
            return None
        return f"missing {dict(missing)}, unexpected {dict(extra)}"
    if expected == actual:
        return None
    at = next((i for i, (e, a) in enumerate(zip(expected, actual)) if e != a), min(len(expected), len(actual)))
    return (
        f"first difference at event {at}: expected {expected[at:at + 3]}, got {actual[at:at + 3]}"
        f" ({len(expected)} expected events, {len(actual)} actual)"
    )
