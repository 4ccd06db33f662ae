"""Django's Redis cache with one client per process instead of one per request.

Under ASGI, Django's cache handler keeps its backends in a context-local store, so every
request builds a new ``RedisCache``, and the stock backend's client (with its connection
pool) lives on that object: each request that touches the cache (every API call, for the
throttles) opened a fresh TCP connection to Redis. Measured on the start-execution
endpoint under daphne, connecting was a sixth of the request's time.

``SharedRedisCache`` keeps the client per process, keyed by its servers and options;
redis-py's pools are thread-safe and reset themselves in a forked child. The stock client
also builds a ``redis.Redis`` object for every operation (filling its table of about 170
response callbacks each time): ``_Client`` keeps one per pool, as redis-py objects are
thread-safe and take a connection from the pool per command.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

__all__ = ["SharedRedisCache"]

_clients: dict[tuple[tuple[str, ...], str], RedisCacheClient] = {}
_lock = threading.Lock()


class _Client(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._redis.get(id(pool))  # the pools live as long as this client
        if client is None:
            client = self._redis[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` sharing its client process-wide."""

    @cached_property
    def _cache(self) -> Any:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = _Client(self._servers, **self._options)
        return client
