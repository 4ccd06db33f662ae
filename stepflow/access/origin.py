"""Where a request comes from: the client's address and agent, and which interface.

``OriginMiddleware`` notes it for the duration of each request, so ``access.audit.record``
can say "from where" without every service taking the request. Outside a request (a
management command, a worker) there is no origin and records say ``via="system"``.

Behind proxies set ``STEPFLOW_PROXY_COUNT`` (how many proxies append to
``X-Forwarded-For``); the client is then that many entries from the right. With 0 (the
default) the header is ignored: anyone can write it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["Origin", "OriginMiddleware", "client_ip", "current_origin", "origin_of", "using_origin"]


@dataclass(frozen=True)
class Origin:
    ip: str | None
    user_agent: str
    via: str  # api, aws (the Step Functions API), admin, page, or system outside a request


_current: ContextVar[Origin | None] = ContextVar("stepflow_origin", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting ``X-Forwarded-For`` only as far as configured."""
    proxies = settings.STEPFLOW_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


_VIA = (("/api/", "api"), ("/aws/", "aws"), ("/admin/", "admin"))


def origin_of(request: HttpRequest) -> Origin:
    path = request.path
    via = next((name for prefix, name in _VIA if path.startswith(prefix)), "page")
    return Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:256], via=via)


def current_origin() -> Origin | None:
    return _current.get()


@contextmanager
def using_origin(origin: Origin) -> Iterator[None]:
    """Records written inside say they came from ``origin``."""
    token = _current.set(origin)
    try:
        yield
    finally:
        _current.reset(token)


class OriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with using_origin(origin_of(request)):
            return self.get_response(request)
