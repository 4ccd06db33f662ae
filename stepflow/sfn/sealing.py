"""Access key secrets, encrypted at rest.

SigV4 verification recomputes an HMAC whose key derives from the secret itself, so the
server must be able to read the secret back: a one-way hash (as API tokens use) cannot
check a signature. The secret is therefore stored *encrypted* (Fernet: AES-128-CBC with an
HMAC-SHA256 tag, from the ``cryptography`` package) under a key derived from Django's
``SECRET_KEY``. A copy of the database or a backup alone does not reveal any secret.
Rotating ``SECRET_KEY`` with the old value in ``SECRET_KEY_FALLBACKS`` keeps existing keys
working; dropping the old value invalidates them (they answer UnrecognizedClient).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["seal", "unseal"]

_PURPOSE = b"stepflow.sfn.access-key-secret:"


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(_PURPOSE + k.encode()).digest())) for k in keys])


def seal(secret: str) -> str:
    """``secret`` encrypted under the current ``SECRET_KEY``."""
    return _box().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str | None:
    """The secret, or None when no current or fallback ``SECRET_KEY`` opens it."""
    try:
        return _box().decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
