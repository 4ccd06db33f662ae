"""``manage.py worker``: a django-q2 worker cluster under a watchdog (``executions/workers.py``).

Use it instead of ``manage.py qcluster``: a worker process killed at any moment (``kill -9``,
the OOM killer) can leave a bare django-q2 cluster waiting on a lock forever; this one is
replaced within ``STEPFLOW_WORKER_STALL_SECONDS``.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from executions.workers import supervise


class Command(BaseCommand):
    help = "Run a django-q2 worker cluster (STEPFLOW_WORKERS processes) and restart it if it ever stalls."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stall-seconds", type=float, default=settings.STEPFLOW_WORKER_STALL_SECONDS,
            help="restart the cluster when work has waited this long while a worker was idle",
        )
        parser.add_argument(
            "--grace", type=float, default=30.0,
            help="on SIGTERM, seconds the workers get to finish their task before SIGKILL",
        )

    def handle(self, *args: Any, stall_seconds: float, grace: float, **options: Any) -> None:
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervise(
            stall_seconds=stall_seconds, grace=grace, should_stop=lambda: bool(stopping),
            say=lambda line: self.stdout.write(line),
        )
