"""Verifying AWS Signature Version 4 (``AWS4-HMAC-SHA256`` in the Authorization header).

Pure functions over the request's parts, so they are tested apart from Django. The
algorithm is AWS's published one (what botocore's ``SigV4Auth`` signs): a canonical
request of method, path, sorted query, the *signed* headers and the payload's SHA-256; a
string to sign over its hash with the date and scope; an HMAC chain from
``"AWS4" + secret`` through date, region, service and ``aws4_request``.

Written here rather than taken from a package: botocore and its kin sign requests, and
the few verifying packages on the index are young single-author releases; the
verification is small and is checked in the tests against the real boto3 client.

Besides the signature it checks what a replayed or altered request would get wrong:
``host`` and ``x-amz-date`` are signed, the date is within ``max_skew`` of the server's
clock, the credential's scope names that date, the region and the service, and an
``x-amz-content-sha256`` header (when sent) matches the body. Comparisons of secrets run
in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote

from stepflow.sfn.errors import IncompleteSignature, InvalidSignature, MissingAuthenticationToken, UnrecognizedClient

__all__ = ["Credential", "signature", "verify"]

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Credential:
    """The Authorization header's parts."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(header: str | None) -> Credential:
    """The credential in an Authorization header; raises the protocol's auth errors."""
    if not header:
        raise MissingAuthenticationToken("Missing Authentication Token")
    match = _AUTH.match(header.strip())
    if match is None:
        raise IncompleteSignature(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            f"parameters with the {ALGORITHM} algorithm."
        )
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise IncompleteSignature(f"Credential should be <key>/<date>/<region>/<service>/aws4_request, not {match['credential']!r}.")
    signed = tuple(match["signed"].split(";"))
    return Credential(parts[0], parts[1], parts[2], parts[3], signed, match["signature"])


def _canonical_query(query: str) -> str:
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{k}={v}" for k, v in pairs)


def _canonical_path(path: str) -> str:
    # ``path`` arrives decoded. Clients sign the path as sent, URI-encoded once more (AWS
    # double-encodes every service's path but S3's), so encode it twice.
    return quote(quote(path or "/", safe="/~"), safe="/~")


def canonical_request(
    *, method: str, path: str, query: str, headers: Mapping[str, str], signed: tuple[str, ...], payload_hash: str
) -> str:
    """AWS's canonical request; ``headers`` is looked up case-insensitively by the caller."""
    lines = "".join(f"{name}:{_SPACES.sub(' ', headers[name].strip())}\n" for name in signed)
    return "\n".join(
        [method.upper(), _canonical_path(path), _canonical_query(query), lines, ";".join(signed), payload_hash]
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(*, secret: str, credential: Credential, amz_date: str, canonical: str) -> str:
    """The hex signature of ``canonical`` under ``secret`` for the credential's scope."""
    to_sign = "\n".join([ALGORITHM, amz_date, credential.scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + secret).encode("utf-8"), credential.date)
    for part in (credential.region, credential.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_of: Callable[[str], str | None],
    region: str,
    service: str,
    now: datetime,
    max_skew: timedelta,
) -> Credential:
    """The verified credential of a request; raises ``SfnError`` subclasses otherwise.

    ``headers`` maps lower-case names to values. ``secret_of`` returns the secret of an
    active access key id, or None (``UnrecognizedClient``).
    """
    credential = parse_authorization(headers.get("authorization"))
    if credential.service != service:
        raise InvalidSignature(f"Credential should be scoped to correct service: '{service}'.")
    if credential.region != region:
        raise InvalidSignature(f"Credential should be scoped to a valid region, not '{credential.region}'.")
    missing = [name for name in ("host", "x-amz-date") if name not in credential.signed_headers]
    if missing:
        raise InvalidSignature(f"The headers {', '.join(missing)} must be signed.")
    unsent = [name for name in credential.signed_headers if name not in headers]
    if unsent:
        raise InvalidSignature(f"The signed headers {', '.join(unsent)} are not in the request.")
    amz_date = headers["x-amz-date"]
    try:
        sent_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise IncompleteSignature(f"X-Amz-Date must be in the ISO 8601 basic format, not {amz_date!r}.") from None
    if credential.date != amz_date[:8]:
        raise InvalidSignature(f"Date in Credential scope does not match YYYYMMDD from X-Amz-Date: {credential.date}.")
    if abs(now - sent_at) > max_skew:
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        raise InvalidSignature(
            f"Signature expired: {amz_date} is not within {int(max_skew.total_seconds())} seconds of {stamp}."
        )
    payload_hash = hashlib.sha256(body).hexdigest()
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and not hmac.compare_digest(claimed.strip(), payload_hash):
        raise InvalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.")
    secret = secret_of(credential.access_key_id)
    if secret is None:
        raise UnrecognizedClient("The security token included in the request is invalid.")
    canonical = canonical_request(
        method=method, path=path, query=query, headers=headers, signed=credential.signed_headers,
        payload_hash=payload_hash,
    )
    expected = signature(secret=secret, credential=credential, amz_date=amz_date, canonical=canonical)
    if not hmac.compare_digest(expected, credential.signature):
        raise InvalidSignature(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    return credential
