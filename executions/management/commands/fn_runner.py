"""``manage.py fn_runner``: a local Fn-compatible server for development and tests.

Hosts the Python functions under ``--functions`` folders (``FN_FUNCTIONS_DIR`` by default:
``<app>/<function>/func.py`` + ``func.yaml``) with the real ``fdk``, on ``--port``
(``FN_PORT``, 8080). Not a sandbox: functions run as this user. SIGTERM or Ctrl-C stops
every function process and removes their sockets. See ``executions/fn_runner/``.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from executions.fn_runner.pool import Pool
from executions.fn_runner.registry import discover
from executions.fn_runner.server import FnServer


class Command(BaseCommand):
    help = "Serve Python fdk functions over Fn's API (development and tests only; not a sandbox)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.FN_PORT)
        parser.add_argument("--functions", action="append", type=Path, help="a folder of apps (repeatable)")
        parser.add_argument("--max-processes", type=int, default=4, help="concurrent calls per function")
        parser.add_argument("--page-size", type=int, default=30, help="items per /v2 page")

    def handle(self, *args: Any, host: str, port: int, functions: list[Path] | None, max_processes: int, page_size: int, **options: Any) -> None:
        roots = functions or [settings.FN_FUNCTIONS_DIR]
        missing = [str(root) for root in roots if not root.is_dir()]
        if missing:
            raise CommandError(f"fn_runner: no such folder: {', '.join(missing)}")
        apps, fns = discover(roots)
        # stepflow_fdk.py, the helper for function authors, is importable by every function.
        pool = Pool(max_processes=max_processes, python_path=[Path(settings.BASE_DIR) / "examples" / "functions"])
        server = FnServer((host, port), apps=apps, functions=fns, pool=pool, page_size=page_size)
        stopping = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)

        def reap() -> None:
            while not stopping.wait(0.5):
                pool.reap_idle()

        threading.Thread(target=reap, daemon=True).start()
        names = ", ".join(sorted(f"{f.app}/{f.name}" for f in fns.values())) or "none"
        self.stdout.write(f"fn_runner: serving http://{host}:{server.server_address[1]}/ functions: {names}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            stopping.set()
            server.server_close()
            pool.shutdown()
            self.stdout.write("fn_runner: stopped")
