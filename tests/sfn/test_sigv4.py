"""SigV4 verification against requests signed by botocore's own signer (no server)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import pytest

from stepflow.sfn import sigv4
from stepflow.sfn.errors import IncompleteSignature, InvalidSignature, MissingAuthenticationToken, UnrecognizedClient
from tests.sfn.signing import signed

URL = "http://127.0.0.1:8000/aws/?a=1&b=two%20words"
SECRETS = {"AKSFTESTTESTTESTTEST": "the-secret"}


def _verify(request, *, body=None, now=None, headers=None, region="us-east-1"):
    parts = urlsplit(request.url)
    sent = {name.lower(): value for name, value in request.headers.items()}
    sent.update(headers or {})
    return sigv4.verify(
        method=request.method, path=unquote(parts.path), query=parts.query, headers=sent,
        body=request.body if body is None else body, secret_of=SECRETS.get, region=region, service="states",
        now=now or datetime.now(timezone.utc), max_skew=timedelta(minutes=5),
    )


def _request(secret="the-secret", key_id="AKSFTESTTESTTESTTEST", **extra):
    return signed(URL, key_id=key_id, secret=secret, body=b'{"name": "x"}', target="AWSStepFunctions.ListStateMachines", **extra)


def test_a_request_botocore_signed_verifies():
    credential = _verify(_request())
    assert credential.access_key_id == "AKSFTESTTESTTESTTEST"
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(credential.signed_headers)


def test_a_changed_body_or_another_secret_does_not_verify():
    with pytest.raises(InvalidSignature):
        _verify(_request(), body=b'{"name": "y"}')
    with pytest.raises(InvalidSignature):
        _verify(_request(secret="another-secret"))


def test_a_changed_signed_header_does_not_verify():
    with pytest.raises(InvalidSignature):
        _verify(_request(), headers={"x-amz-target": "AWSStepFunctions.DeleteStateMachine"})


def test_a_request_older_than_the_allowed_skew_is_refused():
    request = _request()
    _verify(request, now=datetime.now(timezone.utc) + timedelta(minutes=4))
    with pytest.raises(InvalidSignature, match="Signature expired"):
        _verify(request, now=datetime.now(timezone.utc) + timedelta(minutes=6))


def test_a_payload_hash_header_must_match_the_body():
    claimed = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(InvalidSignature, match="x-amz-content-sha256"):
        _verify(_request(headers={"X-Amz-Content-SHA256": claimed}))
    honest = hashlib.sha256(b'{"name": "x"}').hexdigest()
    _verify(_request(headers={"X-Amz-Content-SHA256": honest}))


def test_host_and_date_must_be_signed():
    request = _request()
    header = request.headers["Authorization"]
    unsigned_host = header.replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;")
    with pytest.raises(InvalidSignature, match="host"):
        _verify(request, headers={"authorization": unsigned_host})


def test_the_scope_must_name_this_region_and_service():
    with pytest.raises(InvalidSignature, match="region"):
        _verify(_request(region="eu-west-1"))


def test_an_unknown_key_or_a_missing_or_malformed_header_is_refused():
    with pytest.raises(UnrecognizedClient):
        _verify(_request(key_id="AKSFNOBODYNOBODYNOBO"))
    with pytest.raises(MissingAuthenticationToken):
        _verify(_request(), headers={"authorization": ""})
    with pytest.raises(IncompleteSignature):
        _verify(_request(), headers={"authorization": "AWS4-HMAC-SHA256 Credential=x"})
