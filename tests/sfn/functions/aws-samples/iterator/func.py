"""The "Iterate a loop" tutorial's Lambda function, ported from Node.js to fdk."""
from stepflow_fdk import task


@task
def handler(event, ctx):
    index = event["iterator"]["index"] + event["iterator"]["step"]
    count = event["iterator"]["count"]
    return {"index": index, "step": event["iterator"]["step"], "count": count, "continue": index < count}
