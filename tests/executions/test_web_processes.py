"""``manage.py web``: several daphnes on one socket, replaced when one dies, all stopped on SIGTERM."""

from __future__ import annotations

import os
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
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def test_web_serves_with_several_daphnes_replaces_a_dead_one_and_stops_them_all(tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/"
    web = processes.start(["web", "--port", str(port), "--processes", "2"], tmp_path / "web.log")
    try:
        processes.wait_for(lambda: len(processes.descendants(web.pid)) == 2, 60, "two daphne processes")
        processes.wait_for(lambda: _status(url) == 401, 60, "the web server")
        assert all(_status(url) == 401 for _ in range(20))  # whichever daphne answers

        first, second = sorted(processes.descendants(web.pid))
        os.kill(first, signal.SIGKILL)
        processes.wait_for(lambda: _status(url) == 401, 10, "the other daphne to answer")
        processes.wait_for(
            lambda: len(processes.descendants(web.pid)) == 2 and first not in processes.descendants(web.pid),
            30, "a replacement daphne",
        )
        assert second in processes.descendants(web.pid)
        family = processes.descendants(web.pid)
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=30) == 0, (tmp_path / "web.log").read_text()[-3000:]
        processes.wait_for(lambda: not any(processes.alive(pid) for pid in family), 5, "the daphnes to go")
        assert _status(url) == 0
    finally:
        processes.stop(web)
