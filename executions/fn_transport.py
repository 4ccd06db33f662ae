"""An in-memory transport for the Fn client, shipped for tests (no monkeypatching).

``session_for(handler)`` returns a ``requests.Session`` whose every request is answered
by ``handler(request) -> Answer``; a handler may raise ``requests.ConnectionError`` or
``requests.Timeout`` to play an unreachable or silent server. ``requests`` records what
was sent on the ``PreparedRequest`` the handler receives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

__all__ = ["Answer", "HandlerTransport", "session_for"]


@dataclass
class Answer:
    status: int = 200
    body: Any = b""  # bytes or str as sent; anything else is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)


class HandlerTransport(BaseAdapter):
    def __init__(self, handler: Callable[[requests.PreparedRequest], Answer]) -> None:
        super().__init__()
        self.handler = handler
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.requests.append(request)
        answer = self.handler(request)
        body = answer.body
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        response = requests.Response()
        response.status_code = answer.status
        response._content = body.encode() if isinstance(body, str) else body
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        return None


def session_for(handler: Callable[[requests.PreparedRequest], Answer]) -> requests.Session:
    session = requests.Session()
    session.mount("http://", HandlerTransport(handler))
    session.mount("https://", HandlerTransport(handler))
    return session
