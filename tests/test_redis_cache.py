"""``SharedRedisCache``: one client, and one ``redis.Redis``, per process and pool."""

from __future__ import annotations

import os
import uuid

import pytest

from stepflow.redis_cache import SharedRedisCache


@pytest.fixture
def url() -> str:
    found = os.environ.get("REDIS_URL")
    if not found:
        pytest.skip("REDIS_URL is not set: the Redis cache is tested on the scaled-out shape")
    return found


def test_caches_made_per_request_share_one_client_and_one_redis_object(url):
    prefix = f"test-{uuid.uuid4().hex}"
    # Django's cache handler makes a backend per request under ASGI: two stand for two requests.
    first = SharedRedisCache(url, {"KEY_PREFIX": prefix})
    second = SharedRedisCache(url, {"KEY_PREFIX": prefix})
    assert first._cache is second._cache
    client = first._cache
    assert client.get_client("a") is client.get_client("b", write=True)
    first.set("throttle", [1.5, 2.5], 30)
    assert second.get("throttle") == [1.5, 2.5]
    assert second.add("throttle-count", 1, 30)
    assert second.incr("throttle-count") == 2
    assert first.get("throttle-count") == 2
    first.delete_many(["throttle", "throttle-count"])
