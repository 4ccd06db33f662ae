"""Waits the input's ``seconds``, then returns its input (only the TimeoutSecondsPath test calls it)."""
import time

from stepflow_fdk import task


@task
def handler(payload, ctx):
    time.sleep(float((payload or {}).get("seconds", 1)))
    return payload
