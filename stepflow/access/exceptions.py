"""What the access services raise (imports nothing else, so ``stepflow/api.py`` can map it).

::

    TokenError          base; ``message`` is for people, ``code`` for programs
    ├── InvalidTokenName    empty, too long, or already used by a live token of this person
    └── TokenNotFound       no such live token of this person
"""

from __future__ import annotations

__all__ = ["InvalidTokenName", "TokenError", "TokenNotFound"]


class TokenError(Exception):
    code = "token_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTokenName(TokenError):
    code = "invalid_token_name"


class TokenNotFound(TokenError):
    code = "token_not_found"
