"""Returns its input."""
from stepflow_fdk import task


@task
def handler(payload, ctx):
    return payload
