"""``manage.py run_all``: the web server, the worker cluster and the timer loop, together.

Unless ``FN_API_URL`` names an Fn server (or ``--no-fn-runner``), it also starts the local
Fn runner (``manage.py fn_runner`` on ``FN_PORT``) and points the others at it.

A small supervisor for the embedded shape. Each child runs in its own process group, so
a stop reaches the grandchildren too (the worker cluster forks its processes); on Linux each child
also gets SIGTERM if this process dies without cleaning up. Ctrl-C or SIGTERM stops every
child (SIGTERM, then SIGKILL after a grace period) and leaves no process behind; if any
child exits by itself, the others are stopped too and the command fails, so a service
manager can restart the whole set.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

_PR_SET_PDEATHSIG = 1


def processes(*, host: str, port: int, fn_port: int | None = None, grace: float = 10.0) -> list[tuple[str, list[str]]]:
    """The processes of the embedded shape, as (name, argv); with ``fn_port``, the local Fn runner too."""
    python, manage = sys.executable, str(settings.BASE_DIR / "manage.py")
    out = [("fn", [python, manage, "fn_runner", "--port", str(fn_port)])] if fn_port else []
    return out + [
        # daphne, STEPFLOW_WEB_PROCESSES of them on one socket (executions/webserver.py).
        ("web", [python, manage, "web", "--host", host, "--port", str(port), "--grace", str(max(1.0, grace - 3))]),
        # The supervised cluster (executions/workers.py); its stop grace fits inside ours.
        ("worker", [python, manage, "worker", "--grace", str(max(1.0, grace - 3))]),
        ("timer", [python, manage, "timer"]),
    ]


def _die_with_parent() -> None:
    os.setsid()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:
            pass


class Command(BaseCommand):
    help = "Run the web server (daphne), the django-q2 cluster and the timer loop until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait before SIGKILL")
        parser.add_argument(
            "--no-fn-runner", action="store_true", help="do not start the local Fn runner (it is skipped when FN_API_URL is set)"
        )

    def handle(self, *args: Any, host: str, port: int, grace: float, no_fn_runner: bool, **options: Any) -> None:
        fn_port = None
        if not settings.FN_API_URL and not no_fn_runner:
            # The local Fn runner, and every other child pointed at it.
            fn_port = settings.FN_PORT
            os.environ["FN_API_URL"] = f"http://127.0.0.1:{fn_port}"
        stop_signal: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop_signal.append(signum)

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, argv in processes(host=host, port=port, fn_port=fn_port, grace=grace):
                children[name] = subprocess.Popen(argv, preexec_fn=_die_with_parent)  # noqa: PLW1509
                self.stdout.write(f"run_all: started {name} (pid {children[name].pid})")
            self.stdout.write(f"run_all: stepflow is serving http://{host}:{port}/ (Ctrl-C stops it)")
            failed = self._watch(children, stop_signal)
        finally:
            self._stop(children, grace)
        if failed:
            raise CommandError(f"run_all: {failed} exited unexpectedly; stopped the rest")
        self.stdout.write("run_all: stopped")

    def _watch(self, children: dict[str, subprocess.Popen[bytes]], stop_signal: list[int]) -> str | None:
        while not stop_signal:
            for name, child in children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.2)
        return None

    def _stop(self, children: dict[str, subprocess.Popen[bytes]], grace: float) -> None:
        # SIGTERM the child alone: the worker stops its own cluster in order, and a signal to
        # the whole group would make them race its shutdown.
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in children.values():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for name, child in children.items():
            # The group may hold grandchildren even after the child itself has exited.
            _signal_group(child, signal.SIGKILL)
            if child.poll() is None:
                child.wait()
                self.stderr.write(f"run_all: {name} did not stop within {grace} s; killed")


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
