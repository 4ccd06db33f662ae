"""The actions this API serves, and the helpers their handlers share.

An action module registers each handler with ``@action(name, permissions)``; the handler
takes the request's ``Params`` and the calling user and returns the response object.
``permissions`` are the Django model permissions the REST API's matching view requires.
``Params`` reads typed request fields and raises ``Validation`` for wrong ones; ``page``
encodes and decodes ``nextToken`` values (signed, so a forged or stale token is
``InvalidToken``, and bound to the listing it came from).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing

from stepflow.sfn.errors import InvalidToken, Validation

__all__ = ["ACTIONS", "Action", "Params", "Waiting", "action", "epoch", "json_text", "next_token", "read_token"]

Handler = Callable[["Params", Any], Any]


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    handler: Handler
    permissions: tuple[str, ...]


ACTIONS: dict[str, Action] = {}


@dataclass(frozen=True, slots=True)
class Waiting:
    """A handler's answer that must wait for a run to end (StartSyncExecution).

    The endpoint polls the execution without holding a worker thread, then calls
    ``finish(timed_out)`` for the response body.
    """

    execution_id: int
    timeout_seconds: float
    finish: Callable[[bool], dict[str, Any]]


def action(name: str, permissions: tuple[str, ...]) -> Callable[[Handler], Handler]:
    """Registers the decorated handler as ``AWSStepFunctions.<name>``."""

    def register(handler: Handler) -> Handler:
        ACTIONS[name] = Action(name, handler, tuple(permissions))
        return handler

    return register


_MISSING: Any = object()


class Params:
    """A request's JSON object, read field by field with AWS's validation messages."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _get(self, name: str, kinds: type | tuple[type, ...], required: bool, default: Any) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise Validation(f"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null")
            return default
        if isinstance(value, bool) and kinds is not bool:
            kinds_ok = False
        else:
            kinds_ok = isinstance(value, kinds)
        if not kinds_ok:
            raise Validation(f"1 validation error detected: Value at '{name}' has the wrong type")
        return value

    def string(self, name: str, *, required: bool = False, default: Any = None) -> Any:
        return self._get(name, str, required, default)

    def flag(self, name: str, *, default: bool = False) -> bool:
        return bool(self._get(name, bool, False, default))

    def items(self, name: str, *, required: bool = False) -> list[Any]:
        return list(self._get(name, list, required, []))

    def number(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self._get(name, int, False, default)
        if not minimum <= value <= maximum:
            raise Validation(
                f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
                f"Member must have value between {minimum} and {maximum}"
            )
        return int(value)

    def page_size(self) -> int:
        """``maxResults``: 0 (or absent) means the default of 100, as on AWS; at most 1000."""
        return self.number("maxResults", default=0, minimum=0, maximum=1000) or 100


def epoch(moment: datetime | None) -> float | None:
    """A timestamp as the JSON protocol sends it: seconds since the epoch."""
    return moment.timestamp() if moment is not None else None


def json_text(value: Any) -> str:
    """A JSON value as the text AWS's API carries (inputs, outputs, parameters)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_SALT = "stepflow.sfn.page"


def next_token(*, listing: str, after: Any) -> str:
    """An opaque ``nextToken`` that resumes ``listing`` after the row key ``after``."""
    return signing.dumps({"l": listing, "a": after}, salt=_SALT, compress=True)


def read_token(token: str | None, *, listing: str) -> Any:
    """The row key a ``nextToken`` resumes after (None without one); raises ``InvalidToken``."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise InvalidToken("Invalid Token: the nextToken is not one this service issued.") from None
    if not isinstance(data, dict) or data.get("l") != listing:
        raise InvalidToken("Invalid Token: the nextToken belongs to another request.")
    return data.get("a")
