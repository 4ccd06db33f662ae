"""The HTTP exporter against a real receiver on loopback that fails, then recovers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from executions.models import Execution
from executions.retention import services
from executions.retention.models import RetentionBatch, RunStatus

pytestmark = pytest.mark.django_db


class Receiver:
    """Answers ``failures`` requests with 503, then 200; keeps what it accepted."""

    def __init__(self) -> None:
        self.failures = 0
        self.reject_with: int | None = None  # answer every request with this status
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.accepted: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                if receiver.reject_with:
                    self.send_response(receiver.reject_with)
                    self.end_headers()
                    return
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                receiver.accepted.extend(json.loads(line) for line in body.decode().splitlines())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/ingest"


@pytest.fixture
def receiver(retention_dir, service_settings) -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    service_settings.STEPFLOW_RETENTION_EXPORTER = "http"
    service_settings.STEPFLOW_RETENTION_HTTP_URL = receiver.url
    service_settings.STEPFLOW_RETENTION_HTTP_HEADERS = {"Authorization": "Bearer s3cret", "X-Source": "stepflow"}
    service_settings.STEPFLOW_RETENTION_HTTP_RETRIES = 2
    service_settings.STEPFLOW_RETENTION_HTTP_BACKOFF_SECONDS = 0.01
    service_settings.STEPFLOW_RETENTION_HTTP_TIMEOUT_SECONDS = 5
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_it_posts_ndjson_batches_with_the_configured_headers(receiver, hello, finished_run):
    runs = [finished_run(hello, days_ago=9, steps=2) for _ in range(4)]
    run = services.run_retention()
    assert run.status == RunStatus.SUCCEEDED
    assert [r["id"] for r in receiver.accepted] == [str(r.uuid) for r in runs]
    headers, body = receiver.requests[0]
    assert headers["Content-Type"] == "application/x-ndjson"
    assert headers["Authorization"] == "Bearer s3cret"
    assert body.endswith(b"\n") and body.count(b"\n") == 3  # the first batch of three
    assert Execution.objects.count() == 0


def test_it_retries_a_busy_receiver_within_the_run(receiver, hello, finished_run):
    finished_run(hello, days_ago=9)
    receiver.failures = 2
    run = services.run_retention()
    assert run.status == RunStatus.SUCCEEDED
    assert len(receiver.requests) == 3
    assert Execution.objects.count() == 0


def test_a_receiver_that_stays_down_deletes_nothing_and_the_next_run_ships_it(receiver, hello, finished_run):
    runs = [finished_run(hello, days_ago=9) for _ in range(2)]
    receiver.failures = 3  # the first try and both retries
    failed = services.run_retention()
    assert failed.status == RunStatus.FAILED
    assert "HTTP 503" in failed.error and "3 attempt(s)" in failed.error
    assert Execution.objects.count() == 2
    assert not RetentionBatch.objects.exists()

    recovered = services.run_retention()
    assert recovered.status == RunStatus.SUCCEEDED
    assert [r["id"] for r in receiver.accepted] == [str(r.uuid) for r in runs]
    assert Execution.objects.count() == 0


def test_a_client_error_is_not_retried(receiver, hello, finished_run):
    finished_run(hello, days_ago=9)
    receiver.reject_with = 401
    run = services.run_retention()
    assert run.status == RunStatus.FAILED and "HTTP 401" in run.error
    assert len(receiver.requests) == 1
    assert Execution.objects.count() == 1


def test_an_unreachable_receiver_fails_the_run(retention_dir, service_settings, hello, finished_run):
    finished_run(hello, days_ago=9)
    service_settings.STEPFLOW_RETENTION_EXPORTER = "http"
    service_settings.STEPFLOW_RETENTION_HTTP_URL = "http://127.0.0.1:9/"
    service_settings.STEPFLOW_RETENTION_HTTP_RETRIES = 0
    run = services.run_retention()
    assert run.status == RunStatus.FAILED and "ConnectionError" in run.error
    assert Execution.objects.count() == 1
