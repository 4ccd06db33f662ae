"""Syslog: one RFC 5424 message per execution, over TCP (RFC 6587 octet counting) or UDP.

Each message is ``<134>1 TIMESTAMP HOST stepflow PID execution [stepflow@32473 id="..."] JSON``
(facility local0, severity info); the structured data carries the execution's public id
for dedupe. TCP confirms delivery to the receiver's socket and has no size limit of its
own; UDP confirms nothing and a datagram holds at most 65,507 bytes, so a record larger
than that fails the batch (use TCP) rather than be truncated and then deleted.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from executions.retention.exporters import ExportFailed
from executions.retention.records import Record

__all__ = ["SyslogExporter"]

_PRI = 16 * 8 + 6  # local0.info
_ENTERPRISE = 32473  # the IANA example number, as RFC 5424 suggests for private SD-IDs
UDP_LIMIT = 65_507


class SyslogExporter:
    def __init__(self, *, url: str | None, timeout: float = 10.0) -> None:
        parts = urlsplit(url or "")
        if parts.scheme not in ("udp", "tcp") or not parts.hostname:
            raise ExportFailed(f"STEPFLOW_RETENTION_SYSLOG_URL must be udp://host:port or tcp://host:port, not {url!r}")
        self.transport = parts.scheme
        self.address = (parts.hostname, parts.port or 514)
        self.timeout = timeout
        self.name = f"syslog:{url}"
        self.hostname = socket.gethostname() or "-"

    def message(self, record: Record, now: datetime) -> bytes:
        stamp = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
        header = f'<{_PRI}>1 {stamp} {self.hostname} stepflow {os.getpid()} execution [stepflow@{_ENTERPRISE} id="{record.id}"] '
        return header.encode("ascii") + record.line

    def export(self, records: Sequence[Record], *, now: datetime) -> None:
        messages = [self.message(record, now) for record in records]
        try:
            if self.transport == "tcp":
                self._send_tcp(messages)
            else:
                self._send_udp(messages)
        except OSError as exc:
            raise ExportFailed(f"syslog to {self.transport}://{self.address[0]}:{self.address[1]}: {exc}") from exc

    def _send_tcp(self, messages: list[bytes]) -> None:
        with socket.create_connection(self.address, timeout=self.timeout) as sock:
            for message in messages:
                sock.sendall(str(len(message)).encode("ascii") + b" " + message)
            # A clean shutdown, then waiting for the receiver to close, means it read it all.
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(4096):
                pass

    def _send_udp(self, messages: list[bytes]) -> None:
        too_big = [len(m) for m in messages if len(m) > UDP_LIMIT]
        if too_big:
            raise ExportFailed(f"{len(too_big)} record(s) exceed a UDP datagram ({max(too_big)} bytes); use tcp://")
        family = socket.getaddrinfo(*self.address, type=socket.SOCK_DGRAM)[0][0]
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            for message in messages:
                sock.sendto(message, self.address)
