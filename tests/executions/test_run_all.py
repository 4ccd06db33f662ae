"""``manage.py run_all`` serves, and Ctrl-C or SIGTERM leaves no process behind."""

from __future__ import annotations

import signal
import socket
import urllib.error
import urllib.request

import pytest

from tests.support import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_all_serves_the_api_then_stops_every_process_it_started(tmp_path, signum):
    port = _free_port()
    supervisor = processes.start(["run_all", "--port", str(port)], tmp_path / "run_all.log")
    try:
        processes.wait_for(lambda: _status(f"http://127.0.0.1:{port}/api/") == 401, 60, "the web server")
        # web and its daphne, the timer, and the worker with its cluster's sentinel, pusher,
        # monitor and workers.
        processes.wait_for(lambda: len(processes.descendants(supervisor.pid)) >= 8, 60, "the worker cluster")
        family = processes.descendants(supervisor.pid)
        supervisor.send_signal(signum)
        assert supervisor.wait(timeout=30) == 0, (tmp_path / "run_all.log").read_text()[-3000:]
        processes.wait_for(lambda: not any(processes.alive(pid) for pid in family), 5, "the children to go")
        assert _status(f"http://127.0.0.1:{port}/api/") == 0
    finally:
        processes.stop(supervisor)
