"""Compiled machines, cached per process by version (versions never change)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings

import stepflow.asl as asl
from workflows.models import StateMachineVersion

__all__ = ["compiled"]

_SIZE = 256
# Keyed by id and hash: ids are reused after a rollback (tests) or a restored backup.
_cache: OrderedDict[tuple[int, str], asl.Machine] = OrderedDict()
_lock = threading.Lock()


def compiled(version: StateMachineVersion) -> asl.Machine:
    """The compiled machine of ``version``; raises ``asl.DefinitionError`` if it no longer
    compiles (a stored version was valid when saved)."""
    key = (version.pk, version.definition_sha256)
    with _lock:
        machine = _cache.get(key)
        if machine is not None:
            _cache.move_to_end(key)
            return machine
    machine = asl.compile(version.definition, max_map_items=settings.STEPFLOW_MAX_MAP_ITEMS)
    with _lock:
        _cache[key] = machine
        while len(_cache) > _SIZE:
            _cache.popitem(last=False)
    return machine
