"""Sleeps longer than its 1 s Fn timeout."""
import time


def handler(ctx, data=None):
    time.sleep(5)
    return "late"
