"""The audit trail: one ``AuditRecord`` per change someone makes.

Services call ``record`` inside the transaction of the change they make, so a change and
its record commit (or roll back) together, whichever interface (API, page, admin, command)
asked for it. Who is the ``by`` the service was given; from where comes from the current
request (``access.origin``). Records are read in the admin (admins only) and leave through
retention's export-then-delete (``executions/retention/audit_trail.py``).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from stepflow.access.models import AuditAction, AuditRecord
from stepflow.access.origin import current_origin

__all__ = ["as_json_line", "record"]


def record(
    *,
    action: AuditAction,
    target: models.Model | None = None,
    by: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Write one record: ``by`` (a user; a username when only that is known; None or
    anonymous for the system) did ``action`` to ``target``."""
    person = by if by is not None and getattr(by, "is_authenticated", False) else None
    name = person.get_username() if person is not None else by if isinstance(by, str) else ""
    origin = current_origin()
    target_id = ""
    if target is not None:
        target_id = str(getattr(target, "uuid", None) or target.pk)
    return AuditRecord.objects.create(
        actor=person,
        actor_name=name[:150],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target_id,
        target_repr=str(target)[:200] if target is not None else "",
        detail=detail or None,
        ip=origin.ip if origin else None,
        user_agent=origin.user_agent if origin else "",
        via=origin.via if origin else "system",
    )


def as_json_line(row: AuditRecord) -> bytes:
    """The record as retention ships it: compact JSON, fields in a fixed order."""
    body = {
        "id": f"audit-{row.pk}",
        "kind": "stepflow.audit",
        "at": row.at.isoformat(),
        "actor": row.actor_name,
        "action": row.action,
        "target": {"type": row.target_type, "id": row.target_id, "repr": row.target_repr},
        "detail": row.detail,
        "ip": row.ip,
        "user_agent": row.user_agent,
        "via": row.via,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
