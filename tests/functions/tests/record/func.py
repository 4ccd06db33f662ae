"""Appends stepflow's call headers to the file RECORD_FILE names, then returns its input.

With ``{"first_call_seconds": n}`` it sleeps n seconds the first time it sees an
idempotency key (so a test can kill the worker during that call).
"""
import json
import os
import time

from stepflow_fdk import call_info, task


@task
def handler(payload, ctx):
    info = call_info(ctx)
    path = os.environ["RECORD_FILE"]
    seen = os.path.exists(path) and info["idempotency_key"] in open(path).read()
    with open(path, "a") as out:
        out.write(json.dumps(info) + "\n")
    if not seen and isinstance(payload, dict) and payload.get("first_call_seconds"):
        time.sleep(float(payload["first_call_seconds"]))
    return payload
