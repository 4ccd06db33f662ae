"""Completes the task token it was given by calling stepflow's task API.

Input: ``{"token": "...", "output": {...}}`` (pass ``"token.$": "$$.Task.Token"`` in the
state's Parameters), or ``{"token": ..., "error": "...", "cause": "..."}`` to fail it.
Configuration (func.yaml ``config`` or the environment): ``STEPFLOW_URL`` (default
http://127.0.0.1:8000) and ``STEPFLOW_TOKEN`` (an API token, e.g. from
``manage.py drf_create_token``).
"""
import json
import os
import urllib.request

from stepflow_fdk import call_info, task


@task
def handler(payload, ctx):
    payload = payload or {}
    token = payload.get("token") or call_info(ctx)["task_token"]
    if payload.get("error"):
        path, body = "failure", {"taskToken": token, "error": payload["error"], "cause": payload.get("cause", "")}
    else:
        path, body = "success", {"taskToken": token, "output": payload.get("output", payload)}
    base = os.environ.get("STEPFLOW_URL", "http://127.0.0.1:8000").rstrip("/")
    request = urllib.request.Request(
        f"{base}/api/tasks/{path}/", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {os.environ.get('STEPFLOW_TOKEN', '')}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return {"status": response.status}
