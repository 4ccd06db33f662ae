"""The syslog exporter against Debian's rsyslog, run unprivileged in the foreground on
loopback UDP and TCP ports, its output file read back line by line.

Without ``rsyslogd`` these tests skip with a message, except under ``CI=true`` where they
fail (``.ci/run`` installs the package).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from executions.models import Execution
from executions.retention import services
from executions.retention.models import RunStatus

pytestmark = pytest.mark.django_db

RSYSLOGD = shutil.which("rsyslogd") or ("/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None)


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Rsyslog:
    def __init__(self, folder: Path) -> None:
        self.udp = _free_port(socket.SOCK_DGRAM)
        self.tcp = _free_port(socket.SOCK_STREAM)
        self.output = folder / "received.log"
        (folder / "work").mkdir()
        self.config = folder / "rsyslog.conf"
        self.config.write_text(
            f"""
global(workDirectory="{folder / 'work'}" maxMessageSize="4m")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="{self.udp}")
input(type="imtcp" address="127.0.0.1" port="{self.tcp}" maxFrameSize="4000000")
template(name="raw" type="string" string="%app-name%|%msgid%|%structured-data%|%msg%\\n")
*.* action(type="omfile" file="{self.output}" template="raw")
"""
        )
        self.process = subprocess.Popen(
            [RSYSLOGD, "-n", "-f", str(self.config), "-i", str(folder / "rsyslogd.pid")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        ends = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.tcp), timeout=0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > ends:
                    output = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise AssertionError(f"rsyslogd did not start: {output}")
                time.sleep(0.05)

    def received(self, count: int, timeout: float = 10.0) -> list[tuple[str, str, str, dict]]:
        ends = time.monotonic() + timeout
        while True:
            lines = self.output.read_text(encoding="utf-8").splitlines() if self.output.exists() else []
            if len(lines) >= count or time.monotonic() > ends:
                break
            time.sleep(0.05)
        out = []
        for line in lines:
            app, msgid, sd, msg = line.split("|", 3)
            out.append((app, msgid, sd, json.loads(msg)))
        return out

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[Rsyslog]:
    if RSYSLOGD is None:
        if os.environ.get("CI") == "true":
            pytest.fail("rsyslogd is not installed (apt-get install -y rsyslog); CI=true needs it")
        pytest.skip("rsyslogd is not installed: apt-get install -y rsyslog to run the syslog exporter tests")
    server = Rsyslog(tmp_path)
    yield server
    server.stop()


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_rsyslog_receives_one_rfc5424_message_per_execution(
    transport, rsyslog, retention_dir, service_settings, hello, finished_run
):
    service_settings.STEPFLOW_RETENTION_EXPORTER = "syslog"
    port = rsyslog.udp if transport == "udp" else rsyslog.tcp
    service_settings.STEPFLOW_RETENTION_SYSLOG_URL = f"{transport}://127.0.0.1:{port}"
    runs = [finished_run(hello, days_ago=9, steps=3) for _ in range(4)]

    run = services.run_retention()
    assert run.status == RunStatus.SUCCEEDED, run.error
    received = rsyslog.received(4)
    assert [r[3]["id"] for r in received] == [str(r.uuid) for r in runs]
    app, msgid, sd, record = received[0]
    assert (app, msgid) == ("stepflow", "execution")
    assert sd == f'[stepflow@32473 id="{runs[0].uuid}"]'
    assert record["input"] == {"n": runs[0].input["n"], "text": "héllo"}
    assert [s["state_name"] for s in record["steps"]] == ["S0", "S1", "S2"]
    assert Execution.objects.count() == 0


def test_a_large_record_goes_whole_over_tcp(rsyslog, retention_dir, service_settings, hello, finished_run):
    service_settings.STEPFLOW_RETENTION_EXPORTER = "syslog"
    service_settings.STEPFLOW_RETENTION_SYSLOG_URL = f"tcp://127.0.0.1:{rsyslog.tcp}"
    big = finished_run(hello, days_ago=9, steps=1)
    Execution.objects.filter(pk=big.pk).update(input={"blob": "x" * 200_000})
    assert services.run_retention().status == RunStatus.SUCCEEDED
    assert rsyslog.received(1)[0][3]["input"]["blob"] == "x" * 200_000


def test_a_record_too_large_for_udp_fails_rather_than_truncate(retention_dir, service_settings, hello, finished_run):
    service_settings.STEPFLOW_RETENTION_EXPORTER = "syslog"
    service_settings.STEPFLOW_RETENTION_SYSLOG_URL = "udp://127.0.0.1:9"
    big = finished_run(hello, days_ago=9, steps=1)
    Execution.objects.filter(pk=big.pk).update(input={"blob": "x" * 70_000})
    run = services.run_retention()
    assert run.status == RunStatus.FAILED and "use tcp://" in run.error
    assert Execution.objects.count() == 1


def test_a_closed_tcp_port_fails_the_run_and_deletes_nothing(retention_dir, service_settings, hello, finished_run):
    service_settings.STEPFLOW_RETENTION_EXPORTER = "syslog"
    service_settings.STEPFLOW_RETENTION_SYSLOG_URL = f"tcp://127.0.0.1:{_free_port(socket.SOCK_STREAM)}"
    finished_run(hello, days_ago=9)
    run = services.run_retention()
    assert run.status == RunStatus.FAILED and "syslog to tcp://" in run.error
    assert Execution.objects.count() == 1
