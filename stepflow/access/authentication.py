"""DRF authentication by API token: ``Authorization: Token <key>`` (keys from ``access.tokens``)."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions

from stepflow.access import tokens

__all__ = ["TokenAuthentication"]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing and ``WWW-Authenticate: Token``, checked against hashed tokens.

    ``request.auth`` is the ``ApiToken``, so a view can tell which key was used.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = tokens.authenticate_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
