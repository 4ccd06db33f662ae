"""The local runner's HTTP API: the parts of Fn's that stepflow uses.

- ``GET /v2/apps?name=&per_page=&cursor=`` and ``GET /v2/fns?app_id=&name=&per_page=&cursor=``:
  ``{"items": [...], "next_cursor": "..."}``, as Fn pages them;
- ``POST /invoke/{fnID}``: the request body and headers go to the function; its status
  (200, 502 or 504), headers and body come back, with ``Fn-Call-Id``. 404 for an unknown
  id, 503 with ``Retry-After`` when the function already runs its limit of calls, 504 when
  a call runs past the function's timeout. ``Fn-Invoke-Type: detached`` answers 202 at
  once and runs the call in the background.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from executions.fn_runner.pool import CallTimedOut, Pool, PoolError, TooBusy
from executions.fn_runner.registry import App, Function

__all__ = ["FnServer"]

log = logging.getLogger(__name__)


class FnServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, apps: dict[str, App], functions: dict[str, Function], pool: Pool, page_size: int = 30) -> None:
        super().__init__(address, _Handler)
        self.apps = apps
        self.functions = functions
        self.pool = pool
        self.page_size = page_size


class _Handler(BaseHTTPRequestHandler):
    server: FnServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # the client's delayed ACK add ~40 ms to every keep-alive call.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fn_runner: " + format, *args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/v2/apps":
            items = [{"id": a.id, "name": a.name} for a in self.server.apps.values() if query.get("name") in (None, a.name)]
        elif parts.path == "/v2/fns":
            if not query.get("app_id") or query["app_id"] not in self.server.apps:
                return self._json(404, {"message": "App not found"})
            items = [
                {"id": f.id, "name": f.name, "app_id": f.app_id, "timeout": f.timeout, "idle_timeout": f.idle_timeout}
                for f in self.server.functions.values()
                if f.app_id == query["app_id"] and query.get("name") in (None, f.name)
            ]
        else:
            return self._json(404, {"message": "Path not found"})
        items.sort(key=lambda item: item["name"])
        size = max(1, int(query.get("per_page") or self.server.page_size))
        start = int(query.get("cursor") or 0)
        end = start + size
        self._json(200, {"items": items[start:end], "next_cursor": str(end) if end < len(items) else ""})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not parts.path.startswith("/invoke/"):
            return self._json(404, {"message": "Path not found"})
        function = self.server.functions.get(parts.path.removeprefix("/invoke/"))
        if function is None:
            return self._json(404, {"message": "Fn not found"})
        call_id = uuid.uuid4().hex.upper()[:26]
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        deadline = datetime.now(timezone.utc) + timedelta(seconds=function.timeout)
        headers.update({"Fn-Call-Id": call_id, "Fn-Deadline": deadline.isoformat().replace("+00:00", "Z")})
        if self.headers.get("Fn-Invoke-Type", "").lower() == "detached":
            threading.Thread(target=self._detached, args=(function, body, headers), daemon=True).start()
            return self._json(202, {"call_id": call_id}, {"Fn-Call-Id": call_id})
        try:
            reply = self.server.pool.call(function, body=body, headers=headers)
        except TooBusy as exc:
            return self._json(503, {"message": str(exc)}, {"Retry-After": "1", "Fn-Call-Id": call_id})
        except CallTimedOut as exc:
            return self._json(504, {"message": str(exc)}, {"Fn-Call-Id": call_id})
        except PoolError as exc:
            return self._json(502, {"message": str(exc)}, {"Fn-Call-Id": call_id})
        self._send(reply.status, reply.body, {**reply.headers, "Fn-Call-Id": call_id})

    def _detached(self, function: Function, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.server.pool.call(function, body=body, headers=headers)
        except PoolError as exc:
            log.warning("fn_runner: detached call of %s failed: %s", function.name, exc)

    def _json(self, status: int, value: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
