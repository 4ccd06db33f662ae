"""Returns plain text, not JSON."""
from fdk import response


def handler(ctx, data=None):
    return response.Response(ctx, response_data="plain words", headers={"Content-Type": "text/plain"})
