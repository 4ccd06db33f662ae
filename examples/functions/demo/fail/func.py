"""Fails with the error DemoError; the cause is the input's ``message``."""
from stepflow_fdk import StepflowError, task


@task
def handler(payload, ctx):
    message = payload.get("message", "the demo failed") if isinstance(payload, dict) else "the demo failed"
    raise StepflowError("DemoError", str(message))
