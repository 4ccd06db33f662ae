"""Warm fdk processes, the way Fn's agent keeps its containers.

A call takes an idle process of its function, or starts one while the function has fewer
than ``max_processes`` (one process per concurrent call); past that it is refused as too
busy (the server answers 503 with Retry-After). A process is its own process group with
its socket in a private folder: a call past the function's timeout kills the group (and
the server answers 504), an idle process is stopped after its ``idle_timeout``, and
``shutdown`` stops every group and removes the folder, leaving no orphan or stale socket.

::

    PoolError                a process could not be started or answered nothing
    ├── TooBusy              every allowed process is busy
    └── CallTimedOut         the call ran past the function's timeout; its process was killed
"""

from __future__ import annotations

import http.client
import itertools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from executions.fn_runner.registry import Function

__all__ = ["CallTimedOut", "Pool", "PoolError", "Reply", "TooBusy"]

log = logging.getLogger(__name__)

_BOOT = (
    "import sys, fdk; from fdk import customer_code; "
    "fdk.handle(customer_code.Function(sys.argv[1], entrypoint=sys.argv[2]))"
)
_HOP_HEADERS = {"content-length", "connection", "transfer-encoding", "date", "keep-alive", "server"}


class PoolError(Exception):
    """A process could not be started, or it died without answering."""


class TooBusy(PoolError):
    """Every process the function may have is busy."""


class CallTimedOut(PoolError):
    """The call ran past the function's timeout; its process was killed."""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(eq=False)
class _Process:
    function: Function
    popen: subprocess.Popen[bytes]
    socket_path: str
    last_used: float = field(default_factory=time.monotonic)

    def alive(self) -> bool:
        return self.popen.poll() is None


class _Conn(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Pool:
    def __init__(self, *, max_processes: int = 4, python_path: list[Path] | None = None, start_timeout: float = 20.0) -> None:
        self.max_processes = max_processes
        self.python_path = [str(p) for p in python_path or []]
        self.start_timeout = start_timeout
        self.folder = tempfile.mkdtemp(prefix="stepflow-fn-")
        self._idle: dict[str, list[_Process]] = {}
        self._count: dict[str, int] = {}
        self._all: set[_Process] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closed = False

    def call(self, function: Function, *, body: bytes, headers: dict[str, str]) -> Reply:
        """Forward one call to a process of ``function``; raises ``PoolError`` subclasses."""
        process = self._take(function)
        try:
            reply = self._forward(process, body, headers)
        except TimeoutError:
            self._kill(process)
            raise CallTimedOut(f"{function.app}/{function.name} ran past its {function.timeout:g} s timeout") from None
        except (OSError, http.client.HTTPException) as exc:
            self._kill(process)
            raise PoolError(f"{function.app}/{function.name} answered nothing: {exc}") from None
        self._give_back(process)
        return reply

    def _take(self, function: Function) -> _Process:
        with self._lock:
            if self._closed:
                raise PoolError("the runner is shutting down")
            idle = self._idle.setdefault(function.id, [])
            while idle:
                process = idle.pop()
                if process.alive():
                    return process
                self._forget(process)
            if self._count.get(function.id, 0) >= self.max_processes:
                raise TooBusy(f"{function.app}/{function.name} already runs {self.max_processes} calls")
            self._count[function.id] = self._count.get(function.id, 0) + 1
        try:
            return self._start(function)
        except BaseException:
            with self._lock:
                self._count[function.id] -= 1
            raise

    def _start(self, function: Function) -> _Process:
        path = os.path.join(self.folder, f"{next(self._ids)}.sock")
        env = dict(os.environ)
        env.update(function.config)
        env.update(
            FN_FORMAT="http-stream", FN_LISTENER=f"unix:{path}", FN_APP_ID=function.app_id, FN_FN_ID=function.id,
            FN_APP_NAME=function.app, FN_FN_NAME=function.name, PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join([str(function.folder), *self.python_path, env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        popen = subprocess.Popen(  # its own process group: a kill reaches whatever it started
            [sys.executable, "-c", _BOOT, str(function.folder / "func.py"), function.handler],
            cwd=function.folder, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
        )
        process = _Process(function, popen, path)
        with self._lock:
            self._all.add(process)
        ends = time.monotonic() + self.start_timeout
        while not os.path.exists(path):
            if not process.alive() or time.monotonic() > ends:
                with self._lock:  # _take gives the slot back
                    self._all.discard(process)
                _stop_group(popen, grace=0.0)
                raise PoolError(f"{function.app}/{function.name} did not start (exit code {popen.poll()})")
            time.sleep(0.01)
        return process

    def _forward(self, process: _Process, body: bytes, headers: dict[str, str]) -> Reply:
        conn = _Conn(process.socket_path, timeout=process.function.timeout)
        try:
            conn.request("POST", "/call", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS}
            return Reply(response.status, kept, data)
        finally:
            conn.close()

    def _give_back(self, process: _Process) -> None:
        process.last_used = time.monotonic()
        with self._lock:
            if self._closed or not process.alive():
                self._forget(process)
            else:
                self._idle.setdefault(process.function.id, []).append(process)
                return
        self._kill(process)

    def _forget(self, process: _Process) -> None:
        """(Under the lock.) The process no longer counts against its function."""
        if process in self._all:
            self._all.discard(process)
            self._count[process.function.id] -= 1

    def _kill(self, process: _Process) -> None:
        with self._lock:
            self._forget(process)
        _stop_group(process.popen, grace=0.0)
        for path in (process.socket_path, os.path.join(os.path.dirname(process.socket_path), "phony" + os.path.basename(process.socket_path))):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def reap_idle(self) -> int:
        """Stop processes idle past their function's ``idle_timeout``; how many were stopped."""
        now = time.monotonic()
        stale: list[_Process] = []
        with self._lock:
            for idle in self._idle.values():
                for process in list(idle):
                    if now - process.last_used > process.function.idle_timeout:
                        idle.remove(process)
                        stale.append(process)
        for process in stale:
            self._kill(process)
        return len(stale)

    def shutdown(self) -> None:
        """Stop every process group (SIGTERM, then SIGKILL) and remove the socket folder."""
        with self._lock:
            self._closed = True
            processes = list(self._all)
        for process in processes:
            _stop_group(process.popen, grace=2.0)
            with self._lock:
                self._forget(process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def process_ids(self) -> list[int]:
        with self._lock:
            return [p.popen.pid for p in self._all]


def _stop_group(popen: subprocess.Popen[bytes], *, grace: float) -> None:
    if grace > 0 and popen.poll() is None:
        _signal(popen.pid, signal.SIGTERM)
        try:
            popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    _signal(popen.pid, signal.SIGKILL)  # the group may outlive its leader
    try:
        popen.wait(timeout=5)
    except subprocess.TimeoutExpired:
        log.warning("fn process %s did not die", popen.pid)


def _signal(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
