"""The JSON 1.0 protocol's edges: authentication, roles, throttling, malformed requests."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

from stepflow.sfn import services
from stepflow.sfn.models import AccessKey
from tests.sfn.conftest import client_for, definition
from tests.sfn.signing import signed

pytestmark = pytest.mark.django_db(transaction=True)


def _code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def test_an_unsigned_request_is_refused_in_awss_error_shape(endpoint):
    response = requests.post(endpoint, data=b"{}", headers={"X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert response.json() == {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"}
    assert requests.get(endpoint).json()["__type"] == "UnknownOperationException"


def test_a_wrong_secret_a_revoked_key_or_another_region_is_refused(endpoint, alice):
    with pytest.raises(ClientError) as caught:
        client_for(endpoint, alice, secret="not-the-secret").list_state_machines()
    assert _code(caught) == "InvalidSignatureException"
    with pytest.raises(ClientError) as caught:
        client_for(endpoint, alice, region="eu-west-1").list_state_machines()
    assert _code(caught) == "InvalidSignatureException"
    revoked = client_for(endpoint, alice)
    revoked.list_state_machines()
    services.revoke_access_keys(keys=AccessKey.objects.all())
    with pytest.raises(ClientError) as caught:
        revoked.list_state_machines()
    assert _code(caught) == "UnrecognizedClientException"


def test_an_unknown_action_or_a_body_that_is_not_json_is_refused(endpoint, alice):
    key = services.issue_access_key(user=alice)

    def post(target: str, body: bytes) -> requests.Response:
        request = signed(endpoint, key_id=key.access_key_id, secret=key.secret, body=body, target=target)
        return requests.post(endpoint, data=body, headers=dict(request.headers))

    assert post("AWSStepFunctions.ListStateMachines", b"{}").status_code == 200
    assert post("AWSStepFunctions.CreateActivity", b"{}").json()["__type"] == "UnknownOperationException"
    assert post("AWSStepFunctions.ListStateMachines", b"[1, 2").json()["__type"] == "SerializationException"


def test_each_role_may_do_what_the_rest_api_lets_it_do(alice_sfn, olivia_sfn, bob_sfn, charlie_sfn, create):
    arn = create("api/long_wait", "waiter")
    with pytest.raises(ClientError) as caught:
        charlie_sfn.list_state_machines()
    assert _code(caught) == "AccessDeniedException"
    assert [m["name"] for m in bob_sfn.list_state_machines()["stateMachines"]] == ["waiter"]
    with pytest.raises(ClientError) as caught:
        bob_sfn.start_execution(stateMachineArn=arn)
    assert _code(caught) == "AccessDeniedException"
    run = olivia_sfn.start_execution(stateMachineArn=arn)["executionArn"]
    olivia_sfn.stop_execution(executionArn=run)
    with pytest.raises(ClientError) as caught:
        olivia_sfn.create_state_machine(name="mine", definition=definition("api/hello"), roleArn="r")
    assert _code(caught) == "AccessDeniedException"
    with pytest.raises(ClientError) as caught:
        olivia_sfn.delete_state_machine(stateMachineArn=arn)
    assert _code(caught) == "AccessDeniedException"
    alice_sfn.delete_state_machine(stateMachineArn=arn)


def test_a_key_past_its_rate_is_throttled_and_others_are_not(endpoint, alice, bob, sfn_settings):
    sfn_settings.STEPFLOW_SFN_THROTTLE_RATE = "3/minute"
    busy, calm = client_for(endpoint, alice), client_for(endpoint, bob)
    for _ in range(3):
        busy.list_state_machines()
    with pytest.raises(ClientError) as caught:
        busy.list_state_machines()
    assert _code(caught) == "ThrottlingException"
    assert calm.list_state_machines()["stateMachines"] == []
