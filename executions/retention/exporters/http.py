"""HTTP: POST each batch as NDJSON (what Vector, Fluent Bit, Logstash and Loki-style
receivers accept) with the configured headers, a timeout and retries.

Any 2xx means the receiver has the batch. Connection errors, timeouts, 429 and 5xx are
retried with exponential back-off; other answers fail at once (retrying a 400 or 401 will
not help). Each line carries the execution's ``id`` so a receiver can dedupe re-shipments.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import requests

from executions.retention.exporters import ExportFailed
from executions.retention.records import Record

__all__ = ["HttpExporter"]


class HttpExporter:
    def __init__(
        self,
        *,
        url: str | None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not url:
            raise ExportFailed("STEPFLOW_RETENTION_HTTP_URL is not set")
        self.url = url
        self.name = f"http:{url}"
        self.headers = {"Content-Type": "application/x-ndjson", **(headers or {})}
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()
        self.sleep = sleep

    def export(self, records: Sequence[Record], *, now: datetime) -> None:
        body = b"".join(record.line + b"\n" for record in records)
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.post(self.url, data=body, headers=self.headers, timeout=self.timeout)
            except requests.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if 200 <= response.status_code < 300:
                return
            problem = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code != 429 and response.status_code < 500:
                break
        raise ExportFailed(f"POST {self.url} failed after {attempt + 1} attempt(s): {problem}")
