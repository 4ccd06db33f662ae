"""Requests signed by botocore's own SigV4 signer, for tests that need a raw request."""

from __future__ import annotations

from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(url: str, *, key_id: str, secret: str, body: bytes, target: str, region: str = "us-east-1",
           headers: dict[str, str] | None = None) -> AWSRequest:
    """A POST to ``url`` signed as boto3 would sign it (headers given are signed too)."""
    request = AWSRequest(
        method="POST", url=url, data=body,
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target, **(headers or {})},
    )
    SigV4Auth(Credentials(key_id, secret), "states", region).add_auth(request)
    request.headers["Host"] = urlsplit(url).netloc
    return request
