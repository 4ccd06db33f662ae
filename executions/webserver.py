"""Several daphne processes behind one listening socket (``manage.py web``).

daphne serves a Django view's synchronous code on one thread per process, so one process
answers one request at a time and a request's database round trips are time nobody else
can use. Like a pre-forking server, ``serve`` binds the socket itself and starts
``processes`` daphnes on it (``daphne --fd``); the kernel hands each new connection to one
of them. A daphne that dies is started again (after a pause if it keeps dying); on stop
each gets SIGTERM, then SIGKILL after ``grace`` seconds.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

__all__ = ["listen", "serve"]

APPLICATION = "stepflow.asgi:application"
_RESTART_PAUSE = 1.0  # a daphne that exits within this long of its start waits before the next


def listen(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A listening TCP socket that child processes can inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _start(sock: socket.socket) -> subprocess.Popen[bytes]:
    fd = sock.fileno()
    return subprocess.Popen([sys.executable, "-m", "daphne", "--fd", str(fd), APPLICATION], pass_fds=(fd,))


def serve(
    *,
    host: str,
    port: int,
    processes: int,
    grace: float,
    should_stop: Callable[[], bool],
    say: Callable[[str], None],
    sock: socket.socket | None = None,
) -> None:
    """Serve on ``host:port`` (or ``sock``) with ``processes`` daphnes until ``should_stop()``."""
    sock = sock or listen(host, port)
    started: dict[int, float] = {}
    children: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            child = _start(sock)
            children.append(child)
            started[child.pid] = time.monotonic()
        say(f"web: {processes} daphne process(es) serving http://{host}:{port}/ (pids {[c.pid for c in children]})")
        while not should_stop():
            for index, child in enumerate(children):
                if child.poll() is None or should_stop():
                    continue
                lived = time.monotonic() - started.pop(child.pid, 0.0)
                say(f"web: daphne {child.pid} exited with {child.returncode} after {lived:.1f} s; starting another")
                if lived < _RESTART_PAUSE:
                    time.sleep(_RESTART_PAUSE)
                children[index] = replacement = _start(sock)
                started[replacement.pid] = time.monotonic()
            time.sleep(0.2)
    finally:
        _stop(children, grace)
        sock.close()


def _stop(children: list[subprocess.Popen[bytes]], grace: float) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
