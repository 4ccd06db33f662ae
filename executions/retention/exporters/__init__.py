"""Where retention ships records, chosen by ``STEPFLOW_RETENTION_EXPORTER``.

::

    ExportFailed        an exporter could not confirm a batch; nothing of it is deleted

Every exporter has ``name`` and ``export(records, now=...)``, which returns only once the
receiver has the batch (as far as its transport can tell) and raises ``ExportFailed``
otherwise. They all ship the same bytes: each record's JSON line followed by a newline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from django.conf import settings

from executions.retention.records import Record

__all__ = ["ExportFailed", "Exporter", "configured_exporter"]


class ExportFailed(Exception):
    """The receiver did not take the batch; ``message`` says why, for operators."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Exporter(Protocol):
    name: str

    def export(self, records: Sequence[Record], *, now: datetime) -> None: ...


def configured_exporter() -> Exporter:
    """The exporter the settings choose, configured from them."""
    kind = settings.STEPFLOW_RETENTION_EXPORTER
    if kind == "http":
        from executions.retention.exporters.http import HttpExporter

        return HttpExporter(
            url=settings.STEPFLOW_RETENTION_HTTP_URL,
            headers=settings.STEPFLOW_RETENTION_HTTP_HEADERS,
            timeout=settings.STEPFLOW_RETENTION_HTTP_TIMEOUT_SECONDS,
            retries=settings.STEPFLOW_RETENTION_HTTP_RETRIES,
            backoff=settings.STEPFLOW_RETENTION_HTTP_BACKOFF_SECONDS,
        )
    if kind == "syslog":
        from executions.retention.exporters.syslog import SyslogExporter

        return SyslogExporter(
            url=settings.STEPFLOW_RETENTION_SYSLOG_URL, timeout=settings.STEPFLOW_RETENTION_SYSLOG_TIMEOUT_SECONDS
        )
    from executions.retention.exporters.jsonl import JsonLinesExporter

    return JsonLinesExporter(directory=settings.STEPFLOW_RETENTION_DIR)
