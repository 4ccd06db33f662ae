"""Resolving ``fn:<app>/<function>`` to a function id, and listing functions, through the Fn v2 API.

``GET /v2/apps?name=<app>`` finds the app, ``GET /v2/fns?app_id=<id>&name=<function>``
the function; both follow ``next_cursor`` pages, since a server may ignore the name
filter and list everything. Answers are cached for ``ttl`` seconds; the client drops a
name with ``forget`` when an invoke answers 404 (a function deleted and created again has
a new id), and resolves it afresh. ``list_functions`` walks every app and its functions
(``GET /v2/apps``, then ``GET /v2/fns?app_id=`` for each), following pages the same way.

::

    ResolveError             the app or function does not exist, or the API answered oddly
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
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

    def list_functions(self, *, timeout: float = 3.0) -> list[tuple[str, str, str]]:
        """``(app, function, fn_id)`` for every function of every app, sorted by name; each
        request waits ``timeout`` seconds at most (a page is rendering).

        Raises ``ResolveError`` (and ``requests`` errors when the API is down).
        """
        found = []
        for app in self._pages("apps", {}, timeout=timeout):
            if not app.get("id") or not app.get("name"):
                continue
            try:
                for fn in self._pages("fns", {"app_id": str(app["id"])}, timeout=timeout):
                    if fn.get("id") and fn.get("name"):
                        found.append((str(app["name"]), str(fn["name"]), str(fn["id"])))
            except ResolveError as exc:
                if not exc.not_found:
                    raise  # (an app deleted while we listed is simply left out)
        return sorted(found)

    def _find(self, kind: str, params: dict[str, str], name: str, missing: str) -> str:
        for item in self._pages(kind, params, missing=missing):
            if item.get("name") == name and item.get("id"):
                return str(item["id"])
        raise ResolveError(missing, not_found=True)

    def _pages(
        self, kind: str, params: dict[str, str], *, missing: str = "", timeout: float | None = None
    ) -> Iterator[dict[str, Any]]:
        """The items of ``GET /v2/<kind>``, page after page (``next_cursor``)."""
        cursor = ""
        for _ in range(_MAX_PAGES):
            query = dict(params, cursor=cursor) if cursor else params
            response = self.session.get(
                f"{self.api_url}/v2/{kind}", params=query, timeout=timeout or self.timeout, allow_redirects=False
            )
            if response.status_code == 404:
                raise ResolveError(missing or f"the Fn API answered 404 to GET /v2/{kind}", not_found=True)
            if response.status_code != 200:
                raise ResolveError(f"the Fn API answered {response.status_code} to GET /v2/{kind}")
            try:
                page: dict[str, Any] = response.json()
            except ValueError:
                raise ResolveError(f"the Fn API answered GET /v2/{kind} with something that is not JSON") from None
            if not isinstance(page, dict):
                raise ResolveError(f"the Fn API answered GET /v2/{kind} with something that is not a page")
            yield from (item for item in page.get("items") or [] if isinstance(item, dict))
            cursor = page.get("next_cursor") or ""
            if not cursor:
                return
