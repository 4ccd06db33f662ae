"""API tokens: several per person, stored hashed, shown once, revocable by page and API."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from stepflow.access import tokens
from stepflow.access.models import ApiToken

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_person_has_several_named_tokens_that_each_sign_in(bob):
    _, laptop = tokens.create_token(user=bob, name="laptop")
    _, ci = tokens.create_token(user=bob, name="ci")
    assert [t.name for t in tokens.live_tokens(user=bob)] == ["ci", "laptop"]
    assert _client(laptop).get("/api/machines/").status_code == 200
    assert _client(ci).get("/api/machines/").status_code == 200


def test_only_a_hash_of_the_key_is_stored(bob):
    token, key = tokens.create_token(user=bob, name="laptop")
    row = ApiToken.objects.get(pk=token.pk)
    assert key not in {row.prefix, row.key_sha256, row.name}
    assert row.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(f"sf_{row.prefix}_")


def test_a_revoked_token_is_refused_and_the_others_keep_working(bob):
    laptop, laptop_key = tokens.create_token(user=bob, name="laptop")
    _, ci_key = tokens.create_token(user=bob, name="ci")
    tokens.revoke_token(user=bob, token_id=laptop.pk)
    assert _client(laptop_key).get("/api/machines/").status_code == 401
    assert _client(ci_key).get("/api/machines/").status_code == 200


@pytest.mark.parametrize("key", ["sf_", "sf_abc", "sf_abc_", "not-ours", "sf_0011223344_wrong-secret"])
def test_a_malformed_or_wrong_key_is_unauthorized(bob, key):
    tokens.create_token(user=bob, name="laptop")
    response = _client(key).get("/api/machines/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(bob):
    token, key = tokens.create_token(user=bob, name="laptop")
    assert _client(key[:-2] + ("AA" if not key.endswith("AA") else "BB")).get("/api/machines/").status_code == 401


def test_an_inactive_persons_token_is_refused(bob):
    _, key = tokens.create_token(user=bob, name="laptop")
    bob.is_active = False
    bob.save()
    assert _client(key).get("/api/machines/").status_code == 401


def test_two_live_tokens_cannot_share_a_name_but_a_revoked_name_is_free_again(bob):
    first, _ = tokens.create_token(user=bob, name="laptop")
    with pytest.raises(tokens.InvalidTokenName):
        tokens.create_token(user=bob, name="laptop")
    tokens.revoke_token(user=bob, token_id=first.pk)
    assert tokens.create_token(user=bob, name="laptop")[0].name == "laptop"


def test_the_api_creates_shows_the_key_once_lists_and_revokes(bob_api):
    created = bob_api.post("/api/tokens/", {"name": "ci"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith(f"sf_{body['prefix']}_")
    listed = bob_api.get("/api/tokens/").json()
    assert "ci" in [t["name"] for t in listed] and all("key" not in t for t in listed)
    assert bob_api.delete(f"/api/tokens/{body['id']}/").status_code == 204
    assert _client(body["key"]).get("/api/machines/").status_code == 401


def test_the_api_refuses_a_nameless_token_and_someone_elses_token(bob_api, alice):
    theirs, _ = tokens.create_token(user=alice, name="alice-laptop")
    nameless = bob_api.post("/api/tokens/", {"name": ""}, format="json")
    assert nameless.status_code == 400 and nameless.json()["error"]["problems"][0]["path"] == "/name"
    other = bob_api.delete(f"/api/tokens/{theirs.pk}/")
    assert other.status_code == 404 and other.json()["error"]["code"] == "token_not_found"
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_the_token_page_shows_a_new_key_once_then_only_its_prefix(bob, client):
    client.force_login(bob)
    made = client.post("/account/tokens/", {"name": "laptop"})
    assert made.status_code == 200
    key = made.context["key"]
    assert key in made.content.decode()
    again = client.get("/account/tokens/")
    assert key not in again.content.decode() and "laptop" in again.content.decode()


def test_the_token_page_revokes_a_token(bob, client):
    token, key = tokens.create_token(user=bob, name="laptop")
    client.force_login(bob)
    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200 and "Revoked" in response.content.decode()
    assert _client(key).get("/api/machines/").status_code == 401


def test_the_token_page_needs_a_sign_in_and_its_forms_need_the_csrf_token(bob):
    from django.test import Client

    assert Client().get("/account/tokens/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    assert strict.post("/account/tokens/", {"name": "laptop"}).status_code == 403
    assert tokens.live_tokens(user=bob) == []


def test_create_token_prints_a_key_that_signs_in(bob, capsys):
    call_command("create_token", "bob", "--name", "script")
    key = capsys.readouterr().out.strip()
    assert _client(key).get("/api/machines/").status_code == 200


def test_an_admin_revokes_someones_token_in_the_admin(amir, bob):
    from django.test import Client

    from stepflow.access.models import AuditAction, AuditRecord

    token, key = tokens.create_token(user=bob, name="laptop")
    client = Client()
    client.force_login(amir)
    client.post("/admin/access/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert _client(key).get("/api/machines/").status_code == 401
    record = AuditRecord.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (record.actor_name, record.detail) == ("amir", {"owner": "bob"})
