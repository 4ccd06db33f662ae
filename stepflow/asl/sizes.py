"""Payload size accounting for the 256 KiB limit (``States.DataLimitExceeded``).

Every state's output is measured, so measuring must be cheap: a walk that counts the
bytes compact JSON would take, without building the text. Payloads are never mutated
(every state builds new containers and shares the rest), so the size of a large
sub-document is remembered by identity: a state that adds one field to a 200 KiB
document pays for the new field only. The cache keeps a strong reference to each entry,
so an id cannot be reused while it is cached, and holds only a few large containers.

Strings are counted by characters plus quotes; escapes and multi-byte UTF-8 make the
real figure somewhat larger, which only matters within a few percent of the limit.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_PAYLOAD_BYTES", "exceeds_limit", "payload_size"]

MAX_PAYLOAD_BYTES = 256 * 1024

_CACHE_MIN_BYTES = 8 * 1024
_CACHE_MAX_ENTRIES = 64
_cache: dict[int, tuple[Any, int]] = {}
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def payload_size(value: Any) -> int:
    """About the number of bytes ``value`` takes as compact JSON."""
    kind = type(value)
    if kind is str:
        return len(value) + 2
    if kind is dict or kind is list:
        hit = _cache.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if len(value) > 16:
            # Wide containers: the C encoder beats a Python walk by far.
            size = len(_encode(value))
        else:
            # Scalars are counted inline: this runs for every state's output.
            if kind is dict:
                size = 1 + len(value) if value else 2  # braces and separators
                for key, item in value.items():
                    size += len(key) + 3
                    item_kind = type(item)
                    if item_kind is str:
                        size += len(item) + 2
                    elif item_kind is int:
                        size += len(str(item))
                    else:
                        size += payload_size(item)
            else:
                size = 1 + len(value) if value else 2
                for item in value:
                    item_kind = type(item)
                    if item_kind is str:
                        size += len(item) + 2
                    elif item_kind is int:
                        size += len(str(item))
                    else:
                        size += payload_size(item)
        if size >= _CACHE_MIN_BYTES:
            if len(_cache) >= _CACHE_MAX_ENTRIES:
                del _cache[next(iter(_cache))]
            _cache[id(value)] = (value, size)
        return size
    if kind is int:
        return len(str(value))
    if value is None or kind is bool:
        return 5
    return len(repr(value))


def exceeds_limit(value: Any, limit: int = MAX_PAYLOAD_BYTES) -> bool:
    """True when ``value`` serialises to more than ``limit`` bytes."""
    return payload_size(value) > limit
