"""Issuing and revoking access keys: the management command and the admin."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command

from stepflow.sfn.models import AccessKey, LambdaMapping
from stepflow.sfn.sealing import unseal
from tests.sfn.conftest import client_for

pytestmark = pytest.mark.django_db


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("sfn_access_key", *args, stdout=out)
    return out.getvalue()


def test_the_command_issues_a_key_shown_once_and_stored_encrypted(alice):
    printed = _command("create", "alice", "--description", "CI")
    key_id = printed.split("aws_access_key_id = ")[1].split()[0]
    secret = printed.split("aws_secret_access_key = ")[1].split()[0]
    key = AccessKey.objects.get(access_key_id=key_id)
    assert (key.user, key.description) == (alice, "CI")
    assert secret not in key.sealed_secret
    assert unseal(key.sealed_secret) == secret
    assert secret not in _command("list", "alice")


def test_the_command_revokes_a_key_and_refuses_unknown_names(alice):
    key_id = _command("create", "alice").split("aws_access_key_id = ")[1].split()[0]
    assert "Revoked" in _command("revoke", key_id)
    assert AccessKey.objects.get(access_key_id=key_id).revoked_at is not None
    assert "already revoked" in _command("revoke", key_id)
    with pytest.raises(CommandError):
        _command("create", "nobody")
    with pytest.raises(CommandError):
        _command("revoke", "AKSFNOTAKEYNOTAKEYNO")


def test_the_admin_shows_a_new_secret_once_and_revokes_keys(client, amir, bob):
    client.force_login(amir)
    page = client.post("/admin/sfn/accesskey/add/", {"user": bob.pk, "description": "laptop"})
    key = AccessKey.objects.get(user=bob)
    secret = unseal(key.sealed_secret)
    assert page.status_code == 200 and secret in page.content.decode()
    assert secret not in client.get(f"/admin/sfn/accesskey/{key.pk}/change/").content.decode()
    client.post("/admin/sfn/accesskey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_revoked_key_stops_working_at_once(endpoint, alice):
    sfn = client_for(endpoint, alice)
    sfn.list_state_machines()
    _command("revoke", AccessKey.objects.get(user=alice).access_key_id)
    with pytest.raises(ClientError) as caught:
        sfn.list_state_machines()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_the_admin_refuses_a_mapping_that_names_no_fn_function(client, amir):
    client.force_login(amir)
    form = {"function_name": "Checker", "qualifier": "", "region": "", "account": "", "target": "Checker", "description": ""}
    page = client.post("/admin/sfn/lambdamapping/add/", form)
    assert "Name an Fn function" in page.content.decode()
    client.post("/admin/sfn/lambdamapping/add/", {**form, "target": "fn:stocks/checker"})
    assert [m.target for m in LambdaMapping.objects.all()] == ["fn:stocks/checker"]
