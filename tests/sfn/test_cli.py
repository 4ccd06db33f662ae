"""The AWS CLI's ``aws stepfunctions ... --endpoint-url`` against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings

from stepflow.sfn import arns, services
from tests.machines import load

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def aws(endpoint, alice, tmp_path):
    """Runs ``aws stepfunctions <args>`` as alice; the parsed JSON answer."""
    key = services.issue_access_key(user=alice)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret,
        "AWS_DEFAULT_REGION": settings.STEPFLOW_SFN_REGION,
        # Nothing from the machine's own AWS setup may leak in.
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
    }
    env.pop("AWS_PROFILE", None)

    def run(*args: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "awscli", "stepfunctions", *args, "--endpoint-url", endpoint, "--output", "json"],
            env=env, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    return run


def test_the_cli_creates_starts_and_describes(aws, tmp_path):
    path = tmp_path / "hello.json"
    path.write_text(json.dumps(load("api/hello")))
    created = aws("create-state-machine", "--name", "hello", "--definition", f"file://{path}",
                  "--role-arn", "arn:aws:iam::123456789012:role/cli")
    assert created["stateMachineArn"] == arns.machine_arn("hello")
    started = aws("start-execution", "--state-machine-arn", created["stateMachineArn"], "--name", "from-cli",
                  "--input", '{"who": "cli"}')
    described = aws("describe-execution", "--execution-arn", started["executionArn"])
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", "hello")
