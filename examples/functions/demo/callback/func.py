"""Completes the task token it was given by calling stepflow's task API.

Input (pass ``"token.$": "$$.Task.Token"`` in the state's Parameters):

- ``{"token": "...", "output": {...}}``: the task succeeds with ``output``;
- ``{"token": "...", "error": "...", "cause": "..."}``: the task fails with that error;
- ``"heartbeats": {"every": 0.5, "for": 3}`` first reports progress as a long job would: a
  heartbeat every ``every`` seconds for ``for`` seconds; ``"abandon": true`` then stops
  without an outcome, as a job that died would (HeartbeatSeconds then fails the task).

Configuration (func.yaml ``config`` or the environment): ``STEPFLOW_URL`` (default
http://127.0.0.1:8000) and ``STEPFLOW_TOKEN`` (an API token of someone who may report task
results, e.g. an operator's, from ``manage.py create_token``).
"""
import json
import os
import time
import urllib.request

from stepflow_fdk import call_info, task


def _post(path, body):
    base = os.environ.get("STEPFLOW_URL", "http://127.0.0.1:8000").rstrip("/")
    request = urllib.request.Request(
        f"{base}/api/tasks/{path}/", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {os.environ.get('STEPFLOW_TOKEN', '')}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@task
def handler(payload, ctx):
    payload = payload or {}
    token = payload.get("token") or call_info(ctx)["task_token"]
    beats = payload.get("heartbeats") or {}
    ends = time.monotonic() + float(beats.get("for", 0))
    sent = 0
    while time.monotonic() < ends:
        time.sleep(float(beats.get("every", 1)))
        _post("heartbeat", {"taskToken": token})
        sent += 1
    if payload.get("abandon"):
        return {"heartbeats": sent}
    if payload.get("error"):
        status = _post("failure", {"taskToken": token, "error": payload["error"], "cause": payload.get("cause", "")})
    else:
        status = _post("success", {"taskToken": token, "output": payload.get("output", payload)})
    return {"status": status, "heartbeats": sent}
