"""Export records: one JSON line per execution with its machine, version and every step.

Reading is streamed: executions are walked by primary key in batches (keyset, never an
OFFSET), and each batch's steps come from one ordered query read through a server-side
iterator, so memory holds one batch, never the table. The bytes of a record depend only on
the stored rows, so a run shipped twice (after a crash between export and delete) sends
identical lines under the same ``id`` (the execution's public UUID) for stores to dedupe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from executions.models import Execution, Step

__all__ = ["Record", "id_batches", "records_for"]

# JSON columns are read as their stored text (compact, key order kept) and spliced into the
# line as is: parsing and re-serialising them would cost more than the rest of the export.
_RAW = TextField()
_STEP_FIELDS = (
    "execution_id", "sequence", "state_name", "state_type", "branch", "status", "input", "output",
    "error", "cause", "attempt", "entered_at", "exited_at",
)
_STEP_JSON = {"branch", "input", "output"}
_EXECUTION_FIELDS = (
    "pk", "uuid", "name", "machine__name", "machine__uuid", "version__number", "version__definition_sha256",
    "status", "input", "output", "error", "cause", "started_at", "stopped_at", "started_by__username",
)
_STEP_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Record:
    id: str  # the execution's public UUID: stable across re-shipments
    pk: int
    steps: int
    line: bytes  # compact JSON, no trailing newline


def id_batches(queryset: QuerySet[Execution], *, size: int) -> Iterator[list[int]]:
    """Primary keys of ``queryset`` in ascending batches of at most ``size`` (keyset paging).

    Each batch is a fresh query, so rows deleted after one batch never shift the next.
    """
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def _time(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_json = _ENCODER.encode  # one encoder: json.dumps with options builds a new one per call


def _object(pairs: list[tuple[str, Any, bool]]) -> str:
    """A JSON object from (key, value, value_is_raw_json_text) in order."""
    parts = []
    for key, value, raw in pairs:
        text = (value if value is not None else "null") if raw else _json(value)
        parts.append(f'"{key}":{text}')
    return "{" + ",".join(parts) + "}"


def _raw_columns(fields: tuple[str, ...], json_fields: set[str]) -> tuple[list[str], dict[str, Cast]]:
    names = [f"raw_{f}" if f in json_fields else f for f in fields]
    return names, {f"raw_{f}": Cast(f, _RAW) for f in json_fields}


def _step(row: tuple[Any, ...]) -> str:
    _, sequence, state, kind, branch, status, input, output, error, cause, attempt, entered, exited = row
    return _object([
        ("sequence", sequence, False), ("state_name", state, False), ("state_type", kind, False),
        ("branch", branch, True), ("status", status, False), ("input", input, True), ("output", output, True),
        ("error", error, False), ("cause", cause, False), ("attempt", attempt, False),
        ("entered_at", _time(entered), False), ("exited_at", _time(exited), False),
    ])


def records_for(pks: list[int]) -> list[Record]:
    """The export records of the executions ``pks`` that still exist, in primary-key order."""
    step_names, step_raw = _raw_columns(_STEP_FIELDS, _STEP_JSON)
    steps: dict[int, list[str]] = {pk: [] for pk in pks}
    rows = (
        Step.objects.filter(execution_id__in=pks)
        .annotate(**step_raw)
        .order_by("execution_id", "sequence")
        .values_list(*step_names)
    )
    for row in rows.iterator(chunk_size=_STEP_CHUNK):
        steps[row[0]].append(_step(row))
    names, raw = _raw_columns(_EXECUTION_FIELDS, {"input", "output"})
    executions = Execution.objects.filter(pk__in=pks).annotate(**raw).order_by("pk").values_list(*names)
    out = []
    for row in executions.iterator(chunk_size=200):
        (pk, uuid, name, machine, machine_uuid, version, sha, status, input, output, error, cause, started,
         stopped, by) = row
        its_steps = steps.pop(pk, [])
        line = _object([
            ("id", str(uuid), False), ("kind", "stepflow.execution", False), ("name", name, False),
            ("machine", machine, False), ("machine_id", str(machine_uuid), False), ("version", version, False),
            ("definition_sha256", sha, False), ("status", status, False), ("input", input, True),
            ("output", output, True), ("error", error, False), ("cause", cause, False),
            ("started_at", _time(started), False), ("stopped_at", _time(stopped), False),
            ("started_by", by, False), ("steps", "[" + ",".join(its_steps) + "]", True),
        ])
        out.append(Record(id=str(uuid), pk=pk, steps=len(its_steps), line=line.encode("utf-8")))
    return out
