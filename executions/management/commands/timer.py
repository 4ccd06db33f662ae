"""``manage.py timer``: the loop that turns due ``wake_at`` rows back into queued work."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from executions.timers import fire_due, run_timer_loop


class Command(BaseCommand):
    help = "Enqueue executions whose Wait, retry back-off, lease or timeout is due (runs until stopped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=settings.STEPFLOW_TIMER_INTERVAL_SECONDS,
            help="seconds between scans (at most 1)",
        )
        parser.add_argument("--once", action="store_true", help="scan once and exit")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        if once:
            self.stdout.write(f"fired {fire_due()}")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"timer: scanning every {min(interval, 1.0)} s")
        run_timer_loop(interval=min(interval, 1.0), should_stop=lambda: stopping)
        self.stdout.write("timer: stopped")
