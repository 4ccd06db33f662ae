"""Resolving ``fn:<app>/<function>`` to a function id through the Fn v2 API.

``GET /v2/apps?name=<app>`` finds the app, ``GET /v2/fns?app_id=<id>&name=<function>``
the function; both follow ``next_cursor`` pages, since a server may ignore the name
filter and list everything. Answers are cached for ``ttl`` seconds; the client drops a
name with ``forget`` when an invoke answers 404 (a function deleted and created again has
a new id), and resolves it afresh.

::

    ResolveError             the app or function does not exist, or the API answered oddly
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

__all__ = ["ResolveError", "Resolver"]

_MAX_PAGES = 100  # a server that pages forever must not wedge a worker


class ResolveError(Exception):
    """``fn:<app>/<function>`` names nothing on the Fn server (``not_found``) or the API failed."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


class Resolver:
    """Function ids by ``(app, function)`` name, cached briefly; safe to share between threads."""

    def __init__(
        self, *, session: requests.Session, api_url: str, ttl: float, timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._cache: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def resolve(self, app: str, function: str) -> str:
        """The function's id; raises ``ResolveError`` (and ``requests`` errors when the API is down)."""
        key = (app, function)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[1] > self.clock():
            return hit[0]
        app_id = self._find("apps", {"name": app}, app, f"no Fn app named {app!r}")
        fn_id = self._find("fns", {"app_id": app_id, "name": function}, function, f"no function {function!r} in Fn app {app!r}")
        with self._lock:
            self._cache[key] = (fn_id, self.clock() + self.ttl)
        return fn_id

    def forget(self, app: str, function: str) -> None:
        """Drop a cached answer (its invoke answered 404)."""
        with self._lock:
            self._cache.pop((app, function), None)

    def _find(self, kind: str, params: dict[str, str], name: str, missing: str) -> str:
        cursor = ""
        for _ in range(_MAX_PAGES):
            query = dict(params, cursor=cursor) if cursor else params
            response = self.session.get(f"{self.api_url}/v2/{kind}", params=query, timeout=self.timeout)
            if response.status_code == 404:
                raise ResolveError(missing, not_found=True)
            if response.status_code != 200:
                raise ResolveError(f"the Fn API answered {response.status_code} to GET /v2/{kind}")
            try:
                page: dict[str, Any] = response.json()
            except ValueError:
                raise ResolveError(f"the Fn API answered GET /v2/{kind} with something that is not JSON") from None
            for item in page.get("items") or []:
                if item.get("name") == name and item.get("id"):
                    return str(item["id"])
            cursor = page.get("next_cursor") or ""
            if not cursor:
                break
        raise ResolveError(missing, not_found=True)
