"""Workflow Studio's HelloFunction: greets whoever the payload names."""
from stepflow_fdk import task


@task
def handler(payload, ctx):
    return {"greeting": f"Hello, {payload.get('who', 'world')}!"}
