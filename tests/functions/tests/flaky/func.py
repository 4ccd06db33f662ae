"""Fails with Flaky until stepflow's attempt header reaches 2, then returns its input."""
from stepflow_fdk import StepflowError, call_info, task


@task
def handler(payload, ctx):
    attempt = int(call_info(ctx)["attempt"] or 0)
    if attempt < 2:
        raise StepflowError("Flaky", f"attempt {attempt}")
    return {"attempt": attempt}
