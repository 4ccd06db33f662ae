"""``manage.py web``: the web server, as one or more daphne processes on one socket.

The same ``stepflow.asgi:application`` that ``daphne -b HOST -p PORT`` serves, in
``--processes`` daphnes sharing the listening socket (``executions/webserver.py``), so a
machine's cores all answer requests.
"""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from executions.webserver import serve


class Command(BaseCommand):
    help = "Serve HTTP and websockets with STEPFLOW_WEB_PROCESSES daphne processes on one socket."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--processes", type=int, default=settings.STEPFLOW_WEB_PROCESSES,
            help="daphne processes (default STEPFLOW_WEB_PROCESSES, 1): about one per core",
        )
        parser.add_argument("--grace", type=float, default=10.0, help="on SIGTERM, seconds before SIGKILL")

    def handle(self, *args: Any, host: str, port: int, processes: int, grace: float, **options: Any) -> None:
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        serve(
            host=host, port=port, processes=max(1, processes), grace=grace,
            should_stop=lambda: bool(stopping), say=lambda line: self.stdout.write(line),
        )
